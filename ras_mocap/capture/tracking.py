"""Track a whole video file: source -> detector -> Track."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from .detector import PoseDetector, RegionOfInterest
from .sources import SourceError, VideoFileSource
from .track import PER_FRAME_FIELDS, Track

__all__ = ["track_video", "ProgressFn", "Cancelled"]

ProgressFn = Callable[[int, int], bool | None]
"""Called with (frames done, frames total); returning True cancels."""


class Cancelled(RuntimeError):
    """The progress callback asked to stop."""


def track_video(
    video_path: str | Path,
    model_path: str | Path,
    start_frame: int = 0,
    end_frame: int | None = None,
    roi: RegionOfInterest | None = None,
    progress: ProgressFn | None = None,
) -> Track:
    """Run BlazePose over [start_frame, end_frame) of a video; one Track row per frame read."""
    with VideoFileSource(video_path, start_frame, end_frame) as source:
        meta = {
            "source": str(Path(video_path).resolve()),
            "model": Path(model_path).name,
            "start_frame": source.start_frame,
            "end_frame": source.end_frame,
            "roi": asdict(roi) if roi else None,
        }
        track = Track.empty(source.n_frames, source.fps, (source.width, source.height), meta)
        n_read = 0
        with PoseDetector(model_path, roi) as detector:
            for row, frame in enumerate(source):
                detection = detector.detect(frame.bgr, frame.time_s)
                track.frame_index[row] = frame.index
                track.time_s[row] = frame.time_s
                if detection is not None:
                    track.found[row] = True
                    track.image_xyz[row] = detection.image_xyz
                    track.visibility[row] = detection.visibility
                    track.presence[row] = detection.presence
                    track.world_xyz_m[row] = detection.world_xyz_m
                n_read = row + 1
                if progress and progress(n_read, source.n_frames):
                    raise Cancelled(f"cancelled after {n_read} of {source.n_frames} frames")
    if n_read == 0:
        raise SourceError(f"no frame could be decoded from {video_path}")
    return _first_rows(track, n_read)


def _first_rows(track: Track, n: int) -> Track:
    """The track cut to the frames actually decoded (containers may over-count)."""
    if n == len(track):
        return track
    return replace(track, **{name: getattr(track, name)[:n] for name in PER_FRAME_FIELDS})
