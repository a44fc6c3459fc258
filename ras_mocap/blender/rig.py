"""Generate the RAS rig: a human armature with IK legs and arms and an FK/IK switch."""
from __future__ import annotations

from dataclasses import replace

import bpy
import numpy as np

from ..core.rig_spec import RAS_BONES, BodyLengths, rest_pose
from ..core.armature import RestBone
from ..core.ik_targets import POLE_ANGLE_RAD, RAS_IK_CHAINS
from ..core.retarget import RetargetProfile, rest_joints
from ..core.errors import InputError
from .mannequin import add_mannequin

__all__ = ["add_ras_rig", "armature_rest_bones", "rest_bones", "armature_units", "check_target", "prepare_for_keys",
           "IK_PROPERTIES"]

IK_PROPERTIES = {"ik_legs": "legs", "ik_arms": "arms"}
"""Custom properties on the rig object: 0 = FK (baked rotations), 1 = IK targets drive the limb."""


def _drive_by_property(owner, path: str, rig: bpy.types.Object, prop: str) -> None:
    """Make owner.path follow the rig's custom property (no Python expression needed)."""
    driver = owner.driver_add(path).driver
    driver.type = "AVERAGE"
    var = driver.variables.new()
    var.type = "SINGLE_PROP"
    var.targets[0].id = rig
    var.targets[0].data_path = f'["{prop}"]'


def add_ras_rig(context: bpy.types.Context, lengths: BodyLengths | None = None, name: str = "RAS_Rig",
                mannequin: bool = False) -> bpy.types.Object:
    """Create the RAS rig in the active collection, sized by `lengths`, and make it active; with
    `mannequin`, a mannequin mesh skinned to it (core.mannequin)."""
    lengths = lengths or BodyLengths()
    joints = rest_pose(lengths)
    data = bpy.data.armatures.new(name)
    rig = bpy.data.objects.new(name, data)
    context.collection.objects.link(rig)
    context.view_layer.objects.active = rig
    rig.select_set(True)
    for prop in IK_PROPERTIES:
        rig[prop] = 0.0
        rig.id_properties_ui(prop).update(min=0.0, max=1.0, description=f"FK (0) / IK (1) blend of the {IK_PROPERTIES[prop]}")

    bpy.ops.object.mode_set(mode="EDIT")
    edit_bones = data.edit_bones
    ik_collection = data.collections.new("IK controls")
    for spec in RAS_BONES:
        bone = edit_bones.new(spec.name)
        bone.head, bone.tail = joints[spec.head], joints[spec.tail]
        bone.use_deform = spec.deform
        if spec.parent:
            bone.parent = edit_bones[spec.parent]
            bone.use_connect = bool(np.allclose(edit_bones[spec.parent].tail, bone.head)) and spec.name != "pelvis"
    for chain in RAS_IK_CHAINS:
        end = edit_bones[chain.lower]
        control = edit_bones.new(chain.target)
        control.head, control.tail = end.tail, np.asarray(end.tail) + chain.target_tail_m
        pole_bone = edit_bones.new(chain.pole)
        pole_bone.head = np.asarray(end.head) + chain.pole_offset_m
        pole_bone.tail = np.asarray(pole_bone.head) + (0.0, 0.0, 0.05)
        for control_bone in (control, pole_bone):
            control_bone.parent = edit_bones["root"]
            control_bone.use_deform = False
            ik_collection.assign(control_bone)
    bpy.ops.object.mode_set(mode="OBJECT")

    modes = {spec.name: spec.rotation_mode for spec in RAS_BONES}
    for pose_bone in rig.pose.bones:
        pose_bone.rotation_mode = modes.get(pose_bone.name, "XYZ")
    for chain in RAS_IK_CHAINS:
        ik = rig.pose.bones[chain.lower].constraints.new("IK")
        ik.target, ik.subtarget = rig, chain.target
        ik.pole_target, ik.pole_subtarget = rig, chain.pole
        ik.pole_angle = POLE_ANGLE_RAD
        ik.chain_count = 2
        _drive_by_property(ik, "influence", rig, chain.switch)
    if mannequin:
        add_mannequin(context, rig, armature_rest_bones(rig), RetargetProfile.load("ras"))
    return rig


def prepare_for_keys(rig: bpy.types.Object, profile: RetargetProfile) -> None:
    """Make a rig take the solver's keys: the profile's switches set (e.g. Rigify limbs to FK),
    and its driven bones that rotate by quaternion or axis-angle switched to Euler (keyed_modes).
    Nothing changes if a switch's bone is missing (InputError)."""
    missing = [name for name in profile.properties if rig.pose.bones.get(name) is None]
    if missing:
        raise InputError(f"the rig has no bone {', '.join(missing)} whose switches the {profile.name} profile sets")
    for bone_name, values in profile.properties.items():
        for prop, value in values.items():
            rig.pose.bones[bone_name][prop] = value
    rig.update_tag()
    for name, mode in keyed_modes(rig, profile).items():
        rig.pose.bones[name].rotation_mode = mode


