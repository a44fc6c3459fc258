"""Bake from video in steps, so Blender stays responsive: BlazePose runs over the video on the
capture worker (every frame, lossless); each tick on the main thread collects what it found.
When the video is done, the track is cleaned, solved and keyed in one go (the zero-lag filter
and foot pinning need the whole track)."""
from __future__ import annotations

from pathlib import Path

from ..capture.sources import SourceError, VideoFileSource
from ..capture.tracking import TrackingSettings, TrackRecorder
from ..capture.worker import CaptureWorker, WorkerState
from ..core.track import Track

__all__ = ["VideoBake"]


class VideoBake:
    """Detection of `video` [start_frame, end_frame) on a worker thread; `tick()` until it is done."""

    def __init__(self, video: str | Path, settings: TrackingSettings, start_frame: int = 0, end_frame: int | None = None):
        self.video = Path(video)
        self.settings = settings
        self.worker = CaptureWorker(lambda: VideoFileSource(self.video, start_frame, end_frame), settings,
                                    queue_size=32, lossless=True)
        self._recorder: TrackRecorder | None = None
        self.done = False

    def start(self) -> None:
        """Open the video and the model (their errors are raised here) and start detecting."""
        self.worker.start()
        meta = {**self.worker.meta, **self.settings.describe()}
        self._recorder = TrackRecorder(self.worker.fps, self.worker.image_size_px, meta)

    def tick(self) -> bool:
        """Collect the frames detected since the last tick; False once the whole range is in."""
        running = self.worker.running  # read before draining: nothing can arrive after it ended
        for pose_frame in self.worker.drain():
            self._recorder.add(pose_frame)
        self.done = not running
        return running

    @property
    def frames_done(self) -> int:
        return len(self._recorder) if self._recorder else 0

    @property
    def progress(self) -> float:
        """0..1 of the frames to detect."""
        return min(1.0, self.frames_done / self.worker.n_frames) if self.worker.n_frames else 0.0

    def stop(self) -> None:
        """Cancel: the worker stops and its thread is joined; nothing has been keyed."""
        self.worker.stop()

    def track(self) -> Track:
        """The finished track (raises what stopped the worker, or if no frame was decoded)."""
        if self.worker.state is WorkerState.FAILED:
            raise self.worker.error
        if self.frames_done == 0:
            raise SourceError(f"no frame could be decoded from {self.video}")
        return self._recorder.to_track()
