"""Live capture's per-tick class driven by the replay source (a real video played at its frame rate
as a camera), with the real model, in background mode where Blender's timers do not fire."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import bpy
import numpy as np
import pytest

import ras_mocap
from ras_mocap.blender import running
from ras_mocap.blender.live import LiveSession
from ras_mocap.blender.ops.live_capture import start_session
from ras_mocap.blender.preview import PREVIEW_IMAGE
from ras_mocap.blender.rig import add_ras_rig
from ras_mocap.capture.sources import ReplaySource
from ras_mocap.capture.tracking import TrackingSettings
from ras_mocap.capture.worker import CaptureWorker
from tests.conftest import WALK_SIDE_VIDEO, model_path

CLIP_FRAMES, CLIP_FPS = 115, 30.0


def test_replayed_walk_moves_the_rig_and_records_a_take_at_real_speed():
    scene = bpy.context.scene
    scene.render.fps = 24  # the scene's rate is not the camera's 30
    rig = add_ras_rig(bpy.context)
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO), TrackingSettings(model_path("lite"), num_poses=1),
                           preview_width_px=160)
    worker.start()
    session = LiveSession(rig, worker)
    session.start_recording()
    thigh_rad = []
    try:
        while session.tick():
            thigh_rad.append(tuple(rig.pose.bones["thigh.L"].rotation_euler))
            time.sleep(1 / 60)
    finally:
        message = session.stop()
    assert "take keyed" in message, message
    # the rig walked while the ticks ran: the thigh swung through a gait's range
    assert np.ptp(np.array(thigh_rad), axis=0).max() > np.radians(25)
    assert session.frames_posed >= CLIP_FRAMES // 2  # (a busy machine makes the replayed camera drop some)
    # how far the rig lags behind the camera is measured, and shown: at least a detection, under a second
    assert session.latency_s and 0.005 < min(session.latency_s) and max(session.latency_s) < 1.0
    assert "ms behind" in session.status
    # the take: one action on the capture timestamps at the scene's 24 fps
    (take,) = session.takes
    action = bpy.data.actions[take.action_name]
    assert rig.animation_data.action == action
    first, last = action.frame_range
    clip_s = (CLIP_FRAMES - 1) / CLIP_FPS
    assert first == scene.frame_start and last - first == pytest.approx(clip_s * 24, abs=1.0)
    assert tuple(bpy.data.images[PREVIEW_IMAGE].size) == (160, 90)


def test_recording_off_and_on_makes_one_action_per_take():
    rig = add_ras_rig(bpy.context)
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO, end_frame=60),
                           TrackingSettings(model_path("lite"), num_poses=1))
    worker.start()
    session = LiveSession(rig, worker, show_preview=False)
    try:
        for take in range(2):
            session.start_recording()
            started = time.monotonic()
            while time.monotonic() - started < 0.6 and session.tick():
                time.sleep(1 / 60)
            assert session.stop_recording() is not None
    finally:
        session.stop()
    assert len(session.takes) == 2 and len({t.action_name for t in session.takes}) == 2
    # the first take is kept under the second, on a muted NLA track
    assert [t.strips[0].action.name for t in rig.animation_data.nla_tracks] == [session.takes[0].action_name]


def test_unregistering_during_capture_stops_the_thread(monkeypatch):
    monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("lite")))
    ras_mocap.register()
    settings = bpy.context.scene.ras_mocap
    settings.source, settings.video_path, settings.num_poses = "REPLAY", str(WALK_SIDE_VIDEO), 1
    session = start_session(bpy.context)
    assert running.find(LiveSession) is session and session.worker.running
    session.tick()
    ras_mocap.unregister()
    assert not session.worker.running and running.jobs() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("ras-mocap")]


def test_a_source_that_does_not_open_is_reported_and_nothing_is_made(monkeypatch):
    monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("lite")))
    ras_mocap.register()
    try:
        settings = bpy.context.scene.ras_mocap
        settings.source = "REPLAY"
        settings.video_path = "/nonexistent/walk.mp4"
        with pytest.raises(Exception, match="video file not found"):
            start_session(bpy.context)
        assert running.jobs() == [] and len(bpy.data.objects) == 0
    finally:
        ras_mocap.unregister()


def test_blender_quitting_mid_capture_releases_the_camera(monkeypatch):
    """What the add-on's exit hook does: threads stopped and joined, no Blender data touched."""
    monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("lite")))
    ras_mocap.register()
    try:
        settings = bpy.context.scene.ras_mocap
        settings.source, settings.video_path, settings.num_poses = "REPLAY", str(WALK_SIDE_VIDEO), 1
        session = start_session(bpy.context)
        session.start_recording()
        session.tick()
        running.release_all()
        assert not session.worker.running and running.jobs() == [] and len(bpy.data.actions) == 0
    finally:
        ras_mocap.unregister()


def _rss_mb() -> float:
    """This process's resident memory now (Linux), else its peak so far (macOS: ru_maxrss in bytes)."""
    statm = Path("/proc/self/statm")
    if statm.is_file():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


@pytest.mark.slow
@pytest.mark.once
def test_a_minute_of_live_capture_holds_memory_and_tick_time():
    """The long-session benchmark's short version (bench/long_session.py runs 10 minutes): the
    walk replayed in a loop as a camera for 60 s, ticked at 60 Hz with the preview on."""
    rig = add_ras_rig(bpy.context)
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO, loop=True), TrackingSettings(model_path("lite"), num_poses=1),
                           preview_width_px=256)
    worker.start()
    session = LiveSession(rig, worker)
    ticks, memory = [], []
    started = time.monotonic()
    try:
        while (now := time.monotonic() - started) < 60.0:
            before = time.perf_counter()
            assert session.tick()
            ticks.append((now, 1000 * (time.perf_counter() - before)))
            if not memory or now - memory[-1][0] >= 5.0:
                memory.append((now, _rss_mb()))
            time.sleep(1 / 60)
    finally:
        session.stop()
    growth_mb = memory[-1][1] - memory[1][1]  # from 5 s in (the model and the first frames loaded)
    early = np.percentile([ms for t, ms in ticks if 5 <= t < 20], 95)
    late = np.percentile([ms for t, ms in ticks if t >= 45], 95)
    print(f"\n60 s live: {session.frames_posed} frames posed, memory +{growth_mb:.1f} MB, tick p95 {early:.2f} -> {late:.2f} ms")
    assert session.frames_posed >= 60 * 30 // 3 and growth_mb <= 50.0
    assert late <= 2 * early + 1.0  # steady: no work that grows with the session's length
