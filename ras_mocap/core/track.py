"""A landmark track: per-frame BlazePose output of one video, saved as a compressed `.npz`.

Re-baking or analysing a track never re-runs detection.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .skeleton import N_KEYPOINTS

__all__ = ["Track", "TRACK_FORMAT_VERSION", "TrackError", "PER_FRAME_FIELDS"]

TRACK_FORMAT_VERSION = 1
PER_FRAME_FIELDS = ("frame_index", "time_s", "found", "image_xyz", "visibility", "presence", "world_xyz_m")
"""The Track arrays indexed by frame."""


class TrackError(RuntimeError):
    """A track file that cannot be read."""


@dataclass
class Track:
    """Arrays indexed by frame; a frame with no person has found=False and NaN landmarks.

    image_xyz: normalised image coordinates of the full frame (x, y in 0..1, z relative depth).
    world_xyz_m: MediaPipe world landmarks, metres, origin between the hips.
    """

    frame_index: np.ndarray  # (N,) int, the video frame each row came from
    time_s: np.ndarray  # (N,) float
    found: np.ndarray  # (N,) bool
    image_xyz: np.ndarray  # (N, 33, 3)
    visibility: np.ndarray  # (N, 33)
    presence: np.ndarray  # (N, 33)
    world_xyz_m: np.ndarray  # (N, 33, 3)
    fps: float  # the source's frame rate (the time base of frame_index)
    image_size_px: tuple[int, int]  # (width, height)
    meta: dict = field(default_factory=dict)  # source, model, settings

    @classmethod
    def empty(cls, n_frames: int, fps: float, image_size_px: tuple[int, int], meta: dict | None = None) -> Track:
        nan3 = np.full((n_frames, N_KEYPOINTS, 3), np.nan)
        return cls(
            frame_index=np.arange(n_frames),
            time_s=np.arange(n_frames) / fps,
            found=np.zeros(n_frames, bool),
            image_xyz=nan3.copy(),
            visibility=np.zeros((n_frames, N_KEYPOINTS)),
            presence=np.zeros((n_frames, N_KEYPOINTS)),
            world_xyz_m=nan3.copy(),
            fps=float(fps),
            image_size_px=tuple(image_size_px),
            meta=dict(meta or {}),
        )

    def __len__(self) -> int:
        return len(self.time_s)

    @property
    def image_xy_px(self) -> np.ndarray:
        """(N, 33, 2) landmark positions in pixels."""
        return self.image_xyz[..., :2] * np.asarray(self.image_size_px, float)

    @property
    def sample_rate_hz(self) -> float:
        """Rows per second (fps / stride for a strided video; the capture rate for a webcam)."""
        steps_s = np.diff(self.time_s)
        steps_s = steps_s[steps_s > 0]
        return float(1.0 / np.median(steps_s)) if steps_s.size else self.fps

    @property
    def detection_rate(self) -> float:
        return float(self.found.mean()) if len(self) else 0.0

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            format_version=TRACK_FORMAT_VERSION,
            frame_index=self.frame_index,
            time_s=self.time_s,
            found=self.found,
            image_xyz=self.image_xyz.astype(np.float32),
            visibility=self.visibility.astype(np.float32),
            presence=self.presence.astype(np.float32),
            world_xyz_m=self.world_xyz_m.astype(np.float32),
            fps=self.fps,
            image_size_px=np.asarray(self.image_size_px),
            meta_json=json.dumps(self.meta),
        )
        return path

    @classmethod
    def load(cls, path: str | Path) -> Track:
        try:
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"])
                if version > TRACK_FORMAT_VERSION:
                    raise TrackError(f"{path} is a track of format {version}; this RAS Mocap reads up to {TRACK_FORMAT_VERSION}")
                return cls(
                    frame_index=data["frame_index"],
                    time_s=data["time_s"],
                    found=data["found"],
                    image_xyz=data["image_xyz"].astype(float),
                    visibility=data["visibility"].astype(float),
                    presence=data["presence"].astype(float),
                    world_xyz_m=data["world_xyz_m"].astype(float),
                    fps=float(data["fps"]),
                    image_size_px=tuple(int(v) for v in data["image_size_px"]),
                    meta=json.loads(str(data["meta_json"])),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise TrackError(f"{path} is not a RAS Mocap landmark track: {exc}") from None
