"""Save and export through Blender's own operators (BVH via io_anim_bvh)."""
from __future__ import annotations

from pathlib import Path

import bpy

__all__ = ["save_blend", "export_bvh"]


def save_blend(path: str | Path) -> Path:
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(path), check_existing=False)
    return path


def export_bvh(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path) -> Path:
    """Export the rig's animation over the scene range at the scene's fps."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    scene = context.scene
    with context.temp_override(object=rig, active_object=rig, selected_objects=[rig]):
        result = bpy.ops.export_anim.bvh(
            filepath=str(path),
            check_existing=False,
            frame_start=scene.frame_start,
            frame_end=scene.frame_end,
            rotate_mode="NATIVE",
        )
    if "FINISHED" not in result:
        raise RuntimeError(f"BVH export to {path} failed")
    return path
