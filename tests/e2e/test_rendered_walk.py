"""The whole pipeline on the rendered side walk against its exact truth (walk_side_truth.npz):
video -> BlazePose (full) -> cleaning -> solve onto the RAS rig (feet pinned, as a bake does).

Run with -s to see the figures. The issue's bounds that hold are asserted (pelvis speed within
5%, foot skate <= 2 cm); those not reached yet (knee / hip <= 5 deg, ankle <= 8) are guarded
against getting worse."""
from __future__ import annotations

import bpy
import numpy as np
import pytest

from ras_mocap.blender import rig as rig_module
from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.cleaning import clean_track
from ras_mocap.core.forward import posed_joints
from ras_mocap.core.rig_spec import body_lengths_from_world
from ras_mocap.core.solver import solve
from tests.conftest import WALK_SIDE_TRUTH, WALK_SIDE_VIDEO, model_path
from tests.groundtruth import skate_per_contact_m

pytestmark = pytest.mark.slow


def _sagittal_deg(head: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """A segment's angle from straight down in the x-z plane, + = tail forward (+x)."""
    v = tail - head
    return np.degrees(np.arctan2(v[:, 0], -v[:, 2]))


def test_rendered_walk_through_the_whole_pipeline(bpy_clean):
    with np.load(WALK_SIDE_TRUTH) as data:
        truth = {k: data[k] for k in data.files if not k.endswith("json")}
    track = clean_track(track_video(WALK_SIDE_VIDEO, TrackingSettings(model_path("full"))))  # all defaults
    rig = rig_module.add_ras_rig(bpy.context, body_lengths_from_world(track.world_xyz_m))
    bones = rig_module.rest_bones(rig)
    channels = solve(track.world_xyz_m, track.image_xy_px, track.image_size_px, bones, fps=track.sample_rate_hz)
    joints = posed_joints(bones, channels, len(track))

    shoulders = 0.5 * (joints["upper_arm.L"][0] + joints["upper_arm.R"][0])
    hips = 0.5 * (joints["thigh.L"][0] + joints["thigh.R"][0])
    trunk = _sagittal_deg(shoulders, hips)
    by_name = {b.name: b for b in bones}
    figures = {}
    for column, s in enumerate("LR"):
        thigh = _sagittal_deg(*joints[f"thigh.{s}"])
        shank = _sagittal_deg(*joints[f"shin.{s}"])
        foot = _sagittal_deg(joints[f"foot.{s}"][0], joints[f"toe.{s}"][1])
        toe, ankle = by_name[f"toe.{s}"], by_name[f"foot.{s}"]
        rest_foot = toe.head_m + toe.matrix[:, 1] * toe.length_m - ankle.head_m  # the rig faces -y at rest
        rest_ankle = np.degrees(np.arctan2(-rest_foot[1], -rest_foot[2])) - 90.0
        ours = {"knee": thigh - shank, "hip": thigh - trunk, "ankle": foot - shank - 90.0 - rest_ankle}
        names = {"knee": "knee_flexion_sagittal_deg", "hip": "hip_flexion_deg", "ankle": "ankle_dorsiflexion_deg"}
        for angle, values in ours.items():
            error = values - truth[names[angle]][:, column]
            standing = truth[f"rest_pose_{names[angle]}"][column]
            figures[f"{angle}.{s}"] = (np.sqrt(np.mean(error**2)), np.sqrt(np.mean((error + standing) ** 2)))
        figures[f"skate_cm.{s}"] = 100 * skate_per_contact_m(joints[f"toe.{s}"][0], joints[f"toe.{s}"][1], truth["contact"][:, column])
    speed_m_s = (hips[-1, 0] - hips[0, 0]) / (track.time_s[-1] - track.time_s[0])
    print("\nrendered walk, full model, RAS rig, feet pinned; RMSE deg (relative to standing):")
    for key in ("knee", "hip", "ankle"):
        print(f"  {key:6s} L {figures[key + '.L'][0]:5.1f} ({figures[key + '.L'][1]:4.1f})"
              f"   R {figures[key + '.R'][0]:5.1f} ({figures[key + '.R'][1]:4.1f})")
    print(f"  skate per contact, cm: L mean {figures['skate_cm.L'].mean():.1f} max {figures['skate_cm.L'].max():.1f},"
          f" R mean {figures['skate_cm.R'].mean():.1f} max {figures['skate_cm.R'].max():.1f}")
    print(f"  pelvis speed {speed_m_s:.3f} m/s (truth {float(truth['walking_speed_m_s']):.3f})")

    assert speed_m_s == pytest.approx(float(truth["walking_speed_m_s"]), rel=0.05)
    assert figures["skate_cm.L"].max() <= 2.0 and figures["skate_cm.R"].max() <= 2.0
    # guards at this session's level (issue bounds not reached: knee / hip 5 deg, ankle 8)
    assert figures["knee.L"][0] < 13 and figures["knee.R"][0] < 10.5
    assert figures["hip.L"][0] < 8.5 and figures["hip.R"][0] < 6
    assert figures["ankle.L"][0] < 12 and figures["ankle.R"][0] < 8
