"""A long function (the people pass) on its own thread, with progress and cancelling, for a
consumer that polls it (Blender's modal operators). Never touches bpy."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["BackgroundTask"]


class BackgroundTask:
    """Runs `work(progress)` on a daemon thread; `progress(done, total, stage)` records how far it
    got and returns True once `cancel()` was called (the work then raises and ends)."""

    def __init__(self, work: Callable[[Callable[[int, int, str], bool]], Any], name: str = "ras-mocap-task"):
        self._work = work
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._result: Any = None
        self.error: BaseException | None = None
        self.done_count, self.total, self.stage = 0, 0, ""

    def start(self) -> BackgroundTask:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_count / self.total) if self.total else 0.0

    def _progress(self, done: int, total: int, stage: str) -> bool:
        self.done_count, self.total, self.stage = done, total, stage
        return self._cancel.is_set()

    def _run(self) -> None:
        try:
            self._result = self._work(self._progress)
        except BaseException as exc:  # handed to the consumer by result()
            self.error = exc

    def cancel(self, timeout_s: float = 10.0) -> bool:
        """Ask the work to stop and join the thread; True if it has ended."""
        self._cancel.set()
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self.running

    def stop(self) -> None:
        """Cancel and join (a job of Blender's `running` list: unregistering or quitting stops it)."""
        self.cancel()

    release = stop

    def result(self) -> Any:
        """The work's return value once it has ended (raises its error)."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self._result
