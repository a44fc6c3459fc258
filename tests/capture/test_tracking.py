"""Real MediaPipe PoseLandmarker on real footage."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.capture.detector import RegionOfInterest
from ras_mocap.capture.models import ModelError
from ras_mocap.capture.sources import SourceError, VideoFileSource
from ras_mocap.capture.track import Track, TrackError
from ras_mocap.capture.tracking import Cancelled, track_video
from tests.conftest import POSE2SIM_VIDEO, SPORTS2D_VIDEO, model_path


def test_pose2sim_person_found_in_nearly_every_frame(pose2sim_track):
    track = pose2sim_track
    assert len(track) == 100 and track.fps == pytest.approx(60.0)
    assert track.image_size_px == (1080, 1920)
    assert track.found.sum() >= 95
    found = track.found
    # landmarks are in the frame, world landmarks are metric and hip-centred
    assert np.all((track.image_xyz[found, :, :2] > -0.2) & (track.image_xyz[found, :, :2] < 1.2))
    hips = track.world_xyz_m[found][:, 23:25].mean(axis=1)
    assert np.abs(hips).max() < 0.05
    leg_m = np.linalg.norm(track.world_xyz_m[found, 23] - track.world_xyz_m[found, 27], axis=-1)
    assert 0.6 < np.median(leg_m) < 1.1


def test_track_saves_and_loads(pose2sim_track, tmp_path):
    path = pose2sim_track.save(tmp_path / "t.npz")
    loaded = Track.load(path)
    np.testing.assert_array_equal(loaded.found, pose2sim_track.found)
    np.testing.assert_allclose(loaded.world_xyz_m, pose2sim_track.world_xyz_m, atol=1e-6)
    assert loaded.meta["model"] == "pose_landmarker_lite.task"
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(TrackError, match="not a RAS Mocap landmark track"):
        Track.load(tmp_path / "junk.npz")


def test_region_of_interest_maps_back_to_the_full_frame():
    """Sports2D walker below row 470, frames 60-90: landmarks land in that region of the frame."""
    track = track_video(SPORTS2D_VIDEO, model_path("lite"), 60, 90, RegionOfInterest(y0=470))
    assert track.found.mean() > 0.8
    hips_y_px = track.image_xy_px[track.found, 23, 1]
    assert np.all(hips_y_px > 470)
    assert list(track.frame_index[:2]) == [60, 61]


def test_missing_and_unreadable_videos(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        VideoFileSource(tmp_path / "missing.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video")
    with pytest.raises(SourceError, match="not a video"):
        VideoFileSource(text)
    with pytest.raises(SourceError, match="empty"):
        VideoFileSource(POSE2SIM_VIDEO, start_frame=50, end_frame=50)


def test_bad_model_path_is_rejected_before_tracking(tmp_path):
    with pytest.raises(ModelError):
        track_video(POSE2SIM_VIDEO, tmp_path / "none.task")


def test_progress_can_cancel():
    with pytest.raises(Cancelled, match="after 3 of 100"):
        track_video(POSE2SIM_VIDEO, model_path("lite"), progress=lambda done, total: done >= 3)
