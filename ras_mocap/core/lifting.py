"""Landmarks lifted to 3D: the image positions back-projected at the 3D network's depth.

BlazePose places points more accurately in the image than in its metric 3D guess, so each
keypoint keeps its image position and takes only its depth from the world landmarks; the arms
keep the network's 3D shape (a forearm pointing at the camera is short in the image, and a 2D
error there turns it by tens of degrees). The starting point of the whole-clip fit.
"""
from __future__ import annotations

import numpy as np

from .rootmotion import focal_px_for, hip_path_camera_m
from .skeleton import KP, mediapipe_to_blender

__all__ = ["lifted_keypoints", "pose_points"]


def _lift_image_landmarks(
    world_xyz_m: np.ndarray,
    image_xy_px: np.ndarray,
    hip_camera_m: np.ndarray,
    image_size_px: tuple[int, int],
    focal_px: float | None = None,
) -> np.ndarray:
    """Hip-centred landmarks (N, K, 3) whose image-plane positions come from the 2D landmarks
    (back-projected at the world landmarks' depth) and only the depth from the 3D network:
    BlazePose places points more accurately in the image than in its metric 3D guess."""
    f = focal_px or focal_px_for(image_size_px)
    centre = np.asarray(image_size_px, float) / 2
    depth = world_xyz_m[..., 2:3] + hip_camera_m[:, None, 2:3]
    in_plane = (image_xy_px - centre) * depth / f - hip_camera_m[:, None, :2]
    return np.concatenate([in_plane, world_xyz_m[..., 2:3]], axis=-1)


_ARMS = {side: [KP[f"{side}_{p}"] for p in ("elbow", "wrist", "pinky", "index", "thumb")] for side in ("left", "right")}


def _keep_world_arms(lifted: np.ndarray, world_xyz_m: np.ndarray) -> np.ndarray:
    """Arms as the 3D network sees them, hung from the lifted shoulders: a forearm pointing at
    the camera is short in the image, and a 2D error there turns it by tens of degrees."""
    out = lifted.copy()
    for side, points in _ARMS.items():
        shoulder = KP[f"{side}_shoulder"]
        out[:, points] = lifted[:, shoulder, None] + world_xyz_m[:, points] - world_xyz_m[:, shoulder, None]
    return out


def lifted_keypoints(world_xyz_m: np.ndarray, image_xy_px: np.ndarray, image_size_px: tuple[int, int],
                     focal_px: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hip-centred lifted keypoints (N, 33, 3) in camera axes, and the hips' camera-space path (N, 3)."""
    hip_camera_m = hip_path_camera_m(world_xyz_m, image_xy_px, image_size_px, focal_px)
    lifted = _lift_image_landmarks(world_xyz_m, image_xy_px, hip_camera_m, image_size_px, focal_px)
    return _keep_world_arms(lifted, world_xyz_m), hip_camera_m


def pose_points(
    world_xyz_m: np.ndarray, image_xy_px: np.ndarray, image_size_px: tuple[int, int], focal_px: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The lifted keypoints (N, 33, 3) hip-centred in Blender axes, and the hip's camera-space path (N, 3)."""
    lifted, hip_camera_m = lifted_keypoints(world_xyz_m, image_xy_px, image_size_px, focal_px)
    return mediapipe_to_blender(lifted), hip_camera_m
