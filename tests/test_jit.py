"""motorsub._jit: the compile report of ``motorsub warmup --verbose``, and kernels run in
threads."""

from __future__ import annotations

import itertools

import numpy as np

from motorsub import _jit
from motorsub.cli.warmup import compile_report


def test_report_sums_each_kernel_and_puts_numba_helpers_on_one_line():
    log = [
        _jit.Compiled("motorsub.kernels.a._k", "(int64,)", 1.0, 0.5),
        _jit.Compiled("numba.np.arrayobj.impl", "(int64,)", 0.25, 0.25),
        _jit.Compiled("motorsub.kernels.b._m", "(float64,)", 3.0, 2.0),
        _jit.Compiled("motorsub.kernels.a._k", "(float64,)", 2.5, 2.0),
        _jit.Compiled("numba.cpython.builtins.impl", "(int64,)", 0.5, 0.25),
    ]
    lines = compile_report(log)
    rows = [line.split() for line in lines[1:]]
    # slowest first: _k 1.0 + 2.5 s in two signatures, then _m, then numba's helpers
    assert rows[0] == ["3.50", "2.50", "2", "motorsub.kernels.a._k"]
    assert rows[1] == ["3.00", "2.00", "1", "motorsub.kernels.b._m"]
    assert rows[2] == ["0.75", "0.50", "2", "numba's", "own", "helpers"]
    assert rows[3] == ["7.25", "5.00", "5", "(all", "compiled)"]


def test_compile_log_records_a_kernel_compiled_inside_it():
    def double(x):
        return x * 2

    with _jit.compile_log() as log:
        if _jit.python():
            assert double(np.int64(3)) == 6
        else:
            import numba

            assert numba.njit(double)(np.int64(3)) == 6
    if _jit.python():
        assert log == []  # plain Python: nothing is compiled
    else:
        mine = [c for c in log if c.name.endswith("double")]
        assert len(mine) == 1 and "int64" in mine[0].signature
        assert mine[0].seconds > 0 and mine[0].cpu_seconds > 0


def test_in_threads_covers_every_line_once_in_order_of_chunks():
    seen = np.zeros(100_003, dtype=np.int64)
    calls = []

    def mark(start, stop, out):  # plain Python: the threads share the array
        calls.append((start, stop))
        out[start:stop] += 1

    _jit.in_threads(mark, len(seen), seen, min_chunk=1_000)
    assert (seen == 1).all()
    chunks = sorted(calls)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(seen)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))  # no gap, no overlap
    assert len(chunks) == _jit.threads()


def test_in_threads_runs_a_small_job_in_one_call():
    calls = []
    _jit.in_threads(lambda a, b: calls.append((a, b)), 500, min_chunk=1_000)
    assert calls == [(0, 500)]


def test_when_compiling_calls_once_within_its_block_and_is_forgotten_after():
    if _jit.python():
        import pytest

        pytest.skip("kernels run as plain Python here: nothing is compiled")
    import numba

    @_jit.kernel()  # registers the listener, as any kernel module does
    def first(x):
        return x + 1

    calls = []
    with _jit.when_compiling(lambda: calls.append("told")):
        first(1)  # compiled here (or loaded from the cache: then not told)
        numba.njit(lambda x: x * 3 + 1)(2)  # never cached: compiled now
        numba.njit(lambda x: x * 5 + 1)(2)
    assert calls == ["told"]  # once, however many kernels compile
    numba.njit(lambda x: x * 7 + 1)(2)  # after the block: nobody is told
    assert calls == ["told"] and _jit._when_compiling == []


_AFTER_FORK = """
import os, signal
import numpy as np
from motorsub import _jit
from motorsub.engine import records

def mark(start, stop, out):
    out[start:stop] += 1

def both():
    seen = np.zeros(100_000, np.int64)
    _jit.in_threads(mark, len(seen), seen, min_chunk=1_000)
    jobs = {k: (lambda k=k: k * 2) for k in range(5)}
    parsed = records._parse_columns(records.PARALLEL_ROWS, jobs)
    return int(seen.sum()), parsed

assert both() == (100_000, {k: k * 2 for k in range(5)})  # the parent's pools exist now
pid = os.fork()
if pid == 0:
    signal.alarm(20)  # a child waiting on its parent's threads would wait forever
    os._exit(0 if both() == (100_000, {k: k * 2 for k in range(5)}) else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


def test_kept_thread_pools_work_in_a_child_made_by_fork():
    """The kernel and parsing threads are kept for the process's life; a child made by
    fork has none of them and must make its own (it waited forever on its parent's)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _AFTER_FORK], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # the child's own exit code: 0, not SIGALRM's


def test_a_python_call_that_starts_compiling_says_so_once():
    """motorsub.compute's block: a kernel compiling inside it raises a CompilingNotice
    warning (the first call after an install compiles for about 10 s), once however many
    compile; a block in which nothing compiles says nothing."""
    import warnings

    import pytest

    from motorsub.engine import frames
    from motorsub.errors import CompilingNotice

    if _jit.python():
        pytest.skip("kernels run as plain Python here: nothing is compiled")
    import numba

    @_jit.kernel()  # registers the listener, as any kernel module does
    def first(x):
        return x + 1

    first(1)  # compiled (or loaded from the cache) before the blocks
    with pytest.warns(CompilingNotice, match="motorsub warmup") as said:
        with frames.compiling_notice():
            numba.njit(lambda x: x * 3 + 1)(2)  # never cached: compiled now
            numba.njit(lambda x: x * 5 + 1)(2)
    assert len([w for w in said if w.category is CompilingNotice]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with frames.compiling_notice():
            assert first(2) == 3  # compiled already: nothing to say
