"""Add RAS Rig: a human armature with IK legs and arms, default adult proportions."""
from __future__ import annotations

import bpy

from ..rig import add_ras_rig


class RASMOCAP_OT_add_rig(bpy.types.Operator):
    """Add the RAS human rig (IK legs and arms, FK/IK switch) at the world origin, with a mannequin mesh if the panel's Mannequin is on"""

    bl_idname = "ras_mocap.add_rig"
    bl_label = "Add RAS Rig"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        return context.mode == "OBJECT"

    def execute(self, context):
        mannequin = context.scene.ras_mocap.mannequin
        rig = add_ras_rig(context, mannequin=mannequin)
        self.report({"INFO"}, f"Added {rig.name}" + (" with a mannequin" if mannequin else ""))
        return {"FINISHED"}
