"""A walk with exactly known motion: forward kinematics of the DeepMimic captured walk cycle.

../shared/fixtures/motion/humanoid3d_walk.txt drives humanoid.urdf (DeepMimic scales it by
0.25 to metres; y up, walking along +x, the body's right is +z). From it: the 33 BlazePose
keypoints in Blender's world (z up, walking along +x, left = +y), what a side camera sees of
them (pixels, and MediaPipe-style hip-centred world landmarks), and the truth: joint angles,
root path, foot contact. Face, hand, heel and toe points are fixed points of the head, hand
and foot links.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from ras_mocap.core.skeleton import KP

SCALE = 0.25  # DeepMimic's humanoid is built 4x and loaded at a quarter size
TO_BLENDER = np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]])  # (x, y up, z right) -> (x, y left, z up)

# urdf joint offsets from the parent link, before scaling
_OFFSETS = {
    "chest": (0, 0.944604, 0), "neck": (0, 0.895576, 0),
    "right_hip": (0, 0, 0.339548), "left_hip": (0, 0, -0.339548),
    "knee": (0, -1.686184, 0), "ankle": (0, -1.639480, 0),
    "right_shoulder": (-0.0962, 0.974, 0.73244), "left_shoulder": (-0.0962, 0.974, -0.73244),
    "elbow": (0, -1.099152, 0), "wrist": (0, -1.035788, 0),
}
# points fixed in a link (metres, link axes x forward, y up, z right): (link, offset)
_FIXED_POINTS_M = {
    "nose": ("neck", (0.10, 0.18, 0.0)),
    "left_eye_inner": ("neck", (0.085, 0.21, -0.015)), "left_eye": ("neck", (0.08, 0.21, -0.03)),
    "left_eye_outer": ("neck", (0.075, 0.21, -0.045)), "right_eye_inner": ("neck", (0.085, 0.21, 0.015)),
    "right_eye": ("neck", (0.08, 0.21, 0.03)), "right_eye_outer": ("neck", (0.075, 0.21, 0.045)),
    "left_ear": ("neck", (0.0, 0.18, -0.075)), "right_ear": ("neck", (0.0, 0.18, 0.075)),
    "mouth_left": ("neck", (0.09, 0.14, -0.02)), "mouth_right": ("neck", (0.09, 0.14, 0.02)),
    **{f"{side}_{name}": (f"{side}_wrist", offset)
       for side, sign in (("left", -1), ("right", 1))
       for name, offset in (("pinky", (-0.01, -0.08, sign * 0.02)), ("index", (0.01, -0.08, -sign * 0.01)),
                            ("thumb", (0.03, -0.05, -sign * 0.02)))},
    **{f"{side}_{name}": (f"{side}_ankle", offset)
       for side in ("left", "right")
       for name, offset in (("heel", (-0.0435, -0.05, 0.0)), ("foot_index", (0.1335, -0.05, 0.0)))},
}


def _quat(wxyz: np.ndarray) -> Rotation:
    return Rotation.from_quat(np.asarray(wxyz)[..., [1, 2, 3, 0]])


def load_frames(path: Path, seconds: float | None = None) -> tuple[np.ndarray, float]:
    """The motion's frames (N, 44) and fps; with `seconds`, the cycle repeated (root moved on)."""
    frames = np.array(json.loads(Path(path).read_text())["Frames"])
    fps = 1.0 / frames[0, 0]
    if seconds:
        cycle, step = frames[:-1], frames[-1, 1:4] - frames[0, 1:4]  # the last frame = the first, moved on
        step[1] = 0.0
        repeats = int(np.ceil(seconds * fps / len(cycle)))
        frames = np.concatenate([cycle + np.r_[0, k * step, np.zeros(40)] for k in range(repeats)])
        frames = frames[: int(round(seconds * fps))]
    return frames, fps


