"""Time-normalised gait cycles: each stride's joint angle resampled to 0-100% of the cycle."""
from __future__ import annotations

import numpy as np

__all__ = ["CYCLE_PCT", "normalised_cycles"]

CYCLE_PCT = np.linspace(0.0, 100.0, 101)


def normalised_cycles(angle_deg: np.ndarray, heel_strikes: np.ndarray) -> np.ndarray:
    """(strides, 101): one side's angle (N,) from each heel strike to the next of the same foot."""
    frames = np.arange(len(angle_deg))
    rows = [np.interp(h0 + CYCLE_PCT / 100.0 * (h1 - h0), frames, angle_deg)
            for h0, h1 in zip(heel_strikes[:-1], heel_strikes[1:])]
    return np.array(rows).reshape(-1, len(CYCLE_PCT))
