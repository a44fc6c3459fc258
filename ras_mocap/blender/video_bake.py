"""Bake from video in steps, so Blender stays responsive. Phase 1 (unless Find People already ran
on the same video and settings, or one pose is looked for): the people pass on a background
thread, then the subject chosen. Phase 2: BlazePose follows the subject over the video on the
capture worker (every frame, lossless); each tick on the main thread collects what it found.
Phase 3: the track saved at once (`keep_track`: nothing detected is lost to a later failure),
then cleaned and one body fitted to the whole clip on a background thread (the zero-lag filter
and the fit need the whole track; the fit takes seconds a thousand frames). The operator then
keys the fitted clip on the main thread."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..capture.background import BackgroundTask
from ..capture.people import People, Person
from ..capture.sources import SourceError, VideoFileSource
from ..capture.tracking import TrackingSettings, TrackRecorder, find_subject, subject_meta
from ..capture.worker import CaptureWorker, WorkerState
from ..core.cleaning import CleaningSettings
from ..core.pipeline import FittedClip, fit_clip
from ..core.track import Track

__all__ = ["VideoBake"]


class VideoBake:
    """Detection of `video` [start_frame, end_frame) off the main thread; `tick()` until it is done.

    people: the people pass's result (people, subject, why) if it is known already; `cleaning`
    and `fit_options` (body_height_m, fov_deg) what the fit is given; `keep_track` saves the
    track when detection ends (called from tick(), on the caller's thread) and says where.
    """

    def __init__(self, video: str | Path, settings: TrackingSettings, start_frame: int = 0, end_frame: int | None = None,
                 people: tuple[People, Person, str] | None = None, cleaning: CleaningSettings = CleaningSettings(),
                 fit_options: dict | None = None, keep_track: Callable[[Track], Path] | None = None):
        self.video = Path(video)
        self.settings = settings
        self.start_frame, self.end_frame = start_frame, end_frame
        self.people = people
        self.cleaning, self.fit_options = cleaning, fit_options or {}
        self.worker: CaptureWorker | None = None
        self._people_task: BackgroundTask | None = None
        self._recorder: TrackRecorder | None = None
        self._track: Track | None = None
        self._fit_task: BackgroundTask | None = None
        self.keep_track = keep_track
        self.track_path: Path | None = None  # where the track was saved, once detection has ended

    def start(self) -> None:
        """Open the video and the model (their errors are raised here) and start."""
        if self.people is None and self.settings.num_poses > 1:
            VideoFileSource(self.video, self.start_frame, self.end_frame).close()  # a bad file fails here
            self._people_task = BackgroundTask(
                lambda progress: find_subject(self.video, self.settings, self.start_frame, self.end_frame, progress),
                name="ras-mocap-people").start()
        else:
            self._start_tracking()

    def _start_tracking(self) -> None:
        follow = self.people[1] if self.people else None
        self.worker = CaptureWorker(lambda: VideoFileSource(self.video, self.start_frame, self.end_frame),
                                    self.settings, queue_size=32, lossless=True, follow=follow)
        self.worker.start()
        meta = {**self.worker.meta, **self.settings.describe(), **(subject_meta(*self.people) if self.people else {})}
        self._recorder = TrackRecorder(self.worker.fps, self.worker.image_size_px, meta)

    def tick(self) -> bool:
        """Advance: collect the frames detected since the last tick, then start the fit; False once
        the fit has ended (clip() has its result). Raises what stopped the people pass (nobody
        found, a cancel, an error)."""
        if self.worker is None:
            if self._people_task.running:
                return True
            self.people = self._people_task.result()
            self._start_tracking()
            return True
        if self._fit_task is None:
            running = self.worker.running  # read before draining: nothing can arrive after it ended
            for pose_frame in self.worker.drain():
                self._recorder.add(pose_frame)
            if not running:
                track = self.track()
                if self.keep_track is not None:
                    self.track_path = self.keep_track(track)
                self._fit_task = BackgroundTask(
                    lambda progress: fit_clip(track, self.cleaning, progress=progress, **self.fit_options),
                    name="ras-mocap-fit").start()
            return True
        return self._fit_task.running

    @property
    def frames_done(self) -> int:
        return len(self._recorder) if self._recorder else 0

    @property
    def progress(self) -> float:
        """0..1 of the current phase."""
        if self.worker is None:
            return self._people_task.fraction if self._people_task else 0.0
        if self._fit_task is not None:
            return self._fit_task.fraction
        return min(1.0, self.frames_done / self.worker.n_frames) if self.worker.n_frames else 0.0

    @property
    def status(self) -> str:
        if self.worker is None:
            task = self._people_task
            return f"Finding people: frame {task.done_count} of {task.total} looked at" if task else "Starting"
        if self._fit_task is not None:
            return f"Fitting the body to {self.frames_done} frames: step {self._fit_task.done_count}"
        return f"Detecting pose: frame {self.frames_done} of {self.worker.n_frames}"

    def stop(self) -> None:
        """Cancel: the threads stop and are joined; nothing has been keyed."""
        if self._people_task is not None:
            self._people_task.cancel()
        if self.worker is not None:
            self.worker.stop()
        if self._fit_task is not None:
            self._fit_task.cancel()

    release = stop  # (at interpreter exit: only threads, no Blender data)

    def track(self) -> Track:
        """The finished track (raises what stopped the worker, or if no frame was decoded)."""
        if self._track is None:
            if self.worker.state is WorkerState.FAILED:
                raise self.worker.error
            if self.frames_done == 0:
                raise SourceError(f"no frame could be decoded from {self.video}")
            self._track = self._recorder.to_track()
        return self._track

    def clip(self) -> FittedClip:
        """The track cleaned and fitted, once tick() has returned False (raises what stopped it)."""
        return self._fit_task.result()
