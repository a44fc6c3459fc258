"""Everything that imports bpy: rig, keys, operators, panel, preferences."""
from __future__ import annotations

import bpy

from .ops.add_rig import RASMOCAP_OT_add_rig
from .ops.bake_video import RASMOCAP_OT_bake_video
from .prefs import RASMOCAP_AP_preferences
from .props import RASMOCAP_PG_settings
from .ui.panels import RASMOCAP_PT_main

classes = (
    RASMOCAP_AP_preferences,
    RASMOCAP_PG_settings,
    RASMOCAP_OT_add_rig,
    RASMOCAP_OT_bake_video,
    RASMOCAP_PT_main,
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.ras_mocap = bpy.props.PointerProperty(type=RASMOCAP_PG_settings)


def unregister() -> None:
    del bpy.types.Scene.ras_mocap
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
