"""A landmark track as a walk in metres: every keypoint in a ground-fixed frame (x right in the
image along the floor, y away from the camera, z up), the person's travel included."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cleaning import CleaningSettings, clean_track
from ..lifting import pose_points
from ..pipeline import fit_clip
from ..rootmotion import camera_fov_deg, focal_px_for
from ..skeleton import HIP_TO_ANKLE_OF_HEIGHT, KP, mediapipe_to_blender
from ..track import Track
from ..errors import InputError

__all__ = ["Walk", "track_walk", "walk_points_m", "estimated_height_m"]


def estimated_height_m(points_m: np.ndarray) -> float:
    """Body height from the median hip-to-ankle length of both legs."""
    legs = [np.linalg.norm(points_m[:, KP[f"{s}_hip"]] - points_m[:, KP[f"{s}_knee"]], axis=-1)
            + np.linalg.norm(points_m[:, KP[f"{s}_knee"]] - points_m[:, KP[f"{s}_ankle"]], axis=-1)
            for s in ("left", "right")]
    return float(np.nanmedian(np.concatenate(legs))) / HIP_TO_ANKLE_OF_HEIGHT


@dataclass(frozen=True)
class Walk:
    """What the gait analysis reads of a track (gait.analyse takes the two point sets)."""

    points_m: np.ndarray
    """(N, 33, 3) the whole-clip fit's body (core.fit), NaN where nobody was seen: its joints and
    travel, which hold in any view (fixed bone lengths and planted feet give the depth)."""
    event_points_m: np.ndarray
    """The same frames as the landmarks lifted one frame at a time (walk_points_m): they time the
    heel strikes and toe-offs. The fit's smoothing blurs those instants: on it the hand-checked
    Sports2D strikes come 1.7-4.3 frames late, on these 0.4-1.6 (the fit times them where these
    do not alternate: gait.analysis)."""
    fps: float


def track_walk(track: Track, cleaning: CleaningSettings = CleaningSettings(), body_height_m: float | None = None,
               fov_deg: float | None = None) -> Walk:
    """The fitted body and the lifted landmarks of a raw track (InputError if nobody was seen);
    `body_height_m` and `fov_deg` as core.pipeline.fit_clip takes them."""
    clip = fit_clip(track, cleaning, body_height_m, fov_deg)
    points_m = np.full(clip.body.camera_m.shape, np.nan)
    points_m[clip.valid] = clip.body.world_m[clip.valid]
    return Walk(points_m, _lifted_points_m(clip.clean, body_height_m, fov_deg), clip.clean.sample_rate_hz)


def walk_points_m(track: Track, cleaning: CleaningSettings = CleaningSettings(),
                  body_height_m: float | None = None, fov_deg: float | None = None) -> tuple[np.ndarray, float]:
    """((N, 33, 3) keypoints in metres, NaN where nobody was seen; the sample rate in Hz), each
    frame on its own: the body's shape from the image landmarks lifted at the 3D network's
    depth, its travel from the hip path the landmarks give in camera space (a static, level
    camera whose field of view is `fov_deg`, else the video's, else 65 deg). The metric scale is BlazePose's, or
    the `body_height_m` the user gives."""
    clean = clean_track(track, cleaning)
    return _lifted_points_m(clean, body_height_m, fov_deg), clean.sample_rate_hz


def _lifted_points_m(clean: Track, body_height_m: float | None, fov_deg: float | None) -> np.ndarray:
    valid = clean.found
    if not valid.any():
        raise InputError("nobody was detected in the track: no walk to analyse")
    focal_px = focal_px_for(clean.image_size_px, camera_fov_deg(clean.meta, fov_deg)[0])
    points = np.full(clean.world_xyz_m.shape, np.nan)
    body_m, hip_camera_m = pose_points(clean.world_xyz_m[valid], clean.image_xy_px[valid], clean.image_size_px,
                                       focal_px)
    points[valid] = body_m + mediapipe_to_blender(hip_camera_m)[:, None]
    if body_height_m:
        points *= body_height_m / estimated_height_m(points)
    return points
