"""End to end: ``motorsub compute`` Parquet→Parquet and CSV→Parquet, next to the I/O floor.

At each size the synthetic input (``motorsub.engine.synth.synth(n, SEED, path)``) is written once
as Parquet and as CSV into the cache folder ``benchmarks/results/tmp/`` and kept for later
runs. The command runs as a subprocess, exactly as a user runs it::

    python -m motorsub compute IN -o OUT -q

its wall time measured around the process and its peak resident memory read from the
child's own high-water mark (``VmHWM`` in ``/proc/PID/status``, polled every 10 ms). The
*I/O floor* is what reading the same input and writing the same output costs with
pyarrow alone, in this process: the faster of a whole-table read
(``pyarrow.parquet.read_table``; for CSV ``pyarrow.csv.read_csv`` with every column as
text, as motorsub reads it) and a batch-by-batch read, plus the faster of
``pyarrow.parquet.write_table`` of motorsub's own output table and a batch-by-batch
``ParquetWriter``. The floor includes no interpreter start-up, no imports and no JIT
cache loading (see ``bench_startup``).
"""

from __future__ import annotations

import argparse
import csv
import gc
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from benchmarks import _common as C


def input_file(n: int, fmt: str, cache: Path = C.CACHE, seed: int = C.SEED) -> Path:
    """The synthetic input of ``n`` rows in ``fmt`` (``parquet`` or ``csv``), made once."""
    from motorsub.engine.synth import synth

    path = cache / f"records-{C.label(n)}-seed{seed}.{fmt}"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        synth(n, seed, path)
        print(f"  wrote {path.name} in {time.perf_counter() - t0:.1f} s", flush=True)
    return path


def _high_water_kb(pid: int) -> int:
    """The process's peak resident set so far (``VmHWM`` of /proc/PID/status) [KiB]."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def watch(cmd: list[str], pids=lambda pid: [pid], poll_s: float = 0.01) -> tuple[float, dict]:
    """Run ``cmd``; its wall time [s] and the peak RSS [KiB] of each process that
    ``pids(its pid)`` names, read every ``poll_s`` while it runs."""
    peaks: dict[int, int] = {}
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=C.ROOT)

        def poll():
            while proc.returncode is None:
                for pid in pids(proc.pid):
                    peaks[pid] = max(peaks.get(pid, 0), _high_water_kb(pid))
                time.sleep(poll_s)

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        proc.wait()
        wall = time.perf_counter() - t0
        watcher.join()
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read().decode(errors='replace')}")
    return wall, peaks


def run_compute(inp: Path, out: Path, poll_s: float = 0.01) -> tuple[float, float]:
    """Wall time [s] and peak RSS [MB] of one ``python -m motorsub compute`` subprocess.

    The peak is the child's own high-water mark, read every ``poll_s`` while it runs (the
    ``ru_maxrss`` that ``wait4`` reports would include this process's memory, which the
    child inherits at fork time until it execs).
    """
    cmd = [C.PYTHON, "-m", "motorsub", "compute", str(inp), "-o", str(out), "-q"]
    wall, peaks = watch(cmd, poll_s=poll_s)
    return wall, max(peaks.values(), default=0) / 1024


try:  # batch by batch as motorsub compute does by default
    from motorsub.backends import DEFAULT_BATCH_ROWS as BATCH_ROWS
except ImportError:  # pragma: no cover - an engine without the constant
    BATCH_ROWS = 250_000


def _csv_options(inp: Path) -> tuple[pacsv.ReadOptions, pacsv.ConvertOptions]:
    """Every column as text, empty cells null, UTF-8: how motorsub reads a CSV."""
    with open(inp, encoding="utf-8-sig", newline="") as f:
        names = next(csv.reader(f))
    convert = pacsv.ConvertOptions(
        column_types={n.strip(): pa.string() for n in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    return pacsv.ReadOptions(encoding="utf-8", block_size=1 << 24), convert


def read_whole(inp: Path) -> None:
    """Read the whole input into one table."""
    if inp.suffix == ".parquet":
        pq.read_table(inp)
    else:
        read, convert = _csv_options(inp)
        pacsv.read_csv(inp, read_options=read, convert_options=convert)


def read_streamed(inp: Path) -> None:
    """Read the input batch by batch, as motorsub's reader does."""
    if inp.suffix == ".parquet":
        for _ in ds.dataset(inp, format="parquet").to_batches(batch_size=BATCH_ROWS):
            pass
    else:
        read, convert = _csv_options(inp)
        with pacsv.open_csv(inp, read_options=read, convert_options=convert) as reader:
            for _ in reader:
                pass


