"""The whole analysis of one walk: passes, events, angles, parameters and cycles."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .cycles import normalised_cycles
from .events import GaitEvents, detect_events, straight_passes, strikes_alternate
from .kinematics import SIDES, mid_hip, sagittal_angles_deg, walking_direction
from .parameters import StrideTable, stride_table, summarise
from .walk import Walk
from ..errors import InputError

__all__ = ["GaitAnalysis", "analyse", "analyse_walk", "not_walking", "ANGLES", "MIN_STRIDE_M"]

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


MIN_STRIDE_M = 0.2
"""A stride shorter than this (a shuffle of 10 cm steps) is nobody walking: marching or lunging in place."""
STRIDE_SPEED_AGREEMENT = 0.5
"""Walking feet carry the body: the strides' speed lies within this fraction of the pelvis's own."""


def not_walking(table: StrideTable, piece_m: np.ndarray, forward: np.ndarray, fps: float) -> str | None:
    """Why a straight pass is not walking, or None if it is: it has a complete stride, its median
    stride is at least MIN_STRIDE_M long, and the strides' median speed agrees with the pelvis's
    net speed over the pass (lunging, marching or swaying in place moves the pelvis and the feet,
    but the feet do not carry it on)."""
    lengths = np.concatenate([table.stride[s]["stride_length_m"] for s in SIDES])
    speeds = np.concatenate([table.stride[s]["speed_m_s"] for s in SIDES])
    if not len(lengths):
        return "no complete stride (heel strike to heel strike with the other foot's between)"
    pelvis = mid_hip(piece_m)[:, :2]
    rows = np.flatnonzero(~np.isnan(pelvis).any(axis=1))
    pelvis_speed = float((pelvis[rows[-1]] - pelvis[rows[0]]) @ forward[:2]) * fps / max(rows[-1] - rows[0], 1)
    stride_m, stride_speed = float(np.median(lengths)), float(np.median(speeds))
    if stride_m < MIN_STRIDE_M:
        return f"the median stride is {stride_m:.2f} m (walking needs {MIN_STRIDE_M:g} m or more)"
    if abs(stride_speed - pelvis_speed) > STRIDE_SPEED_AGREEMENT * pelvis_speed:
        return (f"the feet do not carry the body (strides at {stride_speed:.2f} m/s, the pelvis at "
                f"{pelvis_speed:.2f} m/s)")
    return None


def analyse(points_m: np.ndarray, fps: float, lateral_reliable: bool | None = None,
            event_points_m: np.ndarray | None = None) -> GaitAnalysis:
    """Analyse (N, 33, 3) keypoints in metres, ground-fixed, z up; NaN rows are frames without
    a person. Only straight passes that are walking count (see not_walking); InputError if
    there is none. `event_points_m`, the same frames as other keypoints, time the heel strikes
    and toe-offs (default: `points_m`): a fitted body's feet are smoothed over frames, which
    blurs the instants that raw landmarks show. `lateral_reliable`: the walker's left-right spread is measured, so step width is
    reported - by default when the walk goes towards or away from the camera (the points' y
    axis), where the image shows left and right apart; seen from the side they are only the
    3D network's depth guess."""
    walking, rejected = [], []
    for start, stop in straight_passes(points_m, fps):
        piece = points_m[start:stop]
        forward = walking_direction(piece)
        timing = piece if event_points_m is None else event_points_m[start:stop]
        events = detect_events(timing, walking_direction(timing), fps)
        if event_points_m is not None and not strikes_alternate(events):  # timed on the body instead, if it alternates
            on_body = detect_events(piece, forward, fps)
            if strikes_alternate(on_body):
                events = replace(on_body, method={s: f"{m} on the fitted body" for s, m in on_body.method.items()})
        pass_table = stride_table(piece, forward, fps, events.heel_strike, events.toe_off)
        why_not = not_walking(pass_table, piece, forward, fps)
        if why_not:
            rejected.append(f"frames {start}-{stop}: {why_not}")
        else:
            walking.append(((start, stop), forward, events, pass_table))
    if not walking:
        raise InputError("no walking found: " + ("; ".join(rejected) if rejected else
                                                 "the pelvis never moves on for 1.5 s (a straight pass)"))
    passes = [found[0] for found in walking]
    angles: dict[str, np.ndarray] = {}
    strikes = {s: [] for s in SIDES}
    offs = {s: [] for s in SIDES}
    methods = {s: "zeni" for s in SIDES}
    table = StrideTable()
    directions = []
    for index, ((start, stop), forward, events, pass_table) in enumerate(walking):
        directions.append(forward)
        # angles on either side of a pass (standing, turning) along the nearest pass's direction
        first = 0 if index == 0 else (passes[index - 1][1] + start) // 2
        last = len(points_m) if index == len(passes) - 1 else (stop + passes[index + 1][0]) // 2
        for name, values in sagittal_angles_deg(points_m[first:last], forward).items():
            angles.setdefault(name, np.full((len(points_m), *values.shape[1:]), np.nan))[first:last] = values
        table.extend(pass_table)
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


def analyse_walk(walk: Walk) -> GaitAnalysis:
    """Analyse a tracked walk (walk.track_walk): the fitted body, its events timed on the lifted landmarks."""
    return analyse(walk.points_m, walk.fps, event_points_m=walk.event_points_m)
