"""Shared fixtures: the real footage and models in ../shared, a real `bpy` reset per test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RAS_MOCAP_SHARED", REPO.parent / "shared"))
MODELS = SHARED / "models"
POSE2SIM_VIDEO = SHARED / "fixtures" / "video" / "pose2sim_single_cam01.mp4"
SPORTS2D_VIDEO = SHARED / "fixtures" / "video" / "sports2d_demo_walk.mp4"


def model_path(variant: str = "lite") -> Path:
    return MODELS / f"pose_landmarker_{variant}.task"


def pytest_sessionstart(session):
    if not (MODELS.is_dir() and POSE2SIM_VIDEO.is_file()):
        raise pytest.UsageError(f"test data not found in {SHARED} (set RAS_MOCAP_SHARED to the shared folder)")


@pytest.fixture(scope="session")
def pose2sim_track():
    """The pose2sim clip tracked once with the lite model (real MediaPipe, real video)."""
    from ras_mocap.capture.tracking import track_video

    return track_video(POSE2SIM_VIDEO, model_path("lite"))


@pytest.fixture
def bpy_clean():
    """The real bpy module, reset to an empty factory scene."""
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy
