"""How long the whole-clip fit takes: against detecting the same clip, and per frame on a long track.

    PYTHONPATH=. python bench/fit_speed.py [--frames 10000]

1. walk_side and pose2sim cam01 tracked with the full model (all defaults, detection timed),
   then cleaned and fitted (timed); each --repeat times, the fastest of each: the fit's time
   as a share of detection's (issue 13: <= 20%). This machine's times scatter by up to 40%.
2. The DeepMimic walk seen from the side as BlazePose might (tests/groundtruth.blazepose_like)
   walking on a treadmill (in view), for --frames frames and a tenth of that, fitted: frames per second of each, so the cost's
   growth with length shows (linear: the same rate).
3. One live frame: the LiveSolver (aimed at the lifted landmarks), median and p95.
4. The walk_side fit while another process keeps a core busy (as Blender's interface, a batch's
   other worker or a neighbouring job does): with BLAS on one thread, as fit_track runs it, and
   with as many as OpenBLAS starts by itself, side by side.
"""
from __future__ import annotations

import argparse
import multiprocessing
import time
from pathlib import Path

import numpy as np

from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.cleaning import clean_track
from ras_mocap.core.fit.track_fit import fit_track
from ras_mocap.core.live_solver import LiveSolver
from ras_mocap.core.rig_spec import BodyLengths, ras_rest_bones
from ras_mocap.core.solver import RigSetup
from tests.groundtruth import ViewCamera, blazepose_like, truth_walk

SHARED = Path(__file__).resolve().parents[2] / "shared"
CLIPS = {"walk_side": SHARED / "fixtures/synthetic/walk_side.mp4",
         "pose2sim cam01": SHARED / "fixtures/video/pose2sim_single_cam01.mp4"}


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _busy() -> None:
    while True:
        pass


def _fit_beside_a_busy_core(clean, repeat: int) -> None:
    busy = multiprocessing.get_context("spawn").Process(target=_busy, daemon=True)
    busy.start()
    try:
        fit_track(clean)  # warm
        limited_s = min(_timed(lambda: fit_track(clean))[1] for _ in range(repeat))
        free_s = min(_timed(lambda: fit_track.__wrapped__(clean))[1] for _ in range(repeat))
    finally:
        busy.terminate()
        busy.join()
    print(f"walk_side's fit beside a busy core: BLAS on one thread {limited_s:.2f} s, on OpenBLAS's own "
          f"threads {free_s:.2f} s: x{free_s / limited_s:.1f} faster on one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = SHARED / "models" / "pose_landmarker_full.task"
    cleaned = {}
    for name, video in CLIPS.items():
        detect_s = fit_s = np.inf
        for _ in range(args.repeat):
            raw, seconds = _timed(lambda: track_video(video, TrackingSettings(model)))
            detect_s = min(detect_s, seconds)
            clean = cleaned[name] = clean_track(raw)
            fit_s = min(fit_s, _timed(lambda: fit_track(clean))[1])
        print(f"{name}: {len(raw)} frames, detection {detect_s:.2f} s, fit {fit_s:.2f} s = "
              f"{100 * fit_s / detect_s:.1f}% of detection (goal <= 20%: ratio {0.2 * detect_s / fit_s:.1f})")

    walk = truth_walk(SHARED / "fixtures/motion/humanoid3d_walk.txt", seconds=args.frames / 30 + 0.5)
    middle = tuple(np.nanmean(walk.keypoints_m[:300].reshape(-1, 3), axis=0) * [1, 1, 0])
    for frames in (args.frames // 10, args.frames):
        travel_m = walk.root_m[:frames, 0] - walk.root_m[0, 0]
        points = walk.keypoints_m[:frames] - travel_m[:, None, None] * [1.0, 0.0, 0.0]  # on a treadmill, in view
        track = blazepose_like(points, walk.fps, ViewCamera(0.0, middle), seed=0)
        body, fit_s = _timed(lambda: fit_track(track))
        print(f"{frames:,} frames: fit {fit_s:.1f} s = {frames / fit_s:,.0f} frames/s ({body.meta['iterations']} iterations)")

    camera = ViewCamera(0.0, middle)
    track = blazepose_like(walk.keypoints_m[:300], walk.fps, camera, seed=0)
    live = LiveSolver(RigSetup.of(ras_rest_bones(BodyLengths())), camera.size_px)
    timings = []
    for row in range(300):
        started = time.perf_counter()
        live.solve_frame(track.world_xyz_m[row], track.image_xy_px[row])
        timings.append(time.perf_counter() - started)
    print(f"one live frame (LiveSolver): median {1000 * np.median(timings):.2f} ms, p95 {1000 * np.percentile(timings, 95):.2f} ms")
    _fit_beside_a_busy_core(cleaned["walk_side"], args.repeat)


if __name__ == "__main__":
    main()
