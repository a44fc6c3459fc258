"""Frames -> PoseFrames -> Track: the detector and subject selection applied frame by frame.

`PoseTracker` does one frame (used by `track_video` here and by the live worker);
`TrackRecorder` collects PoseFrames into a `Track`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.track import Track
from .detector import Detection, PoseDetector, RegionOfInterest
from .sources import Frame, FrameSource, SourceError, VideoFileSource
from .subject import SubjectSelector

__all__ = [
    "TrackingSettings", "PoseFrame", "PoseTracker", "TrackRecorder", "track_video", "track_source",
    "ProgressFn", "Cancelled", "source_meta",
]

ProgressFn = Callable[[int, int], bool | None]
"""Called with (frames done, frames total); returning True cancels."""


class Cancelled(RuntimeError):
    """The progress callback asked to stop."""


@dataclass(frozen=True)
class TrackingSettings:
    model_path: Path
    roi: RegionOfInterest | None = None
    """The detector only looks inside this pixel rectangle (drawn around the subject)."""
    subject: str = "follow"
    """Which person is the subject when several are found: follow | largest | central."""
    num_poses: int = 2
    """People BlazePose looks for; 1 is fastest for footage of one person."""
    min_confidence: float = 0.5

    def describe(self) -> dict:
        """The settings as plain data for a track's meta."""
        return {
            "model": Path(self.model_path).name,
            "roi": asdict(self.roi) if self.roi else None,
            "subject": self.subject,
            "num_poses": self.num_poses,
            "min_confidence": self.min_confidence,
        }


@dataclass(frozen=True)
class PoseFrame:
    """One frame's result: the subject's landmarks (None if nobody), and a small preview."""

    frame_index: int
    time_s: float
    image_size_px: tuple[int, int]  # (width, height)
    detection: Detection | None
    preview_rgb: np.ndarray | None = field(default=None, repr=False)  # (h, w, 3) uint8, top row first
    solved: Any = field(default=None, repr=False)
    """What the consumer's per-frame hook made of it on the capture thread (see CaptureWorker.on_frame)."""


class PoseTracker:
    """The PoseLandmarker and the subject selector for one source; close it (or use `with`)."""

    def __init__(self, settings: TrackingSettings, image_size_px: tuple[int, int], preview_width_px: int | None = None):
        self.image_size_px = image_size_px
        self.preview_width_px = preview_width_px
        if preview_width_px:
            import cv2
            from mediapipe.tasks.python.vision import PoseLandmarksConnections

            self._cv2 = cv2
            self._edges = [(c.start, c.end) for c in PoseLandmarksConnections.POSE_LANDMARKS]
        self._selector = SubjectSelector(settings.subject, image_size_px)
        self._detector = PoseDetector(settings.model_path, settings.roi, settings.num_poses, settings.min_confidence)

    def process(self, frame: Frame) -> PoseFrame:
        detection = self._selector.choose(self._detector.detect(frame.bgr, frame.time_s), frame.time_s)
        return PoseFrame(frame.index, frame.time_s, self.image_size_px, detection, self._preview(frame.bgr, detection))

    def _preview(self, bgr: np.ndarray, detection: Detection | None) -> np.ndarray | None:
        """The frame shrunk to the preview width, RGB, with the subject's skeleton drawn on it
        (here, on the capture thread, so Blender only copies pixels)."""
        if not self.preview_width_px:
            return None
        cv2 = self._cv2
        height_px = max(1, round(bgr.shape[0] * self.preview_width_px / bgr.shape[1]))
        small = cv2.cvtColor(cv2.resize(bgr, (self.preview_width_px, height_px), interpolation=cv2.INTER_AREA),
                             cv2.COLOR_BGR2RGB)
        if detection is not None:
            points = np.round(detection.image_xyz[:, :2] * (self.preview_width_px, height_px)).astype(np.int32)
            for start, end in self._edges:
                cv2.line(small, tuple(points[start]), tuple(points[end]), (80, 255, 120), 1, cv2.LINE_AA)
        return small

    def close(self) -> None:
        self._detector.close()

    def __enter__(self) -> PoseTracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class TrackRecorder:
    """Appends PoseFrames (any timing: a video's frames or a camera's) and makes a Track."""

    def __init__(self, fps: float, image_size_px: tuple[int, int], meta: dict | None = None):
        self.fps = fps
        self.image_size_px = image_size_px
        self.meta = dict(meta or {})
        self._frames: list[PoseFrame] = []

    def add(self, pose_frame: PoseFrame) -> None:
        self._frames.append(pose_frame)

    def __len__(self) -> int:
        return len(self._frames)

    def to_track(self) -> Track:
        track = Track.empty(len(self._frames), self.fps, self.image_size_px, self.meta)
        for row, pose_frame in enumerate(self._frames):
            track.frame_index[row] = pose_frame.frame_index
            track.time_s[row] = pose_frame.time_s
            detection = pose_frame.detection
            if detection is not None:
                track.found[row] = True
                track.image_xyz[row] = detection.image_xyz
                track.visibility[row] = detection.visibility
                track.presence[row] = detection.presence
                track.world_xyz_m[row] = detection.world_xyz_m
        return track


def source_meta(source: FrameSource) -> dict:
    """What a track records of its source: the video file and range it read (empty for a camera)."""
    if not isinstance(source, VideoFileSource):
        return {}
    return {"source": str(Path(source.path).resolve()), "start_frame": source.start_frame,
            "end_frame": source.end_frame, "stride": source.stride}


def track_source(
    source: FrameSource, settings: TrackingSettings, meta: dict, total: int = 0, progress: ProgressFn | None = None
) -> Track:
    """Run the tracker over every frame a source gives, on this thread."""
    recorder = TrackRecorder(source.fps, (source.width, source.height), {**meta, **settings.describe()})
    with PoseTracker(settings, (source.width, source.height)) as tracker:
        for frame in source:
            recorder.add(tracker.process(frame))
            if progress and progress(len(recorder), total):
                raise Cancelled(f"cancelled after {len(recorder)} of {total} frames")
    return recorder.to_track()


def track_video(
    video_path: str | Path,
    settings: TrackingSettings,
    start_frame: int = 0,
    end_frame: int | None = None,
    stride: int = 1,
    progress: ProgressFn | None = None,
) -> Track:
    """BlazePose over [start_frame, end_frame) of a video file: one Track row per frame read."""
    with VideoFileSource(video_path, start_frame, end_frame, stride) as source:
        track = track_source(source, settings, source_meta(source), source.n_frames, progress)
    if len(track) == 0:
        raise SourceError(f"no frame could be decoded from {video_path}")
    return track
