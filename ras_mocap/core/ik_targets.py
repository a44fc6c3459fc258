"""Where the RAS rig's IK controls go so that IK mode reproduces the solved (FK) pose.

Each two-bone chain (thigh-shin, upper arm-forearm) gets its target at the chain's end and
its pole where Blender's IK will turn the chain's first bone to: its X axis, turned by the
constraint's pole angle about the chain, points at the pole. With those keyed, IK puts the
limb where the FK rotations put it (roll included): the FK/IK switch changes nothing visible.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from .armature import RestBone
from .vectors import unit

__all__ = ["IkChain", "RAS_IK_CHAINS", "POLE_ANGLE_RAD", "ik_target_locations"]

POLE_ANGLE_RAD = -np.pi / 2
"""The RAS rig's IK pole angle: with roll 0, the knees and elbows bend towards their poles."""


@dataclass(frozen=True)
class IkChain:
    """One two-bone IK chain of the RAS rig: the rig builder makes its controls and constraint
    from it, and ik_target_locations keys them."""

    upper: str
    lower: str  # the chain's tip, which carries the IK constraint
    target: str
    pole: str
    pole_offset_m: tuple[float, float, float]  # the pole's rest head from the middle joint (rig axes)
    target_tail_m: tuple[float, float, float]  # the target bone's tail from its head
    switch: str  # the rig's FK (0) / IK (1) custom property

    @property
    def pole_distance_m(self) -> float:
        return float(np.linalg.norm(self.pole_offset_m))


RAS_IK_CHAINS = tuple(
    IkChain(f"{upper}.{side}", f"{lower}.{side}", f"{target}.{side}", f"{pole}.{side}", pole_offset, tail, switch)
    for side in ("L", "R")
    for upper, lower, target, pole, pole_offset, tail, switch in (
        ("thigh", "shin", "foot_ik", "knee_pole", (0.0, -0.5, 0.0), (0.0, -0.1, 0.0), "ik_legs"),
        ("upper_arm", "forearm", "hand_ik", "elbow_pole", (0.0, 0.4, 0.0), (0.0, 0.0, -0.1), "ik_arms"),
    )
)


def ik_target_locations(
    posed: dict[str, np.ndarray], bones: dict[str, RestBone], pole_angle_rad: float = POLE_ANGLE_RAD
) -> dict[str, np.ndarray]:
    """Location channels (bone -> (N, 3)) of the IK targets and poles, from posed matrices (FK).

    The controls hang from the unposed root bone, so a location is the armature-space offset
    from the bone's rest head, in the bone's rest frame.
    """
    locations = {}
    for chain in RAS_IK_CHAINS:
        if chain.target not in bones or chain.pole not in bones:
            continue
        start, middle = posed[chain.upper][:, :3, 3], posed[chain.lower][:, :3, 3]
        end = middle + posed[chain.lower][:, :3, 1] * bones[chain.lower].length_m
        along = unit(end - start)
        x_axis = posed[chain.upper][:, :3, 0]
        # Blender turns the bone's X axis by the pole angle the other way round about the chain
        towards_pole = Rotation.from_rotvec(-along * pole_angle_rad).apply(x_axis)
        for bone_name, position in ((chain.target, end), (chain.pole, middle + chain.pole_distance_m * towards_pole)):
            rest = bones[bone_name]
            locations[bone_name] = (position - rest.head_m) @ rest.matrix
    return locations