def forward_kinematics(frames: np.ndarray) -> dict[str, np.ndarray]:
    """Positions (N, 3) of joints and fixed points, DeepMimic axes, metres; plus link rotations."""
    col = iter(range(1, 44))

    def take(n: int) -> np.ndarray:
        return frames[:, [next(col) for _ in range(n)]]

    root_pos = take(3)
    rot = {"root": _quat(take(4)), "chest": None}
    rot["chest"] = rot["root"] * _quat(take(4))
    rot["neck"] = rot["chest"] * _quat(take(4))
    z_axis = np.array([0, 0, 1.0])
    for side in ("right", "left"):
        rot[f"{side}_hip"] = rot["root"] * _quat(take(4))
        rot[f"{side}_knee"] = rot[f"{side}_hip"] * Rotation.from_rotvec(take(1) * z_axis)
        rot[f"{side}_ankle"] = rot[f"{side}_knee"] * _quat(take(4))
        rot[f"{side}_shoulder"] = rot["chest"] * _quat(take(4))
        rot[f"{side}_elbow"] = rot[f"{side}_shoulder"] * Rotation.from_rotvec(take(1) * z_axis)
        rot[f"{side}_wrist"] = rot[f"{side}_elbow"]

    def offset(name: str) -> np.ndarray:
        return np.asarray(_OFFSETS[name], float) * SCALE

    pos = {"root": root_pos}
    pos["chest"] = pos["root"] + rot["root"].apply(offset("chest"))
    pos["neck"] = pos["chest"] + rot["chest"].apply(offset("neck"))
    for side in ("right", "left"):
        pos[f"{side}_hip"] = pos["root"] + rot["root"].apply(offset(f"{side}_hip"))
        pos[f"{side}_knee"] = pos[f"{side}_hip"] + rot[f"{side}_hip"].apply(offset("knee"))
        pos[f"{side}_ankle"] = pos[f"{side}_knee"] + rot[f"{side}_knee"].apply(offset("ankle"))
        pos[f"{side}_shoulder"] = pos["chest"] + rot["chest"].apply(offset(f"{side}_shoulder"))
        pos[f"{side}_elbow"] = pos[f"{side}_shoulder"] + rot[f"{side}_shoulder"].apply(offset("elbow"))
        pos[f"{side}_wrist"] = pos[f"{side}_elbow"] + rot[f"{side}_elbow"].apply(offset("wrist"))
    for name, (link, point) in _FIXED_POINTS_M.items():
        pos[name] = pos[link] + rot[link].apply(np.asarray(point, float))
    return pos


@dataclass(frozen=True)
class SideCamera:
    """A pinhole camera on the subject's right (Blender -y), looking along +y at the walk's middle."""

    distance_m: float = 6.0
    height_m: float = 1.0
    centre_x_m: float = 2.0
    focal_px: float = 700.0
    size_px: tuple[int, int] = (960, 540)

    def to_camera(self, world_m: np.ndarray) -> np.ndarray:
        """Blender world -> camera axes (x right, y down, z forward), metres."""
        rel = world_m - np.array([self.centre_x_m, -self.distance_m, self.height_m])
        return np.stack([rel[..., 0], -rel[..., 2], rel[..., 1]], axis=-1)

    def project_px(self, world_m: np.ndarray) -> np.ndarray:
        cam = self.to_camera(world_m)
        return self.focal_px * cam[..., :2] / cam[..., 2:3] + np.asarray(self.size_px) / 2

    @classmethod
    def seeing(cls, x_min_m: float, x_max_m: float, margin_m: float = 0.8) -> SideCamera:
        """A side camera whose image spans the walk's [x_min_m, x_max_m] with a margin, at the
        default camera's pixels per metre (the same body size and noise in pixels), with the
        focal length the pipeline assumes for such an image (a 65 deg field of view): a walk
        longer than the default camera's 8 m of view leaves its image, which no tracker sees."""
        from ras_mocap.core.rootmotion import focal_px_for

        default = cls()
        px_per_m = default.focal_px / default.distance_m
        size_px = (int(np.ceil((x_max_m - x_min_m + 2 * margin_m) * px_per_m)), default.size_px[1])
        focal_px = focal_px_for(size_px)
        return cls(distance_m=focal_px / px_per_m, centre_x_m=(x_min_m + x_max_m) / 2, focal_px=focal_px,
                   size_px=size_px)


@dataclass(frozen=True)
class ViewCamera:
    """A level pinhole camera at `azimuth_deg` about the vertical through the walk's middle:
    0 = on the subject's right (a side view), 90 = ahead of the walker looking back (head-on),
    as the rendered walks' cameras stand (their README). `to_camera` and `project_px` as
    SideCamera's."""

    azimuth_deg: float
    middle_m: tuple[float, float, float]
    distance_m: float = 6.5
    height_m: float = 1.0
    focal_px: float = 700.0
    size_px: tuple[int, int] = (960, 540)

    @property
    def position_m(self) -> np.ndarray:
        a = np.radians(self.azimuth_deg)
        mx, my, _ = self.middle_m
        return np.array([mx + self.distance_m * np.sin(a), my - self.distance_m * np.cos(a), self.height_m])

    @property
    def rotation(self) -> np.ndarray:
        """World -> camera axes (x right, y down, z forward)."""
        forward = np.array(self.middle_m) - self.position_m
        forward[2] = 0.0
        z = forward / np.linalg.norm(forward)
        x = np.cross(z, [0.0, 0.0, 1.0])
        return np.stack([x, np.cross(z, x), z])

    def to_camera(self, world_m: np.ndarray) -> np.ndarray:
        return (world_m - self.position_m) @ self.rotation.T

    def project_px(self, world_m: np.ndarray) -> np.ndarray:
        cam = self.to_camera(world_m)
        return self.focal_px * cam[..., :2] / cam[..., 2:3] + np.asarray(self.size_px) / 2


