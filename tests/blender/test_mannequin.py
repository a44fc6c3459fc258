"""The mannequin: skinned to the rig, moving with a bake, exported with FBX and glTF."""
from __future__ import annotations

import json
import struct

import bpy
import numpy as np
import pytest

from ras_mocap.blender.bake import bake_track
from ras_mocap.blender.export import export_fbx, export_gltf
from ras_mocap.blender.mannequin import skinned_meshes
from ras_mocap.blender.rig import add_ras_rig
from ras_mocap.core.track import Track
from tests.conftest import REPO

WALK_TRACK = REPO / "tests" / "data" / "sports2d_tracks" / "defaults_35_120.npz"  # a real walk


def _bone_of_each_vertex(body: bpy.types.Object) -> list[str]:
    names = {group.index: group.name for group in body.vertex_groups}
    owners = []
    for vertex in body.data.vertices:
        assert len(vertex.groups) == 1 and vertex.groups[0].weight == 1.0, vertex.index
        owners.append(names[vertex.groups[0].group])
    return owners


def test_add_ras_rig_makes_a_closed_mesh_bound_to_every_deforming_bone():
    rig = add_ras_rig(bpy.context, mannequin=True)
    (body,) = skinned_meshes(rig)
    assert body.parent == rig and body.modifiers["Armature"].object == rig
    owners = _bone_of_each_vertex(body)
    deforming = {bone.name for bone in rig.data.bones if bone.use_deform}
    assert set(owners) == deforming - {"clavicle.L", "clavicle.R"}  # the shoulders sit on the chest's capsule
    edges_used = {}
    for polygon in body.data.polygons:
        for edge in polygon.edge_keys:
            edges_used[edge] = edges_used.get(edge, 0) + 1
    assert set(edges_used.values()) == {2}  # closed: every edge between two faces
    z = np.array([v.co.z for v in body.data.vertices])
    assert -0.02 < z.min() < 0.0 and 1.75 < z.max() <= 1.80 + 1e-6  # feet on the floor, the head at the rig's top
    assert add_ras_rig(bpy.context, mannequin=False) not in {ob.parent for ob in bpy.data.objects if ob.type == "MESH"}


def test_the_mannequin_moves_with_the_bake_as_its_bones_do():
    result = bake_track(bpy.context, Track.load(WALK_TRACK))
    rig = bpy.data.objects[result.rig_name]
    (body,) = skinned_meshes(rig)
    owners = np.array(_bone_of_each_vertex(body))
    rest = np.array([v.co for v in body.data.vertices])
    scene = bpy.context.scene
    moved = []
    for frame in (result.frame_start + 10, (result.frame_start + result.frame_end) // 2, result.frame_end - 10):
        scene.frame_set(frame)
        evaluated = body.evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh()
        posed = np.array([v.co for v in evaluated.vertices])
        body.evaluated_get(bpy.context.evaluated_depsgraph_get()).to_mesh_clear()
        for name in ("shin.L", "forearm.R", "head"):
            pose_bone = rig.pose.bones[name]
            skin = np.array(pose_bone.matrix @ pose_bone.bone.matrix_local.inverted())
            mine = owners == name
            expected = rest[mine] @ skin[:3, :3].T + skin[:3, 3]
            assert np.abs(posed[mine] - expected).max() < 1e-4, (frame, name)
        moved.append(posed)
    assert np.linalg.norm(moved[0] - moved[2], axis=1).max() > 0.3  # she walks across


def test_fbx_and_gltf_carry_the_skinned_mannequin(tmp_path):
    result = bake_track(bpy.context, Track.load(WALK_TRACK))
    rig = bpy.data.objects[result.rig_name]
    (body,) = skinned_meshes(rig)
    glb = export_gltf(bpy.context, rig, tmp_path / "walk.glb")
    length = struct.unpack_from("<I", glb.read_bytes(), 12)[0]
    gltf = json.loads(glb.read_bytes()[20:20 + length])
    (mesh,) = gltf["meshes"]
    assert all({"JOINTS_0", "WEIGHTS_0"} <= set(p["attributes"]) for p in mesh["primitives"])
    (skin,) = gltf["skins"]
    joint_names = {gltf["nodes"][j]["name"] for j in skin["joints"]}
    assert {group.name for group in body.vertex_groups} <= joint_names
    assert gltf["animations"] and any(n.get("mesh") == 0 and n.get("skin") == 0 for n in gltf["nodes"])

    fbx = export_fbx(bpy.context, rig, tmp_path / "walk.fbx")
    vertices, groups = len(body.data.vertices), {group.name for group in body.vertex_groups}
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.fbx(filepath=str(fbx))
    (armature,) = [ob for ob in bpy.data.objects if ob.type == "ARMATURE"]
    (imported,) = skinned_meshes(armature)
    assert len(imported.data.vertices) == vertices
    assert {group.name for group in imported.vertex_groups} == groups <= {bone.name for bone in armature.data.bones}
    assert armature.animation_data and armature.animation_data.action


@pytest.mark.parametrize("flag, meshes", [((), 1), (("--no-mannequin",), 0)])
def test_the_rig_command_adds_the_mannequin_unless_asked_not_to(tmp_path, flag, meshes):
    from tests.e2e.cli import run_cli

    out = tmp_path / "rig.blend"
    run = run_cli("rig", "--out", out, *flag)
    assert run.returncode == 0, run.stderr
    bpy.ops.wm.open_mainfile(filepath=str(out))
    assert len([ob for ob in bpy.data.objects if ob.type == "MESH"]) == meshes
