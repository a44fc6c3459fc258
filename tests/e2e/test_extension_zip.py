"""The built extension zip installs into a clean bpy, offline, and its operators work."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSE2SIM_VIDEO, REPO, model_path

pytestmark = pytest.mark.slow


def test_zip_installs_registers_and_bakes(tmp_path):
    version = "{}.{}".format(*sys.version_info[:2])
    built = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_extension.py"), "--out", str(tmp_path / "dist"), "--python", version],
        capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    zip_path = Path(built.stdout.strip().splitlines()[-1])
    assert zip_path.is_file() and zip_path.suffix == ".zip"

    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "blender_user"))
    env.pop("RAS_MOCAP_MODEL", None)
    installed = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("install_extension.py")), str(zip_path),
         str(POSE2SIM_VIDEO), str(model_path("lite"))],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-3000:]
    assert "extension installed and baked" in installed.stdout
