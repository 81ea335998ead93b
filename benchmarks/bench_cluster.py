"""One process against a Dask LocalCluster: ``compute`` end to end, and the cluster's costs.

At each size the synthetic Parquet input of ``bench_compute`` (row groups of 1,000,000
lines, so a task per million lines) is computed three ways, each as a subprocess exactly
as a user runs it:

- ``python -m motorsub compute IN -o OUT.parquet -q`` (one process);
- ``python -m motorsub compute IN -o OUTDIR --cluster local:1 -q`` and ``local:2``
  (a LocalCluster that the command starts and stops, kernels from numba's cache).

Wall time is measured around the process; peak memory is the high-water mark (``VmHWM``)
of the command's process (client and scheduler) and of each worker process, polled every
20 ms. *Bytes through the store* is what a cluster's shared store carries: the input read
once plus the parts written (and, for a remote store, read back by whoever uses them).

Then, in this process, with one LocalCluster of two workers: how long starting it takes
(processes spawned, kernels loaded by the worker plugin), and the per-task overhead: a
dataset of many one-row-group files of 100 lines computed with one task per file, whose
wall time over the tasks, times the workers, is the cost of one task (scheduling, opening
the file, writing two part files, sending the totals back).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from benchmarks import _common as C
from benchmarks.bench_compute import input_file, watch

TINY_TASKS, TINY_ROWS = 40, 100
HEADERS = [
    "N", "run", "wall", "rows/s", "× one process", "peak RSS MB (main)",
    "peak RSS MB (worker)", "MB through store", "others",
]  # fmt: skip


def _tree(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def run_command(args: list[str], poll_s: float = 0.02) -> dict:
    """Wall time [s] and peak RSS [MB] of the command and of its largest child."""
    cmd = [C.PYTHON, "-m", "motorsub", "compute", *args, "-q"]
    main_pid: list[int] = []

    def pids(pid: int) -> list[int]:
        main_pid[:] = [pid]
        return [pid, *_tree(pid)]

    wall, peaks = watch(cmd, pids, poll_s)
    main = peaks.pop(main_pid[0], 0) if main_pid else 0
    return {
        "seconds": wall,
        "peak_main_mb": main / 1024,
        "peak_worker_mb": max(peaks.values()) / 1024 if peaks else None,
    }


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def bench_size(n: int, cache: Path) -> list[dict]:
    inp = input_file(n, "parquet", cache)
    rows = []
    for way in ("one process", "local:1", "local:2"):
        out = cache / f"cluster-out-{C.label(n)}"
        target = out.with_suffix(".parquet") if way == "one process" else out
        args = [str(inp), "-o", str(target)]
        if way != "one process":
            args += ["--cluster", way]
        with C.Others() as others:
            r = run_command(args)
        r |= {
            "size": n,
            "way": way,
            "input_mb": _size_mb(inp),
            "output_mb": _size_mb(target),
            "others_cpu_share": others.share,
        }
        for p in (target, target.with_name(f"{target.stem}.rejects.csv")):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        rows.append(r)
        print(f"  {C.label(n)} {way}: {C.fmt_s(r['seconds'])}", flush=True)
    one = rows[0]["seconds"]
    for r in rows:
        r["vs_one_process"] = r["seconds"] / one
    return rows


def overheads(cache: Path) -> dict:
    """Start-up of a LocalCluster(2) and the cost of one small task, in this process."""
    import pyarrow.parquet as pq

    from motorsub import cluster
    from motorsub.cluster.compute import compute_dataset
    from motorsub.engine.synth import chunk

    folder = cache / "cluster-tiny"
    if not folder.exists():
        import numpy as np

        folder.mkdir(parents=True)
        rng = np.random.default_rng(C.SEED)
        for i in range(TINY_TASKS):
            pq.write_table(chunk(rng, i * TINY_ROWS, TINY_ROWS), folder / f"p{i:03d}.parquet")
    t0 = time.perf_counter()
    with cluster.connect("local:2", dashboard=":0") as client:
        started = time.perf_counter() - t0
        out = cache / "cluster-tiny-out"
        walls = []
        for _ in range(3):
            if out.exists():
                shutil.rmtree(out)
            t1 = time.perf_counter()
            compute_dataset(folder, out, client=client)
            walls.append(time.perf_counter() - t1)
        shutil.rmtree(out)
    wall = min(walls)
    return {
        "start_s": started,
        "tasks": TINY_TASKS,
        "rows_per_task": TINY_ROWS,
        "tiny_run_s": wall,
        "per_task_s": wall * 2 / TINY_TASKS,
    }


def run(sizes, cache: Path = C.CACHE) -> dict:
    rows = [r for n in sizes for r in bench_size(n, cache)]
    return {"rows": rows, "overhead": overheads(cache)}


def markdown(res: dict) -> str:
    rows = [
        [
            C.label(r["size"]),
            r["way"],
            C.fmt_s(r["seconds"]),
            C.fmt_rate(r["size"] / r["seconds"]),
            f"{r['vs_one_process']:.2f}×",
            f"{r['peak_main_mb']:,.0f}",
            "—" if r["peak_worker_mb"] is None else f"{r['peak_worker_mb']:,.0f}",
            f"{r['input_mb'] + r['output_mb']:,.0f}",
            C.fmt_others(r["others_cpu_share"], r["seconds"]),
        ]
        for r in res["rows"]
    ]
    o = res["overhead"]
    return (
        "`python -m motorsub compute IN -o OUT -q`, one process, against `--cluster local:1` "
        "and `local:2` (a LocalCluster started and stopped by the command), each a "
        "subprocess, one run each; peak RSS of the command's process and of its largest "
        "worker; MB through the store: input read + output written.\n\n"
        + C.table(HEADERS, rows)
        + f"\n\nLocalCluster of 2 workers started, kernels warmed: {C.fmt_s(o['start_s'])}; "
        f"{o['tasks']} tasks of {o['rows_per_task']} lines: {C.fmt_s(o['tiny_run_s'])}, "
        f"so about {C.fmt_s(o['per_task_s'])} per task on a worker."
    )


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e6,1e7")
    p.add_argument("--cache", type=Path, default=C.CACHE, help="folder of synthetic inputs")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args()
    res = run(C.parse_sizes(args.sizes), args.cache)
    res["machine"] = C.machine()
    if args.json:
        import json

        args.json.write_text(json.dumps(res, indent=2, default=float) + "\n")
    print(markdown(res))
