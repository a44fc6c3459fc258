"""Add-on preferences: which pose model to use and where it lives."""
from __future__ import annotations

from pathlib import Path

import bpy

from ..capture.models import MODEL_VARIANTS, default_cache_dir

__all__ = ["ADDON_ID", "RASMOCAP_AP_preferences", "preferences", "model_cache_dir"]

ADDON_ID = __package__.rpartition(".")[0]  # the package Blender enabled: ras_mocap or bl_ext.REPO.ras_mocap


class RASMOCAP_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    model_variant: bpy.props.EnumProperty(
        name="Model",
        items=[(v, v.title(), f"BlazePose {v}") for v in MODEL_VARIANTS],
        default="full",
        description="BlazePose network: lite is fastest, heavy most accurate",
    )
    model_path: bpy.props.StringProperty(
        name="Model file",
        subtype="FILE_PATH",
        description="A PoseLandmarker .task file to use instead of the downloaded one",
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "model_variant")
        layout.prop(self, "model_path")
        layout.label(text=f"Downloaded models: {model_cache_dir(create=False)}")


def preferences(context: bpy.types.Context) -> RASMOCAP_AP_preferences | None:
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None


def model_cache_dir(create: bool = True) -> Path:
    """The extension's user directory when installed as an extension, else the user cache."""
    try:
        return Path(bpy.utils.extension_path_user(ADDON_ID, path="models", create=create))
    except ValueError:  # loaded as a plain add-on or module, not as an extension
        return default_cache_dir()
