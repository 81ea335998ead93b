"""What every benchmark shares: sizes, timing, the machine, and the synthetic columns.

The typed columns at a size ``n`` are the valid rows of ``n`` synthetic records made by
:func:`motorsub.engine.synth.chunk` in chunks of
:data:`motorsub.engine.synth.CHUNK_ROWS` from one seeded
generator, exactly as ``motorsub synth --rows n --seed SEED`` writes them, then validated by
:func:`motorsub.engine.records.validate` and taken with :meth:`Records.take`. Only the last size
built is kept in memory (1e7 rows of typed columns is about 1 GB).
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CACHE = RESULTS / "tmp"  # synthetic inputs, written once per size and kept (see .gitignore)
PYTHON = sys.executable
SEED = 1
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
QUICK_SIZES = (100_000, 1_000_000)


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"1e5,1e6,2e7"`` → ``(100000, 1000000, 20000000)``."""
    return tuple(int(float(x)) for x in text.split(",") if x.strip())


def label(n: int) -> str:
    """``10000000`` → ``'1e7'``, ``20000000`` → ``'2e7'``; other sizes with separators."""
    mantissa, exponent = f"{n:.0e}".split("e")
    if int(float(f"{n:.0e}")) == n:
        return f"{mantissa}e{int(exponent)}"
    return f"{n:,}"


class Others:
    """CPU used by other processes while a block runs, as a share of the machine.

    From ``/proc/stat`` (every process's busy time) minus ``os.times()`` (this process and
    its waited-for children). 0.0 is a quiet machine; 0.5 means other work took one core
    of two. Measurements taken while it is well above 0 are disturbed.
    """

    def __enter__(self) -> Others:
        self._busy, self._own, self._t = _busy_s(), _own_s(), time.perf_counter()
        self.share = 0.0
        return self

    def __exit__(self, *exc) -> None:
        wall = time.perf_counter() - self._t
        other = (_busy_s() - self._busy) - (_own_s() - self._own)
        self.share = max(0.0, other / (wall * (os.cpu_count() or 1))) if wall > 0 else 0.0


def _busy_s() -> float:
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0
    return (sum(fields[:8]) - idle - steal) / os.sysconf("SC_CLK_TCK")


def _own_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def best_of(
    fn: Callable[[], object], repeats: int = 3, warmup: int = 1
) -> tuple[float, object, float]:
    """Best wall time [s] of ``repeats`` calls after ``warmup`` untimed calls, the last
    result, and the share of the machine other processes used during the best call."""
    result = None
    for _ in range(warmup):
        result = fn()
    best, others = float("inf"), 0.0
    for _ in range(repeats):
        result = None
        gc.collect()
        with Others() as o:
            t0 = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - t0
        if seconds < best:
            best, others = seconds, o.share
    return best, result, others


