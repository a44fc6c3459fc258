"""Live: the per-frame fit (each frame started from the previous frame's result, the body fixed
after the first seconds) against today's LiveSolver (aimed at the lifted landmarks).

    PYTHONPATH=. python bench/live_fit.py [--iterations 2]

The DeepMimic walk from a virtual side camera as BlazePose might see it (tests/groundtruth.py):
the first 2 s fitted as a clip (the body's lengths, the depth scale), then every further frame
on its own, timed; beside it the LiveSolver's time, and both's hip / knee / ankle RMSE against
the truth (the issue's live budget: 2 ms a frame on the capture thread).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ras_mocap.core.fit.body import forward
from ras_mocap.core.fit.clip_fit import FitSettings, Observations, Shared, fit_run
from ras_mocap.core.fit.initial import pose_from_keypoints
from ras_mocap.core.fit.track_fit import fit_track
from ras_mocap.core.lifting import pose_points
from ras_mocap.core.live_solver import LiveSolver
from ras_mocap.core.rig_spec import BodyLengths, ras_rest_bones
from ras_mocap.core.solver import RigSetup
from tests.groundtruth import ViewCamera, blazepose_like, sagittal_angles_deg, truth_walk

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _rmse(points: np.ndarray, truth: np.ndarray) -> str:
    got, want = sagittal_angles_deg(points), sagittal_angles_deg(truth)
    return ", ".join(f"{k} {np.sqrt(np.mean((got[k] - want[k]) ** 2)):.1f}" for k in ("hip", "knee", "ankle"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2)
    args = parser.parse_args()
    walk = truth_walk(SHARED / "fixtures/motion/humanoid3d_walk.txt", seconds=10)
    middle = tuple(np.nanmean(walk.keypoints_m.reshape(-1, 3), axis=0) * [1, 1, 0])
    camera = ViewCamera(0.0, middle)
    track = blazepose_like(walk.keypoints_m, walk.fps, camera, seed=0)
    warm = int(2 * walk.fps)
    start = fit_track(replace(track, found=np.arange(len(track)) < warm), focal_px=camera.focal_px)
    shared = Shared(start.shape, start.camera, start.meta["depth_scale"])
    settings = FitSettings(iterations=args.iterations, fit_depth_scale=False)
    previous = pose_from_keypoints(start.camera_m[warm - 1:warm])
    fitted, timings = [], []
    for row in range(warm, len(track)):
        began = time.perf_counter()
        previous, _shared_now, _ = fit_run(previous, shared, _obs(track, row, row + 1), None, settings)
        timings.append(time.perf_counter() - began)
        fitted.append(forward(shared.shape, previous)[0])
    fitted = np.array(fitted) @ camera.rotation
    live = LiveSolver(RigSetup.of(ras_rest_bones(BodyLengths())), camera.size_px, focal_px=camera.focal_px)
    live_timings = []
    for row in range(warm, len(track)):
        began = time.perf_counter()
        live.solve_frame(track.world_xyz_m[row], track.image_xy_px[row])
        live_timings.append(time.perf_counter() - began)
    lifted, _ = pose_points(track.world_xyz_m[warm:], track.image_xy_px[warm:], camera.size_px, camera.focal_px)
    truth = walk.keypoints_m[warm:]
    print(f"per-frame fit ({args.iterations} steps): median {1000 * np.median(timings):.2f} ms, "
          f"p95 {1000 * np.percentile(timings, 95):.2f} ms; RMSE deg {_rmse(fitted, truth)}")
    print(f"LiveSolver: median {1000 * np.median(live_timings):.2f} ms, p95 {1000 * np.percentile(live_timings, 95):.2f} ms;"
          f" RMSE deg {_rmse(lifted, truth)} (the lifted landmarks it aims the rig at)")


def _obs(track, start: int, stop: int) -> Observations:
    return Observations(track.image_xy_px[start:stop], track.visibility[start:stop], track.world_xyz_m[start:stop],
                        np.zeros((stop - start, 2, 2), bool), track.sample_rate_hz)


if __name__ == "__main__":
    main()
