"""Small vector helpers on (..., 3) numpy arrays, shared by the solver, contacts and IK targets."""
from __future__ import annotations

import numpy as np

__all__ = ["unit", "cross", "reject", "frame"]


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


def reject(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The part of each vector at right angles to the unit `axis`."""
    return v - np.sum(v * axis, axis=-1, keepdims=True) * axis


def frame(direction_y: np.ndarray, side_x: np.ndarray) -> np.ndarray:
    """Orthonormal frames (..., 3, 3), columns x, y, z: y along `direction_y`, x the part of
    `side_x` across it, z their cross product."""
    y = unit(direction_y)
    x = unit(reject(side_x, y))
    return np.stack([x, y, cross(x, y)], axis=-1)
