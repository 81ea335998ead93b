"""The full kernel (subsidies, then savings) against subsidy-only and idiomatic pandas.

``kwh_per_year = qty × kw × load × hours × (100/η_old − 100/η_new)`` (docs/rules.md section 4)
with the profile ``settings(hours=4000, load=0.75)`` (rated efficiencies, no part load).

motorsub: ``subsidies(compiled, cols)`` then ``savings(cols, settings)``, timed together
("full") and apart, in turns (:func:`benchmarks._common.best_of_rounds`), each writing into
output buffers allocated once, as ``compute`` reuses them from batch to batch. pandas: the
subsidy rules of :func:`benchmarks.bench_subsidy.pandas_subsidies`, then the savings rule
written as a pandas analyst would write it with motorsub's vectorised public functions
(:func:`motorsub.physics.efficiency.edition_at`, ``min_efficiency``, ``baseline_efficiency``,
``poles_from_speed``) on DataFrame columns.
Before any time is reported, η_new, η_old, kWh, tce and tCO2 must agree with the kernel
to 1e-9 (relative), with NaN in the same places, and the subsidy amounts exactly.
"""

from __future__ import annotations

import argparse
import gc

import numpy as np
import pandas as pd

from benchmarks import _common as C
from benchmarks import bench_memory
from benchmarks.bench_subsidy import check_equal, pandas_frame, pandas_subsidies
from motorsub import vocab
from motorsub.kernels.savings import empty_savings, savings
from motorsub.kernels.subsidy import compiled_schemes, empty_subsidies, subsidies
from motorsub.model.profile import Settings, settings
from motorsub.model.schemes import SchemeSet, load_schemes
from motorsub.physics import efficiency as ef

HOURS, LOAD = 4000.0, 0.75
RTOL = 1e-9
ROUNDS = 9  # rounds of the motorsub variants, in turns (C.best_of_rounds)


def pandas_savings(df: pd.DataFrame, st: Settings) -> pd.DataFrame:
    """η_new, η_old [%], kWh, tce and tCO2 per year of every line, with pandas."""
    from_speed = pd.Series(ef.poles_from_speed(df["speed_rpm"]), index=df.index)
    poles = df["poles"].fillna(from_speed).replace(0, st.assumed_poles).astype("int64")
    edition = ef.edition_at(df["sale_date"].to_numpy().astype("datetime64[D]"))
    lv = df["motor_type"] == "lv_async"

    grade_min, _ = ef.min_efficiency(edition, df["grade"].fillna(0), poles, df["kw"])
    eta_new = df["efficiency"].fillna(pd.Series(grade_min, index=df.index).where(lv))

    old_poles = df["old_poles"].fillna(poles).astype("int64")
    series, _ = ef.baseline_efficiency(df["old_series"], old_poles, df["old_kw"])
    default_series = ef.BASELINE_SERIES[st.old_series] if st.old_series >= 0 else None
    default, _ = ef.baseline_efficiency(default_series, old_poles, df["old_kw"])
    min_allowed, _ = ef.min_efficiency(edition, 3, poles, df["kw"])
    replaced = (
        df["old_efficiency"]
        .fillna(pd.Series(series, index=df.index))
        .fillna(pd.Series(default, index=df.index))
    )
    eta_old = replaced.where(df["trade_in"], pd.Series(min_allowed, index=df.index).where(lv))

    hours = df["hours"].fillna(st.hours)
    load = df["load"].fillna(st.load)
    kwh = df["qty"] * df["kw"] * load * hours * (100.0 / eta_old - 100.0 / eta_new)
    grid = df["region"].map(dict(zip(vocab.regions(), st.grid_by_region))).astype("float64")
    return pd.DataFrame(
        {
            "eta_new": eta_new,
            "eta_old": eta_old,
            "kwh_per_year": kwh,
            "tce_per_year": kwh * st.coal_kgce_per_kwh / 1000.0,
            "tco2_per_year": kwh * grid / 1000.0,
        }
    )


FIELDS = ("eta_new", "eta_old", "kwh_per_year", "tce_per_year", "tco2_per_year")


def check_close(kernel, frame: pd.DataFrame) -> dict:
    """Every field of the kernel's SavingsResult equals the pandas column to RTOL, NaN in
    the same places; returns the largest relative difference per field."""
    worst = {}
    for f in FIELDS:
        a = getattr(kernel, f)
        b = frame[f].to_numpy(np.float64)
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        if not np.array_equal(nan_a, nan_b):
            i = np.flatnonzero(nan_a != nan_b)[0]
            raise AssertionError(
                f"{f}: NaN in different places ({int((nan_a != nan_b).sum())} rows), "
                f"e.g. row {i}: kernel {a[i]!r}, pandas {b[i]!r}"
            )
        both = ~nan_a
        rel = np.abs(a[both] - b[both]) / np.maximum(np.abs(a[both]), 1e-300)
        rel[(a[both] == b[both])] = 0.0
        worst[f] = float(rel.max()) if rel.size else 0.0
        if worst[f] > RTOL:
            i = np.flatnonzero(both)[np.argmax(rel)]
            raise AssertionError(
                f"{f}: relative difference {worst[f]:.3g} > {RTOL:g} at row {i}: "
                f"kernel {a[i]!r}, pandas {b[i]!r}"
            )
    return worst


