"""The whole pipeline on the four rendered walks against their exact truth (fixtures/synthetic, and
tests/data/rendered's walk from behind):
video -> BlazePose (full, all defaults) -> cleaning -> the whole-clip fit -> the RAS rig built by
the real bpy -> the gait analysis. The camera's field of view is the one the fixtures' README
gives (the lens, as a user who knows it passes --fov-deg); with the default 65 deg instead, see
the issue 13 note.

Run with -s to see the figures. The issue asks knee and hip <= 5 deg, ankle <= 8, pelvis speed,
direction, step and stride within 5%, and the ball's path per inner stance within 1 cm of the
truth's 3.4 cm. Held to that where they are met; elsewhere bounded at what the fit reaches (the
measured figures in BOUNDS' comments), so that it cannot get worse unseen."""
from __future__ import annotations

import math

import bpy
import numpy as np
import pytest

from ras_mocap.blender import rig as rig_module
from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.cleaning import clean_track
from ras_mocap.core.fit.clip_fit import FitSettings
from ras_mocap.core.fit.track_fit import fit_track
from ras_mocap.core.forward import posed_joints
from ras_mocap.core.gait import analyse
from ras_mocap.core.gait.walk import walk_points_m
from ras_mocap.core.pipeline import FittedClip, fit_clip, rig_channels, rig_lengths
from tests.conftest import model_path
from tests.rendered import VIEWS, RigWalk, figures, rendered_truth, rendered_video, rest_ankle_deg, truth_leg_m

pytestmark = [pytest.mark.slow, pytest.mark.once]

# view: bounds of (knee, hip, ankle RMSE deg, both sides; ball path cm; step length, stride
# length and pelvis speed, relative); measured in the comments (both stacks decode with the same
# OpenCV now, so they see the same pixels; truth: ball 3.4 cm, step 0.630 m, stride 1.259 m).
# Steps and strides are the gait analysis's: the fitted body between footprints, the events
# timed on the lifted landmarks (gait.walk.track_walk).
BOUNDS = {
    "side": (5.0, 5.0, 8.0, 5.5, 0.05, 0.05, 0.05),
    # knee 4.3 / 4.7, hip 4.6 / 2.4, ankle 5.3 / 4.2, ball 4.7, step +2.4%, stride +2.1%, speed -1.4%
    "front": (14.0, 12.0, 10.5, 5.5, 0.05, 0.06, 0.05),
    # knee 9.3 / 13.2, hip 10.3 / 10.9, ankle 8.4 / 9.8, ball 4.9, step +1.3%, speed -1.2%;
    # stride +5.0%: three strides, the right one long, because head-on the footprints' depth
    # is off by up to 10 cm (a pixel of the heel's image row is 3.5 cm of floor at 7 m)
    "away": (6.5, 5.0, 10.0, 4.6, 0.05, 0.05, 0.05),
    # knee 5.8 / 5.4, hip 3.4 / 2.4, ankle 8.5 / 7.5, ball 4.50 (the issue's 4.39), step -1.4%, stride +0.9%,
    # speed -0.4%
    "oblique": (6.0, 10.0, 10.5, 5.0, 0.05, 0.05, 0.05),
    # 45 deg ahead of the side (tests/data/rendered): knee 4.4 / 5.6, hip 6.5 / 9.3, ankle 9.9 / 8.3, ball 4.41,
    # step +3.3%, stride +3.7%, speed +1.6%, direction 0.2 deg. The thighs read 4-7 deg behind the truth's
    # (BlazePose's hips sit 1-2.5% of body height ahead of the rig's joints here, its knees on them)
    "behind": (13.5, 10.5, 21.5, 25.0, 0.05, 0.05, 0.05),
    # knee 7.3 / 12.7, hip 9.9 / 9.9, ankle 13.7 / 20.6, ball 20.1, step -1.0%, stride +0.8%, speed -2.7%:
    # far from the issue's bounds (test_from_behind_the_issue_bounds_hold). The image's contacts
    # planted each swinging foot a third of a swing early until the ends of each contact were trimmed
    # where the first fit lifts the foot (ground.trim_lifted_ends): knee 17.1 / 13.0, hip 11.1 / 10.3, ankle 13.0 / 17.7 before, the right
    # ankle's last ten frames worse now. The steps were -24% / -43%: the events timed on the lifted
    # landmarks put the two feet's first heel strikes two frames apart (frames 10 and 12; the truth's
    # 18 and 37), so the gait analysis now times them on the fitted body (events.strikes_alternate),
    # 2-4 frames early there. Before the fit started
    # from the legs on their rays too (lifting.legs_on_rays) the right knee never bent: knee 17.3 / 34.8,
    # hip 9.8 / 6.0, ankle 12.9 / 14.6, ball 26.2, step -29%, stride -8.5%, speed -1.8%
}


