"""The subsidy kernel against plain numpy, idiomatic pandas and polars versions of the rules.

At each size the typed columns are built once (:func:`benchmarks._common.columns`); the
pandas and polars frames an analyst would hold are built from them once too, outside the
timings. Each contender then computes, per line, the amount of every component in fen,
with the rules of docs/rules.md section 3 as the shipped scheme files encode them: the version
in force by date per scheme, ``applies_to`` (silent), region, trade-in, kind and motor type
(the scope table), the power interval, the grade limit, the rate cell (version, motor
type, power band, grade) and the exact amount: rate [fen/kW] × basis kW (read to 1e-6 kW,
half up as written) × units in int64, split so that it never overflows, half up to the fen.

Nothing is hard-coded: scopes, filters and dates come from the loaded :class:`SchemeSet`,
the rates from ``compiled.cells``. All four must agree on every row and component before
any time is reported. The contenders compute the amounts only; motorsub's kernel also
returns each component's outcome code, rate cell and the reason bitmask.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from benchmarks import _common as C
from benchmarks import bench_memory
from motorsub import vocab
from motorsub.kernels.subsidy import (
    MICRO,
    NO_END,
    compiled_schemes,
    day_number,
    empty_subsidies,
    subsidies,
)
from motorsub.model.intervals import Interval
from motorsub.model.schemes import Component, Filter, SchemeSet, load_schemes

ANY_GRADE = (0, *vocab.GRADES)  # 0: no grade given
# kW is read to 1e-6 half up *as written in decimal*: a double within this many ulps of a
# tie counts as the tie (the rule of motorsub.kernels.subsidy._amount_fen; the data have no ties)
TIE_ULPS = 8.0
EPS = float(np.finfo(np.float64).eps)


# ------------------------------------------------------------------------------- helpers
def _rate_fen(cny_per_kw: float | None) -> int:
    return -1 if cny_per_kw is None else round(cny_per_kw * 100)


def rate_rows(schemes: SchemeSet, component: Component) -> list[dict]:
    """The component's rate cells from ``compiled.cells``, one row per grade they cover.

    ``version`` is the version's position in its scheme; ``rate_fen`` is None where no
    source gives the rate.
    """
    rows = []
    for cell in compiled_schemes(schemes).cells:
        if cell.component is not component:
            continue
        r = cell.rate
        for g in ANY_GRADE if r.grades is None else r.grades:
            rows.append(
                {
                    "version": cell.scheme.versions.index(cell.version),
                    "motor_type": cell.motor_type,
                    "grade": g,
                    "lo": r.kw.lo,
                    "hi": r.kw.hi,
                    "lo_closed": r.kw.lo_closed,
                    "hi_closed": r.kw.hi_closed,
                    "rate_fen": None if r.cny_per_kw is None else _rate_fen(r.cny_per_kw),
                }
            )
    return rows


def _until(v) -> dt.date:
    return v.in_force_until or dt.date(9999, 12, 31)


def _inclusive(iv: Interval) -> str:
    return {(True, True): "both", (True, False): "left", (False, True): "right"}.get(
        (iv.lo_closed, iv.hi_closed), "neither"
    )


# --------------------------------------------------------------------------------- numpy
def _np_inside(x: np.ndarray, iv: Interval) -> np.ndarray:
    above = x >= iv.lo if iv.lo_closed else x > iv.lo
    below = x <= iv.hi if iv.hi_closed else x < iv.hi
    return above & below


def amount_fen_numpy(rate_fen, basis_kw, units):
    """rate [fen/kW] × basis [kW, read to 1e-6] × units, half up to the fen, in int64."""
    x = basis_kw * MICRO
    floor = np.floor(x)
    micro = floor.astype(np.int64) + (x - floor >= 0.5 - TIE_ULPS * EPS * x)
    whole, frac = np.divmod(rate_fen * micro, MICRO)
    rest = frac * units
    return whole * units + rest // MICRO + (rest % MICRO >= MICRO // 2)


def _np_filter(f: Filter, cols, regions) -> np.ndarray:
    ok = np.ones(len(cols["day"]), dtype=bool)
    if f.kinds is not None:
        ok &= np.isin(cols["kind"], [vocab.KINDS.index(k) for k in f.kinds])
    if f.motor_types is not None:
        ok &= np.isin(cols["motor_type"], [vocab.MOTOR_TYPES.index(t) for t in f.motor_types])
    if f.regions is not None:
        ok &= np.isin(cols["region"], [regions.index(r) for r in f.regions])
    if f.trade_in is not None:
        ok &= cols["trade_in"] == f.trade_in
    return ok


def numpy_subsidies(schemes: SchemeSet, cols: dict[str, np.ndarray]) -> np.ndarray:
    """Amount [fen] per component and line, int64 [n_components, n]: vectorised masks."""
    regions = vocab.regions()
    day, kind, mt, grade, kw = (cols[k] for k in ("day", "kind", "motor_type", "grade", "kw"))
    n = len(day)
    version = {}
    for s in schemes.schemes:
        v_of = np.full(n, -1, dtype=np.int16)
        for vi, v in enumerate(s.versions):
            lo = day_number(v.in_force_from)
            hi = NO_END if v.in_force_until is None else day_number(v.in_force_until)
            v_of[(v_of < 0) & (day >= lo) & (day <= hi)] = vi
        version[s.id] = v_of
    fen = np.zeros((len(schemes.components), n), dtype=np.int64)
    for ci, (s, c) in enumerate(schemes.components):
        el = c.eligibility
        ok = _np_filter(c.applies_to, cols, regions) & (version[s.id] >= 0)
        if el.regions is not None:
            ok &= np.isin(cols["region"], [regions.index(r) for r in el.regions])
        if el.trade_in_required:
            ok &= cols["trade_in"]
        scope = np.zeros(n, dtype=bool)
        for e in el.scope:
            m = (kind == vocab.KINDS.index(e.kind)) & (mt == vocab.MOTOR_TYPES.index(e.motor_type))
            m &= _np_inside(kw, e.kw)
            if e.worst_grade is not None:
                m &= (grade >= 1) & (grade <= e.worst_grade)
            scope |= m
        idx = np.flatnonzero(ok & scope)
        e_v, e_mt, e_grade, e_kw = version[s.id][idx], mt[idx], grade[idx], kw[idx]
        rate = np.full(len(idx), -1, dtype=np.int64)
        found = np.zeros(len(idx), dtype=bool)
        for r in rate_rows(schemes, c):  # first matching cell wins, as in the scheme
            m = ~found & (e_v == r["version"]) & (e_grade == r["grade"])
            m &= e_mt == vocab.MOTOR_TYPES.index(r["motor_type"])
            m &= _np_inside(e_kw, Interval(r["lo"], r["hi"], r["lo_closed"], r["hi_closed"]))
            found |= m
            rate[m] = -1 if r["rate_fen"] is None else r["rate_fen"]
        paid = rate >= 0
        basis, units = ("kw", "qty") if c.basis == "kw" else ("old_kw", "old_qty")
        rows = idx[paid]
        fen[ci, rows] = amount_fen_numpy(rate[paid], cols[basis][rows], cols[units][rows])
    return fen


# -------------------------------------------------------------------------------- pandas
def pandas_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The records as an analyst holds them: dates, categoricals, nullable integers."""
    from motorsub.physics.efficiency import BASELINE_SERIES

    def cat(codes, names):
        return pd.Categorical.from_codes(codes.astype(np.int64), categories=list(names))

    def nullable_int(x):
        return pd.arrays.IntegerArray(x.astype(np.int8), mask=x == 0)

    return pd.DataFrame(
        {
            "sale_date": cols["day"].astype("datetime64[D]").astype("datetime64[s]"),
            "region": cat(cols["region"], vocab.regions()),
            "motor_type": cat(cols["motor_type"], vocab.MOTOR_TYPES),
            "kind": cat(cols["kind"], vocab.KINDS),
            "grade": nullable_int(cols["grade"]),
            "trade_in": cols["trade_in"],
            "kw": cols["kw"],
            "qty": cols["qty"],
            "old_kw": cols["old_kw"],
            "old_qty": cols["old_qty"],
            "poles": nullable_int(cols["poles"]),
            "speed_rpm": cols["speed_rpm"],
            "efficiency": cols["efficiency"],
            "old_efficiency": cols["old_efficiency"],
            "old_series": cat(cols["old_series"], BASELINE_SERIES),
            "old_poles": nullable_int(cols["old_poles"]),
            "hours": cols["hours"],
            "load": cols["load"],
        }
    )


