"""The lifted keypoints' legs put on their image rays at the body's lengths (lifting.legs_on_rays):
the DeepMimic walk seen from behind, its world landmarks' legs flattened to the hips' depth (as
BlazePose's 3D guess straightens a swinging knee seen from behind)."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.core.lifting import legs_on_rays, lifted_keypoints
from ras_mocap.core.skeleton import KP
from tests.conftest import SHARED
from tests.groundtruth import ViewCamera, blazepose_like, truth_walk

LEGS = {side: [KP[f"{side}_{p}"] for p in ("knee", "ankle", "heel", "foot_index")] for side in ("left", "right")}


def _knee_deg(points: np.ndarray, side: str) -> np.ndarray:
    hip, knee, ankle = (points[:, KP[f"{side}_{p}"]] for p in ("hip", "knee", "ankle"))
    thigh, shank = knee - hip, ankle - knee
    cos = np.sum(thigh * shank, axis=-1) / np.linalg.norm(thigh, axis=-1) / np.linalg.norm(shank, axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


@pytest.fixture(scope="module")
def from_behind():
    walk = truth_walk(SHARED / "fixtures" / "motion" / "humanoid3d_walk.txt", seconds=4)
    middle = tuple(np.nanmean(walk.keypoints_m.reshape(-1, 3), axis=0) * [1, 1, 0])
    camera = ViewCamera(-90.0, middle)  # behind the walker, who walks away from it
    track = blazepose_like(walk.keypoints_m, walk.fps, camera, depth_scale=1.0, seed=1)
    for side, points in LEGS.items():  # the network's legs: no depth of their own
        track.world_xyz_m[:, points, 2] = track.world_xyz_m[:, [KP[f"{side}_hip"]], 2]
    truth = camera.to_camera(walk.keypoints_m)
    return track, truth, camera


def test_a_swinging_knee_seen_from_behind_bends_on_its_ray(from_behind):
    track, truth, camera = from_behind
    lifted, hips = lifted_keypoints(track.world_xyz_m, track.image_xy_px, track.image_size_px, camera.focal_px)
    lifted = lifted + hips[:, None]
    lengths = {name: float(np.median(np.linalg.norm(truth[:, KP[f"left_{a}"]] - truth[:, KP[f"left_{b}"]], axis=-1)))
               for name, (a, b) in (("thigh", ("hip", "knee")), ("shank", ("knee", "ankle")))}
    on_rays = legs_on_rays(lifted, track.world_xyz_m, track.image_xy_px, track.image_size_px, camera.focal_px,
                           lengths["thigh"], lengths["shank"], track.sample_rate_hz)
    for side in ("left", "right"):
        want = _knee_deg(truth, side)
        lifted_rmse, rays_rmse = (float(np.sqrt(np.mean((_knee_deg(p, side) - want) ** 2))) for p in (lifted, on_rays))
        swing = want > 40.0
        assert lifted_rmse > 15.0  # the flattened legs hardly bend
        assert rays_rmse < 0.5 * lifted_rmse, (side, lifted_rmse, rays_rmse)
        assert np.mean(np.abs(_knee_deg(on_rays, side)[swing] - want[swing])) < 15.0
        # the image is kept: each knee and ankle still projects where the image saw it
        for part in ("knee", "ankle"):
            k = KP[f"{side}_{part}"]
            projected = camera.focal_px * on_rays[:, k, :2] / on_rays[:, k, 2:3] + np.asarray(camera.size_px) / 2
            assert np.abs(projected - track.image_xy_px[:, k]).max() < 1e-6
