"""The noise-free truth walk's fitted body keyed onto a rig Rigify generates from its human
metarig, run as its own process: `python -m tests.blender.rigify_walk` prints, as JSON, how
far the rig's joints are from the fitted body's.

Its own process because bpy 4.2 segfaults at interpreter exit once Rigify has been enabled
(a Python class freed from a space type after the interpreter is gone, even with Rigify
disabled again); the child leaves with os._exit after printing, the suite's process never
loads Rigify.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

from ras_mocap.blender import keys, rig as rig_module
from ras_mocap.core.retarget import RetargetProfile
from ras_mocap.core.skeleton import KP
from ras_mocap.core.pipeline import rig_channels
from tests.blender.test_solver_truth import fitted_keypoints, noise_free_clip
from tests.groundtruth import angle_rmse_deg


def rigify_walk_errors() -> dict:
    """Rigify's FK controls keyed through the rigify profile; the result read from Blender's
    evaluation of its ORG bones: angle RMSE (deg) per side against the fitted body and the
    largest root travel error (m, at the body's size)."""
    import addon_utils
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon_utils.enable("rigify", default_set=True)
    bpy.ops.object.armature_human_metarig_add()
    bpy.ops.pose.rigify_generate()
    rig = bpy.context.active_object
    profile = RetargetProfile.load("rigify")
    matched = RetargetProfile.matching({bone.name for bone in rig.data.bones}).name == profile.name
    rig_module.prepare_for_keys(rig, profile)
    clip, _walk = noise_free_clip()
    body = clip.body.world_m
    channels = rig_channels(clip, rig_module.rest_bones(rig), profile)
    frames = np.arange(len(body)) + 1
    keys.write_pose_channels(bpy.data.actions.new("truth"), rig, frames, channels.euler_rad, channels.location_m)
    points = np.full_like(body, np.nan)
    bones = rig.pose.bones
    for row, frame in enumerate(frames):
        bpy.context.scene.frame_set(int(frame))
        for side, s in (("left", "L"), ("right", "R")):
            points[row, KP[f"{side}_hip"]] = bones[f"ORG-thigh.{s}"].head
            points[row, KP[f"{side}_knee"]] = bones[f"ORG-shin.{s}"].head
            points[row, KP[f"{side}_ankle"]] = points[row, KP[f"{side}_heel"]] = bones[f"ORG-foot.{s}"].head
            points[row, KP[f"{side}_foot_index"]] = bones[f"ORG-toe.{s}"].tail
            points[row, KP[f"{side}_shoulder"]] = bones[f"ORG-upper_arm.{s}"].head
    legs = [np.linalg.norm(p[:, KP["left_hip"]] - p[:, KP["left_knee"]], axis=-1)
            + np.linalg.norm(p[:, KP["left_knee"]] - p[:, KP["left_ankle"]], axis=-1) for p in (points, body)]
    scale = np.median(legs[0]) / np.median(legs[1])  # the rig is taller than the walker
    root = 0.5 * (points[:, KP["left_hip"]] + points[:, KP["right_hip"]])
    fitted_root = 0.5 * (body[:, KP["left_hip"]] + body[:, KP["right_hip"]])
    travel_error_m = (root - root[0]) / scale - (fitted_root - fitted_root[0])
    rmse = angle_rmse_deg(points, fitted_keypoints(clip))
    return {"profile_matched": matched, "rmse_deg": {k: v.tolist() for k, v in rmse.items()},
            "travel_error_m": float(np.abs(travel_error_m).max())}


if __name__ == "__main__":
    status = 1
    try:
        print(json.dumps(rigify_walk_errors()))
        status = 0
    finally:  # also after an error: the exit path is what crashes (4.2) or hangs (4.5)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
