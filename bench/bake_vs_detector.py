"""Per-frame cost of the whole bake against the raw detector on the same video, side by side.

    python bench/bake_vs_detector.py [VIDEO] [--model lite|full|heavy]

raw detector: PoseLandmarker.detect_for_video on frames decoded beforehand (MediaPipe alone);
bake: decode + detect + track + solve + key + save, as `python -m ras_mocap bake` does it.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import mediapipe as mp
from mediapipe.tasks.python import vision

from ras_mocap.blender.bake import bake_to_files
from ras_mocap.capture.tracking import TrackingSettings, track_video

SHARED = Path(__file__).resolve().parents[2] / "shared"


def raw_detector_ms(video: Path, model: Path) -> tuple[float, float, float]:
    """(detect ms/frame, decode ms/frame, model load ms) with MediaPipe and OpenCV alone."""
    started = time.perf_counter()
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while (ok_frame := cap.read())[0]:
        frames.append(cv2.cvtColor(ok_frame[1], cv2.COLOR_BGR2RGB))
    cap.release()
    decode_ms = 1000 * (time.perf_counter() - started) / len(frames)
    options = vision.PoseLandmarkerOptions(
        base_options=mp.tasks.BaseOptions(model_asset_path=str(model)), running_mode=vision.RunningMode.VIDEO
    )
    started = time.perf_counter()
    landmarker = vision.PoseLandmarker.create_from_options(options)
    load_ms = 1000 * (time.perf_counter() - started)
    try:
        started = time.perf_counter()
        for i, rgb in enumerate(frames):
            landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(i * 1000 / fps))
        return 1000 * (time.perf_counter() - started) / len(frames), decode_ms, load_ms
    finally:
        landmarker.close()


def bake_ms(video: Path, model: Path) -> tuple[float, float, int]:
    """(whole bake ms/frame, of which tracking ms/frame, frames)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        track = track_video(video, TrackingSettings(model, num_poses=1))
        tracked = time.perf_counter()
        bake_to_files(track, Path(tmp) / "bench.blend", Path(tmp) / "bench.bvh")
        done = time.perf_counter()
    n = len(track)
    return 1000 * (done - started) / n, 1000 * (tracked - started) / n, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=SHARED / "fixtures/video/pose2sim_single_cam01.mp4")
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    args = parser.parse_args()
    model = SHARED / "models" / f"pose_landmarker_{args.model}.task"
    raw, decode, load_ms = raw_detector_ms(args.video, model)
    total, tracking, n = bake_ms(args.video, model)
    print(f"video: {args.video.name} ({n} frames), model: {args.model}")
    print(f"raw detector      {raw:7.1f} ms/frame")
    print(f"  + decode        {decode:7.1f} ms/frame, model load {load_ms:.0f} ms "
          f"= {raw + decode + load_ms / n:.1f} ms/frame floor")
    print(f"bake, tracking    {tracking:7.1f} ms/frame")
    print(f"bake, whole       {total:7.1f} ms/frame")
    print(f"ratio bake / raw detector: {total / raw:.2f}")
    print(f"ratio bake / floor (decode + detect + load): {total / (raw + decode + load_ms / n):.2f}")


if __name__ == "__main__":
    main()
