"""Real MediaPipe PoseLandmarker on real footage: detection, subject selection, tracks."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.capture.detector import RegionOfInterest
from ras_mocap.capture.models import ModelError
from ras_mocap.capture.subject import SubjectChoice
from ras_mocap.capture.tracking import Cancelled, TrackingSettings, track_video
from ras_mocap.core.track import Track, TrackError
from tests.capture.videos import noise_video
from tests.conftest import POSE2SIM_VIDEO, SPORTS2D_VIDEO, model_path


def test_one_person_clip_with_all_defaults_matches_the_one_pose_track():
    """pose2sim: the people pass finds one person and pass 2 follows her; the landmarks are those
    of the plain one-pose track within BlazePose's own jitter."""
    tracks = [track_video(POSE2SIM_VIDEO, TrackingSettings(model_path("full"), num_poses=n)) for n in (4, 1)]
    assert [t.found.sum() for t in tracks] == [100, 100] and len(tracks[0].meta["people"]) == 1
    distance_px = np.linalg.norm(tracks[0].image_xy_px - tracks[1].image_xy_px, axis=-1)
    assert np.median(distance_px) < 3.0 and np.percentile(distance_px, 95) < 12.0  # (measured 1.6 / 6.1 of 1920)


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
    assert loaded.meta["subject"] == "auto" and loaded.meta["num_poses"] == 1
    assert loaded.meta["source"].endswith("pose2sim_single_cam01.mp4")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(TrackError, match="not a RAS Mocap landmark track"):
        Track.load(tmp_path / "junk.npz")


def _hip_px(track: Track) -> np.ndarray:
    return track.image_xy_px[:, [23, 24]].mean(axis=1)


def test_sports2d_walker_is_the_subject_with_all_defaults():
    """No region, no choice made: the walker crosses right to left in the lower half (frames
    ~40-205); the man on the box (upper middle) and the same man rolling out of his dive on the
    right at the end are never taken. Scene: tests/data/sports2d_people/."""
    track = track_video(SPORTS2D_VIDEO, TrackingSettings(model_path("full")))
    assert track.meta["subject"] == "auto" and track.meta["subject_reason"].startswith("walks")
    assert len(track.meta["people"]) >= 3
    demo = (track.frame_index >= 35) & (track.frame_index < 195)
    hip = _hip_px(track)
    seen = np.flatnonzero(track.found & demo)
    assert len(seen) >= 0.9 * demo.sum()  # (measured 152 of 160: she steps out from behind the tree at ~40)
    assert np.all(hip[track.found, 1] > 600)  # the lower half: never the man on the box
    assert np.diff(hip[seen, 0]).max() < 30  # she walks one way, no jump to somebody else
    assert hip[seen[0], 0] > 1300 and hip[seen[-1], 0] < 150
    late = np.flatnonzero(track.found & (track.frame_index >= 185))
    assert np.all(hip[late, 0] < 400)  # not the man rolling out on the right


def test_subject_at_a_pixel_follows_the_man_on_the_box():
    """The same clip, the subject picked by a pixel on the man on the box at frame 30."""
    settings = TrackingSettings(model_path("full"), subject=SubjectChoice.parse("auto", "633,245@30"))
    track = track_video(SPORTS2D_VIDEO, settings)
    hip = _hip_px(track)
    assert track.meta["subject_reason"].startswith("nearest")
    on_box = track.found & (track.frame_index >= 10) & (track.frame_index < 150)
    assert on_box.sum() >= 120
    assert np.all(hip[track.found, 1] < 500) and np.all(np.abs(hip[on_box, 0] - 700) < 150)


def test_live_follows_the_first_person_and_never_the_walker_who_comes_later():
    """Live there is no people pass: on the Sports2D frames, as a camera would give them, the man
    on the box (alone at the start) is followed and the walker who appears at frame ~40 is never
    taken while he is in view."""
    from ras_mocap.capture.sources import VideoFileSource
    from ras_mocap.capture.tracking import PoseTracker

    settings = TrackingSettings(model_path("full"))
    with VideoFileSource(SPORTS2D_VIDEO, end_frame=150) as source, \
            PoseTracker(settings, (source.width, source.height)) as tracker:
        frames = [tracker.process(frame) for frame in source]
        assert len({key for key, _ in tracker.live_subject.people}) >= 2  # both in view by the end
    followed = [f for f in frames if f.detection is not None]
    hip_y = np.array([f.detection.image_xyz[[23, 24], 1].mean() * 994 for f in followed])
    assert len(followed) >= 120 and np.all(hip_y < 500)


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
        track_video(POSE2SIM_VIDEO, TrackingSettings(model_path("lite"), num_poses=1),
                    progress=lambda done, total, stage: done >= 3)
    with pytest.raises(Cancelled, match="finding people cancelled after 2 of"):
        track_video(POSE2SIM_VIDEO, TrackingSettings(model_path("lite")), progress=lambda done, total, stage: done >= 2)


def test_a_4k_video_is_tracked_as_its_1080p_original(tmp_path):
    """Pass 2 shrinks frames far larger than the subject before MediaPipe copies them (issue
    15): pose2sim's first 40 frames upscaled to 2160 x 3840 track as the original does."""
    import cv2

    from ras_mocap.capture.sources import VideoFileSource
    from ras_mocap.capture.tracking import FOLLOW_PERSON_PX
    from tests.capture.videos import write_video

    with VideoFileSource(POSE2SIM_VIDEO, end_frame=40) as source:
        frames = [cv2.resize(frame.bgr, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC) for frame in source]
    video_4k = write_video(tmp_path / "walk_4k.mp4", frames, fps=60.0)
    settings = TrackingSettings(model_path("lite"))
    original = track_video(POSE2SIM_VIDEO, settings, end_frame=40)
    upscaled = track_video(video_4k, settings, end_frame=40)
    assert upscaled.image_size_px == (2160, 3840) and upscaled.found.all() and original.found.all()
    subject = next(p for p in upscaled.meta["people"] if p["id"] == upscaled.meta["subject_id"])
    assert subject["height_px"] > 2 * FOLLOW_PERSON_PX  # so its frames were shrunk by more than half
    body_px = subject["height_px"] / 2  # in the original's pixels
    apart_px = np.linalg.norm(upscaled.image_xy_px / 2 - original.image_xy_px, axis=-1)
    print(f"\n4K vs 1080p: median {np.median(apart_px):.1f} px apart, body {body_px:.0f} px")
    assert np.median(apart_px) <= 0.01 * body_px, np.median(apart_px)
