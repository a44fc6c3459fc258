"""Gait analysis of a baked take in Blender: the report files, timeline markers at the events,
and the cycles plot as an image."""
from __future__ import annotations

import json
from pathlib import Path

import bpy
import numpy as np

from ..core.cleaning import CleaningSettings
from ..core.gait import GaitAnalysis, analyse_walk
from ..core.gait.report import camera_record, write_report
from ..core.gait.walk import track_walk
from ..core.track import Track
from .bake import FIRST_FRAME_PROPERTY, TRACK_PROPERTY, scene_frames, track_path_of
from ..core.errors import InputError

__all__ = ["GAIT_IMAGE", "analyse_take", "MARKER_NAMES"]

GAIT_IMAGE = "RAS Gait Cycles"
MARKER_NAMES = {("heel_strike", "left"): "HS L", ("heel_strike", "right"): "HS R",
                ("toe_off", "left"): "TO L", ("toe_off", "right"): "TO R"}


def analyse_take(
    context: bpy.types.Context,
    rig: bpy.types.Object,
    report_dir: Path | None = None,
    body_height_m: float | None = None,
    cleaning: CleaningSettings = CleaningSettings(),
    fov_deg: float | None = None,
) -> tuple[GaitAnalysis, dict[str, Path]]:
    """Analyse the walk of the rig's current take (from the track it was baked from): report files
    (default: beside the track, in <track>_gait/), a marker at each event, the plot as image."""
    action = rig.animation_data.action if rig.animation_data else None
    if action is None or TRACK_PROPERTY not in action:
        raise InputError(f"{rig.name} has no take baked by RAS Mocap: bake a video or record a live take first")
    track_path = track_path_of(action)
    if not track_path.is_file():
        raise InputError(f"the landmark track of {action.name} is missing: {track_path}")
    track = Track.load(track_path)
    analysis = analyse_walk(track_walk(track, cleaning, body_height_m, fov_deg))
    report_dir = Path(report_dir) if report_dir else track_path.with_name(f"{track_path.stem}_gait")
    paths = write_report(analysis, report_dir, {"track": str(track_path), "action": action.name,
                                                  **camera_record(track, fov_deg)})
    frames = scene_frames(context.scene, track, action.get(FIRST_FRAME_PROPERTY, float(context.scene.frame_start)))
    _mark_events(context.scene, analysis, frames)
    _show_plot(paths["cycles.png"])
    context.scene.ras_mocap.gait_summary = json.dumps(analysis.summary)
    return analysis, paths


def _mark_events(scene: bpy.types.Scene, analysis: GaitAnalysis, frames: np.ndarray) -> None:
    """Timeline markers at the events (earlier gait markers replaced), on the scene's frames."""
    for marker in [m for m in scene.timeline_markers if m.name in MARKER_NAMES.values()]:
        scene.timeline_markers.remove(marker)
    rows = np.arange(len(frames))
    for (kind, side), name in MARKER_NAMES.items():
        for row in getattr(analysis.events, kind)[side]:
            scene.timeline_markers.new(name, frame=int(round(np.interp(row, rows, frames))))


def _show_plot(path: Path) -> None:
    """The cycles plot as the image GAIT_IMAGE, shown in every Image Editor that is open."""
    image = bpy.data.images.get(GAIT_IMAGE)
    if image is None:
        image = bpy.data.images.load(str(path))
        image.name = GAIT_IMAGE
    else:
        image.filepath = str(path)
        image.reload()
    window_manager = bpy.context.window_manager
    for window in window_manager.windows if window_manager else ():
        for area in window.screen.areas:
            if area.type == "IMAGE_EDITOR":
                area.spaces.active.image = image
