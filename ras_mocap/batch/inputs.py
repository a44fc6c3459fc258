"""The batch's INPUTS as videos: folders (searched to any depth), glob patterns and files, local
or on any file system fsspec (Dask's file system layer) reads, each with the name its outputs
take in DIR: its path below the folder or pattern it came from, so a study's tree is mirrored."""
from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.errors import InputError

__all__ = ["BatchInput", "VIDEO_SUFFIXES", "expand_inputs", "is_url"]

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".mts",
                            ".m2ts", ".3gp", ".flv"})
"""What a folder or pattern contributes; a file named on its own is taken whatever its suffix."""


@dataclass(frozen=True)
class BatchInput:
    source: str
    """A local absolute path, or a URL fsspec opens (s3://, gs://, http://, ...)."""
    name: str
    """Its outputs' folder in DIR (a relative POSIX path, no suffix), unique in the batch."""


def is_url(text: str) -> bool:
    return "://" in text


def _has_magic(text: str) -> bool:
    return any(c in text for c in "*?[")


def _glob_base(pattern: str, path_type=Path):
    """The folder a pattern searches: its leading parts that hold no wildcard."""
    parts = path_type(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if _has_magic(part)), len(parts) - 1)
    return path_type(*parts[:fixed]) if fixed else path_type(".")


def _is_video(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in VIDEO_SUFFIXES


def _local(argument: str) -> list[tuple[str, str]]:
    """(absolute path, path relative to where it was found) of each video one argument names."""
    if _has_magic(argument):
        base = _glob_base(argument)
        found = [Path(p) for p in glob.glob(argument, recursive=True)]
        found = [p for p in found if p.is_file() and _is_video(p.name)]
    elif Path(argument).is_dir():
        base = Path(argument)
        found = [p for p in base.rglob("*") if p.is_file() and _is_video(p.name)]
    elif Path(argument).is_file():
        base, found = Path(argument).parent, [Path(argument)]
    else:
        raise InputError(f"no such file or folder: {argument}")
    return [(str(p.absolute()), p.absolute().relative_to(base.absolute()).as_posix()) for p in found]


def _remote(argument: str) -> list[tuple[str, str]]:
    """The same for a URL, through fsspec."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(argument)
        if _has_magic(path):
            base = str(_glob_base(path, PurePosixPath))
            found = [p for p in fs.glob(path) if _is_video(p) and fs.isfile(p)]
        elif fs.isdir(path):
            base, found = path.rstrip("/"), [p for p in fs.find(path) if _is_video(p)]
        elif fs.isfile(path):
            base, found = path.rsplit("/", 1)[0], [path]
        else:
            raise InputError(f"no such file or folder: {argument}")
    except (ImportError, ValueError, OSError) as exc:
        raise InputError(f"cannot read {argument}: {exc}") from None
    return [(fs.unstrip_protocol(p), PurePosixPath(p).relative_to(base).as_posix()) for p in found]


def expand_inputs(arguments: list[str]) -> list[BatchInput]:
    """Every video the arguments name, once each, in a stable order; InputError for an argument
    that names nothing (a typo should stop the batch before it starts, not drop a trial)."""
    inputs: dict[str, str] = {}
    for argument in arguments:
        found = _remote(argument) if is_url(argument) else _local(argument)
        if not found:
            raise InputError(f"no video in {argument} (videos end in {', '.join(sorted(VIDEO_SUFFIXES))})")
        for source, relative in sorted(found):
            inputs.setdefault(source, str(PurePosixPath(relative).with_suffix("")))
    taken: set[str] = set()
    result = []
    for source, name in inputs.items():
        unique, count = name, 1
        while unique in taken:  # the same relative path under two arguments: trial1, trial1-2
            count += 1
            unique = f"{name}-{count}"
        taken.add(unique)
        result.append(BatchInput(source, unique))
    return result