@pytest.fixture(scope="module")
def rendered_tracks():
    return {view: track_video(rendered_video(view), TrackingSettings(model_path("full"))) for view in VIEWS}


def _lens_fov_deg(truth: dict) -> float:
    return math.degrees(2 * math.atan(truth["camera_K"][0, 2] / truth["camera_K"][0, 0]))


def _figures(clip: FittedClip, truth: dict) -> dict[str, float]:
    """tests/rendered.figures of the RAS rig (real bpy) keyed from the fitted body."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    rig = rig_module.add_ras_rig(bpy.context, rig_lengths(clip.body))
    bones = rig_module.rest_bones(rig)
    valid = clip.valid
    joints = posed_joints(bones, rig_channels(clip, bones), int(valid.sum()))
    rows = {k: (v[valid] if isinstance(v, np.ndarray) and v.shape[:1] == valid.shape else v) for k, v in truth.items()}
    return figures(RigWalk(joints, clip.body.world.world_to_camera, clip.clean.time_s[valid]), rows, rest_ankle_deg(bones))


@pytest.mark.parametrize("view", VIEWS)
def test_rendered_walk_through_the_whole_pipeline(rendered_tracks, view):
    truth = rendered_truth(view)
    clip = fit_clip(rendered_tracks[view], fov_deg=_lens_fov_deg(truth))
    got = _figures(clip, truth)
    timing_m, _ = walk_points_m(rendered_tracks[view], fov_deg=_lens_fov_deg(truth))  # as gait.track_walk times events
    summary = analyse(clip.body.world_m, clip.clean.sample_rate_hz, event_points_m=timing_m).summary
    to_truth = truth_leg_m(truth) / clip.body.shape.leg_m  # lengths in the rig's metres, at the truth's size
    step_m = to_truth * np.mean([summary[s]["step_length_m"]["mean"] for s in ("left", "right")])
    stride_m = to_truth * np.mean([summary[s]["stride_length_m"]["mean"] for s in ("left", "right")])
    print(f"\n{view}: " + ", ".join(f"{k} {v:.3g}" for k, v in got.items()) + f", step {step_m:.3f} m, stride {stride_m:.3f} m")
    knee, hip, ankle, ball_cm, step_tolerance, stride_tolerance, speed_tolerance = BOUNDS[view]
    assert got["knee.L"] <= knee and got["knee.R"] <= knee
    assert got["hip.L"] <= hip and got["hip.R"] <= hip
    assert got["ankle.L"] <= ankle and got["ankle.R"] <= ankle
    assert abs(got["speed_error"]) <= speed_tolerance
    assert got["direction_error_deg"] <= 5.0
    assert step_m == pytest.approx(float(truth["step_length_mean_m"]), rel=step_tolerance)
    assert stride_m == pytest.approx(float(truth["stride_length_m"]), rel=stride_tolerance)
    assert got["ball_path_cm"] <= ball_cm


# the rendered jog (tests/data/rendered): view -> bounds of (knee, hip, ankle RMSE deg; the ball's
# path a stance beyond the truth's, cm); measured in the comments
JOG_BOUNDS = {
    "side": (8.5, 4.5, 8.0, 1.0),
    # 6 m away: knee 7.2 / 7.7, hip 3.4 / 3.8, ankle 7.0 / 6.8, ball 3.6 cm (the truth's 3.6), speed +1.7%;
    # at a walk's pace (before fit/tempo.py) knee 9.7 / 9.5, hip 4.0 / 4.6, ankle 8.7 / 7.9, the ball 27.3 cm
    "front": (15.5, 24.5, 16.5, 1.0),
    # head-on, 7 m off at the start: knee 13.3 / 14.1, hip 16.4 / 23.0, ankle 12.7 / 14.4, ball 1.7 cm
    # (the truth's 3.6), speed +1.9%; at a walk's pace knee 16.3 / 14.3, hip 17.6 / 21.9, the ball 27.3 cm.
    # The swing thigh pointing at the camera reads up to 40 deg too little flexed: the walk's
    # head-on limit (BlazePose's depth guess, the thigh barely foreshortened), larger in a run
    "oblique": (13.0, 13.5, 15.0, 10.0),
    # 45 deg, 6 m off: knee 11.9 / 7.5, hip 11.4 / 12.3, ankle 13.6 / 9.9, ball 12.8 cm (the truth's 3.6),
    # speed +1.7%, cadence 165.5 (163.6). Before the legs' swap search also weighed their velocities
    # (core/left_right.py) it relabelled 19 frames between two crossings of the legs, found no stride
    # (so no pace) and read knee 30.7 / 25.3, hip 25.4 / 22.1, the ball 77.9 cm, cadence 108
    "far": (7.5, 5.0, 8.5, 2.5),
    # 17 m away, 122 px tall, tracked from frame 13 on: knee 6.2 / 6.2, hip 3.5 / 2.2, ankle 7.2 / 5.0,
    # speed +0.3%, direction 2.3 deg, the ball 5.4 cm a stance (the truth's 3.6). A pixel of the foot's
    # image row is ~20 cm of floor there: before the contacts discounted the row's noise and the floor
    # kept level beyond what a body's depth shows (ground.py), 2 of 9 stances were found and the floor
    # tilted 1.9 deg, the ball slid 41.6 cm (knee 7.1 / 7.3, hip 4.5 / 2.6, ankle 7.8 / 5.8, direction
    # 3.2 deg). Before pass 2 fell back to crops of the runner's own size, it was found in no frame
}


@pytest.mark.parametrize("view", sorted(JOG_BOUNDS))
def test_rendered_jog_through_the_whole_pipeline(view):
    """The jog of tests/jog.py rendered (164 steps a minute) from the side near and far, and head-on:
    fitted at its own pace (fit/tempo.py), cadence and speed within 3% and 5%."""
    truth = rendered_truth(view, "jog")
    raw = track_video(rendered_video(view, "jog"), TrackingSettings(model_path("full")))
    clip = fit_clip(raw, fov_deg=_lens_fov_deg(truth))
    got = _figures(clip, truth)
    timing_m, _ = walk_points_m(raw, fov_deg=_lens_fov_deg(truth))
    summary = analyse(clip.body.world_m, clip.clean.sample_rate_hz, event_points_m=timing_m).summary
    print(f"\njog {view}: " + ", ".join(f"{k} {v:.3g}" for k, v in got.items())
          + f", cadence {summary['cadence_steps_per_min']:.1f} ({float(truth['cadence_steps_per_min']):.1f}), stride {clip.body.meta['stride_s']} s")
    knee, hip, ankle, ball_cm = JOG_BOUNDS[view]
    assert clip.body.meta["stride_s"] == pytest.approx(float(truth["cycle_s"]), rel=0.03)
    assert max(got["knee.L"], got["knee.R"]) <= knee and max(got["hip.L"], got["hip.R"]) <= hip
    assert max(got["ankle.L"], got["ankle.R"]) <= ankle
    assert got["ball_path_cm"] <= float(got["truth_ball_path_cm"]) + ball_cm
    assert abs(got["speed_error"]) <= 0.05
    assert summary["cadence_steps_per_min"] == pytest.approx(float(truth["cadence_steps_per_min"]), rel=0.03)


@pytest.mark.xfail(strict=True, reason=(
    "seen from behind nearly head-on, BlazePose's 3D guess straightens the swinging knees, and its "
    "heel and toe in swing sit where a standing foot's would (20 px off): the legs' depth rests on "
    "foreshortening alone; the right knee is 12.7 deg off (a stance's bend of 15 deg foreshortens the "
    "leg by 3%), the hips 10"))
def test_from_behind_the_issue_bounds_hold(rendered_tracks):
    """Issue 13's bounds on the walk from behind (tests/data/rendered): knee and hip <= 5 deg, ankle <= 8."""
    truth = rendered_truth("behind")
    got = _figures(fit_clip(rendered_tracks["behind"], fov_deg=_lens_fov_deg(truth)), truth)
    assert max(got["knee.L"], got["knee.R"], got["hip.L"], got["hip.R"]) <= 5.0
    assert max(got["ankle.L"], got["ankle.R"]) <= 8.0


