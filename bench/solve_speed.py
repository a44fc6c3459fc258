"""How fast the solver turns keypoints into bone channels: a whole track, and one live frame.

    PYTHONPATH=. python bench/solve_speed.py [--seconds 300]

The DeepMimic walk (forward kinematics, tests/groundtruth.py) repeated for --seconds at 30 fps
is solved at once (vectorised), then frame by frame with the LiveSolver as the live capture
will; printed beside
the issue's targets (5,000 frames/s, 0.5 ms a live frame) as ratios.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import bpy
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ras_mocap.blender import rig as rig_module  # noqa: E402
from ras_mocap.core.rig_spec import body_lengths_from_world  # noqa: E402
from ras_mocap.core.live_solver import LiveSolver  # noqa: E402
from ras_mocap.core.solver import RigSetup, solve  # noqa: E402
from tests.groundtruth import SideCamera, truth_walk  # noqa: E402

SHARED = REPO.parent / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    args = parser.parse_args()
    camera = SideCamera()
    walk = truth_walk(SHARED / "fixtures/motion/humanoid3d_walk.txt", seconds=args.seconds, camera=camera)
    world, image = walk.world_landmarks_m, walk.image_px
    lengths = body_lengths_from_world(world)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bones = rig_module.rest_bones(rig_module.add_ras_rig(bpy.context, lengths))

    started = time.perf_counter()
    solve(world, image, camera.size_px, bones, fps=walk.fps)
    whole_s = time.perf_counter() - started
    frames_per_s = len(world) / whole_s

    live = LiveSolver(RigSetup.of(bones), camera.size_px)
    timings = []
    for row in range(300):
        started = time.perf_counter()
        live.solve_frame(world[row], image[row])
        timings.append(time.perf_counter() - started)
    live_ms = 1000 * np.median(timings)
    print(f"whole track: {len(world)} frames in {whole_s:.3f} s = {frames_per_s:,.0f} frames/s "
          f"(target 5,000: ratio {frames_per_s / 5000:.1f})")
    print(f"one live frame: median {live_ms:.2f} ms, p95 {1000 * np.percentile(timings, 95):.2f} ms "
          f"(target 0.5 ms: ratio {0.5 / live_ms:.2f})")


if __name__ == "__main__":
    main()
