"""Bake from Video: the people pass and detection on background threads while Blender stays
responsive (progress in the status bar and the panel, Esc cancels), then the motion keyed onto
the target rig (or a new RAS rig) as one undo step."""
from __future__ import annotations

import time
from pathlib import Path

import bpy

from ...core.errors import RasMocapError
from ...core.progress import Cancelled
from ...capture.subject import choose_subject
from .. import people as people_module, running
from ...core.pipeline import check_fit_options
from ...capture.sources import VideoFileSource
from ..bake import bake_track, store_track
from ..rig import check_target
from ..prefs import pose_model
from ..props import cleaning_settings, fit_options, retarget_profile, tracking_settings
from ..video_bake import VideoBake
from .modal_job import ModalJob
from ..ui.redraw import redraw_panels

_ERRORS = (RasMocapError, ReferenceError)  # (the target rig deleted meanwhile)


def _leave_edit_modes(context: bpy.types.Context) -> None:
    """Back to Object mode if the user entered an edit or paint mode during the detection: keys
    and a new rig need it (the user's edits are kept, as saving keeps them)."""
    if context.mode not in {"OBJECT", "POSE"} and context.active_object is not None:
        with context.temp_override(active_object=context.active_object, object=context.active_object):
            bpy.ops.object.mode_set(mode="OBJECT")


class RASMOCAP_OT_bake_video(ModalJob, bpy.types.Operator):
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
            if settings.target_rig is not None:  # and so does a rig it cannot key
                self._profile = check_target(settings.target_rig, self._profile)
            check_fit_options(**fit_options(settings))  # so does a height no person has
            video = Path(bpy.path.abspath(settings.video_path))
            end = settings.frame_end or None
            cleaning = cleaning_settings(settings)
            with VideoFileSource(video, settings.frame_start, end) as source:  # a bad file fails here
                cleaning.check_rate(source.fps)  # and so does a cutoff at or above Nyquist
            tracking = tracking_settings(settings, pose_model(context))
            self._people_key = people_module.people_key(video, tracking, settings.frame_start, end)
            people_module.subject_choice(settings, self._people_key)  # a person of another video fails here
            found = people_module.recall(self._people_key)
            if found is not None and found[0].persons:  # Find People ran on this video: the subject as chosen now
                found = (found[0], *choose_subject(found[0], tracking.subject))
            self._cleaning, self._fit_options = cleaning, fit_options(settings)  # as the job fits, for the action's record
            job = VideoBake(video, tracking, settings.frame_start, end, found, cleaning, self._fit_options,
                            keep_track=lambda track: store_track(track, f"{video.stem}_mocap"))
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
            clip = job.clip()
            _leave_edit_modes(context)
            result = bake_track(context, track, settings.target_rig, self._cleaning, self._profile,
                                previous_to_nla=settings.previous_to_nla, track_path=job.track_path, clip=clip,
                                mannequin=settings.mannequin, **self._fit_options)
        except _ERRORS as exc:
            kept = f"; the detected track is saved in {job.track_path}" if job.track_path else ""
            self.report({"ERROR"}, f"{exc}; nothing was keyed{kept}")
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
        job = self._start(context)
        return {"CANCELLED"} if job is None else self.run_modal(context, job, 0.1)

    def on_escape(self, context):
        self.job.stop()
        running.remove(self.job)
        self.report({"WARNING"}, "Bake cancelled: nothing was keyed, the rig's animation is as it was")
        return self.finish_modal(context, {"CANCELLED"})

    def on_tick(self, context):
        going = self._tick(self.job)
        if going:
            context.workspace.status_text_set(f"RAS Mocap: {self.job.status} (Esc cancels)")
            redraw_panels(context)
            return {"PASS_THROUGH"}
        self.finish_modal(context, set())
        return {"CANCELLED"} if going is None else self._finish(context, self.job)
