"""The 33 BlazePose keypoints and the index sets the solver and gait code use."""
from __future__ import annotations

__all__ = ["KEYPOINT_NAMES", "KP", "N_KEYPOINTS", "TRUNK_AND_LEG_OF_HEIGHT", "HIP_TO_ANKLE_OF_HEIGHT", "mediapipe_to_blender"]

import numpy as np

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
N_KEYPOINTS = len(KEYPOINT_NAMES)
KP: dict[str, int] = {name: i for i, name in enumerate(KEYPOINT_NAMES)}
"""Keypoint index by name, e.g. KP["left_knee"] == 25."""

HIP_TO_ANKLE_OF_HEIGHT = 0.491
"""Hip joint to ankle joint as a fraction of body height (Winter, Biomechanics and Motor Control
of Human Movement: hip 0.530 H, ankle 0.039 H above the floor)."""

TRUNK_AND_LEG_OF_HEIGHT = 0.779
"""Shoulder-to-hip + hip-to-knee + knee-to-ankle as a fraction of body height (Winter, Biomechanics
and Motor Control of Human Movement: shoulder 0.818 H, hip 0.530, knee 0.285, ankle 0.039)."""


def mediapipe_to_blender(points: np.ndarray) -> np.ndarray:
    """MediaPipe world axes (x right, y down, z away from the camera) to Blender's
    (x right, y away from the camera, z up), as if the camera looked along +y."""
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([x, z, -y], axis=-1)
