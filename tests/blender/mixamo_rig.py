"""A Mixamo-named armature built in the test: T-pose arms, an extra spine bone, rolled bones."""
from __future__ import annotations

import math

import bpy
import numpy as np

from ras_mocap.core.rig_spec import BodyLengths, rest_pose


def add_mixamo_rig(context, lengths: BodyLengths, name: str = "Mixamo") -> bpy.types.Object:
    j = rest_pose(lengths)
    spine_1 = 0.5 * (j["spine_mid"] + j["neck_base"])
    specs = [  # name, parent, head, tail, roll (deg)
        ("Hips", None, j["mid_hip"], j["spine_base"], 0),
        ("Spine", "Hips", j["spine_base"], j["spine_mid"], 30),
        ("Spine1", "Spine", j["spine_mid"], spine_1, -30),
        ("Spine2", "Spine1", spine_1, j["neck_base"], 60),
        ("Neck", "Spine2", j["neck_base"], j["head_base"], 0),
        ("Head", "Neck", j["head_base"], j["head_top"], 45),
    ]
    for side, prefix, sign in (("L", "Left", 1.0), ("R", "Right", -1.0)):
        shoulder = j[f"shoulder.{side}"]
        out = np.array([sign, 0.0, 0.0])  # T-pose: arms straight out to the side
        elbow = shoulder + out * lengths.upper_arm_m
        wrist = elbow + out * lengths.forearm_m
        specs += [
            (f"{prefix}Shoulder", "Spine2", j["neck_base"] + out * 0.03, shoulder, 0),
            (f"{prefix}Arm", f"{prefix}Shoulder", shoulder, elbow, 90 * sign),
            (f"{prefix}ForeArm", f"{prefix}Arm", elbow, wrist, -90 * sign),
            (f"{prefix}Hand", f"{prefix}ForeArm", wrist, wrist + out * lengths.hand_m, 180),
            (f"{prefix}UpLeg", "Hips", j[f"hip.{side}"], j[f"knee.{side}"], 90),
            (f"{prefix}Leg", f"{prefix}UpLeg", j[f"knee.{side}"], j[f"ankle.{side}"], -45),
            (f"{prefix}Foot", f"{prefix}Leg", j[f"ankle.{side}"], j[f"ball.{side}"], 20),
            (f"{prefix}ToeBase", f"{prefix}Foot", j[f"ball.{side}"], j[f"toe_tip.{side}"], 0),
        ]
    data = bpy.data.armatures.new(name)
    rig = bpy.data.objects.new(name, data)
    context.collection.objects.link(rig)
    context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for bone_name, parent, head, tail, roll_deg in specs:
        bone = data.edit_bones.new(f"mixamorig:{bone_name}")
        bone.head, bone.tail, bone.roll = head, tail, math.radians(roll_deg)
        if parent:
            bone.parent = data.edit_bones[f"mixamorig:{parent}"]
    bpy.ops.object.mode_set(mode="OBJECT")
    for pose_bone in rig.pose.bones:
        pose_bone.rotation_mode = "YXZ" if pose_bone.name.endswith(("Hips", "Spine", "Spine1", "Spine2", "Neck", "Head")) else "XYZ"
    return rig


def as_imported_from_fbx(rig: bpy.types.Object) -> bpy.types.Object:
    """The rig rebuilt as Blender's FBX importer leaves a Mixamo character: bone data Y-up in
    centimetres, the object turned 90 degrees about X and scaled 0.01, so it looks the same."""
    from mathutils import Matrix

    to_fbx = Matrix.Scale(100.0, 4) @ Matrix.Rotation(-math.pi / 2, 4, "X")
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for bone in rig.data.edit_bones:
        bone.transform(to_fbx, scale=True, roll=True)
    bpy.ops.object.mode_set(mode="OBJECT")
    rig.rotation_mode = "XYZ"
    rig.rotation_euler = (math.pi / 2, 0.0, 0.0)
    rig.scale = (0.01, 0.01, 0.01)
    bpy.context.view_layer.update()
    return rig
