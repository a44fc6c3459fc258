"""The floor: a plane through the feet where they stand (not a level camera), when each foot is
planted on it, and the world it defines.

The plane is fitted to the lower of each foot's heel and toe in the frames where that point is
lowest (the lower half of its heights, then within the scatter of a first plane), its tilt held
towards a level camera unless the feet are spread enough to show it (more than a body's depth
is sure); without feet spread over the floor it falls back to a level camera under the lowest
feet. A foot's heel, or its front, is planted while the point where its image ray meets the
floor stands still: a foot on the floor is found there far more precisely than the body's depth
places it, and a foot moving towards the camera, which hardly moves in the image, moves on the
floor. The world: z up the plane's normal, x the camera's x along the floor (the image's right),
y = z x x (away from the camera), the origin on the floor below the first frame's hips.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_dilation, median_filter

from ..contacts import ContactSettings, slow_phases
from ..filters import valid_runs
from ..skeleton import KP
from .clip_fit import CONTACT_WIDEN_S, Ground

__all__ = ["fit_ground", "floor_contacts", "trim_lifted_ends", "WorldFrame", "world_frame"]

_FEET = [(KP[f"{s}_heel"], KP[f"{s}_foot_index"]) for s in ("left", "right")]
_UP_IN_CAMERA = np.array([0.0, -1.0, 0.0])  # a level camera's up


def _lower_points(points: np.ndarray) -> np.ndarray:
    """(N, 2, 3) the lower (along the camera's up) of heel and toe of each foot."""
    out = []
    for heel, toe in _FEET:
        pair = points[:, [heel, toe]]
        lower = np.argmin(np.nan_to_num(pair @ _UP_IN_CAMERA, nan=np.inf), axis=1)
        out.append(pair[np.arange(len(points)), lower])
    return np.stack(out, axis=1)


def _plane(points: np.ndarray, level_prior_m: float) -> tuple[np.ndarray, float]:
    """The plane through points, by least squares of their height (camera y) over their place on
    the floor (camera x and depth), its tilts held towards a level camera as if by points spread
    `level_prior_m` (RMS) about the centre: a body's depth is far less sure than its height, and
    points along one line (a walk straight across) say nothing of the tilt about it."""
    centre = points.mean(axis=0)
    floor = (points - centre)[:, [0, 2]]
    ridge = len(points) * level_prior_m**2 * np.eye(2)
    slope_x, slope_z = np.linalg.solve(floor.T @ floor + ridge, floor.T @ (points[:, 1] - centre[1]))
    normal = np.array([slope_x, -1.0, slope_z]) / np.hypot(1.0, np.hypot(slope_x, slope_z))
    return normal, float(-centre @ normal)


def fit_ground(points: np.ndarray, min_points: int = 12, min_spread_m: float = 0.5, level_prior_m: float = 0.25,
               depth_precision: float = 0.05) -> Ground:
    """The floor under camera-space keypoints (N, 33, 3) of a body that stands on it. The level
    prior holds as if the points spread `level_prior_m`, or `depth_precision` of their depth if
    more: one camera places a body to a few percent of its depth, along its image rays, and a
    spread of depths along nearly level rays (a body far off) fitted as a floor tilts it by the
    rays' own slope (17 m off, 1.9 deg: the feet's rays then missed the floor)."""
    lower = _lower_points(points).reshape(-1, 3)
    lower = lower[np.isfinite(lower).all(axis=1)]
    standing = lower[lower @ _UP_IN_CAMERA <= np.percentile(lower @ _UP_IN_CAMERA, 50)] if len(lower) else lower
    if len(standing) >= min_points and np.ptp(standing[:, [0, 2]], axis=0).max() >= min_spread_m:
        prior_m = max(level_prior_m, depth_precision * float(np.median(standing[:, 2])))
        normal, offset = _plane(standing, prior_m)
        for _ in range(2):  # the standing points: the lowest cluster above the plane so far
            heights = lower @ normal + offset
            low = heights[heights <= np.median(heights)]
            spread = np.median(np.abs(low - np.median(low)))
            standing = lower[heights <= np.median(low) + 2.5 * spread + 0.01]
            normal, offset = _plane(standing, prior_m)
        if normal @ _UP_IN_CAMERA > np.cos(np.radians(30)):  # a floor, not a wall
            return Ground(normal, offset)
    lowest = np.nanpercentile(lower @ _UP_IN_CAMERA, 2) if len(lower) else 0.0
    return Ground(_UP_IN_CAMERA.copy(), float(-lowest))


def _on_floor(pixels: np.ndarray, camera, ground: Ground) -> np.ndarray:
    """(N, 3) where the image rays through pixels (N, 2) meet the floor (NaN where they do not)."""
    rays = np.concatenate([(pixels - camera.centre_px) / camera.focal_px, np.ones((len(pixels), 1))], axis=1)
    along = rays @ ground.normal
    with np.errstate(divide="ignore", invalid="ignore"):
        return rays * np.where(along < 0, -ground.offset / along, np.nan)[:, None]


def _floor_depth(pixel: np.ndarray, camera, ground: Ground) -> float:
    """Depth (camera z) where the image ray through `pixel` meets the floor (inf if it does not)."""
    depth = float(_on_floor(pixel[None], camera, ground)[0, 2])
    return depth if np.isfinite(depth) else np.inf


def _noise_px(values: np.ndarray) -> float:
    """The frame-to-frame noise of a smooth signal (N,): the robust scatter of its second
    differences (a stance's, most of them), per sample. Of low-passed landmarks it reads low
    (a third of a 6 Hz noise's RMS), so what it discounts errs short."""
    second = values[:-2] - 2 * values[1:-1] + values[2:]
    second = second[np.isfinite(second)]
    return 1.4826 * float(np.median(np.abs(second))) / np.sqrt(6) if len(second) else 0.0


def _row_noise_discounted(moved: np.ndarray, per_row_px: np.ndarray, noise_px: float, limit_m: float) -> np.ndarray:
    """Floor displacements (N, 3) with their part along the floor's line under an image column
    (per_row_px: the floor point's shift a pixel down the image) scaled so that a still point
    passes `limit_m` there even when the image row's noise at both ends moves it further: far
    off, where a pixel of row is many cm of floor, a planted foot's noise read as a stride. Where
    the noise moves it less than the limit nothing changes (side-on, a heel's lift moves its
    floor point along the column too: a discount there cost the lifts' timing)."""
    reach = np.linalg.norm(per_row_px, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        along = per_row_px / reach
    length = np.sum(moved * along, axis=1, keepdims=True)
    noise_m = np.sqrt(2) * noise_px * reach
    return moved - length * along * (1 - limit_m / np.maximum(limit_m, noise_m))


def _still_at_edges(phases: np.ndarray, pixels: np.ndarray, camera, ground: Ground, body_m: float,
                    still_heights: float, most_frames: int) -> np.ndarray:
    """The phases, each extended by up to `most_frames` either way while the point stays within
    `still_heights` body heights (in the image, at the phase's depth) of where it stands: a
    centred speed finds a landing late and a lift early, the image sees the foot stop at once."""
    out = phases.copy()
    for start, stop in valid_runs(phases):
        stands = np.median(pixels[start:stop], axis=0)
        tolerance_px = still_heights * camera.focal_px * body_m / _floor_depth(stands, camera, ground)
        still = np.linalg.norm(pixels - stands, axis=1) <= tolerance_px
        first, last = start, stop
        while first > max(0, start - most_frames) and still[first - 1]:
            first -= 1
        while last < min(len(pixels), stop + most_frames) and still[last]:
            last += 1
        out[first:last] = True
    return out


def floor_contacts(image_px: np.ndarray, camera, ground: Ground, body_m: float, fps: float,
                   max_speed_heights_s: float = 0.45, window_s: float = 0.2,
                   widen_s: float = CONTACT_WIDEN_S, still_heights: float = 0.02, still_s: float = 0.2,
                   pace: float = 1.0) -> np.ndarray:
    """(N, 2, 2) planted: [left, right foot][heel, front of the foot]. A point is planted while
    the floor point under its image ray (heel, toe) moves slower than `max_speed_heights_s`
    body heights a second, measured over `window_s` on a median-filtered path (far away the
    ray grazes the floor, and a pixel moves the point several cm), its part along the image
    column discounted where the image row's noise moves it further than the speed allows
    (`_row_noise_discounted`: 17 m off, the jog's ball slid 42 cm a stance, 5.4 with it); slow
    phases bridged and trimmed as contacts.slow_phases does, then widened by `widen_s` each way
    (a centred speed rises half a window before the foot lifts; widening less, 1 frame, gave
    the rendered walks 0.7 deg better knees and the ball twice the slide in stance), and then by
    up to `still_s` while the point stays where it stands in the image (`_still_at_edges`: far
    away, where a pixel is several cm of floor, the speed found the walk seen from behind
    landing 4-5 frames late, and its ball slid 10 cm a stance, not the truth's 3.4; 4.4 with
    this, the angles alike).

    `pace` < 1 is a run's stride over a walk's: every duration here (and contacts.slow_phases')
    shrinks by it and the speed grows by 1 / pace. A jog's stance lasts 7-8 frames at 30 fps,
    too short for a walk's windows: seen from 30 deg, 3 of its 11 stances were found, 10 so."""
    window_s, widen_s, still_s, max_speed_heights_s = (window_s * pace, widen_s * pace, still_s * pace,
                                                       max_speed_heights_s / pace)
    phases = ContactSettings(ContactSettings.min_duration_s * pace, ContactSettings.max_break_s * pace)
    half = max(1, int(round(window_s * fps / 2)))
    widen = int(round(widen_s * fps))
    out = np.zeros((len(image_px), 2, 2), bool)
    for side, points in enumerate(_FEET):
        for column, point in enumerate(points):
            pixels = image_px[:, point]
            on_floor = _on_floor(pixels, camera, ground)
            path = median_filter(on_floor, size=(2 * half + 1, 1), mode="nearest")
            speed = np.full(len(path), np.inf)
            if len(path) > 2 * half:
                moved = path[2 * half:] - path[:-2 * half]
                per_row_px = (_on_floor(pixels + [0.0, 1.0], camera, ground) - on_floor)[half:-half]
                limit_m = max_speed_heights_s * body_m * 2 * half / fps
                moved = _row_noise_discounted(moved, per_row_px, _noise_px(pixels[:, 1]), limit_m)
                speed[half:-half] = np.linalg.norm(moved, axis=1) * fps / (2 * half) / body_m
                speed[:half], speed[-half:] = speed[half], speed[-half - 1]
            slow = slow_phases(np.nan_to_num(speed, nan=np.inf), max_speed_heights_s, fps, phases)
            widened = binary_dilation(slow, np.ones(2 * widen + 1, bool)) if slow.any() and widen else slow
            out[:, side, column] = _still_at_edges(widened, image_px[:, point], camera, ground, body_m, still_heights,
                                                   int(round(still_s * fps)))
    return out


def trim_lifted_ends(contact: np.ndarray, points_m: np.ndarray, ground: Ground, body_m: float, fps: float,
                     window_s: float = 0.1, lifted_heights: float = 0.04, pace: float = 1.0) -> np.ndarray:
    """Contacts (N, 2, 2) as floor_contacts finds them, each phase shortened at either end while
    camera-space keypoints (N, 33, 3) fitted without contacts hold that point clearly above the
    floor (over `lifted_heights` body heights, 7 cm for 1.75 m: a foot in mid-swing, higher than
    a stance's noise; median over `window_s`). Seen along the walk, a foot swinging away from the
    camera as it comes down keeps its image ray on one floor point, so the image alone planted
    the walk seen from behind a third of each swing early (its knee 17 deg off). Only the ends:
    a lift inside a phase is the fit following a glitch (a swap the cleaning missed), not a step."""
    size = max(1, int(round(window_s * pace * fps)) | 1)
    out = np.zeros_like(contact)
    for side, points in enumerate(_FEET):
        for column, point in enumerate(points):
            height_m = median_filter(ground.height(points_m[:, point]), size=size, mode="nearest")
            lifted = height_m > lifted_heights * body_m
            for start, stop in valid_runs(contact[:, side, column]):
                while start < stop and lifted[start]:
                    start += 1
                while stop > start and lifted[stop - 1]:
                    stop -= 1
                out[start:stop, side, column] = True
    return out


@dataclass(frozen=True)
class WorldFrame:
    """Camera axes -> Blender world: world = (camera - origin) @ rotation.T."""

    rotation: np.ndarray  # (3, 3) rows: the world's x, y, z in camera axes
    origin: np.ndarray  # (3,) camera-space position of the world's origin

    def to_world(self, camera_points: np.ndarray) -> np.ndarray:
        return (camera_points - self.origin) @ self.rotation.T

    @property
    def world_to_camera(self) -> np.ndarray:
        return self.rotation.T


def world_frame(ground: Ground, first_hips: np.ndarray) -> WorldFrame:
    """The world over the floor: z up, x the camera's right along the floor, origin under the
    first frame's hips (camera space, (3,))."""
    z = ground.normal / np.linalg.norm(ground.normal)
    x = np.array([1.0, 0.0, 0.0]) - z[0] * z
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    origin = first_hips - ground.height(first_hips[None])[0] * z
    return WorldFrame(np.stack([x, y, z]), origin)
