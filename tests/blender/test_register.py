"""The add-on registers and unregisters cleanly, twice in a row."""
from __future__ import annotations

import bpy
import pytest

import ras_mocap
from ras_mocap.blender import classes


def test_register_unregister_twice_leaves_nothing_behind():
    for _ in range(2):
        ras_mocap.register()
        for panel in ("main", "source", "rig", "live", "bake", "gait", "export"):
            assert getattr(bpy.types, f"RASMOCAP_PT_{panel}").bl_category == "RAS Mocap"
        for op in ("bake_video", "find_people", "add_rig", "start_capture", "stop_capture", "find_cameras",
                   "download_model", "export_bvh", "export_fbx", "export_gltf", "gait_analysis",
                   "choose_bone_map", "choose_model_file"):
            assert hasattr(bpy.ops.ras_mocap, op), op
        assert hasattr(bpy.types.Scene, "ras_mocap")
        ras_mocap.unregister()
        assert not any(getattr(bpy.types, cls.__name__, None) is cls for cls in classes)
        assert not hasattr(bpy.types.Scene, "ras_mocap")
        assert not hasattr(bpy.types, "RASMOCAP_PT_main")


def test_add_rig_operator_builds_an_ik_rig():
    ras_mocap.register()
    try:
        assert bpy.ops.ras_mocap.add_rig() == {"FINISHED"}
        rig = bpy.context.active_object
        assert rig.type == "ARMATURE"
        for side in ("L", "R"):
            ik = rig.pose.bones[f"shin.{side}"].constraints["IK"]
            assert (ik.subtarget, ik.pole_subtarget, ik.chain_count) == (f"foot_ik.{side}", f"knee_pole.{side}", 2)
            assert rig.pose.bones[f"forearm.{side}"].constraints["IK"].subtarget == f"hand_ik.{side}"
        torso = {"pelvis", "spine", "chest", "neck", "head"}
        assert all(pb.rotation_mode == ("YXZ" if pb.name in torso else "XYZ") for pb in rig.pose.bones)
        # the FK/IK switch drives the constraint
        rig["ik_legs"] = 1.0
        rig.update_tag()
        bpy.context.scene.frame_set(bpy.context.scene.frame_current)
        assert rig.pose.bones["shin.L"].constraints["IK"].influence == 1.0
    finally:
        ras_mocap.unregister()


def test_bake_operator_keys_the_target_rig_through_a_custom_map(tmp_path, monkeypatch):
    """The panel's Rig box: a target armature and a JSON bone map of the user's own."""
    import json

    from ras_mocap.core.retarget import PROFILE_DIR
    from ras_mocap.core.rig_spec import BodyLengths
    from tests.blender.mixamo_rig import add_mixamo_rig
    from tests.conftest import POSE2SIM_VIDEO, model_path

    ras_mocap.register()
    try:
        rig = add_mixamo_rig(bpy.context, BodyLengths(), name="Hero")
        custom = json.loads((PROFILE_DIR / "mixamo.json").read_text())
        custom["name"] = "my map"
        (tmp_path / "map.json").write_text(json.dumps(custom))
        settings = bpy.context.scene.ras_mocap
        settings.video_path, settings.frame_end, settings.num_poses = str(POSE2SIM_VIDEO), 10, 1
        settings.target_rig, settings.profile, settings.profile_path = rig, "CUSTOM", str(tmp_path / "map.json")
        monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("lite")))  # no add-on preferences here
        assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
        assert rig.animation_data.action is not None
        assert len(bpy.data.armatures) == 1  # no new RAS rig: the target was keyed
        settings.profile_path = str(tmp_path / "missing.json")
        with pytest.raises(RuntimeError, match="not a retarget profile"):
            bpy.ops.ras_mocap.bake_video()
    finally:
        ras_mocap.unregister()
