"""Real MediaPipe PoseLandmarker on real footage: detection, subject selection, tracks."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.capture.detector import PoseDetector, RegionOfInterest
from ras_mocap.capture.models import ModelError
from ras_mocap.capture.sources import VideoFileSource
from ras_mocap.capture.subject import SubjectSelector
from ras_mocap.capture.tracking import Cancelled, TrackingSettings, track_video
from ras_mocap.core.track import Track, TrackError
from tests.capture.videos import noise_video
from tests.conftest import POSE2SIM_VIDEO, SPORTS2D_VIDEO, model_path


def test_pose2sim_person_found_in_every_frame(pose2sim_track):
    track = pose2sim_track
    assert len(track) == 100 and track.fps == pytest.approx(60.0)
    assert track.image_size_px == (1080, 1920)
    assert track.detection_rate >= 0.99
    found = track.found
    # landmarks are in the frame, world landmarks are metric and hip-centred
    assert np.all((track.image_xyz[found, :, :2] > -0.2) & (track.image_xyz[found, :, :2] < 1.2))
    hips = track.world_xyz_m[found][:, 23:25].mean(axis=1)
    assert np.abs(hips).max() < 0.05
    leg_m = np.linalg.norm(track.world_xyz_m[found, 23] - track.world_xyz_m[found, 27], axis=-1)
    assert 0.6 < np.median(leg_m) < 1.1


def test_track_saves_and_loads_with_its_settings(pose2sim_track, tmp_path):
    path = pose2sim_track.save(tmp_path / "t.npz")
    loaded = Track.load(path)
    np.testing.assert_array_equal(loaded.found, pose2sim_track.found)
    np.testing.assert_allclose(loaded.world_xyz_m, pose2sim_track.world_xyz_m, atol=1e-6)
    assert loaded.meta["model"] == "pose_landmarker_lite.task"
    assert loaded.meta["subject"] == "follow" and loaded.meta["num_poses"] == 1
    assert loaded.meta["source"].endswith("pose2sim_single_cam01.mp4")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(TrackError, match="not a RAS Mocap landmark track"):
        Track.load(tmp_path / "junk.npz")


def _hip_x_px(track: Track) -> np.ndarray:
    return track.image_xy_px[:, [23, 24], 0].mean(axis=1)


def test_sports2d_walker_followed_never_a_bystander():
    """The walker crosses right to left below row 470 (frames ~44-205); a man crawls in from the
    left at the end (frames ~188-227) inside the same region. Visible in full: frames 50-199."""
    settings = TrackingSettings(model_path("lite"), RegionOfInterest(y0=470), subject="follow", num_poses=2)
    track = track_video(SPORTS2D_VIDEO, settings)
    assert track.found[50:200].mean() >= 0.9
    hip_x = _hip_x_px(track)
    seen = np.flatnonzero(track.found[50:])+ 50
    # she walks one way: no step back to the right beyond the hips' own wobble
    assert np.diff(hip_x[seen]).max() < 30
    assert hip_x[seen[0]] > 1300 and hip_x[seen[-1]] < 100
    # after she leaves at the left edge, the crawling man (x > 900) is never taken for her
    assert np.all(hip_x[np.flatnonzero(track.found[180:]) + 180] < 400)


def test_selection_modes_on_frames_with_two_people():
    """Sports2D clip without a region: a man jumping on a box (upper middle) is alone from frame 3,
    the walker (lower right, slightly larger by frame 100) joins later. "follow" keeps the person
    it started with; "largest" and "central" re-choose every frame. (In VIDEO mode MediaPipe
    re-runs its person detector rarely once it tracks someone, so the clip plays from the start.)"""
    with VideoFileSource(SPORTS2D_VIDEO, end_frame=101) as source, \
            PoseDetector(model_path("full"), num_poses=2) as detector:
        size = (source.width, source.height)
        follow = SubjectSelector("follow", size)
        for frame in source:
            detections = detector.detect(frame.bgr, frame.time_s)
            followed = follow.choose(detections, frame.time_s)
    assert len(detections) == 2

    def hip_y_px(detection) -> float:
        return detection.image_xyz[[23, 24], 1].mean() * size[1]

    assert hip_y_px(followed) < 400  # still the man on the box
    assert hip_y_px(SubjectSelector("largest", size).choose(detections, 0.0)) > 600
    assert hip_y_px(SubjectSelector("central", size).choose(detections, 0.0)) > 600


def test_region_of_interest_maps_back_to_the_full_frame():
    track = track_video(SPORTS2D_VIDEO, TrackingSettings(model_path("lite"), RegionOfInterest(y0=470)), 60, 90)
    assert track.found.mean() > 0.8
    assert np.all(track.image_xy_px[track.found, 23, 1] > 470)
    assert list(track.frame_index[:2]) == [60, 61]


def test_a_video_with_nobody_in_it(tmp_path):
    track = track_video(noise_video(tmp_path / "noise.mp4"), TrackingSettings(model_path("lite")))
    assert len(track) == 60 and not track.found.any()
    assert np.isnan(track.world_xyz_m).all()


def test_bad_model_paths_are_rejected_before_tracking(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        track_video(POSE2SIM_VIDEO, TrackingSettings(tmp_path / "none.task"))
    not_a_bundle = tmp_path / "model.task"
    not_a_bundle.write_bytes(b"not a zip")
    with pytest.raises(ModelError):
        track_video(POSE2SIM_VIDEO, TrackingSettings(not_a_bundle))


def test_progress_can_cancel():
    with pytest.raises(Cancelled, match="after 3 of 100"):
        track_video(POSE2SIM_VIDEO, TrackingSettings(model_path("lite")), progress=lambda done, total: done >= 3)
