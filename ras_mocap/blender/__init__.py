"""Everything that imports bpy: rig, keys, live session, operators, panel, preferences."""
from __future__ import annotations

import atexit

import bpy

from . import people, running
from .ops.add_rig import RASMOCAP_OT_add_rig
from .ops.bake_video import RASMOCAP_OT_bake_video
from .ops.download_model import RASMOCAP_OT_download_model
from .ops.choose_file import RASMOCAP_OT_choose_bone_map, RASMOCAP_OT_choose_model_file
from .ops.export_animation import EXPORT_OPERATORS
from .ops.find_people import RASMOCAP_OT_find_people
from .ops.gait_analysis import RASMOCAP_OT_gait_analysis
from .ops.live_capture import RASMOCAP_OT_find_cameras, RASMOCAP_OT_start_capture, RASMOCAP_OT_stop_capture
from ..capture.native_logs import show_native_logs
from .prefs import RASMOCAP_AP_preferences, preferences
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
    *EXPORT_OPERATORS,
    RASMOCAP_OT_choose_bone_map,
    RASMOCAP_OT_choose_model_file,
    RASMOCAP_OT_gait_analysis,
    *panels,
)


def register() -> None:
    """Register the add-on; registering it again (a reload) first unregisters the old one."""
    if getattr(bpy.types.Scene, "ras_mocap", None) is not None or _registered():
        unregister()
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Scene.ras_mocap = bpy.props.PointerProperty(type=RASMOCAP_PG_settings)
    bpy.types.WindowManager.ras_mocap_cameras = bpy.props.StringProperty(
        name="Cameras", description="Camera devices found by Find Cameras")
    bpy.app.handlers.load_pre.append(stop_jobs_on_load)
    prefs = preferences(bpy.context)
    show_native_logs(bool(prefs and prefs.debug_logs))
    atexit.register(running.release_all)  # Blender quitting mid-capture: release the camera, join the thread


def unregister() -> None:
    """Stop every job and unregister; harmless when not registered (a second call)."""
    atexit.unregister(running.release_all)
    running.stop_all()  # a live capture or bake in progress: threads stopped and joined first
    people.forget_all()
    for handler in [h for h in bpy.app.handlers.load_pre if getattr(h, "__name__", "") == stop_jobs_on_load.__name__]:
        bpy.app.handlers.load_pre.remove(handler)  # (also one of an earlier copy of the module)
    for owner, name in ((bpy.types.WindowManager, "ras_mocap_cameras"), (bpy.types.Scene, "ras_mocap")):
        if hasattr(owner, name):
            delattr(owner, name)
    for cls in reversed(classes):
        if cls.is_registered:
            bpy.utils.unregister_class(cls)


def _registered() -> bool:
    return any(cls.is_registered for cls in classes)


@bpy.app.handlers.persistent
def stop_jobs_on_load(*_args) -> None:
    """Another file is being opened: every capture, bake and people pass stops its threads (a take
    being recorded is written to its track file) without touching the data being freed; their
    modal operators end on their next event."""
    running.release_all()
