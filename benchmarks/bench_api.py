"""The in-memory API: ``motorsub.compute`` on pandas, polars and Arrow, against pandas.

At each size the synthetic Parquet input (``motorsub synth --rows N --seed 1``, made once in
the cache folder) is read as a pandas DataFrame (``pandas.read_parquet``), and the
contender is what an analyst would write in about twenty lines of pandas for the three
subsidy columns (:func:`analyst_subsidies`): the rates, scopes and dates read from the
shipped scheme files with ``tomllib``, boolean masks per scope entry and rate cell, amount
= rate × basis kW × units rounded to the fen. It validates nothing and computes no savings;
``motorsub.compute`` validates every value, computes every component with its reasons,
the savings and the summary. Before any time is taken, the analyst's amounts must equal
motorsub's on every row, to the fen.

Then ``motorsub.compute`` is timed on the same data read as a polars DataFrame
(``polars.read_parquet``) and as a pyarrow Table (``pyarrow.parquet.read_table``), each
returning a frame of its own type. Reading the file is never timed. pandas and motorsub
run in turns (:func:`benchmarks._common.best_of_rounds`), best of 3 rounds, after a
warm-up round up to 1e6 lines (above, the checked run before the rounds is the warm-up).
A single round at 1e7 varied by a third from run to run: this virtual machine reports
freed memory to its host, and writing new memory cost 0.5 to 2 s per GB from one hour to
the next, against 0.04 s for memory the process holds (:func:`fresh_memory` measures both
in the same run; the result's computed columns are all new memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import _common as C
from motorsub.model.schemes import default_scheme_dir

WARM_UP_TO = 1_000_000  # a warm-up round up to this size; above, the checked run warms


# ------------------------------------------------------------------------ the contender
def _inside(x: pd.Series, band: str) -> pd.Series:
    """``x`` in a band written as the scheme files write it: ``[0.55, 22]``, ``(22, 315]``."""
    lo, hi = (float(v) for v in band[1:-1].split(","))
    return (x >= lo if band[0] == "[" else x > lo) & (x <= hi if band[-1] == "]" else x < hi)


def analyst_subsidies(df: pd.DataFrame, scheme_dir: Path | None = None) -> pd.DataFrame:
    """``subsidy_<component>`` [CNY] of every line, in the pandas an analyst would write."""
    day, grade, out = pd.to_datetime(df["sale_date"]), df["grade"].fillna(0), {}
    for f in sorted((scheme_dir or default_scheme_dir()).glob("*.toml")):
        scheme = tomllib.loads(f.read_text(encoding="utf-8"))
        for c in scheme["components"]:
            el, only = c["eligibility"], c.get("applies_to", {})
            ok = df["region"].isin(el["regions"]) if "regions" in el else True
            ok &= df["trade_in"] if el["trade_in_required"] or only.get("trade_in") else True
            ok &= df["kind"].isin(only["kinds"]) if "kinds" in only else True
            scope = pd.Series(False, index=df.index)
            for e in el["scope"]:
                m = (df["kind"] == e["kind"]) & (df["motor_type"] == e["motor_type"])
                m &= _inside(df["kw"], e["kw"]) if "kw" in e else True
                scope |= m & grade.between(1, e["worst_grade"]) if "worst_grade" in e else m
            rate = pd.Series(np.nan, index=df.index)
            for v in scheme["versions"]:
                until = pd.Timestamp(v.get("until", dt.date(2262, 1, 1)))
                in_force = day.between(pd.Timestamp(v["from"]), until)
                for r in (r for r in v["rates"] if r["component"] == c["id"]):
                    m = in_force & rate.isna()  # the first cell that matches
                    m &= df["motor_type"] == r["motor_type"] if "motor_type" in r else True
                    m &= _inside(df["kw"], r["kw"]) if "kw" in r else True
                    m &= grade.isin(r["grades"]) if "grades" in r else True
                    rate[m] = r.get("cny_per_kw", 0.0)
            basis = ["kw", "qty"] if c["basis"] == "kw" else ["old_kw", "old_qty"]
            amount = rate.where(ok & scope, 0.0).fillna(0.0) * df[basis[0]] * df[basis[1]]
            out[f"subsidy_{c['id']}"] = amount.fillna(0.0).round(2)
    return pd.DataFrame(out, index=df.index)


# --------------------------------------------------------------------------------- run
def check_equal(analyst: pd.DataFrame, result: pd.DataFrame) -> None:
    """The analyst's amounts equal motorsub's on every row motorsub computed, in fen."""
    mine = analyst.loc[result.index]
    for name in analyst.columns:
        a = np.round(mine[name].to_numpy() * 100).astype(np.int64)
        m = np.round(result[name].to_numpy() * 100).astype(np.int64)
        bad = np.flatnonzero(a != m)
        if len(bad):
            i = bad[0]
            raise AssertionError(
                f"{name}: pandas and motorsub differ on {len(bad)} rows, e.g. row "
                f"{result.index[i]}: pandas {a[i]} fen, motorsub {m[i]} fen"
            )


def _rounds(n: int) -> dict:
    return {"rounds": 3, "warmup": 1 if n <= WARM_UP_TO else 0}


def _row(n: int, contender: str, given: str, best: tuple[float, object, float]) -> dict:
    seconds, out, others = best
    return {
        "size": n, "contender": contender, "input": given, "seconds": seconds,
        "rows_per_s": n / seconds, "lines_out": len(out), "others_cpu_share": others,
    }  # fmt: skip


def new_bytes(df: pd.DataFrame, out: pd.DataFrame) -> int:
    """The bytes of ``out``'s computed columns (those not in ``df``): new memory. The
    passed-through columns (``record_id`` included) are ``df``'s when no row is rejected."""
    return sum(out[name].array.nbytes for name in out.columns if name not in df.columns)


