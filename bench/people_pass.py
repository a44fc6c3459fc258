"""What the people pass (pass 1) adds to a bake, side by side in one run.

    PYTHONPATH=. python bench/people_pass.py [VIDEO ...] [--model full] [--repeat 2]

For each video: the whole CLI bake (pass 1, subject choice, pass 2, clean, solve, key, save,
BVH) against the same bake with pass 1's result handed in (pass 2 alone), plus pass 1 by
itself and the clip's bare decode (the floor each pass pays: every frame must be decoded, even
the ones pass 1 does not look at). The best of --repeat runs each. Also the bake as it ran
before the people pass (two poses looked for in every whole frame).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ras_mocap.blender.bake import bake_to_files
from ras_mocap.capture.sources import VideoFileSource
from ras_mocap.capture.tracking import TrackingSettings, find_subject, track_source, track_video

SHARED = Path(__file__).resolve().parents[2] / "shared"
VIDEOS = (SHARED / "fixtures/video/sports2d_demo_walk.mp4", SHARED / "fixtures/video/pose2sim_single_cam01.mp4",
          SHARED / "fixtures/synthetic/walk_side.mp4")


def _best_s(run, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def _bake(track) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bake_to_files(track, Path(tmp) / "bench.blend", Path(tmp) / "bench.bvh")


def _decode(video: Path) -> int:
    with VideoFileSource(video) as source:
        return sum(1 for _ in source)


def _old_default(video: Path, settings: TrackingSettings):
    """Before the people pass: two poses looked for in every whole frame, one chosen per frame."""
    with VideoFileSource(video) as source:
        return track_source(source, TrackingSettings(settings.model_path, num_poses=2), {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path, default=VIDEOS)
    parser.add_argument("--model", default="full", choices=("lite", "full", "heavy"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    settings = TrackingSettings(SHARED / "models" / f"pose_landmarker_{args.model}.task")
    for video in args.videos:
        decode_s, n = _best_s(lambda: _decode(video), args.repeat)
        pass1_s, people = _best_s(lambda: find_subject(video, settings), args.repeat)
        pass2_s, _ = _best_s(lambda: _bake(track_video(video, settings, people=people)), args.repeat)
        whole_s, _ = _best_s(lambda: _bake(track_video(video, settings)), args.repeat)
        old_s, _ = _best_s(lambda: _bake(_old_default(video, settings)), args.repeat)
        found, subject, reason = people
        print(f"video: {video.name} ({n} frames), model: {args.model}; {len(found.persons)} people, "
              f"subject {subject.id if subject else '-'} ({reason})")
        print(f"  decode only            {decode_s:6.2f} s  ({1000 * decode_s / n:5.1f} ms/frame)")
        print(f"  pass 1 alone           {pass1_s:6.2f} s  ({len(found.sampled_frames)} frames looked at)")
        print(f"  bake, pass 2 alone     {pass2_s:6.2f} s  ({1000 * pass2_s / n:5.1f} ms/frame)")
        print(f"  bake, whole            {whole_s:6.2f} s  ({1000 * whole_s / n:5.1f} ms/frame)")
        print(f"  bake before the pass   {old_s:6.2f} s  (two poses, every whole frame)")
        print(f"  ratio whole / pass 2 alone: {whole_s / pass2_s:.2f} (pass 1 adds {100 * (whole_s / pass2_s - 1):.0f}%); "
              f"whole / before: {whole_s / old_s:.2f}")


if __name__ == "__main__":
    main()
