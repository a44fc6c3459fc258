"""Ask Blender to redraw the sidebar, so status and progress shown there stay current."""
from __future__ import annotations

import bpy

__all__ = ["redraw_panels"]


def redraw_panels(context: bpy.types.Context) -> None:
    """Tag every 3D viewport's sidebar for redraw (nothing to do without a window)."""
    if context.window_manager is None:
        return
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                for region in area.regions:
                    if region.type == "UI":
                        region.tag_redraw()
