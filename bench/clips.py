"""Videos and models the benchmarks share: the fixtures, and long clips made from them (cached)."""
from __future__ import annotations

import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
POSE2SIM = SHARED / "fixtures" / "video" / "pose2sim_single_cam01.mp4"
WALK_SIDE = SHARED / "fixtures" / "synthetic" / "walk_side.mp4"


def model(name: str) -> Path:
    """The test copy of an official BlazePose bundle: lite, full or heavy."""
    return SHARED / "models" / f"pose_landmarker_{name}.task"


def looped_video(frames: int, source: Path = POSE2SIM) -> Path:
    """`source` played forwards then backwards (so the loop has no jump) into one video of
    `frames` frames, made once and cached in the system's temp folder."""
    import cv2

    out = Path(tempfile.gettempdir()) / f"ras_mocap_{source.stem}_loop_{frames}.mp4"
    if out.is_file():
        return out
    clip = []
    capture = cv2.VideoCapture(str(source))
    fps = capture.get(cv2.CAP_PROP_FPS)
    while (read := capture.read())[0]:
        clip.append(read[1])
    capture.release()
    height, width = clip[0].shape[:2]
    partial = out.with_suffix(".part.mp4")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for index in range(frames):
        cycle = index % (2 * len(clip) - 2)
        writer.write(clip[cycle if cycle < len(clip) else 2 * len(clip) - 2 - cycle])
    writer.release()
    partial.rename(out)
    return out
