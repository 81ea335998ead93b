"""A quote as text for the terminal, and the words a quote is shown in, English or Chinese
through the message catalogue (codes and ids stay as they are), for the terminal and the
counter's web page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from motorsub import i18n, vocab
from motorsub.render.table import table as _table
from motorsub.render.table import width as _width

if TYPE_CHECKING:
    from collections.abc import Callable

    from motorsub.engine.quote import (
        Comparison,
        ComponentQuote,
        Problem,
        Quote,
        SavingsQuote,
    )

    Gettext = Callable[[str], str]


def _savings_lines(
    s: SavingsQuote, net_price: float | None, _, grade=None, words: bool = False
) -> list[str]:
    """The savings block; ``words``: where the efficiencies come from in the language's
    words (:func:`eta_source_words`) rather than as the engine names them."""

    def pct(x):
        return _("unknown") if x is None else f"{x:.2f} %"

    def val(x, fmt, unit):
        return _("unknown") if x is None else f"{x:{fmt}} {unit}"

    coal = s.coal_factor
    out = [
        _("savings ({load}):").format(load=load_text(s, _)),
        _("  efficiency new {new} ({new_source}), old {old} ({old_source})").format(
            new=pct(s.eta_new), old=pct(s.eta_old),
            new_source=eta_source_words(s.eta_new_code, s.edition, grade, _)
            if words else s.eta_new_source,
            old_source=eta_source_words(s.eta_old_code, s.edition, grade, _)
            if words else s.eta_old_source,
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
    words = i18n.negotiate(lang) != "en"  # codes in English, words in any other language
    ln = q.line
    kind = ln.get("kind", "new")
    head = (
        f"{ln['motor_type']} {ln['kw']:g} kW"
        + (_(", grade {grade}").format(grade=ln["grade"]) if "grade" in ln else "")
        + _(", {kind}, qty {qty}").format(
            kind=option_name(kind, _) if words else kind, qty=ln.get("qty", 1)
        )
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
        lines += ["", *_savings_lines(q.savings, q.net_price, _, ln.get("grade"), words)]
    why = [c for c in q.components if c.reason]
    if why:
        lines.append("")
        lines.append(_("why a component pays nothing:"))
        for c in why:
            said = reason_words(c, _) if words else c.explanation
            if c.version is None and c.reason != "OUTSIDE_WINDOW":  # the table says so too
                said = said.rstrip("。") + _(
                    "; besides, {scheme} is not in force on that date"
                ).format(scheme=c.scheme)
            lines.append(f"  {c.component}: {c.reason} — {said}")
    cited = [c for c in q.components if c.rate_source]
    if cited:
        lines.append("")
        lines.append(_("sources:"))
        for c in cited:
            lines.append(f"  {c.component}: {c.rate_source} [{c.rate_status}]")
    return "\n".join(lines)


def load_text(s: SavingsQuote, _: Gettext = str) -> str:
    """The load the savings were worked out at, and where the efficiencies were taken."""
    at = _("part load") if s.efficiency_at == "part_load" else _("rated load")
    if s.load is None:
        return _("load unknown, efficiencies at {at}").format(at=at)
    return _("at {pct} load, efficiencies at {at}").format(pct=f"{s.load * 100:g} %", at=at)


_OPTION_NAMES = {"new": "new motor", "reman": "remanufactured motor", "keep": "keep the old motor"}


def render_comparison(c: Comparison, lang: str | None = None) -> str:
    """The options side by side, as text for the terminal, in ``lang``: in English the
    engine's names for options, sources and notes; in another language the counter
    page's words for them."""
    _ = i18n.translator(lang)
    words = i18n.negotiate(lang) != "en"

    def num(x, fmt=",.2f"):
        return _("unknown") if x is None else f"{x:{fmt}}"

    d = c.duty
    head = _(
        "the same duty for each option: {qty} × {kw} kW at load {load}, {hours} h/yr, "
        "tariff {tariff} CNY/kWh"
    ).format(
        qty=d["qty"], kw=f"{d['kw']:g}", load=num(d["load"], "g"),
        hours=num(d["hours"], ",.0f"), tariff=num(d["tariff"], "g"),
    )  # fmt: skip
    if words:
        labels = (_("Option"), _("Subsidies CNY"), _("Net price CNY"), _("Efficiency %"),
                  "kWh/yr", _("Yearly bill CNY"), _("Saving vs keeping CNY/yr"),
                  _("Payback years"))  # fmt: skip
        name, source = (lambda o: option_name(o.option, _)), _source_words(c, _)
    else:
        labels = ("option", "subsidies CNY", "net price CNY", "efficiency %", "kWh/yr",
                  "bill CNY/yr", "saving CNY/yr", "payback yr")  # fmt: skip
        name, source = (lambda o: _OPTION_NAMES[o.option]), (lambda o: o.eta_source)
    rows = [labels]
    for o in c.options:
        rows.append((
            name(o), num(o.subsidy_total), num(o.net_price), f"{num(o.eta)} ({source(o)})",
            num(o.kwh_per_year, ",.1f"), num(o.bill_per_year), num(o.bill_saving_vs_keep),
            num(o.payback_years),
        ))  # fmt: skip
    lines = [head, "", *_table(rows, right={1, 2, 4, 5, 6, 7})]
    notes = dict.fromkeys(n for o in c.options for n in o.notes)
    if notes and words:
        lines += ["", *(note_words(n, _) for n in notes)]
    elif notes:
        lines += ["", *(f"note: {_note(n, c)}" for n in sorted(notes))]
    lines.append(
        _("The remanufactured motor is taken at the grade and efficiency given for the new "
          "one; payback = (net price − repair cost) ÷ bill saving.")
        if words
        else "net price: list price × qty − subsidies; for keeping the old motor, the repair "
        "cost; payback: (net price − repair cost) / bill saving"
    )  # fmt: skip
    return "\n".join(lines)