def blazepose_like(keypoints_m: np.ndarray, fps: float, camera, noise_body_heights: float = 0.01,
                   depth_scale: float = 0.5, seed: int = 0):
    """What BlazePose might report of exact keypoints (N, 33, 3) through `camera`, as a Track:
    image points off by `noise_body_heights` of a 1.7 m body (RMS, in pixels at each frame's
    distance), and world landmarks (camera axes, about the hips) whose depth is compressed by
    `depth_scale`, with as much 3D noise."""
    from ras_mocap.core.track import Track

    rng = np.random.default_rng(seed)
    cam = camera.to_camera(keypoints_m)
    sigma_m = noise_body_heights * 1.7
    image_px = camera.project_px(keypoints_m)
    px_per_m = camera.focal_px / cam[:, KP["left_hip"], 2]
    image_px = image_px + rng.normal(0, 1, image_px.shape) * (sigma_m * px_per_m)[:, None, None] / np.sqrt(2)
    world = cam - 0.5 * (cam[:, [KP["left_hip"]]] + cam[:, [KP["right_hip"]]])
    world = world * np.array([1.0, 1.0, depth_scale]) + rng.normal(0, sigma_m / np.sqrt(3), world.shape)
    track = Track.empty(len(keypoints_m), fps, camera.size_px)
    track.found[:] = True
    track.visibility[:] = 1.0
    track.world_xyz_m[:] = world
    track.image_xyz[..., :2] = image_px / np.asarray(camera.size_px)
    track.image_xyz[..., 2] = 0.0
    return track


@dataclass(frozen=True)
class TruthWalk:
    fps: float
    keypoints_m: np.ndarray  # (N, 33, 3) Blender world
    root_m: np.ndarray  # (N, 3) mid-hip
    contact: np.ndarray  # (N, 2) left, right foot on the floor
    contact_sagittal: np.ndarray  # (N, 2) the same, as a side view can see it (see _contact)
    image_px: np.ndarray  # (N, 33, 2) through the side camera
    world_landmarks_m: np.ndarray  # (N, 33, 3) MediaPipe-style: camera axes, origin between the hips

    @property
    def time_s(self) -> np.ndarray:
        return np.arange(len(self.keypoints_m)) / self.fps


def truth_walk(path: Path, seconds: float | None = None, camera: SideCamera = SideCamera()) -> TruthWalk:
    frames, fps = load_frames(path, seconds)
    pos = forward_kinematics(frames)
    keypoints = np.full((len(frames), 33, 3), np.nan)
    for name, index in KP.items():
        keypoints[:, index] = pos[name] @ TO_BLENDER.T
    floor_z = np.nanmin(keypoints[:, [KP["left_heel"], KP["right_heel"], KP["left_foot_index"], KP["right_foot_index"]], 2])
    keypoints[..., 2] -= floor_z
    root = 0.5 * (keypoints[:, KP["left_hip"]] + keypoints[:, KP["right_hip"]])
    contact = np.stack([_contact(keypoints, side, fps) for side in ("left", "right")], axis=-1)
    contact_sagittal = np.stack([_contact(keypoints, side, fps, axes=[0, 2]) for side in ("left", "right")],
                                axis=-1)
    cam = camera.to_camera(keypoints)
    mid_hip_cam = 0.5 * (cam[:, KP["left_hip"]] + cam[:, KP["right_hip"]])
    return TruthWalk(fps, keypoints, root, contact, contact_sagittal, camera.project_px(keypoints),
                     cam - mid_hip_cam[:, None])


