"""The capture thread: it owns the source and the landmarker and hands PoseFrames to the consumer.

The consumer (Blender's timer, a CLI loop) calls `drain()`, which never blocks.
Live: the queue is bounded and drops the oldest frame when full, so a slow
consumer always gets the newest pose. Lossless (a video bake): the worker
waits for room instead. The source and landmarker are opened and closed on the
worker thread, on every path; `stop()` joins the thread.
"""
from __future__ import annotations

import enum
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .people import Person
from .sources import FrameSource, SourceError
from .tracking import PoseFrame, PoseTracker, TrackingSettings, source_meta

__all__ = ["CaptureWorker", "WorkerState", "WorkerStats"]


class WorkerState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    ENDED = "ended"  # the source stopped giving frames (end of a video, a camera that stopped)
    STOPPED = "stopped"  # stop() was called
    FAILED = "failed"  # an error; `error` holds it


@dataclass
class WorkerStats:
    frames_processed: int = 0
    frames_with_person: int = 0
    frames_dropped: int = 0  # dropped from the queue because the consumer was slow
    frames_missed: int = 0  # frames the camera moved past while the detector was busy (replay source)


class CaptureWorker:
    """Runs source -> PoseTracker on a thread; `start()` returns once both are open (or raises)."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        settings: TrackingSettings,
        queue_size: int = 8,
        lossless: bool = False,
        preview_width_px: int | None = None,
        follow: Person | None = None,
    ):
        """follow: a video's subject from the people pass (pass 2 crops around them); None
        follows a LiveSubject among everyone in view."""
        self._open_source = open_source
        self._settings = settings
        self._follow = follow
        self._lossless = lossless
        self._preview_width_px = preview_width_px
        self._queue: deque[PoseFrame] = deque(maxlen=None if lossless else queue_size)
        self._queue_size = queue_size
        self._room = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = WorkerState.IDLE
        self.error: BaseException | None = None
        self.stats = WorkerStats()
        self.fps = 0.0
        self.image_size_px = (0, 0)
        self.on_frame: Callable[[PoseFrame], PoseFrame] | None = None
        """Runs on the capture thread for every frame before it is queued (numpy work, never bpy):
        the live session solves the pose there, so Blender's main thread only applies it."""
        self.tracker: PoseTracker | None = None
        """The tracker, once the thread has opened it (its live_subject takes a pick from any thread)."""
        self.n_frames = 0  # frames a video source will give; 0 for a camera
        self.meta: dict = {}  # what the source says about itself, for the track

    def start(self, open_timeout_s: float = 60.0) -> None:
        """Open the source and the model on the worker thread and start; re-raises their errors."""
        if self._thread is not None:
            raise RuntimeError("a CaptureWorker starts once")
        self._thread = threading.Thread(target=self._run, name="ras-mocap-capture", daemon=True)
        self._thread.start()
        if not self._ready.wait(open_timeout_s):
            self.stop()
            raise SourceError(f"the capture source or model did not open within {open_timeout_s:g} s")
        if self.state is WorkerState.FAILED:
            self._thread.join()
            raise self.error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def message(self) -> str:
        """What happened, for a status line or a report."""
        if self.state is WorkerState.FAILED:
            return f"capture failed: {self.error}"
        if self.state is WorkerState.ENDED:
            return f"the source stopped delivering frames after {self.stats.frames_processed}"
        return self.state.value

    def drain(self) -> list[PoseFrame]:
        """Every PoseFrame waiting, oldest first; never blocks."""
        frames = []
        while True:
            try:
                frames.append(self._queue.popleft())
            except IndexError:
                break
        if frames and self._lossless:
            with self._room:
                self._room.notify()
        return frames

    def stop(self, timeout_s: float = 1.0) -> bool:
        """Ask the thread to finish and join it; True if it has ended. Queued frames stay drainable."""
        self._stop.set()
        with self._room:
            self._room.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.running

    def _put(self, pose_frame: PoseFrame) -> None:
        if self._lossless:
            with self._room:
                while len(self._queue) >= self._queue_size and not self._stop.is_set():
                    self._room.wait(0.1)
        elif len(self._queue) == self._queue.maxlen:
            self.stats.frames_dropped += 1  # the deque drops the oldest on append
        self._queue.append(pose_frame)

    def _run(self) -> None:
        source = tracker = None
        try:
            source = self._open_source()
            self.fps, self.image_size_px = source.fps, (source.width, source.height)
            self.n_frames = getattr(source, "n_frames", 0)
            self.meta = source_meta(source)
            tracker = PoseTracker(self._settings, self.image_size_px, self._preview_width_px, self._follow)
            self.tracker = tracker
            self.state = WorkerState.RUNNING
            self._ready.set()
            while not self._stop.is_set():
                frame = source.read()
                self.stats.frames_missed = getattr(source, "frames_dropped", 0)  # a last read may skip and then end
                if frame is None:
                    self.state = WorkerState.ENDED
                    return
                pose_frame = tracker.process(frame)
                if self.on_frame is not None:
                    pose_frame = self.on_frame(pose_frame)
                self.stats.frames_processed += 1
                self.stats.frames_with_person += pose_frame.detection is not None
                self._put(pose_frame)
            self.state = WorkerState.STOPPED
        except Exception as exc:  # reported to the consumer through state / error
            self.error = exc
            self.state = WorkerState.FAILED
        finally:
            for resource in (tracker, source):
                if resource is not None:
                    resource.close()
            self._ready.set()
