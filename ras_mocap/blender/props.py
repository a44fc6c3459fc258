"""Per-scene settings shown in the panel."""
from __future__ import annotations

import bpy

__all__ = ["RASMOCAP_PG_settings"]


class RASMOCAP_PG_settings(bpy.types.PropertyGroup):
    video_path: bpy.props.StringProperty(name="Video", subtype="FILE_PATH", description="Video file to bake")
    frame_start: bpy.props.IntProperty(name="Start", min=0, default=0, description="First video frame (0-based)")
    frame_end: bpy.props.IntProperty(name="End", min=0, default=0, description="Video frame to stop before; 0 = to the end")
