"""Every difference between Blender 4.2 LTS and 5.2 LTS that RAS Mocap touches, in one place."""
from __future__ import annotations

import bpy

__all__ = ["action_fcurves", "new_fcurve"]

HAS_SLOTTED_ACTIONS = "slots" in bpy.types.Action.bl_rna.properties  # Blender 4.4+


def action_fcurves(action: bpy.types.Action, obj: bpy.types.Object):
    """Assign `action` to `obj` and return the F-curve collection that animates it.

    4.4+: actions are slotted; curves live in the channelbag of the object's slot.
    4.2: curves live on the action itself (Action.fcurves, removed in 5.0).
    """
    animation_data = obj.animation_data or obj.animation_data_create()
    animation_data.action = action
    if not HAS_SLOTTED_ACTIONS:
        return action.fcurves
    from bpy_extras.anim_utils import action_ensure_channelbag_for_slot

    slot = animation_data.action_slot
    if slot is None:
        slot = action.slots.new(id_type="OBJECT", name=obj.name)
        animation_data.action_slot = slot
    return action_ensure_channelbag_for_slot(action, slot).fcurves


def new_fcurve(fcurves, data_path: str, index: int, group: str):
    """Add an F-curve in a channel group (the keyword was renamed with channelbags)."""
    if HAS_SLOTTED_ACTIONS:
        return fcurves.new(data_path, index=index, group_name=group)
    return fcurves.new(data_path, index=index, action_group=group)