@pytest.mark.parametrize("view", [
    "side",
    pytest.param("front", marks=pytest.mark.xfail(strict=True, reason=(
        "contacts cost the left knee: 9.3 deg with, 6.0 without; head-on the planted leg is held "
        "straight (BlazePose's heel sits 3.5-6% of a leg above the truth's in that view)"))),
    "away",  # left 5.7 with, 5.9 without; right 5.4 with, 7.6 without
    pytest.param("oblique", marks=pytest.mark.xfail(strict=True, reason=(
        "contacts cost the right knee: 5.6 deg with, 4.5 without (the left gains: 4.5 with, 6.3 without); "
        "the planted ball is held two frames past the truth's toe-off and the fitted heel rises later and "
        "lower than the truth's, so late stance and early swing read 3-4 deg straighter"))),
])
def test_contacts_help_the_knees(rendered_tracks, view):
    """The knee RMSE with the contact terms is at most the one without them (issue 13)."""
    truth = rendered_truth(view)
    clean = clean_track(rendered_tracks[view])
    focal_px = float(truth["camera_K"][0, 0])
    knees = {}
    for name, settings in (("with", FitSettings()), ("without", FitSettings(contact_weight=0.0))):
        got = _figures(FittedClip(clean, fit_track(clean, focal_px, settings=settings)), truth)
        knees[name] = (got["knee.L"], got["knee.R"])
    print(f"\n{view}: knee RMSE with contacts {knees['with']}, without {knees['without']}")
    assert knees["with"][0] <= knees["without"][0] and knees["with"][1] <= knees["without"][1]
