"""Ctrl-C held until the work in hand reaches a point where stopping is safe: raised inside
MediaPipe it leaves half-made objects whose clean-up prints tracebacks, and inside Dask's client
calls it can be swallowed. A second Ctrl-C raises at once."""
from __future__ import annotations

import signal
import threading

__all__ = ["HeldInterrupt"]


class HeldInterrupt:
    """`with HeldInterrupt() as held:` ... `held.check()` at each safe point (between frames,
    between polls of a batch) raises the KeyboardInterrupt a Ctrl-C asked for; leaving the block
    raises it too, if nothing else did. Off the main thread (which alone takes signals) it holds nothing."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> HeldInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._request)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        if self.requested and exc_info[0] is None:
            raise KeyboardInterrupt

    def _request(self, _signum, _frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt
