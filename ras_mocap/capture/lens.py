"""The camera's field of view as a video file states it: the 35 mm-equivalent focal length that
iPhones (and recorders imitating them) write among a QuickTime / MP4 file's metadata keys.

OpenCV does not expose container metadata, and PyAV, which does, would add ~35 MB a platform to
the extension, so the few boxes on the way are read here: moov/meta (Apple's layout) or
moov/udta/meta (FFmpeg's), with an 'mdta' handler, its 'keys' and its 'ilst'. A file without
them, or one that cannot be parsed, states no lens: the fit then assumes its default."""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

__all__ = ["FOCAL_35MM_KEY", "Lens", "quicktime_keys", "video_lens"]

FOCAL_35MM_KEY = "com.apple.quicktime.camera.focal_length.35mm_equivalent"
FULL_FRAME_DIAGONAL_MM = math.hypot(36.0, 24.0)
"""A 35 mm-equivalent focal length gives the angle of view across the diagonal of a 36 x 24 mm
frame (CIPA DC-004); here it is taken across the video frame's own diagonal."""
FOCAL_35MM_RANGE_MM = (4.0, 1000.0)
"""Values outside this (a fisheye's to a long telephoto's) are not a lens; they are ignored."""
META_MAX_BYTES = 1 << 20
"""A metadata box larger than this is not read (phones write a few kB)."""
_NUMBERS = {21: "bhiq", 22: "BHIQ", 23: "f", 24: "d", 65: "b", 66: "h", 67: "i", 74: "q", 75: "B", 76: "H",
            77: "I", 78: "Q"}
"""QuickTime's well-known value types that hold numbers: 21 / 22 a big-endian (un)signed integer
of 1, 2, 4 or 8 bytes, the others of one size each (struct's codes, big-endian)."""


@dataclass(frozen=True)
class Lens:
    focal_35mm_mm: float
    fov_deg: float  # across the frame's longer side, as the fit takes it


def video_lens(path: str | Path, image_size_px: tuple[int, int]) -> Lens | None:
    """The lens the video at `path` states for frames of `image_size_px` (width, height, either
    orientation), or None if it states none."""
    try:
        with open(path, "rb") as file:
            value = quicktime_keys(file).get(FOCAL_35MM_KEY)
        focal_mm = float(value)
    except (OSError, struct.error, TypeError, ValueError):
        return None
    if not FOCAL_35MM_RANGE_MM[0] <= focal_mm <= FOCAL_35MM_RANGE_MM[1]:
        return None
    long_side_of_diagonal = max(image_size_px) / math.hypot(*image_size_px)
    half_tan = 0.5 * FULL_FRAME_DIAGONAL_MM / focal_mm * long_side_of_diagonal
    return Lens(focal_mm, math.degrees(2 * math.atan(half_tan)))


def quicktime_keys(file: BinaryIO) -> dict[str, str | int | float]:
    """Every 'mdta' metadata key of the movie and its first value (text or number)."""
    moov = next((span for kind, span in _boxes(file, 0, _file_size(file)) if kind == b"moov"), None)
    if moov is None:
        return {}
    metas = []
    for kind, (start, stop) in _boxes(file, *moov):
        if kind == b"meta":
            metas.append((start, stop))
        elif kind == b"udta":
            metas += [span for inner, span in _boxes(file, start, stop) if inner == b"meta"]
    keys: dict[str, str | int | float] = {}
    for start, stop in metas:
        if stop - start <= META_MAX_BYTES:
            file.seek(start)
            keys |= _meta_keys(file.read(stop - start))
    return keys


def _file_size(file: BinaryIO) -> int:
    file.seek(0, 2)
    return file.tell()


def _boxes(file: BinaryIO, start: int, stop: int) -> Iterator[tuple[bytes, tuple[int, int]]]:
    """(type, (payload start, payload stop)) of each box between start and stop of the file."""
    offset = start
    while offset + 8 <= stop:
        file.seek(offset)
        size, kind = struct.unpack(">I4s", file.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", file.read(8))[0], 16
        elif size == 0:  # to the end of its parent
            size = stop - offset
        if size < header or offset + size > stop:
            return
        yield kind, (offset + header, offset + size)
        offset += size


def _children(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) of each box in a payload held in memory."""
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        if size < 8 or offset + size > len(data):
            return
        yield kind, data[offset + 8:offset + size]
        offset += size


def _meta_keys(meta: bytes) -> dict[str, str | int | float]:
    if meta[4:8] != b"hdlr":  # ISO's meta is a full box: version and flags come first
        meta = meta[4:]
    boxes = dict(_children(meta))
    if boxes.get(b"hdlr", b"")[8:12] != b"mdta" or b"keys" not in boxes or b"ilst" not in boxes:
        return {}
    names, table, offset = [], boxes[b"keys"], 8
    for _ in range(struct.unpack_from(">I", table, 4)[0]):
        size = struct.unpack_from(">I", table, offset)[0]
        names.append(table[offset + 8:offset + size].decode("utf-8", "replace"))
        offset += size
    keys: dict[str, str | int | float] = {}
    for index, item in _children(boxes[b"ilst"]):
        number = struct.unpack(">I", index)[0]
        values = [_value(data) for kind, data in _children(item) if kind == b"data"]
        if 1 <= number <= len(names) and values and values[0] is not None:
            keys.setdefault(names[number - 1], values[0])
    return keys


def _value(data: bytes) -> str | int | float | None:
    """A 'data' box's value: its type (the indicator's low 3 bytes), a locale, then the bytes."""
    kind, payload = struct.unpack_from(">I", data)[0] & 0xFFFFFF, data[8:]
    if kind == 1:
        return payload.decode("utf-8", "replace")
    for code in _NUMBERS.get(kind, ""):
        if struct.calcsize(">" + code) == len(payload):
            return struct.unpack(">" + code, payload)[0]
    return None
