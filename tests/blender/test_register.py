"""The add-on registers and unregisters cleanly, twice in a row."""
from __future__ import annotations

import bpy

import ras_mocap
from ras_mocap.blender import classes


def test_register_unregister_twice_leaves_nothing_behind():
    for _ in range(2):
        ras_mocap.register()
        assert hasattr(bpy.types, "RASMOCAP_PT_main")
        assert hasattr(bpy.ops.ras_mocap, "bake_video") and hasattr(bpy.ops.ras_mocap, "add_rig")
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
