"""Baking a real track onto the RAS rig in the real bpy."""
from __future__ import annotations

from dataclasses import replace

import bpy
import numpy as np
import pytest

from scipy.spatial.transform import Rotation

from ras_mocap.blender import compat
from ras_mocap.blender.bake import bake_to_files, bake_track
from ras_mocap.core.armature import rotation_from_blender_euler
from ras_mocap.core.cleaning import clean_track
from ras_mocap.core.errors import InputError
from ras_mocap.core.pipeline import fit_clip
from ras_mocap.core.retarget import RetargetProfile
from ras_mocap.core.rig_spec import BodyLengths
from ras_mocap.core.solver import RAS_DRIVES, keypoint_joints
from tests.blender.mixamo_rig import add_mixamo_rig


def _curves(rig):
    return compat.action_fcurves(rig.animation_data.action, rig)


def test_every_frame_keyed_and_legs_move(pose2sim_track):
    result = bake_track(bpy.context, pose2sim_track)
    rig = bpy.data.objects[result.rig_name]
    scene = bpy.context.scene
    assert (scene.frame_start, scene.frame_end) == (1, 100)
    assert scene.render.fps / scene.render.fps_base == pytest.approx(60.0)
    curves = _curves(rig)
    for curve in curves:
        frames = [k.co[0] for k in curve.keyframe_points]
        assert frames == list(range(1, 101)), curve.data_path
    for bone in ("thigh.L", "thigh.R", "shin.L", "shin.R"):
        angles = np.array([[k.co[1] for k in curves.find(f'pose.bones["{bone}"].rotation_euler', index=i).keyframe_points]
                           for i in range(3)]).T
        assert np.degrees(np.ptp(Rotation.from_euler("xyz", angles).magnitude())) > 5.0, bone


def test_posed_bones_point_along_the_keypoints(pose2sim_track):
    """Forward check: Blender's own evaluation of the keyed pose aims each bone at the fitted body."""
    result = bake_track(bpy.context, pose2sim_track)
    rig = bpy.data.objects[result.rig_name]
    joints = keypoint_joints(fit_clip(pose2sim_track).body.world_m)
    bones = rig.data.bones
    # each drive's rest direction: the bone itself, except the foot, aimed at the toe tip
    rest_dirs = {name: np.array(bones[name].tail_local - bones[name].head_local)
                 for name in ("upper_arm.L", "forearm.R", "neck")}
    rest_dirs["foot.L"] = np.array(bones["toe.L"].tail_local - bones["foot.L"].head_local)
    for row in np.flatnonzero(pose2sim_track.found)[::9]:
        bpy.context.scene.frame_set(int(pose2sim_track.frame_index[row]) + 1)
        for name, rest_dir in {**rest_dirs, "thigh.R": _rest_dir(bones, "thigh.R"), "shin.L": _rest_dir(bones, "shin.L")}.items():
            delta = np.array(rig.pose.bones[name].matrix.to_3x3()) @ np.array(bones[name].matrix_local.to_3x3()).T
            got = _unit(delta @ rest_dir)
            drive = RAS_DRIVES[name]
            want = _unit(joints[drive.end][row] - joints[drive.start][row])
            assert np.degrees(np.arccos(np.clip(got @ want, -1, 1))) < 0.5, (name, row)


def _rest_dir(bones, name):
    return np.array(bones[name].tail_local - bones[name].head_local)


def _unit(v):
    return v / np.linalg.norm(v)


def test_blend_reopens_and_bvh_reimports(pose2sim_track, tmp_path):
    blend, bvh = tmp_path / "walk.blend", tmp_path / "walk.bvh"
    result = bake_to_files(pose2sim_track, blend, bvh)
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    rig = bpy.data.objects[result.rig_name]
    assert rig.animation_data.action.name == result.action_name
    assert len(_curves(rig)) > 40
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_anim.bvh(filepath=str(bvh), update_scene_duration=True)
    imported = bpy.context.active_object
    assert imported.type == "ARMATURE"
    start, end = imported.animation_data.action.frame_range
    assert int(round(end - start)) + 1 == 100


