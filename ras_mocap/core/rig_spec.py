"""The RAS rig as data: bones, their rest pose sized from a person, and what drives them.

Armature space is Blender's: metres, z up, the character faces -y, its left is +x.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .armature import RestBone
from .skeleton import KP

__all__ = ["BoneSpec", "BodyLengths", "RAS_BONES", "body_lengths_from_world", "rest_pose", "ras_rest_bones"]


@dataclass(frozen=True)
class BoneSpec:
    name: str
    parent: str | None
    head: str  # joint name in the rest pose (see rest_pose)
    tail: str
    deform: bool = True
    rotation_mode: str = "XYZ"
    """Euler order; the torso and head bones turn about their own (vertical) Y axis, so Y must not
    be the middle angle (gimbal lock at +-90 deg, a person seen from the side): they use YXZ."""


RAS_BONES: tuple[BoneSpec, ...] = (
    BoneSpec("root", None, "root", "root_tail", deform=False),
    BoneSpec("pelvis", "root", "mid_hip", "spine_base", rotation_mode="YXZ"),
    BoneSpec("spine", "pelvis", "spine_base", "spine_mid", rotation_mode="YXZ"),
    BoneSpec("chest", "spine", "spine_mid", "neck_base", rotation_mode="YXZ"),
    BoneSpec("neck", "chest", "neck_base", "head_base", rotation_mode="YXZ"),
    BoneSpec("head", "neck", "head_base", "head_top", rotation_mode="YXZ"),
    *(
        spec
        for side in ("L", "R")
        for spec in (
            BoneSpec(f"clavicle.{side}", "chest", "neck_base", f"shoulder.{side}"),
            BoneSpec(f"upper_arm.{side}", f"clavicle.{side}", f"shoulder.{side}", f"elbow.{side}"),
            BoneSpec(f"forearm.{side}", f"upper_arm.{side}", f"elbow.{side}", f"wrist.{side}"),
            BoneSpec(f"hand.{side}", f"forearm.{side}", f"wrist.{side}", f"hand_tip.{side}"),
            BoneSpec(f"thigh.{side}", "pelvis", f"hip.{side}", f"knee.{side}"),
            BoneSpec(f"shin.{side}", f"thigh.{side}", f"knee.{side}", f"ankle.{side}"),
            BoneSpec(f"foot.{side}", f"shin.{side}", f"ankle.{side}", f"ball.{side}"),
            BoneSpec(f"toe.{side}", f"foot.{side}", f"ball.{side}", f"toe_tip.{side}"),
        )
    ),
)


@dataclass(frozen=True)
class BodyLengths:
    """Segment lengths in metres; defaults are a 1.75 m adult."""

    hip_width_m: float = 0.20
    shoulder_width_m: float = 0.36
    torso_m: float = 0.50  # mid-hip to mid-shoulder
    neck_m: float = 0.16  # mid-shoulder to mid-ear
    head_m: float = 0.20
    upper_arm_m: float = 0.29
    forearm_m: float = 0.25
    hand_m: float = 0.10
    thigh_m: float = 0.44
    shin_m: float = 0.42
    ankle_height_m: float = 0.08
    foot_m: float = 0.20  # ankle to toe tip, along the sole


def _median_distance(world: np.ndarray, a: str | tuple[str, str], b: str | tuple[str, str]) -> float:
    def point(p):
        return world[:, KP[p]] if isinstance(p, str) else 0.5 * (world[:, KP[p[0]]] + world[:, KP[p[1]]])

    d = np.linalg.norm(point(a) - point(b), axis=-1)
    d = d[np.isfinite(d)]
    return float(np.median(d)) if d.size else float("nan")


def body_lengths_from_world(world_xyz_m: np.ndarray) -> BodyLengths:
    """Segment lengths of the tracked person: medians over frames, both sides averaged.

    Falls back to the default length of any segment that was never seen.
    """
    hips, shoulders, ears = ("left_hip", "right_hip"), ("left_shoulder", "right_shoulder"), ("left_ear", "right_ear")

    def both(a: str, b: str) -> float:
        return float(np.nanmean([_median_distance(world_xyz_m, f"{s}_{a}", f"{s}_{b}") for s in ("left", "right")]))

    measured = {
        "hip_width_m": _median_distance(world_xyz_m, "left_hip", "right_hip"),
        "shoulder_width_m": _median_distance(world_xyz_m, "left_shoulder", "right_shoulder"),
        "torso_m": _median_distance(world_xyz_m, hips, shoulders),
        "neck_m": _median_distance(world_xyz_m, shoulders, ears),
        "upper_arm_m": both("shoulder", "elbow"),
        "forearm_m": both("elbow", "wrist"),
        "thigh_m": both("hip", "knee"),
        "shin_m": both("knee", "ankle"),
        "ankle_height_m": both("ankle", "heel"),
        "foot_m": both("heel", "foot_index"),
    }
    defaults = BodyLengths()
    return BodyLengths(**{k: (v if np.isfinite(v) and v > 0 else getattr(defaults, k)) for k, v in measured.items()})


def rest_pose(lengths: BodyLengths) -> dict[str, np.ndarray]:
    """Joint positions of an upright rest pose (arms hanging, feet flat), armature space."""
    L = lengths
    hip_z = L.thigh_m + L.shin_m + L.ankle_height_m
    neck_z = hip_z + L.torso_m
    joints: dict[str, np.ndarray] = {
        "root": (0.0, 0.0, 0.0),
        "root_tail": (0.0, 0.3, 0.0),
        "mid_hip": (0.0, 0.0, hip_z),
        "spine_base": (0.0, 0.0, hip_z + 0.2 * L.torso_m),
        "spine_mid": (0.0, 0.0, hip_z + 0.55 * L.torso_m),
        "neck_base": (0.0, 0.0, neck_z),
        "head_base": (0.0, 0.0, neck_z + L.neck_m),
        "head_top": (0.0, 0.0, neck_z + L.neck_m + L.head_m),
    }
    ball_forward_m = 0.7 * L.foot_m
    for side, sign in (("L", 1.0), ("R", -1.0)):
        hip_x, shoulder_x = sign * L.hip_width_m / 2, sign * L.shoulder_width_m / 2
        joints |= {
            f"shoulder.{side}": (shoulder_x, 0.0, neck_z),
            f"elbow.{side}": (shoulder_x, 0.0, neck_z - L.upper_arm_m),
            f"wrist.{side}": (shoulder_x, 0.0, neck_z - L.upper_arm_m - L.forearm_m),
            f"hand_tip.{side}": (shoulder_x, 0.0, neck_z - L.upper_arm_m - L.forearm_m - L.hand_m),
            f"hip.{side}": (hip_x, 0.0, hip_z),
            f"knee.{side}": (hip_x, 0.0, hip_z - L.thigh_m),
            f"ankle.{side}": (hip_x, 0.0, L.ankle_height_m),
            f"ball.{side}": (hip_x, -ball_forward_m, 0.02),
            f"toe_tip.{side}": (hip_x, -L.foot_m, 0.0),
        }
    return {name: np.asarray(p, float) for name, p in joints.items()}


def _bone_matrix(head: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """A bone's rest matrix for roll 0, as Blender makes it: the shortest rotation taking +Y onto
    the bone (Rodrigues), so the rig need not be built in Blender to be solved for."""
    y = (tail - head) / np.linalg.norm(tail - head)
    c = y[1]
    if c < -1 + 1e-9:  # pointing straight down -Y: Blender turns it about Z
        return np.diag([-1.0, -1.0, 1.0])
    k = np.array([y[2], 0.0, -y[0]])  # (0, 1, 0) x y
    skew = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + skew + skew @ skew / (1 + c)


def ras_rest_bones(lengths: BodyLengths) -> list[RestBone]:
    """The RAS rig's deforming and root bones at rest (what Add RAS Rig builds), parents first."""
    joints = rest_pose(lengths)
    return [RestBone(spec.name, spec.parent, _bone_matrix(joints[spec.head], joints[spec.tail]), joints[spec.head],
                     float(np.linalg.norm(joints[spec.tail] - joints[spec.head])), spec.rotation_mode)
            for spec in RAS_BONES]
