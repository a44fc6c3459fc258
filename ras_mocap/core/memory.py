"""Giving memory back to the system after a long job: glibc keeps what numpy frees in its heap
(a 10,000-frame fit's working arrays stayed resident, ~150 MB), malloc_trim returns it."""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache

__all__ = ["return_freed_memory"]


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None (macOS and Windows return freed pages on their own)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # another C library (musl) has none
        return None


def return_freed_memory() -> None:
    """Ask the C allocator to hand freed pages back to the system (a few ms)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
