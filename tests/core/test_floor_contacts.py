"""A planted phase found by the floor point's speed is extended while the point stands where it
stands in the image (ground._still_at_edges): far away, a centred speed finds a landing late;
and its ends are trimmed where a fit without contacts holds the foot up (ground.trim_lifted_ends).
The outcome on real footage is test_rendered_walk's ball path from behind."""
from __future__ import annotations

import numpy as np

from ras_mocap.core.fit.clip_fit import Camera, Ground
from ras_mocap.core.fit.ground import _still_at_edges, trim_lifted_ends

CAMERA = Camera(1400.0, np.array([480.0, 270.0]))
FLOOR = Ground(np.array([0.0, -1.0, 0.0]), 1.0)  # a level camera 1 m above the floor
BODY_M = 1.7


def _heel_stopping(stop_frame: int, n: int = 40, depth_m: float = 8.0) -> np.ndarray:
    """(n, 2) image path of a heel on the floor that moves 8 px a frame and stands still from
    `stop_frame` on (with a quarter pixel of noise)."""
    standing = CAMERA.project(np.array([0.1, 1.0, depth_m]))
    frames = np.arange(n)
    path = standing + np.stack([8.0 * np.minimum(frames - stop_frame, 0), np.zeros(n)], axis=1)
    return path + np.random.default_rng(0).normal(0.0, 0.25, path.shape)


def test_a_phase_found_late_starts_where_the_point_stopped():
    path = _heel_stopping(stop_frame=10)
    found = np.zeros(40, bool)
    found[14:30] = True  # the speed's phase: four frames late
    extended = _still_at_edges(found, path, CAMERA, FLOOR, BODY_M, still_heights=0.02, most_frames=6)
    # back to the stop (8 px a frame is beyond 2% of the body: 5.9 px at 8 m), on by the most
    assert np.array_equal(np.flatnonzero(extended), np.arange(10, 36))


def test_the_extension_is_bounded():
    path = _heel_stopping(stop_frame=0)  # still from the first frame
    found = np.zeros(40, bool)
    found[20:25] = True
    extended = _still_at_edges(found, path, CAMERA, FLOOR, BODY_M, still_heights=0.02, most_frames=6)
    assert np.array_equal(np.flatnonzero(extended), np.arange(14, 31))  # at most 6 frames either way
    nothing = _still_at_edges(found, path, CAMERA, FLOOR, BODY_M, still_heights=0.02, most_frames=0)
    assert np.array_equal(nothing, found)


def test_a_contact_starts_where_the_fitted_foot_comes_down_and_is_never_split():
    """ground.trim_lifted_ends: the image's phase (frames 10-30) begins while the fitted heel is still
    12 cm up (frames 10-14, late swing) and is lifted 12 cm for two frames inside it (a glitch);
    only the ends are trimmed. The outcome on real footage is test_rendered_walk's walk from behind."""
    n = 40
    height_m = np.zeros(n)
    height_m[10:15] = height_m[20:22] = 0.12
    points = np.zeros((n, 33, 3))
    points[..., 1] = 1.0 - height_m[:, None]  # camera y points down; the floor is 1 m below the camera
    contact = np.zeros((n, 2, 2), bool)
    contact[10:31] = True
    trimmed = trim_lifted_ends(contact, points, FLOOR, BODY_M, fps=30.0)
    assert np.array_equal(np.flatnonzero(trimmed[:, 0, 0]), np.arange(15, 31))
    assert np.array_equal(trimmed, np.broadcast_to(trimmed[:, :1, :1], trimmed.shape))  # every foot point alike
