"""Small videos written by the tests themselves (OpenCV's writer, FFmpeg's through PyAV): blank, noise,
rotated, remuxed with metadata."""
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


def copy_with_patch(source: Path, path: Path, frames: range, box_px: tuple[int, int, int, int]) -> Path:
    """A copy of a real video with a grey rectangle (x0, y0, x1, y1) over `frames`: an occluder."""
    import cv2

    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = []
    while (read := cap.read())[0]:
        frame = read[1]
        if len(out) in frames:
            x0, y0, x1, y1 = box_px
            frame[y0:y1, x0:x1] = 128
        out.append(frame)
    cap.release()
    return write_video(path, out, fps)


def crowd_video(path: Path, walk: Path, in_place: Path) -> Path:
    """Three people in one picture, made of real renders and footage: the rendered walker
    (walk_side, left 960 px) crossing the frame; beside her, in a panel on the right, a larger
    person moving in place (the pose2sim performer, every other frame, played back and forth);
    and, in the panel's lower left, the walker again at a third of her size, far away."""
    import cv2

    def frames_of(video: Path) -> list[np.ndarray]:
        cap = cv2.VideoCapture(str(video))
        frames = []
        while (read := cap.read())[0]:
            frames.append(read[1])
        cap.release()
        return frames

    walker, performer = frames_of(walk), frames_of(in_place)[::2]
    performer = performer + performer[-2:0:-1]
    out = []
    for i, frame in enumerate(walker):
        canvas = np.full((540, 1600, 3), 90, np.uint8)
        canvas[:, :960] = frame
        person = cv2.resize(performer[i % len(performer)][380:1300, 200:840], (324, 466), interpolation=cv2.INTER_AREA)
        canvas[74:540, 1236:1560] = person
        far = cv2.resize(walker[(i + 40) % len(walker)], (288, 162), interpolation=cv2.INTER_AREA)
        canvas[330:492, 970:1258] = far
        out.append(canvas)
    return write_video(path, out, 30.0)


def cropped_copy(source: Path, path: Path, box_px: tuple[int, int, int, int]) -> Path:
    """A copy of a real video cropped to (x0, y0, x1, y1): e.g. only the upper body in view."""
    import cv2

    cap = cv2.VideoCapture(str(source))
    fps = cap.get(cv2.CAP_PROP_FPS)
    x0, y0, x1, y1 = box_px
    out = []
    while (read := cap.read())[0]:
        out.append(np.ascontiguousarray(read[1][y0:y1, x0:x1]))
    cap.release()
    return write_video(path, out, fps)


def remuxed(source: Path, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """A real video's frames, unchanged, in a QuickTime file written by FFmpeg's muxer; the
    metadata as FFmpeg writes keys (moov/udta/meta, UTF-8 values; without any, no keys at all, as
    FFmpeg reads only a file's first table of keys). The movie box comes last."""
    import av

    options = {"movflags": "use_metadata_tags"} if metadata else {}
    with av.open(str(source)) as inp, av.open(str(path), "w", options=options) as out:
        video = inp.streams.video[0]
        stream = out.add_stream_from_template(video)
        out.metadata.update(metadata or {})
        for packet in inp.demux(video):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    return path
