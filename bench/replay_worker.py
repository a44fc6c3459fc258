"""Does the capture worker keep up with a camera? A video replayed at its frame rate through it.

    python bench/replay_worker.py [VIDEO] [--model lite|full|heavy] [--speed 1.0] [--num-poses 1]

Side by side in one run: the raw detector's own rate (PoseLandmarker alone on decoded frames),
the camera's rate (the video's fps x speed) and what the worker delivered to a consumer draining
every 10 ms (source -> detector -> subject selection -> bounded queue, on its thread). A replayed
camera decodes on the worker thread (skipped frames too), which a real camera does not.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ras_mocap.capture.live import record_take
from ras_mocap.capture.sources import ReplaySource
from ras_mocap.capture.tracking import TrackingSettings

from bake_throughput import bare_detector_s
from clips import WALK_SIDE, model as model_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=WALK_SIDE)
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--speed", type=float, default=1.0, help="replay speed (2 = a camera at twice the fps)")
    parser.add_argument("--num-poses", type=int, default=1)
    args = parser.parse_args()
    model = model_path(args.model)

    detect_s, frames = bare_detector_s(args.video, model)
    detect_ms = 1000 * detect_s / frames
    take = record_take(
        lambda: ReplaySource(args.video, speed=args.speed),
        TrackingSettings(model, num_poses=args.num_poses),
        seconds=1e9,
    )
    camera_fps = take.track.fps * args.speed
    offered = len(take.track) + take.frames_dropped
    delivered_fps = len(take.track) / take.elapsed_s
    print(f"video: {args.video.name}, model: {args.model}, num_poses {args.num_poses}, replay x{args.speed:g}")
    print(f"camera               {camera_fps:6.1f} fps ({1000 / camera_fps:.1f} ms/frame), {offered} frames")
    print(f"raw detector alone   {1000 / detect_ms:6.1f} fps ({detect_ms:.1f} ms/frame)")
    print(f"worker delivered     {delivered_fps:6.1f} fps, {len(take.track)} frames, {take.frames_dropped} dropped")
    print(f"ratio delivered / min(camera, raw detector): {delivered_fps / min(camera_fps, 1000 / detect_ms):.2f}")


if __name__ == "__main__":
    main()
