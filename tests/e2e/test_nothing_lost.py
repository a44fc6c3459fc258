"""Bad inputs, faults and Ctrl-C through the real CLI (subprocesses, real bpy, real model): each
case exits with its status and one `error:` line, no traceback, the previous file intact and no
temporary file left (issue 14)."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ras_mocap.core.track import Track
from tests.conftest import POSE2SIM_VIDEO, SPORTS2D_VIDEO, model_path
from tests.e2e.cli import Watched, assert_one_error, leftovers, run_cli, start_cli

PREVIOUS = b"the user's previous file\n"
DATA = Path(__file__).resolve().parents[1] / "data"
WALK_TRACK = DATA / "sports2d_tracks" / "defaults_35_120.npz"  # a real walk (Sports2D, full model)


@pytest.fixture(scope="module")
def saved_track(tmp_path_factory, pose2sim_track) -> Path:
    return pose2sim_track.save(tmp_path_factory.mktemp("tracks") / "take.npz")


@pytest.fixture
def small_disk(tmp_path):
    """A 16 KB file system (tmpfs) holding one previous file, as a disk about to fill up."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("output", ["blend", "bvh", "track", "report"])
def test_a_full_disk_leaves_the_previous_file_whole(small_disk, saved_track, tmp_path, output):
    previous = small_disk / {"blend": "out.blend", "bvh": "out.bvh", "track": "out.npz", "report": "summary.json"}[output]
    previous.write_bytes(PREVIOUS)
    args = {
        "blend": ("bake", saved_track, "--out", previous),
        "bvh": ("bake", saved_track, "--out", tmp_path / "fine.blend", "--bvh", previous),
        "track": ("track", POSE2SIM_VIDEO, "--num-poses", "1", "--end", "60", "--model-path", model_path("lite"),
                  "--out", previous),
        "report": ("gait", WALK_TRACK, "--report", small_disk),
    }[output]
    run = run_cli(*args)
    assert_one_error(run, "No space left on device")
    assert previous.read_bytes() == PREVIOUS
    assert leftovers(small_disk) == []


def test_outputs_are_named_as_written_and_refused_before_the_work(tmp_path, saved_track):
    clip = tmp_path / "clip.npz"
    shutil.copy(saved_track, clip)
    refused = run_cli("bake", POSE2SIM_VIDEO, "--out", clip, env_model=model_path("lite"))
    assert_one_error(refused, "must end in .blend")
    assert clip.read_bytes() == saved_track.read_bytes() and "tracking" not in refused.stderr
    (tmp_path / "folder.npz").mkdir()
    assert_one_error(run_cli("track", POSE2SIM_VIDEO, "--out", tmp_path / "folder.npz", env_model=model_path("lite")),
                     "is a folder")
    named = run_cli("track", POSE2SIM_VIDEO, "--num-poses", "1", "--end", "10", "--out", tmp_path / "t",
                    env_model=model_path("lite"))
    assert named.returncode == 0, named.stderr[-3000:]
    assert f"track: {tmp_path / 't.npz'}" in named.stdout and len(Track.load(tmp_path / "t.npz")) == 10
    assert leftovers(tmp_path) == []


def test_a_bake_records_the_track_it_wrote_relative_to_the_blend(tmp_path):
    import bpy

    from ras_mocap.blender.bake import TRACK_PROPERTY, track_path_of

    run = run_cli("bake", POSE2SIM_VIDEO, "--num-poses", "1", "--end", "30", "--track", tmp_path / "tracks" / "mytrack",
                  "--out", tmp_path / "shot.blend", env_model=model_path("lite"))
    assert run.returncode == 0, run.stderr[-3000:]
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "shot.blend"))
    action = next(iter(bpy.data.actions))
    assert action[TRACK_PROPERTY] == "//tracks/mytrack.npz"
    assert track_path_of(action) == tmp_path / "tracks" / "mytrack.npz" and len(Track.load(track_path_of(action))) == 30


@pytest.mark.once
def test_two_bakes_to_one_file_leave_one_whole_result(tmp_path, saved_track):
    from ras_mocap.blender.export import check_blend

    out = tmp_path / "out.blend"
    for _ in range(2):
        both = [start_cli("bake", saved_track, "--out", out) for _ in range(2)]
        for process in both:
            process.communicate(timeout=300)
            assert process.returncode == 0
        check_blend(out)
        assert leftovers(tmp_path) == [] and not (tmp_path / "out.blend1").exists()


def _one_frame_track(track: Track) -> Track:
    kept = np.arange(len(track)) == len(track) // 2
    nan = np.where(kept[:, None, None], track.image_xyz, np.nan)
    return replace(track, found=track.found & kept, image_xyz=nan, visibility=np.where(kept[:, None], track.visibility, 0),
                   world_xyz_m=np.where(kept[:, None, None], track.world_xyz_m, np.nan))


