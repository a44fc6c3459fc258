"""The floor and its contacts (ground.py): the floor under a far body stays level, a far planted
foot is found through its image noise, a planted phase found by the floor point's speed is
extended while the point stands where it stands in the image (_still_at_edges: far away, a
centred speed finds a landing late), and its ends are trimmed where a fit without contacts holds
the foot up (trim_lifted_ends). The outcomes on real footage are test_rendered_walk's ball paths
from behind and of the far jog."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, filtfilt

from ras_mocap.core.fit.clip_fit import Camera, Ground
from ras_mocap.core.fit.ground import _still_at_edges, fit_ground, floor_contacts, trim_lifted_ends

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


def _feet_far_off(depth_m: float, depth_noise: float, n: int = 120) -> np.ndarray:
    """(n, 33, 3) camera-space keypoints of which only the feet matter: a runner crossing the image
    `depth_m` away on FLOOR, heels and toes on it (toes 10 cm up in alternate frames, in swing),
    each placed along its own image ray `depth_noise` of its depth off, as one camera's fit is."""
    rng = np.random.default_rng(1)
    points = np.full((n, 33, 3), np.nan)
    across_m = np.linspace(-4.0, 4.0, n)
    for side, (heel, toe) in enumerate(((29, 31), (30, 32))):
        for point, ahead_m in ((heel, 0.0), (toe, 0.2)):
            truth = np.stack([across_m + ahead_m, np.full(n, 1.0), np.full(n, depth_m + 0.1 * side)], axis=1)
            truth[1::2, 1] -= 0.1 * (point == toe)
            points[:, point] = truth * (1 + depth_noise * rng.standard_normal((n, 1)))
    return points


def _tilt_deg(ground: Ground) -> float:
    """The floor's tilt from a level camera's."""
    return float(np.degrees(np.arccos(-ground.normal[1])))


def test_a_far_floor_stays_level_though_the_feet_scatter_along_their_rays():
    """17 m off, the feet's rays descend 3.4 deg: depths scattered along them fitted as a floor
    tilt it towards the rays' slope (1.9 deg on the far jog, whose rays then missed it). The
    outcome on real footage is test_rendered_walk's far jog."""
    points = _feet_far_off(17.0, 0.03)
    assert _tilt_deg(fit_ground(points)) < 0.5
    assert _tilt_deg(fit_ground(points, depth_precision=0.0)) > 1.0  # the spread of depths taken as the floor's
    near = _feet_far_off(4.0, 0.03)
    assert _tilt_deg(fit_ground(near)) == pytest.approx(_tilt_deg(fit_ground(near, depth_precision=0.0)), abs=0.05)


def _jogging_foot(depth_m: float, swing_m_s: np.ndarray, row_noise_px: float, seed: int, fps: float = 30.0):
    """(110, 33, 2) image paths of a jogger's foot on FLOOR `depth_m` off (5 strides of 9 planted
    frames and 13 swinging at swing_m_s (3,), camera axes, along the floor), its rows noisy as
    cleaned landmarks are (white noise through the cleaning's 6 Hz low-pass, `row_noise_px`
    RMS), and (110,) bool: planted."""
    planted = np.tile(np.r_[np.ones(9, bool), np.zeros(13, bool)], 5)
    floor_m = np.array([0.0, 1.0, depth_m]) + np.cumsum(~planted)[:, None] / fps * swing_m_s
    pixels = CAMERA.project(floor_m)
    noise = filtfilt(*butter(2, 6.0 / (fps / 2)), np.random.default_rng(seed).standard_normal(len(planted)))
    pixels[:, 1] += row_noise_px * noise / noise.std()
    return np.repeat(pixels[:, None], 33, axis=1), planted


def test_far_off_a_planted_foot_is_found_through_its_row_noise():
    """17 m off, a pixel of the foot's image row is 21 cm of floor: its noise read as a stride,
    and the far jog's stances went unfound (its ball slid 42 cm a stance). The floor point's
    shift along the image column is discounted where that noise moves it further than the speed
    allows; a foot that moves across the image, or towards the camera near it, is still seen
    moving. 3 px as the far jog's cleaned heels and toes are off the truth's (1.4-3 px); without
    the discount 19% of these stance frames were found, 45% with it."""
    found, swinging = [], []
    for seed in range(5):
        for depth_m, swing_m_s in ((17.0, [5.5, 0.0, 0.0]), (8.0, [0.0, 0.0, -2.5])):
            pixels, truth = _jogging_foot(depth_m, np.array(swing_m_s), 3.0, seed)
            planted = floor_contacts(pixels, CAMERA, FLOOR, BODY_M, 30.0, pace=0.67)[:, 0, 0]  # a jog's pace
            found.append(planted[truth & np.roll(truth, 1) & np.roll(truth, -1)].mean())  # a stance's inner frames
            swinging.append(planted[np.convolve(~truth, np.ones(13), "same") == 13].mean())  # each swing's middle frame
    assert np.mean(found[0::2]) >= 0.4 and max(swinging[0::2]) == 0.0
    # near, a pixel of row is 2-5 cm of floor: planted throughout, and seen moving in most swings
    # (a contact extends up to 6 frames while the foot's image moves under 2% of the body a frame)
    assert np.mean(found[1::2]) >= 0.95 and np.mean(swinging[1::2]) <= 0.2
