"""A cleaned track -> one body fitted to the whole clip, in camera space and on the floor.

The pose of every frame starts from the lifted keypoints (lifting.py) and the body from the
clip's metric landmarks; a first fit without the floor, twice: from the lifted keypoints and from
them with the legs on their image rays at the body's lengths (the network's depth signs can be
wrong, and the fit does not cross a straight knee); the floor fitted through the planted feet
(ground.py) of each, and the contacts the image shows on it, their ends trimmed where the first
fit holds the foot clear of the floor; the fit again with the planted feet held on it, from
whichever first fit the whole objective finds cheaper there. All runs of frames with a
person are fitted together (they share the body and the camera); frames with nobody stay gaps.
A run is fitted at its own pace (tempo.py): its stride, read from the image, shortens the
smoothness's and the contacts' time scales; a walk's stride leaves them as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.ndimage import binary_closing
from threadpoolctl import threadpool_limits

from ..filters import valid_runs
from ..lifting import legs_on_rays, lifted_keypoints
from ..progress import Cancelled, ProgressFn
from ..rootmotion import focal_px_for
from ..skeleton import KP, N_KEYPOINTS
from ..track import Track
from .body import BodyShape, Pose, forward
from .clip_fit import Camera, FitSettings, Ground, Observations, Shared, fit_run
from .ground import WorldFrame, fit_ground, floor_contacts, trim_lifted_ends, world_frame
from .initial import pose_from_keypoints, shape_from_landmarks
from .tempo import stride_period_s
from ..errors import InputError

__all__ = ["FittedBody", "fit_track"]
POOR_FIT_RATIO = 2.5
"""A frame whose mean reprojection error exceeds this many times the clip's median frame's (and
2% of the body's image height) is reported in the meta: a left/right swap the cleaning missed
(the body cannot cross its legs in a frame), another person's keypoints."""
MAX_DEPTH_CHANGE = 0.3
"""The fit's median depth may differ from the lifted keypoints' by this fraction before the
meta says so (fixed lengths rule out the collapse of a whole body towards the camera)."""


@dataclass(frozen=True)
class FittedBody:
    """The fitted body of every track row (NaN where nobody was seen)."""

    camera_m: np.ndarray  # (N, 33, 3) keypoints in camera axes
    found: np.ndarray  # (N,)
    planted: np.ndarray  # (N, 2, 2) [left, right foot][heel, ball] on the floor
    shape: BodyShape
    camera: Camera
    ground: Ground
    world: WorldFrame
    meta: dict = field(default_factory=dict)

    @property
    def world_m(self) -> np.ndarray:
        """(N, 33, 3) keypoints in the world over the floor (Blender axes, z up)."""
        return self.world.to_world(self.camera_m)

    @property
    def contact(self) -> np.ndarray:
        """(N, 2) a foot (left, right) touches the floor."""
        return self.planted.any(axis=2)


def _contacts(image_px: np.ndarray, valid: np.ndarray, camera: Camera, ground: Ground, body_m: float,
              fps: float, pace: float) -> np.ndarray:
    contact = np.zeros((len(valid), 2, 2), bool)
    for start, stop in valid_runs(valid):
        if stop - start >= 3:
            contact[start:stop] = floor_contacts(image_px[start:stop], camera, ground, body_m, fps, pace=pace)
    return contact


def _windows(n: int, window_frames: int, overlap_frames: int) -> list[tuple[int, int, int]]:
    """(start, stop, held) of each window over n frames: `held` first frames shared with the
    window before. One window when n fits in one."""
    if window_frames <= overlap_frames:
        raise ValueError(f"a window of {window_frames} frames cannot overlap the one before by {overlap_frames}")
    windows = [(0, min(n, window_frames), 0)]
    while windows[-1][1] < n:
        start = windows[-1][1] - overlap_frames
        windows.append((start, min(n, start + window_frames), overlap_frames))
    return windows


@threadpool_limits.wrap(limits=1, user_api="blas")  # its banded solves are too small to share: threads only contend
def fit_track(track: Track, focal_px: float | None = None, body_height_m: float | None = None,
              settings: FitSettings = FitSettings(), progress: ProgressFn | None = None) -> FittedBody:
    """Fit the body to a cleaned track (Track.found marks the frames with data). The metric
    scale is BlazePose's, or `body_height_m`; `focal_px` the camera's if known (else a 65 deg
    field of view across the longer side). `progress` hears of every step of both passes
    (stage "fitting"); returning True raises Cancelled."""
    valid = track.found
    if not valid.any():
        raise InputError("nobody was detected in any frame of the track; nothing to fit")
    f = focal_px or focal_px_for(track.image_size_px)
    world_m, image = track.world_xyz_m[valid], track.image_xy_px[valid]
    runs = valid_runs(valid)
    starts = np.zeros(len(valid), bool)
    starts[[start for start, _ in runs]] = True
    lifted_runs = [lifted_keypoints(track.world_xyz_m[start:stop], track.image_xy_px[start:stop],
                                    track.image_size_px, f) for start, stop in runs]
    lifted_depth = [hips[:, 2] for _, hips in lifted_runs]
    shape = shape_from_landmarks(world_m, np.concatenate([lifted for lifted, _ in lifted_runs]))
    if body_height_m:
        shape = shape.scaled(body_height_m / shape.height_m)
    first = Shared(shape, Camera(f, np.asarray(track.image_size_px, float) / 2))
    fps = track.sample_rate_hz
    stride_s = stride_period_s(track.image_xy_px, valid, fps)
    pace = min(1.0, (stride_s or np.inf) / settings.walking_stride_s)  # < 1: a run, its time scales shorter
    settings = replace(settings, smooth_weight=settings.smooth_weight * pace**2)  # its joints accelerate harder
    lifted_poses, ray_poses = [], []
    for (start, stop), (lifted, hips) in zip(runs, lifted_runs):
        lifted_poses.append(pose_from_keypoints(lifted + hips[:, None]))
        ray_poses.append(pose_from_keypoints(legs_on_rays(
            lifted + hips[:, None], track.world_xyz_m[start:stop], track.image_xy_px[start:stop], track.image_size_px,
            f, shape.thigh_m, shape.shank_m, fps)))
    # two starts, as lifted and with the legs on their rays; each window goes on from the one whose first pass
    # the whole objective (the floor's terms too) finds cheaper
    starts_pose = [Pose.concatenate(lifted_poses), Pose.concatenate(ray_poses)]
    free = Observations(image, track.visibility[valid], world_m, np.zeros((len(image), 2, 2), bool), fps,
                        starts[valid])
    windows = _windows(len(image), settings.window_frames, settings.window_overlap_frames)
    steps, most_steps = 0, (len(starts_pose) * settings.free_iterations + settings.iterations) * len(windows)

    def after_step() -> None:
        nonlocal steps
        steps += 1
        if progress is not None and progress(steps, most_steps, "fitting"):
            raise Cancelled(f"fitting cancelled after {steps} of at most {most_steps} steps")

    # the first window fits the body, the camera's depth scale and the floor, and finds the contacts
    # the image shows; later ones take them. Each window trims them where its free fit lifts the foot.
    fitted, reprojection_px, planted_rows, iterations, cost = [], [], [], 0, 0.0
    shared, ground, image_contact = first, None, None
    for index, (start, stop, held) in enumerate(windows):
        window_settings = settings if index == 0 else replace(settings, fit_lengths=(), fit_depth_scale=False)
        free_settings = replace(window_settings, iterations=settings.free_iterations)
        tries = []  # (cost with the floor, pose, shared, ground, the image's contacts, the window's observations)
        for start_pose in starts_pose:
            piece = start_pose.rows(start, stop)
            if held:
                piece = Pose.concatenate([fitted[-1].rows(len(fitted[-1]) - held, len(fitted[-1])), piece.rows(held, len(piece))])
            piece, tried_shared, report = fit_run(piece, shared, free.rows(start, stop), None, free_settings, first,
                                                  after_step, held)
            iterations += report.iterations
            free_m = forward(tried_shared.shape, piece)
            tried_ground, tried_contact = ground, image_contact
            if index == 0:  # the floor through this start's planted feet, and the contacts on it
                tried_ground = fit_ground(free_m)
                tried_contact = _contacts(track.image_xy_px, valid, tried_shared.camera, tried_ground,
                                          tried_shared.shape.height_m, fps, pace)[valid]
            window_contact = trim_lifted_ends(tried_contact[start:stop], free_m, tried_ground,
                                              tried_shared.shape.height_m, fps, pace=pace)
            window_obs = replace(free.rows(start, stop), contact=window_contact)
            judged = fit_run(piece, tried_shared, window_obs, tried_ground, replace(window_settings, iterations=0),
                             first, None, held)
            tries.append((judged[2].cost_start, piece, tried_shared, tried_ground, tried_contact, window_obs))
        _, piece, window_shared, ground, image_contact, window_obs = min(tries, key=lambda tried: tried[0])
        if index == 0:
            shared = window_shared
        piece, window_shared, second = fit_run(piece, shared, window_obs, ground, window_settings, first, after_step,
                                               held)
        shared = window_shared if index == 0 else shared
        fitted.append(piece)
        reprojection_px.append(second.reprojection_px[held:])
        planted_rows.append(window_obs.contact[held:])  # the contacts of the start the fit went on from
        iterations += second.iterations
        cost += second.cost_end
    pose = Pose.concatenate([piece.rows(held, len(piece)) for piece, (_, _, held) in zip(fitted, windows)])
    relative_px = np.concatenate(reprojection_px)
    camera_m = np.full((len(track), N_KEYPOINTS, 3), np.nan)
    camera_m[valid] = forward(shared.shape, pose)
    depth_change = float(np.median(pose.root_m[:, 2]) / np.median(np.concatenate(lifted_depth)) - 1)
    first_hips = camera_m[runs[0][0], [KP["left_hip"], KP["right_hip"]]].mean(axis=0)
    frame = world_frame(ground, first_hips)
    meta = {"iterations": iterations, "cost": cost, "windows": len(windows),
            "depth_change": round(depth_change, 3), "focal_px": round(shared.camera.focal_px, 1),
            "depth_scale": round(shared.depth_scale, 3), "stride_s": None if stride_s is None else round(stride_s, 3),
            "ground_normal_camera": [round(float(v), 4) for v in ground.normal], "leg_m": round(shared.shape.leg_m, 4)}
    body_px = shared.camera.focal_px * shared.shape.height_m / pose.root_m[:, 2]
    relative = relative_px / body_px
    poor_rows = relative > max(POOR_FIT_RATIO * float(np.median(relative)), 0.02)
    poor_rows |= binary_closing(poor_rows, np.ones(3, bool))  # a frame between two: a swap the body half-follows
    poor = np.flatnonzero(valid)[poor_rows]
    meta["poorly_fitted_frames"] = [int(i) for i in poor]
    if abs(depth_change) > MAX_DEPTH_CHANGE:
        meta["warning"] = (f"the fitted body is {100 * depth_change:+.0f}% as far from the camera as the lifted "
                           "landmarks put it: check the camera's focal length or the body height")
    planted = np.zeros((len(valid), 2, 2), bool)
    planted[valid] = np.concatenate(planted_rows)
    return FittedBody(camera_m, valid.copy(), planted, shared.shape, shared.camera, ground, frame, meta)
