"""Where the RAS rig's IK controls go so that IK mode reproduces the solved (FK) pose.

Each two-bone chain (thigh-shin, upper arm-forearm) gets its target at the chain's end and
its pole where Blender's IK will turn the chain's first bone to: its X axis, turned by the
constraint's pole angle about the chain, points at the pole. With those keyed, IK puts the
limb where the FK rotations put it (roll included): the FK/IK switch changes nothing visible.
"""
from __future__ import annotations

import numpy as np

from scipy.spatial.transform import Rotation

from .armature import RestBone
from .vectors import unit

__all__ = ["RAS_IK_CHAINS", "ik_target_locations"]

RAS_IK_CHAINS = tuple(
    (f"{upper}.{side}", f"{lower}.{side}", f"{target}.{side}", f"{pole}.{side}", pole_distance_m)
    for side in ("L", "R")
    for upper, lower, target, pole, pole_distance_m in (
        ("thigh", "shin", "foot_ik", "knee_pole", 0.5),
        ("upper_arm", "forearm", "hand_ik", "elbow_pole", 0.4),
    )
)
"""(upper bone, lower bone, IK target bone, pole bone, pole distance from the middle joint)."""


def ik_target_locations(
    posed: dict[str, np.ndarray], bones: dict[str, RestBone], pole_angle_rad: float
) -> dict[str, np.ndarray]:
    """Location channels (bone -> (N, 3)) of the IK targets and poles, from posed matrices (FK).

    The controls hang from the unposed root bone, so a location is the armature-space offset
    from the bone's rest head, in the bone's rest frame.
    """
    locations = {}
    for upper, lower, target, pole, distance_m in RAS_IK_CHAINS:
        if target not in bones or pole not in bones:
            continue
        start, middle = posed[upper][:, :3, 3], posed[lower][:, :3, 3]
        end = middle + posed[lower][:, :3, 1] * bones[lower].length_m
        along = unit(end - start)
        x_axis = posed[upper][:, :3, 0]
        # Blender turns the bone's X axis by the pole angle the other way round about the chain
        towards_pole = Rotation.from_rotvec(-along * pole_angle_rad).apply(x_axis)
        for bone_name, position in ((target, end), (pole, middle + distance_m * towards_pole)):
            rest = bones[bone_name]
            locations[bone_name] = (position - rest.head_m) @ rest.matrix
    return locations
