"""How a long job (the people pass, tracking, the whole-clip fit) reports how far it got and is
cancelled: it calls progress(done, total, stage), and stops by raising Cancelled once that
returns True. No threads or bpy here: the consumer (a background task) decides where it runs."""
from __future__ import annotations

from collections.abc import Callable

__all__ = ["ProgressFn", "Cancelled"]

ProgressFn = Callable[[int, int, str], bool | None]
"""Called with (done, total, stage); returning True cancels."""


class Cancelled(RuntimeError):
    """A progress callback asked to stop."""
