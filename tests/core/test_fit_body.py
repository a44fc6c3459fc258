"""The fit's body model: its analytic Jacobians against finite differences, on poses of the
DeepMimic walk (the fit's steps and the speed of the fit rest on them)."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.core.fit.body import LENGTHS, N_PARAMS, forward
from ras_mocap.core.fit.initial import pose_from_keypoints, shape_from_landmarks
from tests.conftest import SHARED
from tests.groundtruth import truth_walk

EPS = 1e-6


@pytest.fixture(scope="module")
def body():
    walk = truth_walk(SHARED / "fixtures" / "motion" / "humanoid3d_walk.txt", seconds=0.5)
    points = walk.keypoints_m + [0.0, 0.0, 5.0]  # in front of a camera
    return shape_from_landmarks(points), pose_from_keypoints(points)


def test_pose_jacobian_is_the_finite_difference(body):
    shape, pose = body
    kin = forward(shape, pose, jacobian=True)
    worst = 0.0
    for column in range(N_PARAMS):
        step = np.zeros((len(pose), N_PARAMS))
        step[:, column] = EPS
        numeric = (forward(shape, pose.stepped(step)) - forward(shape, pose.stepped(-step))) / (2 * EPS)
        for k, columns in enumerate(kin.columns):
            analytic = kin.derivatives[k][:, :, list(columns).index(column)] if column in columns else 0.0
            worst = max(worst, float(np.abs(numeric[:, k] - analytic).max()))
    assert worst < 1e-6


def test_length_jacobian_is_the_finite_difference(body):
    shape, pose = body
    kin = forward(shape, pose, jacobian=True)
    assert forward(shape, pose, jacobian=True, length_jacobian=False).length_derivatives is None
    for g in range(len(LENGTHS)):
        scales = np.zeros(len(LENGTHS))
        scales[g] = EPS
        numeric = (forward(shape.rescaled(scales), pose) - forward(shape.rescaled(-scales), pose)) / (2 * EPS)
        analytic = np.stack([kin.length_derivatives[k][:, :, g] for k in range(numeric.shape[1])], axis=1)
        np.testing.assert_allclose(analytic, numeric, atol=1e-6, err_msg=LENGTHS[g])


def test_ball_angle_jacobians_are_the_finite_difference():
    from scipy.spatial.transform import Rotation

    from ras_mocap.core.fit.limits import BALL_RANGES, ball_angle_jacobians, ball_angles

    rotations = Rotation.from_rotvec(np.random.default_rng(0).normal(0.0, 0.6, (200, 3))).as_matrix()
    for ball in BALL_RANGES.values():
        for mirrored in (False, True):
            analytic = ball_angle_jacobians(rotations, ball, mirrored)
            for axis in range(3):
                turn = Rotation.from_rotvec(np.outer([1.0, -1.0], np.eye(3)[axis] * EPS)).as_matrix()
                plus, minus = (ball_angles(rotations @ t, ball, mirrored) for t in turn)
                numeric = ((plus - minus + np.pi) % (2 * np.pi) - np.pi) / (2 * EPS)
                np.testing.assert_allclose(analytic[:, :, axis], numeric, atol=1e-5)