def _source_words(c: Comparison, _: Gettext):
    """Where each option's efficiency comes from, in words (the old motor's from a priced
    option's quote, which worked it out)."""
    priced = next((o.quote for o in c.options if o.quote is not None), None)
    grade = priced.line.get("grade") if priced else None

    def source(o) -> str:
        if o.quote is not None:
            s = o.quote.savings
            return eta_source_words(s.eta_new_code, s.edition, grade, _)
        if priced is not None:
            return eta_source_words(priced.savings.eta_old_code, priced.savings.edition, grade, _)
        return o.eta_source

    return source


NOTES = {
    "REWIND_ETA_UNCHANGED": "keeping the old motor: its efficiency is taken unchanged by a "
    "repair or rewind (no source in hand gives the change)",
    "NO_PRICE": "no list price given for the {options} ({flags}): its net price and payback "
    "unknown",
    "NO_TARIFF": "no tariff given: bills, bill saving and payback unknown",
}
_PRICE_FLAGS = {"new": "--price", "reman": "--reman-price"}


def _note(code: str, c: Comparison) -> str:
    """A note of the comparison; a missing price names the options it is missing for."""
    if code != "NO_PRICE":
        return NOTES[code]
    missing = [o.option for o in c.options if code in o.notes]
    return NOTES[code].format(
        options=" and ".join(_OPTION_NAMES[m] for m in missing),
        flags=", ".join(_PRICE_FLAGS[m] for m in missing if m in _PRICE_FLAGS),
    )


# ------------------------------------------------------------------------------------
# words for people, through gettext (``_`` is :func:`motorsub.i18n.translator`)


