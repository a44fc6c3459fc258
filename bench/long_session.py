"""Long sessions hold memory flat and ticks steady (issues 14, 15): a live capture of a looped
replay for many minutes, and the CLI bake of a 10,000-frame looped clip against a 1,000-frame one.

    PYTHONPATH=. .venv-5.2/bin/python bench/long_session.py [--live-minutes 10] [--bake-frames 10000]
                                                            [--fit-sizes 1000 3000]

Live: a real LiveSession on the RAS rig, fed by the capture worker with the rendered walk
replayed in a loop at its frame rate (lite model, preview on), ticked at 60 Hz; the resident
memory every 30 s and each minute's tick p95. Bake: the pose2sim clip played to and fro into
one video (cached in the system's temp folder), baked by `python -m ras_mocap bake` (lite, one
pose) over its first 1,000 frames and over all of it, each in its own process, which reports its
memory at the end, again once the baked action is removed (the result a longer clip must hold,
twice: Blender evaluates a copy of it), and its peak; the bake's own lines give the tracking's
and the fit's time. Fit: the
whole-clip fit alone on the first --fit-sizes frames of the long bake's track (or --fit-track),
its peak over the memory before it. Goal: growth <= 50 MB, ticks as fast at the end as at the start.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from clips import SHARED, looped_video, model

REPO = Path(__file__).resolve().parents[1]
LITE = model("lite")
GOAL_MB = 50.0
BASELINE_FRAMES = 1000
"""The bake a long one is compared with (issue 15: 10,000 frames against 1,000)."""


def rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    statm = Path("/proc/self/statm")
    if statm.is_file():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def live(minutes: float) -> None:
    import bpy

    from ras_mocap.blender.live import LiveSession
    from ras_mocap.blender.rig import add_ras_rig
    from ras_mocap.capture.sources import ReplaySource
    from ras_mocap.capture.tracking import TrackingSettings
    from ras_mocap.capture.worker import CaptureWorker

    bpy.ops.wm.read_factory_settings(use_empty=True)
    video = SHARED / "fixtures" / "synthetic" / "walk_side.mp4"
    worker = CaptureWorker(lambda: ReplaySource(video, loop=True), TrackingSettings(LITE, num_poses=1), preview_width_px=256)
    worker.start()
    session = LiveSession(add_ras_rig(bpy.context), worker)
    ticks: list[tuple[float, float]] = []
    memory: list[tuple[float, float]] = []
    started = time.monotonic()
    try:
        while (now := time.monotonic() - started) < 60 * minutes:
            before = time.perf_counter()
            session.tick()
            ticks.append((now, 1000 * (time.perf_counter() - before)))
            if not memory or now - memory[-1][0] >= 30.0:
                memory.append((now, rss_mb()))
            time.sleep(1 / 60)
    finally:
        session.stop()
    print(f"live, {minutes:g} min of a looped replay (lite, preview 256 px), {session.frames_posed} frames posed")
    print("| minute | tick p95 ms | tick max ms | RSS MB |\n|---|---|---|---|")
    for minute in range(int(np.ceil(minutes))):
        in_minute = [ms for t, ms in ticks if minute * 60 <= t < (minute + 1) * 60]
        rss = [mb for t, mb in memory if t < (minute + 1) * 60][-1]
        print(f"| {minute + 1} | {np.percentile(in_minute, 95):.2f} | {max(in_minute):.2f} | {rss:.0f} |")
    growth = memory[-1][1] - memory[1][1]
    print(f"memory growth from 30 s to the end: {growth:+.1f} MB (goal <= {GOAL_MB:g}): "
          f"{'met' if growth <= GOAL_MB else 'NOT met'}")


_MEASURED = ("import resource, runpy, sys, json\nsys.path.insert(0, 'bench')\nfrom long_session import rss_mb\n"
             "sys.argv = ['ras_mocap', *sys.argv[1:]]\nstatus = 0\n"
             "try:\n    runpy.run_module('ras_mocap', run_name='__main__')\n"
             "except SystemExit as exc:\n    status = exc.code\n"
             "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == 'darwin' else 2**10)\n"
             "end = rss_mb()\nimport bpy\nfrom ras_mocap.core.memory import return_freed_memory\n"
             "for action in list(bpy.data.actions):\n    bpy.data.actions.remove(action)\n"
             "bpy.context.view_layer.update()\nreturn_freed_memory()\n"
             "print(json.dumps({'status': status, 'end_mb': end, 'unkeyed_mb': rss_mb(), 'peak_mb': peak}))")
"""Runs the CLI in this process and prints its status, resident memory at the end (and once the
baked action, with Blender's evaluated copy of it, is removed), and peak."""


def bake(frames: int) -> Path:
    """The two bakes' time and memory; the longer one's track."""
    video = looped_video(frames)
    out = Path(tempfile.mkdtemp(prefix="ras_mocap_long_bake_"))
    rows = []
    for end in (BASELINE_FRAMES, frames):
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", _MEASURED, "bake", str(video), "--end", str(end), "--num-poses", "1",
                              "--model-path", str(LITE), "--out", str(out / f"bake_{end}.blend")],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO)
        result = json.loads(run.stdout.strip().splitlines()[-1])
        assert result["status"] in (0, None), run.stderr[-2000:]
        tracked_s, fitted_s = (float(re.search(rf"^{word} \d+ frames in ([\d.]+) s", run.stdout, re.M).group(1))
                               for word in ("tracked", "fitted"))
        result_mb = sum((out / f"bake_{end}{suffix}").stat().st_size for suffix in (".blend", ".npz")) / 2**20
        rows.append((end, time.perf_counter() - started, result["end_mb"], result["peak_mb"], tracked_s, fitted_s,
                     result_mb, result["unkeyed_mb"]))
    print(f"\nbake of a looped clip (pose2sim cam01 to and fro, lite, one pose), each in its own process")
    print("| frames | wall s | tracking s | fit s | fit frames/s | fit / tracking | RSS at the end MB "
          "| without the action MB | peak RSS MB | .blend + .npz MB |\n|---|---|---|---|---|---|---|---|---|---|")
    for end, wall_s, end_mb, peak_mb, tracked_s, fitted_s, result_mb, unkeyed_mb in rows:
        print(f"| {end} | {wall_s:.0f} | {tracked_s:.0f} | {fitted_s:.1f} | {end / fitted_s:.0f} | "
              f"{100 * fitted_s / tracked_s:.0f}% | {end_mb:.0f} | {unkeyed_mb:.0f} | {peak_mb:.0f} | {result_mb:.0f} |")
    for label, column in (("at the end", 2), ("at the end without the baked action", 7), ("peak", 3)):
        growth = rows[1][column] - rows[0][column]
        print(f"memory {label}, {rows[1][0]} frames against {rows[0][0]}: {growth:+.0f} MB (goal <= {GOAL_MB:g}): "
              f"{'met' if growth <= GOAL_MB else 'NOT met'}")
    return out / f"bake_{frames}.npz"


