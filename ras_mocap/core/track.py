"""A landmark track: per-frame BlazePose output of one video, saved as a compressed `.npz`.

Re-baking or analysing a track never re-runs detection.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import OutputError, RasMocapError
from .outputs import atomic_output, with_suffix
from .skeleton import N_KEYPOINTS

__all__ = ["Track", "TRACK_FORMAT_VERSION", "TrackError", "PER_FRAME_FIELDS"]

TRACK_FORMAT_VERSION = 1
PER_FRAME_FIELDS = ("frame_index", "time_s", "found", "image_xyz", "visibility", "presence", "world_xyz_m")
"""The Track arrays indexed by frame."""


class TrackError(RasMocapError):
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
        """Write the track atomically (core.outputs) as `path`, with `.npz` added if it lacks it
        (numpy would add it unasked); the path written."""
        path = with_suffix(path, ".npz")
        if path.is_dir():
            raise OutputError(f"the track {path} is a folder; give a file name")
        archive = io.BytesIO()  # whole in memory first: numpy's zip writer must not die half-way on a full disk
        np.savez_compressed(
            archive,
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
        with atomic_output(path, check=Track.load) as temporary:
            temporary.write_bytes(archive.getbuffer())
        return path.absolute()

    @classmethod
    def load(cls, path: str | Path) -> Track:
        """Read a saved track; TrackError (one line) for anything that is not a whole, valid one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                version = int(data["format_version"])
                if not 1 <= version <= TRACK_FORMAT_VERSION:
                    raise TrackError(f"{path} is a track of format {version}; this RAS Mocap reads 1 to {TRACK_FORMAT_VERSION}")
                track = cls(
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
        except (OSError, KeyError, ValueError, TypeError, EOFError, zipfile.BadZipFile) as exc:
            raise TrackError(f"{path} is not a RAS Mocap landmark track: {exc}") from None
        problem = track._problem()
        if problem:
            raise TrackError(f"{path} is not a valid landmark track: {problem}")
        return track

    def _problem(self) -> str | None:
        """What makes this track unusable, if anything."""
        n = len(self.time_s)
        shapes = {"frame_index": (n,), "found": (n,), "image_xyz": (n, N_KEYPOINTS, 3), "visibility": (n, N_KEYPOINTS),
                  "presence": (n, N_KEYPOINTS), "world_xyz_m": (n, N_KEYPOINTS, 3)}
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                return f"{name} has shape {getattr(self, name).shape}, not {shape} ({N_KEYPOINTS} BlazePose keypoints a frame)"
        if not (np.isfinite(self.fps) and self.fps > 0):
            return f"its frame rate is {self.fps:g}"
        if len(self.image_size_px) != 2 or min(self.image_size_px) <= 0:
            return f"its image size is {self.image_size_px}"
        if not isinstance(self.meta, dict):
            return "its meta_json is not a JSON object"
        if n > 1 and not np.all(np.diff(self.time_s) >= 0):
            return "its timestamps go backwards"
        return None