def _pd_filter(f: Filter, df: pd.DataFrame) -> pd.Series:
    ok = pd.Series(True, index=df.index)
    if f.kinds is not None:
        ok &= df["kind"].isin(f.kinds)
    if f.motor_types is not None:
        ok &= df["motor_type"].isin(f.motor_types)
    if f.regions is not None:
        ok &= df["region"].isin(f.regions)
    if f.trade_in is not None:
        ok &= df["trade_in"] == f.trade_in
    return ok


def pandas_subsidies(schemes: SchemeSet, df: pd.DataFrame) -> pd.DataFrame:
    """Amount [fen] per line, one ``fen_<component>`` column each: masks, ``between`` and a
    merge on the rate table."""
    out = pd.DataFrame(index=df.index)
    version = {}
    for s in schemes.schemes:
        in_force = [
            df["sale_date"].between(pd.Timestamp(v.in_force_from), pd.Timestamp(_until(v)))
            for v in s.versions
        ]
        version[s.id] = pd.Series(
            np.select(in_force, range(len(s.versions)), default=-1), index=df.index
        )
    for s, c in schemes.components:
        el = c.eligibility
        ok = _pd_filter(c.applies_to, df) & (version[s.id] >= 0)
        if el.regions is not None:
            ok &= df["region"].isin(el.regions)
        if el.trade_in_required:
            ok &= df["trade_in"]
        scope = pd.Series(False, index=df.index)
        for e in el.scope:
            m = (df["kind"] == e.kind) & (df["motor_type"] == e.motor_type)
            m &= df["kw"].between(e.kw.lo, e.kw.hi, inclusive=_inclusive(e.kw))
            if e.worst_grade is not None:
                m &= df["grade"].between(1, e.worst_grade).fillna(False)
            scope |= m
        ok &= scope

        rates = pd.DataFrame(rate_rows(schemes, c))
        rates["motor_type"] = rates["motor_type"].astype(df["motor_type"].dtype)
        rates["grade"] = rates["grade"].astype("Int8")
        rates["rate_fen"] = rates["rate_fen"].astype("Int64")
        basis, units = ("kw", "qty") if c.basis == "kw" else ("old_kw", "old_qty")
        lines = df.loc[ok, ["motor_type", "kw", units]].assign(
            version=version[s.id][ok],
            grade=df.loc[ok, "grade"].fillna(0),
            basis=df.loc[ok, basis],
        )
        m = lines.reset_index(names="row").merge(rates, on=["version", "motor_type", "grade"])
        above = (m["kw"] > m["lo"]) | (m["lo_closed"] & (m["kw"] == m["lo"]))
        below = (m["kw"] < m["hi"]) | (m["hi_closed"] & (m["kw"] == m["hi"]))
        m = m[above & below].drop_duplicates("row")
        m = m[m["rate_fen"].notna()]
        x = m["basis"] * MICRO
        micro = np.floor(x).astype("int64") + (x - np.floor(x) >= 0.5 - TIE_ULPS * EPS * x)
        per_unit = m["rate_fen"].astype("int64") * micro
        whole, frac = per_unit // MICRO, per_unit % MICRO
        rest = frac * m[units]
        amount = whole * m[units] + rest // MICRO + (rest % MICRO >= MICRO // 2).astype("int64")
        out[f"fen_{c.id}"] = pd.Series(amount.to_numpy(), index=m["row"]).reindex(
            df.index, fill_value=0
        )
    return out


