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

The *polars contender* is what an analyst would run instead, also as a subprocess
(``python -m benchmarks.bench_compute --polars IN OUT``): a lazy pipeline
``pl.scan_parquet`` (or ``pl.scan_csv``) → the three subsidy columns
(:func:`benchmarks.bench_subsidy.polars_lazy`, the same expressions as the kernel
benchmark) → ``sink_parquet``, with no validation, no savings and polars' own defaults
(zstd). Before timing, its amounts are checked equal to motorsub's on every line, to
the fen. motorsub and polars run in turns, best of the rounds each; the CPU time
(user + system) of each child is reported too, since wall time on a shared machine
carries the others' load.
"""

from __future__ import annotations

import argparse
import csv
import gc
import resource
import subprocess
import sys
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


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(cmd: list[str], poll_s: float = 0.01) -> tuple[float, float, float]:
    """Wall time [s], peak RSS [MB] and CPU time (user + system) [s] of one subprocess.

    The peak is the child's own high-water mark, read every ``poll_s`` while it runs (the
    ``ru_maxrss`` that ``wait4`` reports would include this process's memory, which the
    child inherits at fork time until it execs).
    """
    cpu = _children_cpu_s()
    wall, peaks = watch(cmd, poll_s=poll_s)
    return wall, max(peaks.values(), default=0) / 1024, _children_cpu_s() - cpu


def run_compute(inp: Path, out: Path, poll_s: float = 0.01) -> tuple[float, float, float]:
    """:func:`run_child` of ``python -m motorsub compute IN -o OUT -q``."""
    cmd = [C.PYTHON, "-m", "motorsub", "compute", str(inp), "-o", str(out), "-q"]
    return run_child(cmd, poll_s)


def run_polars(inp: Path, out: Path, poll_s: float = 0.01) -> tuple[float, float, float]:
    """:func:`run_child` of the polars pipeline (:func:`polars_pipeline`)."""
    cmd = [C.PYTHON, "-m", "benchmarks.bench_compute", "--polars", str(inp), str(out)]
    return run_child(cmd, poll_s)


def polars_pipeline(inp: Path, out: Path) -> None:
    """The three subsidy columns as an analyst computes them with polars: scan, add the
    columns, sink (in this process; :func:`run_polars` runs it as a subprocess)."""
    import polars as pl

    from benchmarks.bench_subsidy import polars_lazy
    from motorsub import vocab
    from motorsub.model.schemes import load_schemes

    if inp.suffix == ".parquet":
        records = pl.scan_parquet(inp)
    else:
        records = pl.scan_csv(inp, try_parse_dates=True)
    typed = records.with_columns(  # the types polars_lazy's rate table joins on
        pl.col("motor_type").cast(pl.Enum(list(vocab.MOTOR_TYPES))),
        pl.col("grade").cast(pl.Int8),
        pl.col("old_kw").fill_nan(None),
    )
    polars_lazy(load_schemes(), typed).sink_parquet(out)


def check_polars(motorsub_out: Path, polars_out: Path) -> None:
    """polars' amounts equal motorsub's on every line motorsub computed, to the fen."""
    import polars as pl

    ours = pl.read_parquet(motorsub_out)
    theirs = pl.read_parquet(polars_out).join(
        ours.select("record_id"), on="record_id", how="semi", maintain_order="left"
    )
    if theirs.height != ours.height:
        raise AssertionError(f"polars kept {theirs.height} lines, motorsub {ours.height}")
    for name in (c for c in ours.columns if c.startswith("subsidy_") and c != "subsidy_total"):
        fen = (ours[name] * 100).round().cast(pl.Int64)
        other = theirs[f"fen_{name.removeprefix('subsidy_')}"]
        bad = (fen != other).arg_true()
        if len(bad):
            i = bad[0]
            raise AssertionError(
                f"{name}: polars disagrees on {len(bad)} lines, e.g. line {i}: "
                f"motorsub {fen[i]} fen, polars {other[i]} fen"
            )


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
    polars_out = cache / f"polars-{C.label(n)}-from-{fmt}.parquet"
    runs: dict[str, list] = {"motorsub": [], "polars": []}
    try:
        run_compute(inp, out)  # untimed: the JIT cache and the page cache warm, and
        run_polars(inp, polars_out)  # the amounts checked before any timing
        check_polars(out, polars_out)
        polars_mb = polars_out.stat().st_size / 1e6
        for i in range(repeats):  # in turns, the other first every other round
            order = (("motorsub", run_compute), ("polars", run_polars))[:: 1 - 2 * (i % 2)]
            for name, fn in order:
                with C.Others() as o:
                    wall, peak, cpu = fn(inp, out if name == "motorsub" else polars_out)
                runs[name].append((wall, peak, cpu, o.share))
        output = pq.read_table(out)
        out_rows, out_mb = output.num_rows, out.stat().st_size / 1e6
        floors = io_floor(inp, output, cache / f"floor-{C.label(n)}.parquet", repeats)
        del output
    finally:
        for p in (out, rejects, polars_out):
            if p.exists():
                p.unlink()
        gc.collect()
    read_s = min(floors["read_whole"], floors["read_streamed"])
    write_s = min(floors["write_whole"], floors["write_streamed"])
    floor = read_s + write_s
    ours, theirs = min(runs["motorsub"]), min(runs["polars"])  # the fastest run of each
    return {
        "size": n,
        "input": fmt,
        "input_mb": inp.stat().st_size / 1e6,
        "output_rows": out_rows,
        "output_mb": out_mb,
        "repeats": repeats,
        "seconds": ours[0],
        "cpu_s": ours[2],
        "rows_per_s": n / ours[0],
        "peak_rss_mb": max(r[1] for r in runs["motorsub"]),
        "others_cpu_share": ours[3],
        "polars_seconds": theirs[0],
        "polars_cpu_s": theirs[2],
        "polars_peak_rss_mb": max(r[1] for r in runs["polars"]),
        "polars_others_cpu_share": theirs[3],
        "polars_mb": polars_mb,
        "x_polars": ours[0] / theirs[0],
        "floor_ways_s": floors,
        "floor_read_s": read_s,
        "floor_write_s": write_s,
        "floor_s": floor,
        "x_floor": ours[0] / floor,
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


def codecs(n: int, cache: Path = C.CACHE, repeats: int = 3) -> list[dict]:
    """How motorsub's output of ``n`` synthetic lines fares in each compression and
    dictionary choice: file size, writing time (batch by batch, as compute writes) and
    reading time by pandas and polars, best of ``repeats``. Times are CPU seconds of
    this process (all threads), steadier than wall time on a shared machine."""
    import pandas as pd
    import polars as pl

    from motorsub import vocab
    from motorsub.engine.columns import UNIQUE_OUTPUT
    from motorsub.io import parquet

    out = cache / f"codecs-{C.label(n)}.parquet"
    run_compute(input_file(n, "parquet", cache), out)
    table = pq.read_table(out)
    out.unlink()
    out.with_name(f"{out.stem}.rejects.csv").unlink()
    ways = [(c, "motorsub's", {"compression": c}) for c in vocab.PARQUET_COMPRESSIONS]
    everything = {"use_dictionary": True, "write_statistics": True}
    ways += [
        ("zstd", "dictionary and statistics everywhere", {"compression": "zstd", **everything}),
        ("zstd", "no dictionary", {"compression": "zstd", "use_dictionary": False}),
        ("snappy", "before (no dictionary: record_id, savings, net_price)",
         {"compression": "snappy", "use_dictionary": [n for n in table.column_names
                                                      if n not in UNIQUE_OUTPUT]}),
    ]  # fmt: skip
    rows = []
    for codec, what, options in ways:
        best = dict.fromkeys(("write_s", "pandas_s", "polars_s"), 1e99)
        for _ in range(repeats):
            t0 = time.process_time()
            if what == "motorsub's":
                sink = parquet.Sink(out, table.schema, UNIQUE_OUTPUT, **options)
                for start in range(0, table.num_rows, BATCH_ROWS):
                    sink.write(table.slice(start, BATCH_ROWS))
                sink.close()
            else:
                with pq.ParquetWriter(out, table.schema, **options) as writer:
                    for start in range(0, table.num_rows, BATCH_ROWS):
                        writer.write_table(table.slice(start, BATCH_ROWS))
            best["write_s"] = min(best["write_s"], time.process_time() - t0)
            for name, read in (("pandas_s", pd.read_parquet), ("polars_s", pl.read_parquet)):
                t0 = time.process_time()
                read(out)
                best[name] = min(best[name], time.process_time() - t0)
        rows.append({"compression": codec, "encodings": what, "mb": out.stat().st_size / 1e6}
                    | best)  # fmt: skip
        out.unlink()
    return rows


def codecs_markdown(rows: list[dict]) -> str:
    return C.table(
        ["compression", "encodings", "file MB", "write CPU s", "pandas read", "polars read"],
        [
            [r["compression"], r["encodings"], f"{r['mb']:.1f}", f"{r['write_s']:.2f}",
             f"{r['pandas_s']:.2f}", f"{r['polars_s']:.2f}"]
            for r in rows
        ],
    )  # fmt: skip


def markdown(res: dict) -> str:
    rows = [
        [
            C.label(r["size"]),
            f"{r['input']}→parquet",
            C.fmt_s(r["seconds"]),
            C.fmt_rate(r["rows_per_s"]),
            f"{r['peak_rss_mb']:,.0f}",
            C.fmt_s(r["polars_seconds"]),
            C.fmt_x(r["x_polars"]),
            f"{r['cpu_s']:.1f} / {r['polars_cpu_s']:.1f}",
            f"{r['output_mb']:,.0f} / {r['polars_mb']:,.0f}",
            C.fmt_s(r["floor_read_s"]),
            C.fmt_s(r["floor_write_s"]),
            C.fmt_x(r["x_floor"]),
            C.fmt_others(r["others_cpu_share"], r["seconds"]),
        ]
        for r in res["rows"]
    ]
    return (
        "`python -m motorsub compute IN -o OUT -q` as a subprocess (wall time, best of 3; "
        "peak RSS, worst of the runs) next to the polars pipeline of the same three "
        "subsidies (scan → with_columns → sink_parquet, a subprocess too, run in turns "
        "with motorsub; × polars = motorsub's wall / polars'; CPU = user + system seconds, "
        "motorsub / polars; MB = output file sizes, motorsub / polars) and to the pyarrow "
        "I/O floor (read IN + write motorsub's output table, the faster of whole-table and "
        "batch by batch, in process).\n\n"
        + C.table(
            [
                "N",
                "run",
                "wall",
                "rows/s",
                "peak RSS MB",
                "polars",
                "× polars",
                "CPU s",
                "output MB",
                "floor read",
                "floor write",
                "× floor",
                "others",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--polars"]:  # the contender's own process (run_polars)
        polars_pipeline(Path(sys.argv[2]), Path(sys.argv[3]))
        sys.exit(0)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e5,1e6")
    p.add_argument("--codecs", metavar="N", help="compare the output's compressions at N lines")
    args = p.parse_args()
    if args.codecs:
        print(codecs_markdown(codecs(int(float(args.codecs)))))
    else:
        print(markdown(run(C.parse_sizes(args.sizes))))
