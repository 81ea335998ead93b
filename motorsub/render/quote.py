"""A quote as text for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motorsub.render.table import table as _table

if TYPE_CHECKING:
    from motorsub.engine.quote import Quote, SavingsQuote


def _savings_lines(s: SavingsQuote, net_price: float | None) -> list[str]:
    def pct(x):
        return "unknown" if x is None else f"{x:.2f} %"

    def val(x, fmt, unit):
        return "unknown" if x is None else f"{x:{fmt}} {unit}"

    coal = s.coal_factor
    out = [
        f"savings ({'at part load' if s.efficiency_at == 'part_load' else 'at rated load'}):",
        f"  efficiency new {pct(s.eta_new)} ({s.eta_new_source}), "
        f"old {pct(s.eta_old)} ({s.eta_old_source})",
        f"  energy saved   {val(s.kwh_per_year, ',.1f', 'kWh/yr')}",
        f"  standard coal  {val(s.tce_per_year, ',.4f', 'tce/yr')} "
        f"(at {coal['kgce_per_kwh']} kgce/kWh, {coal['name']})",
        f"  CO2            {val(s.tco2_per_year, ',.4f', 't/yr')} ({s.grid_factor})",
    ]
    if s.bill_saving_per_year is not None:
        out.append(f"  bill saving    {s.bill_saving_per_year:,.2f} CNY/yr")
    if net_price is not None:
        out.append(f"  net cost       {net_price:,.2f} CNY")
    if s.payback_years is not None:
        out.append(f"  payback        {s.payback_years:.2f} years")
    if s.flags:
        out.append("  flags: " + ", ".join(s.flags))
    return out


def render(q: Quote) -> str:
    """A quote as text for the terminal."""
    ln = q.line
    head = (
        f"{ln['motor_type']} {ln['kw']:g} kW"
        + (f", grade {ln['grade']}" if "grade" in ln else "")
        + f", {ln.get('kind', 'new')}, qty {ln.get('qty', 1)}"
        + f"; {ln['region']}, sold {ln['sale_date']}"
    )
    if ln.get("trade_in"):
        head += f"; trade-in of {ln.get('old_qty', ln.get('qty', 1))} × {ln.get('old_kw')} kW"
    rows = [
        (
            "component",
            "scheme / version",
            "payee",
            "CNY/kW",
            "status",
            "basis kW",
            "units",
            "amount CNY",
        )
    ]
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
    lines = [head, "", *_table(rows, right={5, 6, 7})]
    lines.append(f"{'total':<{sum(widths) + 2 * (len(widths) - 1) - 12}}{q.total:>12,.2f}")
    if q.net_price is not None:
        lines.append(f"net price to the buyer: {q.net_price:,.2f} CNY (list price × qty − total)")
    if q.savings is not None:
        lines += ["", *_savings_lines(q.savings, q.net_price)]
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
