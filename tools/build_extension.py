"""Build the installable extension zip with Blender's own extension builder.

Stages ras_mocap/ with blender_manifest.toml beside it, downloads the wheels the
add-on needs (those Blender does not ship itself) for the chosen Python versions
of this machine's platform, lists them in the staged manifest and runs the
builder that ships inside the `bpy` wheel:

    python tools/build_extension.py --out dist            # wheels for Python 3.11 and 3.13
    python tools/build_extension.py --out dist --python 3.13
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from packaging.tags import platform_tags

REPO = Path(__file__).resolve().parents[1]

# What the add-on imports inside Blender, which bundles numpy (1.26 in 4.2) but none of these.
BUNDLED_REQUIREMENTS = (
    "mediapipe==1.2.3", "absl-py", "flatbuffers", "sounddevice", "cffi", "pycparser",
    "opencv-python-headless<4.12",  # the last line that runs on numpy 1.x as well as 2.x
    "scipy>=1.11,<1.18",
    "matplotlib>=3.8", "contourpy", "cycler", "fonttools", "kiwisolver", "pyparsing",
    "python-dateutil", "six", "pillow", "packaging",
)

# sysconfig platform -> Blender's platform names
_BLENDER_PLATFORMS = {
    "linux-x86_64": "linux-x64", "linux-aarch64": "linux-arm64",
    "macosx-arm64": "macos-arm64", "macosx-x86_64": "macos-x64",
    "win-amd64": "windows-x64", "win-arm64": "windows-arm64",
}


def blender_platform() -> str:
    plat = sysconfig.get_platform()
    for prefix, name in _BLENDER_PLATFORMS.items():
        if plat.startswith(prefix.split("-")[0]) and plat.endswith(prefix.split("-")[1]):
            return name
    raise SystemExit(f"no Blender platform name known for {plat}")


def extension_builder() -> Path:
    """blender_ext.py from the installed bpy wheel (found without importing bpy)."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the bpy module is not installed in this Python (run `make venv` first)")
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not found:
        raise SystemExit("Blender's extension builder (bl_pkg/cli/blender_ext.py) is missing from the bpy wheel")
    return found[-1]


def download_wheels(dest: Path, python_versions: list[str]) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    platforms = [arg for tag in platform_tags() for arg in ("--platform", tag)]
    for version in python_versions:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", version, *platforms, "--dest", str(dest), *BUNDLED_REQUIREMENTS],
            check=True,
        )
    return sorted(dest.glob("*.whl"))


def stage(stage_dir: Path, wheels: list[Path], platform: str) -> None:
    shutil.copytree(REPO / "ras_mocap", stage_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (stage_dir / "wheels").mkdir()
    for wheel in wheels:
        shutil.copy2(wheel, stage_dir / "wheels" / wheel.name)
    manifest = (REPO / "blender_manifest.toml").read_text()
    listed = ",\n".join(f'  "./wheels/{w.name}"' for w in wheels)
    insert = f'platforms = ["{platform}"]\nwheels = [\n{listed},\n]\n\n'
    manifest = manifest.replace("[permissions]", insert + "[permissions]", 1)
    (stage_dir / "blender_manifest.toml").write_text(manifest)


def build(out_dir: Path, python_versions: list[str]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    platform = blender_platform()
    with tempfile.TemporaryDirectory(prefix="ras_mocap_build_") as tmp:
        tmp_path = Path(tmp)
        wheels = download_wheels(tmp_path / "downloads", python_versions)
        stage_dir = tmp_path / "ras_mocap"
        stage(stage_dir, wheels, platform)
        subprocess.run(
            [sys.executable, str(extension_builder()), "build", "--source-dir", str(stage_dir),
             "--output-dir", str(out_dir), "--split-platforms"],
            check=True,
        )
    zips = sorted(out_dir.glob(f"ras_mocap-*-{platform.replace('-', '_')}.zip"))
    if not zips:
        raise SystemExit(f"the builder wrote no zip for {platform} into {out_dir}")
    return zips[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="output folder (default: dist/)")
    parser.add_argument("--python", nargs="+", default=["3.11", "3.13"],
                        help="Python versions to bundle wheels for: 3.11 = Blender 4.2-5.0, 3.13 = 5.1+")
    args = parser.parse_args()
    print(build(args.out, args.python))


if __name__ == "__main__":
    main()
