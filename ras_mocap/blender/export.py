"""Save and export through Blender's own operators: BVH (io_anim_bvh), FBX (io_scene_fbx), glTF
(io_scene_gltf2), with settings that fit mocap: only the armature, its action, the scene's range
and fps, no leaf bones."""
from __future__ import annotations

from pathlib import Path

import bpy

from contextlib import contextmanager

__all__ = ["save_blend", "export_bvh", "export_fbx", "export_gltf", "export_animation", "EXPORT_FORMATS"]


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


@contextmanager
def _only_selected(context: bpy.types.Context, rig: bpy.types.Object):
    """The rig alone selected and active while an exporter runs (they export the selection);
    the user's selection is restored afterwards."""
    view_layer = context.view_layer
    selected = [ob for ob in view_layer.objects if ob.select_get()]
    active = view_layer.objects.active
    for ob in selected:
        ob.select_set(False)
    rig.select_set(True)
    view_layer.objects.active = rig
    try:
        yield
    finally:
        rig.select_set(False)
        for ob in selected:
            ob.select_set(True)
        view_layer.objects.active = active


def _checked(result: set, kind: str, path: Path) -> Path:
    if "FINISHED" not in result or not path.is_file():
        raise RuntimeError(f"{kind} export to {path} failed")
    return path


def export_fbx(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path) -> Path:
    """The rig and its current action as FBX (baked per frame, no leaf bones, no NLA or other actions)."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _only_selected(context, rig):
        result = bpy.ops.export_scene.fbx(
            filepath=str(path), check_existing=False, use_selection=True, object_types={"ARMATURE"},
            add_leaf_bones=False, bake_anim=True, bake_anim_use_all_actions=False,
            bake_anim_use_nla_strips=False, bake_anim_simplify_factor=0.0,
        )
    return _checked(result, "FBX", path)


def export_gltf(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path) -> Path:
    """The rig and its current action as binary glTF (.glb), sampled at every frame."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _only_selected(context, rig):
        result = bpy.ops.export_scene.gltf(
            filepath=str(path), check_existing=False, export_format="GLB", use_selection=True,
            export_animations=True, export_frame_range=True, export_force_sampling=True,
            export_animation_mode="ACTIVE_ACTIONS",
        )
    return _checked(result, "glTF", path)


EXPORT_FORMATS = {"BVH": (".bvh", export_bvh), "FBX": (".fbx", export_fbx), "GLTF": (".glb", export_gltf)}
"""format -> (file extension, exporter)"""


def export_animation(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path, file_format: str) -> Path:
    """Export through the exporter of `file_format` (BVH, FBX or GLTF); the extension is added if missing."""
    extension, exporter = EXPORT_FORMATS[file_format]
    path = Path(path)
    if path.suffix.lower() != extension:
        path = path.with_name(path.name + extension)
    return exporter(context, rig, path)
