"""Blender's lifecycle around every running job (issue 14): the modal operators driven through
their real modal() with stand-in timer, Esc and file-load events (background mode has no event
loop), Blender cancelling them, registering twice, a failure after detection, a take that cannot
be keyed. Real bpy, real model, real footage."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import bpy
import pytest

import ras_mocap
from ras_mocap.blender import live, running
from ras_mocap.blender.bake import track_path_of
from ras_mocap.blender.live import LiveSession
from ras_mocap.blender.ops.bake_video import RASMOCAP_OT_bake_video
from ras_mocap.blender.ops.find_people import RASMOCAP_OT_find_people
from ras_mocap.blender.ops.live_capture import RASMOCAP_OT_start_capture, start_session
from ras_mocap.blender.ops.modal_job import ModalJob
from ras_mocap.blender.rig import add_ras_rig
from ras_mocap.capture.sources import ReplaySource
from ras_mocap.capture.tracking import TrackingSettings
from ras_mocap.capture.worker import CaptureWorker
from ras_mocap.core.rig_spec import BodyLengths
from ras_mocap.core.track import Track
from tests.blender.mixamo_rig import add_mixamo_rig
from tests.capture.videos import noise_video
from tests.conftest import POSE2SIM_VIDEO, WALK_SIDE_VIDEO, model_path

TIMER, ESC = SimpleNamespace(type="TIMER", value="NOTHING"), SimpleNamespace(type="ESC", value="PRESS")


def _stand_in(operator: type):
    """An object carrying the operator's own methods (Blender makes the real instances; a
    background bpy has no event loop to hand them events), with report() collected."""
    methods = {**vars(ModalJob), **{k: v for k, v in vars(operator).items() if not k.startswith("__")}}
    stand_in = type(f"{operator.__name__}_stand_in", (), methods)()
    stand_in.reports = []
    stand_in.report = lambda kind, message: stand_in.reports.append((next(iter(kind)), message))
    return stand_in


def _started(operator: type, context):
    """The operator's job started as invoke() starts it, with a real window timer."""
    op = _stand_in(operator)
    if operator is RASMOCAP_OT_bake_video:
        job = op._start(context)
    elif operator is RASMOCAP_OT_find_people:
        job = op._task if op._start(context) else None
    else:
        job = start_session(context)
    assert job is not None, op.reports
    op.job = job
    op._timer = context.window_manager.event_timer_add(0.1, window=context.window)
    return op


def _drive(op, context, event=TIMER, timeout_s: float = 120.0) -> set[str]:
    deadline = time.monotonic() + timeout_s
    while (result := op.modal(context, event)) == {"PASS_THROUGH"}:
        assert time.monotonic() < deadline, op.reports
        time.sleep(0.02)
    return result


def _no_threads() -> bool:
    deadline = time.monotonic() + 10
    while [t for t in threading.enumerate() if t.name.startswith("ras-mocap")] and time.monotonic() < deadline:
        time.sleep(0.05)
    return not [t for t in threading.enumerate() if t.name.startswith("ras-mocap")]


def _set_video(settings, video: Path = POSE2SIM_VIDEO, end: int = 40) -> None:
    settings.video_path, settings.frame_end, settings.num_poses = str(video), end, 1


OPERATORS = [RASMOCAP_OT_bake_video, RASMOCAP_OT_find_people, RASMOCAP_OT_start_capture]


@pytest.mark.parametrize("operator", OPERATORS, ids=lambda op: op.bl_idname)
def test_each_modal_job_ends_cleanly_on_esc_file_load_and_cancel(addon, operator):
    context = bpy.context

    def started():
        settings = context.scene.ras_mocap  # (the scene of the file open now)
        _set_video(settings)
        settings.source = "REPLAY"
        settings.num_poses = 2 if operator is RASMOCAP_OT_find_people else 1  # (the people pass runs for two or more)
        return _started(operator, context)

    # Esc: the job stops, nothing is keyed
    op = started()
    op.modal(context, TIMER)
    ended = op.modal(context, ESC)
    assert ended <= {"CANCELLED", "FINISHED"} and running.jobs() == [] and op._timer is None and _no_threads()
    assert len(bpy.data.actions) == 0
    # another file opened: the load_pre handler stops the job (no data touched), and the
    # operator ends on its next event
    op = started()
    op.modal(context, TIMER)
    bpy.ops.wm.read_homefile(use_empty=True)
    assert running.jobs() == [] and _no_threads()
    assert op.modal(context, TIMER) == {"CANCELLED"} and op._timer is None
    # Blender ends the operator itself (cancel()): threads stop, the timer goes
    op = started()
    op.cancel(context)
    assert running.jobs() == [] and op._timer is None and _no_threads()
    assert operator.poll(context)  # the panel's buttons work again


