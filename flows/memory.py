"""Memory a step freed, given back to the system before the next one."""

from __future__ import annotations

import ctypes
import sys

import pyarrow as pa


def give_back() -> None:
    """Return the pages Arrow's pool and glibc's allocator keep after a step freed them (glibc keeps them in each
    thread's arena for reuse: a process's resident size would otherwise be the sum of its steps' peaks, not the
    largest). Does nothing more where the C library is not glibc."""
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass
