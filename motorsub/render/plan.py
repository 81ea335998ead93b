"""Text for planners: the year table, published figures, plausibility, budget and band."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from motorsub import vocab
from motorsub.render.table import table

if TYPE_CHECKING:
    from motorsub.plan.project import Projection

COMPARED = vocab.PLAN_COMPARED
PERCENTILES = vocab.PLAN_PERCENTILES

_SCALES = ((1e9, "bn "), (1e6, "M "), (1e3, "k "), (1.0, ""))


def _scale(*arrays) -> tuple[float, str]:
    """A divisor and its prefix so that the largest value reads as a few digits."""
    values = np.concatenate([np.abs(np.asarray(a, dtype=float)).ravel() for a in arrays])
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    for div, prefix in _SCALES:
        if top >= div:
            return div, prefix
    return 1.0, ""


def _fmt(x: float, div: float, decimals: int) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if x == 0:
        return "0"
    return f"{x / div:,.{decimals}f}"


def _decimals(arrays, div) -> int:
    values = np.concatenate([np.abs(np.asarray(a, dtype=float)).ravel() for a in arrays]) / div
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    return 3 if top < 10 else 2 if top < 100 else 1 if top < 1000 else 0


def _column(
    name: str, unit: str, values, *, partial=None, like=None
) -> tuple[list[str], list[str]]:
    """(two header lines, cells) of one column, scaled; ``+?`` marks a partial value."""
    div, prefix = _scale(*(like or [values]))
    dec = _decimals(like or [values], div)
    cells = [_fmt(v, div, dec) for v in values]
    if partial is not None:
        cells = [c + ("+?" if p > 0 else "  ") for c, p in zip(cells, partial)]
    return [name, f"[{prefix}{unit}]"], cells


def year_table(p: Projection) -> list[str]:
    """The year table: stock, savings, cumulative savings and outlay by budget."""
    c = p.columns
    kw_like = [c["kw_promoted"], c["kw_in_service"], c["kw_retired"]]
    kwh_like = [c["kwh"], c["kwh_run_rate"]]
    cols = [
        (["year", ""], [str(y) for y in c["year"]]),
        _column("promoted", "kW", c["kw_promoted"], like=kw_like),
        _column("in service", "kW", c["kw_in_service"], like=kw_like),
        _column("retired", "kW", c["kw_retired"], like=kw_like),
        _column("saved", "kWh", c["kwh"], like=kwh_like),
        _column("run rate", "kWh/yr", c["kwh_run_rate"], like=kwh_like),
        _column("saved", "tce", c["tce"]),
    ]
    if np.isfinite(c["tco2"]).any():
        cols.append(_column("saved", "tCO2", c["tco2"]))
    cols.append(_column("cumulative", "tce", c["tce_cumulative"]))
    money = [c["outlay_central"], c["outlay_local"]]
    cols.append(
        _column("central", "CNY", c["outlay_central"], partial=c["unpriced_kw_central"], like=money)
    )
    cols.append(
        _column("local", "CNY", c["outlay_local"], partial=c["unpriced_kw_local"], like=money)
    )
    rows = [tuple(h[0] for h, _ in cols), tuple(h[1] for h, _ in cols)]
    rows += list(zip(*(cells for _, cells in cols)))
    out = table(rows, right=True)
    if (c["unpriced_kw_central"] > 0).any() or (c["unpriced_kw_local"] > 0).any():
        out.append(
            "+? partial: some promoted kW is eligible for a component whose rate no source "
            "gives (NO_RATE); the outlay shown is the known part only"
        )
    out.append(
        "saved: the year's savings (half the year of installation under the half-year "
        "convention); run rate: what the stock in service at year end saves in a full year"
        if p.plan.promotion.half_year
        else "saved: the year's savings; run rate: what the stock in service at year end "
        "saves in a full year"
    )
    return out


def band_table(p: Projection) -> list[str]:
    """P10/P50/P90 of the year's and the cumulative savings, and of the stock."""
    c = p.columns
    cols = [(["year", ""], [str(y) for y in c["year"]])]
    for name, unit, label in (
        ("kwh", "kWh", "saved"),
        ("tce", "tce", "saved"),
        ("tce_cumulative", "tce", "cumulative"),
        ("kw_in_service", "kW", "in service"),
    ):
        like = [c[f"{name}_p{q}"] for q in PERCENTILES]
        for q in PERCENTILES:
            cols.append(_column(f"{label} P{q}", unit, c[f"{name}_p{q}"], like=like))
    rows = [tuple(h[0] for h, _ in cols), tuple(h[1] for h, _ in cols)]
    rows += list(zip(*(cells for _, cells in cols)))
    return table(rows, right=True)


