"""Frame sources: a video file read with OpenCV (webcam and replay sources join later)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Frame", "SourceError", "VideoFileSource"]


class SourceError(RuntimeError):
    """A source that cannot deliver frames; the message names the cause."""


@dataclass(frozen=True)
class Frame:
    index: int  # frame number in the source
    time_s: float
    bgr: np.ndarray  # (H, W, 3) uint8


class VideoFileSource:
    """Frames of a video file, optionally a range [start_frame, end_frame) of it.

    OpenCV (FFmpeg backend) applies phone rotation metadata by default.
    """

    def __init__(self, path: str | Path, start_frame: int = 0, end_frame: int | None = None):
        import cv2

        self.path = Path(path)
        if not self.path.is_file():
            raise SourceError(f"video file not found: {self.path}")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"{self.path} is not a video that OpenCV/FFmpeg can read")
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 30.0
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        n_total = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if n_total <= 0 or self.width <= 0:
            self.close()
            raise SourceError(f"{self.path} holds no video frames")
        self.start_frame = max(0, start_frame)
        self.end_frame = n_total if end_frame is None else min(end_frame, n_total)
        if self.start_frame >= self.end_frame:
            self.close()
            raise SourceError(
                f"frame range {start_frame}..{end_frame} is empty for {self.path} ({n_total} frames)"
            )
        if self.start_frame:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, self.start_frame)

    @property
    def n_frames(self) -> int:
        """Frames in the selected range (from the container's count; reading may find fewer)."""
        return self.end_frame - self.start_frame

    def __iter__(self) -> Iterator[Frame]:
        for index in range(self.start_frame, self.end_frame):
            ok, bgr = self._cap.read()
            if not ok:
                return
            yield Frame(index=index, time_s=index / self.fps, bgr=bgr)

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