def _write_npz(path: Path, track: Track, **changed) -> Path:
    """A track file with some of its fields replaced (as another program, or damage, leaves it)."""
    fields = dict(format_version=1, frame_index=track.frame_index, time_s=track.time_s, found=track.found,
                  image_xyz=track.image_xyz, visibility=track.visibility, presence=track.presence,
                  world_xyz_m=track.world_xyz_m, fps=track.fps, image_size_px=np.asarray(track.image_size_px),
                  meta_json=json.dumps(track.meta))
    np.savez(path, **{**fields, **changed})
    return path


def _swapped_bundle(path: Path) -> Path:
    """The lite bundle with its two networks' names exchanged."""
    with zipfile.ZipFile(model_path("lite")) as bundle, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        out.writestr("pose_detector.tflite", bundle.read("pose_landmarks_detector.tflite"))
        out.writestr("pose_landmarks_detector.tflite", bundle.read("pose_detector.tflite"))
    return path


def test_bad_inputs_give_one_error_line(tmp_path, pose2sim_track, saved_track):
    import bpy

    track = pose2sim_track
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(saved_track.read_bytes()[: saved_track.stat().st_size // 2])
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "whole.blend"), copy=True)
    half_blend = tmp_path / "half.blend"
    half_blend.write_bytes((tmp_path / "whole.blend").read_bytes()[:-2000])
    text_blend = tmp_path / "notes.blend"
    text_blend.write_text("not a blend")
    regular = tmp_path / "regular_file"
    regular.write_text("x")
    no_legs = tmp_path / "no_legs.json"
    ras = json.loads((Path(__file__).parents[2] / "ras_mocap" / "core" / "profiles" / "ras.json").read_text())
    no_legs.write_text(json.dumps({"bones": {k: v for k, v in ras["bones"].items() if "thigh" not in k and "shin" not in k}}))
    bad_properties = tmp_path / "bad_properties.json"
    bad_properties.write_text(json.dumps({**ras, "properties": {"thigh_ik.L": 1.0}}))
    out = tmp_path / "out.blend"
    cases = [
        (("bake", truncated, "--out", out), "is not a RAS Mocap landmark track"),
        (("bake", _write_npz(tmp_path / "k17.npz", track, image_xyz=track.image_xyz[:, :17]), "--out", out),
         "33 BlazePose keypoints"),
        (("bake", _write_npz(tmp_path / "fps0.npz", track, fps=0.0), "--out", out), "frame rate is 0"),
        (("gait", _write_npz(tmp_path / "fps-30.npz", track, fps=-30.0), "--report", tmp_path / "r"), "frame rate is -30"),
        (("bake", _write_npz(tmp_path / "meta.npz", track, meta_json="[1, 2]"), "--out", out), "meta_json is not a JSON object"),
        (("bake", _write_npz(tmp_path / "v-1.npz", track, format_version=-1), "--out", out), "track of format -1"),
        (("bake", saved_track, "--onto", half_blend, "--out", out), "is not a whole .blend file"),
        (("bake", saved_track, "--onto", text_blend, "--out", out), "is not a whole .blend file"),
        (("bake", saved_track, "--out", "/proc/out.blend"), "cannot write the --out"),
        (("bake", saved_track, "--out", tmp_path), "must end in .blend"),
        (("bake", saved_track, "--out", regular / "out.blend"), "cannot write the --out"),
        (("bake", saved_track, "--out", out, "--bvh", regular / "out.bvh"), "cannot write the --bvh"),
        (("gait", WALK_TRACK, "--report", regular / "report"), "cannot write the --report folder"),
        (("gait", WALK_TRACK, "--report", regular), "is a file, not a folder"),
        (("track", POSE2SIM_VIDEO, "--model-path", _swapped_bundle(tmp_path / "swapped.task"), "--num-poses", "1",
          "--out", tmp_path / "t.npz"), "its two networks swapped"),
        (("bake", saved_track, "--profile", no_legs, "--out", out), "maps no bone to thigh.L"),
        (("bake", saved_track, "--profile", bad_properties, "--out", out), "'properties' bone names to objects"),
        (("gait", _one_frame_track(track).save(tmp_path / "one.npz"), "--report", tmp_path / "r"), "no walking found"),
        (("gait", saved_track, "--report", tmp_path / "r"), "no walking found"),  # pose2sim: a lunge in place
        (("gait", POSE2SIM_VIDEO, "--model-path", model_path("full"), "--num-poses", "1", "--report", tmp_path / "r"),
         "the median stride is"),  # (the full model finds a pass there: the feet do not carry it)
        (("gait", WALK_TRACK, "--report", tmp_path / "r", "--height-m", "-1"), "height lies between 0.5 and 2.5 m"),
        (("bake", saved_track, "--out", out, "--height-m", "10"), "height lies between 0.5 and 2.5 m"),
        (("bake", saved_track, "--out", out, "--max-gap-s", "-1"), "longest gap to bridge lies between 0 and 10 s"),
        (("bake", saved_track, "--out", out, "--cutoff-hz", repr(track.sample_rate_hz / 2)), "below half the frame rate"),
    ]

    def wrong(case) -> str | None:
        args, says = case
        try:
            assert_one_error(run_cli(*args, env_model=model_path("lite")), says)
        except AssertionError as exc:
            return f"{' '.join(map(str, args))}: {exc}"
        return None

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # each case is a process that spends most of its time starting
        failures = [failure for failure in pool.map(wrong, cases) if failure]
    assert not failures, "\n".join(failures)
    assert not out.exists() and not (tmp_path / "r").exists() and not (tmp_path / "t.npz").exists()
    assert leftovers(tmp_path) == [] and regular.read_text() == "x"


