"""A quote as text for the terminal, in English or Chinese (codes and ids stay as they are)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motorsub import i18n
from motorsub.render.table import table as _table
from motorsub.render.table import width as _width

if TYPE_CHECKING:
    from motorsub.engine.quote import Quote, SavingsQuote


def _savings_lines(s: SavingsQuote, net_price: float | None, _) -> list[str]:
    def pct(x):
        return _("unknown") if x is None else f"{x:.2f} %"

    def val(x, fmt, unit):
        return _("unknown") if x is None else f"{x:{fmt}} {unit}"

    coal = s.coal_factor
    out = [
        _("savings (at part load):")
        if s.efficiency_at == "part_load"
        else _("savings (at rated load):"),
        _("  efficiency new {new} ({new_source}), old {old} ({old_source})").format(
            new=pct(s.eta_new), new_source=s.eta_new_source,
            old=pct(s.eta_old), old_source=s.eta_old_source,
        ),
        _("  energy saved   {value}").format(value=val(s.kwh_per_year, ",.1f", "kWh/yr")),
        _("  standard coal  {value} (at {factor} kgce/kWh, {name})").format(
            value=val(s.tce_per_year, ",.4f", "tce/yr"),
            factor=coal["kgce_per_kwh"], name=coal["name"],
        ),
        _("  CO2            {value} ({grid})").format(
            value=val(s.tco2_per_year, ",.4f", "t/yr"), grid=s.grid_factor
        ),
    ]  # fmt: skip
    if s.bill_saving_per_year is not None:
        out.append(_("  bill saving    {amount:,.2f} CNY/yr").format(amount=s.bill_saving_per_year))
    if net_price is not None:
        out.append(_("  net cost       {amount:,.2f} CNY").format(amount=net_price))
    if s.payback_years is not None:
        out.append(_("  payback        {years:.2f} years").format(years=s.payback_years))
    if s.flags:
        out.append(_("  flags: {flags}").format(flags=", ".join(s.flags)))
    return out


def render(q: Quote, lang: str | None = None) -> str:
    """A quote as text for the terminal, in ``lang``."""
    _ = i18n.translator(lang)
    ln = q.line
    head = (
        f"{ln['motor_type']} {ln['kw']:g} kW"
        + (_(", grade {grade}").format(grade=ln["grade"]) if "grade" in ln else "")
        + _(", {kind}, qty {qty}").format(kind=ln.get("kind", "new"), qty=ln.get("qty", 1))
        + _("; {region}, sold {date}").format(region=ln["region"], date=ln["sale_date"])
    )
    if ln.get("trade_in"):
        head += _("; trade-in of {qty} × {kw} kW").format(
            qty=ln.get("old_qty", ln.get("qty", 1)), kw=ln.get("old_kw")
        )
    rows = [
        (
            _("component"),
            _("scheme / version"),
            _("payee"),
            _("CNY/kW"),
            i18n.pgettext(lang, "rate", "status"),
            _("basis kW"),
            _("units"),
            _("amount CNY"),
        )
    ]
    for c in q.components:
        known = c.rate_cny_per_kw is not None
        rows.append(
            (
                c.component,
                f"{c.scheme} {c.version or _('(not in force)')}",
                c.payee,
                f"{c.rate_cny_per_kw:.2f}" if known else "—",
                c.rate_status if known else "—",
                f"{c.basis_kw:g}" if c.basis_kw else "—",
                str(c.units),
                f"{c.amount:,.2f}",
            )
        )
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [head, "", *_table(rows, right={5, 6, 7})]
    word = _("total")
    lines.append(
        word
        + " " * (sum(widths) + 2 * (len(widths) - 1) - 12 - _width(word))
        + f"{q.total:>12,.2f}"
    )
    if q.net_price is not None:
        lines.append(
            _("net price to the buyer: {amount:,.2f} CNY (list price × qty − total)").format(
                amount=q.net_price
            )
        )
    if q.savings is not None:
        lines += ["", *_savings_lines(q.savings, q.net_price, _)]
    why = [c for c in q.components if c.reason]
    if why:
        lines.append("")
        lines.append(_("why a component pays nothing:"))
        for c in why:
            lines.append(f"  {c.component}: {c.reason} — {c.explanation}")
    cited = [c for c in q.components if c.rate_source]
    if cited:
        lines.append("")
        lines.append(_("sources:"))
        for c in cited:
            lines.append(f"  {c.component}: {c.rate_source} [{c.rate_status}]")
    return "\n".join(lines)
