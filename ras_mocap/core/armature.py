"""An armature as the solver sees it (rest bones) and what it produces (pose channels).

Blender keeps Euler angles in x, y, z slots whatever the rotation order; scipy returns them
in the order's sequence: the two conversions below are the only place that knows it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

__all__ = ["RestBone", "PoseChannels", "blender_euler", "rotation_from_blender_euler", "continuous_euler"]


@dataclass(frozen=True)
class RestBone:
    """A bone of the target armature at rest: armature-space rotation (bone.matrix_local)."""

    name: str
    parent: str | None
    matrix: np.ndarray  # (3, 3)
    head_m: np.ndarray  # (3,)
    length_m: float
    rotation_mode: str = "XYZ"  # the pose bone's Euler order


@dataclass
class PoseChannels:
    """Per-frame channels for one armature: Euler angles per bone and the pelvis location."""

    euler_rad: dict[str, np.ndarray]  # bone -> (N, 3), in the bone's own rest frame and Euler order
    euler_order: dict[str, str]  # bone -> Blender rotation mode, e.g. "XYZ"
    location_m: dict[str, np.ndarray]  # bone -> (N, 3), pose-bone location channels


def blender_euler(rotation: Rotation, mode: str) -> np.ndarray:
    """(N, 3) Euler angles as Blender stores them for rotation mode `mode`: always in x, y, z
    slots. Blender's "YXZ" applies Y first: scipy's extrinsic "yxz", whose angles come in y, x, z order."""
    return rotation.as_euler(mode.lower())[:, [mode.index(axis) for axis in "XYZ"]]


def rotation_from_blender_euler(euler_xyz: np.ndarray, mode: str) -> Rotation:
    """The inverse of blender_euler."""
    return Rotation.from_euler(mode.lower(), euler_xyz[:, ["XYZ".index(axis) for axis in mode]])


def continuous_euler(euler_xyz: np.ndarray, mode: str) -> np.ndarray:
    """(N, 3) Blender Euler angles made continuous over frames: each frame takes, of its two
    equivalent triples (a, b, c) and (a + pi, pi - b, c + pi) in the mode's order, each shifted by
    whole turns, the one nearest the previous frame's (np.unwrap alone keeps a gimbal flip)."""
    first, middle, last = ("XYZ".index(axis) for axis in mode)
    out = np.array(euler_xyz, float)
    alternative = out.copy()
    alternative[:, first] += np.pi
    alternative[:, middle] = np.pi - alternative[:, middle]
    alternative[:, last] += np.pi
    turn = 2 * np.pi
    for t in range(1, len(out)):
        candidates = np.stack([out[t], alternative[t]])
        candidates += turn * np.round((out[t - 1] - candidates) / turn)
        out[t] = candidates[np.argmin(np.sum((candidates - out[t - 1]) ** 2, axis=1))]
    return out