def bench_size(n: int, schemes: SchemeSet, st: Settings, bandwidth, kernel_bytes) -> list[dict]:
    cols = C.columns(n)
    rows = len(cols["day"])
    compiled = compiled_schemes(schemes)
    df = pandas_frame(cols)
    names = [f"fen_{c.id}" for _, c in schemes.components]

    # motorsub writes into buffers reused from call to call, as compute does from batch
    # to batch (motorsub.engine.Scratch); the others allocate their results
    sub_out, sav_out = empty_subsidies(compiled, rows), empty_savings(rows)

    def full():
        return subsidies(compiled, cols, out=sub_out), savings(cols, st, out=sav_out)

    def pandas_full():
        return pandas_subsidies(schemes, df), pandas_savings(df, st)

    # the three motorsub variants in turns (their ratios are the targets), pandas apart
    kernels = {
        "subsidy only": lambda: subsidies(compiled, cols, out=sub_out),
        "savings only": lambda: savings(cols, st, out=sav_out),
        "full (subsidy + savings)": full,
    }
    rounds: dict[str, list[float]] = {}
    measured = {
        **C.best_of_rounds(kernels, ROUNDS, times=rounds),
        "pandas full": C.best_of(pandas_full),
    }
    # full / subsidy only within each round: both met the same spell of the machine
    paired = np.array(rounds["full (subsidy + savings)"]) / np.array(rounds["subsidy only"])
    timed = {name: m[0] for name, m in measured.items()}
    results = {name: m[1] for name, m in measured.items()}
    others = {name: m[2] for name, m in measured.items()}
    (sub, sav), (p_sub, p_sav) = results["full (subsidy + savings)"], results["pandas full"]
    check_equal(sub.fen, {"pandas": p_sub[names].to_numpy(np.int64).T}, schemes)
    worst = check_close(sav, p_sav)
    known = int((~np.isnan(sav.kwh_per_year)).sum())
    del sub, sav, p_sub, p_sav, results
    gc.collect()

    bytes_of = {
        "subsidy only": kernel_bytes["subsidies"]["bytes_per_row"],
        "savings only": kernel_bytes["savings"]["bytes_per_row"],
        "full (subsidy + savings)": kernel_bytes["subsidies+savings"]["bytes_per_row"],
    }
    t_sub, t_full = timed["subsidy only"], timed["full (subsidy + savings)"]
    out = []
    for name, seconds in timed.items():
        floor = (
            bench_memory.floor_seconds(bytes_of[name], rows, bandwidth)
            if bandwidth and name in bytes_of
            else None
        )
        out.append(
            {
                "size": n,
                "rows": rows,
                "variant": name,
                "seconds": seconds,
                "rows_per_s": rows / seconds,
                "vs_subsidy_only": seconds / t_sub,
                "vs_full": seconds / t_full,
                "floor_s": floor,
                "x_floor": seconds / floor if floor else None,
                "others_cpu_share": others[name],
                "lines_with_kwh": known,
                "max_rel_diff": worst,
                "full_vs_subsidy_by_round": paired.tolist(),
            }
        )
    return out


def run(sizes, bandwidth: float | None = None, kernel_bytes: dict | None = None) -> dict:
    schemes = load_schemes()
    st = settings(hours=HOURS, load=LOAD)
    kernel_bytes = kernel_bytes or bench_memory.kernel_bytes()
    rows = []
    for n in sizes:
        rows += bench_size(n, schemes, st, bandwidth, kernel_bytes)
        print(f"  savings {C.label(n)} done", flush=True)
    C.free_columns()
    return {"rows": rows, "hours": HOURS, "load": LOAD, "rtol": RTOL, "rounds": ROUNDS}


def markdown(res: dict) -> str:
    rows = [
        [
            C.label(r["size"]),
            r["variant"],
            C.fmt_s(r["seconds"]),
            C.fmt_rate(r["rows_per_s"]),
            C.fmt_x(r["vs_subsidy_only"]),
            C.fmt_x(r["vs_full"]),
            C.fmt_x(r["x_floor"]),
            C.fmt_others(r["others_cpu_share"], r["seconds"]),
        ]
        for r in res["rows"]
    ]
    by_round = [
        f"{C.label(r['size'])}: median {np.median(r['full_vs_subsidy_by_round']):.2f}× "
        f"({min(r['full_vs_subsidy_by_round']):.2f}–{max(r['full_vs_subsidy_by_round']):.2f})"
        for r in res["rows"]
        if r["variant"] == "full (subsidy + savings)" and r.get("full_vs_subsidy_by_round")
    ]
    return (
        f"Subsidies and savings (hours {res['hours']:g}, load {res['load']:g}); results equal "
        f"(amounts exactly, η/kWh/tce/tCO2 to {res['rtol']:g} relative, NaN alike); motorsub: "
        f"best of {res.get('rounds', 3)} rounds, the three variants in turns; "
        "pandas: best of 3.\n\n"
        + C.table(
            ["N", "variant", "time", "rows/s", "× subsidy only", "× full", "× floor", "others"],
            rows,
        )
        + (
            "\n\nFull over subsidy only, round by round (the two timed back to back): "
            + "; ".join(by_round)
            + "."
            if by_round
            else ""
        )
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e5,1e6")
    args = p.parse_args()
    bw = bench_memory.triad(20_000_000, 3)["numba_parallel"]["gb_per_s"]
    print(markdown(run(C.parse_sizes(args.sizes), bw)))