def test_nothing_detected_is_refused(pose2sim_track):
    empty = type(pose2sim_track).empty(10, 30.0, (640, 480))
    with pytest.raises(InputError, match="nobody was detected"):
        bake_track(bpy.context, empty)
    assert not bpy.data.actions and not bpy.data.armatures


def test_a_long_gap_is_held_not_invented(pose2sim_track):
    """Nobody seen in video frames 40-69 (0.5 s): no keys there, the pose before it holds."""
    found = pose2sim_track.found.copy()
    found[40:70] = False
    found[80:83] = False  # 50 ms: bridged
    result = bake_track(bpy.context, replace(pose2sim_track, found=found))
    curve = _curves(bpy.data.objects[result.rig_name]).find('pose.bones["thigh.L"].rotation_euler', index=0)
    keyed = {int(k.co[0]): k.interpolation for k in curve.keyframe_points}
    assert not set(range(41, 71)) & set(keyed)  # scene frame = video frame + 1
    assert {81, 82, 83} <= set(keyed)
    assert keyed[40] == "CONSTANT" and keyed[71] == "LINEAR" and keyed[39] == "LINEAR"


def test_bake_onto_a_mixamo_rig_through_its_profile(pose2sim_track):
    rig = add_mixamo_rig(bpy.context, BodyLengths())
    for pose_bone in rig.pose.bones:
        pose_bone.rotation_mode = "QUATERNION"  # as Blender's FBX importer leaves Mixamo rigs
    own = bpy.data.actions.new("idle")
    rig.animation_data_create().action = own
    result = bake_track(bpy.context, pose2sim_track, rig, profile=RetargetProfile.load("mixamo"))
    assert result.rig_name == rig.name
    assert rig.animation_data.action.name == result.action_name and own.use_fake_user  # not lost
    thigh = rig.pose.bones["mixamorig:LeftUpLeg"]
    assert thigh.rotation_mode == "XYZ" and rig.pose.bones["mixamorig:Hips"].rotation_mode == "YXZ"
    curves = _curves(rig)
    assert curves.find('pose.bones["mixamorig:LeftUpLeg"].rotation_euler', index=0) is not None
    assert curves.find('pose.bones["mixamorig:Hips"].location', index=2) is not None
    assert rig.pose.bones["mixamorig:Spine1"].rotation_mode == "QUATERNION"  # not driven: untouched


def test_a_rig_without_the_profiles_bones_is_refused(pose2sim_track):
    rig = add_mixamo_rig(bpy.context, BodyLengths())
    with pytest.raises(InputError, match="no bone chest, .*pelvis.* that the RAS rig profile maps"):
        bake_track(bpy.context, pose2sim_track, rig, profile=RetargetProfile.load("ras"))
    rig.data.bones["mixamorig:Hips"].name = "Pelvis"  # a rig no bundled profile fits
    with pytest.raises(InputError, match="no bundled retarget profile .* fits this rig"):
        bake_track(bpy.context, pose2sim_track, rig)
    assert not bpy.data.actions


def test_ik_mode_puts_the_limbs_where_fk_does(pose2sim_track):
    """The IK controls are keyed from the solved pose: switching the rig to IK moves nothing."""
    rig = bpy.data.objects[bake_track(bpy.context, pose2sim_track).rig_name]
    ends = ("shin.L", "shin.R", "forearm.L", "forearm.R")
    frames = (10, 40, 77)

    def limb_points():
        points = []
        for frame in frames:
            bpy.context.scene.frame_set(frame)
            points.append([np.array(rig.pose.bones[name].tail) for name in ends]
                          + [np.array(rig.pose.bones[name].head) for name in ends])
        return np.array(points)

    fk = limb_points()
    rig["ik_legs"] = rig["ik_arms"] = 1.0
    rig.update_tag()
    ik = limb_points()
    moved_m = np.linalg.norm(ik - fk, axis=-1)
    assert moved_m[:, :4].max() < 0.001  # ankles and wrists: where the targets are
    # knees and elbows: Blender's IK bends a hinge in the pole's plane, the FK shin and forearm
    # also twist a little off it
    assert moved_m[:, 4:].max() < 0.015
    curves = _curves(rig)
    assert curves.find('pose.bones["foot_ik.L"].location', index=0) is not None


