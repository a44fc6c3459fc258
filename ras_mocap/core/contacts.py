"""Foot contact phases: when a point stands still long enough to be planted.

The gait events (gait/events.py) and the fit's floor contacts (fit/ground.py) both find a
foot's slow phases this way: under a speed, short breaks (a landmark glitch) bridged, phases
too short for a step dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_closing, binary_opening

__all__ = ["ContactSettings", "slowest_point_speed", "slow_phases"]


@dataclass(frozen=True)
class ContactSettings:
    min_duration_s: float = 0.1
    """Contacts shorter than this are ignored."""
    max_break_s: float = 0.2
    """Breaks in a contact up to this long (a landmark glitch) are bridged; a swing lasts longer."""


def slowest_point_speed(heel: np.ndarray, toe: np.ndarray, fps: float) -> np.ndarray:
    """(N,) speed of the slower of a foot's two points (any units of length, per second)."""
    speed = np.minimum(*(np.linalg.norm(np.gradient(p, axis=0), axis=-1) for p in (heel, toe))) * fps
    if len(speed) > 2:  # the one-sided differences at the ends are the noisiest: take the neighbours'
        speed[0], speed[-1] = speed[1], speed[-2]
    return speed


def slow_phases(speed: np.ndarray, max_speed: float, fps: float,
                settings: ContactSettings = ContactSettings()) -> np.ndarray:
    """(N,) bool: `speed` under `max_speed`, breaks up to `max_break_s` bridged, phases shorter
    than `min_duration_s` dropped."""
    contact = speed < max_speed
    bridge = np.ones(max(1, int(round(settings.max_break_s * fps))), bool)
    shortest = np.ones(max(1, int(round(settings.min_duration_s * fps))), bool)
    pad = len(bridge) + len(shortest)  # a contact running into the clip's edge stays whole
    padded = np.pad(contact, pad, mode="edge")
    return binary_opening(binary_closing(padded, bridge), shortest)[pad:-pad]
