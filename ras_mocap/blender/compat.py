"""Every difference between Blender 4.2 LTS and 5.2 LTS that RAS Mocap touches, in one place."""
from __future__ import annotations

import bpy

__all__ = ["action_channels", "action_fcurves", "new_fcurve"]

HAS_SLOTTED_ACTIONS = "slots" in bpy.types.Action.bl_rna.properties  # Blender 4.4+


def action_channels(action: bpy.types.Action, obj: bpy.types.Object):
    """Assign `action` to `obj` and return what holds the curves that animate it: something with
    `.fcurves` and `.groups`.

    4.4+: actions are slotted; curves live in the channelbag of the object's slot, in the
    action's keyframe strip (made here if new: bpy_extras' helper for that only exists from 5.0).
    4.2: curves live on the action itself (Action.fcurves, removed in 5.0).
    """
    animation_data = obj.animation_data or obj.animation_data_create()
    animation_data.action = action
    if not HAS_SLOTTED_ACTIONS:
        return action
    slot = animation_data.action_slot
    if slot is None:
        slot = action.slots.new(id_type="OBJECT", name=obj.name)
        animation_data.action_slot = slot
    layer = action.layers[0] if action.layers else action.layers.new("Layer")
    strip = layer.strips[0] if layer.strips else layer.strips.new(type="KEYFRAME")
    return strip.channelbag(slot, ensure=True)


def action_fcurves(action: bpy.types.Action, obj: bpy.types.Object):
    """The F-curve collection that animates `obj` with `action` (assigned to it)."""
    return action_channels(action, obj).fcurves


def new_fcurve(channels, data_path: str, index: int, group: str):
    """Add an F-curve to `channels` (see action_channels) in the channel group `group`. (The
    keyword that does this in one call differs between 4.2 and 5.x and is missing in 4.4/4.5.)"""
    curve = channels.fcurves.new(data_path, index=index)
    curve.group = channels.groups.get(group) or channels.groups.new(group)
    return curve
