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


class RASMOCAP_OT_export_bvh(_ExportAnimation, bpy.types.Operator):
    """Export the active armature's action as BVH (skeleton and motion, the scene's frame range and fps)"""

    bl_idname = "ras_mocap.export_bvh"
    bl_label = "Export BVH"
    file_format = "BVH"
    filename_ext = EXPORT_FORMATS["BVH"][0]
    filter_glob: bpy.props.StringProperty(default="*.bvh", options={"HIDDEN"})


class RASMOCAP_OT_export_fbx(_ExportAnimation, bpy.types.Operator):
    """Export the active armature, the meshes skinned to it and its action as FBX (baked per frame, no leaf bones)"""

    bl_idname = "ras_mocap.export_fbx"
    bl_label = "Export FBX"
    file_format = "FBX"
    filename_ext = EXPORT_FORMATS["FBX"][0]
    filter_glob: bpy.props.StringProperty(default="*.fbx", options={"HIDDEN"})


class RASMOCAP_OT_export_gltf(_ExportAnimation, bpy.types.Operator):
    """Export the active armature, the meshes skinned to it and its action as binary glTF (.glb)"""

    bl_idname = "ras_mocap.export_gltf"
    bl_label = "Export glTF"
    file_format = "GLTF"
    filename_ext = EXPORT_FORMATS["GLTF"][0]
    filter_glob: bpy.props.StringProperty(default="*.glb", options={"HIDDEN"})


EXPORT_OPERATORS = (RASMOCAP_OT_export_bvh, RASMOCAP_OT_export_fbx, RASMOCAP_OT_export_gltf)
