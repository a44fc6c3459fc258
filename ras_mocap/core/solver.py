"""Landmarks -> armature pose: per-bone local rotations (Euler) and pelvis translation.

A first solver, vectorised over frames: each driven bone is aimed from two
keypoint-derived joints; bones with a `side` pair (pelvis, spine, chest, neck,
head) also take their twist from it, the others swing from their parent's pose.
Root motion: the hip centre's path from the image and the metric landmarks
(rootmotion.py; static, level camera), the floor under the lowest foot point.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from .rig_spec import BodyLengths, rest_pose
from .rootmotion import hip_path_camera_m, lift_image_landmarks
from .skeleton import KP, mediapipe_to_blender

__all__ = [
    "RestBone", "BoneDrive", "RAS_DRIVES", "PoseChannels", "keypoint_joints", "pose_points", "solve",
    "blender_euler", "rotation_from_blender_euler",
]


@dataclass(frozen=True)
class RestBone:
    """A bone of the target armature at rest: armature-space rotation (bone.matrix_local)."""

    name: str
    parent: str | None
    matrix: np.ndarray  # (3, 3)
    head_m: np.ndarray  # (3,)
    length_m: float
    rotation_mode: str = "XYZ"  # the pose bone's Euler order


@dataclass(frozen=True)
class BoneDrive:
    """Aim a bone along joint `start` -> `end`; twist it by `side_from` -> `side_to` if given."""

    start: str
    end: str
    side_from: str | None = None
    side_to: str | None = None


RAS_DRIVES: dict[str, BoneDrive] = {
    "pelvis": BoneDrive("mid_hip", "neck_base", "hip.R", "hip.L"),
    "spine": BoneDrive("mid_hip", "neck_base", "mid_side.R", "mid_side.L"),
    "chest": BoneDrive("mid_hip", "neck_base", "shoulder.R", "shoulder.L"),
    "neck": BoneDrive("neck_base", "head_base", "ear.R", "ear.L"),
    "head": BoneDrive("neck_base", "head_base", "ear.R", "ear.L"),
    **{
        f"{bone}.{side}": BoneDrive(f"{start}.{side}", f"{end}.{side}")
        for side in ("L", "R")
        for bone, start, end in (
            ("upper_arm", "shoulder", "elbow"),
            ("forearm", "elbow", "wrist"),
            ("thigh", "hip", "knee"),
            ("shin", "knee", "ankle"),
        )
    },
    **{
        f"{bone}.{side}": BoneDrive(f"{start}.{side}", f"{end}.{side}", f"{side_from}.{side}", f"{side_to}.{side}")
        for side in ("L", "R")
        for bone, start, end, side_from, side_to in (
            ("hand", "wrist", "hand_tip", "pinky", "index"),  # twist across the palm
            ("foot", "ankle", "toe_tip", "ankle", "foot_side"),  # twist from the heel-ankle-toe plane
        )
    },
}


@dataclass
class PoseChannels:
    """Per-frame channels for one armature: Euler angles per bone and the pelvis location."""

    euler_rad: dict[str, np.ndarray]  # bone -> (N, 3), in the bone's own rest frame and Euler order
    euler_order: dict[str, str]  # bone -> Blender rotation mode, e.g. "XYZ"
    location_m: dict[str, np.ndarray]  # bone -> (N, 3), pose-bone location channels


def keypoint_joints(points: np.ndarray) -> dict[str, np.ndarray]:
    """Named joints (N, D) from the 33 keypoints (N, 33, D), on the rest pose's naming."""
    p = {name: points[:, i] for name, i in KP.items()}
    joints = {
        "mid_hip": 0.5 * (p["left_hip"] + p["right_hip"]),
        "neck_base": 0.5 * (p["left_shoulder"] + p["right_shoulder"]),
        "head_base": 0.5 * (p["left_ear"] + p["right_ear"]),
    }
    for side, prefix in (("L", "left"), ("R", "right")):
        joints |= {
            f"shoulder.{side}": p[f"{prefix}_shoulder"],
            f"elbow.{side}": p[f"{prefix}_elbow"],
            f"wrist.{side}": p[f"{prefix}_wrist"],
            f"hand_tip.{side}": 0.5 * (p[f"{prefix}_index"] + p[f"{prefix}_pinky"]),
            f"hip.{side}": p[f"{prefix}_hip"],
            f"knee.{side}": p[f"{prefix}_knee"],
            f"ankle.{side}": p[f"{prefix}_ankle"],
            f"heel.{side}": p[f"{prefix}_heel"],
            f"toe_tip.{side}": p[f"{prefix}_foot_index"],
            f"ear.{side}": p[f"{prefix}_ear"],
            f"mid_side.{side}": 0.5 * (p[f"{prefix}_hip"] + p[f"{prefix}_shoulder"]),
            f"index.{side}": p[f"{prefix}_index"],
            f"pinky.{side}": p[f"{prefix}_pinky"],
        }
        if points.shape[-1] == 3:
            joints[f"foot_side.{side}"] = _foot_side(joints[f"heel.{side}"], joints[f"ankle.{side}"], joints[f"toe_tip.{side}"])
    return joints


