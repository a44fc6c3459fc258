"""BlazePose in VIDEO mode (detect once, then track) against IMAGE mode (detect on every frame,
as BlendArMocap-style add-ons run it), on the same frames, side by side (issue 15).

    PYTHONPATH=. python bench/detector_modes.py [--model lite] [--videos V ...]

Per video (decoded beforehand): ms per frame of each mode, and ankle jitter - the RMS distance
of the ankles' path above 6 Hz (a 4th-order Butterworth high-pass, both ways: walking and
running move the feet below it), over the longest run where both ankles are seen - of the raw landmarks (pixels, per 100 px of body height), and of the same
tracks after the whole pipeline (cleaning, the whole-clip fit: the fitted ankles, mm).
Goal: VIDEO >= 1.7x faster, >= 2x less jitter, raw and through the pipeline.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import vision
from scipy.signal import butter, sosfiltfilt

from clips import POSE2SIM, WALK_SIDE, model
from ras_mocap.capture.detector import PoseDetector
from ras_mocap.capture.sources import Frame, VideoFileSource
from ras_mocap.capture.tracking import PoseFrame, TrackRecorder
from ras_mocap.core.pipeline import fit_clip
from ras_mocap.core.skeleton import KP
from ras_mocap.core.track import Track

ANKLES = [KP["left_ankle"], KP["right_ankle"]]
GOAL_SPEED, GOAL_JITTER = 1.7, 2.0


def image_mode_track(frames: list[Frame], model_path: Path, fps: float, size: tuple[int, int]) -> tuple[Track, float]:
    """IMAGE mode on every frame: the track and ms per frame."""
    options = vision.PoseLandmarkerOptions(base_options=mp.tasks.BaseOptions(model_asset_path=str(model_path)),
                                           running_mode=vision.RunningMode.IMAGE)
    recorder = TrackRecorder(fps, size)
    rgbs = [np.ascontiguousarray(frame.bgr[..., ::-1]) for frame in frames]
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        started = time.perf_counter()
        results = [landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)) for rgb in rgbs]
        ms = 1000 * (time.perf_counter() - started) / len(frames)
    for frame, result in zip(frames, results):
        detection = (PoseDetector._to_detection(result.pose_landmarks[0], result.pose_world_landmarks[0],
                                                (0, 0, *size), size) if result.pose_landmarks else None)
        recorder.add(PoseFrame(frame.index, frame.time_s, size, detection))
    return recorder.to_track(), ms


def video_mode_track(frames: list[Frame], model_path: Path, fps: float, size: tuple[int, int]) -> tuple[Track, float]:
    """The product's detector (VIDEO mode) on every frame: the track and ms per frame."""
    recorder = TrackRecorder(fps, size)
    with PoseDetector(model_path) as detector:
        started = time.perf_counter()
        found = [detector.detect(frame) for frame in frames]
        ms = 1000 * (time.perf_counter() - started) / len(frames)
    for frame, detections in zip(frames, found):
        recorder.add(PoseFrame(frame.index, frame.time_s, size, detections[0] if detections else None))
    return recorder.to_track(), ms


def jitter(points: np.ndarray, fps: float, above_hz: float = 6.0) -> float:
    """RMS (units of points) of the (N, 2, D) ankle paths above `above_hz`, over the longest run
    where both are known."""
    known = np.isfinite(points).all(axis=(1, 2))
    edges = np.flatnonzero(np.diff(np.concatenate([[0], known.astype(int), [0]])))
    start, stop = max(zip(edges[::2], edges[1::2]), key=lambda run: run[1] - run[0])
    path = points[start:stop]
    shake = sosfiltfilt(butter(4, above_hz, "highpass", fs=fps, output="sos"), path, axis=0)
    return float(np.sqrt(np.mean(np.sum(shake**2, axis=-1))))


def body_px(track: Track) -> float:
    xy = track.image_xy_px[track.found]
    return float(np.median(np.nanmax(xy[..., 1], axis=1) - np.nanmin(xy[..., 1], axis=1)))


def figures(track: Track) -> tuple[float, float]:
    """(raw ankle jitter per 100 px of body, fitted ankle jitter mm)."""
    raw = np.where(track.found[:, None, None], track.image_xy_px[:, ANKLES], np.nan)
    fitted = fit_clip(track).body.camera_m[:, ANKLES]
    return 100 * jitter(raw, track.fps) / body_px(track), 1000 * jitter(fitted, track.fps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--videos", nargs="*", type=Path, default=[WALK_SIDE, POSE2SIM])
    args = parser.parse_args()
    print(f"model: {args.model}")
    print("| video | mode | ms/frame | found | raw ankle jitter px/100 px body | fitted ankle jitter mm |\n"
          "|---|---|---|---|---|---|")
    ratios = []
    for video in args.videos:
        with VideoFileSource(video) as source:
            frames, fps, size = list(source), source.fps, (source.width, source.height)
        rows = {}
        for mode, run in (("IMAGE", image_mode_track), ("VIDEO", video_mode_track)):
            track, ms = run(frames, model(args.model), fps, size)
            rows[mode] = (ms, *figures(track))
            print(f"| {video.name} | {mode} | {ms:.1f} | {track.found.mean():.0%} | {rows[mode][1]:.2f} | {rows[mode][2]:.1f} |")
        ratios.append([rows["IMAGE"][i] / rows["VIDEO"][i] for i in range(3)])
    for video, (speed, raw, fitted) in zip(args.videos, ratios):
        print(f"{video.name}: VIDEO faster x{speed:.2f} (goal >= {GOAL_SPEED}), less jitter raw x{raw:.2f}, "
              f"fitted x{fitted:.2f} (goal >= {GOAL_JITTER}): "
              f"{'met' if speed >= GOAL_SPEED and min(raw, fitted) >= GOAL_JITTER else 'NOT met'}")


if __name__ == "__main__":
    main()
