"""What is running in the background of this Blender session (a live capture, a bake), so the
panel can show it and unregistering the add-on can stop it."""
from __future__ import annotations

from typing import Protocol

__all__ = ["Job", "add", "remove", "find", "jobs", "stop_all", "release_all"]


class Job(Protocol):
    def stop(self) -> None:
        """End the job (may key what it recorded: Blender data is still there)."""

    def release(self) -> None:
        """Stop the job's threads only (Blender quitting: its data must not be touched any more)."""


_JOBS: list[Job] = []


def add(job: Job) -> None:
    _JOBS.append(job)


def remove(job: Job) -> None:
    if job in _JOBS:
        _JOBS.remove(job)


def jobs() -> list[Job]:
    return list(_JOBS)


def find(kind: type) -> Job | None:
    """The running job of this kind, if any (one live capture and one bake at a time)."""
    return next((job for job in _JOBS if isinstance(job, kind)), None)


def stop_all() -> None:
    """Stop every job and join its thread (add-on unregistered, Blender quitting)."""
    for job in list(_JOBS):
        job.stop()
        remove(job)


def release_all() -> None:
    """Interpreter exit (Blender quitting): stop every job's thread, so cameras are released,
    without touching Blender data any more."""
    for job in list(_JOBS):
        job.release()
    _JOBS.clear()
