"""Bake from Video: the people pass and detection on background threads while Blender stays
responsive (progress in the status bar and the panel, Esc cancels), then the motion keyed onto
the target rig (or a new RAS rig) as one undo step."""
from __future__ import annotations

import time
from pathlib import Path

import bpy

from ...capture.models import ModelError
from ...core.progress import Cancelled
from ...capture.sources import SourceError
from ...capture.subject import choose_subject
from .. import people as people_module, running
from ...core.pipeline import check_fit_options
from ..bake import bake_track
from ..prefs import pose_model
from ..props import cleaning_settings, fit_options, retarget_profile, tracking_settings
from ..video_bake import VideoBake
from ..ui.redraw import redraw_panels

_ERRORS = (ModelError, SourceError, ValueError, TimeoutError, ReferenceError)  # (the target rig deleted meanwhile)


class RASMOCAP_OT_bake_video(bpy.types.Operator):
    """Track the chosen video's subject and bake the motion onto the target rig (or a new RAS rig). Esc cancels"""

    bl_idname = "ras_mocap.bake_video"
    bl_label = "Bake from Video"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return context.mode == "OBJECT" and running.find(VideoBake) is None

    def _start(self, context) -> VideoBake | None:
        settings = context.scene.ras_mocap
        try:
            self._profile = retarget_profile(settings)  # a bad bone map fails before the long tracking
            check_fit_options(**fit_options(settings))  # so does a height no person has
            video = Path(bpy.path.abspath(settings.video_path))
            tracking = tracking_settings(settings, pose_model(context))
            end = settings.frame_end or None
            self._people_key = people_module.people_key(video, tracking, settings.frame_start, end)
            people_module.subject_choice(settings, self._people_key)  # a person of another video fails here
            found = people_module.recall(self._people_key)
            if found is not None and found[0].persons:  # Find People ran on this video: the subject as chosen now
                found = (found[0], *choose_subject(found[0], tracking.subject))
            job = VideoBake(video, tracking, settings.frame_start, end, found, cleaning_settings(settings),
                            fit_options(settings))
            job.start()
        except _ERRORS as exc:
            self.report({"ERROR"}, str(exc))
            return None
        running.add(job)
        return job

    def _finish(self, context, job: VideoBake) -> set[str]:
        running.remove(job)
        settings = context.scene.ras_mocap
        try:
            track = job.track()
            result = bake_track(context, track, settings.target_rig, profile=self._profile,
                                previous_to_nla=settings.previous_to_nla, clip=job.clip())
        except _ERRORS as exc:
            self.report({"ERROR"}, f"{exc}; nothing was keyed")
            return {"CANCELLED"}
        if job.people is not None:
            people_module.remember(context.scene, self._people_key, job.people)
        who = f"person {job.people[1].id} of {len(job.people[0].persons)}, " if job.people and job.people[1] else ""
        self.report({"INFO"}, f"Baked {result.frame_end - result.frame_start + 1} frames onto {result.rig_name} as "
                              f"{result.action_name} ({who}found in {100 * track.detection_rate:.0f}% of frames)")
        for warning in result.warnings:
            self.report({"WARNING"}, warning)
        return {"FINISHED"}

    def _tick(self, job: VideoBake) -> bool | None:
        """job.tick(), or None after reporting what stopped it (nobody found, an error)."""
        try:
            return job.tick()
        except (*_ERRORS, Cancelled) as exc:
            job.stop()
            running.remove(job)
            self.report({"ERROR"}, f"{exc}; nothing was keyed")
            return None

    def execute(self, context):
        """From a script: the same bake, waiting for the detection (no window needed)."""
        job = self._start(context)
        if job is None:
            return {"CANCELLED"}
        while (going := self._tick(job)):
            time.sleep(0.005)
        return {"CANCELLED"} if going is None else self._finish(context, job)

    def invoke(self, context, event):
        self._job = self._start(context)
        if self._job is None:
            return {"CANCELLED"}
        window_manager = context.window_manager
        self._timer = window_manager.event_timer_add(0.1, window=context.window)
        window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        job = self._job
        if job not in running.jobs():  # the add-on was unregistered meanwhile: the job was stopped
            context.window_manager.event_timer_remove(self._timer)
            return {"CANCELLED"}
        if event.type == "ESC":
            job.stop()
            self._end(context)
            running.remove(job)
            self.report({"WARNING"}, "Bake cancelled: nothing was keyed, the rig's animation is as it was")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        going = self._tick(job)
        if going:
            context.workspace.status_text_set(f"RAS Mocap: {job.status} (Esc cancels)")
            redraw_panels(context)
            return {"PASS_THROUGH"}
        self._end(context)
        return {"CANCELLED"} if going is None else self._finish(context, job)

    def _end(self, context) -> None:
        context.window_manager.event_timer_remove(self._timer)
        context.workspace.status_text_set(None)
        redraw_panels(context)
