"""Memory the audit has freed, given back to the system between its stages.

The audit's arrays are made and freed a part at a time; the allocators keep freed memory
for reuse (pyarrow's pool; glibc's malloc, which numpy uses), so the resident size of a
run of millions of lines grew far beyond what it held. :func:`give_back` asks both to
return what they hold unused now: it changes none of their settings, and costs a few
milliseconds.
"""

from __future__ import annotations

import ctypes
import sys

import pyarrow as pa


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # another C library (musl)
        return None


_TRIM = _malloc_trim()


def give_back() -> None:
    """Return the memory freed so far to the system (pyarrow's pool, then malloc's)."""
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)
