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
from .retarget import RetargetProfile
from .skeleton import KP
from .vectors import unit

__all__ = ["ContactSettings", "slowest_point_speed", "slow_phases", "detect_contact_in_image", "pin_corrections",
           "image_contacts", "pin_feet", "two_bone_knee"]


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


def detect_contact_in_image(
    heel_px: np.ndarray, toe_px: np.ndarray, body_height_px: float, fps: float, max_speed_heights_s: float = 0.25,
    settings: ContactSettings = ContactSettings(),
) -> np.ndarray:
    """(N,) bool for one foot from its 2D track (static camera): the slower of heel and toe
    moves less than `max_speed_heights_s` body heights a second. The image shows a planted
    foot standing still far more reliably than a 3D reconstruction does."""
    return slow_phases(slowest_point_speed(heel_px, toe_px, fps), max_speed_heights_s * body_height_px, fps, settings)


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


def two_bone_knee(hip: np.ndarray, ankle: np.ndarray, thigh_m: float, shin_m: float, pole: np.ndarray) -> np.ndarray:
    """Knee positions (N, 3) for the hip and ankle, bending towards `pole`."""
    reach = ankle - hip
    distance = np.clip(np.linalg.norm(reach, axis=-1), abs(thigh_m - shin_m) + 1e-6, thigh_m + shin_m - 1e-6)
    along = unit(reach)
    a = (thigh_m**2 - shin_m**2 + distance**2) / (2 * distance)
    h = np.sqrt(np.maximum(thigh_m**2 - a**2, 0.0))
    bend = pole - hip
    bend = unit(bend - np.sum(bend * along, axis=-1, keepdims=True) * along)
    return hip + a[:, None] * along + h[:, None] * bend


def image_contacts(image_xy_px: np.ndarray, fps: float) -> np.ndarray:
    """(N, 2) left, right foot planted, from the feet's 2D tracks."""
    top = image_xy_px[:, [KP["nose"], KP["left_eye"], KP["right_eye"]], 1].min(axis=1)
    bottom = image_xy_px[:, [KP["left_heel"], KP["right_heel"], KP["left_foot_index"], KP["right_foot_index"]], 1].max(axis=1)
    height_px = float(np.median(bottom - top)) / 0.9  # eyes to soles is about 90% of body height
    return np.stack([
        detect_contact_in_image(image_xy_px[:, KP[f"{side}_heel"]], image_xy_px[:, KP[f"{side}_foot_index"]], height_px, fps)
        for side in ("left", "right")
    ], axis=-1)


def pin_feet(
    joints: dict[str, np.ndarray], posed: dict[str, tuple[np.ndarray, np.ndarray]], profile: RetargetProfile,
    contacts: np.ndarray, fps: float,
) -> None:
    """Pin the rig's feet during their contacts: each ankle moves with its foot's pin and the
    knee follows by two-bone IK with the rig's own lengths. The new leg directions are written
    back into `joints` (the foot keeps its orientation)."""
    for column, side in enumerate(("L", "R")):
        thigh, shin, foot = (posed[profile.bones[f"{part}.{side}"]] for part in ("thigh", "shin", "foot"))
        toe = posed.get(profile.bones.get(f"toe.{side}", ""))
        ball, tip = (toe[0], toe[1]) if toe else (foot[1], foot[1])
        hip, knee, ankle = thigh[0], shin[0], foot[0]
        pinned_ankle = ankle + pin_corrections(ball, tip, contacts[:, column], fps)
        thigh_m, shin_m = np.linalg.norm(knee[0] - hip[0]), np.linalg.norm(ankle[0] - knee[0])
        pinned_knee = two_bone_knee(hip, pinned_ankle, thigh_m, shin_m, knee)
        hip_kp = joints[f"hip.{side}"]
        foot_shift = hip_kp + (pinned_ankle - hip) - joints[f"ankle.{side}"]
        joints[f"knee.{side}"] = hip_kp + (pinned_knee - hip)
        for point in ("ankle", "heel", "toe_tip", "foot_side"):
            joints[f"{point}.{side}"] = joints[f"{point}.{side}"] + foot_shift
