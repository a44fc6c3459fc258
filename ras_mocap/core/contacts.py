"""Foot contact: when a foot is planted, and how to pin it there so it does not skate.

A foot is planted while its heel or toe stands still in the image (static camera). During
a contact the rig's foot rests on the lower of two sole points (the ball and the toe tip);
that point is held at its median place on the floor plane, the whole foot moved by the
difference, easing in and out in the swing frames around the contact so the pin never jumps.
Heights are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_closing, binary_opening

from .filters import valid_runs

__all__ = ["ContactSettings", "detect_contact_in_image", "pin_corrections"]


@dataclass(frozen=True)
class ContactSettings:
    min_duration_s: float = 0.1
    """Contacts shorter than this are ignored."""
    max_break_s: float = 0.2
    """Breaks in a contact up to this long (a landmark glitch) are bridged; a swing lasts longer."""
    ease_s: float = 0.1
    """Time over which a pin eases in before a contact and out after it."""


def _resting(rear_m: np.ndarray, front_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rear_down = rear_m[:, 2] <= front_m[:, 2]
    return np.where(rear_down[:, None], rear_m, front_m), rear_down


def detect_contact_in_image(
    heel_px: np.ndarray, toe_px: np.ndarray, body_height_px: float, fps: float, max_speed_heights_s: float = 0.25,
    settings: ContactSettings = ContactSettings(),
) -> np.ndarray:
    """(N,) bool for one foot from its 2D track (static camera): the slower of heel and toe
    moves less than `max_speed_heights_s` body heights a second. The image shows a planted
    foot standing still far more reliably than a 3D reconstruction does."""
    speed = np.minimum(*(np.linalg.norm(np.gradient(p, axis=0), axis=-1) for p in (heel_px, toe_px))) * fps
    if len(speed) > 2:  # the one-sided differences at the ends are the noisiest: take the neighbours'
        speed[0], speed[-1] = speed[1], speed[-2]
    contact = speed < max_speed_heights_s * body_height_px
    bridge = np.ones(max(1, int(round(settings.max_break_s * fps))), bool)
    shortest = np.ones(max(1, int(round(settings.min_duration_s * fps))), bool)
    pad = len(bridge) + len(shortest)  # a contact running into the clip's edge stays whole
    padded = np.pad(contact, pad, mode="edge")
    return binary_opening(binary_closing(padded, bridge), shortest)[pad:-pad]


def pin_corrections(
    rear_m: np.ndarray, front_m: np.ndarray, contact: np.ndarray, fps: float, settings: ContactSettings = ContactSettings()
) -> np.ndarray:
    """(N, 3) horizontal offsets that pin the foot in full during each contact; the offset eases
    to zero over `ease_s` in the swing frames on either side, so the pin never jumps."""
    correction = np.zeros_like(rear_m)
    resting, rear_down = _resting(rear_m, front_m)
    ease = max(1, int(round(settings.ease_s * fps)))
    fade = 0.5 + 0.5 * np.cos(np.pi * (np.arange(ease) + 1) / (ease + 1))  # just under 1 -> just over 0
    n = len(contact)
    for start, stop in valid_runs(contact):
        phase = slice(start, stop)
        target = resting[phase, :2].copy()
        for point_is_rear in (True, False):
            rows = rear_down[phase] == point_is_rear
            if rows.any():
                target[rows] = np.median(resting[phase][rows, :2], axis=0)
        correction[phase, :2] = target - resting[phase, :2]
        after = np.arange(stop, min(stop + ease, n))
        before = np.arange(max(start - ease, 0), start)[::-1]
        correction[after, :2] += correction[stop - 1, :2] * fade[: len(after), None]
        correction[before, :2] += correction[start, :2] * fade[: len(before), None]
    return correction
