"""Save and export through Blender's own operators: BVH (io_anim_bvh), FBX (io_scene_fbx), glTF
(io_scene_gltf2), with settings that fit mocap: only the armature, its action, the scene's range
and fps, no leaf bones."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import bpy

from ..capture.native_logs import native_logs_caught
from ..core.errors import InputError, OutputError
from ..core.outputs import atomic_output, disk_full
from .mannequin import skinned_meshes

__all__ = ["save_blend", "check_blend", "export_bvh", "export_fbx", "export_gltf", "export_animation", "EXPORT_FORMATS"]

_ZSTD_MAGIC, _ZSTD_SEEKABLE_FOOTER = b"\x28\xb5\x2f\xfd", b"\xb1\xea\x92\x8f"


def save_blend(path: str | Path) -> Path:
    """Save the open file as a copy at `path`, atomically (core.outputs) and checked: a full disk
    or a crash leaves the previous file as it was. The session keeps its own file path."""
    path = Path(path).absolute()
    with atomic_output(path, check=check_blend) as temporary:
        try:
            bpy.ops.wm.save_as_mainfile(filepath=str(temporary), check_existing=False, copy=True)
        except RuntimeError as exc:
            full = disk_full(path.parent)
            raise OutputError(f"Blender could not save {path}: {full or str(exc).strip()}") from None
    return path


def check_blend(path: str | Path) -> None:
    """InputError unless `path` is a whole .blend: Blender's header, its last block (or, compressed,
    zstd's seek table) at the end, and Blender reading its contents."""
    path = Path(path)
    with open(path, "rb") as blend:
        head = blend.read(12)
        blend.seek(max(0, path.stat().st_size - 32))
        tail = blend.read()
    whole = (head.startswith(b"BLENDER") and b"ENDB" in tail) or (head.startswith(_ZSTD_MAGIC)
                                                                   and tail.endswith(_ZSTD_SEEKABLE_FOOTER))
    if not whole:
        raise InputError(f"{path} is not a whole .blend file (truncated, or another kind of file)")
    try:
        with bpy.data.libraries.load(str(path)) as (contents, _):
            contents.objects  # noqa: B018 (reading the index is the check)
    except OSError as exc:
        raise InputError(f"{path} is not a readable .blend file: {exc}") from None


def export_bvh(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path) -> Path:
    """Export the rig's animation over the scene range at the scene's fps."""
    path = Path(path).absolute()
    scene = context.scene
    with atomic_output(path) as temporary, _exporter("BVH", path), \
            context.temp_override(object=rig, active_object=rig, selected_objects=[rig]):
        _checked(bpy.ops.export_anim.bvh(filepath=str(temporary), check_existing=False, frame_start=scene.frame_start,
                                         frame_end=scene.frame_end, rotate_mode="NATIVE"), "BVH", temporary)
    return path


@contextmanager
def _only_selected(context: bpy.types.Context, rig: bpy.types.Object):
    """The rig and the meshes skinned to it (a mannequin, a character) alone selected, the rig
    active, while an exporter runs (they export the selection); the user's selection is restored
    afterwards."""
    view_layer = context.view_layer
    selected = [ob for ob in view_layer.objects if ob.select_get()]
    active = view_layer.objects.active
    exported = [rig, *(ob for ob in skinned_meshes(rig) if ob.name in view_layer.objects)]
    for ob in selected:
        ob.select_set(False)
    for ob in exported:
        ob.select_set(True)
    view_layer.objects.active = rig
    try:
        yield
    finally:
        for ob in exported:
            ob.select_set(False)
        for ob in selected:
            ob.select_set(True)
        view_layer.objects.active = active


def _checked(result: set, kind: str, path: Path) -> None:
    if "FINISHED" not in result or not path.is_file() or path.stat().st_size == 0:
        raise OutputError(f"Blender's {kind} exporter did not write {path}")


@contextmanager
def _exporter(kind: str, path: Path):
    """An exporter's failure (a RuntimeError wrapping its Python traceback, which Blender also
    prints unless -v / Debug asks for native logs) as one OutputError line: the error it ended
    with (a full disk: OSError No space left on device)."""
    try:
        with native_logs_caught():
            yield
    except RuntimeError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        cause = next((line for line in reversed(lines) if re.match(r"^\w*(Error|Exception)\b", line)), lines[-1] if lines else "")
        raise OutputError(f"Blender's {kind} exporter could not write {path}: {cause}") from None


def export_fbx(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path) -> Path:
    """The rig, its skinned meshes and its current action as FBX (baked per frame, no leaf bones,
    no NLA or other actions)."""
    path = Path(path).absolute()
    with atomic_output(path) as temporary, _exporter("FBX", path), _only_selected(context, rig):
        result = bpy.ops.export_scene.fbx(
            filepath=str(temporary), check_existing=False, use_selection=True, object_types={"ARMATURE", "MESH"},
            add_leaf_bones=False, bake_anim=True, bake_anim_use_all_actions=False,
            bake_anim_use_nla_strips=False, bake_anim_simplify_factor=0.0,
        )
        _checked(result, "FBX", temporary)
    return path


def export_gltf(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path) -> Path:
    """The rig, its skinned meshes and its current action as binary glTF (.glb), sampled at every frame."""
    path = Path(path).absolute()
    with atomic_output(path) as temporary, _exporter("glTF", path), _only_selected(context, rig):
        result = bpy.ops.export_scene.gltf(
            filepath=str(temporary), check_existing=False, export_format="GLB", use_selection=True,
            export_animations=True, export_frame_range=True, export_force_sampling=True,
            export_animation_mode="ACTIVE_ACTIONS",
        )
        _checked(result, "glTF", temporary)
    return path


EXPORT_FORMATS = {"BVH": (".bvh", export_bvh), "FBX": (".fbx", export_fbx), "GLTF": (".glb", export_gltf)}
"""format -> (file extension, exporter)"""


def export_animation(context: bpy.types.Context, rig: bpy.types.Object, path: str | Path, file_format: str) -> Path:
    """Export through the exporter of `file_format` (BVH, FBX or GLTF); the extension is added if missing."""
    extension, exporter = EXPORT_FORMATS[file_format]
    path = Path(path)
    if path.suffix.lower() != extension:
        path = path.with_name(path.name + extension)
    return exporter(context, rig, path)
