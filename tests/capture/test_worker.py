"""The capture thread with the replay source (a real video at its frame rate) and the real model."""
from __future__ import annotations

import time

import pytest

from ras_mocap.capture.live import record_take
from ras_mocap.capture.models import ModelError
from ras_mocap.capture.sources import ReplaySource, SourceError, VideoFileSource, WebcamSource
from ras_mocap.capture.tracking import TrackingSettings
from ras_mocap.capture.worker import CaptureWorker, WorkerState
from tests.conftest import WALK_SIDE_VIDEO, model_path

LITE = TrackingSettings(model_path("lite"), num_poses=1)


def test_replay_take_keeps_every_frame_the_worker_delivered():
    take = record_take(lambda: ReplaySource(WALK_SIDE_VIDEO), LITE, seconds=30.0, meta={"source": "replay"})
    track = take.track
    assert "stopped delivering frames" in take.message  # the clip ended before 30 s
    assert len(track) + take.frames_dropped == 115
    assert track.detection_rate > 0.95
    assert track.meta["live"] and track.meta["model"] == "pose_landmarker_lite.task"
    assert (track.time_s[-1] - track.time_s[0]) == pytest.approx(114 / 30, abs=0.1)  # real capture times


def test_a_camera_that_stops_mid_capture_keeps_what_was_captured():
    take = record_take(lambda: ReplaySource(WALK_SIDE_VIDEO, end_frame=20), LITE, seconds=30.0)
    assert "stopped delivering frames after" in take.message
    assert 0 < len(take.track) <= 20 and take.track.found.sum() == len(take.track)


def test_stop_joins_the_thread_within_a_second_and_keeps_queued_frames():
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO), LITE)
    worker.start()
    time.sleep(0.5)
    assert worker.state is WorkerState.RUNNING and worker.running
    assert worker.stop(timeout_s=1.0)
    assert worker.state is WorkerState.STOPPED and not worker.running
    assert len(worker.drain()) > 0


def test_a_slow_consumer_gets_the_newest_frames():
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO), LITE, queue_size=3)
    worker.start()
    time.sleep(1.0)  # never drained for a second
    frames = worker.drain()
    worker.stop()
    assert len(frames) == 3 and worker.stats.frames_dropped > 10
    indices = [f.frame_index for f in frames]
    assert indices == sorted(indices) and indices[-1] >= 20


def test_preview_images_are_small_rgb():
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO, end_frame=5), LITE, preview_width_px=160)
    worker.start()
    while worker.running:
        time.sleep(0.05)
    frames = worker.drain()
    assert frames and frames[0].preview_rgb.shape == (90, 160, 3)


def test_a_camera_that_does_not_open_fails_at_start_with_no_thread_left():
    worker = CaptureWorker(lambda: WebcamSource(97), LITE)
    with pytest.raises(SourceError, match="camera 97 does not open"):
        worker.start()
    assert worker.state is WorkerState.FAILED and not worker.running


class ClosingReplay(ReplaySource):
    """The replay source, remembering that it was closed."""

    closed = False

    def close(self) -> None:
        super().close()
        self.closed = True


def test_a_bad_model_fails_at_start_and_closes_the_source(tmp_path):
    opened = []

    def open_source():
        opened.append(ClosingReplay(WALK_SIDE_VIDEO))
        return opened[-1]

    worker = CaptureWorker(open_source, TrackingSettings(tmp_path / "none.task"))
    with pytest.raises(ModelError, match="not found"):
        worker.start()
    assert not worker.running
    assert opened[0].closed  # released on the worker thread


def test_lossless_worker_hands_over_every_frame_to_a_slow_consumer():
    """A video bake on the worker: the worker waits for room instead of dropping."""
    worker = CaptureWorker(lambda: VideoFileSource(WALK_SIDE_VIDEO, end_frame=40), LITE, queue_size=4, lossless=True)
    worker.start()
    received = []
    while True:
        running = worker.running
        received += worker.drain()
        if not running:
            break
        time.sleep(0.05)  # slower than the detector
    assert [f.frame_index for f in received] == list(range(40))
    assert worker.state is WorkerState.ENDED and worker.stats.frames_dropped == 0
