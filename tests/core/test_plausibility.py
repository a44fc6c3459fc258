"""Implausible and half-seen frames become gaps, on real tracks: the Sports2D walker stepping out
from behind the tree (tracks recorded, tests/data/sports2d_tracks/: another decoder does not
make these mistakes), the clean clips (where nothing may be rejected), and a clip with only the
upper body in view (which must keep every frame)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.cleaning import CleaningSettings, clean_track, trusted_frames, usable_frames
from ras_mocap.core.plausibility import implausible_frames
from ras_mocap.core.track import Track
from tests.capture.videos import cropped_copy
from tests.conftest import POSE2SIM_VIDEO, model_path

TRACKS = Path(__file__).parents[1] / "data" / "sports2d_tracks"


def test_the_spread_pose_behind_the_tree_is_rejected():
    """One pose looked for in the region below her path (the way `make demo` used to track her):
    in frames 44-45 BlazePose spreads her over the background as she steps out from behind the
    tree (hips 180 px off, arms reaching into the lawn), frame 46 still squashed."""
    track = Track.load(TRACKS / "one_pose_in_region_35_70.npz")
    flags = implausible_frames(track.image_xy_px, usable_frames(track, 0.5), track.time_s)
    assert {44, 45} <= set(track.frame_index[flags["jump"]].tolist()) <= {44, 45, 46}
    assert not flags["size"].any() and not flags["flip"].any()
    clean = clean_track(track)
    assert not clean.found[np.isin(track.frame_index, [44, 45])].any()


@pytest.mark.parametrize("fixture", ["pose2sim_track", "walk_side_tracks"])
def test_nothing_is_rejected_on_the_clean_clips(fixture, request):
    tracks = request.getfixturevalue(fixture)
    for track in tracks.values() if isinstance(tracks, dict) else [tracks]:
        trusted, rejected = trusted_frames(track, CleaningSettings())
        assert sum(rejected.values()) == 0, rejected
        assert trusted.sum() == usable_frames(track, 0.5).sum()


def test_a_clip_without_legs_in_view_keeps_every_frame(tmp_path):
    """The pose2sim performer cropped to head and trunk, as a webcam sees someone at a desk."""
    upper_body = cropped_copy(POSE2SIM_VIDEO, tmp_path / "desk.mp4", (0, 250, 1080, 870))  # hips ~820, knees 930 on
    track = track_video(upper_body, TrackingSettings(model_path("full"), num_poses=1))
    knees_y = track.image_xyz[track.found][:, [25, 26], 1]
    assert track.found.sum() >= 80 and (knees_y > 1).mean() > 0.9  # BlazePose puts the knees below the frame's edge
    trusted, rejected = trusted_frames(track, CleaningSettings())
    assert rejected["half_seen"] == 0 and trusted.sum() == usable_frames(track, 0.5).sum()


def test_the_walker_is_trusted_from_the_first_frame_that_shows_both_legs():
    track = Track.load(TRACKS / "defaults_35_120.npz")
    trusted, rejected = trusted_frames(track, CleaningSettings())
    first = track.frame_index[np.flatnonzero(trusted)[0]]
    seen = track.visibility[np.flatnonzero(trusted)[0]][[25, 26, 27, 28]]
    assert rejected["half_seen"] >= 3 and 45 <= first <= 60 and seen.reshape(2, 2).max(axis=1).min() >= 0.5
