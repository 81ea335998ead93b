"""A projection's summary: totals, published targets beside the projection, unknowns counted,
and every assumption with its source and status."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from motorsub.plan.model import Plan

if TYPE_CHECKING:
    from motorsub.model.schemes import SchemeSet
    from motorsub.plan.mix import MixLines
    from motorsub.plan.project import Projection

#: Year-table column each target quantity is set against (a year-end or full-year figure).
TARGET_COLUMNS = {
    "kw_promoted": "kw_promoted_cumulative",
    "kw_in_service": "kw_in_service",
    "kwh_per_year": "kwh_run_rate",
    "tce_per_year": "tce_run_rate",
    "tco2_per_year": "tco2_run_rate",
}
_UNITS = {
    "kw_promoted": "kW",
    "kw_in_service": "kW",
    "kwh_per_year": "kWh/yr",
    "tce_per_year": "tce/yr",
    "tco2_per_year": "tCO2/yr",
}


def _f(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def targets_table(plan: Plan, cols: dict[str, np.ndarray]) -> list[dict]:
    """Each published target beside the projected value of its year.

    Savings targets ("saves X a year") are set against the run rate: what the stock in
    service at the end of the year saves in a full year.
    """
    out = []
    years = cols["year"]
    for t in plan.targets:
        i = int(np.flatnonzero(years == t.year)[0])
        column = TARGET_COLUMNS[t.quantity]
        projected = _f(cols[column][i])
        out.append(
            {
                "year": t.year,
                "quantity": t.quantity,
                "unit": _UNITS[t.quantity],
                "published": t.value,
                "projected": projected,
                "ratio": None if projected is None else projected / t.value,
                "compared_with": column,
                "source": t.source,
                "status": t.status,
            }
        )
    return out


def implied(plan: Plan, cols: dict[str, np.ndarray]) -> dict:
    """The intensity and factors the plan's figures imply (and the targets, when given)."""
    out: dict = {}
    if plan.savings.mode == "deemed":
        out["kwh_per_kw_year"] = plan.savings.deemed.intensity
    by = {(t.year, t.quantity): t.value for t in plan.targets}
    for year in sorted({y for y, _ in by}):
        kw, kwh = by.get((year, "kw_promoted")), by.get((year, "kwh_per_year"))
        tce, tco2 = by.get((year, "tce_per_year")), by.get((year, "tco2_per_year"))
        row = {}
        if kw and kwh:
            row["kwh_per_kw_year"] = kwh / kw
        if kwh and tce:
            row["kgce_per_kwh"] = tce * 1000.0 / kwh
        if kwh and tco2:
            row["kgco2_per_kwh"] = tco2 * 1000.0 / kwh
        if row:
            out[f"targets_{year}"] = row
    return out


def effectiveness(cols: dict[str, np.ndarray], outlay_status: str) -> dict:
    """What the plan's subsidy buys: savings per CNY and CNY per tce, over the projection.

    ``kwh_per_cny`` = cumulative kWh saved / outlay; ``cny_per_tce`` = outlay / cumulative
    tce saved. The outlay is the known part (``outlay_status`` says whether it is whole);
    None where a quotient has no meaning (no outlay, no savings).
    """
    fen = int(cols["outlay_total_fen"].sum())
    kwh = _f(cols["kwh_cumulative"][-1])
    tce = _f(cols["tce_cumulative"][-1])
    cny = fen / 100
    return {
        "outlay_fen": fen,
        "outlay_status": outlay_status,
        "kwh_cumulative": kwh,
        "tce_cumulative": tce,
        "kwh_per_cny": kwh / cny if kwh is not None and fen > 0 else None,
        "cny_per_tce": cny / tce if tce and fen > 0 else None,
    }


def _total_status(budgets: dict) -> str:
    """``complete`` when every budget's outlay is known, ``unknown`` when none is known,
    else ``partial``."""
    states = {v["status"] for v in budgets.values() if v["status"] != "no component"}
    if states <= {"complete"}:
        return "complete"
    return "unknown" if states == {"unknown"} else "partial"


def _component_status(outlay: float, unpriced_kw: float) -> str:
    if unpriced_kw > 0:
        return "partial" if outlay > 0 else "unknown"
    return "complete"


def summarise(
    proj: Projection,
    mix: MixLines,
    schemes: SchemeSet,
    coal_rows: list,
    grid_rows: list,
    uptake: dict | None = None,
) -> dict:
    """Totals over the plan, unknowns counted, and the assumptions with their sources."""
    plan, cols = proj.plan, proj.columns
    outlay = {}
    for c in proj.components:
        total = int(cols[f"outlay_{c['id']}_fen"].sum())
        unpriced = float(cols[f"unpriced_kw_{c['id']}"].sum())
        outlay[c["id"]] = {
            "fen": total,
            "unpriced_kw": unpriced,
            "status": _component_status(total, unpriced),
            "budget": c["budget"],
            "payee": c["payee"],
        }
    budgets = {}
    for b in ("central", "local"):
        total = int(cols[f"outlay_{b}_fen"].sum())
        unpriced = float(cols[f"unpriced_kw_{b}"].sum())
        paid_by = [c["id"] for c in proj.components if c["budget"] == b]
        budgets[b] = {
            "fen": total,
            "unpriced_kw": unpriced,
            "status": _component_status(total, unpriced) if paid_by else "no component",
            "components": paid_by,
        }
    last = -1
    s = plan.savings
    mode = (
        {"deemed": s.deemed.model_dump(exclude_none=True) | {"kwh_per_kw_year": s.deemed.intensity}}
        if s.mode == "deemed"
        else {}
    )
    if s.physical is not None:
        mode["physical"] = s.physical.model_dump(exclude_none=True)
    return {
        "years": [int(cols["year"][0]), int(cols["year"][last])],
        "kw_promoted": float(cols["kw_promoted"].sum()),
        "kw_in_service_at_end": float(cols["kw_in_service"][last]),
        "kw_retired": float(cols["kw_retired"].sum()),
        "cumulative": {
            "kwh": _f(cols["kwh_cumulative"][last]),
            "tce": _f(cols["tce_cumulative"][last]),
            "tco2": _f(cols["tco2_cumulative"][last]),
        },
        "outlay_fen": outlay,
        "outlay_by_budget": budgets,
        "outlay_total_fen": int(cols["outlay_total_fen"].sum()),
        "effectiveness": effectiveness(cols, _total_status(budgets)),
        "uptake": uptake or {"response": "none", "note": "uptake held fixed"},
        "components_left_out": list(plan.schemes.without),
        "implied": implied(plan, cols),
        "kw_savings_unknown": float(cols["kw_savings_unknown"].sum()),
        "assumptions": {
            "savings": {"mode": s.mode, **mode},
            "life": plan.life.model_dump(exclude_none=True),
            "half_year": plan.promotion.half_year,
            "sale_date_in_year": plan.promotion.sale_date_in_year,
            "coal": coal_rows,
            "grid": grid_rows or "none: tCO2 unknown",
            "mix": {
                "lines": mix.n,
                "from": plan.mix.records or "mix.lines",
            },
            "uncertainty": {
                k: v.model_dump(exclude_none=True) for k, v in plan.uncertainty if v is not None
            },
        },
        "schemes": [{"id": x.id, "file": x.source_file} for x in schemes.schemes],
    }
