"""Gait events: heel strike and toe-off per foot, per straight pass of the walk.

Zeni et al. 2008 ("Two simple methods for determining gait events during treadmill and
overground walking using kinematic data"): along the walking direction, the heel is furthest
in front of the pelvis at heel strike and the toe furthest behind it at toe-off. That finds
every event robustly but a few frames off (on the DeepMimic walk the heel is furthest forward
3 frames before it lands, the toe furthest back 4 frames after it lifts), so each event is
then set where the foot's contact begins or ends near it, to a fraction of a frame: the foot
slow and low (see contact_edges), where the floor under the foot can be told (a standing foot's
height scatters less than a contact's height threshold). The fallback for a foot where Zeni finds too few events (a
shuffle, a foot hidden behind the other) is the foot's own speed: a strike where the heel comes
to rest, a toe-off where the toe leaves it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_closing, uniform_filter1d
from scipy.signal import find_peaks
from scipy.stats import median_abs_deviation

from ..contacts import slow_phases, slowest_point_speed
from ..filters import valid_runs
from ..skeleton import KP
from .kinematics import SIDES, UP, mid_hip
from .walk import estimated_height_m

__all__ = ["GaitEvents", "straight_passes", "zeni_events", "velocity_events", "contact_edges", "detect_events",
           "strikes_alternate"]

MIN_STRIDE_S = 0.6  # two strikes of one foot are never closer (a sprint's stride is ~0.6 s)
STOP_SPEED_M_S = 0.15
TURN_DEG = 45.0
MIN_PASS_S = 1.5
PERSIST_S = 0.5  # a stop or a turn lasts at least this long
CONTACT_HEIGHT_M = 0.025  # above the floor (the foot's lowest height in the pass): a contact starts below this
CONTACT_STAY_SCATTERS = 4.0  # and lasts while within 4 scatters of the standing foot's height (if that is more)
CONTACT_START_SPEED_HEIGHTS_S = 0.18  # body heights a second, sagittal: a contact starts below this (~0.3 m/s)
CONTACT_STAY_SPEED_HEIGHTS_S = 0.25  # and lasts while under this
REFINE_BEFORE_S, REFINE_AFTER_S = 0.15, 0.3  # where contact may begin after a Zeni strike (mirrored for toe-off)


@dataclass(frozen=True)
class GaitEvents:
    """Event times as fractional frame indices (sub-frame by a parabola through the extremum)."""

    heel_strike: dict[str, np.ndarray]  # side -> (k,)
    toe_off: dict[str, np.ndarray]
    method: dict[str, str]  # side -> "zeni" | "velocity", either "... on the fitted body" (gait.analysis)


def straight_passes(points_m: np.ndarray, fps: float) -> list[tuple[int, int]]:
    """[start, stop) frames of each straight, moving stretch: the walk split at stops (pelvis
    slower than 0.15 m/s over half a second) and turns (heading, the net travel over a second,
    more than 45 deg off the pass's opening heading for at least half a second): a noisy depth
    estimate or a short hesitation does not split a pass."""
    pelvis = mid_hip(points_m)[:, :2]
    persist = max(1, int(round(PERSIST_S * fps)))
    passes: list[tuple[int, int]] = []
    for start, stop in valid_runs(~np.isnan(pelvis).any(axis=1)):
        if stop - start < MIN_PASS_S * fps:
            continue
        raw = np.gradient(pelvis[start:stop], axis=0) * fps
        speed = np.linalg.norm(uniform_filter1d(raw, persist, axis=0, mode="nearest"), axis=1)
        moving = binary_closing(np.pad(speed > STOP_SPEED_M_S, persist, mode="edge"), np.ones(persist, bool))[persist:-persist]
        heading = _headings_deg(pelvis[start:stop], 2 * persist)
        for run_start, run_stop in valid_runs(moving):
            first = run_start
            while first < run_stop:
                opening = heading[first:first + persist]
                reference = np.degrees(np.arctan2(*np.mean([np.sin(np.radians(opening)), np.cos(np.radians(opening))], axis=1)))
                turned = np.abs((heading[first:run_stop] - reference + 180.0) % 360.0 - 180.0) > TURN_DEG
                lasting = [a for a, b in valid_runs(turned) if b - a >= persist]
                end = first + lasting[0] if lasting else run_stop
                passes.append((start + first, start + end))
                first = end
    return [(a, b) for a, b in passes if b - a >= MIN_PASS_S * fps]


def _headings_deg(path: np.ndarray, window: int) -> np.ndarray:
    """(N,) heading of a (N, 2) path at each frame: the direction of its net travel over
    `window` frames around it, the window sliding inward at the path's ends so it keeps its
    length there (a velocity averaged with padded ends would repeat the first frame's, the
    noisiest: at a run's start the depth guess still settles)."""
    last = len(path) - 1
    first = np.clip(np.arange(len(path)) - window // 2, 0, max(last - window, 0))
    travel = path[np.minimum(first + window, last)] - path[first]
    return np.degrees(np.arctan2(travel[:, 1], travel[:, 0]))


def _refined(signal: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Peak positions to a fraction of a frame: the vertex of the parabola through 3 samples."""
    inner = peaks[(peaks > 0) & (peaks < len(signal) - 1)]
    left, centre, right = signal[inner - 1], signal[inner], signal[inner + 1]
    curvature = left - 2 * centre + right
    offset = np.where(np.abs(curvature) > 1e-12, 0.5 * (left - right) / np.where(curvature == 0, 1, curvature), 0.0)
    return inner + np.clip(offset, -0.5, 0.5)


def _peaks(signal: np.ndarray, fps: float) -> np.ndarray:
    spread = np.nanpercentile(signal, 95) - np.nanpercentile(signal, 5)
    peaks, _ = find_peaks(np.nan_to_num(signal, nan=np.nanmin(signal)), distance=max(1, int(MIN_STRIDE_S * fps)),
                          prominence=0.3 * spread)
    return _refined(signal, peaks)


def zeni_events(points_m: np.ndarray, forward: np.ndarray, fps: float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(heel strikes, toe-offs) of one foot: extremes of heel / toe position relative to the pelvis."""
    pelvis = mid_hip(points_m)
    heel = (points_m[:, KP[f"{side}_heel"]] - pelvis) @ forward
    toe = (points_m[:, KP[f"{side}_foot_index"]] - pelvis) @ forward
    return _peaks(heel, fps), _peaks(-toe, fps)


def velocity_events(points_m: np.ndarray, forward: np.ndarray, fps: float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(heel strikes, toe-offs) of one foot from its speed along the walk: the heel coming to rest
    (speed falling through 20% of its peak), the toe leaving (rising through it). Along the walk
    only: across it, a side view sees nothing but the 3D network's depth guess."""
    def speed(point: str) -> np.ndarray:
        along_m = points_m[:, KP[f"{side}_{point}"]] @ forward
        return uniform_filter1d(np.abs(np.gradient(along_m)) * fps, 3, mode="nearest")

    heel, toe = speed("heel"), speed("foot_index")
    strikes = _crossings(heel, 0.2 * np.nanpercentile(heel, 95), falling=True)
    offs = _crossings(toe, 0.2 * np.nanpercentile(toe, 95), falling=False)
    return strikes, offs


def _crossings(signal: np.ndarray, threshold: float, falling: bool) -> np.ndarray:
    """Fractional frames where `signal` crosses `threshold` downwards (or upwards)."""
    above = signal > threshold
    idx = np.flatnonzero(above[:-1] & ~above[1:]) if falling else np.flatnonzero(~above[:-1] & above[1:])
    a, b = signal[idx], signal[idx + 1]
    return idx + (a - threshold) / (a - b)


@dataclass(frozen=True)
class _FootSignals:
    """What decides a foot's contact, per frame."""

    height_m: np.ndarray  # its lower point (heel or toe) above the floor (that point's low level in the pass)
    start_height_m: float  # a contact starts below this: CONTACT_HEIGHT_M, or 3 noise levels on a noisy track
    stay_height_m: float  # and lasts while under this
    speed_heights_s: np.ndarray  # the slower of heel and toe in the sagittal plane, body heights a second
    standing_scatter_m: float  # how much the standing foot's height scatters (SD, robust)

    @property
    def floor_reliable(self) -> bool:
        """Whether heights can tell a landing foot: a standing foot's height scatters less than the
        contact threshold. Not so under a camera that is not level, with the walker drifting in
        depth (the Sports2D clip: 2-6 cm), or seen head-on (the rendered front walk: 4-8 cm)."""
        return self.standing_scatter_m <= CONTACT_HEIGHT_M


def _foot_signals(points_m: np.ndarray, forward: np.ndarray, fps: float, side: str) -> _FootSignals:
    heel, toe = (points_m[:, KP[f"{side}_{p}"]] for p in ("heel", "foot_index"))
    sagittal = np.stack([forward, UP], axis=1)  # (3, 2): along the walk, and up
    lowest = np.minimum(heel[:, 2], toe[:, 2])
    height_m = lowest - np.nanpercentile(lowest, 5)
    noise_m = np.nanmedian(np.abs(np.diff(lowest, 2))) / 2.0  # second differences: mostly noise, not motion
    speed = slowest_point_speed(heel @ sagittal, toe @ sagittal, fps) / estimated_height_m(points_m)
    start_height_m = max(CONTACT_HEIGHT_M, 3 * noise_m)
    # how much the standing foot's height scatters: BlazePose's toe rides 2-3 cm above its heel's
    # floor on a rolling foot, and a camera that is not quite level tilts the floor
    standing_m = height_m[speed < CONTACT_START_SPEED_HEIGHTS_S]
    scatter_m = float(median_abs_deviation(standing_m, scale="normal", nan_policy="omit")) if len(standing_m) > 1 else 0
    return _FootSignals(height_m, start_height_m, max(start_height_m, CONTACT_STAY_SCATTERS * scatter_m), speed,
                        scatter_m)


def _planted(signals: _FootSignals, fps: float) -> np.ndarray:
    """(N,) bool: the foot is planted. Its lower point is near the floor and the slower of heel
    and toe moves slowly in the sagittal plane (glitches bridged, blips dropped: see
    core.contacts.slow_phases), with hysteresis: a contact starts with the foot within 2.5 cm
    of the floor and slower than 0.18 body heights a second (a landing heel still rolls) and
    lasts while it stays within the standing foot's scatter and under 0.25 (the toe rolling off)."""
    start, stay = ((signals.height_m < height_m) & slow_phases(signals.speed_heights_s, speed, fps)
                   for height_m, speed in ((signals.start_height_m, CONTACT_START_SPEED_HEIGHTS_S),
                                           (signals.stay_height_m, CONTACT_STAY_SPEED_HEIGHTS_S)))
    contact = np.zeros(len(start), bool)
    for run_start, run_stop in valid_runs(stay):
        begins = np.flatnonzero(start[run_start:run_stop])
        if len(begins):
            contact[run_start + begins[0]:run_stop] = True
    return contact


def _crossing(values: np.ndarray, threshold: float, frame: int, rising: bool) -> float | None:
    """Where `values` crosses `threshold` between frame - 1 and frame (linearly), if it does."""
    before, after = values[frame - 1], values[frame]
    if (before < threshold <= after) if rising else (before >= threshold > after):
        return frame - 1 + (threshold - before) / (after - before)
    return None


def contact_edges(points_m: np.ndarray, forward: np.ndarray, fps: float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the foot's contacts in fractional frames: between the last frame off and
    the first on the floor, where the later of the two conditions (low, slow) came true; between
    the last frame on and the first off, where the first of them failed. A frame is 33 ms at 30
    fps, as long as a heel strike's whole deceleration: whole frames would put every event up to
    a frame late. None where the floor is not reliable (see _FootSignals.floor_reliable)."""
    signals = _foot_signals(points_m, forward, fps, side)
    if not signals.floor_reliable:
        return np.array([]), np.array([])
    contact = _planted(signals, fps)
    starts, ends = [], []
    for run_start, run_stop in valid_runs(contact):
        crossings = [] if run_start == 0 else [
            _crossing(signals.height_m, signals.start_height_m, run_start, rising=False),
            _crossing(signals.speed_heights_s, CONTACT_START_SPEED_HEIGHTS_S, run_start, rising=False)]
        starts.append(max((c for c in crossings if c is not None), default=float(run_start)))
        crossings = [] if run_stop == len(contact) else [
            _crossing(signals.height_m, signals.stay_height_m, run_stop, rising=True),
            _crossing(signals.speed_heights_s, CONTACT_STAY_SPEED_HEIGHTS_S, run_stop, rising=True)]
        ends.append(min((c for c in crossings if c is not None), default=float(run_stop)))
    return np.array(starts), np.array(ends)


def refined_by_contact(strikes: np.ndarray, offs: np.ndarray, contact_starts: np.ndarray, contact_ends: np.ndarray,
                       fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Each Zeni strike moved to the first contact start near it, each toe-off to the last
    contact end near it (a stance broken by a glitch still counts from its first to its last
    frame); kept where no contact begins or ends nearby."""

    def moved(events: np.ndarray, candidates: np.ndarray, before_s: float, after_s: float, pick) -> np.ndarray:
        out = events.copy()
        for i, event in enumerate(events):
            near = candidates[(candidates >= event - before_s * fps) & (candidates <= event + after_s * fps)]
            if len(near):
                out[i] = pick(near)
        return out

    return (moved(strikes, contact_starts, REFINE_BEFORE_S, REFINE_AFTER_S, np.min),
            moved(offs, contact_ends, REFINE_AFTER_S, REFINE_BEFORE_S, np.max))


def strikes_alternate(events: GaitEvents) -> bool:
    """Each stride of a foot (a strike to its next) holds one strike of the other foot, a fifth to
    four fifths of the way through, as walking and running alternate the feet. Events timed on
    landmarks whose forward axis is the 3D network's depth guess (a walk along the line of sight)
    can fail it: seen from behind, the two feet's first strikes came two frames apart."""
    for side, other in zip(SIDES, SIDES[::-1]):
        strikes, others = events.heel_strike[side], events.heel_strike[other]
        for start, stop in zip(strikes[:-1], strikes[1:]):
            inside = others[(others > start) & (others < stop)]
            if len(inside) != 1 or not 0.2 < (inside[0] - start) / (stop - start) < 0.8:
                return False
    return True


def detect_events(points_m: np.ndarray, forward: np.ndarray, fps: float) -> GaitEvents:
    """Zeni's events per foot refined by the foot's contact; the velocity fallback for a foot
    where Zeni finds fewer than two strikes."""
    strikes, offs, method = {}, {}, {}
    for side in SIDES:
        strikes[side], offs[side] = refined_by_contact(*zeni_events(points_m, forward, fps, side),
                                                       *contact_edges(points_m, forward, fps, side), fps)
        method[side] = "zeni"
        if len(strikes[side]) < 2:
            strikes[side], offs[side] = velocity_events(points_m, forward, fps, side)
            method[side] = "velocity"
    return GaitEvents(strikes, offs, method)
