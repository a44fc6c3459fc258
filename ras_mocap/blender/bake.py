"""Key an armature from a landmark track: the Blender end of the offline pipeline."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import bpy
import numpy as np

from ..core.cleaning import CleaningSettings
from ..core.filters import valid_runs
from ..core.pipeline import FittedClip, fit_clip, rig_channels, rig_lengths
from ..core.retarget import RetargetProfile
from ..core.rig_spec import BodyLengths
from ..core.track import Track
from . import export, keys, rig as rig_module
from .prefs import track_cache_dir

__all__ = [
    "BakeResult", "TRACK_PROPERTY", "FIRST_FRAME_PROPERTY", "FIT_PROPERTY", "bake_track", "bake_to_files", "rig_to_file",
    "store_track", "scene_frames",
]

TRACK_PROPERTY = "ras_mocap_track"
"""Custom property of a baked action: the path of the landmark track it was baked from."""
FIRST_FRAME_PROPERTY = "ras_mocap_first_frame"
"""Custom property of a baked action: the scene frame of the track's first row."""
FIT_PROPERTY = "ras_mocap_fit"
"""Custom property of a baked action: what the whole-clip fit found (JSON: camera, floor, cost)."""


@dataclass(frozen=True)
class BakeResult:
    rig_name: str
    action_name: str
    frame_start: int
    frame_end: int
    warnings: tuple[str, ...] = ()


def bake_track(
    context: bpy.types.Context,
    track: Track,
    rig: bpy.types.Object | None = None,
    cleaning: CleaningSettings = CleaningSettings(),
    profile: RetargetProfile | None = None,
    previous_to_nla: bool = False,
    track_path: Path | None = None,
    body_height_m: float | None = None,
    fov_deg: float | None = None,
    clip: FittedClip | None = None,
) -> BakeResult:
    """Clean the track, fit one body to the whole clip (core.pipeline; `body_height_m` and the
    camera's `fov_deg` if known; or take `clip`, the track fitted already off the main thread)
    and key it onto `rig` (a new RAS rig sized from the person if None; any other rig through its
    retarget `profile`, by default the bundled one that fits; its driven bones are switched to
    Euler rotation).

    Short gaps are bridged by the cleaning; across a long gap (nobody seen) the pose is
    held (constant keys), never invented. A video's frame f is scene frame f + 1 (Blender
    counts from 1) and the scene takes the video's range and fps; a live take is keyed on
    its capture timestamps at the scene's fps from the scene's start, so it plays at real
    speed. The rig's previous action is kept: pushed to a muted NLA track, or unassigned
    with a fake user. The raw track stays on disk (`track_path`, else saved by `store_track`)
    and the action records where, so gait analysis never re-runs detection.
    """
    clip = clip or fit_clip(track, cleaning, body_height_m, fov_deg)
    valid = clip.valid
    if rig is None:
        rig = rig_module.add_ras_rig(context, rig_lengths(clip.body))
    else:
        profile = profile or RetargetProfile.matching({bone.name for bone in rig.data.bones})
        profile.check({bone.name for bone in rig.data.bones})
        rig_module.prepare_for_keys(rig, profile)
    channels = rig_channels(clip, rig_module.rest_bones(rig), profile)

    _keep_previous_action(rig, previous_to_nla)
    source_name = Path(track.meta.get("source", "capture")).stem
    action = bpy.data.actions.new(f"{source_name}_mocap")
    action[TRACK_PROPERTY] = str(Path(track_path).resolve() if track_path else store_track(track, action.name))
    scene = context.scene
    if not track.meta.get("live"):  # the scene takes the video's fps
        scene.render.fps = max(1, round(track.fps))
        scene.render.fps_base = scene.render.fps / track.fps
    frames = scene_frames(scene, track, scene.frame_start)
    action[FIRST_FRAME_PROPERTY] = float(frames[0])
    action[FIT_PROPERTY] = json.dumps(clip.body.meta)
    run_ends = np.cumsum([stop - start for start, stop in valid_runs(valid)]) - 1
    keys.write_pose_channels(action, rig, frames[valid], channels.euler_rad, channels.location_m,
                             hold_keys=run_ends[:-1])
    first, last = int(np.floor(frames[0])), int(np.ceil(frames[-1]))
    scene.frame_start, scene.frame_end = first, last
    scene.frame_set(first)
    return BakeResult(rig.name, action.name, first, last, _warnings(clip.body.meta, int(valid.sum())))


