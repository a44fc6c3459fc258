"""Filters on landmark tracks (numpy / scipy only)."""
from __future__ import annotations

import numpy as np
from scipy.interpolate import interp1d

__all__ = ["fill_gaps_linear"]


def fill_gaps_linear(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Linearly interpolate rows where `valid` is False; hold the nearest valid row at the ends.

    values: (N, ...) per-frame data; valid: (N,) bool. Raises ValueError with no valid row.
    """
    valid = np.asarray(valid, bool)
    if not valid.any():
        raise ValueError("no valid frame to interpolate from")
    if valid.all():
        return np.asarray(values, float)
    known = np.flatnonzero(valid)
    if known.size == 1:
        return np.broadcast_to(values[known[0]], values.shape).astype(float)
    interpolate = interp1d(
        known, values[known], axis=0, bounds_error=False,
        fill_value=(values[known[0]], values[known[-1]]), assume_sorted=True,
    )
    return interpolate(np.arange(len(values)))
