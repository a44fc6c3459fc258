"""Frame sources: a video file, a webcam, and a replay of a video file as if it were a camera.

Every source has the same shape: `read()` gives the next `Frame` or None when the
source has ended, `fps` / `width` / `height` describe it, `close()` releases it
(also through `with`). Times are seconds from the start of the source.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
from ..core.errors import InputError, RasMocapError

__all__ = [
    "Frame", "FrameSource", "SourceError", "VideoFileSource", "WebcamSource", "ReplaySource", "ReadAhead",
    "list_cameras", "camera_backend",
]


class SourceError(RasMocapError):
    """A source that cannot deliver frames; the message names the cause."""


@dataclass(frozen=True)
class Frame:
    index: int  # frame number in the source
    time_s: float  # seconds from the source's start (video time, or capture clock)
    bgr: np.ndarray  # (H, W, 3) uint8, rotation metadata already applied
    captured_s: float = field(default_factory=time.monotonic)
    """When the frame was taken, on time.monotonic()'s clock: when a camera delivered it (its
    driver's buffering is not seen), when a replay made it due; live latency counts from it."""
    rgb: np.ndarray | None = field(default=None, repr=False)
    """The same pixels as RGB, when a ReadAhead made them on its thread (what MediaPipe takes)."""


class FrameSource(Protocol):
    fps: float
    width: int
    height: int

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class _Source:
    """Iteration and `with` for any source with read() / close()."""

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class VideoFileSource(_Source):
    """Frames [start_frame, end_frame) of a video file, every `stride`-th one.

    FFmpeg (through OpenCV) reads the container; phone rotation metadata is applied,
    so width / height are those of the frames as displayed. `sample_rate_hz` instead of a
    stride: about that many frames a second (a stride of fps / rate, at least 1).
    """

    def __init__(self, path: str | Path, start_frame: int = 0, end_frame: int | None = None, stride: int = 1,
                 sample_rate_hz: float | None = None):
        import cv2

        self.path = Path(path)
        if not self.path.is_file():
            raise SourceError(f"video file not found: {self.path}")
        if stride < 1:
            raise InputError(f"stride must be 1 or more, not {stride}")
        self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            raise SourceError(f"{self.path} is not a video that OpenCV/FFmpeg can read (not a video, or no frames in it)")
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 30.0
        n_total = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.stride = max(1, round(self.fps / sample_rate_hz)) if sample_rate_hz else stride
        self.start_frame = max(0, start_frame)
        self.end_frame = n_total if end_frame is None else min(end_frame, n_total)
        if n_total <= 0:
            self.close()
            raise SourceError(f"{self.path} holds no video frames")
        if self.start_frame >= self.end_frame:
            self.close()
            raise SourceError(f"frame range {start_frame}..{end_frame} is empty for {self.path} ({n_total} frames)")
        if self.start_frame:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, self.start_frame)
        self._next_index = self.start_frame
        self._first = self._decode()
        if self._first is None:
            self.close()
            raise SourceError(f"no frame could be decoded from {self.path}")
        self.height, self.width = self._first.bgr.shape[:2]

    @property
    def n_frames(self) -> int:
        """Frames this source will give (from the container's count; decoding may find fewer)."""
        return len(range(self.start_frame, self.end_frame, self.stride))


    def _decode(self) -> Frame | None:
        index = self._next_index
        if index >= self.end_frame:
            return None
        ok, bgr = self._cap.read()
        for _ in range(self.stride - 1):
            self._cap.grab()
        self._next_index += self.stride
        return Frame(index=index, time_s=index / self.fps, bgr=bgr) if ok else None

    def read(self) -> Frame | None:
        if self._first is not None:
            frame, self._first = self._first, None
            return frame
        return self._decode()

    def skip(self) -> bool:
        """Move past the next frame without converting it to BGR; False at the end."""
        if self._first is not None:
            self._first = None
            return True
        if self._next_index >= self.end_frame or not all(self._cap.grab() for _ in range(self.stride)):
            return False
        self._next_index += self.stride
        return True

    def close(self) -> None:
        self._cap.release()


def camera_backend() -> int:
    """OpenCV's camera API for this platform: V4L2 on Linux, AVFoundation on macOS, Media Foundation on Windows."""
    import cv2

    if sys.platform.startswith("linux"):
        return cv2.CAP_V4L2
    if sys.platform == "darwin":
        return cv2.CAP_AVFOUNDATION
    if sys.platform == "win32":
        return cv2.CAP_MSMF
    return cv2.CAP_ANY


def list_cameras(max_index: int = 8) -> list[int]:
    """Indices of the cameras that open and deliver a frame (probes 0..max_index-1)."""
    import cv2

    found = []
    for index in range(max_index):
        cap = cv2.VideoCapture(index, camera_backend())
        try:
            if cap.isOpened() and cap.read()[0]:
                found.append(index)
        finally:
            cap.release()
    return found


