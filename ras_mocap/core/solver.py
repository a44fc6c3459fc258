"""Keypoints in 3D -> armature pose: per-bone local rotations (Euler) and root motion, vectorised.

Each driven bone is aimed from two keypoint-derived joints; twisting drives (pelvis, spine,
chest, neck, head, hands, feet) also take a side direction, the others swing from their
parent's pose. Any rig through a retarget profile (retarget.py). Offline the keypoints are
the body fitted to the whole clip (pipeline.py); live, one frame's lifted landmarks
(live_solver.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from .armature import PoseChannels, RestBone, blender_euler, continuous_euler
from .retarget import RetargetProfile, rest_joints
from .skeleton import KP
from .vectors import cross, frame, unit

__all__ = ["BoneDrive", "RAS_DRIVES", "RigSetup", "keypoint_joints", "local_eulers", "person_leg_m", "aim_rig"]


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
    return ankle + 0.1 * unit(cross(toe - heel, ankle - heel))


def _rest_joints(bones: dict[str, RestBone], profile: RetargetProfile) -> dict[str, np.ndarray]:
    """The rig's rest joints plus the side points the twists are measured against."""
    joints = rest_joints(bones, profile)
    forward = np.array([0.0, -1.0, 0.0])  # rigs face -y at rest
    for side in ("L", "R"):
        joints[f"ear.{side}"] = joints["head_base"] + (joints[f"shoulder.{side}"] - joints["neck_base"]) * 0.25
        joints[f"mid_side.{side}"] = 0.5 * (joints[f"hip.{side}"] + joints[f"shoulder.{side}"])
        ankle = joints[f"ankle.{side}"]
        joints[f"heel.{side}"] = np.array([ankle[0], ankle[1], 0.0]) - 0.05 * forward
        joints[f"foot_side.{side}"] = _foot_side(joints[f"heel.{side}"], ankle, joints[f"toe_tip.{side}"])
        # hands hang or stretch with the palms down or in: the index in front of the pinky
        joints[f"index.{side}"] = joints[f"hand_tip.{side}"] + 0.03 * forward
        joints[f"pinky.{side}"] = joints[f"hand_tip.{side}"] - 0.03 * forward
    return joints


def _swing(from_dir: np.ndarray, to_dir: np.ndarray) -> np.ndarray:
    """Matrices (N, 3, 3) of the shortest rotations taking each `from_dir` onto `to_dir` (N, 3)
    (Rodrigues' formula: numpy on whole arrays, far cheaper than scipy objects per call)."""
    a, b = unit(from_dir), unit(to_dir)
    axis = cross(a, b)
    sin = np.linalg.norm(axis, axis=-1)
    cos = np.sum(a * b, axis=-1)
    k = np.where(sin[:, None] > 1e-9, axis / np.maximum(sin, 1e-12)[:, None], [1.0, 0.0, 0.0])
    skew = np.zeros(k.shape + (3,))
    skew[:, 0, 1], skew[:, 0, 2], skew[:, 1, 2] = -k[:, 2], k[:, 1], -k[:, 0]
    skew -= np.swapaxes(skew, 1, 2)
    return np.eye(3) + sin[:, None, None] * skew + (1.0 - cos)[:, None, None] * (skew @ skew)


@dataclass(frozen=True)
class RigSetup:
    """What the solver needs of a rig, worked out once: its bones, the drive of each driven
    bone, the rest direction (and rest frame, for twisting drives) it rotates from, the bone
    whose rotation it inherits ("world" for none), and the rig's leg length."""

    bones: list[RestBone]
    profile: RetargetProfile
    drives: dict[str, BoneDrive]  # rig bone -> drive
    rest_dirs: dict[str, np.ndarray]  # rig bone -> (3,)
    rest_frames_t: dict[str, np.ndarray]  # rig bone -> (3, 3), transposed, twisting drives only
    follows: dict[str, str]  # driven rig bone -> the bone it inherits rotation from, or "world"
    rest: dict[str, np.ndarray]  # named rest joints
    leg_m: float  # hip-knee-ankle, both legs together

    @classmethod
    def of(cls, bones: list[RestBone], profile: RetargetProfile | None = None, drives: dict[str, BoneDrive] = RAS_DRIVES) -> RigSetup:
        profile = profile or RetargetProfile.load("ras")
        by_name = {b.name: b for b in bones}
        profile.check(set(by_name))
        rest = _rest_joints(by_name, profile)
        rig_drives = {profile.bones[part]: drive for part, drive in drives.items() if part in profile.bones}
        follows = {}
        for part, bone_name in profile.bones.items():
            if bone_name in rig_drives:
                follow = profile.follow.get(part)
                follows[bone_name] = (
                    "world" if follow == "world" else profile.bones[follow] if follow else by_name[bone_name].parent or "world"
                )
        return cls(
            bones, profile, rig_drives,
            {name: rest[d.end] - rest[d.start] for name, d in rig_drives.items()},
            {name: frame(rest[d.end] - rest[d.start], rest[d.side_to] - rest[d.side_from]).T
             for name, d in rig_drives.items() if d.side_from},
            follows, rest,
            sum(_leg_m(rest[f"hip.{s}"], rest[f"knee.{s}"], rest[f"ankle.{s}"]) for s in ("L", "R")),
        )


