"""Hand freed heap memory back to the OS after large image decodes (glibc keeps it otherwise).

glibc serves big buffers from mmap at first, but each free of one raises its mmap threshold (up to 32 MB),
after which same-sized buffers (PIL's 16 MB blocks, numpy arrays) come from per-thread arenas whose free
pages are kept for reuse: a server that decoded a few large images in different threads stays hundreds
of MB larger. ``malloc_trim(0)`` releases the free pages of every arena. Elsewhere (musl, macOS) the
allocator is left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from collections.abc import Callable

#: Decodes of at least this many pixels are followed by a trim (smaller ones reuse what is kept).
TRIM_AFTER_PIXELS = 4_000_000

_lock = threading.Lock()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None when the C library has none."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_free_memory() -> bool:
    """Return the heap's free pages to the OS; False when the allocator offers no way to."""
    trim = _malloc_trim()
    if trim is None:
        return False
    with _lock:  # one trim at a time: concurrent ones would only contend for the same arena locks
        trim(0)
    return True
