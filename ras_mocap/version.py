"""The release version, read from blender_manifest.toml, its one source: beside the package in the
extension zip, one folder up in a checkout."""
from __future__ import annotations

import tomllib
from pathlib import Path

__all__ = ["version"]


def version() -> str:
    package = Path(__file__).parent
    for manifest in (package / "blender_manifest.toml", package.parent / "blender_manifest.toml"):
        if manifest.is_file():
            return str(tomllib.loads(manifest.read_text())["version"])
    return "unknown"