def test_one_usable_frame_bakes_a_held_pose(tmp_path, pose2sim_track):
    run = run_cli("bake", _one_frame_track(pose2sim_track).save(tmp_path / "one.npz"), "--out", tmp_path / "one.blend")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]


@pytest.mark.parametrize("command", ["track", "bake", "capture"])
def test_ctrl_c_keeps_what_was_done(tmp_path, command):
    lite = ("--num-poses", "1", "--model-path", model_path("lite"))
    tracked_60 = r"tracking:.*\b([6-9]\d|1\d\d)/230"  # the walker enters at frame 35
    args, kept, progress = {
        "track": (("track", SPORTS2D_VIDEO, *lite, "--out", tmp_path / "t.npz"), tmp_path / "t.npz", tracked_60),
        "bake": (("bake", SPORTS2D_VIDEO, *lite, "--out", tmp_path / "b.blend"), tmp_path / "b.npz", tracked_60),
        "capture": (("capture", "--replay", SPORTS2D_VIDEO, "--seconds", "60", *lite, "--out", tmp_path / "c.npz"),
                    tmp_path / "c.npz", r"recording: [1-9]"),
    }[command]
    watched = Watched(start_cli(*args))
    watched.wait_for(progress)
    ended = watched.interrupt()
    assert_one_error(ended, "interrupted", status=130)
    assert "saved in" in ended.stderr
    track = Track.load(kept)
    assert 0 < len(track) and track.found.any()
    if command != "capture":
        assert len(track) < 230  # stopped before the end of the video
    assert not (tmp_path / "b.blend").exists() and leftovers(tmp_path) == []


def test_ctrl_c_waits_for_the_frame_in_hand():
    """A Ctrl-C during a frame (here: while MediaPipe would be detecting) is raised at the next
    safe point, between frames; a second one is raised at once; the handler is put back."""
    from ras_mocap.core.interrupts import HeldInterrupt

    steps = []
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), HeldInterrupt() as held:
        held.check()
        signal.raise_signal(signal.SIGINT)  # mid-frame: held
        steps.append("rest of the frame")
        held.check()
        steps.append("never reached")
    assert steps == ["rest of the frame"]
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt), HeldInterrupt():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # the impatient second press
        steps.append("never reached")
    assert steps == ["rest of the frame"]


def test_an_explicit_model_wins_over_the_environment(tmp_path):
    cache = tmp_path / "cache"
    (cache / "ras_mocap" / "models").mkdir(parents=True)
    shutil.copy(model_path("full"), cache / "ras_mocap" / "models" / "pose_landmarker_full.task")
    run = run_cli("track", POSE2SIM_VIDEO, "--model", "full", "--num-poses", "1", "--end", "2", "--out", tmp_path / "t.npz",
                  env_model=model_path("lite"), XDG_CACHE_HOME=str(cache))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "pose_landmarker_full.task (--model full)" in run.stdout
    assert Track.load(tmp_path / "t.npz").meta["model"] == "pose_landmarker_full.task"
    default = run_cli("track", POSE2SIM_VIDEO, "--num-poses", "1", "--end", "2", "--out", tmp_path / "t.npz",
                      env_model=model_path("lite"), XDG_CACHE_HOME=str(cache))
    assert "pose_landmarker_lite.task (RAS_MOCAP_MODEL)" in default.stdout


def test_version_and_mediapipe_logs_only_when_asked(tmp_path):
    from ras_mocap.version import version

    shown = run_cli("--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"RAS Mocap {version()}" and version() != "unknown"
    args = ("track", POSE2SIM_VIDEO, "--num-poses", "1", "--end", "3", "--out", tmp_path / "t.npz")
    quiet, verbose = run_cli(*args, env_model=model_path("lite")), run_cli("-v", *args, env_model=model_path("lite"))
    assert quiet.returncode == verbose.returncode == 0
    assert "INFO:" not in quiet.stderr and "WARNING:" not in quiet.stderr
    assert "INFO:" in verbose.stderr


def test_a_bug_prints_its_traceback_and_a_log(monkeypatch, capsys, tmp_path):
    from ras_mocap import __main__ as cli

    def broken(_args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "_cameras", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cli.main(["cameras"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: a bug" in err
    log = Path(re.search(r"please report it with (\S+)", err).group(1))
    assert log.parent == tmp_path / "ras_mocap" / "logs" and "ZeroDivisionError: a bug" in log.read_text()