def _human(x: float) -> str:
    """8000000 -> '8 million', 4.7e9 -> '4.7 billion' (four significant digits)."""
    for div, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= div:
            return f"{x / div:.4g} {word}"
    return f"{x:,.4g}"


def _num(x, fmt: str = ",.0f") -> str:
    return "-" if x is None else format(x, fmt)


def targets_lines(p: Projection) -> list[str]:
    if not p.targets:
        return []
    rows = [("year", "figure", "published", "projected", "projected/published", "status")]
    for t in p.targets:
        rows.append(
            (
                str(t["year"]),
                f"{t['quantity']} [{t['unit']}]",
                _human(t["published"]),
                "-" if t["projected"] is None else _human(t["projected"]),
                "-" if t["ratio"] is None else f"{t['ratio']:.4f}",
                t["status"],
            )
        )
    out = ["published figures (savings set against the run rate at the end of the year):"]
    out += ["  " + line for line in table(rows, right=True)]
    imp = p.summary["implied"]
    parts = []
    if "kwh_per_kw_year" in imp:
        parts.append(f"{imp['kwh_per_kw_year']:,.4g} kWh per promoted kW a year")
    for key, row in imp.items():
        if key.startswith("targets_"):
            year = key.split("_")[1]
            if "kgce_per_kwh" in row:
                parts.append(f"coal {row['kgce_per_kwh']:.3f} kgce/kWh ({year} targets)")
            if "kgco2_per_kwh" in row:
                parts.append(f"grid {row['kgco2_per_kwh']:.3f} kgCO2/kWh ({year} targets)")
    if parts:
        out.append("implied: " + "; ".join(parts))
    return out


def plausibility_lines(p: Projection) -> list[str]:
    x = p.plausibility
    out = [
        "plausibility (kWh/kW/yr = hours x load x efficiency gain, "
        "gain = 100/eta_old - 100/eta_new):"
    ]
    if x["efficiency_gain"] is not None:
        out.append(
            f"  the mix's efficiency gain (savings kernel, rated load): {x['efficiency_gain']:.4f} "
            f"(eta_old {_num(x['eta_old_pct'], '.2f')} % -> "
            f"eta_new {_num(x['eta_new_pct'], '.2f')} %,"
            f" {x['gain_known_share']:.0%} of kW known)"
        )
    if x["mode"] == "deemed":
        out.append(f"  deemed intensity: {x['deemed_kwh_per_kw_year']:,.1f} kWh/kW/yr")
        out.append(
            f"  implies {_num(x['full_load_hours_implied'])} full-load hours a year at that gain"
            + (
                f"; {_num(x['hours_implied_at_load'])} h at load {x['load']:.2f}"
                f"; or a gain of {x['gain_implied_at_hours_load']:.4f} at "
                f"{x['hours']:,.0f} h and load {x['load']:.2f}"
                if x["hours_implied_at_load"] is not None and x["gain_implied_at_hours_load"]
                else ""
            )
        )
    if x["physical_kwh_per_kw_year"] is not None and x["hours"] is not None:
        out.append(
            f"  physical model for the same mix at {x['hours']:,.0f} h, load {x['load']:.2f}: "
            f"{x['physical_kwh_per_kw_year']:,.1f} kWh/kW/yr"
        )
    out.append(f"  => {x['verdict_text']}")
    return out


def budget_lines(p: Projection) -> list[str]:
    s = p.summary
    rows = [("component", "payee", "budget", "outlay [CNY]", "unpriced [kW]", "status")]
    for cid, v in s["outlay_cny"].items():
        rows.append(
            (
                cid,
                v["payee"],
                v["budget"],
                f"{v['cny']:,.2f}",
                f"{v['unpriced_kw']:,.0f}",
                v["status"],
            )
        )
    for b, v in s["outlay_by_budget"].items():
        rows.append(
            (f"{b} budget", "", "", f"{v['cny']:,.2f}", f"{v['unpriced_kw']:,.0f}", v["status"])
        )
    out = ["outlay over the plan (paid in the year of promotion):"]
    out += ["  " + line for line in table(rows, right=True)]
    if s["components_left_out"]:
        out.append("  left out by the plan: " + ", ".join(s["components_left_out"]))
    if s["kw_savings_unknown"] > 0:
        out.append(
            f"  savings unknown (no efficiency for the line) for {s['kw_savings_unknown']:,.0f} "
            "promoted kW: counted as 0"
        )
    return out


def projection_text(p: Projection) -> str:
    """Everything a planner reads on the terminal."""
    plan = p.plan
    life = plan.life
    life_text = (
        f"fixed {life.years:g} yr"
        if life.kind == "fixed"
        else f"Weibull k={life.shape:g}, scale {life.scale:g} yr"
    )
    savings_text = (
        f"deemed {plan.savings.deemed.intensity:,.4g} kWh/kW/yr"
        if plan.savings.mode == "deemed"
        else "physical (savings kernel)"
    )
    out = [
        f"{plan.id}: {plan.title}",
        f"{plan.source_file}; savings {savings_text}; life {life_text}; half-year convention "
        f"{'on' if plan.promotion.half_year else 'off'}",
        "",
        *year_table(p),
        "",
        *targets_lines(p),
    ]
    if p.targets:
        out.append("")
    out += [*plausibility_lines(p), "", *budget_lines(p)]
    if p.samples:
        spread = any(
            getattr(plan.uncertainty, k) is not None
            for k in ("hours", "load", "efficiency_gain", "life")
        )
        out += [
            "",
            f"uncertainty: {p.samples:,} samples, seed {p.seed}"
            + ("" if spread else " (the plan states no spread: every draw is the central value)"),
        ]
        out += band_table(p)
    return "\n".join(out)


def compare_text(a: Projection, b: Projection, diff: dict[str, np.ndarray]) -> str:
    """The year-by-year difference B − A."""
    show = [
        n for n in COMPARED if n not in ("kw_promoted", "unpriced_kw_central", "unpriced_kw_local")
    ]
    units = {
        "kw_in_service": "kW",
        "kwh": "kWh",
        "tce": "tce",
        "tco2": "tCO2",
        "kwh_cumulative": "kWh",
    }
    cols = [(["year", ""], [str(y) for y in diff["year"]])]
    for name in show:
        unit = units.get(name, "CNY")
        values = diff[f"{name}_diff"]
        total = None if name in ("kw_in_service", "kwh_cumulative") else np.nansum(values)
        cells_values = np.append(values, np.nan if total is None else total)
        header, cells = _column(f"d {name.replace('outlay_', '')}", unit, cells_values)
        cols.append((header, cells))
    cols[0] = (cols[0][0], [*cols[0][1], "total"])
    rows = [tuple(h[0] for h, _ in cols), tuple(h[1] for h, _ in cols)]
    rows += list(zip(*(cells for _, cells in cols)))
    out = [
        f"B - A, year by year: B = {b.plan.id} ({b.plan.source_file}), "
        f"A = {a.plan.id} ({a.plan.source_file})",
        "",
        *table(rows, right=True),
    ]
    for who, p in (("A", a), ("B", b)):
        if p.summary["components_left_out"]:
            out.append(f"{who} leaves out: {', '.join(p.summary['components_left_out'])}")
        unpriced = {
            k: v["unpriced_kw"]
            for k, v in p.summary["outlay_by_budget"].items()
            if v["unpriced_kw"] > 0
        }
        if unpriced:
            out.append(
                f"{who}: outlay partial, kW at a rate no source gives: "
                + ", ".join(f"{k} {v:,.0f}" for k, v in unpriced.items())
            )
    return "\n".join(out)
