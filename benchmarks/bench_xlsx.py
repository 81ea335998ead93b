"""Excel workbooks: reading and writing ``n`` sale lines as .xlsx, next to CSV.

Data: ``n`` synthetic records (:func:`motorsub.engine.synth.chunk`, seed 1, as ``motorsub
synth`` writes them: 21 typed columns of text, dates, numbers and booleans). Each
contender writes the table to a file and reads it back into a table of columns:

- ``motorsub xlsx``: :func:`motorsub.io.write_table` to ``.xlsx`` (XlsxWriter,
  constant-memory, formula-safe text) and :func:`motorsub.io.read_table` of it (calamine,
  every column as text, as ``compute`` reads it);
- ``pyarrow csv``: the same two functions on ``.csv`` (pyarrow's CSV writer and reader);
- ``pandas openpyxl``: ``DataFrame.to_excel`` and ``pandas.read_excel`` with openpyxl, the
  usual way in Python. It is slow: measured on ``--openpyxl-rows`` lines (default 1e5) and
  reported per line so that it compares.

One timed call each (a workbook of 1e6 lines takes tens of seconds; best-of-3 would not
change the picture), with the share of the machine other processes used meanwhile.

    .venv/bin/python -m benchmarks.bench_xlsx --sizes 1e6
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa

from benchmarks import _common as C


def _table(n: int) -> pa.Table:
    from motorsub.engine.synth import chunk

    return chunk(np.random.default_rng(C.SEED), 0, n)


def _timed(fn, *args, **kwargs) -> tuple[float, float]:
    with C.Others() as o:
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        seconds = time.perf_counter() - t0
    return seconds, o.share


def _measure(write, read, path: Path, rows: int) -> dict:
    """Time ``write(path)`` then ``read(path)``; remove the file."""
    write_s, write_o = _timed(write, path)
    read_s, read_o = _timed(read, path)
    size = path.stat().st_size
    path.unlink()
    return {"rows": rows, "write_s": write_s, "read_s": read_s,
            "others": max(write_o, read_o), "bytes": size}  # fmt: skip


def run(sizes: tuple[int, ...], openpyxl_rows: int) -> dict:
    import pandas as pd

    from motorsub import io

    out: dict = {"rows": {}}
    work = Path(tempfile.mkdtemp(prefix="motorsub-bench-xlsx-"))
    try:
        for n in sizes:
            table = _table(n)
            res = {}
            for name, suffix in (("motorsub xlsx", ".xlsx"), ("pyarrow csv", ".csv")):
                res[name] = _measure(
                    partial(io.write_table, table), io.read_table, work / f"t{suffix}", n
                )
            m = min(n, openpyxl_rows)
            frame = table.slice(0, m).to_pandas()
            res["pandas openpyxl"] = _measure(
                partial(frame.to_excel, index=False, engine="openpyxl"),
                partial(pd.read_excel, engine="openpyxl", dtype=str),
                work / "p.xlsx",
                m,
            )
            out["rows"][str(n)] = res
    finally:
        for p in work.iterdir():
            p.unlink()
        work.rmdir()
    return out


def markdown(res: dict) -> str:
    lines = [
        "| lines | contender | lines timed | write [s] | read [s] | write [µs/line] | "
        "read [µs/line] | file [MB] | others |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, by in res["rows"].items():
        for name, r in by.items():
            lines.append(
                f"| {C.label(int(n))} | {name} | {r['rows']:,} | {r['write_s']:.2f} | "
                f"{r['read_s']:.2f} | {1e6 * r['write_s'] / r['rows']:.2f} | "
                f"{1e6 * r['read_s'] / r['rows']:.2f} | {r['bytes'] / 1e6:.1f} | "
                f"{r['others']:.0%} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6", help="lines, e.g. 1e5,1e6")
    parser.add_argument("--openpyxl-rows", default="1e5", help="lines openpyxl is timed on")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    res = run(C.parse_sizes(args.sizes), int(float(args.openpyxl_rows)))
    print(markdown(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
