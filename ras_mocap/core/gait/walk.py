"""A landmark track as a walk in metres: every keypoint in a ground-fixed frame (a static, level
camera; x right in the image, y away from the camera, z up), the person's travel included."""
from __future__ import annotations

import numpy as np

from ..cleaning import CleaningSettings, clean_track
from ..skeleton import KP, mediapipe_to_blender
from ..solver import pose_points
from ..track import Track

__all__ = ["walk_points_m", "estimated_height_m", "HIP_TO_ANKLE_OF_HEIGHT"]

HIP_TO_ANKLE_OF_HEIGHT = 0.491
"""Hip joint to ankle joint as a fraction of body height (Winter, Biomechanics and Motor Control
of Human Movement: hip 0.530 H, ankle 0.039 H above the floor)."""


def estimated_height_m(points_m: np.ndarray) -> float:
    """Body height from the median hip-to-ankle length of both legs."""
    legs = [np.linalg.norm(points_m[:, KP[f"{s}_hip"]] - points_m[:, KP[f"{s}_knee"]], axis=-1)
            + np.linalg.norm(points_m[:, KP[f"{s}_knee"]] - points_m[:, KP[f"{s}_ankle"]], axis=-1)
            for s in ("left", "right")]
    return float(np.nanmedian(np.concatenate(legs))) / HIP_TO_ANKLE_OF_HEIGHT


def walk_points_m(track: Track, cleaning: CleaningSettings = CleaningSettings(),
                  body_height_m: float | None = None) -> tuple[np.ndarray, float]:
    """((N, 33, 3) keypoints in metres, NaN where nobody was seen; the sample rate in Hz).

    The body's shape comes from the image landmarks lifted at the 3D network's depth (as the
    solver aims bones), its travel from the hip path the landmarks give in camera space. The
    metric scale is BlazePose's, or the `body_height_m` the user gives.
    """
    clean = clean_track(track, cleaning)
    valid = clean.found
    if not valid.any():
        raise ValueError("nobody was detected in the track: no walk to analyse")
    points = np.full(clean.world_xyz_m.shape, np.nan)
    body_m, hip_camera_m = pose_points(clean.world_xyz_m[valid], clean.image_xy_px[valid], clean.image_size_px)
    points[valid] = body_m + mediapipe_to_blender(hip_camera_m)[:, None]
    if body_height_m:
        points *= body_height_m / estimated_height_m(points)
    return points, clean.sample_rate_hz