FRESH_GB, PAUSE_S = 1.0, 3.0


def fresh_memory(rounds: int = 3) -> dict:
    """What touching memory costs on this machine [s per GB]: new memory the process has
    not used for :data:`PAUSE_S` seconds (allocated, written once, given back), and memory it
    holds, written again after the same pause. Best of ``rounds``."""
    n = int(FRESH_GB * 1e9) // 8
    new = held = float("inf")
    kept = np.ones(n)
    for _ in range(rounds):
        time.sleep(PAUSE_S)
        t0 = time.perf_counter()
        a = np.empty(n)
        a.fill(1.0)
        new = min(new, time.perf_counter() - t0)
        del a
        time.sleep(PAUSE_S)
        t0 = time.perf_counter()
        kept.fill(2.0)
        held = min(held, time.perf_counter() - t0)
    return {"new_s_per_gb": new / FRESH_GB, "held_s_per_gb": held / FRESH_GB}


def _pandas_rounds(n: int, df: pd.DataFrame, times: dict) -> tuple[list[dict], int]:
    """The analyst's pandas and motorsub on the same frame, in turns, once checked equal;
    and the bytes of new memory in motorsub's result."""
    import motorsub

    motorsub.compute(df.iloc[: min(n, 100_000)])  # the kernels loaded before any timing
    out = motorsub.compute(df)
    check_equal(analyst_subsidies(df), out)
    made = new_bytes(df, out)
    del out
    best = C.best_of_rounds(
        {"pandas": lambda: analyst_subsidies(df), "motorsub": lambda: motorsub.compute(df)},
        times=times,
        **_rounds(n),
    )
    return [
        _row(n, "pandas (analyst)", "pandas", best["pandas"]),
        _row(n, "motorsub", "pandas", best["motorsub"]),
    ], made


def _motorsub_on(n: int, given: str, frame) -> dict:
    import motorsub

    return _row(n, "motorsub", given, C.best_of(lambda: motorsub.compute(frame), **_best(n)))


def bench_size(n: int, cache: Path) -> list[dict]:
    import polars as pl
    import pyarrow.parquet as pq

    from benchmarks.bench_compute import input_file

    path = input_file(n, "parquet", cache)
    times: dict[str, list[float]] = {}
    rows, made = _pandas_rounds(n, pd.read_parquet(path), times)
    rows[1]["new_bytes"] = made
    gc.collect()
    rows.append(_motorsub_on(n, "polars", pl.read_parquet(path)))
    gc.collect()
    rows.append(_motorsub_on(n, "pyarrow", pq.read_table(path)))
    gc.collect()
    for r in rows:
        r["x_pandas"] = rows[0]["seconds"] / r["seconds"]
    rows[1]["x_pandas_rounds"] = [p / m for p, m in zip(times["pandas"], times["motorsub"])]
    return rows


def _best(n: int) -> dict:
    r = _rounds(n)
    return {"repeats": r["rounds"], "warmup": r["warmup"]}


def run(sizes, cache: Path = C.CACHE) -> dict:
    rows = []
    for n in sizes:
        rows += bench_size(n, cache)
        print(f"  api {C.label(n)} done", flush=True)
    return {"rows": rows, "memory": fresh_memory()}


def markdown(res: dict) -> str:
    rows = [
        [
            C.label(r["size"]),
            r["contender"],
            r["input"],
            C.fmt_s(r["seconds"]),
            C.fmt_rate(r["rows_per_s"]),
            C.fmt_x(r["x_pandas"]),
            C.fmt_others(r["others_cpu_share"], r["seconds"]),
        ]
        for r in res["rows"]
    ]
    return (
        "`motorsub.compute` in memory (validation, every component, savings, summary) "
        "against twenty lines of pandas for the three subsidies (amounts identical on every "
        "row); best of 3 rounds in turns. *× pandas*: how many "
        "times faster than the pandas code.\n\n"
        + C.table(["N", "contender", "input", "time", "rows/s", "× pandas", "others"], rows)
        + _memory_text(res)
    )


def _memory_text(res: dict) -> str:
    """What new memory costs on this machine, and how much of it the result is."""
    m = res.get("memory")
    made = [r for r in res["rows"] if "new_bytes" in r]
    if not m or not made:
        return ""
    r = max(made, key=lambda r: r["size"])
    gb = r["new_bytes"] / 1e9
    return (
        f"\n\nNew memory on this machine, in the same run: writing {FRESH_GB:g} GB the "
        f"process has not used for {PAUSE_S:g} s took {m['new_s_per_gb']:.2f} s per GB "
        "(every new page is zeroed and, as this virtual machine reports freed memory to its "
        "host, backed by the host again); writing memory the process holds, "
        f"{m['held_s_per_gb']:.3f} s per GB. At {C.label(r['size'])} lines the result's "
        f"computed columns are {gb:.2f} GB of new memory: about "
        f"{gb * m['new_s_per_gb']:.2f} s of processor time before any line is computed."
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e6")
    p.add_argument("--cache", type=Path, default=C.CACHE)
    args = p.parse_args()
    print(markdown(run(C.parse_sizes(args.sizes), args.cache)))
