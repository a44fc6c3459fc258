"""The mannequin mesh in Blender: core.mannequin's capsules as one mesh object, a child of the
rig, skinned by vertex groups (weight 1 per segment) through an Armature modifier, so it moves
with every bake and exports as a skinned mesh with FBX and glTF."""
from __future__ import annotations

import bpy
import numpy as np

from ..core.armature import RestBone
from ..core.mannequin import mannequin_mesh
from ..core.retarget import RetargetProfile, rest_joints

__all__ = ["add_mannequin", "skinned_meshes"]

_COLOUR = (0.62, 0.66, 0.72, 1.0)


def add_mannequin(context: bpy.types.Context, rig: bpy.types.Object, bones: list[RestBone],
                  profile: RetargetProfile) -> bpy.types.Object:
    """A mannequin for `rig`, whose `bones` at rest (armature space) are body parts through
    `profile`: in the rig's collections, parented to it and bound to its bones."""
    joints = rest_joints({bone.name: bone for bone in bones}, profile)
    leg_m = float(np.linalg.norm(joints["knee.L"] - joints["hip.L"]) + np.linalg.norm(joints["ankle.L"] - joints["knee.L"]))
    shape = mannequin_mesh(bones, profile, leg_m)
    mesh = bpy.data.meshes.new(f"{rig.name}_Mannequin")
    mesh.from_pydata(shape.vertices.tolist(), [], shape.faces)
    mesh.validate()
    mesh.shade_smooth()
    material = bpy.data.materials.new(f"{mesh.name}_Skin")
    material.diffuse_color = _COLOUR
    mesh.materials.append(material)
    body = bpy.data.objects.new(mesh.name, mesh)
    for collection in rig.users_collection or (context.collection,):
        collection.objects.link(body)
    body.parent = rig
    owners = np.array(shape.vertex_bone)
    for bone_name in dict.fromkeys(shape.vertex_bone):
        body.vertex_groups.new(name=bone_name).add(np.flatnonzero(owners == bone_name).tolist(), 1.0, "REPLACE")
    modifier = body.modifiers.new("Armature", "ARMATURE")
    modifier.object = rig
    return body


def skinned_meshes(rig: bpy.types.Object) -> list[bpy.types.Object]:
    """The mesh objects an Armature modifier binds to `rig` (what exporters take along)."""
    return [ob for ob in bpy.data.objects if ob.type == "MESH"
            and any(m.type == "ARMATURE" and m.object == rig for m in ob.modifiers)]
