"""A mannequin mesh for any human rig: one tapered capsule per body segment, made in code (no
third-party asset), each rigidly bound to the bone it follows.

Radii are those of a 1.75 m adult, scaled by the rig's leg length, per body part of the
retarget profile (see core.retarget), so a Mixamo-named rig gets the same body as the RAS rig.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .armature import RestBone
from .retarget import RetargetProfile
from .rig_spec import BodyLengths

__all__ = ["MannequinMesh", "SEGMENT_RADII_M", "mannequin_mesh"]

SEGMENT_RADII_M: dict[str, tuple[float, float]] = {
    "pelvis": (0.125, 0.115),
    "spine": (0.115, 0.12),
    "chest": (0.13, 0.11),
    "neck": (0.05, 0.045),
    "head": (0.09, 0.1),
    **{f"{part}.{side}": radii for side in ("L", "R") for part, radii in {
        "upper_arm": (0.05, 0.04), "forearm": (0.04, 0.03), "hand": (0.03, 0.02),
        "thigh": (0.075, 0.05), "shin": (0.05, 0.035), "foot": (0.035, 0.025), "toe": (0.022, 0.015),
    }.items()},
}
"""Body part -> (radius at the bone's head, at its tail) for the default adult, metres."""

_ENDS = {"head", "hand.L", "hand.R", "toe.L", "toe.R"}
"""Parts whose bone ends at the body's surface (the top of the head, a fingertip, a toe tip):
their capsule ends there rather than a radius beyond."""

_AROUND = 12  # vertices around each ring
_CAP_RINGS = 4  # rings in each end cap, pole excluded


@dataclass(frozen=True)
class MannequinMesh:
    """Vertices in armature space, faces (quads and triangles as index tuples), and the bone
    each vertex belongs to (weight 1: rigid segments)."""

    vertices: np.ndarray  # (V, 3)
    faces: list[tuple[int, ...]]
    vertex_bone: list[str]  # (V,)


def _profile(length: float, r_head: float, r_tail: float, tail_at_surface: bool) -> np.ndarray:
    """(K, 2) rings of a capsule along +y from -r_head to length + r_tail (to length, if the
    tail is at the surface): (y, radius), poles included."""
    end = length - r_tail if tail_at_surface else length
    head = [(-r_head * np.cos(a), r_head * np.sin(a)) for a in np.linspace(0.0, np.pi / 2, _CAP_RINGS + 1)]
    tail = [(end + r_tail * np.sin(a), r_tail * np.cos(a)) for a in np.linspace(0.0, np.pi / 2, _CAP_RINGS + 1)]
    return np.array(head + tail)


def _capsule(bone: RestBone, r_head: float, r_tail: float, tail_at_surface: bool,
             first: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """One segment's vertices (armature space) and faces, numbered from `first`."""
    rings = _profile(bone.length_m, r_head, r_tail, tail_at_surface)
    angles = np.linspace(0.0, 2 * np.pi, _AROUND, endpoint=False)
    local = [np.array([0.0, rings[0, 0], 0.0])]  # the head pole
    for y, radius in rings[1:-1]:
        local += [np.array([radius * np.cos(a), y, radius * np.sin(a)]) for a in angles]
    local.append(np.array([0.0, rings[-1, 0], 0.0]))  # the tail pole
    vertices = bone.head_m + np.array(local) @ bone.matrix.T
    n_rings, last = len(rings) - 2, len(local) - 1

    def ring(k: int, i: int) -> int:
        return first + 1 + k * _AROUND + i % _AROUND

    # counter-clockwise seen from outside, so the normals point out
    faces = [(first, ring(0, i), ring(0, i + 1)) for i in range(_AROUND)]
    faces += [(ring(k, i), ring(k + 1, i), ring(k + 1, i + 1), ring(k, i + 1))
              for k in range(n_rings - 1) for i in range(_AROUND)]
    faces += [(first + last, ring(n_rings - 1, i + 1), ring(n_rings - 1, i)) for i in range(_AROUND)]
    return vertices, faces


def mannequin_mesh(bones: list[RestBone], profile: RetargetProfile, leg_m: float) -> MannequinMesh:
    """The mannequin of a rig at rest: a capsule for each body part the profile maps to one of
    `bones`, radii scaled by the rig's `leg_m` (hip to ankle, one leg) against the default adult's."""
    default = BodyLengths()
    scale = leg_m / (default.thigh_m + default.shin_m)
    by_name = {bone.name: bone for bone in bones}
    vertices, faces, owners = [], [], []
    count = 0
    for part, (r_head, r_tail) in SEGMENT_RADII_M.items():
        bone = by_name.get(profile.bones.get(part, ""))
        if bone is None:
            continue
        v, f = _capsule(bone, scale * r_head, scale * r_tail, part in _ENDS, count)
        vertices.append(v)
        faces += f
        owners += [bone.name] * len(v)
        count += len(v)
    return MannequinMesh(np.concatenate(vertices), faces, owners)
