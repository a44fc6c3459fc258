"""Export Animation: the active armature's action through Blender's own BVH / FBX / glTF exporter."""
from __future__ import annotations

from pathlib import Path

import bpy

from ...core.errors import RasMocapError
from ..export import EXPORT_FORMATS, export_animation

_FORMAT_ITEMS = (
    ("BVH", "BVH", "Biovision hierarchy: skeleton and motion, at the scene's fps"),
    ("FBX", "FBX", "The armature and its action, baked per frame, no leaf bones"),
    ("GLTF", "glTF", "Binary glTF (.glb): the armature and its action"),
)


class RASMOCAP_OT_export_animation(bpy.types.Operator):
    """Export the active armature's animation (only the armature, the scene's frame range)"""

    bl_idname = "ras_mocap.export_animation"
    bl_label = "Export Animation"

    file_format: bpy.props.EnumProperty(name="Format", items=_FORMAT_ITEMS, default="BVH")
    filepath: bpy.props.StringProperty(subtype="FILE_PATH", options={"SKIP_SAVE"})

    @classmethod
    def poll(cls, context):
        rig = context.active_object
        return rig is not None and rig.type == "ARMATURE" and rig.animation_data is not None \
            and rig.animation_data.action is not None

    def invoke(self, context, event):
        if not self.filepath:
            blend = Path(bpy.data.filepath) if bpy.data.filepath else Path("untitled")
            self.filepath = str(blend.with_suffix(EXPORT_FORMATS[self.file_format][0]))
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        if not self.filepath:
            self.report({"ERROR"}, "choose a file to export to")
            return {"CANCELLED"}
        try:
            path = export_animation(context, context.active_object, bpy.path.abspath(self.filepath), self.file_format)
        except RasMocapError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Exported {path}")
        return {"FINISHED"}