def best_of_rounds(
    fns: dict[str, Callable[[], object]],
    rounds: int = 5,
    warmup: int = 1,
    times: dict[str, list[float]] | None = None,
) -> dict[str, tuple[float, object, float]]:
    """:func:`best_of` for several functions whose times are compared, run in turns:
    each round calls every one once (in reverse order every other round), so that a
    slow spell of a shared machine falls on all of them rather than on one. ``times``,
    if given, receives every round's time of each, for ratios round by round."""
    names = list(fns)
    result: dict[str, object] = {}
    for _ in range(warmup):
        for name in names:
            result[name] = fns[name]()
    best = {name: (float("inf"), 0.0) for name in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            result[name] = None
            gc.collect()
            with Others() as o:
                t0 = time.perf_counter()
                result[name] = fns[name]()
                seconds = time.perf_counter() - t0
            if times is not None:
                times.setdefault(name, []).append(seconds)
            if seconds < best[name][0]:
                best[name] = (seconds, o.share)
    return {name: (best[name][0], result[name], best[name][1]) for name in names}


def wait_idle(max_wait_s: float, threshold: float = 0.1, sample_s: float = 5.0) -> float:
    """Wait (up to ``max_wait_s``) until other processes use less than ``threshold`` of
    the machine over ``sample_s``; return the last share seen."""
    deadline = time.perf_counter() + max_wait_s
    while True:
        with Others() as o:
            time.sleep(sample_s)
        if o.share < threshold or time.perf_counter() >= deadline:
            return o.share
        print(f"  machine busy (others use {o.share:.0%}); waiting ...", flush=True)


# ------------------------------------------------------------------------------- machine
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def _hypervisor() -> str:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""
    return "virtual machine" if " hypervisor" in flags else ""


def code_version() -> dict:
    """The commit measured, and the files of the engine changed since (if any)."""
    import subprocess

    def git(*args):
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        except OSError:
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    changed = git("status", "--porcelain", "--", "motorsub", "schemes").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": changed}


def machine() -> dict:
    """The machine and the library versions the numbers were measured with."""
    import numba

    versions = {"python": platform.python_version()}
    for name in ("numpy", "numba", "pandas", "polars", "pyarrow", "psutil", "motorsub"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gb": round(_ram_gb(), 1),
        "platform": platform.platform(),
        "virtualised": _hypervisor(),
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "versions": versions,
        "code": code_version(),
    }


def code_text(m: dict) -> str:
    code = m.get("code", {})
    dirty = code.get("uncommitted") or []
    extra = f" plus uncommitted changes to {', '.join(x[3:] for x in dirty)}" if dirty else ""
    return f"motorsub at {code.get('commit') or 'an unknown commit'}{extra}"


def machine_text(m: dict) -> str:
    v = m["versions"]
    vm = f", {m['virtualised']}" if m["virtualised"] else ""
    return (
        f"{m['cpu']}, {m['cores']} cores ({m['numba_threads']} numba threads), "
        f"{m['ram_gb']:.0f} GB RAM{vm}; {m['platform']}; Python {v['python']}, "
        f"numpy {v['numpy']}, numba {v['numba']}, pandas {v['pandas']}, "
        f"polars {v['polars']}, pyarrow {v['pyarrow']}"
    )


# ------------------------------------------------------------------------------- data
_cols_cache: dict[tuple[int, int], dict[str, np.ndarray]] = {}


def columns(n: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Typed columns (``Records.take`` of the valid rows) of ``n`` synthetic records.

    Built once per (n, seed); building another size frees the previous one.
    """
    key = (n, seed)
    if key in _cols_cache:
        return _cols_cache[key]
    free_columns()
    from motorsub.engine import records, synth

    rng = np.random.default_rng(seed)
    parts = []
    for start in range(0, n, synth.CHUNK_ROWS):
        table = synth.chunk(rng, start, min(synth.CHUNK_ROWS, n - start))
        recs = records.validate(table, f"synth chunk at {start}")
        parts.append(recs.take(np.flatnonzero(recs.valid)))
        del table, recs
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    del parts
    _cols_cache[key] = cols
    return cols


def free_columns() -> None:
    _cols_cache.clear()
    gc.collect()


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    lines[1] = "|" + "|".join(":---" if i == 0 else "---:" for i in range(len(headers))) + "|"
    return "\n".join(lines)


def fmt_s(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    if x < 0.01:
        return f"{x * 1000:.2f} ms"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_rate(rows_per_s: float) -> str:
    if rows_per_s >= 1e6:
        return f"{rows_per_s / 1e6:.1f} M/s"
    return f"{rows_per_s / 1e3:.0f} k/s"


def fmt_others(share: float | None, seconds: float) -> str:
    """The *others* column: blank under 0.25 s, where /proc/stat's 10 ms ticks say little."""
    return "—" if share is None or seconds < 0.25 else f"{share:.0%}"


def fmt_x(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:.1f}×" if x < 100 else f"{x:.0f}×"
