"""Find People: the people pass over the scene's video on a background thread (progress, Esc
cancels); the people found fill the Subject choice and their contact sheet is the image
"RAS Mocap People"."""
from __future__ import annotations

import time
from pathlib import Path

import bpy

from ...core.errors import RasMocapError
from ...capture.background import BackgroundTask
from ...core.progress import Cancelled
from ...capture.sources import VideoFileSource
from ...capture.tracking import find_subject
from .. import people as people_module, running
from ..prefs import pose_model
from ..props import tracking_settings
from .modal_job import ModalJob

_ERRORS = (RasMocapError, Cancelled)


class RASMOCAP_OT_find_people(ModalJob, bpy.types.Operator):
    """Find everyone in the video and who Auto takes; pick the subject in Subject. Esc cancels"""

    bl_idname = "ras_mocap.find_people"
    bl_label = "Find People"

    _task: BackgroundTask | None = None

    @classmethod
    def poll(cls, context):
        return context.scene.ras_mocap.source != "WEBCAM" and running.find(BackgroundTask) is None

    def _start(self, context) -> bool:
        settings = context.scene.ras_mocap
        try:
            self._video = Path(bpy.path.abspath(settings.video_path))
            tracking = tracking_settings(settings, pose_model(context))
            end = settings.frame_end or None
            VideoFileSource(self._video, settings.frame_start, end).close()  # a bad file fails here
        except _ERRORS as exc:
            self.report({"ERROR"}, str(exc))
            return False
        self._key = people_module.people_key(self._video, tracking, settings.frame_start, end)
        self._task = BackgroundTask(
            lambda progress: find_subject(self._video, tracking, settings.frame_start, end, progress),
            name="ras-mocap-people").start()
        running.add(self._task)
        return True

    def _finish(self, context) -> set[str]:
        running.remove(self._task)
        try:
            found = self._task.result()
            if found[0].persons:
                people_module.show_sheet(self._video, found)
        except _ERRORS as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        people_module.remember(context.scene, self._key, found)
        people, subject, reason = found
        if subject is None:
            self.report({"WARNING"}, "Nobody was found in the frames looked at; a bake tracks the whole frame")
            return {"FINISHED"}
        self.report({"INFO"}, f"{len(people.persons)} people found; Auto takes person {subject.id} ({reason}). "
                              f'Contact sheet: image "{people_module.PEOPLE_IMAGE}"')
        return {"FINISHED"}

    def execute(self, context):
        """From a script: the same pass, waiting for it."""
        if not self._start(context):
            return {"CANCELLED"}
        while self._task.running:
            time.sleep(0.01)
        return self._finish(context)

    def invoke(self, context, event):
        return self.run_modal(context, self._task, 0.1) if self._start(context) else {"CANCELLED"}

    def on_escape(self, context):
        running.remove(self._task)
        self._task.cancel()
        self.report({"WARNING"}, "Find People cancelled")
        return self.finish_modal(context, {"CANCELLED"})

    def on_tick(self, context):
        if self._task.running:
            context.workspace.status_text_set(f"RAS Mocap: finding people, frame {self._task.done_count} of "
                                              f"{self._task.total} looked at (Esc cancels)")
            return {"PASS_THROUGH"}
        self.finish_modal(context, set())
        return self._finish(context)
