"""The "RAS Mocap" tab of the 3D viewport sidebar (N): Source, Rig, Live, Bake, Gait, Export."""
from __future__ import annotations

import json

import bpy

from ...capture.background import BackgroundTask
from ...core.gait.report import summary_line
from .. import running
from ..live import LiveSession
from ..people import PEOPLE_IMAGE
from ..preview import PREVIEW_IMAGE
from ..prefs import preferences
from ..video_bake import VideoBake


class _Panel:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "RAS Mocap"


class RASMOCAP_PT_main(_Panel, bpy.types.Panel):
    bl_label = "RAS Mocap"
    bl_idname = "RASMOCAP_PT_main"

    def draw(self, context):
        if preferences(context) is None:
            self.layout.label(text="Enable the add-on for its preferences", icon="INFO")


class _SubPanel(_Panel):
    bl_parent_id = "RASMOCAP_PT_main"


class RASMOCAP_PT_source(_SubPanel, bpy.types.Panel):
    bl_label = "Source"
    bl_idname = "RASMOCAP_PT_source"

    def draw(self, context):
        layout = self.layout
        settings, prefs = context.scene.ras_mocap, preferences(context)
        layout.prop(settings, "source", expand=True)
        if settings.source == "WEBCAM":
            row = layout.row(align=True)
            if prefs:
                row.prop(prefs, "default_camera")
            row.operator("ras_mocap.find_cameras", text="", icon="VIEWZOOM")
            if context.window_manager.ras_mocap_cameras:
                layout.label(text=f"Cameras that open: {context.window_manager.ras_mocap_cameras}")
            layout.prop(settings, "camera_size")
            layout.prop(settings, "mirror")
        else:
            layout.prop(settings, "video_path", text="")
            row = layout.row(align=True)
            row.prop(settings, "frame_start")
            row.prop(settings, "frame_end")
        layout.prop(settings, "model_variant")
        subject = layout.column(heading="Subject")
        row = subject.row(align=True)
        row.prop(settings, "subject")
        if settings.source != "WEBCAM":
            finding = running.find(BackgroundTask)
            if finding is None:
                row.operator("ras_mocap.find_people", text="", icon="VIEWZOOM")
            else:
                subject.progress(factor=finding.fraction, type="BAR", text="Finding people (Esc cancels)")
            if PEOPLE_IMAGE in bpy.data.images:
                subject.label(text=f'Who is who: image "{PEOPLE_IMAGE}"', icon="IMAGE_DATA")
        subject.prop(settings, "num_poses")
        subject.prop(settings, "roi")


class RASMOCAP_PT_rig(_SubPanel, bpy.types.Panel):
    bl_label = "Rig"
    bl_idname = "RASMOCAP_PT_rig"

    def draw(self, context):
        layout = self.layout
        settings = context.scene.ras_mocap
        row = layout.row(align=True)
        row.operator("ras_mocap.add_rig", icon="ADD")
        row.prop(settings, "mannequin")
        layout.prop(settings, "target_rig")
        rig = settings.target_rig
        if rig is None:
            layout.label(text="No target: a new RAS rig is made", icon="INFO")
            return
        layout.prop(settings, "profile")
        if settings.profile == "CUSTOM":
            row = layout.row(align=True)
            row.prop(settings, "profile_path")
            row.operator("ras_mocap.choose_bone_map", text="", icon="FILEBROWSER")
        if "ik_legs" in rig:  # the RAS rig's FK/IK switch (0 = FK keys, 1 = IK targets)
            row = layout.row(align=True)
            row.prop(rig, '["ik_legs"]', text="IK Legs", slider=True)
            row.prop(rig, '["ik_arms"]', text="IK Arms", slider=True)


