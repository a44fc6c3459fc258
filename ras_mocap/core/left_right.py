"""Left/right label swaps of BlazePose limbs, found by temporal continuity and undone.

Seen from the side, BlazePose sometimes gives the near leg the far leg's labels
for a few frames. Seen from the front it sometimes takes the whole body for one facing the
other way: every label swapped, and its 3D guess mirrored in depth. A true limb moves smoothly; a label swap makes both labelled
limbs jump. Per frame we choose
"as detected" or "swapped" so that the labelled limbs move the least from frame
to frame, with a small cost for every swapped frame (so ambiguous frames, where
the legs cross, keep their labels): a Viterbi search over the two choices.
"""
from __future__ import annotations

import numpy as np

from .filters import valid_runs, viterbi_path
from .skeleton import KP

__all__ = ["LIMB_PAIRS", "BODY_PAIRS", "BODY_EVIDENCE", "find_swaps", "swap_limbs", "swap_body"]

BODY_PAIRS = ((1, 4), (2, 5), (3, 6)) + tuple((left, left + 1) for left in range(7, 33, 2))
"""Every left/right keypoint pair: the eyes (inner, centre, outer: 1-3 left, 4-6 right), then
BlazePose numbers each left point odd and its right the even number after it."""
BODY_EVIDENCE = tuple((KP[f"left_{p}"], KP[f"right_{p}"]) for p in ("hip", "ear", "eye"))
"""What tells a whole-body swap: the hips and the face jump by their width. Not the limbs,
which cross each other, nor the shoulders: on the pose2sim clip the lite model swaps only the
shoulders of a body turned half away, under a raised arm. In profile these pairs nearly
overlap, and the labels stay as detected."""

LIMB_PAIRS: dict[str, tuple[tuple[int, int], ...]] = {
    "legs": tuple((KP[f"left_{p}"], KP[f"right_{p}"]) for p in ("knee", "ankle", "heel", "foot_index")),
}
"""Keypoint pairs that swap together; the hips anchor the sides and never swap. Legs only: on
the pose2sim clip the same search on the arms (crossing in front of the body) swapped frames
that were right."""


def _hypotheses(points: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """(N, 2, P, D): the limb points as detected [:, 0] and with left and right exchanged [:, 1]."""
    left, right = np.array(pairs).T
    straight = np.concatenate([points[:, left], points[:, right]], axis=1)
    swapped = np.concatenate([points[:, right], points[:, left]], axis=1)
    return np.stack([straight, swapped], axis=1)


def find_swaps(
    points: np.ndarray,
    valid: np.ndarray,
    time_s: np.ndarray,
    scale: float,
    pairs: tuple[tuple[int, int], ...] = LIMB_PAIRS["legs"],
    swap_cost: float = 0.02,
) -> np.ndarray:
    """(N,) bool: frames whose `pairs` labels are exchanged.

    points: (N, 33, D) keypoints (pixels or metres); valid: frames with a person;
    scale: a body length in the units of `points` (e.g. the median torso), so the
    costs do not depend on image size. Each run of consecutive valid frames is
    solved on its own.
    """
    swapped = np.zeros(len(points), bool)
    hyp = _hypotheses(np.asarray(points, float), pairs) / scale
    for start, stop in valid_runs(valid):
        swapped[start:stop] = _viterbi(hyp[start:stop], time_s[start:stop], swap_cost)
    return swapped


def _viterbi(hyp: np.ndarray, time_s: np.ndarray, swap_cost: float) -> np.ndarray:
    """Cheapest labelling of one run: sum of squared frame-to-frame moves (per nominal
    frame interval, in body lengths) plus `swap_cost` per swapped frame."""
    n = len(hyp)
    dt = np.diff(time_s)
    step_s = float(np.median(dt)) if n > 1 else 1.0
    move = (hyp[1:, None] - hyp[:-1, :, None]) * (step_s / np.maximum(dt, 1e-6))[:, None, None, None, None]
    unary = np.broadcast_to([0.0, swap_cost], (n, 2))
    return viterbi_path(unary, np.sum(move * move, axis=(-2, -1))).astype(bool)


def swap_body(world_xyz_m: np.ndarray, swapped: np.ndarray) -> np.ndarray:
    """World landmarks (N, 33, 3) of whole-body swapped frames as the body really stands: the
    labels exchanged and the depth about the hips mirrored (BlazePose's guess faced the other way)."""
    out = swap_limbs(world_xyz_m, swapped, BODY_PAIRS)
    out[swapped, :, 2] *= -1
    return out


def swap_limbs(values: np.ndarray, swapped: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """A copy of per-keypoint `values` (N, 33, ...) with `pairs` exchanged on the `swapped` frames."""
    out = np.array(values, copy=True)
    left, right = np.array(pairs).T
    rows = np.flatnonzero(swapped)[:, None]
    out[rows, left], out[rows, right] = values[rows, right], values[rows, left]
    return out
