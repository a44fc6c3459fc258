"""Frames whose pose no body could take are gaps, not poses.

BlazePose sometimes returns a confident pose that is not the person: landmarks spread over
the background as someone steps out from behind a tree, a body of the wrong size, a torso
flipped for a frame. Three physical tests, in image pixels and body heights:

- **jump**: the pelvis or the shoulder centre lies further from the path its neighbouring
  frames trace (a robust straight line through them, Theil-Sen, so one or two bad
  neighbours do not bend it) than a body's core can deviate in that time. The trunk is
  heavy: even landing from a jump it does not leave a straight line by 0.12 body heights
  within +-0.15 s, while a wrong pose moves it by a third of a body height in a frame;
- **size**: the body's segments (trunk sides, thighs, shanks, upper arms, forearms) are
  together far longer or shorter than usual (their median over the frames within
  `reference_s`, so walking towards the camera is not a size change), or a trunk or leg
  segment is longer than foreshortening could explain. Shoulder and hip widths are left
  out: they shrink to nothing whenever the body turns side-on;
- **flip**: the torso upside down (shoulders below the hips) for at most `max_flip_s`
  between upright frames: a real handstand or somersault lasts longer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .filters import valid_runs
from .skeleton import KP, TRUNK_AND_LEG_OF_HEIGHT

__all__ = ["PlausibilityLimits", "implausible_frames", "SEGMENTS"]

SEGMENTS = tuple((KP[a], KP[b]) for a, b in (
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_hip", "left_knee"), ("right_hip", "right_knee"), ("left_knee", "left_ankle"), ("right_knee", "right_ankle"),
    ("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow"),
    ("left_elbow", "left_wrist"), ("right_elbow", "right_wrist"),
))
_TRUNK_AND_LEG = slice(0, 6)  # SEGMENTS: trunk sides, thighs, shanks
_SHOULDERS, _HIPS = [KP["left_shoulder"], KP["right_shoulder"]], [KP["left_hip"], KP["right_hip"]]


@dataclass(frozen=True)
class PlausibilityLimits:
    max_core_jump_body_heights: float = 0.12
    """How far the pelvis or shoulder centre may lie off its neighbours' robust line."""
    neighbour_s: float = 0.15
    """Neighbours within this time on each side (at least `min_neighbours` in all)."""
    min_neighbours: int = 3
    max_size_ratio: float = 1.6
    """The segments' median length at most this many times (or 1 / this) their usual length."""
    max_segment_ratio: float = 2.0
    """No trunk or leg segment longer than this many times its usual length."""
    reference_s: float = 1.0
    max_flip_s: float = 0.25


def _segment_lengths(xy_px: np.ndarray) -> np.ndarray:
    """(N, S) image length of each segment."""
    a, b = np.array(SEGMENTS).T
    return np.linalg.norm(xy_px[:, a] - xy_px[:, b], axis=-1)


def _usual(values: np.ndarray, valid: np.ndarray, time_s: np.ndarray, half_window_s: float) -> np.ndarray:
    """Per valid frame, the median of `values` over the valid frames within +-half_window_s."""
    out = np.full(values.shape, np.nan)
    known = np.flatnonzero(valid)
    for i in known:
        out[i] = np.median(values[known[np.abs(time_s[known] - time_s[i]) <= half_window_s]], axis=0)
    return out


def _off_line(points: np.ndarray, valid: np.ndarray, time_s: np.ndarray, half_window_s: float,
              min_neighbours: int) -> np.ndarray:
    """(N,) distance of each valid frame's point (N, 2) from the Theil-Sen line through its
    valid neighbours (the frame itself left out); NaN with too few neighbours."""
    out = np.full(len(points), np.nan)
    known = np.flatnonzero(valid)
    for i in known:
        near = known[(np.abs(time_s[known] - time_s[i]) <= half_window_s) & (known != i)]
        if len(near) < min_neighbours:
            continue
        dt = time_s[near] - time_s[i]
        a, b = np.triu_indices(len(near), 1)
        slope = np.median((points[near[b]] - points[near[a]]) / (dt[b] - dt[a])[:, None], axis=0)
        at_i = np.median(points[near] - slope * dt[:, None], axis=0)
        out[i] = np.linalg.norm(points[i] - at_i)
    return out


def implausible_frames(xy_px: np.ndarray, valid: np.ndarray, time_s: np.ndarray,
                       limits: PlausibilityLimits = PlausibilityLimits()) -> dict[str, np.ndarray]:
    """Frames (among `valid`) failing each test: {"jump" | "size" | "flip": (N,) bool}.

    xy_px: (N, 33, 2) image landmarks; time_s: (N,) seconds.
    """
    valid = np.asarray(valid, bool) & np.isfinite(xy_px).all(axis=(1, 2))
    lengths = _segment_lengths(xy_px)
    usual = _usual(lengths, valid, time_s, limits.reference_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = lengths / usual
    size = np.zeros_like(valid)
    size[valid] = ((np.median(ratio[valid], axis=1) > limits.max_size_ratio)
                   | (np.median(ratio[valid], axis=1) < 1 / limits.max_size_ratio)
                   | (ratio[valid, _TRUNK_AND_LEG].max(axis=1) > limits.max_segment_ratio))

    body_px = usual[:, _TRUNK_AND_LEG].sum(axis=1) / 2 / TRUNK_AND_LEG_OF_HEIGHT  # both sides of each
    plausible = valid & ~size
    off = np.fmax(*(_off_line(xy_px[:, core].mean(axis=1), plausible, time_s, limits.neighbour_s,
                              limits.min_neighbours) for core in (_HIPS, _SHOULDERS)))
    with np.errstate(invalid="ignore"):
        jump = plausible & (off / body_px > limits.max_core_jump_body_heights)

    upside_down = valid & (xy_px[:, _SHOULDERS, 1].mean(axis=1) > xy_px[:, _HIPS, 1].mean(axis=1))
    upright = valid & ~upside_down
    flip = np.zeros_like(valid)
    for start, stop in valid_runs(upside_down):
        if time_s[stop - 1] - time_s[start] <= limits.max_flip_s and upright[:start].any() and upright[stop:].any():
            flip[start:stop] = True
    return {"jump": jump, "size": size, "flip": flip}
