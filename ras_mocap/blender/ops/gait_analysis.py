"""Analyse Gait: the walk of the active rig's take, as a report, markers and a plot."""
from __future__ import annotations

import bpy

from ...core.errors import RasMocapError
from ...core.gait.report import summary_line
from ..gait import analyse_take
from ..props import cleaning_settings, fit_options


class RASMOCAP_OT_gait_analysis(bpy.types.Operator):
    """Gait analysis of the active rig's take: events as timeline markers, parameters in the panel, report files and a plot"""

    bl_idname = "ras_mocap.gait_analysis"
    bl_label = "Analyse Gait"
    bl_options = {"REGISTER", "UNDO"}

    report_dir: bpy.props.StringProperty(name="Report folder", subtype="DIR_PATH", options={"SKIP_SAVE"},
                                         description="Where the files go (default: beside the take's track)")

    @classmethod
    def poll(cls, context):
        rig = context.active_object
        return rig is not None and rig.type == "ARMATURE"

    def execute(self, context):
        settings = context.scene.ras_mocap
        try:
            analysis, paths = analyse_take(context, context.active_object, bpy.path.abspath(self.report_dir) or None,
                                           cleaning=cleaning_settings(settings), **fit_options(settings))
        except RasMocapError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        summary = analysis.summary
        self.report({"INFO"}, f"Gait: {summary_line(summary)}; report in {paths['summary.json'].parent}")
        return {"FINISHED"}
