"""Per-scene settings shown in the panel."""
from __future__ import annotations

from pathlib import Path

import bpy

__all__ = ["RASMOCAP_PG_settings", "tracking_settings", "cleaning_settings"]

_SUBJECT_ITEMS = (
    ("follow", "Follow", "Take the largest person first, then whoever continues their path; never jump to a bystander"),
    ("largest", "Largest", "The largest person in every frame"),
    ("central", "Most Central", "The person nearest the frame's centre in every frame"),
)


class RASMOCAP_PG_settings(bpy.types.PropertyGroup):
    video_path: bpy.props.StringProperty(name="Video", subtype="FILE_PATH", description="Video file to bake")
    frame_start: bpy.props.IntProperty(name="Start", min=0, default=0, description="First video frame (0-based)")
    frame_end: bpy.props.IntProperty(name="End", min=0, default=0, description="Video frame to stop before; 0 = to the end")
    subject: bpy.props.EnumProperty(name="Subject", items=_SUBJECT_ITEMS, default="follow",
                                    description="Which person is the subject when several are in view")
    num_poses: bpy.props.IntProperty(name="People", min=1, max=6, default=2,
                                     description="People to look for; 1 is fastest when only the subject is in view")
    roi: bpy.props.IntVectorProperty(
        name="Region", size=4, min=0, default=(0, 0, 0, 0),
        description="Pixel rectangle x0, y0, x1, y1 around the subject the detector looks at; 0 for x1 / y1 = the frame's edge",
    )
    cutoff_hz: bpy.props.FloatProperty(name="Smoothing Cutoff", min=0.0, max=30.0, default=6.0,
                                       description="Zero-lag low-pass cutoff in Hz (6 Hz suits walking; 0 = off)")
    fix_swaps: bpy.props.BoolProperty(name="Fix Left/Right Swaps", default=True,
                                      description="Undo frames where BlazePose swapped the left and right leg")


def tracking_settings(settings: RASMOCAP_PG_settings, model_path: Path):
    """The panel's detection settings for the capture package.

    (Module functions, not PropertyGroup methods: with methods, bpy 4.2 crashes at exit.)
    """
    from ..capture.detector import RegionOfInterest
    from ..capture.tracking import TrackingSettings

    x0, y0, x1, y1 = settings.roi
    roi = RegionOfInterest(x0, y0, x1 or None, y1 or None) if any(settings.roi) else None
    return TrackingSettings(model_path, roi, settings.subject, settings.num_poses)


def cleaning_settings(settings: RASMOCAP_PG_settings):
    """The panel's cleaning settings for the core package."""
    from ..core.cleaning import CleaningSettings

    return CleaningSettings(fix_swaps=settings.fix_swaps, cutoff_hz=settings.cutoff_hz or None)