class RASMOCAP_PT_live(_SubPanel, bpy.types.Panel):
    bl_label = "Live"
    bl_idname = "RASMOCAP_PT_live"

    def draw(self, context):
        layout = self.layout
        settings = context.scene.ras_mocap
        session = running.find(LiveSession)
        if session is None:
            if settings.source == "VIDEO":
                layout.label(text="Choose Webcam (or Video as Webcam) as source", icon="INFO")
            layout.operator("ras_mocap.start_capture", icon="PLAY")
        else:
            row = layout.row(align=True)
            row.prop(settings, "record", toggle=True, icon="REC")
            row.operator("ras_mocap.stop_capture", icon="PAUSE")
            layout.label(text=session.status)
            layout.prop(settings, "live_person")
            if PREVIEW_IMAGE in bpy.data.images:
                layout.label(text=f'Preview: image "{PREVIEW_IMAGE}" (Image Editor)', icon="IMAGE_DATA")
        layout.prop(settings, "live_min_cutoff_hz")
        layout.prop(settings, "live_beta")


class RASMOCAP_PT_bake(_SubPanel, bpy.types.Panel):
    bl_label = "Bake"
    bl_idname = "RASMOCAP_PT_bake"

    def draw(self, context):
        layout = self.layout
        settings = context.scene.ras_mocap
        layout.prop(settings, "cutoff_hz")
        layout.prop(settings, "fix_swaps")
        layout.prop(settings, "body_height_m")
        layout.prop(settings, "fov_deg")
        layout.prop(settings, "previous_to_nla")
        job = running.find(VideoBake)
        if job is None:
            layout.operator("ras_mocap.bake_video", icon="REC")
        else:
            layout.progress(factor=job.progress, type="BAR", text=f"{job.status} (Esc cancels)")


class RASMOCAP_PT_gait(_SubPanel, bpy.types.Panel):
    bl_label = "Gait"
    bl_idname = "RASMOCAP_PT_gait"

    def draw(self, context):
        layout = self.layout
        settings = context.scene.ras_mocap
        layout.prop(settings, "body_height_m")
        layout.operator("ras_mocap.gait_analysis", icon="TRACKING")
        if not settings.gait_summary:
            return
        summary = json.loads(settings.gait_summary)
        if summary.get("cadence_steps_per_min") is None:
            layout.label(text="Too few steps for gait parameters")
            return
        box = layout.box()
        box.label(text=summary_line(summary).capitalize())
        grid = box.grid_flow(row_major=True, columns=3, even_columns=False, align=True)
        for cell in ("", "Left", "Right"):
            grid.label(text=cell)
        for name, label, scale, unit in _GAIT_ROWS:
            grid.label(text=label)
            for side in ("left", "right"):
                figure = summary[side].get(name) or {}
                mean = figure.get("mean")
                grid.label(text="-" if mean is None else f"{mean * scale:.{2 if unit == 'm' else 1}f} {unit} (n={figure['n']})")
        symmetry = summary["symmetry_index_pct"]
        box.label(text="Symmetry index: " + ", ".join(
            f"{name.split('_')[0]} {value:.1f}%" for name, value in symmetry.items() if value is not None))


_GAIT_ROWS = (
    ("step_time_s", "Step time", 1, "s"),
    ("stride_time_s", "Stride time", 1, "s"),
    ("step_length_m", "Step length", 1, "m"),
    ("stride_length_m", "Stride length", 1, "m"),
    ("stance_pct", "Stance", 1, "%"),
    ("double_support_pct", "Double support", 1, "%"),
)


class RASMOCAP_PT_export(_SubPanel, bpy.types.Panel):
    bl_label = "Export"
    bl_idname = "RASMOCAP_PT_export"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        row = self.layout.row(align=True)
        for operator, text in (("ras_mocap.export_bvh", "BVH"), ("ras_mocap.export_fbx", "FBX"), ("ras_mocap.export_gltf", "glTF")):
            row.operator(operator, text=text)


panels = (RASMOCAP_PT_main, RASMOCAP_PT_source, RASMOCAP_PT_rig, RASMOCAP_PT_live, RASMOCAP_PT_bake,
          RASMOCAP_PT_gait, RASMOCAP_PT_export)
