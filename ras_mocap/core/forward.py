"""Forward kinematics of solved channels on an armature's rest pose (numpy, vectorised over frames).

Blender's pose evaluation for bones without constraints: each bone's posed matrix is its
parent's posed matrix, times the bone's rest matrix relative to its parent, times the pose
channels (location, then Euler rotation). Used to measure what a solve produces (joint
positions, angles, foot contact) without Blender.
"""
from __future__ import annotations

import numpy as np
from .armature import PoseChannels, RestBone, rotation_from_blender_euler

__all__ = ["posed_matrices", "posed_joints"]


def _rest_4x4(bone: RestBone) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, :3], matrix[:3, 3] = bone.matrix, bone.head_m
    return matrix


def _matrices_by_mode(channels: PoseChannels) -> dict[str, np.ndarray]:
    """Rotation matrices (N, 3, 3) of every keyed bone, one scipy call per rotation mode."""
    out: dict[str, np.ndarray] = {}
    for mode in set(channels.euler_order.values()):
        names = [name for name, m in channels.euler_order.items() if m == mode]
        stacked = np.concatenate([channels.euler_rad[name] for name in names])
        matrices = rotation_from_blender_euler(stacked, mode).as_matrix().reshape(len(names), -1, 3, 3)
        out |= dict(zip(names, matrices))
    return out


def posed_matrices(bones: list[RestBone], channels: PoseChannels, n_frames: int) -> dict[str, np.ndarray]:
    """Armature-space posed matrices (N, 4, 4) of every bone, parents listed first."""
    rest = {b.name: _rest_4x4(b) for b in bones}
    rotations = _matrices_by_mode(channels)
    posed: dict[str, np.ndarray] = {}
    for bone in bones:
        basis = np.tile(np.eye(4), (n_frames, 1, 1))
        if bone.name in rotations:
            basis[:, :3, :3] = rotations[bone.name]
        if bone.name in channels.location_m:
            basis[:, :3, 3] = channels.location_m[bone.name]
        if bone.parent:
            posed[bone.name] = posed[bone.parent] @ (np.linalg.inv(rest[bone.parent]) @ rest[bone.name]) @ basis
        else:
            posed[bone.name] = rest[bone.name] @ basis
    return posed


def posed_joints(bones: list[RestBone], channels: PoseChannels, n_frames: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Armature-space (head, tail) positions (N, 3) of every bone."""
    lengths = {b.name: b.length_m for b in bones}
    return {
        name: (matrix[:, :3, 3], matrix[:, :3, 3] + matrix[:, :3, 1] * lengths[name])
        for name, matrix in posed_matrices(bones, channels, n_frames).items()
    }
