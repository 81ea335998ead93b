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

from motorsub import records
from motorsub.errors import InputError
from motorsub.reasons import DESCRIPTION, NOT_APPLICABLE, PAID, Reason
from motorsub.schemes import SchemeSet, load_schemes
from motorsub.subsidy import subsidies


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
class Quote:
    """The subsidies of one sale line."""

    line: dict
    components: list[ComponentQuote] = field(default_factory=list)
    total: float = 0.0
    net_price: float | None = None

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
    schemes: SchemeSet | str | Path | list | None = None,
) -> Quote:
    """Price one sale line.

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
    }
    table = pa.table({k: pa.array([None if v is None else str(v)], pa.string()) for k, v in line.items()})
    recs = records.validate(table, "quote")
    if recs.reject[0]:
        raise InputError("quote: the line cannot be priced:\n  " + "\n  ".join(
            _problem_text(p, line) for p in records.problem_names(recs.reject[0])
        ))
    cols = recs.take(np.array([0]))
    res = subsidies(schemes.compiled, cols)
    compiled = schemes.compiled
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
    return out


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


def render(q: Quote) -> str:
    """A quote as text for the terminal."""
    ln = q.line
    head = (
        f"{ln['motor_type']} {ln['kw']:g} kW"
        + (f", grade {ln['grade']}" if "grade" in ln else "")
        + f", {ln.get('kind', 'new')}, qty {ln.get('qty', 1)}; {ln['region']}, sold {ln['sale_date']}"
    )
    if ln.get("trade_in"):
        head += f"; trade-in of {ln.get('old_qty', ln.get('qty', 1))} × {ln.get('old_kw')} kW"
    rows = [("component", "scheme / version", "payee", "CNY/kW", "status", "basis kW", "units", "amount CNY")]
    for c in q.components:
        known = c.rate_cny_per_kw is not None
        rows.append(
            (
                c.component,
                f"{c.scheme} {c.version or '(not in force)'}",
                c.payee,
                f"{c.rate_cny_per_kw:.2f}" if known else "—",
                c.rate_status if known else "—",
                f"{c.basis_kw:g}" if c.basis_kw else "—",
                str(c.units),
                f"{c.amount:,.2f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [head, ""]
    for r in rows:
        lines.append(
            "  ".join(
                x.rjust(w) if i >= 5 else x.ljust(w) for i, (x, w) in enumerate(zip(r, widths))
            ).rstrip()
        )
    lines.append(f"{'total':<{sum(widths) + 2 * (len(widths) - 1) - 12}}{q.total:>12,.2f}")
    if q.net_price is not None:
        lines.append(f"net price to the buyer: {q.net_price:,.2f} CNY (list price × qty − total)")
    why = [c for c in q.components if c.reason]
    if why:
        lines.append("")
        lines.append("why a component pays nothing:")
        for c in why:
            lines.append(f"  {c.component}: {c.reason} — {c.explanation}")
    cited = [c for c in q.components if c.rate_source]
    if cited:
        lines.append("")
        lines.append("sources:")
        for c in cited:
            lines.append(f"  {c.component}: {c.rate_source} [{c.rate_status}]")
    return "\n".join(lines)
