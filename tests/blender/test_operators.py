"""The panel's operators through bpy.ops on the real bpy, real model and real footage: Bake from
Video (same action as the CLI, one undo step, cancel keeps the user's animation), Export, and
Download Model (against a loopback server; offline refused)."""
from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time

import bpy
import numpy as np
import pytest

from ras_mocap.blender import running
from ras_mocap.blender.video_bake import VideoBake
from ras_mocap.capture.tracking import TrackingSettings
from ras_mocap.core.progress import Cancelled
from tests.conftest import POSE2SIM_VIDEO, REPO, model_path

END_FRAME = 40


def _action_curves(action) -> dict[tuple[str, int], np.ndarray]:
    from ras_mocap.blender.compat import action_fcurves

    rig = next(ob for ob in bpy.data.objects if ob.type == "ARMATURE")
    curves = action_fcurves(action, rig)
    out = {}
    for curve in curves:
        co = np.empty(2 * len(curve.keyframe_points), dtype=np.float32)
        curve.keyframe_points.foreach_get("co", co)
        out[(curve.data_path, curve.array_index)] = co.reshape(-1, 2)
    return out


def _set_video(settings) -> None:
    settings.video_path, settings.frame_end, settings.num_poses = str(POSE2SIM_VIDEO), END_FRAME, 1


def test_bake_operator_makes_the_same_action_as_the_cli(tmp_path, addon):
    env_model = {"RAS_MOCAP_MODEL": str(model_path("lite")), "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "ras_mocap", "bake", POSE2SIM_VIDEO, "--end", str(END_FRAME),
                          "--num-poses", "1", "--out", tmp_path / "cli.blend"], capture_output=True, text=True,
                         env={**__import__("os").environ, **env_model})
    assert run.returncode == 0, run.stderr[-2000:]
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "cli.blend"))
    cli = _action_curves(bpy.data.actions[0])

    bpy.ops.wm.read_factory_settings(use_empty=True)
    _set_video(bpy.context.scene.ras_mocap)
    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
    assert [a.name for a in bpy.data.actions] == ["pose2sim_single_cam01_mocap"]
    ours = _action_curves(bpy.data.actions[0])
    assert len(cli) > 60 and cli.keys() == ours.keys()
    for key, co in cli.items():
        np.testing.assert_allclose(ours[key], co, atol=1e-5, err_msg=str(key))


def test_a_bake_is_one_undo_step(addon):
    """The operator is an UNDO operator that changes data only when it finishes, so the one step
    Blender pushes then (pushed here by hand: background mode does not) takes the whole bake back."""
    from ras_mocap.blender.ops.bake_video import RASMOCAP_OT_bake_video

    assert "UNDO" in RASMOCAP_OT_bake_video.bl_options
    _set_video(addon)
    bpy.ops.ed.undo_push(message="before the bake")
    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
    bpy.ops.ed.undo_push(message="Bake from Video")
    assert len(bpy.data.actions) == 1 and len(bpy.data.armatures) == 1
    bpy.ops.ed.undo()
    assert len(bpy.data.actions) == 0 and len(bpy.data.armatures) == 0


def test_a_second_bake_pushes_the_first_take_to_the_nla(addon):
    _set_video(addon)
    bpy.ops.ras_mocap.bake_video()
    rig = bpy.context.scene.objects["RAS_Rig"]
    first = rig.animation_data.action
    addon.target_rig, addon.frame_end = rig, 20
    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
    assert rig.animation_data.action is not first
    tracks = rig.animation_data.nla_tracks
    assert len(tracks) == 1 and tracks[0].mute and tracks[0].strips[0].action is first


def test_cancelling_a_bake_leaves_the_rigs_animation_as_it_was(addon):
    """What Esc does in the modal operator: the worker stopped mid-video, nothing keyed."""
    bpy.ops.ras_mocap.add_rig()
    rig = bpy.context.active_object
    rig.animation_data_create().action = mine = bpy.data.actions.new("my_walk")
    job = VideoBake(POSE2SIM_VIDEO, TrackingSettings(model_path("lite"), num_poses=1))
    job.start()
    running.add(job)
    while job.frames_done < 5:
        job.tick()
        time.sleep(0.01)
    job.stop()
    running.remove(job)
    assert not job.worker.running and 5 <= job.frames_done < 100
    assert rig.animation_data.action is mine and [a.name for a in bpy.data.actions] == ["my_walk"]


def test_the_fit_runs_off_the_main_thread_and_cancels(addon):
    """Phase 3: the fit runs on its own thread while ticks return at once; Esc then stops it
    within a step, nothing is keyed and no thread is left."""
    job = VideoBake(POSE2SIM_VIDEO, TrackingSettings(model_path("lite"), num_poses=1), end_frame=END_FRAME)
    job.start()
    running.add(job)
    while not job.status.startswith("Fitting"):
        assert job.tick()
        time.sleep(0.005)
    assert job.tick()  # the fit goes on while the main thread ticks
    job.stop()
    running.remove(job)
    assert not job.worker.running
    with pytest.raises(Cancelled, match="fitting cancelled after"):  # stopped mid-fit: it was still running
        job.clip()
    assert not bpy.data.actions and len(bpy.data.objects) == 0


