"""What one timer tick of live capture costs Blender's main thread (issue 6: p95 <= 2 ms).

    PYTHONPATH=. .venv-5.2/bin/python bench/live_tick.py [VIDEO] [--model lite] [--preview-width 256]

A real LiveSession on the RAS rig in bpy, fed by the capture worker with the video replayed at its
frame rate as a camera; ticks at 60 Hz as the modal operator's timer does. Timed: every tick that
got a frame (drain, pose the bones, copy the preview), and side by side on the same frames what
the capture thread does for each before queueing it (One Euro filter, solve, preview pixels),
which the tick no longer pays, and the tick's two parts alone.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import bpy
import numpy as np

from ras_mocap.blender.live import LiveSession
from ras_mocap.blender.preview import show_pixels
from ras_mocap.blender.rig import add_ras_rig
from ras_mocap.capture.sources import ReplaySource
from ras_mocap.capture.tracking import TrackingSettings
from ras_mocap.capture.worker import CaptureWorker

from bake_vs_detector import SHARED

BUDGET_MS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=SHARED / "fixtures/synthetic/walk_side.mp4")
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--preview-width", type=int, default=256)
    args = parser.parse_args()
    model = SHARED / "models" / f"pose_landmarker_{args.model}.task"

    bpy.ops.wm.read_factory_settings(use_empty=True)
    rig = add_ras_rig(bpy.context)
    worker = CaptureWorker(lambda: ReplaySource(args.video), TrackingSettings(model, num_poses=1),
                           preview_width_px=args.preview_width)
    worker.start()
    session = LiveSession(rig, worker)
    session.start_recording()
    tick_ms, idle_ms, frames = [], [], []
    seen = 0
    try:
        while True:
            started = time.perf_counter()
            alive = session.tick()
            elapsed_ms = 1000 * (time.perf_counter() - started)
            if session.frames_seen > seen:
                tick_ms.append(elapsed_ms)
                seen = session.frames_seen
            else:
                idle_ms.append(elapsed_ms)
            if not alive:
                break
            time.sleep(max(0.0, 1 / 60 - elapsed_ms / 1000))
        frames = session._recorder._frames  # the frames the ticks saw, for the side-by-side parts
    finally:
        worker.stop()

    solved = [f for f in frames if f.solved is not None and f.solved[0] is not None]
    worker_ms, apply_ms, preview_ms = [], [], []
    for pose_frame in solved:
        started = time.perf_counter()
        session._solve(pose_frame)
        worker_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        session._apply(pose_frame.solved[0])
        apply_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        show_pixels(pose_frame.solved[1])
        preview_ms.append(1000 * (time.perf_counter() - started))

    def stats(values: list[float]) -> str:
        return f"median {np.median(values):.2f} ms, p95 {np.percentile(values, 95):.2f} ms"

    print(f"video: {args.video.name}, model: {args.model}, preview {args.preview_width} px wide, "
          f"bpy {bpy.app.version_string}")
    print(f"ticks with a frame   {len(tick_ms):4d}: {stats(tick_ms)}")
    print(f"ticks without        {len(idle_ms):4d}: {stats(idle_ms)}")
    print(f"  pose the bones     {len(apply_ms):4d}: {stats(apply_ms)}")
    print(f"  copy the preview   {len(preview_ms):4d}: {stats(preview_ms)}")
    print(f"capture thread's per-frame hook (filter + solve + pixels), not on the main thread: {stats(worker_ms)}")
    p95 = np.percentile(tick_ms, 95)
    print(f"tick p95 / budget {BUDGET_MS:g} ms: {p95 / BUDGET_MS:.2f} (<= 1 meets it)")


if __name__ == "__main__":
    main()
