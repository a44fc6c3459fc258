"""Left/right label swaps of BlazePose limbs, found by temporal continuity and undone.

Seen from the side, BlazePose sometimes gives the near leg the far leg's labels
for a few frames. Seen from the front it sometimes takes the whole body for one facing the
other way: every label swapped, and its 3D guess mirrored in depth. A true limb moves smoothly; a label swap makes both labelled
limbs jump. Per frame we choose
"as detected" or "swapped" so that the labelled points move the least from frame to frame,
with a small cost for every swapped frame (so ambiguous frames keep their labels): a Viterbi
search over the two choices. The legs are swapped only where a second search agrees, one that
has the labelled points change their velocity the least. The legs cross twice a stride, where
their places tell nothing, so by places alone a stretch from one crossing to a later one costs
only its swap costs to relabel whole (a jog seen at 45 deg lost 19 frames that way to fix 3);
through a crossing a swing leg and a planted one keep their very different velocities. The
velocities alone are not enough either: after a frame where BlazePose drew a leg's points
astray, relabelling the rest of the clip costs one jump, which they may find cheaper (the
rendered side walk's last 7 frames). On twelve rendered walks and jogs (bench/swap_labels.py:
BlazePose mislabels 27 leg frames) places alone leave 33 mislabelled, 22 of them the jog's at
45 deg, and with the velocities' veto 16. Summing the two searches' costs instead did best with
the velocities weighted 0.1-0.2, but relabelled 12 frames of the lite side walk at 0.25: too
near an edge to trust on other footage.
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


MAX_VELOCITY_CHANGE = 0.5
"""Body lengths a frame: a labelled point's velocity changing by more than this from one frame to
the next is a wrong keypoint, not motion (a running foot's landing changes it by ~0.3 a frame at
30 fps), and costs no more than this. A frame where BlazePose puts both feet on one then costs
every labelling alike, so it does not decide the labels of the frames after it."""


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
    by_velocity: bool | None = None,
) -> np.ndarray:
    """(N,) bool: frames whose `pairs` labels are exchanged.

    points: (N, 33, D) keypoints (pixels or metres); valid: frames with a person;
    scale: a body length in the units of `points` (e.g. the median torso), so the
    costs do not depend on image size; `by_velocity`: swap a frame only if the labelling by
    changes of velocity swaps it too, not only the one by places (default: for pairs that
    cross, the legs). Each run of consecutive valid frames is solved on its own.
    """
    by_velocity = tuple(pairs) == LIMB_PAIRS["legs"] if by_velocity is None else by_velocity
    swapped = np.zeros(len(points), bool)
    hyp = _hypotheses(np.asarray(points, float), pairs) / scale
    for start, stop in valid_runs(valid):
        swapped[start:stop] = _by_place(hyp[start:stop], time_s[start:stop], swap_cost)
        if by_velocity and stop - start >= 3:
            swapped[start:stop] &= _by_velocity(hyp[start:stop], time_s[start:stop], swap_cost)
    return swapped


def _steps(hyp: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """(N-1, 2, 2, P, D): each choice's step [t, choice at t, choice at t+1] to the next frame, per
    nominal frame interval (a dropped frame's longer step counts as one)."""
    dt = np.diff(time_s)
    step_s = float(np.median(dt)) if len(dt) else 1.0
    return (hyp[1:, None] - hyp[:-1, :, None]) * (step_s / np.maximum(dt, 1e-6))[:, None, None, None, None]


def _by_place(hyp: np.ndarray, time_s: np.ndarray, swap_cost: float) -> np.ndarray:
    """Cheapest labelling of one run: sum of squared frame-to-frame moves (in body lengths)
    plus `swap_cost` per swapped frame."""
    move = _steps(hyp, time_s)
    unary = np.broadcast_to([0.0, swap_cost], (len(hyp), 2))
    return viterbi_path(unary, np.sum(move * move, axis=(-2, -1))).astype(bool)


def _by_velocity(hyp: np.ndarray, time_s: np.ndarray, swap_cost: float) -> np.ndarray:
    """Cheapest labelling of one run (3 frames or more): sum of squared changes of each labelled
    point's velocity plus `swap_cost` per swapped frame. The search's choice at step t is the pair
    (label at t, label at t+1), state 2 * a + b; a step to the next pair must agree on t+1."""
    move = _steps(hyp, time_s)  # [t, a, b]: from frame t labelled a to t+1 labelled b
    change = move[1:, None, :, :] - move[:-1, :, :, None]  # [t, a, b, c]: velocity in (t, t+1) -> (t+1, t+2)
    cost = np.sum(np.minimum(np.sum(change * change, axis=-1), MAX_VELOCITY_CHANGE**2), axis=-1)  # (N-2, a, b, c)
    step_cost = np.full((len(hyp) - 2, 4, 4), np.inf)
    for a in range(2):
        for b in range(2):
            for c in range(2):
                step_cost[:, 2 * a + b, 2 * b + c] = cost[:, a, b, c]
    pair_swaps = np.array([0, 1, 1, 2]) * swap_cost  # a pair's swapped frames; each later step adds its second's
    unary = np.tile(np.array([0, 1, 0, 1]) * swap_cost, (len(hyp) - 1, 1))
    unary[0] = pair_swaps
    pairs = viterbi_path(unary, step_cost)
    return np.append(pairs // 2, pairs[-1] % 2).astype(bool)


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
