"""`python -m ras_mocap bake` end to end in a subprocess, as a user runs it."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np

from ras_mocap.capture.lens import FOCAL_35MM_KEY
from ras_mocap.core.track import Track
from tests.capture.videos import noise_video, remuxed
from tests.conftest import POSE2SIM_VIDEO, REPO, SHARED, SPORTS2D_VIDEO, WALK_SIDE_VIDEO, model_path
from tests.e2e.cli import run_cli as _cli


def test_bake_writes_blend_bvh_and_track(tmp_path):
    run = _cli("bake", POSE2SIM_VIDEO, "--out", tmp_path / "walk.blend", "--bvh", tmp_path / "walk.bvh",
               "--num-poses", "1", env_model=model_path("lite"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "fitted 100 frames in" in run.stdout and "fitting" in run.stderr  # the fit's bar and its line
    assert (tmp_path / "walk.blend").stat().st_size > 100_000
    bvh = (tmp_path / "walk.bvh").read_text()
    assert "Frames: 100" in bvh and "ROOT root" in bvh
    track = Track.load(tmp_path / "walk.npz")
    assert track.found.sum() >= 95 and track.meta["model"] == "pose_landmarker_lite.task"
    # re-bake from the saved track: no detection, the same BVH
    again = _cli("bake", tmp_path / "walk.npz", "--out", tmp_path / "again.blend", "--bvh", tmp_path / "again.bvh")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "tracking" not in again.stderr
    assert (tmp_path / "again.bvh").read_text() == bvh


def test_gait_takes_the_lens_the_video_states(tmp_path):
    """The rendered walk towards the camera through a 38 deg lens, as a phone's 2x camera would
    file it (54 mm, 35 mm equivalent, in the QuickTime keys): its speed comes out right with no
    --fov-deg, and 38% short from the same frames with no lens stated (the default 65 deg)."""
    walk = SHARED / "fixtures" / "synthetic" / "walk_front"
    truth_m_s = float(np.load(f"{walk}_truth.npz")["walking_speed_m_s"])
    stated = remuxed(walk.with_suffix(".mp4"), tmp_path / "stated.mov", {FOCAL_35MM_KEY: "54.28"})
    unstated = remuxed(walk.with_suffix(".mp4"), tmp_path / "unstated.mov")
    summaries = {}
    for video in (stated, unstated):
        run = _cli("gait", video, "--report", tmp_path / video.stem, env_model=model_path("full"))
        assert run.returncode == 0, run.stderr[-3000:]
        summaries[video.stem] = json.loads((tmp_path / video.stem / "summary.json").read_text())
    camera = summaries["stated"]["source"]
    assert math.isclose(camera["field_of_view_deg"], 38.31, abs_tol=0.05), camera
    assert "metadata" in camera["field_of_view_from"]
    assert summaries["unstated"]["source"]["field_of_view_deg"] == 65
    assert abs(summaries["stated"]["speed_m_s"] / truth_m_s - 1) <= 0.05, (summaries["stated"]["speed_m_s"], truth_m_s)
    assert summaries["unstated"]["speed_m_s"] / truth_m_s - 1 < -0.2, (summaries["unstated"]["speed_m_s"], truth_m_s)


def test_bad_inputs_give_one_clear_error(tmp_path):
    missing = _cli("bake", tmp_path / "nope.mp4", "--out", tmp_path / "x.blend", env_model=model_path("lite"))
    assert missing.returncode == 2 and "video file not found" in missing.stderr
    offline = _cli("bake", POSE2SIM_VIDEO, "--out", tmp_path / "x.blend", "--model-path", tmp_path / "none.task")
    assert offline.returncode == 2 and "model file not found" in offline.stderr
    bad_roi = _cli("bake", POSE2SIM_VIDEO, "--out", tmp_path / "x.blend", "--roi", "1,2,3")
    assert bad_roi.returncode == 2 and "--roi takes x0,y0,x1,y1" in bad_roi.stderr
    lens = _cli("bake", POSE2SIM_VIDEO, "--out", tmp_path / "x.blend", "--fov-deg", "200", env_model=model_path("lite"))
    assert lens.returncode == 2 and "field of view lies between 5 and 170" in lens.stderr
    assert "tracking" not in lens.stderr  # refused before the detection
    tall = _cli("gait", POSE2SIM_VIDEO, "--report", tmp_path / "gait", "--height-m", "17")
    assert tall.returncode == 2 and "height lies between 0.5 and 2.5 m" in tall.stderr
    assert not (tmp_path / "x.blend").exists()


def test_track_and_capture_write_tracks(tmp_path):
    tracked = _cli("track", WALK_SIDE_VIDEO, "--out", tmp_path / "t.npz", "--stride", "2", "--model-path", model_path("lite"))
    assert tracked.returncode == 0, tracked.stderr[-3000:]
    track = Track.load(tmp_path / "t.npz")
    assert list(track.frame_index[:3]) == [0, 2, 4] and track.meta["subject"] == "auto"
    captured = _cli("capture", "--replay", WALK_SIDE_VIDEO, "--seconds", "1.5", "--num-poses", "1",
                    "--out", tmp_path / "take.npz", env_model=model_path("lite"))
    assert captured.returncode == 0, captured.stderr[-3000:]
    assert "recorded" in captured.stdout
    take = Track.load(tmp_path / "take.npz")
    assert take.meta["live"] and 30 <= len(take) <= 46  # 1.5 s of a 30 fps camera
    cameras = _cli("cameras")
    assert cameras.returncode == 0 and "camera" in cameras.stdout


def test_people_lists_who_is_in_the_video_and_draws_a_sheet(tmp_path):
    run = _cli("people", SPORTS2D_VIDEO, "--sheet", tmp_path / "people.png", env_model=model_path("full"))
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line[:4].strip().isdigit()]
    assert len(rows) >= 3 and sum("<- subject: walks" in row for row in rows) == 1
    import cv2

    sheet = cv2.imread(str(tmp_path / "people.png"))
    assert sheet is not None and sheet.shape[1] >= 1500
    bad = _cli("people", SPORTS2D_VIDEO, "--subject", "9", env_model=model_path("full"))
    assert bad.returncode == 2 and "no person 9 in this clip (people found: 1, 2, 3" in bad.stderr


def test_a_video_with_nobody_in_it_is_reported(tmp_path):
    run = _cli("bake", noise_video(tmp_path / "noise.mp4"), "--out", tmp_path / "x.blend", env_model=model_path("lite"))
    assert run.returncode == 2 and "nobody was detected" in run.stderr
    assert not (tmp_path / "x.blend").exists()


def test_bake_onto_a_character_file(tmp_path, pose2sim_track):
    """A user's character (here a Mixamo-named rig saved by bpy in a subprocess) keyed by profile."""
    track = pose2sim_track.save(tmp_path / "take.npz")
    character = tmp_path / "character.blend"
    made = subprocess.run([sys.executable, "-c", (
        "import bpy, sys; sys.path.insert(0, {repo!r});"
        "from tests.blender.mixamo_rig import add_mixamo_rig; from ras_mocap.core.rig_spec import BodyLengths;"
        "bpy.ops.wm.read_factory_settings(use_empty=True); add_mixamo_rig(bpy.context, BodyLengths());"
        "bpy.ops.object.camera_add(); bpy.ops.wm.save_as_mainfile(filepath={path!r})"
    ).format(repo=str(REPO), path=str(character))], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    run = _cli("bake", track, "--onto", character, "--out", tmp_path / "keyed.blend", "--bvh", tmp_path / "keyed.bvh")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "onto Mixamo" in run.stdout
    assert "ROOT mixamorig:Hips" in (tmp_path / "keyed.bvh").read_text()
    wrong = _cli("bake", track, "--onto", character, "--armature", "Nope", "--out", tmp_path / "x.blend")
    assert wrong.returncode == 2 and "no armature named 'Nope'; it has: Mixamo" in wrong.stderr
    bad_profile = _cli("bake", track, "--onto", character, "--profile", "ras", "--out", tmp_path / "x.blend")
    assert bad_profile.returncode == 2 and "that the RAS rig profile maps" in bad_profile.stderr
    assert not (tmp_path / "x.blend").exists()


def test_rig_command_writes_a_rig_sized_from_a_track(tmp_path, pose2sim_track):
    track = pose2sim_track.save(tmp_path / "take.npz")
    run = _cli("rig", "--out", tmp_path / "rig.blend", "--track", track)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "rig.blend").stat().st_size > 50_000 and "thigh 0." in run.stdout
    default = _cli("rig", "--out", tmp_path / "default.blend")
    assert default.returncode == 0 and "thigh 0.440 m" in default.stdout