def test_a_bake_goes_on_through_edit_mode_and_keeps_its_track(addon):
    context = bpy.context
    _set_video(addon)
    rig = add_ras_rig(context)
    addon.target_rig = rig
    op = _started(RASMOCAP_OT_bake_video, context)
    op.modal(context, TIMER)
    with context.temp_override(active_object=rig, object=rig):
        bpy.ops.object.mode_set(mode="EDIT")  # the user edits the rig while the video is tracked
    assert context.mode == "EDIT_ARMATURE"
    assert _drive(op, context) == {"FINISHED"}, op.reports
    assert context.mode == "OBJECT" and rig.animation_data.action is not None
    assert track_path_of(rig.animation_data.action) == op.job.track_path and op.job.track_path.is_file()


def test_a_failure_after_detection_keeps_the_track_and_the_rigs_data(addon, tmp_path):
    """Nobody in the video: the detection runs to its end, the fit fails; the track is on disk
    and the user's rig (quaternion bones, no action) is exactly as it was."""
    context = bpy.context
    _set_video(addon, noise_video(tmp_path / "noise.mp4"), end=0)
    rig = add_mixamo_rig(context, BodyLengths())
    addon.target_rig = rig
    modes = {bone.name: bone.rotation_mode for bone in rig.pose.bones}
    op = _started(RASMOCAP_OT_bake_video, context)
    assert _drive(op, context) == {"CANCELLED"}
    (message,) = [m for kind, m in op.reports if kind == "ERROR"]
    assert "nobody was detected" in message and "nothing was keyed; the detected track is saved in" in message
    assert op.job.track_path.is_file() and len(Track.load(op.job.track_path)) > 0
    assert {bone.name: bone.rotation_mode for bone in rig.pose.bones} == modes
    assert rig.animation_data is None or rig.animation_data.action is None
    assert len(bpy.data.actions) == 0


def test_settings_are_checked_before_the_detection(addon):
    _set_video(addon, WALK_SIDE_VIDEO)
    addon.cutoff_hz = 15.0  # walk_side is 30 fps: Nyquist
    with pytest.raises(RuntimeError, match="below half the frame rate"):
        bpy.ops.ras_mocap.bake_video()
    assert running.jobs() == [] and len(bpy.data.objects) == 0


def test_a_take_is_saved_as_it_grows_and_kept_when_it_cannot_be_keyed(monkeypatch):
    monkeypatch.setattr(live, "AUTOSAVE_S", 0.5)
    rig = add_ras_rig(bpy.context)
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO), TrackingSettings(model_path("lite"), num_poses=1))
    worker.start()
    session = LiveSession(rig, worker, show_preview=False)
    try:
        session.start_recording()
        take_path = session._take_path
        started = time.monotonic()  # record 60 posed frames (a loaded machine takes longer to pose them)
        while session.frames_posed < 60 and time.monotonic() - started < 10.0 and session.tick():
            time.sleep(1 / 60)
        assert take_path.is_file() and len(Track.load(take_path)) > 10  # written while recording
        bpy.data.objects.remove(rig)
        with pytest.raises(ReferenceError):  # the rig is gone: the take cannot be keyed ...
            session.stop_recording()
        kept = Track.load(take_path)  # ... and is whole in its track file
        assert kept.found.sum() >= 45 and kept.meta["live"]
    finally:
        session.release()
    assert _no_threads()


def test_registering_and_unregistering_twice_is_harmless():
    ras_mocap.register()
    ras_mocap.register()
    assert hasattr(bpy.types.Scene, "ras_mocap")
    assert sum(h.__name__ == "stop_jobs_on_load" for h in bpy.app.handlers.load_pre) == 1
    ras_mocap.unregister()
    ras_mocap.unregister()
    assert not hasattr(bpy.types.Scene, "ras_mocap")
    assert not any(h.__name__ == "stop_jobs_on_load" for h in bpy.app.handlers.load_pre)


def test_live_capture_goes_on_through_an_undo():
    """Ctrl+Z frees the objects Python holds (ReferenceError on the old reference): the session
    looks its rig up by name each tick, so it keeps posing the rig the undo restored."""
    rig = add_ras_rig(bpy.context)
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO), TrackingSettings(model_path("lite"), num_poses=1))
    worker.start()
    session = LiveSession(rig, worker, show_preview=False)
    try:
        bpy.ops.ed.undo_push(message="rig added")
        rig.location.x = 1.0
        bpy.ops.ed.undo_push(message="rig moved")
        bpy.ops.ed.undo()
        with pytest.raises(ReferenceError):
            rig.name  # noqa: B018 (the reference held before the undo is gone)
        started = time.monotonic()
        while session.frames_posed < 10 and time.monotonic() - started < 20:
            assert session.tick()
            time.sleep(1 / 60)
        assert session.frames_posed >= 10
        thigh = bpy.data.objects[session.rig_name].pose.bones["thigh.L"]
        assert any(abs(v) > 1e-3 for v in thigh.rotation_euler)
    finally:
        session.release()
