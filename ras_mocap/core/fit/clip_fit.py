"""The whole-clip fit: one robust least-squares problem over every frame of a run at once.

Unknowns: each frame's pose (body.Pose), and a few the whole clip shares: the body's
proportions (log scales of body.LENGTHS) and how much MediaPipe's 3D guess compresses depth.
The focal length is not among them: over a walk the cost hardly depends on it (a deeper body
seen through a longer lens looks the same), so it is the video's or the user's field of view.

Terms, each per frame: the image landmarks' reprojection through a static pinhole (visibility
weighted, Huber); a weak prior on the 3D shape of MediaPipe's world landmarks about the hips,
their depth taken as compressed by the fitted factor (it sets which way depth points, not how
far); acceleration smoothness of every joint angle and the root; during the feet's contacts,
no horizontal speed of the planted point and that point on the ground plane; weak priors
holding the shared unknowns near their first estimates. Knee, elbow and ankle angles stay
within their limits (projected steps).

Levenberg-Marquardt on the analytic Jacobian (body.forward). Frames couple only to their
neighbours (smoothness: two frames either side; contacts: one) and to the shared unknowns, so
the normal equations are a banded matrix bordered by a few dense rows: a banded Cholesky
factorisation (scipy.linalg.solveh_banded) and a Schur complement solve them exactly, in time
linear in the clip's length (scipy.optimize.least_squares' sparse solver, LSMR, spends its time
iterating on the hundreds of thousands of unknowns of a long clip).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy.linalg import solveh_banded
from scipy.ndimage import binary_erosion
from scipy.spatial.transform import Rotation

from ..skeleton import KP
from .body import JOINTS, LENGTHS, N_PARAMS, PARAM_SLICES, BodyShape, Pose, forward
from .limits import BALL_RANGES, ball_angle_jacobians, ball_angles

__all__ = ["FitSettings", "Observations", "Camera", "Ground", "Shared", "fit_run", "FitReport"]

FITTED_KEYPOINTS = np.array([KP[name] for name in (
    "nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index")])
"""Keypoints the image fit uses (the eyes and mouth would weigh the head eleven times)."""
_FEET = {0: (KP["left_heel"], KP["left_foot_index"]), 1: (KP["right_heel"], KP["right_foot_index"])}
"""Each foot's heel and toe tip; the ball lies between them (BodyShape.ball_fraction)."""
_TORSO = {KP[name] for name in ("nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_hip", "right_hip")}
_UNIT = 0.01
"""The cost of one image coordinate off by 1% of body height: the scale of the shared unknowns' priors."""
_HELD_STIFFNESS = 1e12
"""Added to the diagonal of a held frame's normal equations: its step is ~1e-12 of any other."""


CONTACT_WIDEN_S = 0.1
"""ground.floor_contacts widens each planted phase by this much either way (its speed, centred
over a window, rises before the foot lifts), so the slide term holds a foot from just before it
lands to just after it lifts. The floor term holds it on the floor only inside the unwidened
phase: a heel lands toes up and the ball comes down after it. Held on the floor over the
widened phase, the ankles were 0.2-1.0 deg worse on the virtual views (four seeds), the rendered
walks' knees and hips 0.25 deg worse on average, and the head-on walk 7.5% slow, not 1.9%."""


