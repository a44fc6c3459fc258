"""Key an armature from a landmark track: the Blender end of the offline pipeline."""
from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import bpy
import numpy as np

from ..core.cleaning import CleaningSettings
from ..core.filters import valid_runs
from ..core.memory import return_freed_memory
from ..core.pipeline import FittedClip, fit_clip, rig_channels, rig_lengths
from ..core.retarget import RetargetProfile
from ..core.rig_spec import BodyLengths
from ..core.track import Track
from ..core.errors import InputError
from . import export, keys, rig as rig_module
from .prefs import track_cache_dir

__all__ = [
    "BakeResult", "TRACK_PROPERTY", "FIRST_FRAME_PROPERTY", "FIT_PROPERTY", "SETTINGS_PROPERTY", "bake_track", "bake_to_files", "rig_to_file",
    "TRACK_ABSOLUTE_PROPERTY", "store_track", "new_track_path", "record_track", "track_reference", "track_path_of", "scene_frames",
]

TRACK_PROPERTY = "ras_mocap_track"
"""Custom property of a baked action: the path of the landmark track it was baked from (// = the .blend's folder)."""
TRACK_ABSOLUTE_PROPERTY = "ras_mocap_track_absolute"
"""The same track's absolute path, for a .blend saved elsewhere since."""
FIRST_FRAME_PROPERTY = "ras_mocap_first_frame"
"""Custom property of a baked action: the scene frame of the track's first row."""
FIT_PROPERTY = "ras_mocap_fit"
"""Custom property of a baked action: what the whole-clip fit found (JSON: camera, floor, cost)."""
SETTINGS_PROPERTY = "ras_mocap_settings"
"""Custom property of a baked action: the take's settings (JSON: the model, the subject and why,
cleaning, body height, field of view)."""


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
    blend_path: Path | None = None,
    mannequin: bool = True,
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
    and the action records where, relative to `blend_path` (the .blend this will be saved as;
    default the open file), so gait analysis never re-runs detection.
    """
    clip = clip or fit_clip(track, cleaning, body_height_m, fov_deg)
    valid = clip.valid
    source_name = Path(track.meta.get("source", "capture")).stem
    track_path = Path(track_path).absolute() if track_path else store_track(track, f"{source_name}_mocap")
    # everything that can fail on the user's rig (the profile, the solve) before any data changes
    users_rig = rig is not None
    if users_rig:
        profile = rig_module.check_target(rig, profile)
    else:
        rig = rig_module.add_ras_rig(context, rig_lengths(clip.body), mannequin=mannequin)
    channels = rig_channels(clip, rig_module.rest_bones(rig, profile), profile)
    if users_rig:
        rig_module.prepare_for_keys(rig, profile)

    _keep_previous_action(rig, previous_to_nla)
    action = bpy.data.actions.new(f"{source_name}_mocap")
    record_track(action, track_path, blend_path)
    scene = context.scene
    if not track.meta.get("live"):  # the scene takes the video's fps
        scene.render.fps = max(1, round(track.fps))
        scene.render.fps_base = scene.render.fps / track.fps
    frames = scene_frames(scene, track, scene.frame_start)
    action[FIRST_FRAME_PROPERTY] = float(frames[0])
    action[FIT_PROPERTY] = json.dumps(clip.body.meta)
    action[SETTINGS_PROPERTY] = json.dumps({
        "model": track.meta.get("model"), "subject_id": track.meta.get("subject_id"),
        "subject_reason": track.meta.get("subject_reason"), "cleaning": asdict(cleaning),
        "body_height_m": body_height_m, "fov_deg": fov_deg}, default=str)
    run_ends = np.cumsum([stop - start for start, stop in valid_runs(valid)]) - 1
    keys.write_pose_channels(action, rig, frames[valid], channels.euler_rad, rig_module.armature_units(rig, channels.location_m),
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
    """Save a track where new_track_path puts it; the path."""
    return track.save(new_track_path(name))


def new_track_path(name: str) -> Path:
    """Where a new track goes: beside the .blend (folder ras_mocap_tracks) or, for an unsaved
    file, in the add-on's cache (prefs.track_cache_dir), under a name no other file or session
    uses (the .blend's name, `name`, a random suffix)."""
    folder = Path(bpy.path.abspath("//ras_mocap_tracks")) if bpy.data.filepath else track_cache_dir()
    blend = Path(bpy.data.filepath).stem if bpy.data.filepath else "unsaved"
    return folder / f"{bpy.path.clean_name(f'{blend}_{name}')}_{uuid.uuid4().hex[:8]}.npz"


def track_reference(track_path: Path, blend_path: Path | None = None) -> str:
    """How an action records its track: relative to the .blend (`blend_path`, else the open
    file's; Blender's // convention) so the pair can move together, else absolute."""
    folder = Path(blend_path).parent if blend_path else Path(bpy.data.filepath).parent if bpy.data.filepath else None
    if folder is None:
        return str(track_path)
    try:
        return bpy.path.relpath(str(track_path), start=str(folder))
    except ValueError:  # another drive (Windows)
        return str(track_path)


def record_track(action: bpy.types.Action, track_path: Path, blend_path: Path | None = None) -> None:
    """Note on the action where its track is: relative to the .blend (see track_reference), and
    absolute as a fallback for a .blend saved elsewhere since (Save As does not remap custom
    properties)."""
    action[TRACK_PROPERTY] = track_reference(track_path, blend_path)
    action[TRACK_ABSOLUTE_PROPERTY] = str(Path(track_path).absolute())


def track_path_of(action: bpy.types.Action) -> Path:
    """The absolute path of the track an action was baked from (see record_track)."""
    relative = Path(bpy.path.abspath(action[TRACK_PROPERTY]))
    absolute = action.get(TRACK_ABSOLUTE_PROPERTY)
    return Path(absolute) if not relative.is_file() and absolute and Path(absolute).is_file() else relative


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
    clip: FittedClip | None = None,
    mannequin: bool = True,
) -> BakeResult:
    """Headless bake, saved as `blend_path` (and BVH): onto a new RAS rig in an empty scene, or
    onto an armature of the .blend `onto` (the only one, or the one named `armature`); `clip`:
    the track fitted already (else bake_track fits it)."""
    if onto is None:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        rig = None
    else:
        _open_character(Path(onto))
        rig = _find_armature(armature, onto)
    context = bpy.context
    result = bake_track(context, track, rig, cleaning, profile, track_path=track_path, body_height_m=body_height_m,
                        fov_deg=fov_deg, clip=clip, blend_path=blend_path, mannequin=mannequin)
    export.save_blend(blend_path)
    if bvh_path:
        export.export_bvh(context, bpy.data.objects[result.rig_name], bvh_path)
    return_freed_memory()  # the solve's and the key writer's arrays, which glibc would keep
    return result


def _open_character(path: Path) -> None:
    """Open the --onto .blend; InputError if it is missing, truncated or not a .blend."""
    if not path.is_file():
        raise InputError(f"character file not found: {path}")
    export.check_blend(path)
    try:
        bpy.ops.wm.open_mainfile(filepath=str(path), load_ui=False)
    except RuntimeError as exc:
        raise InputError(f"Blender cannot open {path}: {exc}") from None


def check_character(onto: Path, armature: str | None, profile: RetargetProfile | None) -> None:
    """Open the --onto .blend and check its armature against the profile (rig.check_target), so
    that a character the bake cannot key is refused before the detection."""
    _open_character(Path(onto))
    try:
        rig_module.check_target(_find_armature(armature, onto), profile)
    finally:  # an empty session again, so that the bake opens the file afresh
        bpy.ops.wm.read_factory_settings(use_empty=True)


def _find_armature(name: str | None, blend_path: Path) -> bpy.types.Object:
    armatures = [ob for ob in bpy.data.objects if ob.type == "ARMATURE"]
    if name is not None:
        found = [ob for ob in armatures if ob.name == name]
        if not found:
            raise InputError(f"{blend_path} has no armature named {name!r}; it has: {', '.join(ob.name for ob in armatures) or 'none'}")
        return found[0]
    if len(armatures) != 1:
        raise InputError(f"{blend_path} has {len(armatures)} armatures ({', '.join(ob.name for ob in armatures)}); "
                         "name one with --armature")
    return armatures[0]


def rig_to_file(lengths: BodyLengths, blend_path: Path, mannequin: bool = True) -> Path:
    """Headless Add RAS Rig: an empty scene with the rig sized by `lengths` (and its mannequin), saved."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    rig_module.add_ras_rig(bpy.context, lengths, mannequin=mannequin)
    return export.save_blend(blend_path)
