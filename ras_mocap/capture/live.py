"""A live take without Blender: run the capture worker for a while and record what it gives."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core.track import Track
from .sources import FrameSource
from .tracking import TrackingSettings, TrackRecorder
from .worker import CaptureWorker, WorkerState

__all__ = ["Take", "record_take"]


@dataclass(frozen=True)
class Take:
    track: Track
    message: str  # how the take ended
    elapsed_s: float
    frames_dropped: int  # missed by the source while the detector was busy, or by the queue
    interrupted: bool = False  # ended by Ctrl-C (the frames until then are kept)


def record_take(
    open_source: Callable[[], FrameSource],
    settings: TrackingSettings,
    seconds: float,
    meta: dict | None = None,
    poll_s: float = 0.01,
    progress: Callable[[float], None] | None = None,
) -> Take:
    """Capture for `seconds` (or until the source ends, or Ctrl-C); every frame the worker
    delivered is kept; `progress(seconds recorded)` is called as it goes. A Ctrl-C before the
    source has opened raises KeyboardInterrupt."""
    worker = CaptureWorker(open_source, settings)
    try:
        worker.start()
    except BaseException:
        worker.stop()
        raise
    recorder = TrackRecorder(worker.fps, worker.image_size_px, {**(meta or {}), **settings.describe(), "live": True})
    started = time.monotonic()
    interrupted = False
    try:
        while time.monotonic() - started < seconds and worker.state is WorkerState.RUNNING:
            for pose_frame in worker.drain():
                recorder.add(pose_frame)
            if progress:
                progress(time.monotonic() - started)
            time.sleep(poll_s)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        worker.stop()
        for pose_frame in worker.drain():
            recorder.add(pose_frame)
    elapsed_s = time.monotonic() - started
    if worker.state is WorkerState.FAILED:
        message = f"{worker.message}; the {len(recorder)} frames before it are kept"
    elif interrupted:
        message = f"interrupted after {elapsed_s:.1f} s"
    elif worker.state is WorkerState.ENDED:
        message = worker.message
    else:
        message = f"recorded {elapsed_s:.1f} s"
    dropped = worker.stats.frames_missed + worker.stats.frames_dropped
    return Take(recorder.to_track(), message, elapsed_s, dropped, interrupted)
