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
- :func:`in_threads` runs a serial kernel over chunks of lines on every core, in Python
  threads (kernels release the GIL): what ``parallel=True`` does, without the seconds
  numba's parallel passes take to compile a large loop;
- :func:`compile_log` records what numba compiles and how long each kernel takes
  (``motorsub warmup --verbose``); :func:`when_compiling` lets a front end say so once
  when a run starts compiling (an empty cache: a first run, or a new version).

The choice is made once per process, when the first kernel module imports
:data:`prange`; numba is imported only if kernels are compiled.
"""

from __future__ import annotations

import contextlib
import os
import threading
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


class KeptThreads:
    """A pool of threads made on first use and kept for the life of the process: a batch
    starts no threads of its own, and the memory a thread's work gave back is reused by
    the same threads (with new threads for every slice, computing a frame of ten million
    lines touched 0.4 GB more new memory). A child process made by ``fork`` has none of
    its parent's threads: it makes its own pool on first use (the parent's would leave
    it waiting forever)."""

    def __init__(self, workers, prefix: str):
        self._workers, self._prefix = workers, prefix
        self._pool = None
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
            os.register_at_fork(after_in_child=self._forget)

    def __call__(self):
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(self._workers(), thread_name_prefix=self._prefix)
            return self._pool

    def _forget(self) -> None:
        self._pool, self._lock = None, threading.Lock()


def _kernel_threads() -> int:
    import numba

    return numba.config.NUMBA_NUM_THREADS - 1


_kernel_pool = KeptThreads(_kernel_threads, "motorsub-kernel")  # the threads of in_threads


def threads() -> int:
    """How many threads :func:`in_threads` uses: as many as numba's parallel loops would
    in the calling thread (``NUMBA_NUM_THREADS``, or less after
    :func:`numba.set_num_threads`, as a cluster worker sets it for its share of the
    cores); one when kernels run as plain Python."""
    if python():
        return 1
    import numba

    return numba.get_num_threads()


def in_threads(func, n: int, *args, min_chunk: int = 16_384) -> None:
    """Call ``func(start, stop, *args)`` over the lines ``0:n`` in one chunk per thread.

    ``func`` is a serial kernel that writes its lines' results into arrays among ``args``;
    compiled with ``nogil``, its chunks run at once on every core. A chunk holds at least
    ``min_chunk`` lines: a smaller job runs in this thread alone.
    """
    k = max(1, min(threads(), n // min_chunk))
    if k == 1:
        func(0, n, *args)
        return
    pool = _kernel_pool()
    cuts = [n * j // k for j in range(k + 1)]
    others = [pool.submit(func, cuts[j], cuts[j + 1], *args) for j in range(1, k)]
    func(cuts[0], cuts[1], *args)  # this thread takes the first chunk
    for f in others:
        f.result()


def read_only(values):
    """A read-only view of an array: numba compiles a kernel once per argument type, and
    whether an array is writable depends on where it came from (an Arrow buffer is not,
    a numpy result is), so a kernel's inputs are passed read-only, whatever they are."""
    view = values.view()
    view.flags.writeable = False
    return view


def kernel(parallel: bool = False, inline: bool = False, chunk: bool = False):
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
    chunk : bool
        A serial kernel ``f(start, stop, ...)`` over a chunk of lines, which
        :func:`in_threads` runs on every core. Compiled as numba compiles the body of a
        parallel loop: without reference counting (the caller holds every array, and
        counting the arrays each helper reads, line by line, would cost more than the
        work; so such a kernel must not allocate arrays), and with numpy's error model (a
        float division by zero gives inf or NaN, never an exception).
    """

    def wrap(func):
        if python():
            return func
        import numba

        _listen_for_compiling()
        return numba.njit(
            cache=True,
            fastmath=False,
            parallel=parallel,
            nogil=True,
            inline="always" if inline else "never",
            _nrt=not chunk,
            error_model="numpy" if chunk else "python",
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


_when_compiling: list = []  # callbacks for the first compilation of this process
_listening = False


def compiling_words(_) -> str:
    """What a front end says, in the words of the translator ``_``, when a run starts
    compiling kernels (:func:`when_compiling`): the command line on stderr,
    ``motorsub.compute`` as a warning."""
    return _(
        "motorsub: compiling its kernels for this machine, once (about 10 s; "
        "`motorsub warmup` does it ahead of time)"
    )


@contextlib.contextmanager
def when_compiling(callback):
    """Within the block, call ``callback()`` once if numba starts compiling a kernel (it
    does not when every kernel loads from its cache). For a front end's notice: the first
    run after an install spends seconds compiling before any line is read."""
    _when_compiling.append(callback)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # already called
            _when_compiling.remove(callback)


def _listen_for_compiling() -> None:
    global _listening
    if _listening:
        return
    _listening = True
    from numba.core import event

    class FirstCompile(event.Listener):
        def on_start(self, ev):
            while _when_compiling:
                _when_compiling.pop(0)()

        def on_end(self, ev):
            pass

    event.register("numba:compile", FirstCompile())
