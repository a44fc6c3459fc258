"""Raw detections -> clean landmark track: gaps (nobody, a torso hardly seen, a pose no body could
take), left/right swaps, short-gap filling, low-pass.

Saved tracks hold the raw detections; this step runs at bake / analysis time with
the user's settings, so a re-bake can change them without re-running detection.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from .errors import InputError
from .filters import fill_short_gaps, lowpass_zero_phase, valid_runs
from .left_right import BODY_EVIDENCE, BODY_PAIRS, LIMB_PAIRS, find_swaps, swap_body, swap_limbs
from .plausibility import PlausibilityLimits, implausible_frames
from .skeleton import KP
from .track import Track

__all__ = ["CleaningSettings", "clean_track", "torso_px", "usable_frames", "trusted_frames"]

_CORE_POINTS = [KP[name] for name in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
_KNEES, _ANKLES = [KP["left_knee"], KP["right_knee"]], [KP["left_ankle"], KP["right_ankle"]]


@dataclass(frozen=True)
class CleaningSettings:
    min_visibility: float = 0.5
    """A frame whose shoulders and hips are seen less than this (mean visibility) is a gap."""
    max_gap_s: float = 0.25
    """Gaps up to this long are interpolated; longer ones stay gaps (no invented motion)."""
    fix_swaps: bool = True
    """Undo left/right label swaps (temporal continuity in the image): of the whole body, then of the legs."""
    cutoff_hz: float | None = 6.0
    """Zero-lag low-pass cutoff (6 Hz suits walking); None keeps the raw jitter."""
    plausibility: PlausibilityLimits | None = PlausibilityLimits()
    """Frames whose pose no body could take become gaps (see core.plausibility); None keeps them."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visibility <= 1.0:
            raise InputError(f"the minimum visibility lies between 0 and 1, not {self.min_visibility:g}")
        if not 0.0 <= self.max_gap_s <= 10.0:
            raise InputError(f"the longest gap to bridge lies between 0 and 10 s, not {self.max_gap_s:g}")
        if self.cutoff_hz is not None and not self.cutoff_hz > 0.0:
            raise InputError(f"the low-pass cutoff must be above 0 Hz (or off), not {self.cutoff_hz:g}")

    def check_rate(self, sample_rate_hz: float) -> None:
        """InputError unless the low-pass cutoff lies below the Nyquist frequency of frames at this rate."""
        if self.cutoff_hz is not None and self.cutoff_hz >= sample_rate_hz / 2.0:
            raise InputError(f"the low-pass cutoff {self.cutoff_hz:g} Hz must lie below half the frame rate "
                             f"({sample_rate_hz / 2.0:g} Hz for {sample_rate_hz:g} frames a second)")


def usable_frames(track: Track, min_visibility: float) -> np.ndarray:
    """(N,) bool: a person was found and their torso is visible enough to trust."""
    torso_visibility = track.visibility[:, _CORE_POINTS].mean(axis=1)
    return track.found & (torso_visibility >= min_visibility)


def _half_seen_edges(track: Track, valid: np.ndarray, min_visibility: float) -> np.ndarray:
    """(N,) bool: the frames at the start and end of each run that do not show both legs (neither
    knee nor ankle in the frame with visibility min_visibility or more), in runs that have frames showing
    both: someone entering the view or stepping out from behind a tree is trusted from the
    first frame that shows the whole body (before it, the hidden leg is BlazePose's guess). A
    run that never shows both legs (someone seated at a webcam) keeps all its frames."""
    in_frame = np.all((track.image_xyz[..., :2] >= 0) & (track.image_xyz[..., :2] <= 1), axis=-1)
    seen = (track.visibility >= min_visibility) & in_frame  # (BlazePose rates points below the frame's edge visible)
    legs_seen = (seen[:, _KNEES] | seen[:, _ANKLES]).all(axis=1)
    edges = np.zeros(len(valid), bool)
    for start, stop in valid_runs(valid):
        whole = np.flatnonzero(legs_seen[start:stop])
        if len(whole):
            edges[start:start + whole[0]] = True
            edges[start + whole[-1] + 1:stop] = True
    return edges


def trusted_frames(track: Track, settings: CleaningSettings) -> tuple[np.ndarray, dict[str, int]]:
    """(N,) bool: usable frames whose pose is plausible and whole; how many frames each test rejected."""
    valid = usable_frames(track, settings.min_visibility)
    if settings.plausibility is None or not valid.any():
        return valid, {}
    rejected = implausible_frames(track.image_xy_px, valid, track.time_s, settings.plausibility)
    for flags in rejected.values():
        valid = valid & ~flags
    rejected["half_seen"] = _half_seen_edges(track, valid, settings.min_visibility)
    return valid & ~rejected["half_seen"], {test: int(flags.sum()) for test, flags in rejected.items()}


def torso_px(track: Track, valid: np.ndarray) -> float:
    """The median shoulders-to-hips length (px) of the valid frames: the scale of the swap searches."""
    px = track.image_xy_px[valid]
    shoulders = px[:, [KP["left_shoulder"], KP["right_shoulder"]]].mean(axis=1)
    hips = px[:, [KP["left_hip"], KP["right_hip"]]].mean(axis=1)
    return float(np.median(np.linalg.norm(shoulders - hips, axis=-1))) or 1.0


def clean_track(track: Track, settings: CleaningSettings = CleaningSettings()) -> Track:
    """A cleaned copy: `found` marks the rows with data (detected or bridged), others are NaN.

    meta["cleaning"] records the settings and what was changed (swapped / bridged frames).
    """
    valid, implausible = trusted_frames(track, settings)
    image_xyz, world, visibility, presence = track.image_xyz, track.world_xyz_m, track.visibility, track.presence
    swapped_counts = {}
    if settings.fix_swaps and valid.any():
        torso = torso_px(track, valid)
        swapped = find_swaps(track.image_xy_px, valid, track.time_s, torso, BODY_EVIDENCE)
        swapped_counts["body"] = int(swapped.sum())
        world = swap_body(world, swapped)
        image_xyz, visibility, presence = (swap_limbs(v, swapped, BODY_PAIRS) for v in (image_xyz, visibility, presence))
        for limb, pairs in LIMB_PAIRS.items():
            swapped = find_swaps(image_xyz[..., :2] * np.asarray(track.image_size_px, float), valid, track.time_s, torso, pairs)
            swapped_counts[limb] = int(swapped.sum())
            image_xyz, world, visibility, presence = (
                swap_limbs(values, swapped, pairs) for values in (image_xyz, world, visibility, presence)
            )
    image_xyz, filled = fill_short_gaps(image_xyz, valid, track.time_s, settings.max_gap_s)
    world, _ = fill_short_gaps(world, valid, track.time_s, settings.max_gap_s)
    if settings.cutoff_hz is not None:
        image_xyz = lowpass_zero_phase(image_xyz, filled, track.sample_rate_hz, settings.cutoff_hz)
        world = lowpass_zero_phase(world, filled, track.sample_rate_hz, settings.cutoff_hz)
    meta = dict(track.meta)
    meta["cleaning"] = {
        **asdict(settings),
        "implausible_frames": implausible,
        "swapped_frames": swapped_counts,
        "bridged_frames": int((filled & ~valid).sum()),
        "gap_frames": int((~filled).sum()),
    }
    return replace(
        track, found=filled, image_xyz=image_xyz, world_xyz_m=world,
        visibility=visibility, presence=presence, meta=meta,
    )
