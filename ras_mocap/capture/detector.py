"""BlazePose through MediaPipe's Tasks PoseLandmarker, in VIDEO mode.

VIDEO mode runs the person detector on the first frame (and whenever tracking is
lost) and the landmark tracker from the previous frame's keypoints after that.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import InputError
from ..core.skeleton import N_KEYPOINTS
from .models import ModelError, check_task_bundle
from .native_logs import first_error_line, native_logs_caught
from .sources import Frame

__all__ = ["Detection", "PoseDetector", "RegionOfInterest"]


@dataclass(frozen=True)
class RegionOfInterest:
    """A pixel rectangle [x0, x1) x [y0, y1) of the frame that detection looks at."""

    x0: int = 0
    y0: int = 0
    x1: int | None = None
    y1: int | None = None

    def clip(self, width: int, height: int) -> tuple[int, int, int, int]:
        x1 = width if self.x1 is None else min(self.x1, width)
        y1 = height if self.y1 is None else min(self.y1, height)
        x0, y0 = max(0, self.x0), max(0, self.y0)
        if x0 >= x1 or y0 >= y1:
            raise InputError(f"region of interest {self} is empty in a {width}x{height} frame")
        return x0, y0, x1, y1

    def contains(self, x_px: float, y_px: float) -> bool:
        """Whether a pixel position lies inside the region (open edges reach the frame's)."""
        return (self.x0 <= x_px < (self.x1 if self.x1 is not None else np.inf)
                and self.y0 <= y_px < (self.y1 if self.y1 is not None else np.inf))


def _intersect(a: tuple[int, int, int, int], b) -> tuple[int, int, int, int]:
    """Integer pixel rectangle a within (rounded) rectangle b."""
    bx0, by0, bx1, by1 = np.round(b).astype(int)
    return max(a[0], bx0), max(a[1], by0), min(a[2], bx1), min(a[3], by1)


@dataclass(frozen=True)
class Detection:
    """One person in one frame, landmarks in full-frame normalised coordinates."""

    image_xyz: np.ndarray  # (33, 3)
    visibility: np.ndarray  # (33,)
    presence: np.ndarray  # (33,)
    world_xyz_m: np.ndarray  # (33, 3)


class PoseDetector:
    """A PoseLandmarker in VIDEO mode; close it explicitly (or use `with`).

    VIDEO mode is also what the live worker uses: it calls detect() synchronously on
    its own thread with the camera's timestamps, so results arrive in order and the
    newest frame is always the one processed (LIVE_STREAM's callback adds nothing here).
    """

    def __init__(
        self,
        model_path: str | Path,
        roi: RegionOfInterest | None = None,
        num_poses: int = 1,
        min_confidence: float = 0.5,
    ):
        import cv2
        import mediapipe as mp
        from mediapipe.tasks.python import vision

        check_task_bundle(Path(model_path))
        self.model_path = Path(model_path)
        self._mp, self._cv2, self._vision = mp, cv2, vision
        self.roi = roi or RegionOfInterest()
        self.num_poses = num_poses
        self._options = vision.PoseLandmarkerOptions(
            base_options=mp.tasks.BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        self._landmarker = self._create()
        self._last_timestamp_ms = -1

    def _create(self):
        self._landmarks_ran = False
        with self._first_runs():
            return self._vision.PoseLandmarker.create_from_options(self._options)

    @contextmanager
    def _first_runs(self) -> Iterator[None]:
        """A call while the landmarker is made or first runs: its native logs kept back, and its
        failure to load or run the bundle (a RET_CHECK dump) one ModelError line."""
        try:
            with native_logs_caught():
                yield
        except RuntimeError as exc:
            raise ModelError(f"{self.model_path} does not run as a PoseLandmarker bundle (a damaged bundle, or its "
                             f"two networks swapped): {first_error_line(str(exc))}") from None

    def restart(self) -> None:
        """Forget whom the tracker follows: the next frame runs the person detector afresh."""
        self.close()
        self._landmarker = self._create()
        self._last_timestamp_ms = -1

    def detect(self, frame: Frame, crop_px: np.ndarray | None = None, keep_px: np.ndarray | None = None,
               scale: float = 1.0) -> list[Detection]:
        """Landmarks of each person found in a frame (up to num_poses, in no set order); its RGB
        copy (Frame.rgb) when it has one, else its BGR pixels converted here.

        crop_px: (x0, y0, x1, y1) this call looks inside (within the region of interest);
        None = the whole region. keep_px: only this rectangle of it is shown, the rest painted
        grey (someone outside it cannot be found), so the crop can stay still while what is
        shown follows a person: MediaPipe's own temporal filter works in the crop's pixels and
        smooths a planted foot only if the crop does not move under it. scale (<= 1): the crop
        is shrunk by it before MediaPipe copies it (its networks see 224-256 pixels, so a
        caller who knows the person is far larger loses nothing and saves the copies)."""
        height, width = frame.bgr.shape[:2]
        x0, y0, x1, y1 = self.roi.clip(width, height)
        if crop_px is not None:
            x0, y0, x1, y1 = _intersect((x0, y0, x1, y1), crop_px)
            if x1 - x0 < 16 or y1 - y0 < 16:
                return []
        keep = (x0, y0, x1, y1) if keep_px is None else _intersect((x0, y0, x1, y1), keep_px)
        rgb = self._shown(frame, (x0, y0, x1, y1), keep, scale)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        # VIDEO mode needs strictly increasing integer timestamps.
        timestamp_ms = max(int(round(frame.time_s * 1000.0)), self._last_timestamp_ms + 1)
        self._last_timestamp_ms = timestamp_ms
        # the first runs (until the landmark network has run) print MediaPipe's logs, and a bad
        # bundle fails there; after them, a frame is a plain call
        with self._first_runs() if not self._landmarks_ran else nullcontext():
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        self._landmarks_ran = self._landmarks_ran or bool(result.pose_landmarks)
        crop_w, crop_h = x1 - x0, y1 - y0
        return [
            self._to_detection(image_lms, world_lms, (x0, y0, crop_w, crop_h), (width, height))
            for image_lms, world_lms in zip(result.pose_landmarks, result.pose_world_landmarks)
        ]

    def _shown(self, frame: Frame, crop: tuple[int, int, int, int], keep: tuple[int, int, int, int],
               scale: float) -> np.ndarray:
        """The contiguous RGB image MediaPipe gets: the crop, grey outside `keep`, shrunk by `scale`."""
        cv2 = self._cv2
        x0, y0, x1, y1 = crop
        kx0, ky0, kx1, ky1 = keep

        def rgb_of(region: tuple[slice, slice]) -> np.ndarray:
            if frame.rgb is not None:
                return frame.rgb[region]
            return cv2.cvtColor(frame.bgr[region], cv2.COLOR_BGR2RGB)  # 5x faster than numpy's [..., ::-1]

        if keep == crop and scale == 1.0:
            return np.ascontiguousarray(rgb_of((slice(y0, y1), slice(x0, x1))))  # no copy of a whole frame
        rgb = np.full((max(1, round((y1 - y0) * scale)), max(1, round((x1 - x0) * scale)), 3), 127, np.uint8)
        sx0, sy0 = round((kx0 - x0) * scale), round((ky0 - y0) * scale)
        sx1, sy1 = min(round((kx1 - x0) * scale), rgb.shape[1]), min(round((ky1 - y0) * scale), rgb.shape[0])
        if sx1 > sx0 and sy1 > sy0:
            kept = rgb_of((slice(ky0, ky1), slice(kx0, kx1)))
            if scale < 1.0:
                kept = cv2.resize(kept, (sx1 - sx0, sy1 - sy0), interpolation=cv2.INTER_LINEAR)
            rgb[sy0:sy1, sx0:sx1] = kept
        return rgb

    @staticmethod
    def _to_detection(image_lms, world_lms, crop: tuple[int, int, int, int], size: tuple[int, int]) -> Detection:
        """Landmarks of the crop mapped back to full-frame normalised coordinates."""
        (x0, y0, crop_w, crop_h), (width, height) = crop, size
        raw = np.array([(lm.x, lm.y, lm.z, lm.visibility or 0.0, lm.presence or 0.0) for lm in image_lms])
        image_xyz = np.empty((N_KEYPOINTS, 3))
        image_xyz[:, 0] = (raw[:, 0] * crop_w + x0) / width
        image_xyz[:, 1] = (raw[:, 1] * crop_h + y0) / height
        image_xyz[:, 2] = raw[:, 2] * crop_w / width  # z is on the scale of x
        world = np.array([(lm.x, lm.y, lm.z) for lm in world_lms])
        return Detection(image_xyz=image_xyz, visibility=raw[:, 3], presence=raw[:, 4], world_xyz_m=world)

    def close(self) -> None:
        if self._landmarker is not None:
            try:
                with native_logs_caught():
                    self._landmarker.close()
            except RuntimeError:  # the graph failed already (a bad bundle): that error was raised
                pass
            self._landmarker = None

    def __enter__(self) -> PoseDetector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
