"""Spatio-temporal parameters from gait events: per stride and step, then summarised per side
with how many strides or steps each figure rests on."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..skeleton import KP
from .kinematics import SIDES, UP

__all__ = ["StrideTable", "stride_table", "summarise"]


@dataclass
class StrideTable:
    """One row per complete stride (heel strike to the next of the same foot) or step."""

    stride: dict[str, dict[str, list[float]]] = field(default_factory=lambda: {s: _columns() for s in SIDES})
    step: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {s: {"step_time_s": [], "step_length_m": [], "step_width_m": []} for s in SIDES})

    def extend(self, other: StrideTable) -> None:
        """Append another table's rows (another pass of the walk)."""
        for mine, theirs in ((self.stride, other.stride), (self.step, other.step)):
            for side in SIDES:
                for name, values in theirs[side].items():
                    mine[side][name].extend(values)


def _columns() -> dict[str, list[float]]:
    return {"stride_time_s": [], "stride_length_m": [], "stance_pct": [], "double_support_pct": [], "speed_m_s": []}


def _at(points: np.ndarray, frame: float) -> np.ndarray:
    """A keypoint track (N, 3) at a fractional frame, linearly interpolated."""
    low = int(np.floor(frame))
    high = min(low + 1, len(points) - 1)
    return points[low] + (frame - low) * (points[high] - points[low])


def _first_between(events: np.ndarray, start: float, stop: float) -> float | None:
    inside = events[(events > start) & (events < stop)]
    return float(inside[0]) if len(inside) else None


def _footprint(heel: np.ndarray, strike: float, offs: np.ndarray) -> np.ndarray:
    """Where a heel (N, 3) stood after a strike, as a walkway records its footprint: the median
    over the first half of that stance (to the next toe-off), so a strike timed a frame or two
    off, or a heel that settles late, leaves the step where the foot was planted."""
    off = _first_between(offs, strike, len(heel))
    frames = np.arange(int(np.ceil(strike)), int(strike + 0.5 * (off - strike)) + 1) if off is not None else []
    if len(frames) < 2:
        return _at(heel, strike)
    return np.nanmedian(heel[frames], axis=0)


def stride_table(points_m: np.ndarray, forward: np.ndarray, fps: float, heel_strike: dict, toe_off: dict) -> StrideTable:
    """The strides and steps of one straight pass (StrideTable.extend joins the passes'): lengths
    between footprints (_footprint), times between events."""
    table = StrideTable()
    lateral = np.cross(UP, forward)
    heels = {s: points_m[:, KP[f"{s}_heel"]] for s in SIDES}
    prints = {s: {strike: _footprint(heels[s], strike, toe_off[s]) for strike in heel_strike[s]} for s in SIDES}
    for side, other in (("left", "right"), ("right", "left")):
        strikes, offs = heel_strike[side], toe_off[side]
        for h0, h1 in zip(strikes[:-1], strikes[1:]):
            to = _first_between(offs, h0, h1)
            other_strike = _first_between(heel_strike[other], h0, h1)
            if to is None or other_strike is None:
                continue  # an event was missed: not a complete stride
            other_off = _first_between(toe_off[other], h0, other_strike)
            time_s = (h1 - h0) / fps
            length_m = float((prints[side][h1] - prints[side][h0]) @ forward)
            double_support = (other_off - h0 if other_off is not None else np.nan) + max(0.0, to - other_strike)
            row = table.stride[side]
            row["stride_time_s"].append(time_s)
            row["stride_length_m"].append(length_m)
            row["stance_pct"].append(100.0 * (to - h0) / (h1 - h0))
            row["double_support_pct"].append(100.0 * double_support / (h1 - h0))
            row["speed_m_s"].append(length_m / time_s)
        for strike in strikes:
            before = heel_strike[other][(heel_strike[other] < strike) & (heel_strike[other] > strike - 2 * fps)]
            if not len(before):
                continue
            step = prints[side][strike] - prints[other][before[-1]]
            table.step[side]["step_time_s"].append((strike - before[-1]) / fps)
            table.step[side]["step_length_m"].append(float(step @ forward))
            table.step[side]["step_width_m"].append(float(abs(step @ lateral)))
    return table


def _symmetry_pct(left: float, right: float) -> float:
    """Robinson's symmetry index: 100 |L - R| / mean(L, R); 0 = perfectly symmetric."""
    return float(100.0 * abs(left - right) / (0.5 * (left + right))) if left + right else float("nan")


def summarise(table: StrideTable, lateral_reliable: bool) -> dict:
    """Means, SDs and counts per side; cadence, speed and symmetry over both. Step width only when
    the view shows the walker's sides apart (walking towards or away from the camera, or 3D)."""
    per_side = {}
    for side in SIDES:
        stride, step = table.stride[side], table.step[side]
        figures = {}
        for name, values in [*stride.items(),
                             *((k, v) for k, v in step.items() if lateral_reliable or k != "step_width_m")]:
            values = np.asarray(values, float)
            values = values[~np.isnan(values)]
            figures[name] = {"mean": float(values.mean()) if len(values) else None,
                             "sd": float(values.std(ddof=1)) if len(values) > 1 else None, "n": int(len(values))}
        figures["swing_pct"] = {**figures["stance_pct"],
                                "mean": None if figures["stance_pct"]["mean"] is None else 100 - figures["stance_pct"]["mean"]}
        per_side[side] = figures
    steps = np.concatenate([table.step[s]["step_time_s"] for s in SIDES])
    speeds = np.concatenate([table.stride[s]["speed_m_s"] for s in SIDES])
    summary = {
        "cadence_steps_per_min": float(60.0 / steps.mean()) if len(steps) else None,
        "cadence_sd_steps_per_min": float(np.std(60.0 / steps, ddof=1)) if len(steps) > 1 else None,
        "speed_m_s": float(speeds.mean()) if len(speeds) else None,
        "speed_sd_m_s": float(speeds.std(ddof=1)) if len(speeds) > 1 else None,
        "steps": int(len(steps)),
        "strides": int(len(speeds)),
        "left": per_side["left"],
        "right": per_side["right"],
        "symmetry_index_pct": {},
    }
    for name in ("step_time_s", "step_length_m", "stance_pct"):
        left, right = per_side["left"][name]["mean"], per_side["right"][name]["mean"]
        summary["symmetry_index_pct"][name] = None if left is None or right is None else _symmetry_pct(left, right)
    return summary