def field_label(name: str, _: Gettext) -> str:
    """The label of a quote's field, as the form shows it."""
    return {
        "motor_type": _("Motor type"), "kw": _("Rated power [kW]"), "grade": _("Grade"),
        "kind": _("New or remanufactured"), "qty": _("Quantity"), "trade_in": _("Trade-in"),
        "old_kw": _("Old motor's rated power [kW]"), "old_qty": _("Old motors handed in"),
        "old_efficiency": _("Old motor's efficiency [%]"), "old_series": _("Old motor's series"),
        "old_poles": _("Old motor's poles"), "region": _("Region"), "date": _("Sale date"),
        "price": _("List price of one motor [CNY]"), "poles": _("Poles"),
        "efficiency": _("Efficiency [%]"), "hours": _("Hours a year"), "load": _("Load"),
        "tariff": _("Electricity price [CNY/kWh]"), "repair_cost": _("Repair or rewind cost [CNY]"),
        "reman_price": _("List price of one remanufactured motor [CNY]"),
    }.get(name, name)  # fmt: skip


def _accepted(name: str, _: Gettext) -> str:
    return {
        "motor_type": ", ".join(vocab.MOTOR_TYPES), "kw": _("a number above 0, at most 100,000"),
        "old_kw": _("a number above 0, at most 100,000"), "grade": "1, 2, 3",
        "kind": ", ".join(vocab.KINDS), "qty": _("a whole number from 1 to 1,000,000"),
        "old_qty": _("a whole number from 1 to 1,000,000"), "trade_in": _("yes or no"),
        "poles": "2, 4, 6, 8", "old_poles": "2, 4, 6, 8",
        "efficiency": _("a number above 0, at most 100"),
        "old_efficiency": _("a number above 0, at most 100"),
        "region": _("a province code such as CN-SH"), "date": _("a date such as 2013-06-01"),
        "price": _("a number of 0 or more"), "tariff": _("a number of 0 or more"),
        "repair_cost": _("a number of 0 or more"), "reman_price": _("a number of 0 or more"),
        "hours": _("a number from 0 to 8,784"), "load": _("a number from 0 to 1.25"),
    }.get(name, "")  # fmt: skip


def problem_words(p: Problem, _: Gettext) -> str:
    """Why a value cannot be taken, in plain words."""
    if p.code == "OLD_WITHOUT_TRADE_IN":
        return _("describes the old motor, which counts only on a trade-in: tick trade-in, "
                 "or leave it empty")  # fmt: skip
    if p.code == "UNKNOWN_OLD_SERIES":
        return _("no baseline table for this series; known: {known} (or give the old motor's "
                 "efficiency)").format(known=", ".join(vocab.BASELINE_SERIES))  # fmt: skip
    if p.code.startswith("MISSING_"):
        if p.field == "grade":
            return _("required for a low-voltage asynchronous motor")
        if p.field == "old_kw":
            return _("required on a trade-in")
        return _("required")
    return _("not accepted; give {accepted}").format(accepted=_accepted(p.field, _))


def component_name(c: ComponentQuote, _: Gettext) -> str:
    """A component in words (the shipped ones by name, others by id)."""
    return {
        "national": _("National subsidy for a high-efficiency motor"),
        "sh_buyback": _("Shanghai buy-back subsidy for the old motor"),
        "sh_reman": _("Shanghai subsidy for a remanufactured motor"),
    }.get(c.component, c.component)


def payee_words(payee: str, _: Gettext) -> str:
    return {
        "manufacturer": _("the manufacturer (as a price cut)"),
        "remanufacturer": _("the remanufacturer (as a price cut)"),
        "recycler": _("the recycler (with the buy-back price)"),
        "user": _("the user"),
    }.get(payee, payee)


def status_words(status: str | None, _: Gettext) -> str:
    return {
        "official": _("official"),
        "reported": _("reported"),
        "inferred": _("inferred"),
    }.get(status or "", _("unknown"))


def _applies_words(f: dict, _: Gettext) -> str:
    parts = []
    if f.get("trade_in") is True:
        parts.append(_("a trade-in of an old motor"))
    if f.get("kinds") == ["reman"]:
        parts.append(_("a remanufactured motor"))
    if f.get("kinds") == ["new"]:
        parts.append(_("a new motor"))
    if f.get("regions"):
        parts.append("/".join(f["regions"]))
    return ", ".join(parts)


