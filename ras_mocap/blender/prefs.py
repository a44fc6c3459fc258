"""Add-on preferences: the pose model (and its download), the default camera, live smoothing,
where downloaded models are kept."""
from __future__ import annotations

import os
from pathlib import Path

import bpy

from ..capture.models import MODEL_ENV_VAR, cached_model_path, default_cache_dir, official_url, resolve_model
from ..capture.native_logs import show_native_logs

__all__ = ["ADDON_ID", "RASMOCAP_AP_preferences", "preferences", "model_cache_dir", "track_cache_dir", "pose_model",
           "model_download"]

ADDON_ID = __package__.rpartition(".")[0]  # the package Blender enabled: ras_mocap or bl_ext.REPO.ras_mocap


class RASMOCAP_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    model_path: bpy.props.StringProperty(
        name="Model File",
        subtype="FILE_PATH",
        description="A PoseLandmarker .task file of your own, used for every take instead of the downloaded "
                    "model the panel's Model names; empty = the downloaded one",
    )

    cache_dir: bpy.props.StringProperty(
        name="Cache Folder",
        subtype="DIR_PATH",
        description="Folder for downloaded models (and, in tracks/, the tracks of takes baked into an unsaved "
                    "file); empty = the extension's own user folder",
    )
    default_camera: bpy.props.IntProperty(name="Camera", min=0, max=16, default=0,
                                          description="Camera device index for live capture (0 = the first)")
    debug_logs: bpy.props.BoolProperty(
        name="Show MediaPipe Logs", default=False,
        description="Print MediaPipe's own INFO and WARNING lines (and Blender's exporter tracebacks) to the "
                    "console, for reporting a problem",
        update=lambda self, _context: show_native_logs(self.debug_logs),
    )

    def draw(self, context):
        layout = self.layout
        row = layout.row(align=True)
        row.prop(self, "model_path")
        row.operator("ras_mocap.choose_model_file", text="", icon="FILEBROWSER")
        layout.prop(self, "cache_dir")
        row = layout.row()
        row.operator("ras_mocap.download_model", icon="IMPORT")
        row.label(text=f"the panel's Model ({context.scene.ras_mocap.model_variant}), into {model_cache_dir(create=False)}")
        layout.prop(self, "default_camera")
        layout.prop(self, "debug_logs")


def preferences(context: bpy.types.Context) -> RASMOCAP_AP_preferences | None:
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None


def model_cache_dir(create: bool = True) -> Path:
    """The folder chosen in the preferences, else `models` in the extension's user directory when
    installed as an extension, else in the user cache."""
    prefs = preferences(bpy.context)
    if prefs and prefs.cache_dir:
        return Path(bpy.path.abspath(prefs.cache_dir))
    return _user_dir("models", create)


def track_cache_dir() -> Path:
    """Where the tracks of takes baked into an unsaved .blend go: `tracks` in the preference's
    cache folder, else in the extension's user directory, else in the user cache."""
    prefs = preferences(bpy.context)
    if prefs and prefs.cache_dir:
        return Path(bpy.path.abspath(prefs.cache_dir)) / "tracks"
    return _user_dir("tracks", create=True)


def _user_dir(name: str, create: bool) -> Path:
    try:
        return Path(bpy.utils.extension_path_user(ADDON_ID, path=name, create=create))
    except ValueError:  # loaded as a plain add-on or module, not as an extension
        return default_cache_dir().parent / name


def pose_model(context: bpy.types.Context) -> Path:
    """The chosen model's checked .task file: the preference's file, else RAS_MOCAP_MODEL's, else the downloaded one
    (never downloads here: that is the Download Model button's job). Raises ModelError."""
    prefs = preferences(context)
    explicit = (prefs.model_path if prefs else None) or os.environ.get(MODEL_ENV_VAR)
    return resolve_model(context.scene.ras_mocap.model_variant, explicit, cache_dir=model_cache_dir(),
                         allow_download=False)


def model_download(context: bpy.types.Context) -> tuple[str, Path]:
    """(URL, destination) of the official download of the model variant the scene's take uses."""
    variant = context.scene.ras_mocap.model_variant
    return official_url(variant), cached_model_path(variant, model_cache_dir())