def write_whole(output: pa.Table, path: Path) -> None:
    pq.write_table(output, path)


def write_streamed(output: pa.Table, path: Path) -> None:
    """Write the output in batches of BATCH_ROWS, as motorsub's writer does."""
    with pq.ParquetWriter(path, output.schema) as writer:
        for start in range(0, output.num_rows, BATCH_ROWS):
            writer.write_table(output.slice(start, BATCH_ROWS))


def io_floor(inp: Path, output: pa.Table, scratch: Path, repeats: int) -> dict:
    """Best time [s] of each way to read the input and write the output with pyarrow."""
    best = dict.fromkeys(("read_whole", "read_streamed", "write_whole", "write_streamed"), 1e99)
    for _ in range(repeats):
        for name, fn in (("read_whole", read_whole), ("read_streamed", read_streamed)):
            gc.collect()
            t0 = time.perf_counter()
            fn(inp)
            best[name] = min(best[name], time.perf_counter() - t0)
        for name, fn in (("write_whole", write_whole), ("write_streamed", write_streamed)):
            gc.collect()
            t0 = time.perf_counter()
            fn(output, scratch)
            best[name] = min(best[name], time.perf_counter() - t0)
            scratch.unlink()
    return best


def bench_one(n: int, fmt: str, repeats: int, cache: Path) -> dict:
    inp = input_file(n, fmt, cache)
    out = cache / f"out-{C.label(n)}-from-{fmt}.parquet"
    rejects = out.with_name(f"{out.stem}.rejects.csv")  # motorsub's default, beside OUT
    walls, peaks, others = [], [], []
    try:
        for _ in range(repeats):
            with C.Others() as o:
                wall, peak = run_compute(inp, out)
            walls.append(wall)
            peaks.append(peak)
            others.append(o.share)
        output = pq.read_table(out)
        out_rows, out_mb = output.num_rows, out.stat().st_size / 1e6
        floors = io_floor(inp, output, cache / f"floor-{C.label(n)}.parquet", repeats)
        del output
    finally:
        for p in (out, rejects):
            if p.exists():
                p.unlink()
        gc.collect()
    read_s = min(floors["read_whole"], floors["read_streamed"])
    write_s = min(floors["write_whole"], floors["write_streamed"])
    floor = read_s + write_s
    return {
        "size": n,
        "input": fmt,
        "input_mb": inp.stat().st_size / 1e6,
        "output_rows": out_rows,
        "output_mb": out_mb,
        "repeats": repeats,
        "seconds": min(walls),
        "rows_per_s": n / min(walls),
        "peak_rss_mb": max(peaks),
        "others_cpu_share": others[walls.index(min(walls))],
        "floor_ways_s": floors,
        "floor_read_s": read_s,
        "floor_write_s": write_s,
        "floor_s": floor,
        "x_floor": min(walls) / floor,
    }


def run(sizes, cache: Path = C.CACHE) -> dict:
    rows = []
    for n in sizes:
        repeats = 3 if n <= 10_000_000 else 1
        for fmt in ("parquet", "csv"):
            if fmt == "csv" and n > 10_000_000:
                continue  # the 2e7 run is there to show memory flat in N
            rows.append(bench_one(n, fmt, repeats, cache))
            print(f"  compute {C.label(n)} {fmt} done", flush=True)
    return {"rows": rows}


def markdown(res: dict) -> str:
    rows = [
        [
            C.label(r["size"]),
            f"{r['input']}→parquet",
            C.fmt_s(r["seconds"]),
            C.fmt_rate(r["rows_per_s"]),
            f"{r['peak_rss_mb']:,.0f}",
            C.fmt_s(r["floor_read_s"]),
            C.fmt_s(r["floor_write_s"]),
            C.fmt_x(r["x_floor"]),
            C.fmt_others(r["others_cpu_share"], r["seconds"]),
        ]
        for r in res["rows"]
    ]
    return (
        "`python -m motorsub compute IN -o OUT -q` as a subprocess (wall time, best of 3; "
        "peak RSS, worst of the runs) next to the pyarrow I/O floor (read IN + write "
        "motorsub's output table, the faster of whole-table and batch by batch, in process).\n\n"
        + C.table(
            [
                "N",
                "run",
                "wall",
                "rows/s",
                "peak RSS MB",
                "floor read",
                "floor write",
                "× floor",
                "others",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e5,1e6")
    args = p.parse_args()
    print(markdown(run(C.parse_sizes(args.sizes))))
