"""Shared fixtures: the real footage and models in ../shared, a real `bpy` reset per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RAS_MOCAP_SHARED", REPO.parent / "shared"))
MODELS = SHARED / "models"
POSE2SIM_VIDEO = SHARED / "fixtures" / "video" / "pose2sim_single_cam01.mp4"
SPORTS2D_VIDEO = SHARED / "fixtures" / "video" / "sports2d_demo_walk.mp4"
WALK_SIDE_VIDEO = SHARED / "fixtures" / "synthetic" / "walk_side.mp4"
WALK_SIDE_TRUTH = SHARED / "fixtures" / "synthetic" / "walk_side_truth.npz"


def model_path(variant: str = "lite") -> Path:
    return MODELS / f"pose_landmarker_{variant}.task"


_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave with the suite's own status before Python's teardown of the bpy module: bpy as a
    module segfaults (4.2) or hangs (4.5) in its C++ static destructors once some of Blender's own
    add-ons have run (Rigify; glTF export after a bake) - Blender itself exits another way. Every
    result is reported by then; our add-on's own clean unregistering is tested in test_register."""
    if "bpy" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)


def pytest_sessionstart(session):
    if not (MODELS.is_dir() and POSE2SIM_VIDEO.is_file()):
        raise pytest.UsageError(f"test data not found in {SHARED} (set RAS_MOCAP_SHARED to the shared folder)")


@pytest.fixture(scope="session")
def pose2sim_track():
    """The pose2sim clip tracked once with the lite model (real MediaPipe, real video)."""
    from ras_mocap.capture.tracking import TrackingSettings, track_video

    return track_video(POSE2SIM_VIDEO, TrackingSettings(model_path("lite"), num_poses=1))


@pytest.fixture(scope="session")
def walk_side_tracks():
    """The rendered side-view walk tracked with the lite model (one pose, the whole frame) and the
    full model (all defaults: the people pass, then a crop following the walker): {variant: Track}."""
    from ras_mocap.capture.tracking import TrackingSettings, track_video

    return {"lite": track_video(WALK_SIDE_VIDEO, TrackingSettings(model_path("lite"), num_poses=1)),
            "full": track_video(WALK_SIDE_VIDEO, TrackingSettings(model_path("full")))}


@pytest.fixture(autouse=True)
def user_cache_in_tmp(tmp_path_factory, monkeypatch):
    """Models and baked tracks the code caches go to a temporary folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def no_capture_thread_left():
    """Every test must leave no capture thread running."""
    import threading

    yield
    alive = [t.name for t in threading.enumerate() if t.name.startswith("ras-mocap") and t.is_alive()]
    assert not alive, f"capture threads left running: {alive}"


@pytest.fixture
def bpy_clean():
    """The real bpy module, reset to an empty factory scene."""
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy
