"""Where the person is: the hip centre's path from the image and the metric world landmarks.

MediaPipe's world landmarks are metric and hip-centred in the camera's axes; the image
landmarks are where the same points project. For a static pinhole camera each frame then
gives the hip centre's camera-space position t by linear least squares:
(u - cx)(Z + tz) = f (X + tx) and (v - cy)(Z + tz) = f (Y + ty) over all keypoints.
Travel across the image (tx, ty) does not depend on the focal length f; only the depth tz
scales with it, so an assumed field of view is good enough when f is unknown.
"""
from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_FOV_DEG", "camera_fov_deg", "focal_px_for", "hip_path_camera_m"]

DEFAULT_FOV_DEG = 65.0
"""Field of view across the longer image side assumed when the camera's is unknown (phones, webcams)."""


def camera_fov_deg(track_meta: dict, fov_deg: float | None = None) -> tuple[float, str]:
    """The field of view the fit takes, and where from: the user's `fov_deg`, else the one the
    video's metadata states (capture.lens, recorded in the track's meta), else the default."""
    if fov_deg:
        return float(fov_deg), "given"
    if track_meta.get("lens_fov_deg"):
        return float(track_meta["lens_fov_deg"]), f"the video's metadata ({track_meta['lens_focal_35mm_mm']:g} mm, 35 mm equivalent)"
    return DEFAULT_FOV_DEG, "assumed (the video states no lens)"


def focal_px_for(image_size_px: tuple[int, int], fov_deg: float = DEFAULT_FOV_DEG) -> float:
    return 0.5 * max(image_size_px) / np.tan(np.radians(fov_deg) / 2)


def hip_path_camera_m(
    world_xyz_m: np.ndarray,
    image_xy_px: np.ndarray,
    image_size_px: tuple[int, int],
    focal_px: float | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """(N, 3) hip-centre position in camera axes (x right, y down, z forward), metres.

    world_xyz_m: (N, K, 3) hip-centred metric landmarks; image_xy_px: (N, K, 2) their pixels;
    weights: (N, K) per-landmark trust (e.g. visibility), default equal.
    """
    f = focal_px or focal_px_for(image_size_px)
    centre = np.asarray(image_size_px, float) / 2
    du = image_xy_px - centre  # (N, K, 2)
    X, Z = world_xyz_m[..., :2], world_xyz_m[..., 2:3]
    n, k = world_xyz_m.shape[:2]
    # rows for u and v: f * t_xy - du * tz = du * Z - f * XY
    A = np.zeros((n, k, 2, 3))
    A[..., 0, 0] = f
    A[..., 1, 1] = f
    A[..., :, 2] = -du
    b = du * Z - f * X
    w = np.ones((n, k)) if weights is None else np.asarray(weights, float)
    w = np.repeat(w[..., None], 2, axis=-1).reshape(n, 2 * k)
    A, b = A.reshape(n, 2 * k, 3), b.reshape(n, 2 * k)
    normal = np.einsum("nki,nk,nkj->nij", A, w, A)
    rhs = np.einsum("nki,nk,nk->ni", A, w, b)
    return np.linalg.solve(normal, rhs[..., None])[..., 0]
