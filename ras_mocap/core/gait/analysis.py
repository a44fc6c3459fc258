"""The whole analysis of one walk: passes, events, angles, parameters and cycles."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cycles import normalised_cycles
from .events import GaitEvents, detect_events, straight_passes
from .kinematics import SIDES, sagittal_angles_deg, walking_direction
from .parameters import StrideTable, stride_table, summarise

__all__ = ["GaitAnalysis", "analyse", "ANGLES"]

ANGLES = ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")


@dataclass
class GaitAnalysis:
    fps: float
    passes: list[tuple[int, int]]  # [start, stop) frames of each straight pass
    directions: list[np.ndarray]  # each pass's walking direction (unit, horizontal)
    events: GaitEvents  # fractional frames of the whole walk
    angles_deg: dict[str, np.ndarray]  # per frame, see kinematics.sagittal_angles_deg
    table: StrideTable
    summary: dict
    cycles_deg: dict[str, dict[str, np.ndarray]]  # angle -> side -> (strides, 101)


def analyse(points_m: np.ndarray, fps: float, lateral_reliable: bool | None = None) -> GaitAnalysis:
    """Analyse (N, 33, 3) keypoints in metres, ground-fixed, z up; NaN rows are frames without
    a person. `lateral_reliable`: the walker's left-right spread is measured, so step width is
    reported - by default when the walk goes towards or away from the camera (the points' y
    axis), where the image shows left and right apart; seen from the side they are only the
    3D network's depth guess."""
    passes = straight_passes(points_m, fps)
    if not passes:
        raise ValueError("no straight walking pass of at least 1.5 s was found")
    angles: dict[str, np.ndarray] = {}
    strikes = {s: [] for s in SIDES}
    offs = {s: [] for s in SIDES}
    methods = {s: "zeni" for s in SIDES}
    table = StrideTable()
    directions = []
    for index, (start, stop) in enumerate(passes):
        piece = points_m[start:stop]
        forward = walking_direction(piece)
        directions.append(forward)
        # angles on either side of a pass (standing, turning) along the nearest pass's direction
        first = 0 if index == 0 else (passes[index - 1][1] + start) // 2
        last = len(points_m) if index == len(passes) - 1 else (stop + passes[index + 1][0]) // 2
        for name, values in sagittal_angles_deg(points_m[first:last], forward).items():
            angles.setdefault(name, np.full((len(points_m), *values.shape[1:]), np.nan))[first:last] = values
        events = detect_events(piece, forward, fps)
        stride_table(piece, forward, fps, events.heel_strike, events.toe_off, table)
        for side in SIDES:
            strikes[side].append(events.heel_strike[side] + start)
            offs[side].append(events.toe_off[side] + start)
            if events.method[side] != "zeni":
                methods[side] = events.method[side]
    events = GaitEvents({s: np.concatenate(strikes[s]) for s in SIDES}, {s: np.concatenate(offs[s]) for s in SIDES},
                        methods)
    if lateral_reliable is None:
        lateral_reliable = all(abs(direction[1]) > np.cos(np.radians(45.0)) for direction in directions)
    cycles = {name: {side: np.concatenate([normalised_cycles(angles[name][:, column], pass_strikes)
                                           for pass_strikes in strikes[side]])
                     for column, side in enumerate(SIDES)} for name in ANGLES}
    summary = summarise(table, lateral_reliable)
    summary["view"] = "frontal" if lateral_reliable else "side"
    return GaitAnalysis(fps, passes, directions, events, angles, table, summary, cycles)