def test_the_demo_walker_bakes_without_flips():
    """The Sports2D demo range with all defaults (no region drawn): the baked pelvis and thighs
    never turn more than 30 degrees from one frame to the next (the walker does not), and the
    frames where she steps out from behind the tree with her far leg hidden are gaps."""
    from ras_mocap.capture.tracking import TrackingSettings, track_video
    from tests.conftest import SPORTS2D_VIDEO, model_path

    track = track_video(SPORTS2D_VIDEO, TrackingSettings(model_path("full")), 35, 196)
    result = bake_track(bpy.context, track)
    _check_real_take(track, result)
    # her feet are planted about 60% of the time; with a floor fitted to her feet's depth noise
    # (tilted 18 deg) none was ever found
    clip = fit_clip(track)
    assert np.all(clip.body.contact[clip.valid].mean(axis=0) >= 0.4)
    curves = _curves(bpy.data.objects[result.rig_name])
    rig = bpy.data.objects[result.rig_name]
    for bone in ("pelvis", "thigh.L", "thigh.R"):
        keys = [curves.find(f'pose.bones["{bone}"].rotation_euler', index=i).keyframe_points for i in range(3)]
        frames = np.array([k.co[0] for k in keys[0]])
        euler = np.array([[k.co[1] for k in axis] for axis in keys]).T
        turns = Rotation.from_euler(rig.pose.bones[bone].rotation_mode, euler)
        step_deg = np.degrees((turns[1:] * turns[:-1].inv()).magnitude())[np.diff(frames) == 1]
        assert step_deg.max() <= 30.0, (bone, step_deg.max())
    clean = clean_track(track)
    assert not clean.found[np.isin(track.frame_index, [44, 45])].any()


def test_the_pose2sim_take_fits_a_body_that_could_walk(pose2sim_track):
    _check_real_take(pose2sim_track, bake_track(bpy.context, pose2sim_track))


_SEGMENTS = [(f"{s}_{a}", f"{s}_{b}") for s in ("left", "right") for a, b in (
    ("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"), ("shoulder", "elbow"),
    ("elbow", "wrist"))] + [("left_hip", "right_hip"), ("left_shoulder", "right_shoulder")]


def _check_real_take(track, result) -> None:
    """What any real take must give (issue 13): the fitted body's segments keep their length to
    1 mm; no baked Euler channel jumps more than 30 deg between frames beyond what the rotation
    itself turns; no knee bends backwards beyond 5 deg (the shin's turn about the hinge, its X
    axis: + takes the shin behind the thigh). Not the hands: the Sports2D walker's far hand, hidden
    behind her, spins a whole turn in five frames (145-149) as its guessed keypoints do, and its
    Euler angles then move up to 37 deg more than the turn (not solved: see the issue 13 note)."""
    from ras_mocap.core.skeleton import KP

    body = fit_clip(track).body
    points = body.world_m[body.found]
    for a, b in _SEGMENTS:
        length_m = np.linalg.norm(points[:, KP[a]] - points[:, KP[b]], axis=-1)
        assert np.ptp(length_m) <= 0.001, (a, b, np.ptp(length_m))
    rig = bpy.data.objects[result.rig_name]
    curves = _curves(rig)
    for pose_bone in rig.pose.bones:
        channel = [curves.find(f'pose.bones["{pose_bone.name}"].rotation_euler', index=i) for i in range(3)]
        if None in channel or pose_bone.name.startswith("hand."):
            continue
        frames = np.array([k.co[0] for k in channel[0].keyframe_points])
        euler = np.array([[k.co[1] for k in axis.keyframe_points] for axis in channel]).T
        turns = rotation_from_blender_euler(euler, pose_bone.rotation_mode)
        next_frame = np.diff(frames) == 1
        turn_deg = np.degrees((turns[1:] * turns[:-1].inv()).magnitude())[next_frame]
        jump_deg = np.degrees(np.abs(np.diff(euler, axis=0))).max(axis=1)[next_frame]
        assert np.all(jump_deg <= turn_deg + 30.0), (pose_bone.name, (jump_deg - turn_deg).max())
        if pose_bone.name.startswith("shin."):
            hinge_deg = np.degrees(turns.as_rotvec()[:, 0])
            assert hinge_deg.min() >= -5.0, (pose_bone.name, hinge_deg.min())