# -------------------------------------------------------------------------------- polars
def polars_frame(cols: dict[str, np.ndarray]) -> pl.DataFrame:
    """The records as a polars user holds them: Date, Enum, nullable integers."""

    def enum(codes, names):
        return pl.Series(np.asarray(names)[codes]).cast(pl.Enum(list(names)))

    def nullable(x):
        return pl.from_arrow(pa.array(x, mask=x == 0))

    return pl.DataFrame(
        {
            "sale_date": pl.Series(cols["day"]).cast(pl.Date),
            "region": enum(cols["region"], vocab.regions()),
            "motor_type": enum(cols["motor_type"], vocab.MOTOR_TYPES),
            "kind": enum(cols["kind"], vocab.KINDS),
            "grade": nullable(cols["grade"]),
            "trade_in": cols["trade_in"],
            "kw": cols["kw"],
            "qty": cols["qty"],
            "old_kw": pl.Series(cols["old_kw"], nan_to_null=True),
            "old_qty": cols["old_qty"],
        }
    )


def _pl_inside(x: pl.Expr, iv: Interval) -> pl.Expr:
    closed = _inclusive(iv)
    return x.is_between(iv.lo, iv.hi, closed="none" if closed == "neither" else closed)


def _pl_filter(f: Filter) -> pl.Expr:
    ok = pl.lit(True)
    if f.kinds is not None:
        ok &= pl.col("kind").is_in(f.kinds)
    if f.motor_types is not None:
        ok &= pl.col("motor_type").is_in(f.motor_types)
    if f.regions is not None:
        ok &= pl.col("region").is_in(f.regions)
    if f.trade_in is not None:
        ok &= pl.col("trade_in") == f.trade_in
    return ok


def _pl_versions(schemes: SchemeSet) -> list[pl.Expr]:
    """Per scheme, the position of the version in force at ``sale_date`` (-1: none)."""
    out = []
    for s in schemes.schemes:
        expr = pl.when(pl.lit(False)).then(pl.lit(-1, pl.Int32))
        for vi, v in enumerate(s.versions):
            in_force = pl.col("sale_date").is_between(v.in_force_from, _until(v))
            expr = expr.when(in_force).then(pl.lit(vi, pl.Int32))
        out.append(expr.otherwise(pl.lit(-1, pl.Int32)).alias(f"version_{s.id}"))
    return out


def _pl_eligible(s, c: Component) -> pl.Expr:
    """Applies, in force, region, trade-in and scope (kind, type, power, grade)."""
    el = c.eligibility
    ok = _pl_filter(c.applies_to) & (pl.col(f"version_{s.id}") >= 0)
    if el.regions is not None:
        ok &= pl.col("region").is_in(el.regions)
    if el.trade_in_required:
        ok &= pl.col("trade_in")
    scope = pl.lit(False)
    for e in el.scope:
        m = (pl.col("kind") == e.kind) & (pl.col("motor_type") == e.motor_type)
        m &= _pl_inside(pl.col("kw"), e.kw)
        if e.worst_grade is not None:
            m &= pl.col("grade").is_between(1, e.worst_grade).fill_null(False)
        scope |= m
    return ok & scope


