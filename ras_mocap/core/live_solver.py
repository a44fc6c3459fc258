"""The solver one frame at a time, for live capture."""
from __future__ import annotations

import numpy as np

from .armature import PoseChannels
from .skeleton import KP
from .lifting import pose_points
from .solver import RigSetup, keypoint_joints, local_eulers, person_leg_m

__all__ = ["LiveSolver"]

_CAMERA_TO_BLENDER = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
"""Camera axes (x right, y down, z forward) to Blender's for a level camera looking along +y."""


class LiveSolver:
    """One frame at a time, for live capture: the rig set up once, Euler angles kept continuous
    with the previous frame, the root's travel counted from the first frame (scale and floor
    fixed then). No foot pinning: it needs the frames after a contact."""

    def __init__(self, setup: RigSetup, image_size_px: tuple[int, int], focal_px: float | None = None):
        self.setup = setup
        self.image_size_px = image_size_px
        self.focal_px = focal_px
        self._root = next(b for b in setup.bones if b.name == setup.profile.location_bone)
        self._orders = {bone.name: bone.rotation_mode for bone in setup.bones if bone.name in setup.drives}
        self._previous: dict[str, np.ndarray] | None = None
        self._start: tuple[np.ndarray, float, float] | None = None  # hip camera position, scale, floor

    def solve_frame(self, world_xyz_m: np.ndarray, image_xy_px: np.ndarray) -> PoseChannels:
        """Channels (N = 1) for one frame's 33 world landmarks (MediaPipe axes) and pixels."""
        points, hip_camera_m = pose_points(world_xyz_m[None], image_xy_px[None], self.image_size_px, self.focal_px)
        joints = keypoint_joints(points)
        euler = local_eulers(self.setup, joints)
        if self._previous is not None:  # the nearest equivalent angles: no +-360 deg jumps
            euler = {name: self._previous[name] + (a - self._previous[name] + np.pi) % (2 * np.pi) - np.pi
                     for name, a in euler.items()}
        self._previous = euler
        if self._start is None:
            scale = self.setup.leg_m / person_leg_m(joints)
            feet = [KP[f"{s}_{p}"] for s in ("left", "right") for p in ("heel", "foot_index")]
            self._start = (hip_camera_m[0], scale, float(points[0, feet, 2].min()) * scale)
        start_m, scale, lowest_m = self._start
        travel = scale * (_CAMERA_TO_BLENDER @ (hip_camera_m[0] - start_m))
        travel[2] -= self._root.head_m[2] + lowest_m  # the first frame's lowest foot on the floor
        location = {self._root.name: travel[None] @ self._root.matrix}
        return PoseChannels(euler_rad=euler, euler_order=self._orders, location_m=location)
