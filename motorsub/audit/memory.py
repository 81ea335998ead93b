"""Memory the audit has freed, given back to the system between its stages.

The audit's arrays are made and freed a part at a time; the allocators keep freed memory
for reuse (pyarrow's pool; glibc's malloc, which numpy uses), so the resident size of a
run of millions of lines grew far beyond what it held. :func:`give_back` asks both to
return what they hold unused now (a few milliseconds).

While an audit runs, Arrow's arrays come from the C library's malloc
(:func:`arrow_from_malloc`), not from pyarrow's default pool: that pool (mimalloc) kept
pages of freed arrays that its collection did not return, and ten million claims peaked
at 3,696 MiB with it against 3,346 MiB with malloc, in the same time (measured in
``benchmarks/bench_audit.py``). The default pool is put back when the audit ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading

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


_pool_lock = threading.Lock()
_pool_users = 0
_pool_before: pa.MemoryPool | None = None


@contextlib.contextmanager
def arrow_from_malloc():
    """Make the C library's malloc Arrow's default pool while the block runs (audits in
    several threads at once share it: the pool that was the default is put back when the
    last one ends)."""
    global _pool_users, _pool_before
    with _pool_lock:
        if _pool_users == 0:
            _pool_before = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
            # what earlier work in the process left with that pool, given back now: the
            # audit's give_back() reaches only the pool it runs with
            _pool_before.release_unused()
        _pool_users += 1
    try:
        yield
    finally:
        with _pool_lock:
            _pool_users -= 1
            if _pool_users == 0:
                pa.set_memory_pool(_pool_before)
                _pool_before = None
