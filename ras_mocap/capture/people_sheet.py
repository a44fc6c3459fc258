"""A contact sheet of the people pass: a few frames of the clip with every person's box and id,
so the user can see who is who before picking a subject (CLI `people --sheet`, Blender's
Find People)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .people import People
from .sources import VideoFileSource
from ..core.errors import InputError

__all__ = ["sheet_frames", "draw_people_sheet", "write_png"]

_COLOURS_BGR = ((60, 200, 255), (255, 160, 40), (80, 220, 80), (230, 80, 230), (60, 60, 240), (240, 240, 60),
                (160, 100, 255), (40, 160, 160))


def sheet_frames(people: People, count: int = 6) -> list[int]:
    """Frames spread over the clip, each the sampled frame of its stretch where most people are seen."""
    sampled = people.sampled_frames
    seen = np.array([sum(f in set(p.frame_index.tolist()) for p in people.persons) for f in sampled])
    chunks = np.array_split(np.arange(len(sampled)), min(count, len(sampled)))
    return [int(sampled[chunk[np.argmax(seen[chunk])]]) for chunk in chunks if len(chunk)]


def draw_people_sheet(video: str | Path, people: People, subject_id: int | None = None, count: int = 6,
                      tile_width_px: int = 640, columns: int = 3) -> np.ndarray:
    """(H, W, 3) BGR image: `count` frames with each person's box labelled by id (the subject's thick)."""
    import cv2

    tiles = []
    for frame_index in sheet_frames(people, count):
        with VideoFileSource(video, frame_index, frame_index + 1) as source:
            frame = source.read()
        bgr = frame.bgr.copy()
        thickness = max(2, round(bgr.shape[1] / 400))
        for person in people.persons:
            box = person.box_at(frame_index) if frame_index in set(person.frame_index.tolist()) else None
            if box is None:
                continue
            colour = _COLOURS_BGR[(person.id - 1) % len(_COLOURS_BGR)]
            x0, y0, x1, y1 = np.round(box).astype(int)
            width = 2 * thickness if person.id == subject_id else thickness
            cv2.rectangle(bgr, (x0, y0), (x1, y1), colour, width)
            label = f"{person.id}" + (" subject" if person.id == subject_id else "")
            cv2.putText(bgr, label, (x0 + 4, max(y0 - 8, 30)), cv2.FONT_HERSHEY_SIMPLEX, thickness * 0.6, colour,
                        width, cv2.LINE_AA)
        scale = tile_width_px / bgr.shape[1]
        tile = cv2.resize(bgr, (tile_width_px, round(bgr.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, f"frame {frame_index}", (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2,
                    cv2.LINE_AA)
        tiles.append(tile)
    if not tiles:
        raise InputError("the people pass looked at no frame: nothing to draw")
    while len(tiles) % columns:
        tiles.append(np.zeros_like(tiles[0]))
    return np.vstack([np.hstack(tiles[i:i + columns]) for i in range(0, len(tiles), columns)])


def write_png(image_bgr: np.ndarray, path: str | Path) -> Path:
    """Write a PNG atomically: to a temporary file beside it, then renamed over `path`."""
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", image_bgr)
    if not ok:
        raise InputError(f"could not encode {path} as PNG")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.tobytes())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
