"""Small videos written by the tests themselves (OpenCV's writer): blank, noise, rotated."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    import cv2

    height, width = frames[0].shape[:2] if frames else (48, 64)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def noise_video(path: Path, seconds: float = 2.0, fps: float = 30.0, size=(320, 240)) -> Path:
    """Grey noise, nobody in it."""
    rng = np.random.default_rng(0)
    n = int(seconds * fps)
    return write_video(path, [rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8) for _ in range(n)], fps)


def rotate_90_metadata(path: Path) -> Path:
    """Set the track header's display matrix to a 90 degree rotation, as phones do."""
    data = bytearray(path.read_bytes())
    box = data.find(b"tkhd")
    version = data[box + 4]
    times = 32 if version == 1 else 20  # creation, modification, track id, reserved, duration
    matrix_at = box + 4 + 4 + times + 16  # after the name, version/flags, times, reserved/layer/volume
    data[matrix_at:matrix_at + 36] = struct.pack(">9i", 0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))
    return path
