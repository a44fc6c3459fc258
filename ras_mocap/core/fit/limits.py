"""Anatomical ranges of the body's ball joints, as soft penalties the fit can differentiate.

A ball joint's rotation (relative to its parent) is read as where it points the segment, two
angles (forward in the parent's y-z plane; sideways, toward the subject's left), and how far it
turns the segment about its own axis (the twist of a swing-twist decomposition). The twist of a
hip or a shoulder is what the image shows least: a bent knee turned about the thigh moves the
ankle mostly in depth, where BlazePose's guess is weakest. So each range is a penalty beyond
its ends, and the hips' and shoulders' twists also a weak pull toward neutral.
Ranges (degrees) are the left side's; the right side's mirror them (sideways and twist negate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BallRange", "BALL_RANGES", "ball_angles", "ball_angle_jacobians"]


@dataclass(frozen=True)
class BallRange:
    axis_y: float
    """The segment's direction in the joint's frame at rest: +1 up (spine, neck), -1 down (limbs)."""
    forward_deg: tuple[float, float] | None
    sideways_deg: tuple[float, float] | None
    twist_deg: tuple[float, float]
    twist_sigma_deg: float | None = None
    """A weak prior holding the twist near neutral (None: only the range)."""


BALL_RANGES: dict[str, BallRange] = {
    "chest": BallRange(+1.0, (-30.0, 70.0), (-35.0, 35.0), (-40.0, 40.0)),
    "neck": BallRange(+1.0, (-50.0, 70.0), (-45.0, 45.0), (-80.0, 80.0)),
    "hip": BallRange(-1.0, (-30.0, 125.0), (-30.0, 45.0), (-40.0, 45.0), twist_sigma_deg=20.0),
    # the arm's swing is left free: it reaches all round the shoulder, where two angles have no good chart
    "shoulder": BallRange(-1.0, None, None, (-90.0, 90.0), twist_sigma_deg=30.0),
    "wrist": BallRange(-1.0, (-80.0, 80.0), (-35.0, 35.0), (-90.0, 90.0)),
}
"""Joint kind (the name before the side) -> its range."""


def ball_angles(rotations: np.ndarray, ball: BallRange, mirrored: bool) -> np.ndarray:
    """(N, 3) forward, sideways and twist angles (radians) of relative rotations (N, 3, 3)."""
    direction = rotations[:, :, 1] * ball.axis_y
    forward = np.arctan2(direction[:, 2], direction[:, 1] * ball.axis_y)
    sideways = np.arcsin(np.clip(direction[:, 0], -1.0, 1.0))
    # the quaternion's y over its w is (R02 - R20) / (1 + trace): no quaternion needed
    trace = rotations[:, 0, 0] + rotations[:, 1, 1] + rotations[:, 2, 2]
    twist = 2 * np.arctan2(rotations[:, 0, 2] - rotations[:, 2, 0], 1.0 + trace)
    twist = (twist + np.pi) % (2 * np.pi) - np.pi
    out = np.stack([forward, sideways, twist], axis=-1)
    if mirrored:
        out[:, 1:] *= -1
    return out


_GENERATORS = np.array([[[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]],
                        [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [-1.0, 0.0, 0.0]],
                        [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])
"""d/d(delta_a) of Exp(delta) at 0: the cross-product matrices of the unit axes."""


def ball_angle_jacobians(rotations: np.ndarray, ball: BallRange, mirrored: bool) -> np.ndarray:
    """(N, 3, 3) d(angles)/d(step), for a step that turns the rotation on the right (R Exp(delta)):
    ball_angles differentiated through the turned matrix R G_a."""
    turned = np.einsum("nij,ajk->naik", rotations, _GENERATORS)  # (N, 3 axes, 3, 3)
    direction = rotations[:, :, 1] * ball.axis_y
    d_direction = turned[:, :, :, 1] * ball.axis_y  # (N, axis, xyz)
    y, z = direction[:, 1:2] * ball.axis_y, direction[:, 2:3]
    forward = (y * d_direction[:, :, 2] - z * d_direction[:, :, 1] * ball.axis_y) / (y * y + z * z)
    sideways = d_direction[:, :, 0] / np.sqrt(np.maximum(1.0 - direction[:, 0:1] ** 2, 1e-12))
    u = (rotations[:, 0, 2] - rotations[:, 2, 0])[:, None]
    v = (1.0 + rotations[:, 0, 0] + rotations[:, 1, 1] + rotations[:, 2, 2])[:, None]
    du = turned[:, :, 0, 2] - turned[:, :, 2, 0]
    dv = turned[:, :, 0, 0] + turned[:, :, 1, 1] + turned[:, :, 2, 2]
    twist = 2 * (v * du - u * dv) / (u * u + v * v)
    out = np.stack([forward, sideways, twist], axis=1)  # (N, angle, axis)
    if mirrored:
        out[:, 1:] *= -1
    return out
