"""Export BVH / FBX / glTF: the active armature's animation through Blender's own exporters, one
operator per format with Blender's file browser (ExportHelper: file name, filter, overwrite check)."""
from __future__ import annotations

import bpy
from bpy_extras.io_utils import ExportHelper

from ...core.errors import RasMocapError
from ..export import EXPORT_FORMATS, export_animation


class _ExportAnimation(ExportHelper):
    """What the three exports share; a subclass names its format."""

    file_format = ""

    @classmethod
    def poll(cls, context):
        rig = context.active_object
        return rig is not None and rig.type == "ARMATURE" and rig.animation_data is not None \
            and rig.animation_data.action is not None

    def execute(self, context):
        try:
            path = export_animation(context, context.active_object, bpy.path.abspath(self.filepath), self.file_format)
        except RasMocapError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Exported {path}")
        return {"FINISHED"}


def _export_operator(file_format: str, label: str, description: str) -> type:
    """The export operator of one format: its id, file extension and file-browser filter."""
    extension = EXPORT_FORMATS[file_format][0]
    return type(f"RASMOCAP_OT_export_{file_format.lower()}", (_ExportAnimation, bpy.types.Operator), {
        "__doc__": description, "bl_idname": f"ras_mocap.export_{file_format.lower()}", "bl_label": f"Export {label}",
        "file_format": file_format, "filename_ext": extension,
        "__annotations__": {"filter_glob": bpy.props.StringProperty(default=f"*{extension}", options={"HIDDEN"})},
    })


EXPORT_OPERATORS = (
    _export_operator("BVH", "BVH", "Export the active armature's action as BVH (skeleton and motion, the scene's "
                                   "frame range and fps)"),
    _export_operator("FBX", "FBX", "Export the active armature, the meshes skinned to it and its action as FBX "
                                   "(baked per frame, no leaf bones)"),
    _export_operator("GLTF", "glTF", "Export the active armature, the meshes skinned to it and its action as "
                                     "binary glTF (.glb)"),
)
