"""File pickers through Blender's file browser (ImportHelper, filtered): the Custom Map's JSON bone
map and the preferences' model file, each checked before it is taken."""
from __future__ import annotations

from pathlib import Path

import bpy
from bpy_extras.io_utils import ImportHelper

from ...capture.models import check_task_bundle
from ...core.errors import RasMocapError
from ...core.retarget import RetargetProfile
from ..prefs import preferences


class RASMOCAP_OT_choose_bone_map(ImportHelper, bpy.types.Operator):
    """Choose the JSON bone map of the Custom Map profile (which bone of your rig is which body part)"""

    bl_idname = "ras_mocap.choose_bone_map"
    bl_label = "Choose Bone Map"
    bl_options = {"REGISTER", "UNDO"}
    filename_ext = ".json"
    filter_glob: bpy.props.StringProperty(default="*.json", options={"HIDDEN"})

    def execute(self, context):
        try:
            profile = RetargetProfile.load(Path(self.filepath))
        except RasMocapError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        settings = context.scene.ras_mocap
        settings.profile, settings.profile_path = "CUSTOM", self.filepath
        self.report({"INFO"}, f"Bone map {profile.name}: {len(profile.bones)} body parts")
        return {"FINISHED"}


class RASMOCAP_OT_choose_model_file(ImportHelper, bpy.types.Operator):
    """Choose a PoseLandmarker .task file of your own, used instead of the downloaded model"""

    bl_idname = "ras_mocap.choose_model_file"
    bl_label = "Choose Model File"
    filename_ext = ".task"
    filter_glob: bpy.props.StringProperty(default="*.task", options={"HIDDEN"})

    @classmethod
    def poll(cls, context):
        return preferences(context) is not None

    def execute(self, context):
        try:
            check_task_bundle(Path(self.filepath))
        except RasMocapError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        preferences(context).model_path = self.filepath
        self.report({"INFO"}, f"Model file: {self.filepath}")
        return {"FINISHED"}
