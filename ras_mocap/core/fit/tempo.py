"""How long a stride takes, from the image alone, before anything is fitted: the fit's smoothness
is a prior on acceleration, and a run's joints accelerate (1 / stride)^2 times a walk's."""
from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from ..filters import valid_runs
from ..skeleton import KP

__all__ = ["stride_period_s"]

SHORTEST_STRIDE_S, LONGEST_STRIDE_S = 0.4, 2.0
"""Strides searched for: a sprint's 0.5 s to a slow walk's 1.6 s, with room either side."""
MIN_CORRELATION = 0.5
"""The ankles' motion must repeat this well (normalised autocorrelation) to have a stride at all."""


def _autocorrelation(signal: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Normalised correlation of `signal` with itself `lag` samples later, for each lag."""
    out = np.full(len(lags), -1.0)
    for i, lag in enumerate(lags):
        a, b = signal[:-lag], signal[lag:]
        norm = np.sqrt(np.sum(a * a) * np.sum(b * b))
        if norm > 0:
            out[i] = float(np.sum(a * b) / norm)
    return out


def stride_period_s(image_px: np.ndarray, valid: np.ndarray, fps: float) -> float | None:
    """Seconds a stride takes (heel strike to the same foot's next), or None if the feet do not
    move in a rhythm: one ankle's image place against the other's swings back and forth once a
    stride from any view (across the image from the side, up and down it head-on), so its
    autocorrelation peaks first at one stride (at half a stride the feet have traded places).
    The longest run of frames with a person (N, 33, 2 px; `valid` marks them) that holds 1.5
    strides is used."""
    start, stop = max(valid_runs(valid), key=lambda run: run[1] - run[0], default=(0, 0))
    apart = image_px[start:stop, KP["left_ankle"]] - image_px[start:stop, KP["right_ankle"]]
    apart = apart[np.isfinite(apart).all(axis=1)]
    lags = np.arange(max(1, int(SHORTEST_STRIDE_S * fps)), int(min(LONGEST_STRIDE_S * fps, len(apart) / 1.5)) + 1)
    if len(lags) < 3:
        return None
    apart = apart - apart.mean(axis=0)
    axis = np.linalg.svd(apart, full_matrices=False)[2][0]  # the way the ankles swing apart
    signal = apart @ axis
    signal = signal - np.polyval(np.polyfit(np.arange(len(signal)), signal, 1), np.arange(len(signal)))
    correlation = _autocorrelation(signal, lags)
    best = float(correlation.max())
    if best < MIN_CORRELATION:
        return None
    peaks, _ = find_peaks(correlation, height=0.8 * best)  # the first nearly as high as the best: one stride, not two
    i = int(peaks[0]) if len(peaks) else int(np.argmax(correlation))
    lag = float(lags[i])
    if 0 < i < len(lags) - 1:  # a parabola through the peak and its neighbours
        left, middle, right = correlation[i - 1:i + 2]
        curvature = left - 2 * middle + right
        if curvature < 0:
            lag += 0.5 * (left - right) / curvature
    return lag / fps