@dataclass(frozen=True)
class FitSettings:
    huber_body_heights: float = 0.02
    """Reprojection errors beyond this (in body heights) count linearly (a wrong keypoint)."""
    prior_weight: float = 0.1
    """Weight of the world landmarks' shape against the image (per body height)."""
    prior_torso_weight: float = 0.3
    """The same for the shoulders, hips and head: their 3D shape is the network's surest."""
    smooth_weight: float = 0.2
    """Weight of a joint's angular acceleration (radians a frame squared, at 30 fps), for a walk:
    track_fit.py scales it by (stride / `walking_stride_s`)^2 for a faster stride."""
    walking_stride_s: float = 1.0
    """The quickest walking stride (120 steps a minute). A run's joints accelerate (this / stride)^2
    times as hard: held to a walk's smoothness (and contact windows) the swing knee of the jog of
    tests/jog.py seen head-on lags the truth by 20-28 deg (knee RMSE 11.1 / 10.4 deg; 7.4 / 7.4
    at its own pace)."""
    root_smooth_weight: float = 0.2
    """Weight of the root's acceleration (body heights a frame squared, at 30 fps)."""
    contact_weight: float = 10.0
    """Weight of a planted foot's speed and height (per body height)."""
    contact_scale_body_heights: float = 0.005
    """A planted point's slide (a frame) or height well beyond this pulls ever less (a Cauchy
    loss): a foot that lifts before its contact was seen to end is let go."""
    limit_weight: float = 1.0
    """Weight of a ball joint's angle beyond its anatomical range (per radian)."""
    twist_weight: float = 1.0
    """Weight of the hips' and shoulders' pull toward no twist (1: one image coordinate off by
    1% of body height per sigma of limits.BallRange.twist_sigma_deg)."""
    iterations: int = 12
    """Levenberg-Marquardt steps of the pass with the floor at most. The angles are no better
    after 6 (mean hip and knee RMSE over the rendered walks and virtual views 5.02 deg after 6
    steps, 5.17 after 12), but a left/right swap the cleaning missed stands out only after about
    12: by then the body has pulled away from the swapped keypoints, and its frames fit them poorly."""
    free_iterations: int = 6
    """The same for the first pass, without the floor (track_fit.py): it only finds the floor and
    where the second pass starts; 6 steps there leave the angles as 12 do (5.14 against 5.17
    deg, as above) and the swaps as plain, at three quarters of the time."""
    fit_lengths: tuple[str, ...] = ()
    """The body's proportions refined over the clip (each within `length_prior` of its first
    estimate; LENGTHS names them). None by default: on the rendered walks the image's evidence
    for lengths is biased enough (BlazePose's hips are not the joints) to cost a degree or two."""
    length_prior: float = 0.1
    fit_depth_scale: bool = True
    """Fit how much the world landmarks compress depth (else take them as they are)."""
    depth_scale_prior: float = 0.5
    prior_frames: float = 10.0
    """How many frames' worth of evidence each shared unknown's prior is (log scale, per sigma)."""
    window_frames: int = 1000
    """A longer clip is fitted a window at a time (track_fit.py): the fit's memory, ~100 KB a
    frame of its window, stays that of this many frames however long the clip."""
    window_overlap_frames: int = 30
    """Frames a window shares with the one before, held where that one put them (the seam is smooth)."""


@dataclass(frozen=True)
class Camera:
    focal_px: float
    centre_px: np.ndarray  # (2,)

    def project(self, points: np.ndarray) -> np.ndarray:
        return self.focal_px * points[..., :2] / points[..., 2:3] + self.centre_px


@dataclass(frozen=True)
class Ground:
    """The floor plane in camera axes: normal (up, unit) . p + offset = height above it."""

    normal: np.ndarray
    offset: float

    def height(self, points: np.ndarray) -> np.ndarray:
        return points @ self.normal + self.offset

    def across(self) -> np.ndarray:
        """(2, 3) two unit directions along the floor."""
        a = np.cross(self.normal, [1.0, 0.0, 0.0])
        a /= np.linalg.norm(a)
        return np.stack([a, np.cross(self.normal, a)])


@dataclass(frozen=True)
class Observations:
    """Frames with a person: image landmarks (N, 33, 2) px with their visibility (N, 33), world
    landmarks (N, 33, 3) m in camera axes about the hips, the feet's planted points (N, 2, 2):
    [left, right][heel, ball]; `breaks` (N,)
    marks the frames that do not follow on from the one before (a gap in the clip)."""

    image_px: np.ndarray
    visibility: np.ndarray
    world_m: np.ndarray
    contact: np.ndarray
    fps: float
    breaks: np.ndarray | None = None

    def follows(self) -> np.ndarray:
        """(N,) each frame follows on from the one before (the first does not)."""
        out = np.ones(len(self.image_px), bool) if self.breaks is None else ~self.breaks
        out[0] = False
        return out

    def rows(self, start: int, stop: int) -> Observations:
        """The frames start..stop-1."""
        return replace(self, image_px=self.image_px[start:stop], visibility=self.visibility[start:stop],
                       world_m=self.world_m[start:stop], contact=self.contact[start:stop],
                       breaks=None if self.breaks is None else self.breaks[start:stop])


@dataclass(frozen=True)
class Shared:
    """What every frame of the clip shares: the body, the camera, the world landmarks' depth scale."""

    shape: BodyShape
    camera: Camera
    depth_scale: float = 1.0