class WebcamSource(_Source):
    """A live camera through OpenCV. The requested size and rate are hints the driver may round.

    Times come from the camera's own buffer timestamps when it gives them (V4L2,
    AVFoundation), else from the monotonic clock at read; both are monotonic.
    A camera that gives no frame for `stall_timeout_s` has stopped: read() returns None.
    """

    def __init__(
        self,
        index: int = 0,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
        mirror: bool = False,
        stall_timeout_s: float = 2.0,
    ):
        import cv2

        self.index = index
        self.mirror = mirror
        self.stall_timeout_s = stall_timeout_s
        self._cap = cv2.VideoCapture(index, camera_backend())
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"camera {index} does not open (not connected, in use by another program, or no permission)")
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, width), (cv2.CAP_PROP_FRAME_HEIGHT, height), (cv2.CAP_PROP_FPS, fps)):
            if value:
                self._cap.set(prop, value)
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 30.0
        self._cv2 = cv2
        self._count = 0
        self._t0_s: float | None = None
        self._last_s = -1.0

    def _timestamp_s(self) -> float:
        camera_ms = float(self._cap.get(self._cv2.CAP_PROP_POS_MSEC))
        now_s = camera_ms / 1000.0 if camera_ms > 0 else time.monotonic()
        if self._t0_s is None:
            self._t0_s = now_s
        t_s = max(now_s - self._t0_s, self._last_s + 1e-3)  # strictly increasing for MediaPipe
        self._last_s = t_s
        return t_s

    def read(self) -> Frame | None:
        deadline = time.monotonic() + self.stall_timeout_s
        while time.monotonic() < deadline:
            ok, bgr = self._cap.read()
            if ok:
                if self.mirror:
                    bgr = bgr[:, ::-1]
                frame = Frame(index=self._count, time_s=self._timestamp_s(), bgr=np.ascontiguousarray(bgr))
                self._count += 1
                return frame
            time.sleep(0.01)
        return None

    def close(self) -> None:
        self._cap.release()


class ReadAhead(_Source):
    """Another source decoded ahead on its own thread (a bounded queue of `depth` frames), so
    decoding overlaps the consumer's work; OpenCV releases the GIL while it decodes. The
    thread also gives each frame its RGB copy (Frame.rgb), so the detector's thread only runs
    MediaPipe. Errors of the source are raised by read(); close() stops the thread and closes
    the source."""

    def __init__(self, source: FrameSource, depth: int = 4):
        import cv2

        self._cv2 = cv2
        self._source = source
        self.fps, self.width, self.height = source.fps, source.width, source.height
        self.n_frames = getattr(source, "n_frames", 0)
        self._frames: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="ras-mocap-decode", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                item = self._source.read()
                if item is not None:
                    item = replace(item, rgb=self._cv2.cvtColor(item.bgr, self._cv2.COLOR_BGR2RGB))
                self._put(item)
                if item is None:
                    return
        except Exception as exc:  # handed to the reader
            self._put(exc)

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._frames.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read(self) -> Frame | None:
        if self._ended or self._stop.is_set():
            return None
        item = self._frames.get()
        if isinstance(item, Exception):
            self._ended = True
            raise item
        self._ended = item is None
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._source.close()


class ReplaySource(_Source):
    """A video file played at its own frame rate as if it were a live camera.

    read() waits until the next frame is due; a consumer that is late gets the
    frame due now and the ones in between are dropped (counted in `frames_dropped`),
    as a camera would. The honest stand-in for a webcam in tests and benchmarks. `loop`: the
    video starts again when it ends, as a camera that never stops (frame indices and times go
    on counting).
    """

    def __init__(
        self,
        path: str | Path,
        start_frame: int = 0,
        end_frame: int | None = None,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        loop: bool = False,
    ):
        self._path, self._range = path, (start_frame, end_frame)
        self._video = VideoFileSource(path, start_frame, end_frame)
        self.fps, self.width, self.height = self._video.fps, self._video.width, self._video.height
        self.speed, self.loop = speed, loop
        self._clock = clock
        self._t0_s: float | None = None
        self._next_index = self._video.start_frame
        self._played = 0  # frames of the passes through the video before this one
        self.frames_dropped = 0

    def read(self) -> Frame | None:
        frame = self._read_due()
        if frame is None and self.loop and self._t0_s is not None:
            pass_frames = self._video.end_frame - self._video.start_frame
            self._video.close()
            self._video = VideoFileSource(self._path, *self._range)
            frame_s = 1.0 / (self.speed * self.fps)  # (a consumer far behind starts the next pass now)
            self._t0_s = max(self._t0_s + pass_frames * frame_s, self._clock() - frame_s)
            self._played += pass_frames
            self._next_index = self._video.start_frame
            frame = self._read_due()
        if frame is None:
            return None
        index = frame.index + self._played
        due_s = self._t0_s + (frame.index - self._video.start_frame) / (self.speed * self.fps)  # in this pass
        return Frame(index=index, time_s=(index - self._video.start_frame) / self.fps, bgr=frame.bgr, captured_s=due_s)

    def _read_due(self) -> Frame | None:
        """The frame of this pass through the video that is due now (waiting for it if early)."""
        if self._t0_s is None:
            self._t0_s = self._clock()
        due_index = self._video.start_frame + int((self._clock() - self._t0_s) * self.speed * self.fps)
        if due_index < self._next_index:  # early: wait for the frame's time, like a camera
            wait_s = (self._next_index - self._video.start_frame) / (self.speed * self.fps) - (self._clock() - self._t0_s)
            time.sleep(max(0.0, wait_s))
        while self._next_index < min(due_index, self._video.end_frame):  # late: skip what was missed
            if not self._video.skip():
                return None
            self._next_index += 1
            self.frames_dropped += 1
        frame = self._video.read()
        if frame is not None:
            self._next_index = frame.index + 1
        return frame

    def close(self) -> None:
        self._video.close()
