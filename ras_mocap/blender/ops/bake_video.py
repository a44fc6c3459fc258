"""Bake from video: track the scene's video with BlazePose and key it onto a new RAS rig."""
from __future__ import annotations

from pathlib import Path

import bpy

from ...capture.models import ModelError, resolve_model
from ...capture.sources import SourceError
from ...capture.tracking import track_video
from ..bake import bake_track
from ..prefs import model_cache_dir, preferences
from ..props import cleaning_settings, retarget_profile, tracking_settings


class RASMOCAP_OT_bake_video(bpy.types.Operator):
    """Track the chosen video file and bake the motion onto the target rig (or a new RAS rig)"""

    bl_idname = "ras_mocap.bake_video"
    bl_label = "Bake from Video"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return context.mode == "OBJECT"

    def execute(self, context):
        settings = context.scene.ras_mocap
        prefs = preferences(context)
        video = Path(bpy.path.abspath(settings.video_path))
        window_manager = context.window_manager
        try:
            profile = retarget_profile(settings)  # a bad bone map fails before the long tracking
            model = resolve_model(
                prefs.model_variant if prefs else "full",
                (prefs.model_path or None) if prefs else None,
                cache_dir=model_cache_dir(),
                allow_download=bpy.app.online_access,
            )
            window_manager.progress_begin(0, 1)
            try:
                track = track_video(
                    video, tracking_settings(settings, model), settings.frame_start, settings.frame_end or None,
                    progress=lambda done, total: window_manager.progress_update(done / total),
                )
            finally:
                window_manager.progress_end()
            result = bake_track(context, track, settings.target_rig, cleaning_settings(settings), profile)
        except (ModelError, SourceError, ValueError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report(
            {"INFO"},
            f"Baked {result.frame_end - result.frame_start + 1} frames onto {result.rig_name} "
            f"(person found in {100 * track.detection_rate:.0f}% of frames)",
        )
        return {"FINISHED"}
