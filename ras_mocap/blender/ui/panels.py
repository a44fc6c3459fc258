"""The "RAS Mocap" tab of the 3D viewport sidebar (N)."""
from __future__ import annotations

import bpy


class RASMOCAP_PT_main(bpy.types.Panel):
    bl_label = "RAS Mocap"
    bl_idname = "RASMOCAP_PT_main"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "RAS Mocap"

    def draw(self, context):
        layout = self.layout
        settings = context.scene.ras_mocap
        source = layout.box()
        source.label(text="Video", icon="FILE_MOVIE")
        source.prop(settings, "video_path", text="")
        row = source.row(align=True)
        row.prop(settings, "frame_start")
        row.prop(settings, "frame_end")
        subject = layout.box()
        subject.label(text="Subject", icon="USER")
        subject.prop(settings, "subject")
        subject.prop(settings, "num_poses")
        subject.prop(settings, "roi")
        cleaning = layout.box()
        cleaning.label(text="Cleaning", icon="MOD_SMOOTH")
        cleaning.prop(settings, "cutoff_hz")
        cleaning.prop(settings, "fix_swaps")
        rig = layout.box()
        rig.label(text="Rig", icon="ARMATURE_DATA")
        rig.prop(settings, "target_rig")
        if settings.target_rig:
            rig.prop(settings, "profile")
            if settings.profile == "CUSTOM":
                rig.prop(settings, "profile_path")
        rig.operator("ras_mocap.add_rig", icon="ADD")
        layout.operator("ras_mocap.bake_video", icon="REC")
