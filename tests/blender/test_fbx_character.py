"""A Mixamo character as Blender's FBX importer leaves it (Y-up bones in centimetres under a 90
degree turn and a 0.01 scale) bakes upright and within the noise-free truth bounds; a rig the
retargeting cannot key is refused before any detection."""
from __future__ import annotations

import time

import bpy
import numpy as np
import pytest

from ras_mocap.blender.bake import bake_track
from ras_mocap.blender.export import export_fbx
from ras_mocap.blender.mannequin import add_mannequin, skinned_meshes
from ras_mocap.blender.pose_sampling import bone_segments_world
from ras_mocap.blender.rig import armature_rest_bones
from ras_mocap.core.pipeline import fit_clip, rig_lengths
from ras_mocap.core.retarget import RetargetProfile
from ras_mocap.core.rig_spec import BodyLengths
from ras_mocap.core.skeleton import KP
from tests.blender.mixamo_rig import add_mixamo_rig, as_imported_from_fbx
from tests.blender.test_solver_truth import CAMERA, WALK, fitted_keypoints, fov_deg, rig_keypoints
from tests.e2e.cli import assert_one_error, leftovers, run_cli
from tests.conftest import POSE2SIM_VIDEO
from tests.groundtruth import angle_rmse_deg, blazepose_like, truth_walk

MIXAMO = RetargetProfile.load("mixamo")


@pytest.fixture(scope="module")
def noise_free():
    walk = truth_walk(WALK, seconds=3, camera=CAMERA)
    track = blazepose_like(walk.keypoints_m, walk.fps, CAMERA, noise_body_heights=0.0, depth_scale=1.0)
    return track, fit_clip(track, fov_deg=fov_deg(CAMERA))


def _fbx_like(clip) -> bpy.types.Object:
    rig = as_imported_from_fbx(add_mixamo_rig(bpy.context, rig_lengths(clip.body)))
    add_mannequin(bpy.context, rig, armature_rest_bones(rig), MIXAMO)
    return rig


def _fbx_round_trip(clip, folder) -> bpy.types.Object:
    """The character written by Blender's FBX exporter and read back with the importer's defaults."""
    _fbx_like(clip)
    path = folder / "character.fbx"
    assert bpy.ops.export_scene.fbx(filepath=str(path), add_leaf_bones=False) == {"FINISHED"}
    bpy.ops.wm.read_factory_settings(use_empty=True)
    assert bpy.ops.import_scene.fbx(filepath=str(path)) == {"FINISHED"}
    (rig,) = [ob for ob in bpy.data.objects if ob.type == "ARMATURE"]
    return rig