def _contact(keypoints: np.ndarray, side: str, fps: float, height_m: float = 0.02, speed_m_s: float = 0.3,
             axes: list[int] | None = None) -> np.ndarray:
    """The foot is on the floor: its lowest point (heel or toe) is low and slow (its speed along
    `axes` only, if given).

    `axes=[0, 2]` (along the walk and up) is the contact a side camera can see. The two differ
    at heel strike: at the DeepMimic clip's mirror seams, which fall on the heel strikes, the
    landing foot jumps 9.6 cm sideways in one frame while already on the floor and nearly still
    along the walk (0.26 m/s): the jump starts the 3D contact two frames later, unseen from the side."""
    points = keypoints[:, [KP[f"{side}_heel"], KP[f"{side}_foot_index"]]]
    lowest = points[..., 2].min(axis=1)
    moving = points if axes is None else points[..., axes]
    speed = np.linalg.norm(np.gradient(moving, axis=0), axis=-1).min(axis=1) * fps
    return (lowest < height_m) & (speed < speed_m_s)


def sagittal_angles_deg(points: np.ndarray) -> dict[str, np.ndarray]:
    """Hip flexion, knee flexion, ankle dorsiflexion (N, 2: left, right) in the x-z plane of
    (N, 33, 3) Blender-world keypoints, walking along +x; the foot is the heel -> toe line."""

    def angle_from_down(a: str, b: str) -> np.ndarray:
        v = points[:, KP[b]] - points[:, KP[a]]
        return np.degrees(np.arctan2(v[:, 0], -v[:, 2]))  # + = b in front of a

    out: dict[str, list] = {"hip": [], "knee": [], "ankle": []}
    trunk = np.degrees(np.arctan2(
        *(0.5 * (points[:, KP["left_hip"]] + points[:, KP["right_hip"]])
          - 0.5 * (points[:, KP["left_shoulder"]] + points[:, KP["right_shoulder"]]))[:, [0, 2]].T * [[1], [-1]]
    ))
    for side in ("left", "right"):
        thigh = angle_from_down(f"{side}_hip", f"{side}_knee")
        shank = angle_from_down(f"{side}_knee", f"{side}_ankle")
        foot = angle_from_down(f"{side}_heel", f"{side}_foot_index")
        out["hip"].append(thigh - trunk)
        out["knee"].append(thigh - shank)
        out["ankle"].append(foot - shank - 90.0)
    return {k: np.stack(v, axis=-1) for k, v in out.items()}


def noisy_track(walk: TruthWalk, camera: SideCamera, noise_m: float, seed: int = 0):
    """The walk as BlazePose might see it, as a Track: every keypoint off by `noise_m` RMS (3D),
    the image points by as much in pixels at the subject's distance."""
    from ras_mocap.core.track import Track

    rng = np.random.default_rng(seed)
    sigma_m = noise_m / np.sqrt(3)
    px_per_m = camera.focal_px / camera.distance_m
    track = Track.empty(len(walk.keypoints_m), walk.fps, camera.size_px)
    track.found[:] = True
    track.visibility[:] = 1.0
    track.world_xyz_m[:] = walk.world_landmarks_m + rng.normal(0, sigma_m, walk.world_landmarks_m.shape)
    image_px = walk.image_px + rng.normal(0, sigma_m * px_per_m, walk.image_px.shape)
    track.image_xyz[..., :2] = image_px / np.asarray(camera.size_px)
    track.image_xyz[..., 2] = 0.0
    return track


def truth_keypoints(walk: TruthWalk) -> np.ndarray:
    """The truth's keypoints with heel = ankle, as a rig without heel bones measures its feet."""
    points = walk.keypoints_m.copy()
    for side in ("left", "right"):
        points[:, KP[f"{side}_heel"]] = points[:, KP[f"{side}_ankle"]]
    return points


def angle_rmse_deg(points: np.ndarray, truth_points: np.ndarray) -> dict[str, np.ndarray]:
    """Sagittal hip / knee / ankle RMSE (2: left, right) of keypoints against the truth's."""
    got, want = sagittal_angles_deg(points), sagittal_angles_deg(truth_points)
    return {k: np.sqrt(np.mean((got[k] - want[k]) ** 2, axis=0)) for k in want}


def skate_per_contact_m(rear_m: np.ndarray, front_m: np.ndarray, contact: np.ndarray) -> np.ndarray:
    """For each contact phase, how far the foot's resting point (the lower of two sole points)
    strays horizontally from where it rests (its median place; each point on its own)."""
    from ras_mocap.core.filters import valid_runs

    out = []
    for start, stop in valid_runs(contact):
        rear, front = rear_m[start:stop], front_m[start:stop]
        rear_down = rear[:, 2] <= front[:, 2]
        resting = np.where(rear_down[:, None], rear, front)
        out.append(max(
            np.linalg.norm(points[:, :2] - np.median(points[:, :2], axis=0), axis=1).max()
            for points in (resting[rear_down], resting[~rear_down]) if len(points)
        ))
    return np.array(out)
