"""``quote``: the subsidies of one sale line, at the counter, with why each is what it is.

A quote runs the very same validation and kernel as ``compute`` on a one-line table, then
names, for every component, its payee, rate (with source and status), basis kW, units
and amount, or the reason it pays nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from motorsub.engine import records
from motorsub.engine.batch import compute_batch
from motorsub.errors import InputError
from motorsub.kernels.savings import SOURCES
from motorsub.kernels.subsidy import compiled_schemes
from motorsub.model.profile import Settings, settings
from motorsub.model.schemes import SchemeSet, load_schemes
from motorsub.reasons import DESCRIPTION, NOT_APPLICABLE, PAID, Reason, names


@dataclass
class ComponentQuote:
    """One component of a quote; amounts in [CNY], rates in [CNY/kW]."""

    component: str
    scheme: str
    version: str | None
    payee: str
    budget: str
    basis: str
    basis_kw: float
    units: int
    rate_cny_per_kw: float | None
    rate_status: str | None
    rate_source: str | None
    amount: float
    reason: str | None
    explanation: str | None


@dataclass
class SavingsQuote:
    """What the line saves per year, and what was assumed (flags)."""

    eta_new: float | None  # [%]
    eta_new_source: str
    eta_old: float | None  # [%]
    eta_old_source: str
    efficiency_at: str  # 'rated' or 'part_load'
    kwh_per_year: float | None
    tce_per_year: float | None
    tco2_per_year: float | None
    coal_factor: dict
    grid_factor: str
    bill_saving_per_year: float | None  # [CNY/yr] at the tariff
    payback_years: float | None  # net price / bill saving
    flags: list[str]


@dataclass
class Quote:
    """The subsidies and savings of one sale line."""

    line: dict
    components: list[ComponentQuote] = field(default_factory=list)
    total: float = 0.0
    net_price: float | None = None
    savings: SavingsQuote | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def quote(
    *,
    motor_type: str,
    kw: float,
    region: str,
    date: dt.date | str,
    grade: int | None = None,
    kind: str = "new",
    qty: int = 1,
    trade_in: bool = False,
    old_kw: float | None = None,
    old_qty: int | None = None,
    price: float | None = None,
    poles: int | None = None,
    efficiency: float | None = None,
    old_efficiency: float | None = None,
    old_series: str | None = None,
    old_poles: int | None = None,
    hours: float | None = None,
    load: float | None = None,
    schemes: SchemeSet | str | Path | list | None = None,
    savings: Settings | None = None,
) -> Quote:
    """Price one sale line and say what it saves.

    Parameters
    ----------
    motor_type : {'lv_async', 'hv_async', 'pm_sync'}
    kw : float
        Rated output of one new or remanufactured motor [kW].
    region : str
        ISO 3166-2 code of the place of use, e.g. ``'CN-SH'``.
    date : datetime.date or str
        Invoice date (``YYYY-MM-DD``); picks the scheme versions.
    grade : int, optional
        GB 18613 grade (1 is best); required for ``lv_async``.
    kind : {'new', 'reman'}
    qty : int
        Identical motors on the line.
    trade_in : bool
        An old motor was handed to an authorised recycler.
    old_kw : float, optional
        Rated output of one old motor handed in [kW]; required with ``trade_in``.
    old_qty : int, optional
        Old motors handed in; defaults to ``qty``.
    price : float, optional
        List price of one new motor before any subsidy [CNY].
    poles, efficiency, old_efficiency, old_series, old_poles, hours, load : optional
        As the record columns of the same names ([%], [h/yr], fraction of rating).
    savings : Settings, optional
        Savings assumptions (:func:`motorsub.model.profile.settings`): coal and grid factors,
        part load, tariff [CNY/kWh].

    Raises
    ------
    InputError
        A value the contract does not accept; the message names the option.

    Examples
    --------
    >>> q = quote(motor_type="lv_async", kw=15, grade=2, region="CN-JS", date="2010-09-01")
    >>> q.total
    525.0
    """
    schemes = schemes if isinstance(schemes, SchemeSet) else load_schemes(schemes)
    line = {
        "record_id": "quote",
        "sale_date": str(date),
        "region": region,
        "motor_type": motor_type,
        "kw": kw,
        "qty": qty,
        "grade": grade,
        "kind": kind,
        "trade_in": trade_in,
        "old_kw": old_kw,
        "old_qty": old_qty,
        "price": price,
        "poles": poles,
        "efficiency": efficiency,
        "old_efficiency": old_efficiency,
        "old_series": old_series,
        "old_poles": old_poles,
        "hours": hours,
        "load": load,
    }
    table = pa.table(
        {k: pa.array([None if v is None else str(v)], pa.string()) for k, v in line.items()}
    )
    st = savings if savings is not None else settings()
    batch = compute_batch(table, schemes, st, source="quote")
    if batch.reject[0]:
        raise InputError(
            "quote: the line cannot be priced:\n  "
            + "\n  ".join(_problem_text(p, line) for p in records.problem_names(batch.reject[0]))
        )
    cols, res, sav = batch.cols, batch.subsidy, batch.savings
    compiled = compiled_schemes(schemes)
    out = Quote(line={k: v for k, v in line.items() if k != "record_id" and v is not None})
    for ci, (s, c) in enumerate(schemes.components):
        si = schemes.schemes.index(s)
        v = int(res.version[si, 0])
        code = int(res.code[ci, 0])
        cell_i = int(res.cell[ci, 0])
        cell = compiled.cells[cell_i] if cell_i >= 0 else None
        basis_kw = float(cols["kw"][0] if c.basis == "kw" else cols["old_kw"][0])
        units = int(cols["qty"][0] if c.basis == "kw" else cols["old_qty"][0])
        reason = explanation = None
        if code == NOT_APPLICABLE:
            reason = "NOT_APPLICABLE"
            explanation = f"applies only to lines with {_filter_text(c.applies_to)}"
        elif code != PAID:
            r = Reason(code - 1)
            reason, explanation = r.name, DESCRIPTION[r]
            if cell is not None and cell.rate.note:
                explanation += f" ({cell.rate.note})"
        out.components.append(
            ComponentQuote(
                component=c.id,
                scheme=s.id,
                version=compiled.versions[v][1].id if v >= 0 else None,
                payee=c.payee,
                budget=c.budget,
                basis=c.basis,
                basis_kw=basis_kw if basis_kw == basis_kw else 0.0,
                units=units,
                rate_cny_per_kw=cell.rate.cny_per_kw if cell is not None else None,
                rate_status=cell.rate.status if cell is not None else None,
                rate_source=cell.rate.source if cell is not None else None,
                amount=int(res.fen[ci, 0]) / 100.0,
                reason=reason,
                explanation=explanation,
            )
        )
    total_fen = int(res.fen[:, 0].sum())
    out.total = total_fen / 100.0
    if price is not None:
        out.net_price = round(float(price) * int(cols["qty"][0]) - out.total, 2)
    out.savings = _savings_quote(sav, st, out.net_price, cols)
    return out


def _num(x) -> float | None:
    x = float(x)
    return None if x != x else x


def _edition_name(day) -> str:
    from motorsub.physics.efficiency import Edition, edition_at

    e = int(edition_at(np.asarray([day]))[0])
    return "no GB 18613 edition" if e < 0 else Edition(e).name.replace("GB18613_", "GB 18613-")


def _savings_quote(sav, st: Settings, net_price: float | None, cols: dict) -> SavingsQuote:
    kwh = _num(sav.kwh_per_year[0])
    bill = None if kwh is None or st.tariff != st.tariff else kwh * st.tariff
    payback = net_price / bill if bill and bill > 0 and net_price is not None else None
    described = st.describe()
    edition = _edition_name(cols["day"][0])
    src_new, src_old = SOURCES[sav.eta_new_source[0]], SOURCES[sav.eta_old_source[0]]
    if src_new == "grade_minimum":
        src_new = f"{edition} grade {cols['grade'][0]} minimum"
    if src_old == "minimum_allowed":
        src_old = f"{edition} grade 3, the minimum allowed"
    grid = _num(st.grid_by_region[cols["region"][0]])
    return SavingsQuote(
        eta_new=_num(sav.eta_new[0]),
        eta_new_source=src_new or "unknown",
        eta_old=_num(sav.eta_old[0]),
        eta_old_source=src_old or "unknown",
        efficiency_at=described["efficiency_at"],
        kwh_per_year=kwh,
        tce_per_year=_num(sav.tce_per_year[0]),
        tco2_per_year=_num(sav.tco2_per_year[0]),
        coal_factor=described["coal_factor"],
        grid_factor=(
            f"{st.grid_name}: unknown" if grid is None else f"{st.grid_name}, {grid} kgCO2/kWh"
        ),
        bill_saving_per_year=bill,
        payback_years=payback,
        flags=[x for x in names(int(sav.reasons[0])).split(";") if x],
    )


_OPTION = {"sale_date": "date"}
_NEEDED = {"grade": " for lv_async", "old_kw": " with --trade-in"}


def _problem_text(problem: str, line: dict) -> str:
    col = records.problem_column(problem)
    option = "--" + _OPTION.get(col, col).replace("_", "-")
    if problem.startswith("MISSING_"):
        return f"{option} is required{_NEEDED.get(col, '')} ({problem})"
    return f"{option} {line.get(col)!r} is not accepted ({problem})"


def _filter_text(f) -> str:
    parts = []
    if f.trade_in is not None:
        parts.append("a trade-in" if f.trade_in else "no trade-in")
    if f.kinds:
        parts.append("kind " + "/".join(f.kinds))
    if f.motor_types:
        parts.append("motor type " + "/".join(f.motor_types))
    if f.regions:
        parts.append("region " + "/".join(f.regions))
    return ", ".join(parts) or "any line"