@pytest.mark.parametrize("kind", ["fbx_like", "fbx_round_trip"])
def test_a_character_imported_from_fbx_bakes_upright_within_the_truth_bounds(noise_free, kind, tmp_path):
    track, clip = noise_free
    rig = _fbx_like(clip) if kind == "fbx_like" else _fbx_round_trip(clip, tmp_path)
    assert np.allclose(rig.scale, 0.01) and np.isclose(rig.rotation_euler.x, np.pi / 2)  # as Mixamo's import
    result = bake_track(bpy.context, track, rig, clip=clip)
    frames = list(range(result.frame_start, result.frame_end + 1))
    bones = [MIXAMO.bones[part] for part in MIXAMO.bones if part in
             {"pelvis", "head"} | {f"{p}.{s}" for s in "LR" for p in ("thigh", "shin", "foot", "toe", "upper_arm")}]
    segments = bone_segments_world(bpy.context.scene, rig, frames, bones)
    by_part = {part: (segments[:, bones.index(bone), 0], segments[:, bones.index(bone), 1])
               for part, bone in MIXAMO.bones.items() if bone in bones}
    fitted = fitted_keypoints(clip)[clip.valid]
    for name, rmse in angle_rmse_deg(rig_keypoints(by_part), fitted).items():
        assert np.all(rmse <= 1.0), (name, rmse)
    hips = 0.5 * (by_part["thigh.L"][0] + by_part["thigh.R"][0])
    fitted_hips = 0.5 * (fitted[:, KP["left_hip"]] + fitted[:, KP["right_hip"]])
    assert np.abs((hips - hips[0]) - (fitted_hips - fitted_hips[0])).max() <= 0.01
    assert np.all(by_part["head"][0][:, 2] - hips[:, 2] > 0.4)  # upright, not lying on its back
    (body,) = skinned_meshes(rig)
    top_m = max((body.matrix_world @ v.co).z for v in
                body.evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh().vertices)
    assert 1.4 < top_m < 2.0  # the mannequin stands with it
    # exported as FBX and read back, it still walks upright
    middle = frames[len(frames) // 2]
    fbx = export_fbx(bpy.context, rig, tmp_path / "baked.fbx")
    bpy.ops.wm.read_factory_settings(use_empty=True)
    assert bpy.ops.import_scene.fbx(filepath=str(fbx)) == {"FINISHED"}
    (imported,) = [ob for ob in bpy.data.objects if ob.type == "ARMATURE"]
    bpy.context.scene.frame_set(middle)
    world = imported.matrix_world
    head_z = (world @ imported.pose.bones["mixamorig:Head"].head).z
    hips_z = (world @ imported.pose.bones["mixamorig:Hips"].head).z
    assert head_z - hips_z == pytest.approx(by_part["head"][0][len(frames) // 2, 2] - hips[len(frames) // 2, 2], abs=0.02)


def _save_character(path, damage) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    rig = add_mixamo_rig(bpy.context, BodyLengths())
    damage(rig)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))


def _without_left_foot(rig) -> None:
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for name in ("mixamorig:LeftToeBase", "mixamorig:LeftFoot"):
        rig.data.edit_bones.remove(rig.data.edit_bones[name])
    bpy.ops.object.mode_set(mode="OBJECT")


def _mirrored(rig) -> None:
    rig.scale.x = -1.0


@pytest.mark.parametrize("damage, says", [
    (_without_left_foot, "the closest, Mixamo, maps bones the rig has not: mixamorig:LeftFoot"),
    (_mirrored, "is mirrored or scaled unevenly"),
])
def test_a_rig_that_cannot_be_keyed_is_refused_before_the_detection(tmp_path, damage, says):
    character = tmp_path / "character.blend"
    _save_character(character, damage)
    run = run_cli("bake", POSE2SIM_VIDEO, "--onto", character, "--out", tmp_path / "out.blend")
    assert_one_error(run, says)
    assert "frame" not in run.stdout and not (tmp_path / "out.npz").exists()  # no detection ran
    assert leftovers(tmp_path) == []


def test_live_capture_moves_a_character_imported_from_fbx_upright():
    from ras_mocap.blender.live import LiveSession
    from ras_mocap.capture.sources import ReplaySource
    from ras_mocap.capture.tracking import TrackingSettings
    from ras_mocap.capture.worker import CaptureWorker
    from tests.conftest import WALK_SIDE_VIDEO, model_path

    rig = as_imported_from_fbx(add_mixamo_rig(bpy.context, BodyLengths()))
    worker = CaptureWorker(lambda: ReplaySource(WALK_SIDE_VIDEO), TrackingSettings(model_path("lite"), num_poses=1))
    worker.start()
    session = LiveSession(rig, worker, show_preview=False)
    head_above_hips_m, hips = [], []
    try:
        while session.tick():
            if session.frames_posed:
                bpy.context.view_layer.update()
                world = rig.matrix_world
                head = world @ rig.pose.bones["mixamorig:Head"].head
                hip = world @ rig.pose.bones["mixamorig:Hips"].head
                head_above_hips_m.append(head.z - hip.z)
                hips.append(tuple(hip))
            time.sleep(1 / 60)
    finally:
        session.stop()
    assert len(head_above_hips_m) > 20 and min(head_above_hips_m) > 0.4  # standing, not on its back
    assert np.ptp(np.array(hips)[:, :2], axis=0).max() > 0.3  # and walking: the root moves in metres, not 100x


def test_a_bone_map_with_left_and_right_swapped_is_refused(tmp_path, noise_free):
    import json

    from ras_mocap.core.errors import InputError

    track, clip = noise_free
    rig = add_mixamo_rig(bpy.context, rig_lengths(clip.body))
    swapped = {part.replace(".L", ".T").replace(".R", ".L").replace(".T", ".R"): bone for part, bone in MIXAMO.bones.items()}
    path = tmp_path / "swapped.json"
    path.write_text(json.dumps({"name": "swapped", "bones": swapped}))
    with pytest.raises(InputError, match="the toes point backwards"):
        bake_track(bpy.context, track, rig, profile=RetargetProfile.load(path), clip=clip)
    assert rig.animation_data is None or rig.animation_data.action is None  # nothing keyed