def _warnings(meta: dict, frames: int) -> tuple[str, ...]:
    """What the user should know about a fit: a body far from where the landmarks put it, many
    frames the body does not match."""
    out = [meta["warning"]] if "warning" in meta else []
    poor = len(meta["poorly_fitted_frames"])
    if poor > 0.05 * frames:
        out.append(f"{poor} of {frames} frames fit the image poorly (a left/right swap, another person's "
                   f"keypoints): see the action's {FIT_PROPERTY} property")
    return tuple(out)


def store_track(track: Track, name: str) -> Path:
    """Save a baked track beside the .blend (folder ras_mocap_tracks) or, for an unsaved file,
    in the add-on's cache (prefs.track_cache_dir)."""
    folder = Path(bpy.path.abspath("//ras_mocap_tracks")) if bpy.data.filepath else track_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return track.save(folder / f"{bpy.path.clean_name(name)}.npz")


def scene_frames(scene: bpy.types.Scene, track: Track, first_frame: float) -> np.ndarray:
    """The scene frame of every track row: a video's frame + 1; a live take's timestamps at the
    scene's fps from `first_frame` (fractional)."""
    if track.meta.get("live"):
        fps = scene.render.fps / scene.render.fps_base
        return first_frame + (track.time_s - track.time_s[0]) * fps
    return (track.frame_index + 1).astype(float)


def _keep_previous_action(rig: bpy.types.Object, to_nla: bool) -> None:
    """Keep the rig's current action when a new one replaces it: on a muted NLA track named
    after it, or (default) unassigned with a fake user, so saving never drops it."""
    previous = rig.animation_data.action if rig.animation_data else None
    if previous is None:
        return
    previous.use_fake_user = True
    if to_nla:
        nla_track = rig.animation_data.nla_tracks.new()
        nla_track.name = previous.name
        nla_track.strips.new(previous.name, int(previous.frame_range[0]), previous)
        nla_track.mute = True


def bake_to_files(
    track: Track,
    blend_path: Path,
    bvh_path: Path | None = None,
    cleaning: CleaningSettings = CleaningSettings(),
    onto: Path | None = None,
    armature: str | None = None,
    profile: RetargetProfile | None = None,
    track_path: Path | None = None,
    body_height_m: float | None = None,
    fov_deg: float | None = None,
) -> BakeResult:
    """Headless bake, saved as `blend_path` (and BVH): onto a new RAS rig in an empty scene, or
    onto an armature of the .blend `onto` (the only one, or the one named `armature`)."""
    if onto is None:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        rig = None
    else:
        if not Path(onto).is_file():
            raise ValueError(f"character file not found: {onto}")
        bpy.ops.wm.open_mainfile(filepath=str(onto))
        rig = _find_armature(armature, onto)
    context = bpy.context
    result = bake_track(context, track, rig, cleaning, profile, track_path=track_path, body_height_m=body_height_m,
                        fov_deg=fov_deg)
    export.save_blend(blend_path)
    if bvh_path:
        export.export_bvh(context, bpy.data.objects[result.rig_name], bvh_path)
    return result


def _find_armature(name: str | None, blend_path: Path) -> bpy.types.Object:
    armatures = [ob for ob in bpy.data.objects if ob.type == "ARMATURE"]
    if name is not None:
        found = [ob for ob in armatures if ob.name == name]
        if not found:
            raise ValueError(f"{blend_path} has no armature named {name!r}; it has: {', '.join(ob.name for ob in armatures) or 'none'}")
        return found[0]
    if len(armatures) != 1:
        raise ValueError(f"{blend_path} has {len(armatures)} armatures ({', '.join(ob.name for ob in armatures)}); "
                         "name one with --armature")
    return armatures[0]


def rig_to_file(lengths: BodyLengths, blend_path: Path) -> Path:
    """Headless Add RAS Rig: an empty scene with the rig sized by `lengths`, saved."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    rig_module.add_ras_rig(bpy.context, lengths)
    return export.save_blend(blend_path)