def test_bad_video_is_reported_and_nothing_changes(addon, tmp_path):
    addon.video_path = str(tmp_path / "missing.mp4")
    with pytest.raises(RuntimeError, match="video file not found"):
        bpy.ops.ras_mocap.bake_video()
    assert len(bpy.data.objects) == 0 and running.jobs() == []


def test_a_height_no_person_has_is_refused_before_the_detection(addon):
    _set_video(addon)
    addon.body_height_m = 0.3
    with pytest.raises(RuntimeError, match="height lies between 0.5 and 2.5 m"):
        bpy.ops.ras_mocap.bake_video()
    assert len(bpy.data.objects) == 0 and running.jobs() == []


@pytest.mark.parametrize("file_format", ["BVH", "FBX", "GLTF"])
def test_export_through_blenders_exporters(addon, tmp_path, file_format):
    _set_video(addon)
    addon.frame_end = 20
    bpy.ops.ras_mocap.bake_video()
    bpy.ops.mesh.primitive_cube_add()  # something else in the scene, selected: not exported
    cube = bpy.context.active_object
    rig = bpy.context.scene.objects["RAS_Rig"]
    with bpy.context.temp_override(active_object=rig, object=rig):
        export = getattr(bpy.ops.ras_mocap, f"export_{file_format.lower()}")
        assert export(filepath=str(tmp_path / "walk")) == {"FINISHED"}
    assert cube.select_get()  # the user's selection is back
    path = next(tmp_path.glob("walk.*"))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    importer = {"BVH": bpy.ops.import_anim.bvh, "FBX": bpy.ops.import_scene.fbx, "GLTF": bpy.ops.import_scene.gltf}
    importer[file_format](filepath=str(path))
    imported = [ob for ob in bpy.data.objects if ob.type == "ARMATURE"]
    assert len(imported) == 1 and not bpy.data.meshes.get("Cube")  # (glTF's importer adds a bone-shape mesh)
    action = imported[0].animation_data.action
    first, last = action.frame_range
    scene = bpy.context.scene
    importer_fps = scene.render.fps / scene.render.fps_base if file_format == "GLTF" else 60  # glTF keeps seconds
    assert (last - first) / importer_fps == pytest.approx(19 / 60, abs=1 / 60)  # the 20 frames baked at 60 fps


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_model_needs_online_access_and_fetches_a_checked_bundle(tmp_path, monkeypatch, addon):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no preferences: the user cache
    serve = tmp_path / "served"
    serve.mkdir()
    (serve / "model.task").write_bytes(model_path("lite").read_bytes())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(serve)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/model.task"
    system = bpy.context.preferences.system
    try:
        system.use_online_access = False
        with pytest.raises(RuntimeError, match="Allow Online Access"):
            bpy.ops.ras_mocap.download_model(url=url)
        system.use_online_access = True
        assert bpy.ops.ras_mocap.download_model(url=url) == {"FINISHED"}
        saved = tmp_path / "cache" / "ras_mocap" / "models" / "pose_landmarker_full.task"
        assert saved.read_bytes() == model_path("lite").read_bytes()
        with pytest.raises(RuntimeError, match="could not download"):
            bpy.ops.ras_mocap.download_model(url=url.replace("model.task", "missing.task"))
    finally:
        system.use_online_access = False
        server.shutdown()
        thread.join()


def test_a_take_records_its_settings_on_its_action(addon):
    import json

    from ras_mocap.blender.bake import SETTINGS_PROPERTY

    _set_video(addon)
    addon.cutoff_hz, addon.fix_swaps, addon.body_height_m = 4.0, False, 1.7
    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
    recorded = json.loads(bpy.context.active_object.animation_data.action[SETTINGS_PROPERTY])
    assert recorded["model"] == "pose_landmarker_lite.task"
    assert recorded["cleaning"]["cutoff_hz"] == 4.0 and recorded["cleaning"]["fix_swaps"] is False
    assert recorded["body_height_m"] == pytest.approx(1.7) and recorded["fov_deg"] is None


def test_the_file_pickers_take_only_what_they_can_read(addon, tmp_path):
    bad_map, good_map = tmp_path / "bad.json", tmp_path / "mine.json"
    bad_map.write_text('{"bones": {"pelvis": "hips"}}')
    good_map.write_text((REPO / "ras_mocap" / "core" / "profiles" / "mixamo.json").read_text())
    with pytest.raises(RuntimeError, match="maps no bone to"):
        bpy.ops.ras_mocap.choose_bone_map(filepath=str(bad_map))
    assert addon.profile == "AUTO" and addon.profile_path == ""
    assert bpy.ops.ras_mocap.choose_bone_map(filepath=str(good_map)) == {"FINISHED"}
    assert (addon.profile, addon.profile_path) == ("CUSTOM", str(good_map))
    # (the model picker writes the add-on's preferences, which a module registration has not: it is off)
    assert not bpy.ops.ras_mocap.choose_model_file.poll()


def test_the_exports_use_blenders_file_browser_helper():
    from bpy_extras.io_utils import ExportHelper

    from ras_mocap.blender.ops.export_animation import EXPORT_OPERATORS

    assert [op.filename_ext for op in EXPORT_OPERATORS] == [".bvh", ".fbx", ".glb"]
    assert all(issubclass(op, ExportHelper) for op in EXPORT_OPERATORS)
