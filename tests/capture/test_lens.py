"""The lens a video file states (capture/lens.py), in real files: a real rendered walk remuxed by
FFmpeg (PyAV) with the key as FFmpeg writes it, and with it in Apple's layout and value types;
FFmpeg's own reading of each file is the check that the file is what a recorder writes."""
from __future__ import annotations

import math
import struct
from pathlib import Path

import av
import numpy as np
import pytest

from ras_mocap.capture.lens import FOCAL_35MM_KEY, quicktime_keys, video_lens
from ras_mocap.capture.sources import VideoFileSource
from ras_mocap.capture.tracking import source_meta
from ras_mocap.core.pipeline import fit_clip
from ras_mocap.core.rootmotion import DEFAULT_FOV_DEG, focal_px_for
from ras_mocap.core.track import Track
from tests.conftest import REPO, SHARED

from tests.capture.videos import remuxed

WALK = SHARED / "fixtures" / "synthetic" / "walk_front.mp4"


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def with_apple_keys(path: Path, values: dict[str, tuple[int, bytes]]) -> Path:
    """Add a moov/meta of 'mdta' keys in Apple's layout (a plain meta box, typed values: key ->
    (QuickTime value type, its bytes)) at the end of the movie box, which ends the file."""
    data = bytearray(path.read_bytes())
    moov = data.rfind(b"moov") - 4
    assert struct.unpack_from(">I", data, moov)[0] == len(data) - moov, "the movie box ends the file"
    names = list(values)
    keys = box(b"keys", struct.pack(">II", 0, len(names)) + b"".join(
        struct.pack(">I", 8 + len(name)) + b"mdta" + name.encode() for name in names))
    items = box(b"ilst", b"".join(box(struct.pack(">I", index + 1), box(b"data", struct.pack(">II", kind, 0) + raw))
                                  for index, (kind, raw) in enumerate(values.values())))
    handler = box(b"hdlr", struct.pack(">II4s12sx", 0, 0, b"mdta", b""))
    data += box(b"meta", handler + keys + items)
    struct.pack_into(">I", data, moov, len(data) - moov)
    path.write_bytes(bytes(data))
    return path


def lens_fov_deg(focal_35mm_mm: float, size_px: tuple[int, int]) -> float:
    """The field of view across the longer side of a frame whose diagonal sees what a 36 x 24 mm
    frame's does through the focal length: written out apart from capture.lens."""
    half_diagonal_tan = math.hypot(18, 12) / focal_35mm_mm
    return 2 * math.degrees(math.atan(half_diagonal_tan * max(size_px) / math.hypot(*size_px)))


def test_ffmpeg_s_metadata_keys_give_the_lens_and_the_track_records_it(tmp_path):
    path = remuxed(WALK, tmp_path / "walk.mov", {FOCAL_35MM_KEY: "26", "com.apple.quicktime.make": "Apple"})
    with av.open(str(path)) as container:
        assert container.metadata[FOCAL_35MM_KEY] == "26"
    with open(path, "rb") as file:
        assert {FOCAL_35MM_KEY: "26", "com.apple.quicktime.make": "Apple"}.items() <= quicktime_keys(file).items()
    with VideoFileSource(path) as source:
        size = (source.width, source.height)
        meta = source_meta(source)
    lens = video_lens(path, size)
    assert lens.focal_35mm_mm == 26
    assert lens.fov_deg == pytest.approx(lens_fov_deg(26, size))
    assert 70 < lens.fov_deg < 73  # an iPhone's main camera, 16:9
    assert meta["lens_fov_deg"] == pytest.approx(lens.fov_deg, abs=0.01)
    assert meta["lens_focal_35mm_mm"] == 26


@pytest.mark.parametrize("kind, raw, focal_mm", [
    (22, struct.pack(">B", 26), 26),  # an unsigned integer, one byte
    (21, struct.pack(">h", 77), 77),  # a signed one, two bytes: a 3x telephoto
    (23, struct.pack(">f", 13.5), 13.5),  # a float: an ultra-wide
    (1, b"52", 52),
])
def test_apple_s_layout_and_value_types_are_read_as_ffmpeg_reads_them(tmp_path, kind, raw, focal_mm):
    path = with_apple_keys(remuxed(WALK, tmp_path / "walk.mov"), {"com.apple.quicktime.make": (1, b"Apple"),
                                                            FOCAL_35MM_KEY: (kind, raw)})
    with av.open(str(path)) as container:
        assert float(container.metadata[FOCAL_35MM_KEY]) == pytest.approx(focal_mm)
        frames = sum(1 for _ in container.decode(video=0))
    with VideoFileSource(path) as source:  # OpenCV still plays the whole file
        assert sum(1 for _ in source) == frames
        lens = video_lens(path, (source.width, source.height))
        assert lens.fov_deg == pytest.approx(lens_fov_deg(focal_mm, (source.width, source.height)))


def test_no_lens_stated_no_lens_read(tmp_path):
    assert video_lens(WALK, (960, 540)) is None  # an MP4 with no metadata keys
    assert video_lens(remuxed(WALK, tmp_path / "walk.mov", {"com.apple.quicktime.make": "Apple"}), (960, 540)) is None
    assert video_lens(remuxed(WALK, tmp_path / "zero.mov", {FOCAL_35MM_KEY: "0"}), (960, 540)) is None  # not a lens
    assert video_lens(remuxed(WALK, tmp_path / "word.mov", {FOCAL_35MM_KEY: "wide"}), (960, 540)) is None
    with VideoFileSource(WALK) as source:
        assert "lens_fov_deg" not in source_meta(source)


def test_a_damaged_file_states_no_lens_and_raises_nothing(tmp_path):
    whole = with_apple_keys(remuxed(WALK, tmp_path / "walk.mov"), {FOCAL_35MM_KEY: (22, struct.pack(">B", 26))})
    data = whole.read_bytes()
    assert video_lens(whole, (960, 540)) is not None
    cut = tmp_path / "cut.mov"
    for keep in (len(data) - 30, len(data) - 70, 6, 0):  # cut inside the values, the keys, a box header
        cut.write_bytes(data[:keep])
        assert video_lens(cut, (960, 540)) is None
    lying = bytearray(data)
    lying[data.rfind(b"keys") - 4:data.rfind(b"keys")] = struct.pack(">I", 1 << 30)  # a box larger than its parent
    cut.write_bytes(bytes(lying))
    assert video_lens(cut, (960, 540)) is None
    assert video_lens(REPO / "README.md", (960, 540)) is None
    assert video_lens(tmp_path / "missing.mov", (960, 540)) is None


def test_the_fit_takes_the_video_s_lens_unless_the_user_gives_one():
    track = Track.load(next((REPO / "tests" / "data" / "sports2d_tracks").glob("*.npz")))
    track.meta |= {"lens_fov_deg": 40.0, "lens_focal_35mm_mm": 60.0}
    stated = fit_clip(track).body.meta
    assert stated["focal_px"] == pytest.approx(focal_px_for(track.image_size_px, 40.0), abs=0.1)
    assert stated["fov_deg"] == 40.0 and "metadata" in stated["fov_from"] and "60 mm" in stated["fov_from"]
    given = fit_clip(track, fov_deg=55.0).body.meta
    assert given["focal_px"] == pytest.approx(focal_px_for(track.image_size_px, 55.0), abs=0.1)
    assert given["fov_from"] == "given"
    track.meta = {k: v for k, v in track.meta.items() if not k.startswith("lens_")}
    assumed = fit_clip(track).body.meta
    assert assumed["fov_deg"] == DEFAULT_FOV_DEG and np.isclose(assumed["focal_px"], focal_px_for(track.image_size_px), atol=0.1)