@dataclass(frozen=True)
class FitReport:
    cost_start: float
    cost_end: float
    iterations: int
    reprojection_px: np.ndarray  # (N,) mean reprojection error of each frame


def _shared_names(settings: FitSettings) -> list[str]:
    return list(settings.fit_lengths) + (["depth_scale"] if settings.fit_depth_scale else [])


class _System:
    """Normal equations of one linearisation: per-frame blocks, two off-diagonals, and the
    border of the G shared unknowns."""

    def __init__(self, n: int, n_shared: int):
        self.diag = np.zeros((n, N_PARAMS, N_PARAMS))
        self.next = np.zeros((max(n - 1, 0), N_PARAMS, N_PARAMS))  # (t, t+1)
        self.skip = np.zeros((max(n - 2, 0), N_PARAMS))  # (t, t+2), diagonal only
        self.gradient = np.zeros((n, N_PARAMS))
        self.cross = np.zeros((n, N_PARAMS, n_shared))
        self.shared = np.zeros((n_shared, n_shared))
        self.shared_gradient = np.zeros(n_shared)
        self.cost = 0.0

    def add_rows(self, frames: np.ndarray, cols: np.ndarray, jac: np.ndarray, res: np.ndarray,
                 shared_jac: np.ndarray | None) -> None:
        """Residuals res (M, r) of distinct frames, Jacobian jac (M, r, len(cols)) on their pose
        and shared_jac (M, r, G) on the shared unknowns."""
        every = len(frames) == len(self.diag)  # slices where they can be: numpy adds in place, no gather
        if cols[-1] - cols[0] + 1 == len(cols):  # a run of columns
            rows, run = slice(None) if every else frames, slice(int(cols[0]), int(cols[-1]) + 1)
            square, line = (rows, run, run), (rows, run)
        else:
            square = (slice(None) if every else frames[:, None, None], cols[:, None], cols[None, :])
            line = (slice(None) if every else frames[:, None], cols)
        transposed = np.swapaxes(jac, 1, 2)
        self.diag[square] += transposed @ jac
        self.gradient[line] += (transposed @ res[..., None])[..., 0]
        if shared_jac is not None and shared_jac.shape[-1]:
            self.cross[line] += transposed @ shared_jac
            self._add_shared(shared_jac, res)

    def add_pairs(self, rows: np.ndarray, cols: np.ndarray, jac_t: np.ndarray, jac_next: np.ndarray, res: np.ndarray,
                  shared_jac: np.ndarray | None) -> None:
        """Residuals res (M, r) of frame pairs (t, t+1), t = rows, with Jacobians on each frame's pose
        and on the shared unknowns."""
        self.add_rows(rows, cols, jac_t, res, None)
        self.add_rows(rows + 1, cols, jac_next, res, None)
        self.next[rows[:, None, None], cols[None, :, None], cols[None, None, :]] += np.einsum("mri,mrj->mij", jac_t, jac_next)
        if shared_jac is not None and shared_jac.shape[-1]:
            for frames, jac in ((rows, jac_t), (rows + 1, jac_next)):
                self.cross[frames[:, None], cols[None, :]] += np.einsum("mri,mrg->mig", jac, shared_jac)
            self._add_shared(shared_jac, res)

    def _add_shared(self, shared_jac: np.ndarray, res: np.ndarray) -> None:
        self.shared += np.einsum("mrg,mrh->gh", shared_jac, shared_jac)
        self.shared_gradient += np.einsum("mrg,mr->g", shared_jac, res)

    def add_shared_prior(self, index: int, res: float, slope: float) -> None:
        self.shared[index, index] += slope * slope
        self.shared_gradient[index] += slope * res

    def add_smoothness(self, acceleration: np.ndarray, weight: np.ndarray) -> None:
        """Second differences a_t = x_{t-1} - 2 x_t + x_{t+1} (N-2, P) of every parameter, each
        with weight (N-2, P): the stencil (1, -2, 1) on the same column of three frames."""
        n = len(self.diag)
        w2 = weight**2
        res = acceleration * weight
        index = np.arange(N_PARAMS)
        for offset, coef in ((0, 1.0), (1, -2.0), (2, 1.0)):
            self.diag[offset:n - 2 + offset, index, index] += coef * coef * w2
            self.gradient[offset:n - 2 + offset] += coef * res * weight
        self.next[0:n - 2, index, index] += (1.0 * -2.0) * w2  # (t-1, t)
        self.next[1:n - 1, index, index] += (-2.0 * 1.0) * w2  # (t, t+1)
        self.skip[:, index] += w2  # (t-1, t+1)

    def solve(self, damping: float, held: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The Levenberg-Marquardt step: (N, P) on the poses, (G,) on the shared unknowns; the
        first `held` frames do not move (their neighbours' steps take that into account)."""
        n, p, g = len(self.diag), N_PARAMS, self.shared.shape[0]
        u = 2 * p
        # upper band storage, ab[u + row - col, col], filled one diagonal of the blocks at a time
        ab = np.zeros((u + 1, n, p))  # [band row, frame of the column, column in the frame]
        for offset in range(p):  # within a frame: (i, i + offset)
            ab[u - offset, :, offset:] = np.diagonal(self.diag, offset, axis1=1, axis2=2)
        ab[u] += damping * (ab[u] + 1e-6)  # Levenberg-Marquardt's damping of the main diagonal
        ab[u, :held] += _HELD_STIFFNESS
        for offset in range(-p + 1, p) if n > 1 else ():  # frame t to t + 1: (i, j = i + offset), p + offset apart
            values = np.diagonal(self.next, offset, axis1=1, axis2=2)
            ab[u - p - offset, 1:, max(offset, 0):p + min(offset, 0)] = values
        if n > 2:
            ab[0, 2:] = self.skip  # frame t to t + 2, the same column
        ab = ab.reshape(u + 1, n * p)
        rhs = np.column_stack([self.gradient.reshape(-1), self.cross.reshape(n * p, g)])
        solved = solveh_banded(ab, rhs, overwrite_ab=True, check_finite=False)  # no copy of the band
        solved[:held * p] = 0.0  # (held frames: a step of ~1e-12, made exact)
        if not g:
            return -solved[:, 0].reshape(n, p), np.zeros(0)
        border = self.cross.reshape(n * p, g)
        shared = self.shared + np.diag(damping * (np.diag(self.shared) + 1e-6))
        schur = shared - border.T @ solved[:, 1:]
        shared_step = -np.linalg.solve(schur, self.shared_gradient - border.T @ solved[:, 0])
        pose_step = -solved[:, 0] - solved[:, 1:] @ shared_step
        return pose_step.reshape(n, p), shared_step


def _huber(norms: np.ndarray, k: float, weights: np.ndarray | float = 1.0) -> tuple[np.ndarray, float]:
    """IRLS square-root weights (..., 1) of the Huber loss on residual norms (...,) each counted
    `weights` times, and its cost."""
    irls = np.sqrt(np.where(norms <= k, 1.0, k / np.maximum(norms, 1e-12)))
    cost = 0.5 * float(np.sum(weights * np.where(norms <= k, norms**2, 2 * k * norms - k * k)))
    return (np.sqrt(weights) * irls)[..., None], cost


def _cauchy(norms: np.ndarray, k: float, weights: np.ndarray | float = 1.0) -> tuple[np.ndarray, float]:
    """IRLS square-root weights (..., 1) and cost of the Cauchy loss k^2 log(1 + (r/k)^2): its pull
    fades for residuals far beyond k (a contact the rest of the evidence rules out lets go)."""
    ratio = (norms / k) ** 2
    cost = 0.5 * float(np.sum(weights * k * k * np.log1p(ratio)))
    return np.sqrt(weights / (1.0 + ratio))[..., None], cost


def _rotation_log_steps(rotations: np.ndarray) -> np.ndarray:
    """(N-1, 3) rotation vectors from each frame's rotation to the next's, in its own axes."""
    relative = np.swapaxes(rotations[:-1], 1, 2) @ rotations[1:]
    return Rotation.from_matrix(relative).as_rotvec()


def _accelerations(pose: Pose) -> np.ndarray:
    """(N-2, P) second differences of the pose, column by column as steps are applied."""
    n = len(pose)
    out = np.zeros((n - 2, N_PARAMS))
    out[:, 0:3] = pose.root_m[:-2] - 2 * pose.root_m[1:-1] + pose.root_m[2:]
    for joint in JOINTS:
        cols = PARAM_SLICES[joint.name]
        if joint.kind in ("root", "ball"):
            steps = _rotation_log_steps(pose.rotations[joint.name])
            out[:, cols.stop - 3:cols.stop] = steps[1:] - steps[:-1]
        else:
            angle = pose.angles[joint.name].reshape(n, -1)
            out[:, cols] = angle[:-2] - 2 * angle[1:-1] + angle[2:]
    return out


@dataclass(frozen=True)
class _Scales:
    """What the terms are measured in, fixed for a whole fit so that costs compare between steps."""

    body_m: float
    body_px: float


class _Problem:
    """One run's terms, linearised at a pose and shared state."""

    def __init__(self, obs: Observations, ground: Ground | None, settings: FitSettings, first: Shared):
        self.obs, self.ground, self.settings, self.first = obs, ground, settings, first
        self.names = _shared_names(settings)

    def scales(self, shared: Shared, pose: Pose) -> _Scales:
        body_m = shared.shape.height_m
        return _Scales(body_m, shared.camera.focal_px * body_m / float(np.median(pose.root_m[:, 2])))

    def linearise(self, pose: Pose, shared: Shared, scales: _Scales) -> tuple[_System, np.ndarray]:
        """The normal equations at this pose, and each frame's mean reprojection error (px)."""
        obs, settings = self.obs, self.settings
        n, g = len(pose), len(self.names)
        system = _System(n, g)
        kin = forward(shared.shape, pose, jacobian=True, length_jacobian=bool(settings.fit_lengths))
        points = kin.points
        length_cols = [LENGTHS.index(name) for name in settings.fit_lengths]

        def shared_jac(k: int, frames, lin: np.ndarray, depth: np.ndarray | None = None):
            """(M, r, G) Jacobian on the shared unknowns of residual rows lin @ d(point k)."""
            out = np.zeros(lin.shape[:2] + (g,))
            if length_cols:
                out[:, :, :len(length_cols)] = lin @ kin.length_derivatives[k][frames][:, :, length_cols]
            if depth is not None and settings.fit_depth_scale:
                out[:, :, self.names.index("depth_scale")] = depth
            return out

        every = np.arange(n)
        camera = shared.camera
        projected = camera.project(points)
        # per keypoint: its reprojection (in body heights), and the 3D shape prior about the hips
        # (the world landmarks' origin), depth compressed; five rows a keypoint, every keypoint at once
        fitted = FITTED_KEYPOINTS
        dense = np.zeros((n, len(fitted), 3, N_PARAMS))  # d(keypoint) by every pose column
        for i, k in enumerate(fitted):
            dense[:, i][..., kin.columns[k]] = kin.derivatives[k]
        image_res = (projected[:, fitted] - obs.image_px[:, fitted]) / scales.body_px
        image_weight, cost = _huber(np.linalg.norm(image_res, axis=-1), settings.huber_body_heights,
                                    obs.visibility[:, fitted])
        squash = np.array([1.0, 1.0, shared.depth_scale])
        relative = points[:, fitted] - pose.root_m[:, None]
        prior_res = (relative * squash - obs.world_m[:, fitted]) / scales.body_m
        w_prior = np.where(np.isin(fitted, list(_TORSO)), settings.prior_torso_weight, settings.prior_weight)
        prior_weight, prior_cost = _huber(np.linalg.norm(prior_res, axis=-1), 0.1, w_prior**2)
        system.cost += cost + prior_cost
        x, y, z = (points[:, fitted, i] for i in range(3))
        d_proj = np.zeros((n, len(fitted), 2, 3))
        d_proj[..., 0, 0] = d_proj[..., 1, 1] = camera.focal_px / z
        d_proj[..., 0, 2], d_proj[..., 1, 2] = -camera.focal_px * x / z**2, -camera.focal_px * y / z**2
        image_lin = (image_weight[..., None] / scales.body_px) * d_proj
        prior_lin = (prior_weight[..., None] / scales.body_m) * np.diag(squash)
        prior_jac = prior_lin @ dense
        prior_jac[..., :3] = 0.0  # the root's position cancels
        rows = (n, 5 * len(fitted))
        jac = np.concatenate([image_lin @ dense, prior_jac], axis=2).reshape(rows + (N_PARAMS,))
        res = np.concatenate([image_res * image_weight, prior_res * prior_weight], axis=2).reshape(rows)
        shared_rows = np.zeros((n, len(fitted), 5, g))  # d(rows) by the shared unknowns
        if length_cols:
            lengths = np.stack([kin.length_derivatives[k][:, :, length_cols] for k in fitted], axis=1)
            shared_rows[:, :, :2, :len(length_cols)] = image_lin @ lengths
            shared_rows[:, :, 2:, :len(length_cols)] = prior_lin @ lengths
        if settings.fit_depth_scale:  # the depth row of the prior
            shared_rows[:, :, 4, self.names.index("depth_scale")] = (
                prior_weight[..., 0] / scales.body_m) * shared.depth_scale * relative[..., 2]
        system.add_rows(every, np.arange(N_PARAMS), jac, res, shared_rows.reshape(rows + (g,)))
        # smoothness, over three frames in a row
        follows = obs.follows()
        if n >= 3:
            weight = np.full(N_PARAMS, settings.smooth_weight * (obs.fps / 30.0) ** 2)
            weight[0:3] = settings.root_smooth_weight * (obs.fps / 30.0) ** 2 / scales.body_m
            weight = weight * (follows[1:-1] & follows[2:])[:, None]
            acceleration = _accelerations(pose)
            system.cost += 0.5 * float(np.sum((acceleration * weight) ** 2))
            system.add_smoothness(acceleration, weight)
        self._ranges(system, pose)
        # planted heels and balls hold still on the floor; no part of a foot under it
        if self.ground is not None and n >= 2:
            self._contacts(system, points, kin, scales, shared_jac, follows, shared.shape)
        # the shared unknowns stay near their first estimates
        unit = _UNIT * np.sqrt(settings.prior_frames)
        for i, name in enumerate(self.names):
            if name == "depth_scale":
                res, slope = np.log(shared.depth_scale / self.first.depth_scale), unit / settings.depth_scale_prior
            else:
                now, then = (np.ravel(getattr(shape, name))[-1] for shape in (shared.shape, self.first.shape))
                res, slope = np.log(now / then), unit / settings.length_prior
            system.cost += 0.5 * float((res * slope) ** 2)
            system.add_shared_prior(i, res * slope, slope)
        reprojection = np.mean(np.linalg.norm(projected[:, FITTED_KEYPOINTS] - obs.image_px[:, FITTED_KEYPOINTS], axis=-1),
                               axis=1)
        return system, reprojection

    def _contacts(self, system: _System, points: np.ndarray, kin, scales: _Scales, shared_jac, follows: np.ndarray,
                  shape: BodyShape) -> None:
        """A planted heel or ball does not slide, and stays on the floor where its contact is sure
        (CONTACT_WIDEN_S); no part of a foot goes under it."""
        ground, obs, settings = self.ground, self.obs, self.settings
        weight2 = settings.contact_weight**2
        along = ground.across()
        ball = shape.ball_fraction
        trim = np.ones(2 * int(round(CONTACT_WIDEN_S * obs.fps)) + 1, bool)  # the floor term's phases: unwidened
        # each sole point as a mix of heel and toe tip, and which planted column holds it (toe: none)
        mix = {"heel": (1.0, 0.0, 0), "ball": (1.0 - ball, ball, 1), "toe": (0.0, 1.0, None)}
        for side, (heel, toe) in _FEET.items():
            cols = kin.columns[heel]  # heel and toe both ride on the ankle
            for a, b, column in mix.values():
                point = a * points[:, heel] + b * points[:, toe]
                height = ground.height(point)
                der = a * kin.derivatives[heel] + b * kin.derivatives[toe]

                def lengths(frames, lin):
                    return a * shared_jac(heel, frames, lin) + b * shared_jac(toe, frames, lin)
                planted = obs.contact[:, side, column] if column is not None else np.zeros(len(point), bool)
                frames = np.flatnonzero(binary_erosion(planted, trim) | (height < 0))  # on the floor, or under it
                if frames.size:
                    raw = height[frames][:, None] / scales.body_m
                    weight, cost = _cauchy(np.abs(raw[:, 0]), settings.contact_scale_body_heights, weight2)
                    system.cost += cost
                    lin = (weight[..., None] / scales.body_m) * ground.normal[None, None, :]
                    system.add_rows(frames, cols, lin @ der[frames], raw * weight, lengths(frames, lin))
                pairs = np.flatnonzero(planted[:-1] & planted[1:] & follows[1:])
                if pairs.size:
                    raw = (point[pairs + 1] - point[pairs]) @ along.T / scales.body_m
                    weight, cost = _cauchy(np.linalg.norm(raw, axis=-1), settings.contact_scale_body_heights, weight2)
                    system.cost += cost
                    lin = (weight[..., None] / scales.body_m) * along[None]
                    system.add_pairs(pairs, cols, -(lin @ der[pairs]), lin @ der[pairs + 1], raw * weight,
                                     lengths(pairs + 1, lin) - lengths(pairs, lin))

    def _ranges(self, system: _System, pose: Pose) -> None:
        """Ball joints beyond their anatomical ranges, and the hips' and shoulders' twist."""
        every = np.arange(len(pose))
        for joint in JOINTS:
            ball = BALL_RANGES.get(joint.name.split(".")[0]) if joint.kind == "ball" else None
            if ball is None:
                continue
            mirrored = joint.name.endswith(".R")
            rotations = pose.rotations[joint.name]
            angles = ball_angles(rotations, ball, mirrored)
            rows, slopes, axes = [], [], []  # a residual per range (and twist prior), its slope, its angle
            for axis, bounds in enumerate((ball.forward_deg, ball.sideways_deg, ball.twist_deg)):
                if bounds is None:
                    continue
                low, high = np.radians(bounds)
                excess = np.minimum(angles[:, axis] - low, 0.0) + np.maximum(angles[:, axis] - high, 0.0)
                rows.append(self.settings.limit_weight * excess)
                slopes.append(self.settings.limit_weight * (excess != 0.0))
                axes.append(axis)
            if ball.twist_sigma_deg:
                weight = self.settings.twist_weight * _UNIT / np.radians(ball.twist_sigma_deg)
                rows.append(weight * angles[:, 2])
                slopes.append(np.full(len(pose), weight))
                axes.append(2)
            res = np.stack(rows, axis=-1)
            system.cost += 0.5 * float(np.sum(res * res))
            jac = np.stack(slopes, axis=-1)[:, :, None] * ball_angle_jacobians(rotations, ball, mirrored)[:, axes]
            system.add_rows(every, np.arange(PARAM_SLICES[joint.name].start, PARAM_SLICES[joint.name].stop),
                            jac, res, None)

    def stepped(self, shared: Shared, step: np.ndarray) -> Shared:
        if not len(step):
            return shared
        out = shared
        if self.settings.fit_lengths:
            scales = np.zeros(len(LENGTHS))
            scales[[LENGTHS.index(n) for n in self.settings.fit_lengths]] = step[:len(self.settings.fit_lengths)]
            out = replace(out, shape=out.shape.rescaled(scales))
        if self.settings.fit_depth_scale:
            out = replace(out, depth_scale=out.depth_scale * float(np.exp(step[self.names.index("depth_scale")])))
        return out


def fit_run(pose: Pose, shared: Shared, obs: Observations, ground: Ground | None = None,
            settings: FitSettings = FitSettings(), first: Shared | None = None,
            after_step: Callable[[], None] | None = None, held: int = 0) -> tuple[Pose, Shared, FitReport]:
    """The pose of every frame of one run, and the shared unknowns, fitted together from `pose`
    and `shared`; `first` (default: `shared`) is where the shared unknowns' priors hold them.
    The first `held` frames keep their pose. `after_step` is called after each
    Levenberg-Marquardt step (it may raise to stop the fit)."""
    problem = _Problem(obs, ground, settings, first or shared)
    scales = problem.scales(shared, pose)
    system, reprojection = problem.linearise(pose, shared, scales)
    start = cost = system.cost
    damping = 1e-3
    done = 0
    for done in range(1, settings.iterations + 1):
        pose_step, shared_step = system.solve(damping, held)
        candidate = pose.stepped(pose_step).clamped()
        candidate_shared = problem.stepped(shared, shared_step)
        # linearised at once: most steps are taken, and a taken step needs its Jacobian next
        trial, trial_reprojection = problem.linearise(candidate, candidate_shared, scales)
        if after_step is not None:
            after_step()
        if trial.cost < cost:
            improvement = (cost - trial.cost) / max(cost, 1e-12)
            pose, shared, damping = candidate, candidate_shared, max(damping / 3, 1e-7)
            system, reprojection, cost = trial, trial_reprojection, trial.cost
            if improvement < 1e-5:
                break
        else:
            damping *= 4
            if damping > 1e6:
                break
    return pose, shared, FitReport(start, cost, done, reprojection)
