"""Find, cache and download MediaPipe PoseLandmarker `.task` model bundles.

Order of resolution: an explicit path -> a cached copy of the variant -> a download
of the official bundle, only when the caller allows network access. The CLI ranks its
flags over the RAS_MOCAP_MODEL environment variable over the default variant; Blender
ranks its preference's file over the variable over the preference's variant.
"""
from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..core.errors import RasMocapError

__all__ = [
    "MODEL_VARIANTS",
    "ModelError",
    "official_url",
    "default_cache_dir",
    "check_task_bundle",
    "download_model",
    "resolve_model",
]

MODEL_VARIANTS = ("lite", "full", "heavy")
MODEL_ENV_VAR = "RAS_MOCAP_MODEL"
_OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)
_BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
_CHUNK_BYTES = 1 << 16

ProgressFn = Callable[[int, int | None], bool | None]
"""Called with (bytes received, total bytes or None) while downloading; returning True cancels."""


class ModelError(RasMocapError):
    """No usable model bundle; the message says how to get one."""


def official_url(variant: str) -> str:
    """URL of MediaPipe's published bundle for a variant (lite / full / heavy)."""
    if variant not in MODEL_VARIANTS:
        raise ModelError(f"unknown model variant {variant!r}; choose one of {', '.join(MODEL_VARIANTS)}")
    return _OFFICIAL_URL.format(variant=variant)


def default_cache_dir() -> Path:
    """Per-user cache outside Blender (Blender passes its extension user directory instead)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ras_mocap" / "models"


def cached_model_path(variant: str, cache_dir: Path) -> Path:
    return Path(cache_dir) / f"pose_landmarker_{variant}.task"


def check_task_bundle(path: Path) -> None:
    """Raise ModelError unless `path` is a zip holding the two BlazePose networks."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except zipfile.BadZipFile:
        raise ModelError(f"{path} is not a PoseLandmarker .task bundle (not a zip archive)") from None
    missing = [m for m in _BUNDLE_MEMBERS if m not in names]
    if missing:
        raise ModelError(f"{path} is not a PoseLandmarker .task bundle (missing {', '.join(missing)})")


def download_model(url: str, dest: Path, progress: ProgressFn | None = None, timeout_s: float = 30.0) -> Path:
    """Stream `url` into `dest` atomically: a temp file beside it, checked, then renamed.

    A failed, cancelled (`progress` returned True) or invalid download leaves nothing at `dest`.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout_s)
            except (urllib.error.URLError, OSError) as exc:
                raise ModelError(f"could not download the model from {url}: {exc}") from None
            with response:
                total = response.length
                received = 0
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    received += len(chunk)
                    if progress and progress(received, total):
                        raise ModelError(f"download of {url} cancelled")
        if total is not None and received != total:
            raise ModelError(f"download of {url} was cut short ({received} of {total} bytes)")
        check_task_bundle(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def resolve_model(
    variant: str = "full",
    explicit_path: str | os.PathLike | None = None,
    cache_dir: Path | None = None,
    allow_download: bool = False,
    url: str | None = None,
    progress: ProgressFn | None = None,
) -> Path:
    """Return the path of a checked `.task` bundle: `explicit_path` if given, else the variant's
    cached copy, downloading it only if allowed. (The callers decide where RAS_MOCAP_MODEL ranks.)"""
    if explicit_path:
        path = Path(explicit_path).expanduser()
        check_task_bundle(path)
        return path
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    cached = cached_model_path(variant, cache_dir)
    if cached.is_file():
        check_task_bundle(cached)
        return cached
    source = url or official_url(variant)
    if not allow_download:
        raise ModelError(
            f"no pose model found (looked for {cached}). Get one with network access allowed "
            f"(CLI: --download; Blender: Preferences > Add-ons > RAS Mocap > Download Model, "
            f"with Allow Online Access on), or download {source} yourself and pass its path "
            f"(--model-path, the add-on preference, or {MODEL_ENV_VAR}=/path/to/model.task)."
        )
    try:
        return download_model(source, cached, progress)
    except ModelError as exc:
        raise ModelError(f"{exc}. Offline? Pass a local .task file with --model-path or {MODEL_ENV_VAR}.") from None
