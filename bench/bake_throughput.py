"""The whole CLI bake against the bare detector loop on the same frames, side by side (issue 15).

    PYTHONPATH=. python bench/bake_throughput.py [--frames 1000] [--model lite] [--video V]

bare detector: MediaPipe's PoseLandmarker in VIDEO mode, one pose, on the whole frames of the
video, decoded beforehand (in chunks, so a long clip fits in memory; only detection is timed).
bake: `python -m ras_mocap bake VIDEO --out x.blend --bvh x.bvh` with its defaults (people
pass, the subject's landmarks, cleaning, the whole-clip fit, keys, .blend, BVH), run in this
process after its imports. The video: pose2sim cam01 to and fro, --frames long. Goal <= 1.05.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

import cv2
import mediapipe as mp
from mediapipe.tasks.python import vision

from clips import looped_video, model
from ras_mocap.__main__ import main as cli

CHUNK_FRAMES = 50
GOAL = 1.05


def bare_detector_s(video: Path, model_path: Path) -> tuple[float, int]:
    """Seconds MediaPipe alone takes to detect every frame of the video, and the frame count."""
    options = vision.PoseLandmarkerOptions(base_options=mp.tasks.BaseOptions(model_asset_path=str(model_path)),
                                           running_mode=vision.RunningMode.VIDEO)
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS)
    detect_s, count = 0.0, 0
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        while True:
            chunk = [cv2.cvtColor(read[1], cv2.COLOR_BGR2RGB)
                     for read in (capture.read() for _ in range(CHUNK_FRAMES)) if read[0]]
            if not chunk:
                break
            started = time.perf_counter()
            for rgb in chunk:
                landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(count * 1000 / fps))
                count += 1
            detect_s += time.perf_counter() - started
    capture.release()
    return detect_s, count


def bake_s(video: Path, model_path: Path, *options: str) -> tuple[float, str]:
    """Seconds of the CLI bake with its defaults (plus `options`), and what it printed."""
    with tempfile.TemporaryDirectory() as folder:
        printed = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            status = cli(["bake", str(video), "--model-path", str(model_path), "--out", f"{folder}/bake.blend",
                          "--bvh", f"{folder}/bake.bvh", *options])
        seconds = time.perf_counter() - started
    assert status == 0, printed.getvalue()
    return seconds, printed.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--video", type=Path, help="instead of the looped pose2sim clip")
    args = parser.parse_args()
    video = args.video or looped_video(args.frames)
    model_path = model(args.model)
    bake_s(video, model_path, "--end", "30")  # warm: imports, the first landmarker, Blender's first file
    bare, frames = bare_detector_s(video, model_path)
    whole, _ = bake_s(video, model_path)
    one, _ = bake_s(video, model_path, "--num-poses", "1")
    print(f"video: {video.name}, {frames} frames, model: {args.model}")
    print(f"| run | s | ms/frame | / bare detector |\n|---|---|---|---|")
    for label, seconds in (("bare detector (decoded beforehand)", bare), ("bake, defaults", whole),
                           ("bake, --num-poses 1 (no people pass)", one)):
        print(f"| {label} | {seconds:.1f} | {1000 * seconds / frames:.1f} | {seconds / bare:.2f} |")
    ratio = whole / bare
    print(f"ratio bake / bare detector: {ratio:.2f} (goal <= {GOAL}): {'met' if ratio <= GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