_FIT = ("import resource, sys\nfrom dataclasses import replace\nsys.path.insert(0, 'bench')\nfrom long_session import rss_mb\n"
        "from ras_mocap.core.cleaning import CleaningSettings\nfrom ras_mocap.core.pipeline import fit_clip\n"
        "from ras_mocap.core.track import PER_FRAME_FIELDS, Track\n"
        "track = Track.load(sys.argv[1]); n = int(sys.argv[2])\n"
        "track = replace(track, **{f: getattr(track, f)[:n] for f in PER_FRAME_FIELDS})\n"
        "before = rss_mb(); fit_clip(track, CleaningSettings())\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == 'darwin' else 2**10)\n"
        "print(before, peak)")
"""The whole-clip fit alone on a track's first n frames; prints the memory before it and the peak."""


def fit(track: Path, sizes: tuple[int, ...] = (1000, 3000)) -> None:
    print(f"\nthe whole-clip fit alone, the first frames of {track.name}, each in its own process")
    print("| frames | RSS before MB | peak MB | peak growth MB | per frame KB |\n|---|---|---|---|---|")
    for n in sizes:
        run = subprocess.run([sys.executable, "-c", _FIT, str(track), str(n)], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO)
        before, peak = map(float, run.stdout.split())
        print(f"| {n} | {before:.0f} | {peak:.0f} | {peak - before:.0f} | {1024 * (peak - before) / n:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live-minutes", type=float, default=10.0)
    parser.add_argument("--bake-frames", type=int, default=10_000)
    parser.add_argument("--fit-track", type=Path, help="measure the fit's memory on this track (default: the bake's)")
    parser.add_argument("--fit-sizes", nargs="*", type=int, default=[1000, 3000],
                        help="frames of the fit alone (none: skip it)")
    args = parser.parse_args()
    if args.live_minutes > 0:
        live(args.live_minutes)
    track = args.fit_track
    if args.bake_frames > 0:
        track = track or bake(args.bake_frames)
    if track and args.fit_sizes:
        fit(track, tuple(args.fit_sizes))


if __name__ == "__main__":
    main()
