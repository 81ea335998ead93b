"""One place for numba options.

Every kernel in motorsub is compiled through :func:`kernel`, so cache, parallelism and
floating-point mode are decided here and nowhere else:

- ``cache=True``: compiled machine code is kept on disk beside the package, so a second
  run (and a second batch) never recompiles;
- ``fastmath=False``: money and energy figures must not be reassociated;
- ``MOTORSUB_DISABLE_JIT=1`` in the environment runs every kernel as plain Python, for
  debugging and coverage (numba's own ``NUMBA_DISABLE_JIT`` works too).
"""

from __future__ import annotations

import os

import numba

DISABLED = os.environ.get("MOTORSUB_DISABLE_JIT", "") not in ("", "0")

prange = range if DISABLED else numba.prange


def kernel(parallel: bool = False, inline: bool = False):
    """Decorate a numba kernel with the project's options.

    Parameters
    ----------
    parallel : bool
        Compile with ``parallel=True``; loops written with :data:`prange` then run on
        every core.
    inline : bool
        Inline the function into its callers at numba's IR level. For small per-record
        helpers that take arrays: a real call increments and decrements every array's
        reference count, atomically, which two threads pay for on every record.
    """

    def wrap(func):
        if DISABLED:
            return func
        return numba.njit(
            cache=True,
            fastmath=False,
            parallel=parallel,
            nogil=True,
            inline="always" if inline else "never",
        )(func)

    return wrap