def _armature_deltas(setup: RigSetup, joints: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rotation matrices (N, 3, 3) of each bone from its rest orientation, armature space."""
    n = len(next(iter(joints.values())))
    identity = np.broadcast_to(np.eye(3), (n, 3, 3))
    deltas: dict[str, np.ndarray] = {}
    for bone in setup.bones:
        parent = deltas[bone.parent] if bone.parent else identity
        drive = setup.drives.get(bone.name)
        if drive is None:
            deltas[bone.name] = parent
            continue
        target_dir = joints[drive.end] - joints[drive.start]
        if drive.side_from:
            target = frame(target_dir, joints[drive.side_to] - joints[drive.side_from])
            deltas[bone.name] = target @ setup.rest_frames_t[bone.name]
        else:
            deltas[bone.name] = _swing(parent @ setup.rest_dirs[bone.name], target_dir) @ parent
    return deltas


def _leg_m(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    return float(np.median(np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)))


def local_eulers(setup: RigSetup, joints: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Euler channels (bone -> (N, 3)) of the driven bones, each in its own rotation mode,
    not yet unwrapped over time."""
    deltas = _armature_deltas(setup, joints)
    local: dict[str, np.ndarray] = {}
    for bone in setup.bones:
        if bone.name in setup.drives:
            follows = setup.follows[bone.name]
            parent_t = np.eye(3) if follows == "world" else np.swapaxes(deltas[follows], 1, 2)
            local[bone.name] = bone.matrix.T @ parent_t @ deltas[bone.name] @ bone.matrix
    modes = {bone.name: bone.rotation_mode for bone in setup.bones if bone.name in local}
    return _eulers_by_mode(local, modes)


def _eulers_by_mode(matrices: dict[str, np.ndarray], modes: dict[str, str]) -> dict[str, np.ndarray]:
    """Euler angles of many bones' (N, 3, 3) matrices, one scipy call per rotation mode."""
    out: dict[str, np.ndarray] = {}
    for mode in set(modes.values()):
        names = [name for name, m in modes.items() if m == mode]
        stacked = np.concatenate([matrices[name] for name in names])
        angles = blender_euler(Rotation.from_matrix(stacked), mode).reshape(len(names), -1, 3)
        out |= dict(zip(names, angles))
    return out


def person_leg_m(joints: dict[str, np.ndarray]) -> float:
    return sum(_leg_m(joints[f"hip.{s}"], joints[f"knee.{s}"], joints[f"ankle.{s}"]) for s in ("L", "R"))


def aim_rig(points_m: np.ndarray, bones: list[RestBone], profile: RetargetProfile | None = None,
            drives: dict[str, BoneDrive] = RAS_DRIVES) -> PoseChannels:
    """Channels of a rig aimed at keypoints (N, 33, 3) in the world (Blender axes, the floor at
    z = 0; the fitted body's): each driven bone's rotation from its drive, continuous Euler
    angles in its own order, and the location bone moved with the mid-hip, the whole motion
    scaled by the rig's leg length over the body's."""
    setup = RigSetup.of(bones, profile, drives)
    joints = keypoint_joints(points_m)
    orders = {bone.name: bone.rotation_mode for bone in bones if bone.name in setup.drives}
    euler = {name: continuous_euler(angles, orders[name]) for name, angles in local_eulers(setup, joints).items()}
    root = next(b for b in bones if b.name == setup.profile.location_bone)
    scale = setup.leg_m / person_leg_m(joints)
    location = {root.name: (scale * joints["mid_hip"] - setup.rest["mid_hip"]) @ root.matrix}
    return PoseChannels(euler_rad=euler, euler_order=orders, location_m=location)