def reason_words(c: ComponentQuote, _: Gettext) -> str:
    """Why a component pays nothing, in words a customer reads right."""
    words = {
        "NOT_APPLICABLE": _("Not part of this deal: it is paid only with {what}.").format(
            what=_applies_words(c.applies_to, _)
        ),
        "OUT_OF_SCOPE_KW": _("Not paid: the motor's power is outside the range this subsidy "
                             "covers."),
        "GRADE_NOT_ELIGIBLE": _("Not paid: the motor's efficiency grade is not good enough "
                                "for this subsidy."),
        "OUTSIDE_WINDOW": _("Not paid: the subsidy was not in force on the sale date."),
        "REGION_NOT_ELIGIBLE": _("Not paid: this subsidy is not paid in this region."),
        "NO_TRADE_IN": _("Not paid: this subsidy needs an old motor handed in."),
        "REMAN_NO_NATIONAL": _("Not paid: this subsidy pays for new motors only."),
        "KIND_NOT_ELIGIBLE": _("Not paid: this subsidy pays for remanufactured motors only."),
        "TYPE_NOT_ELIGIBLE": _("Not paid: this motor type is outside this subsidy."),
        "NO_RATE": _("Not paid here: the motor may qualify, but no published source gives "
                     "the rate for it, so no amount can be promised. Nothing is lost by "
                     "asking the programme office."),
    }  # fmt: skip
    return words.get(c.reason or "", c.explanation or "")


def eta_source_words(code: str, edition: str, grade, _: Gettext) -> str:
    """Where an efficiency came from."""
    return {
        "declared": _("declared"),
        "grade_minimum": _("{edition} grade {grade} minimum").format(edition=edition, grade=grade),
        "series_baseline": _("baseline table of the old motor's series"),
        "default_baseline": _("default baseline (Y series, inferred)"),
        "minimum_allowed": _("{edition} grade 3, the minimum allowed").format(edition=edition),
    }.get(code, _("unknown"))


def option_name(option: str, _: Gettext) -> str:
    return {
        "new": _("New motor"),
        "reman": _("Remanufactured motor"),
        "keep": _("Keep the old motor"),
    }[option]


def note_words(code: str, _: Gettext) -> str:
    return {
        "REWIND_ETA_UNCHANGED": _("Efficiency taken unchanged by a repair or rewind: no "
                                  "source in hand gives the change."),
        "NO_PRICE": _("No list price given: net price and payback unknown."),
        "NO_TARIFF": _("No electricity price given: bills and payback unknown."),
    }[code]  # fmt: skip


def motor_type_words(t: str, _: Gettext) -> str:
    return {
        "lv_async": _("Low-voltage asynchronous motor"),
        "hv_async": _("High-voltage asynchronous motor"),
        "pm_sync": _("Permanent-magnet synchronous motor"),
    }.get(t, t)


def load_words(s: SavingsQuote, _: Gettext) -> str:
    """The load the savings rest on, in words (the heading of the savings)."""
    at = _("at part load") if s.efficiency_at == "part_load" else _("at rated load")
    if s.load is None:
        return _("load unknown; efficiencies {at}").format(at=at)
    return _("at {pct} load; efficiencies {at}").format(pct=f"{s.load * 100:g} %", at=at)


#: A document number as the notices write them: 财建〔2011〕62号, 沪府办发〔2011〕62号.
_DOCUMENT = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")


def legal_words(text: str | None, lang: str) -> str:
    """A rate's or a version's source for a page in ``lang``: in English the scheme file's
    own note; in Chinese the documents it cites (the notes are English glosses; the
    reasons and statuses beside them are already in Chinese), else the note itself."""
    if not text:
        return ""
    if lang == "en":
        return text
    documents = list(dict.fromkeys(_DOCUMENT.findall(text)))
    return "、".join(documents) if documents else text
