"""Start / Stop Webcam Capture: a modal timer operator around a LiveSession. The capture thread
runs the camera and BlazePose; each tick here only drains, solves the newest frame, poses the
rig and copies the preview."""
from __future__ import annotations

from pathlib import Path

import bpy

from ...core.errors import RasMocapError
from ...capture.sources import ReplaySource, WebcamSource, list_cameras
from ...capture.worker import CaptureWorker
from ...core.pipeline import check_fit_options
from .. import running
from ..live import LiveSession, LiveSmoothing
from ..prefs import pose_model, preferences
from ..props import cleaning_settings, fit_options, retarget_profile, tracking_settings
from ..rig import add_ras_rig, check_target
from ..ui.redraw import redraw_panels
from .modal_job import ModalJob

PREVIEW_WIDTH_PX = 256
TICK_S = 1 / 60


def _open_source(context: bpy.types.Context):
    """A callable opening the chosen source on the capture thread: a camera, or a video replayed as one."""
    settings, prefs = context.scene.ras_mocap, preferences(context)
    if settings.source == "REPLAY":
        video = Path(bpy.path.abspath(settings.video_path))
        return lambda: ReplaySource(video, settings.frame_start, settings.frame_end or None)
    index = prefs.default_camera if prefs else 0
    width, height = (int(v) for v in settings.camera_size.split("x"))
    mirror = settings.mirror
    return lambda: WebcamSource(index, width, height, mirror=mirror)


def start_session(context: bpy.types.Context) -> LiveSession:
    """Open the source and the model (errors raised here), and a LiveSession on the target rig
    (a new RAS rig if none is chosen)."""
    settings = context.scene.ras_mocap
    profile = retarget_profile(settings)
    if settings.target_rig is not None:  # a rig it cannot key is refused before the camera opens
        profile = check_target(settings.target_rig, profile)
    check_fit_options(**fit_options(settings))  # the take is fitted when it is keyed
    worker = CaptureWorker(_open_source(context), tracking_settings(settings, pose_model(context)),
                           preview_width_px=PREVIEW_WIDTH_PX)
    worker.start()
    try:
        rig = settings.target_rig or add_ras_rig(context, mannequin=settings.mannequin)
        smoothing = LiveSmoothing(settings.live_min_cutoff_hz, settings.live_beta)
        session = LiveSession(rig, worker, profile, smoothing, cleaning_settings(settings), fit_options=fit_options(settings))
    except BaseException:
        worker.stop()
        raise
    running.add(session)
    return session


def stop_session(session: LiveSession, context: bpy.types.Context) -> str:
    """Stop capture (a take being recorded is keyed); what happened."""
    running.remove(session)
    return session.stop(context)


class RASMOCAP_OT_start_capture(ModalJob, bpy.types.Operator):
    """Capture live from the webcam onto the target rig (or a new RAS rig); Esc or Stop ends it"""

    bl_idname = "ras_mocap.start_capture"
    bl_label = "Start Webcam Capture"

    @classmethod
    def poll(cls, context):
        return context.mode in {"OBJECT", "POSE"} and running.find(LiveSession) is None

    def invoke(self, context, event):
        try:
            session = start_session(context)
        except RasMocapError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        context.scene.ras_mocap.record = False
        return self.run_modal(context, session, TICK_S)

    def execute(self, context):
        self.report({"ERROR"}, "Live capture runs in Blender's window (a modal operator); from a script, drive "
                               "ras_mocap.blender.live.LiveSession")
        return {"CANCELLED"}

    def on_escape(self, context):
        return self._end(context, stop_session(self.job, context))

    def on_tick(self, context):
        session = self.job
        settings = context.scene.ras_mocap
        if settings.record and not session.recording:
            session.start_recording()
        elif session.recording and not settings.record:
            try:
                take = session.stop_recording(context)
            except RasMocapError as exc:  # e.g. a take too short to fit
                self.report({"ERROR"}, f"{exc}; the take was not keyed")
            else:
                self.report({"INFO"}, f"Take keyed as {take.action_name}" if take else "Nobody was seen in the take")
                for warning in take.warnings if take else ():
                    self.report({"WARNING"}, warning)
        try:
            alive = session.tick()
        except ReferenceError:  # the rig was deleted while it was being driven
            running.remove(session)
            session.release()
            self.report({"WARNING"}, "The rig was deleted: capture stopped; a take being recorded is kept in its "
                                     "track file, not keyed")
            return self._end(context, None)
        if not alive:
            return self._end(context, stop_session(session, context))
        redraw_panels(context)
        return {"PASS_THROUGH"}

    def _end(self, context, message: str | None) -> set[str]:
        if hasattr(context.scene, "ras_mocap"):  # (gone if the add-on was unregistered meanwhile)
            context.scene.ras_mocap.record = False
        if message:
            self.report({"INFO"}, message)
        return self.finish_modal(context, {"FINISHED"})


class RASMOCAP_OT_stop_capture(bpy.types.Operator):
    """Stop live capture; a take being recorded is keyed into a new action"""

    bl_idname = "ras_mocap.stop_capture"
    bl_label = "Stop"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return running.find(LiveSession) is not None

    def execute(self, context):
        self.report({"INFO"}, stop_session(running.find(LiveSession), context))
        context.scene.ras_mocap.record = False
        return {"FINISHED"}


class RASMOCAP_OT_find_cameras(bpy.types.Operator):
    """List the camera devices that open (this briefly opens each)"""

    bl_idname = "ras_mocap.find_cameras"
    bl_label = "Find Cameras"

    def execute(self, context):
        found = list_cameras()
        context.window_manager.ras_mocap_cameras = ", ".join(map(str, found)) if found else "none"
        self.report({"INFO"} if found else {"WARNING"},
                    f"Cameras that open: {', '.join(map(str, found))}" if found else "No camera opens")
        return {"FINISHED"}
