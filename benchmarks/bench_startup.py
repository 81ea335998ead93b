"""Start-up: the first run's JIT compile, and a warm start on a small file.

First run: ``python -m motorsub warmup --verbose`` in a subprocess with ``NUMBA_CACHE_DIR``
pointed at a fresh, empty temporary folder, so every kernel is compiled from scratch (what a
user pays once after installing); the seconds each kernel took to compile are kept from its
report. First compute: ``compute`` of a 10 000-line CSV with another empty cache, as a
user who skipped the warmup runs it; its compile time is its wall time less that of the
same compute once the cache is full. Warm start: with that folder then full, ``python -m motorsub
compute`` on a 1 000-line CSV (a lean run: kernels as plain Python, see
``motorsub.cli.lean``), ``motorsub quote`` (lean too) and ``compute`` on a 10 000-line CSV
(compiled kernels loaded from the cache), best of 3, as subprocesses; next to them the bare
interpreter (``python -c pass``) and ``import motorsub.cli`` for scale. The first compiled
compute after the warmup (with part load) is timed on its own: a kernel the warmup did not
cover would be compiled there, and show as tens of seconds. The temporary folder is
removed at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks import _common as C

SMALL_ROWS = 1_000  # run lean (motorsub.cli.lean): no numba, no pandas
LARGER_ROWS = 10_000  # above motorsub.cli.lean.SMALL_ROWS: compiled kernels from the cache
QUOTE = (
    "quote --motor-type lv_async --kw 11 --poles 4 --grade 2 --kind new --trade-in "
    "--old-kw 11 --old-efficiency 87.6 --region CN-SH --date 2013-06-01 --hours 4000 "
    "--load 0.75 --tariff 0.8"
).split()


def _run(args: list[str], env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [C.PYTHON, *args], env=env, cwd=C.ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr}")
    return wall, proc.stderr


def _best(args: list[str], env: dict, repeats: int = 3) -> float:
    return min(_run(args, env)[0] for _ in range(repeats))


def kernel_seconds(report: str) -> dict[str, dict]:
    """Wall and CPU seconds per kernel from ``motorsub warmup --verbose``'s report."""
    out = {}
    for m in re.finditer(r"^\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\S.*)$", report, re.M):
        out[m[4].strip()] = {"s": float(m[1]), "cpu_s": float(m[2]), "signatures": int(m[3])}
    return out


def run(cache: Path = C.CACHE, repeats: int = 3) -> dict:
    from motorsub.engine.synth import synth

    numba_cache = Path(tempfile.mkdtemp(prefix="motorsub-bench-numba-"))
    other_cache = Path(tempfile.mkdtemp(prefix="motorsub-bench-numba-"))
    work = Path(tempfile.mkdtemp(prefix="motorsub-bench-startup-"))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(numba_cache))
    try:
        cold, stderr = _run(["-m", "motorsub", "warmup", "--verbose"], env)
        kernels = kernel_seconds(stderr)
        said = re.search(r"compiled and cached in ([\d.]+) s", stderr)
        cache_mb = sum(f.stat().st_size for f in numba_cache.rglob("*") if f.is_file()) / 1e6
        small = work / "small.csv"
        synth(SMALL_ROWS, C.SEED, small)
        compute = ["-m", "motorsub", "compute", str(small), "-o", str(work / "out.csv"), "-q"]
        larger = work / "larger.csv"
        synth(LARGER_ROWS, C.SEED, larger)
        compiled = ["-m", "motorsub", "compute", str(larger), "-o", str(work / "o.csv"), "-q"]
        cold_compute = _run(compiled, dict(env, NUMBA_CACHE_DIR=str(other_cache)))[0]
        # timed, not only run: anything warmup left uncompiled shows here as seconds
        first_compiled = _run([*compiled, "--hours", "4000", "--part-load"], env)[0]
        warm = _best(compute, env, repeats)
        warm_compiled = _best(compiled, env, repeats)
        quote = _best(["-m", "motorsub", *QUOTE], env, repeats)
        warm_again = _best(["-m", "motorsub", "warmup"], env, repeats)
        bare = _best(["-c", "pass"], env, repeats)
        imports = _best(["-c", "import motorsub.cli"], env, repeats)
    finally:
        for folder in (numba_cache, other_cache, work):
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "first_run_warmup_s": cold,
        "first_run_compile_s_reported": float(said[1]) if said else None,
        "numba_cache_mb": cache_mb,
        "compile_s_per_kernel": kernels,
        "first_compute_10000_rows_empty_cache_s": cold_compute,
        "first_compute_compile_s": cold_compute - warm_compiled,
        "warm_compute_1000_rows_s": warm,
        "warm_compute_10000_rows_s": warm_compiled,
        "first_compute_10000_rows_after_warmup_s": first_compiled,
        "warm_quote_s": quote,
        "warm_warmup_s": warm_again,
        "python_bare_s": bare,
        "import_motorsub_cli_s": imports,
        "repeats": repeats,
    }


def markdown(res: dict) -> str:
    rows = [
        ["`motorsub warmup`, empty numba cache (first run: JIT compile)", C.fmt_s(res[
            "first_run_warmup_s"])],
        ["`motorsub warmup`, cache full", C.fmt_s(res["warm_warmup_s"])],
        [f"`motorsub compute` {SMALL_ROWS:,}-line CSV (lean: plain Python kernels)",
         C.fmt_s(res["warm_compute_1000_rows_s"])],
        ["`motorsub quote` (lean)", C.fmt_s(res["warm_quote_s"])],
        [f"`motorsub compute` {LARGER_ROWS:,}-line CSV (compiled kernels, cache full)",
         C.fmt_s(res["warm_compute_10000_rows_s"])],
        [f"first `motorsub compute --hours 4000 --part-load` of {LARGER_ROWS:,} lines after "
         "warmup", C.fmt_s(res.get("first_compute_10000_rows_after_warmup_s"))],
        [f"first `motorsub compute` of {LARGER_ROWS:,} lines, empty cache, no warmup "
         "(compile time: this less the warm run)",
         f"{C.fmt_s(res.get('first_compute_10000_rows_empty_cache_s'))} "
         f"({C.fmt_s(res.get('first_compute_compile_s'))})"],
        ["`python -c 'import motorsub.cli'`", C.fmt_s(res["import_motorsub_cli_s"])],
        ["`python -c pass`", C.fmt_s(res["python_bare_s"])],
    ]  # fmt: skip
    kernels = [
        [f"`{name}`", f"{k['s']:.2f} s", f"{k['cpu_s']:.2f} s", str(k["signatures"])]
        for name, k in res.get("compile_s_per_kernel", {}).items()
    ]
    return (
        f"Start-up, wall time of a subprocess (best of {res['repeats']} except the first runs); "
        f"compiled kernels on disk: {res['numba_cache_mb']:.1f} MB.\n\n"
        + C.table(["what", "wall"], rows)
        + "\n\nCompile time per kernel in the first `motorsub warmup --verbose` (numba's "
        "helpers in one line; the callees a kernel compiles on the way count apart):\n\n"
        + C.table(["kernel", "wall", "CPU", "signatures"], kernels)
    )


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(markdown(run()))