def keyed_modes(rig: bpy.types.Object, profile: RetargetProfile | None) -> dict[str, str]:
    """The rotation mode each bone has once prepare_for_keys ran: the profile's driven bones that
    rotate by quaternion or axis-angle become YXZ if they point up (they turn about their own Y),
    else XYZ; every other bone keeps its own."""
    modes = {bone.name: bone.rotation_mode for bone in rig.pose.bones}
    for name in profile.bones.values() if profile else ():
        pose_bone = rig.pose.bones.get(name)
        if pose_bone is not None and pose_bone.rotation_mode in {"QUATERNION", "AXIS_ANGLE"}:
            modes[name] = "YXZ" if abs(pose_bone.bone.vector.normalized().z) > 0.7 else "XYZ"
    return modes


def armature_rest_bones(rig: bpy.types.Object, profile: RetargetProfile | None = None) -> list[RestBone]:
    """The armature's bones at rest in its own space and units (bone.matrix_local), parents
    before children; their rotation modes as keyed through `profile` (see keyed_modes)."""
    modes = keyed_modes(rig, profile)
    return [
        RestBone(
            name=bone.name,
            parent=bone.parent.name if bone.parent else None,
            matrix=np.array(bone.matrix_local.to_3x3()),
            head_m=np.array(bone.head_local),
            length_m=bone.length,
            rotation_mode=modes[bone.name],
        )
        for bone in _parents_first(rig.data.bones)
    ]


def armature_scale(rig: bpy.types.Object) -> tuple[np.ndarray, float]:
    """The rig object's world rotation and its uniform scale (metres per armature unit):
    a character imported from FBX keeps Y-up bones under a 90 degree turn and a 0.01 scale.
    InputError for a mirrored, sheared or unevenly scaled object, which no rotation keys follow."""
    linear = np.array(rig.matrix_world.to_3x3())
    scales = np.linalg.norm(linear, axis=0)
    rotation = linear / scales
    if np.linalg.det(linear) <= 0 or np.ptp(scales) > 0.01 * scales.max() or not np.allclose(
            rotation.T @ rotation, np.eye(3), atol=1e-4):
        raise InputError(f"the rig {rig.name} is mirrored or scaled unevenly (scale {', '.join(f'{v:g}' for v in scales)}): "
                         "bone rotations cannot follow a body through it; apply the scale (Ctrl A) or make it uniform")
    return rotation, float(scales.mean())


def rest_bones(rig: bpy.types.Object, profile: RetargetProfile | None = None) -> list[RestBone]:
    """The bones as the solver takes them: at rest, turned and scaled as the object is, in
    metres, about the object's origin (the solver's targets are in the world, z up). Bone-local
    rotations are the same in either frame; pose locations are divided by the scale when keyed
    (armature_units)."""
    rotation, scale = armature_scale(rig)
    return [replace(bone, matrix=rotation @ bone.matrix, head_m=scale * rotation @ bone.head_m,
                    length_m=scale * bone.length_m) for bone in armature_rest_bones(rig, profile)]


def armature_units(rig: bpy.types.Object, location_m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Pose-bone locations solved in metres (rest_bones) in the rig's own units."""
    _rotation, scale = armature_scale(rig)
    return {name: values / scale for name, values in location_m.items()}


def check_target(rig: bpy.types.Object, profile: RetargetProfile | None) -> RetargetProfile:
    """The profile that keys `rig` (the given one, else the bundled one whose bones it has),
    checked before any detection: InputError naming the bones it lacks, or saying why its
    transform or rest pose cannot be read (mirrored, left and right bones the wrong way round)."""
    names = {bone.name for bone in rig.data.bones}
    profile = profile or RetargetProfile.matching(names)
    profile.check(names)
    joints = rest_joints({bone.name: bone for bone in rest_bones(rig, profile)}, profile)
    up = joints["neck_base"] - joints["mid_hip"]
    left = joints["hip.L"] - joints["hip.R"]
    toes = sum(joints[f"toe_tip.{s}"] - joints[f"ankle.{s}"] for s in ("L", "R"))
    if np.dot(np.cross(left, up), toes) <= 0:
        raise InputError(f"in the rig {rig.name}, the toes point backwards from the {profile.name} profile's "
                         f"left and right ({profile.bones['thigh.L']} is on the body's right): the left and right "
                         "bone names of the map are swapped, or the rig is mirrored")
    return profile


def _parents_first(bones) -> list:
    ordered, seen = [], set()

    def visit(bone):
        if bone.name in seen:
            return
        if bone.parent:
            visit(bone.parent)
        seen.add(bone.name)
        ordered.append(bone)

    for bone in bones:
        visit(bone)
    return ordered
