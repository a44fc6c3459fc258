"""Small vector helpers on (..., 3) numpy arrays, shared by the solver, contacts and IK targets."""
from __future__ import annotations

import numpy as np

__all__ = ["unit", "cross"]


def unit(v: np.ndarray) -> np.ndarray:
    """Each vector scaled to length 1."""
    return v / np.sqrt(np.sum(v * v, axis=-1, keepdims=True))


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.cross for (..., 3) arrays, without its axis bookkeeping (a third of a live frame)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out
