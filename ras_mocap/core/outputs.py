"""Outputs written whole or not at all: each file is written to a temporary name in its own
folder, checked, flushed to disk and renamed over the target, so a full disk, a crash or a second
writer never leaves a half-written file, and the previous file stays as it was until the new one
is complete."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, RasMocapError

__all__ = ["atomic_output", "check_output_path", "check_output_folder", "disk_full", "with_suffix"]


def with_suffix(path: str | Path, suffix: str) -> Path:
    """`path` ending in `suffix` (added if it has another or none: `t` -> `t.npz`)."""
    path = Path(path)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def check_output_path(path: str | Path, suffixes: tuple[str, ...] | None = None, what: str = "output") -> Path:
    """Refuse, before any long work, an output that cannot be written: a folder, a wrong
    extension, a place below a regular file, a folder that cannot be written (/proc, read-only).
    Creates nothing (the folders are made when the file is written); the absolute path."""
    path = Path(path).expanduser().absolute()
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"the {what} {path} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise OutputError(f"the {what} {path} is a folder; give a file name")
    _check_writable(path.parent, f"the {what} {path}")
    return path


def check_output_folder(folder: str | Path, what: str = "output folder") -> Path:
    """A folder outputs can be written into (made when they are); OutputError if it cannot be."""
    folder = Path(folder).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"the {what} {folder} is a file, not a folder")
    _check_writable(folder, f"the {what} {folder}")
    return folder


def _check_writable(folder: Path, what: str) -> None:
    """OutputError unless `folder`, or the nearest of its parents that exists, is a folder this
    process can create files in (tried with an empty file, removed at once)."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise OutputError(f"cannot write {what}: {existing} is a file, not a folder")
    probe = existing / f".ras_mocap.{uuid.uuid4().hex[:8]}.probe"
    try:
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write {what}: {exc.strerror or exc}") from None


@contextmanager
def atomic_output(path: str | Path, check: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path` (same extension) to write; when the block ends,
    `check` it (raises if the file is not whole), flush it to disk and rename it over `path`.
    On any failure the temporary file is removed, `path` is left as it was and OutputError
    names what went wrong (an exception that is not an OSError passes through unchanged)."""
    path = Path(path).absolute()
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield temporary
        if not temporary.is_file():
            raise OutputError(f"could not write {path}: {_why_incomplete(path.parent)}")
        if check is not None:
            try:
                check(temporary)
            except RasMocapError:  # a writer that does not report its own failure (Blender's save)
                raise OutputError(f"could not write {path} whole: {_why_incomplete(path.parent)}") from None
        _flush_to_disk(temporary)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"could not write {path}: {exc.strerror or exc}") from None
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + "1")):  # (Blender's backup .blend1)
            leftover.unlink(missing_ok=True)


def _why_incomplete(folder: Path) -> str:
    """The likely reason a writer left a file incomplete without an error of its own."""
    return disk_full(folder) or "the writer failed (see above)"


def disk_full(folder: str | Path) -> str:
    """"No space left on device" if the folder's file system has under 1 MiB left, else "": what a
    writer that reports some other error (Blender 4.2: No such file or directory) really met."""
    return "No space left on device" if shutil.disk_usage(folder).free < 1 << 20 else ""


def _flush_to_disk(path: Path) -> None:
    """fsync, so a disk that fills while the file's blocks are written fails here, not after the rename."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