def _foot_side(heel: np.ndarray, ankle: np.ndarray, toe: np.ndarray) -> np.ndarray:
    """A point 10 cm off the ankle along the normal of the heel-ankle-toe plane (the foot's side)."""
    return ankle + 0.1 * _unit(np.cross(toe - heel, ankle - heel))


def _rest_joints(lengths: BodyLengths) -> dict[str, np.ndarray]:
    joints = rest_pose(lengths)
    for side in ("L", "R"):
        joints[f"ear.{side}"] = joints["head_base"] + (joints[f"shoulder.{side}"] - joints["neck_base"]) * 0.25
        joints[f"mid_side.{side}"] = 0.5 * (joints[f"hip.{side}"] + joints[f"shoulder.{side}"])
        joints[f"heel.{side}"] = joints[f"ankle.{side}"] * (1.0, 0.0, 0.0) + (0.0, 0.05, 0.0)
        joints[f"foot_side.{side}"] = _foot_side(joints[f"heel.{side}"], joints[f"ankle.{side}"], joints[f"toe_tip.{side}"])
        # hands hang with the palms to the thighs: the index in front (-y) of the pinky
        joints[f"index.{side}"] = joints[f"hand_tip.{side}"] + (0.0, -0.03, 0.0)
        joints[f"pinky.{side}"] = joints[f"hand_tip.{side}"] + (0.0, 0.03, 0.0)
    return joints


def blender_euler(rotation: Rotation, mode: str) -> np.ndarray:
    """(N, 3) Euler angles as Blender stores them for rotation mode `mode`: always in x, y, z
    slots. Blender's "YXZ" applies Y first: scipy's extrinsic "yxz", whose angles come in y, x, z order."""
    return rotation.as_euler(mode.lower())[:, [mode.index(axis) for axis in "XYZ"]]


