"""Where the CLI bake's time goes: cProfile of one bake (main thread), its stages summed.

    PYTHONPATH=. python bench/profile_bake.py [VIDEO] [--model lite] [--frames 1000] [--top 25]

Prints the wall time of the pipeline's stages (people pass, landmarks, fit, keys, files) and the
functions with the most cumulative time. Threads (decoding, pass 1's tiles) run beside it and
show in the stage they overlap.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

from bake_throughput import bake_s
from clips import looped_video, model

STAGES = {
    "people pass": "find_people",
    "landmarks (pass 2)": "track_source",
    "cleaning": "clean_track",
    "whole-clip fit": "fit_track",
    "solve to rig channels": "rig_channels",
    "keys on the rig": "write_pose_channels",
    ".blend": "save_blend",
    "BVH": "export_bvh",
    "track file": "save",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path)
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("options", nargs="*", help="more bake options, after --")
    args = parser.parse_args()
    video = args.video or looped_video(args.frames)
    bake_s(video, model(args.model), "--end", "30")  # warm
    profiler = cProfile.Profile()
    seconds, _ = profiler.runcall(bake_s, video, model(args.model), *args.options)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    by_name: dict[str, float] = {}
    for (path, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        if "ras_mocap" in path:
            by_name[name] = max(by_name.get(name, 0.0), cumulative)
    print(f"bake of {video.name} ({args.model}): {seconds:.1f} s")
    print("| stage | s | share |\n|---|---|---|")
    for label, name in STAGES.items():
        if name in by_name:
            print(f"| {label} | {by_name[name]:.1f} | {100 * by_name[name] / seconds:.0f}% |")
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
