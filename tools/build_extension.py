"""Build the extension zips, one per platform, with Blender's own extension builder.

Stages ras_mocap/ with blender_manifest.toml beside it, downloads the wheels of
requirements-extension.txt for each platform and Python (3.11: Blender 4.2-5.0; 3.13: 5.1+),
lists them all in the staged manifest and lets the builder that ships inside the `bpy` wheel
split them by platform (`--split-platforms`); then checks each zip with the builder's validator.

    python tools/build_extension.py --out dist                        # linux-x64, macos-arm64, windows-x64
    python tools/build_extension.py --out dist --platform linux-x64
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "requirements-extension.txt"
PYTHON_VERSIONS = ("3.11", "3.13")

# Blender's platform name -> the wheel platform tags pip may take for it: glibc 2.28 as Blender
# 4.2+ needs on Linux, macOS 13 on Apple silicon (the oldest OpenCV 4.11's wheel runs on).
PLATFORM_TAGS = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "macos-arm64": ("macosx_13_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64"),
    "windows-x64": ("win_amd64",),
}


def extension_builder() -> Path:
    """blender_ext.py from the installed bpy wheel (found without importing bpy)."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the bpy module is not installed in this Python (run `make venv` first)")
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not found:
        raise SystemExit("Blender's extension builder (bl_pkg/cli/blender_ext.py) is missing from the bpy wheel")
    return found[-1]


def download_wheels(dest: Path, platforms: list[str]) -> list[Path]:
    """The wheels of requirements-extension.txt for every platform and Python, without their
    declared dependencies (the file lists what is imported)."""
    dest.mkdir(parents=True, exist_ok=True)
    for platform in platforms:
        tags = [arg for tag in PLATFORM_TAGS[platform] for arg in ("--platform", tag)]
        for version in PYTHON_VERSIONS:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--python-version", version, *tags, "--dest", str(dest), "-r", str(REQUIREMENTS)],
                check=True,
            )
    return sorted(dest.glob("*.whl"))


def stage(stage_dir: Path, wheels: list[Path], platforms: list[str]) -> None:
    shutil.copytree(REPO / "ras_mocap", stage_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (stage_dir / "wheels").mkdir()
    for wheel in wheels:
        shutil.copy2(wheel, stage_dir / "wheels" / wheel.name)
    manifest = (REPO / "blender_manifest.toml").read_text()
    listed = ",\n".join(f'  "./wheels/{w.name}"' for w in wheels)
    names = ", ".join(f'"{p}"' for p in platforms)
    insert = f'platforms = [{names}]\nwheels = [\n{listed},\n]\n\n'
    (stage_dir / "blender_manifest.toml").write_text(manifest.replace("[permissions]", insert + "[permissions]", 1))


def zip_name(platform: str) -> str:
    version = tomllib.loads((REPO / "blender_manifest.toml").read_text())["version"]
    return f"ras_mocap-{version}-{platform.replace('-', '_')}.zip"


def build(out_dir: Path, platforms: list[str]) -> list[Path]:
    """Build and validate one zip per platform in `out_dir`; their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = extension_builder()
    with tempfile.TemporaryDirectory(prefix="ras_mocap_build_") as tmp:
        tmp_path = Path(tmp)
        wheels = download_wheels(tmp_path / "downloads", platforms)
        stage_dir = tmp_path / "ras_mocap"
        stage(stage_dir, wheels, platforms)
        subprocess.run([sys.executable, str(builder), "build", "--source-dir", str(stage_dir),
                        "--output-dir", str(out_dir), "--split-platforms"], check=True, stdout=subprocess.DEVNULL)
    zips = [out_dir / zip_name(platform) for platform in platforms]
    for path in zips:
        if not path.is_file():
            raise SystemExit(f"the builder wrote no {path.name} into {out_dir}")
        subprocess.run([sys.executable, str(builder), "validate", str(path)], check=True, stdout=subprocess.DEVNULL)
    return zips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="output folder (default: dist/)")
    parser.add_argument("--platform", nargs="+", choices=sorted(PLATFORM_TAGS), default=list(PLATFORM_TAGS),
                        help="the platforms to build zips for (default: all three)")
    args = parser.parse_args()
    for path in build(args.out, args.platform):
        print(f"{path}  {path.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
