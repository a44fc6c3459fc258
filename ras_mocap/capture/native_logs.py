"""MediaPipe's native INFO, WARNING and error-dump lines kept off the terminal and Blender's
console unless asked for. MediaPipe 1.2 prints them through absl and LiteRT's own logger, which
neither GLOG_minloglevel, GOOGLE_STDERRTHRESHOLD nor TF_CPP_MIN_LOG_LEVEL quieten (measured), so
the process's stderr is caught while a landmarker is made, first runs and closes, where they are
printed; `show_native_logs(True)` (the CLI's -v, the add-on's Debug preference) lets them through."""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["show_native_logs", "native_logs_caught", "first_error_line"]

_lock = threading.Lock()
_shown = False


def show_native_logs(shown: bool) -> None:
    """Let MediaPipe's native log lines through (True) or keep them back (False, the default)."""
    global _shown
    _shown = shown


@contextmanager
def native_logs_caught() -> Iterator[None]:
    """Run the block (a call into MediaPipe) with the process's stderr sent nowhere, unless the
    native logs are shown. A failure's own exception says what went wrong."""
    if _shown:
        yield
        return
    with _lock, open(os.devnull, "wb") as nowhere:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(nowhere.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def first_error_line(message: str) -> str:
    """The line of a MediaPipe error that says what failed (from its RET_CHECK, else its first line)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    ret_check = next((line for line in lines if "RET_CHECK" in line), None)
    if ret_check:
        return ret_check[ret_check.index("RET_CHECK"):]
    return lines[0] if lines else ""
