"""One place for numba options.

Every kernel in motorsub is compiled through :func:`kernel`, so cache, parallelism and
floating-point mode are decided here and nowhere else:

- ``cache=True``: compiled machine code is kept on disk beside the package, so a second
  run (and a second batch) never recompiles;
- ``fastmath=False``: money and energy figures must not be reassociated, and a kernel run
  as plain Python gives the same figures to the bit;
- ``MOTORSUB_DISABLE_JIT=1`` in the environment runs every kernel as plain Python, for
  debugging and coverage (numba's own ``NUMBA_DISABLE_JIT`` works too);
- :func:`run_as_python` does the same from inside a process, for the command line's small
  jobs (a quote, a file of a few thousand lines): plain Python then costs less than
  importing numba and loading its cached machine code, about 0.9 s;
- :func:`compile_log` records what numba compiles and how long each kernel takes
  (``motorsub warmup --verbose``).

The choice is made once per process, when the first kernel module imports
:data:`prange`; numba is imported only if kernels are compiled.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import NamedTuple

DISABLED = os.environ.get("MOTORSUB_DISABLE_JIT", "") not in ("", "0")

_python: bool | None = None  # None until the first kernel module asks for prange


def run_as_python() -> bool:
    """Run every kernel in this process as plain Python; True if that now holds.

    Takes effect only before the first kernel module is imported (kernels are bound
    then); later, it changes nothing and returns whether kernels already run as Python.
    """
    global _python
    if _python is None:
        _python = True
    return _python


def python() -> bool:
    """True if kernels run as plain Python in this process (fixes the choice)."""
    global _python
    if _python is None:
        _python = DISABLED
    return _python


def __getattr__(name: str):
    # ``from motorsub._jit import prange`` fixes the mode: numba's prange, or range
    if name == "prange":
        if python():
            return range
        import numba

        return numba.prange
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def kernel(parallel: bool = False, inline: bool = False, refcount: bool = True):
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
    refcount : bool
        Count references to arrays (numba's NRT). False for a serial kernel that a
        parallel loop calls on a chunk of lines: its arrays live as long as the caller's,
        and counting every array a helper reads, line by line, would cost more than the
        work. Such a kernel must not allocate arrays.
    """

    def wrap(func):
        if python():
            return func
        import numba

        return numba.njit(
            cache=True,
            fastmath=False,
            parallel=parallel,
            nogil=True,
            inline="always" if inline else "never",
            _nrt=refcount,
        )(func)

    return wrap


class Compiled(NamedTuple):
    """One compilation: the function, its argument types, and the seconds it took, wall
    and CPU of the compiling thread, without the functions it called that were compiled
    on the way (each has its own record)."""

    name: str  # module.qualified_name
    signature: str
    seconds: float
    cpu_seconds: float


@contextlib.contextmanager
def compile_log():
    """Record every numba compilation made inside the block (none when kernels run as
    plain Python, or load from numba's cache): yields the list of :class:`Compiled` it fills."""
    found: list[Compiled] = []
    if python():
        yield found
        return
    from numba.core import event

    open_: list[list] = []  # per compilation under way: name, args, start wall and CPU, callees'

    class Listener(event.Listener):
        def on_start(self, ev):
            f = ev.data["dispatcher"].py_func
            name = f"{f.__module__}.{f.__qualname__}"
            open_.append([name, ev.data["args"], time.perf_counter(), time.thread_time(), 0.0, 0.0])

        def on_end(self, ev):
            name, args, wall0, cpu0, callees_wall, callees_cpu = open_.pop()
            wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
            if open_:
                open_[-1][4] += wall
                open_[-1][5] += cpu
            found.append(Compiled(name, str(args), wall - callees_wall, cpu - callees_cpu))

    listener = Listener()
    event.register("numba:compile", listener)
    try:
        yield found
    finally:
        event.unregister("numba:compile", listener)
