"""The extension zips: one per platform, each with its own platform's wheels for Python 3.11 and
3.13, valid for Blender's validator; the Linux one installs into a clean bpy offline and bakes."""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from tests.conftest import POSE2SIM_VIDEO, REPO, model_path

pytestmark = pytest.mark.slow

PLATFORMS = {"linux-x64": "manylinux", "macos-arm64": "macosx", "windows-x64": "win_amd64"}
BUNDLED = {canonicalize_name(Requirement(line).name) for line in
           (REPO / "requirements-extension.txt").read_text().splitlines() if line.strip() and not line.startswith("#")}
WALK_TRACK = REPO / "tests" / "data" / "sports2d_tracks" / "defaults_35_120.npz"


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, str(REPO / "tools" / "build_extension.py"), "--out", str(out)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    paths = [Path(line.split()[0]) for line in built.stdout.splitlines()]
    return {platform: next(p for p in paths if p.name.endswith(f"-{platform.replace('-', '_')}.zip"))
            for platform in PLATFORMS}


def _manifest(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        return tomllib.loads(archive.read("blender_manifest.toml").decode())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_zip_carries_its_own_platforms_wheels_for_both_pythons(zips, platform):
    generated = _manifest(zips[platform])["build"]["generated"]  # what the builder wrote for this zip
    assert generated["platforms"] == [platform]
    with zipfile.ZipFile(zips[platform]) as archive:
        in_zip = {Path(name).name for name in archive.namelist() if name.startswith("wheels/")}
    listed = {Path(wheel).name for wheel in generated["wheels"]}
    assert listed == in_zip
    pythons: dict[str, set[str]] = {}
    for wheel in listed:
        name, _version, _build, tags = parse_wheel_filename(wheel)
        assert all(tag.platform == "any" or tag.platform.startswith(PLATFORMS[platform]) for tag in tags), wheel
        pythons.setdefault(name, set()).update(tag.interpreter for tag in tags)
    assert set(pythons) == BUNDLED  # and nothing else: no sounddevice, cffi, six, absl, contrib OpenCV
    for name, interpreters in pythons.items():  # a compiled package has a wheel for each Python
        assert interpreters & {"py3", "cp37"} or {"cp311", "cp313"} <= interpreters, (name, interpreters)
    validated = subprocess.run([sys.executable, str(_builder()), "validate", str(zips[platform])],
                               capture_output=True, text=True)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def _builder() -> Path:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from build_extension import extension_builder
    finally:
        sys.path.pop(0)
    return extension_builder()


def _clean_bpy_python(root: Path) -> Path:
    """A new venv holding only bpy and the packages bpy requires (what Blender ships), linked from
    this one: none of the packages the zip bundles."""
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    wanted, seen = ["bpy"], set()
    while wanted:
        dist = importlib.metadata.distribution(wanted.pop())
        name = canonicalize_name(dist.metadata["Name"])
        if name in seen:
            continue
        seen.add(name)
        wanted += [req.name for req in map(Requirement, dist.requires or ()) if req.marker is None or req.marker.evaluate()]
        for top in {Path(str(file)).parts[0] for file in dist.files or ()} - {"..", "__pycache__"}:
            target = Path(dist.locate_file(top))
            if target.exists() and not (site / top).exists():
                (site / top).symlink_to(target)
    assert not seen & BUNDLED, seen & BUNDLED
    return python


def test_the_linux_zip_installs_into_a_clean_bpy_offline_and_bakes(zips, tmp_path):
    python = _clean_bpy_python(tmp_path / "clean")
    unreachable = "http://127.0.0.1:9"  # no download can succeed: the zip must hold everything
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "blender_user"), PIP_NO_INDEX="1",
               HTTP_PROXY=unreachable, HTTPS_PROXY=unreachable, http_proxy=unreachable, https_proxy=unreachable)
    env.pop("RAS_MOCAP_MODEL", None)
    env.pop("PYTHONPATH", None)
    installed = subprocess.run(
        [str(python), str(Path(__file__).with_name("install_extension.py")), str(zips["linux-x64"]),
         str(POSE2SIM_VIDEO), str(model_path("lite")), str(WALK_TRACK), str(tmp_path / "report")],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-3000:]
    result = json.loads(installed.stdout.strip().splitlines()[-1])
    assert result["action"]
    imported = {canonicalize_name(name): used for name, used in result["wheels_imported"].items()}
    assert set(imported) == BUNDLED
    unused = sorted(name for name, used in imported.items() if not used)
    assert not unused, f"bundled but never imported by the bake or the gait report: {unused}"
    assert re.search(r"ras_mocap-\d+\.\d+\.\d+-linux_x64\.zip", zips["linux-x64"].name)
