"""Frame sources on real files: ranges, stride, rotation, replay timing, and bad input."""
from __future__ import annotations

import time

import numpy as np
import pytest

from ras_mocap.capture.sources import ReadAhead, ReplaySource, SourceError, VideoFileSource, WebcamSource
from tests.capture.videos import rotate_90_metadata, write_video
from tests.conftest import POSE2SIM_VIDEO, WALK_SIDE_VIDEO


def test_video_file_range_and_stride():
    with VideoFileSource(POSE2SIM_VIDEO, start_frame=10, end_frame=40, stride=3) as source:
        assert (source.width, source.height, source.fps) == (1080, 1920, 60.0)
        assert source.n_frames == 10
        frames = list(source)
    assert [f.index for f in frames] == list(range(10, 40, 3))
    assert frames[1].time_s == pytest.approx(13 / 60)


def test_rotation_metadata_is_applied(tmp_path):
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :8] = 255  # a white band down the left edge
    path = rotate_90_metadata(write_video(tmp_path / "phone.mp4", [frame] * 3))
    with VideoFileSource(path) as source:
        assert (source.width, source.height) == (48, 64)
        shown = source.read().bgr
    assert shown.shape == (64, 48, 3)
    assert shown[:4].mean() > 200 and shown[-40:].mean() < 30  # the band is now along the top


def test_bad_files_and_ranges(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        VideoFileSource(tmp_path / "missing.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video")
    with pytest.raises(SourceError, match="not a video"):
        VideoFileSource(text)
    empty = write_video(tmp_path / "empty.mp4", [])
    with pytest.raises(SourceError, match="no frames"):
        VideoFileSource(empty)
    with pytest.raises(SourceError, match="empty"):
        VideoFileSource(POSE2SIM_VIDEO, start_frame=50, end_frame=50)


def test_a_camera_that_does_not_open_is_named():
    with pytest.raises(SourceError, match="camera 97 does not open"):
        WebcamSource(97)


def test_replay_runs_at_the_video_rate():
    with ReplaySource(WALK_SIDE_VIDEO, end_frame=30) as source:
        started = time.monotonic()
        frames, read_s = [], []
        for frame in source:
            frames.append(frame)
            read_s.append(time.monotonic())
        elapsed_s = time.monotonic() - started
    assert [f.index for f in frames] == list(range(30)) and source.frames_dropped == 0
    assert elapsed_s >= 29 / 30  # never faster than the camera it stands in for
    # each frame was "taken" when it fell due (live latency counts from it), never after it was read
    captured_s = np.array([f.captured_s for f in frames])
    assert np.diff(captured_s) == pytest.approx(1 / 30, abs=1e-6)
    assert np.all(captured_s <= np.array(read_s)) and captured_s[0] >= started - 0.05


def test_read_ahead_gives_each_frame_its_rgb_copy():
    with VideoFileSource(WALK_SIDE_VIDEO, end_frame=5) as opened:
        ahead = ReadAhead(opened)
        try:
            frames = list(ahead)
        finally:
            ahead.close()
    assert len(frames) == 5
    for frame in frames:
        assert frame.rgb.flags.c_contiguous and np.array_equal(frame.rgb, frame.bgr[..., ::-1])


def test_replay_drops_frames_for_a_slow_consumer():
    with ReplaySource(WALK_SIDE_VIDEO, end_frame=60) as source:
        indices = []
        while (frame := source.read()) is not None:
            indices.append(frame.index)
            time.sleep(0.1)  # three frame intervals
    assert len(indices) + source.frames_dropped == 60
    assert source.frames_dropped >= 30 and np.all(np.diff(indices) >= 1)