def rotation_from_blender_euler(euler_xyz: np.ndarray, mode: str) -> Rotation:
    """The inverse of blender_euler."""
    return Rotation.from_euler(mode.lower(), euler_xyz[:, ["XYZ".index(axis) for axis in mode]])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _frame(direction: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Orthonormal frames (..., 3, 3) with columns: side (made orthogonal), direction, their cross."""
    y = _unit(direction)
    x = _unit(side - np.sum(side * y, axis=-1, keepdims=True) * y)
    return np.stack([x, y, np.cross(x, y)], axis=-1)


def _swing(from_dir: np.ndarray, to_dir: np.ndarray) -> Rotation:
    """Shortest rotations taking each unit `from_dir` onto `to_dir` (N, 3)."""
    a, b = _unit(from_dir), _unit(to_dir)
    axis = np.cross(a, b)
    sin = np.linalg.norm(axis, axis=-1)
    angle = np.arctan2(sin, np.sum(a * b, axis=-1))
    safe_axis = np.where(sin[:, None] > 1e-9, axis / np.maximum(sin, 1e-12)[:, None], [1.0, 0.0, 0.0])
    return Rotation.from_rotvec(safe_axis * angle[:, None])


def _armature_deltas(
    bones: list[RestBone], drives: dict[str, BoneDrive], joints: dict[str, np.ndarray], rest: dict[str, np.ndarray]
) -> dict[str, Rotation]:
    """Rotation of each bone from its rest orientation, in armature space (parents first)."""
    n = len(next(iter(joints.values())))
    identity = Rotation.identity(n)
    deltas: dict[str, Rotation] = {}
    for bone in bones:
        parent = deltas[bone.parent] if bone.parent else identity
        drive = drives.get(bone.name)
        if drive is None:
            deltas[bone.name] = parent
            continue
        target_dir = joints[drive.end] - joints[drive.start]
        rest_dir = np.tile(rest[drive.end] - rest[drive.start], (n, 1))
        if drive.side_from:
            target = _frame(target_dir, joints[drive.side_to] - joints[drive.side_from])
            rest_frame = _frame(rest_dir, np.tile(rest[drive.side_to] - rest[drive.side_from], (n, 1)))
            deltas[bone.name] = Rotation.from_matrix(target @ np.swapaxes(rest_frame, -1, -2))
        else:
            deltas[bone.name] = _swing(parent.apply(rest_dir), target_dir) * parent
    return deltas


_ARMS = {side: [KP[f"{side}_{p}"] for p in ("elbow", "wrist", "pinky", "index", "thumb")] for side in ("left", "right")}


def _keep_world_arms(lifted: np.ndarray, world_xyz_m: np.ndarray) -> np.ndarray:
    """Arms as the 3D network sees them, hung from the lifted shoulders: a forearm pointing at
    the camera is short in the image, and a 2D error there turns it by tens of degrees."""
    out = lifted.copy()
    for side, points in _ARMS.items():
        shoulder = KP[f"{side}_shoulder"]
        out[:, points] = lifted[:, shoulder, None] + world_xyz_m[:, points] - world_xyz_m[:, shoulder, None]
    return out


def _root_position_m(hip_camera_m: np.ndarray, world_blender_m: np.ndarray) -> np.ndarray:
    """Mid-hip position (N, 3) in Blender's world for a static, level camera looking along +y:
    x and height from the hip's camera-space path, depth relative to its median, and the
    floor where the lowest foot point is in the median frame."""
    x = hip_camera_m[:, 0] - hip_camera_m[0, 0]
    depth = hip_camera_m[:, 2] - np.median(hip_camera_m[:, 2])
    up = hip_camera_m[0, 1] - hip_camera_m[:, 1]
    feet = [KP[f"{s}_{p}"] for s in ("left", "right") for p in ("ankle", "heel", "foot_index")]
    lowest_below_hip = world_blender_m[:, feet, 2].min(axis=1)
    return np.stack([x, depth, up - np.median(up + lowest_below_hip)], axis=-1)


def pose_points(
    world_xyz_m: np.ndarray, image_xy_px: np.ndarray, image_size_px: tuple[int, int], focal_px: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The keypoints the bones are aimed at, (N, 33, 3) hip-centred in Blender axes, and the
    hip's camera-space path (N, 3): image landmarks lifted at the 3D network's depth, except the
    arms, which keep the network's 3D shape."""
    hip_camera_m = hip_path_camera_m(world_xyz_m, image_xy_px, image_size_px, focal_px)
    lifted = lift_image_landmarks(world_xyz_m, image_xy_px, hip_camera_m, image_size_px, focal_px)
    return mediapipe_to_blender(_keep_world_arms(lifted, world_xyz_m)), hip_camera_m


def solve(
    world_xyz_m: np.ndarray,
    image_xy_px: np.ndarray,
    image_size_px: tuple[int, int],
    bones: list[RestBone],
    lengths: BodyLengths,
    drives: dict[str, BoneDrive] = RAS_DRIVES,
    root_bone: str = "pelvis",
    focal_px: float | None = None,
) -> PoseChannels:
    """Solve every frame of a gap-free track (MediaPipe world axes) for an armature at rest.

    The pose comes from the image landmarks lifted to 3D at the world landmarks' depth
    (rootmotion.lift_image_landmarks). `bones` must list parents before children; `focal_px` is the camera's focal length if
    known (it only sets the depth scale of the root path). Returns Blender pose-bone channels.
    """
    world, hip_camera_m = pose_points(world_xyz_m, image_xy_px, image_size_px, focal_px)
    joints = keypoint_joints(world)
    by_name = {b.name: b for b in bones}
    position = _root_position_m(hip_camera_m, world)
    deltas = _armature_deltas(bones, drives, joints, _rest_joints(lengths))
    euler: dict[str, np.ndarray] = {}
    for bone in bones:
        if bone.name not in drives:
            continue
        rest_rot = Rotation.from_matrix(bone.matrix)
        parent_delta = deltas[bone.parent] if bone.parent else Rotation.identity(len(world))
        local = rest_rot.inv() * parent_delta.inv() * deltas[bone.name] * rest_rot
        euler[bone.name] = np.unwrap(blender_euler(local, bone.rotation_mode), axis=0)
    root = by_name[root_bone]
    location = (position - root.head_m) @ root.matrix  # into the bone's rest frame
    orders = {name: by_name[name].rotation_mode for name in euler}
    return PoseChannels(euler_rad=euler, euler_order=orders, location_m={root_bone: location})
