"""Everything that imports bpy: rig, keys, live session, operators, panel, preferences."""
from __future__ import annotations

import atexit

import bpy

from . import people, running
from .ops.add_rig import RASMOCAP_OT_add_rig
from .ops.bake_video import RASMOCAP_OT_bake_video
from .ops.download_model import RASMOCAP_OT_download_model
from .ops.export_animation import RASMOCAP_OT_export_animation
from .ops.find_people import RASMOCAP_OT_find_people
from .ops.gait_analysis import RASMOCAP_OT_gait_analysis
from .ops.live_capture import RASMOCAP_OT_find_cameras, RASMOCAP_OT_start_capture, RASMOCAP_OT_stop_capture
from .prefs import RASMOCAP_AP_preferences
from .props import RASMOCAP_PG_settings
from .ui.panels import panels

classes = (
    RASMOCAP_AP_preferences,
    RASMOCAP_PG_settings,
    RASMOCAP_OT_add_rig,
    RASMOCAP_OT_bake_video,
    RASMOCAP_OT_find_people,
    RASMOCAP_OT_start_capture,
    RASMOCAP_OT_stop_capture,
    RASMOCAP_OT_find_cameras,
    RASMOCAP_OT_download_model,
    RASMOCAP_OT_export_animation,
    RASMOCAP_OT_gait_analysis,
    *panels,
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.ras_mocap = bpy.props.PointerProperty(type=RASMOCAP_PG_settings)
    bpy.types.WindowManager.ras_mocap_cameras = bpy.props.StringProperty(
        name="Cameras", description="Camera devices found by Find Cameras")
    atexit.register(running.release_all)  # Blender quitting mid-capture: release the camera, join the thread


def unregister() -> None:
    atexit.unregister(running.release_all)
    running.stop_all()  # a live capture or bake in progress: threads stopped and joined first
    people.forget_all()
    del bpy.types.WindowManager.ras_mocap_cameras
    del bpy.types.Scene.ras_mocap
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