def _pl_amount(rate: pl.Expr, basis: pl.Expr, units: pl.Expr) -> pl.Expr:
    """rate [fen/kW] × basis [kW, read to 1e-6] × units, half up to the fen, in Int64."""
    x = basis * MICRO
    micro = x.floor().cast(pl.Int64) + (x - x.floor() >= 0.5 - TIE_ULPS * EPS * x).cast(pl.Int64)
    per_unit = rate * micro
    rest = (per_unit % MICRO) * units
    return (per_unit // MICRO) * units + rest // MICRO + (rest % MICRO >= MICRO // 2).cast(pl.Int64)


def polars_lazy(schemes: SchemeSet, records: pl.LazyFrame) -> pl.LazyFrame:
    """``records`` (typed as :func:`polars_frame` types them) with one ``fen_<component>``
    column each, amount [fen] per line: eligibility as expressions, the rate by a join on
    the rate table."""
    base = records.with_row_index("row").with_columns(_pl_versions(schemes))
    mt_enum = pl.Enum(list(vocab.MOTOR_TYPES))
    out = records.with_row_index("row")
    for s, c in schemes.components:
        rates = pl.LazyFrame(
            rate_rows(schemes, c),
            schema={
                "version": pl.Int32, "motor_type": mt_enum, "grade": pl.Int8, "lo": pl.Float64,
                "hi": pl.Float64, "lo_closed": pl.Boolean, "hi_closed": pl.Boolean,
                "rate_fen": pl.Int64,
            },
        )  # fmt: skip
        basis, units = ("kw", "qty") if c.basis == "kw" else ("old_kw", "old_qty")
        kw = pl.col("kw")
        above = (kw > pl.col("lo")) | (pl.col("lo_closed") & (kw == pl.col("lo")))
        below = (kw < pl.col("hi")) | (pl.col("hi_closed") & (kw == pl.col("hi")))
        paid = (
            base.filter(_pl_eligible(s, c))
            .select(
                "row",
                "motor_type",
                "kw",
                version=pl.col(f"version_{s.id}"),
                grade=pl.col("grade").fill_null(0),
                basis=pl.col(basis),
                units=pl.col(units),
            )
            .join(rates, on=["version", "motor_type", "grade"])
            .filter(above & below & pl.col("rate_fen").is_not_null())
            .select(
                "row",
                _pl_amount(pl.col("rate_fen"), pl.col("basis"), pl.col("units")).alias(
                    f"fen_{c.id}"
                ),
            )
        )
        out = out.join(paid, on="row", how="left", maintain_order="left")
    fen = [f"fen_{c.id}" for _, c in schemes.components]
    return out.drop("row").with_columns(pl.col(fen).fill_null(0))


def polars_subsidies(schemes: SchemeSet, frame: pl.DataFrame) -> pl.DataFrame:
    """Amount [fen] per line, one ``fen_<component>`` column each (lazy, collected once)."""
    fen = [f"fen_{c.id}" for _, c in schemes.components]
    return polars_lazy(schemes, frame.lazy()).select(fen).collect()


# ----------------------------------------------------------------------------------- run
def check_equal(fen: np.ndarray, others: dict[str, np.ndarray], schemes: SchemeSet) -> None:
    """Every contender's amounts equal motorsub's on every row and component, or raise."""
    for name, got in others.items():
        if got.shape != fen.shape or not np.array_equal(got, fen):
            lines = [f"{name} disagrees with motorsub's subsidy kernel:"]
            for ci, (_, c) in enumerate(schemes.components):
                bad = np.flatnonzero(got[ci] != fen[ci])
                if len(bad):
                    i = bad[0]
                    lines.append(
                        f"  {c.id}: {len(bad)} rows, e.g. row {i}: motorsub {fen[ci, i]} "
                        f"fen, {name} {got[ci, i]} fen"
                    )
            raise AssertionError("\n".join(lines))


def contenders(schemes: SchemeSet, cols: dict[str, np.ndarray]):
    """(name, callable returning int64 fen [n_components, n]) of every contender."""
    compiled = compiled_schemes(schemes)
    df = pandas_frame(cols)
    pf = polars_frame(cols)
    names = [f"fen_{c.id}" for _, c in schemes.components]
    # motorsub writes into buffers allocated once, as compute reuses them batch to batch
    buffers = empty_subsidies(compiled, len(cols["day"]))
    return [
        ("motorsub", lambda: subsidies(compiled, cols, out=buffers).fen),
        ("numpy", lambda: numpy_subsidies(schemes, cols)),
        ("pandas", lambda: pandas_subsidies(schemes, df)[names].to_numpy(np.int64).T),
        ("polars", lambda: polars_subsidies(schemes, pf).to_numpy().T.astype(np.int64)),
    ]


def bench_size(n: int, schemes: SchemeSet, bandwidth: float | None, bytes_per_row: float):
    cols = C.columns(n)
    rows = len(cols["day"])
    results, times, others = {}, {}, {}
    for name, fn in contenders(schemes, cols):
        seconds, fen, others[name] = C.best_of(fn, repeats=3, warmup=1)
        times[name], results[name] = seconds, np.ascontiguousarray(fen)
        gc.collect()
    check_equal(results.pop("motorsub"), results, schemes)
    paid = {
        c.id: int((results["numpy"][ci] > 0).sum()) for ci, (_, c) in enumerate(schemes.components)
    }
    floor = bench_memory.floor_seconds(bytes_per_row, rows, bandwidth) if bandwidth else None
    out = []
    for name, seconds in times.items():
        out.append(
            {
                "size": n,
                "rows": rows,
                "contender": name,
                "seconds": seconds,
                "rows_per_s": rows / seconds,
                "vs_motorsub": seconds / times["motorsub"],
                "floor_s": floor if name == "motorsub" else None,
                "x_floor": seconds / floor if floor and name == "motorsub" else None,
                "others_cpu_share": others[name],
                "paid_lines": paid,
                "equal": True,
            }
        )
    del results
    return out


def run(sizes, bandwidth: float | None = None, kernel_bytes: dict | None = None) -> dict:
    schemes = load_schemes()
    kernel_bytes = kernel_bytes or bench_memory.kernel_bytes()
    bpr = kernel_bytes["subsidies"]["bytes_per_row"]
    rows = []
    for n in sizes:
        rows += bench_size(n, schemes, bandwidth, bpr)
        print(f"  subsidy {C.label(n)} done", flush=True)
    C.free_columns()
    return {"rows": rows, "bytes_per_row": bpr, "bandwidth_gb_per_s": bandwidth}


def markdown(res: dict) -> str:
    rows = [
        [
            C.label(r["size"]),
            r["contender"],
            C.fmt_s(r["seconds"]),
            C.fmt_rate(r["rows_per_s"]),
            C.fmt_x(r["vs_motorsub"]),
            C.fmt_x(r["x_floor"]),
            C.fmt_others(r["others_cpu_share"], r["seconds"]),
        ]
        for r in res["rows"]
    ]
    return (
        "Subsidy amounts of every component, per line (identical on every row); "
        "best of 3 after a warm-up. *× floor*: time over the bandwidth floor "
        f"({res['bytes_per_row']:.0f} B/row).\n\n"
        + C.table(["N", "contender", "time", "rows/s", "× motorsub", "× floor", "others"], rows)
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e5,1e6")
    args = p.parse_args()
    bw = bench_memory.triad(20_000_000, 3)["numba_parallel"]["gb_per_s"]
    print(markdown(run(C.parse_sizes(args.sizes), bw)))
