"""Where the walker goes and how the joints bend, in clinical conventions.

Points are (N, 33, 3) keypoints in metres in a ground-fixed frame with z up (Blender's axes).
Sagittal angles are measured in the vertical plane through the walking direction.
"""
from __future__ import annotations

import numpy as np

from ..skeleton import KP
from ..errors import InputError

__all__ = ["SIDES", "mid_hip", "walking_direction", "sagittal_angles_deg"]

SIDES = ("left", "right")
UP = np.array([0.0, 0.0, 1.0])


def mid_hip(points_m: np.ndarray) -> np.ndarray:
    """(N, 3) the point between the hips: the pelvis's stand-in (BlazePose has no sacrum)."""
    return 0.5 * (points_m[:, KP["left_hip"]] + points_m[:, KP["right_hip"]])


def walking_direction(points_m: np.ndarray) -> np.ndarray:
    """Unit horizontal vector from where the pelvis starts to where it ends (one straight pass)."""
    pelvis = mid_hip(points_m)
    valid = ~np.isnan(pelvis).any(axis=1)
    travel = pelvis[valid][-1] - pelvis[valid][0]
    travel[2] = 0.0
    length = np.linalg.norm(travel)
    if length < 1e-6:
        raise InputError("the walker does not move: no walking direction")
    return travel / length


def _angle_from_down_deg(vectors: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Angle of vectors from straight down in the sagittal plane, + towards `forward`."""
    return np.degrees(np.arctan2(vectors @ forward, -(vectors @ UP)))


def sagittal_angles_deg(points_m: np.ndarray, forward: np.ndarray) -> dict[str, np.ndarray]:
    """Per frame: hip flexion, knee flexion, ankle dorsiflexion (N, 2: left, right, degrees,
    flexion / dorsiflexion positive), trunk lean (N,: + forward); in the frontal plane, hip
    abduction (N, 2: the thigh away from the body's midline +, against the pelvis) and pelvic
    obliquity (N,: the left hip higher +), meaningful when the camera sees the walker from
    the front or back (or in 3D)."""
    p = points_m
    shoulders = 0.5 * (p[:, KP["left_shoulder"]] + p[:, KP["right_shoulder"]])
    pelvis = mid_hip(p)
    trunk_from_down = _angle_from_down_deg(pelvis - shoulders, forward)
    out: dict[str, list] = {"hip_flexion": [], "knee_flexion": [], "ankle_dorsiflexion": []}
    for side in SIDES:
        thigh = _angle_from_down_deg(p[:, KP[f"{side}_knee"]] - p[:, KP[f"{side}_hip"]], forward)
        shank = _angle_from_down_deg(p[:, KP[f"{side}_ankle"]] - p[:, KP[f"{side}_knee"]], forward)
        foot = _angle_from_down_deg(p[:, KP[f"{side}_foot_index"]] - p[:, KP[f"{side}_heel"]], forward)
        out["hip_flexion"].append(thigh - trunk_from_down)
        out["knee_flexion"].append(thigh - shank)
        out["ankle_dorsiflexion"].append(foot - shank - 90.0)
    left = np.cross(UP, forward)  # the walker's left, horizontal
    across = p[:, KP["left_hip"]] - p[:, KP["right_hip"]]
    obliquity = np.degrees(np.arctan2(across @ UP, across @ left))
    out["hip_abduction"] = [
        sign * (_angle_from_down_deg(p[:, KP[f"{side}_knee"]] - p[:, KP[f"{side}_hip"]], left) - obliquity)
        for side, sign in (("left", 1.0), ("right", -1.0))
    ]
    angles = {k: np.stack(v, axis=-1) for k, v in out.items()}
    angles["trunk_lean"] = -trunk_from_down
    angles["pelvic_obliquity"] = obliquity
    return angles
