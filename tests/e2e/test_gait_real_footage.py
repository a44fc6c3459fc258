"""Gait events on real footage: the Sports2D walking clip, against heel strikes checked by eye
(tests/data/sports2d_heel_strikes/, frame images as evidence)."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.gait import analyse_walk
from ras_mocap.core.gait.walk import track_walk
from tests.conftest import SPORTS2D_VIDEO, model_path

HAND_CHECKED_HEEL_STRIKES = {"left": [77, 114, 151], "right": [97, 133, 170]}  # video frames


@pytest.fixture(scope="module")
def sports2d_walk():
    """The walker's pass as `make demo` tracks it (full model, all defaults: she is found among
    the people in the clip)."""
    return track_video(SPORTS2D_VIDEO, TrackingSettings(model_path("full")), 35, 196)


def test_heel_strikes_match_the_hand_checked_frames(sports2d_walk):
    seen = track_walk(sports2d_walk)
    analysis = analyse_walk(seen)
    first_frame = sports2d_walk.frame_index[0]
    for side, frames in HAND_CHECKED_HEEL_STRIKES.items():
        found = analysis.events.heel_strike[side] + first_frame
        errors = [np.min(np.abs(found - frame)) for frame in frames]
        assert max(errors) <= 2.0, (side, found, frames)
    summary = analysis.summary
    # normal adult walking: cadence about 90-125 steps/min, speed about 0.9-1.6 m/s
    assert 90 <= summary["cadence_steps_per_min"] <= 125
    assert 0.9 <= summary["speed_m_s"] <= 1.6
