"""Text for planners: the year table, published figures, plausibility, budget, band and
comparison, in English or Chinese.

One house format for quantities (:func:`quantity`): four significant figures, thousands
separators, never an exponent nor a word ("1,410,000", "587.5", "0.4699"). A table column
may be scaled by a prefix in its header (``[M kWh]``); its cells are the same format.
Money is integer fen and is written exactly, in CNY to the fen (:func:`money`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from motorsub import i18n, vocab
from motorsub.render.table import table

if TYPE_CHECKING:
    from motorsub.plan.project import Projection

COMPARED = vocab.PLAN_COMPARED
PERCENTILES = vocab.PLAN_PERCENTILES
#: Significant figures of every quantity in text output.
SIGNIFICANT = 4

_SCALES = ((1e9, "bn "), (1e6, "M "), (1e3, "k "), (1.0, ""))


def quantity(x) -> str:
    """The house format: ``SIGNIFICANT`` significant figures, thousands separators, no
    exponent; '-' for an unknown value."""
    if x is None:
        return "-"
    x = float(x)
    if not math.isfinite(x):
        return "-"
    if x == 0:
        return "0"
    r = float(f"{x:.{SIGNIFICANT}g}")
    decimals = SIGNIFICANT - 1 - math.floor(math.log10(abs(r)))
    return f"{r:,.{max(decimals, 0)}f}"


def money(fen) -> str:
    """Integer fen as CNY, exactly: 123456789 -> '1,234,567.89'."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _scale(*arrays) -> tuple[float, str]:
    """A divisor and its prefix so that the largest value reads as a few digits."""
    values = np.concatenate([np.abs(np.asarray(a, dtype=float)).ravel() for a in arrays])
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    for div, prefix in _SCALES:
        if top >= div:
            return div, prefix
    return 1.0, ""


def _column(name: str, unit: str, values, *, like=None) -> tuple[list[str], list[str]]:
    """(two header lines, cells) of one quantity column, scaled by a header prefix."""
    div, prefix = _scale(*(like or [values]))
    return [name, f"[{prefix}{unit}]"], [quantity(v / div) for v in values]


def _money_column(name: str, fen, partial=None) -> tuple[list[str], list[str]]:
    """(two header lines, cells) of a money column [CNY to the fen]; ``+?`` marks a part
    resting on a rate no source gives."""
    cells = [money(v) for v in fen]
    if partial is not None:
        cells = [c + ("+?" if p > 0 else "  ") for c, p in zip(cells, partial)]
    return [name, "[CNY]"], cells


def _rows(cols) -> list[tuple]:
    rows = [tuple(h[0] for h, _ in cols), tuple(h[1] for h, _ in cols)]
    return rows + list(zip(*(cells for _, cells in cols)))


def year_table(p: Projection, lang: str | None = None) -> list[str]:
    """The year table: stock, savings, cumulative savings and outlay by budget."""
    _ = i18n.translator(lang)
    c = p.columns
    kw_like = [c["kw_promoted"], c["kw_in_service"], c["kw_retired"]]
    kwh_like = [c["kwh"], c["kwh_run_rate"]]
    cols = [
        ([_("year"), ""], [str(y) for y in c["year"]]),
        _column(_("promoted"), "kW", c["kw_promoted"], like=kw_like),
        _column(_("in service"), "kW", c["kw_in_service"], like=kw_like),
        _column(_("retired"), "kW", c["kw_retired"], like=kw_like),
        _column(_("saved"), "kWh", c["kwh"], like=kwh_like),
        _column(_("run rate"), "kWh/yr", c["kwh_run_rate"], like=kwh_like),
        _column(_("saved"), "tce", c["tce"]),
    ]
    if np.isfinite(c["tco2"]).any():
        cols.append(_column(_("saved"), "tCO2", c["tco2"]))
    cols.append(_column(_("cumulative"), "tce", c["tce_cumulative"]))
    cols.append(_money_column(_("central"), c["outlay_central_fen"], c["unpriced_kw_central"]))
    cols.append(_money_column(_("local"), c["outlay_local_fen"], c["unpriced_kw_local"]))
    out = table(_rows(cols), right=True)
    if (c["unpriced_kw_central"] > 0).any() or (c["unpriced_kw_local"] > 0).any():
        out.append(
            _(
                "+? partial: some promoted kW is eligible for a component whose rate no source "
                "gives (NO_RATE); the outlay shown is the known part only"
            )
        )
    out.append(
        _(
            "saved: the year's savings (half the year of installation under the half-year "
            "convention); run rate: what the stock in service at year end saves in a full year"
        )
        if p.plan.promotion.half_year
        else _(
            "saved: the year's savings; run rate: what the stock in service at year end "
            "saves in a full year"
        )
    )
    return out


def has_spread(p: Projection) -> bool:
    """Whether the plan states a spread for any assumption (a draw can differ from 1)."""
    for name in ("hours", "load", "efficiency_gain", "life"):
        d = getattr(p.plan.uncertainty, name)
        if d is not None and not (d.distribution == "fixed" and d.value == 1):
            return True
    return False


def band_table(p: Projection, lang: str | None = None) -> list[str]:
    """P10/P50/P90 of the year's and the cumulative savings, and of the stock; one column
    per quantity, and why, when the plan states no spread (every draw the same)."""
    _ = i18n.translator(lang)
    c = p.columns
    spread = has_spread(p)
    quantiles = PERCENTILES if spread else (50,)
    cols = [([_("year"), ""], [str(y) for y in c["year"]])]
    for name, unit, label in (
        ("kwh", "kWh", _("saved")),
        ("tce", "tce", _("saved")),
        ("tce_cumulative", "tce", _("cumulative")),
        ("kw_in_service", "kW", _("in service")),
    ):
        like = [c[f"{name}_p{q}"] for q in quantiles]
        for q in quantiles:
            head = f"{label} P{q}" if spread else label
            cols.append(_column(head, unit, c[f"{name}_p{q}"], like=like))
    out = table(_rows(cols), right=True)
    if not spread:
        out.insert(
            0,
            _(
                "the plan states no spread ([uncertainty]): every draw is the central value, "
                "so P10 = P50 = P90 and one column is shown"
            ),
        )
    return out


def targets_lines(p: Projection, lang: str | None = None) -> list[str]:
    _ = i18n.translator(lang)
    if not p.targets:
        return []
    rows = [
        (_("year"), _("figure"), _("published"), _("projected"), _("projected/published"),
         _("status"))
    ]  # fmt: skip
    for t in p.targets:
        rows.append(
            (
                str(t["year"]),
                f"{t['quantity']} [{t['unit']}]",
                quantity(t["published"]),
                quantity(t["projected"]),
                quantity(t["ratio"]),
                t["status"],
            )
        )
    out = [_("published figures (savings set against the run rate at the end of the year):")]
    out += ["  " + line for line in table(rows, right=True)]
    imp = p.summary["implied"]
    parts = []
    if "kwh_per_kw_year" in imp:
        parts.append(_("{x} kWh per promoted kW a year").format(x=quantity(imp["kwh_per_kw_year"])))
    for key, row in imp.items():
        if key.startswith("targets_"):
            year = key.split("_")[1]
            if "kgce_per_kwh" in row:
                parts.append(
                    _("coal {x} kgce/kWh ({year} targets)").format(
                        x=quantity(row["kgce_per_kwh"]), year=year
                    )
                )
            if "kgco2_per_kwh" in row:
                parts.append(
                    _("grid {x} kgCO2/kWh ({year} targets)").format(
                        x=quantity(row["kgco2_per_kwh"]), year=year
                    )
                )
    if parts:
        out.append(_("implied: {what}").format(what="; ".join(parts)))
    return out


def _verdict(x: dict, _) -> str:
    flh = quantity(x["full_load_hours_implied"])
    v = x["verdict"]
    if v == "unknown":
        return _("the mix's efficiency gain is unknown: no physical reference")
    if v == "exceeds_a_year":
        return _(
            "the deemed intensity needs {flh} full-load hours a year at the mix's efficiency "
            "gain, more than a year holds ({year} h): the target counts more than the motor "
            "swap can deliver"
        ).format(flh=flh, year=quantity(8760))
    if v == "no_physical_reference":
        return _(
            "the deemed intensity needs {flh} full-load hours a year at the mix's efficiency "
            "gain (the plan states no physical hours and load to compare)"
        ).format(flh=flh)
    if v in ("exceeds_physical", "within_physical"):
        return _(
            "the deemed intensity is {ratio} times what the physical model gives for this mix "
            "at {hours} h and load {load}"
        ).format(ratio=quantity(x["ratio"]), hours=quantity(x["hours"]), load=quantity(x["load"]))
    return _("the plan's savings are physical")


def plausibility_lines(p: Projection, lang: str | None = None) -> list[str]:
    _ = i18n.translator(lang)
    x = p.plausibility
    out = [
        _(
            "plausibility (kWh/kW/yr = hours x load x efficiency gain, "
            "gain = 100/eta_old - 100/eta_new):"
        )
    ]
    if x["efficiency_gain"] is not None:
        out.append(
            "  "
            + _(
                "the mix's efficiency gain (savings kernel, rated load): {gain} (eta_old {old} "
                "-> eta_new {new}, {share} of kW known)"
            ).format(
                gain=quantity(x["efficiency_gain"]),
                old=quantity(x["eta_old_pct"]) + " %",
                new=quantity(x["eta_new_pct"]) + " %",
                share=quantity(100 * x["gain_known_share"]) + " %",
            )
        )
    if x["mode"] == "deemed":
        out.append(
            "  "
            + _("deemed intensity: {x} kWh/kW/yr").format(x=quantity(x["deemed_kwh_per_kw_year"]))
        )
        line = _("implies {h} full-load hours a year at that gain").format(
            h=quantity(x["full_load_hours_implied"])
        )
        if x["hours_implied_at_load"] is not None and x["gain_implied_at_hours_load"]:
            line += "; " + _(
                "{h} h at load {load}; or a gain of {gain} at {hours} h and load {load}"
            ).format(
                h=quantity(x["hours_implied_at_load"]),
                load=quantity(x["load"]),
                gain=quantity(x["gain_implied_at_hours_load"]),
                hours=quantity(x["hours"]),
            )
        out.append("  " + line)
    if x["physical_kwh_per_kw_year"] is not None and x["hours"] is not None:
        out.append(
            "  "
            + _("physical model for the same mix at {hours} h, load {load}: {x} kWh/kW/yr").format(
                hours=quantity(x["hours"]),
                load=quantity(x["load"]),
                x=quantity(x["physical_kwh_per_kw_year"]),
            )
        )
    out.append(f"  => {_verdict(x, _)}")
    return out


def _status_word(status: str, _) -> str:
    return {
        "complete": _("complete"),
        "partial": _("partial"),
        "unknown": _("unknown"),
        "no component": _("no component"),
    }.get(status, status)


def budget_lines(p: Projection, lang: str | None = None) -> list[str]:
    _ = i18n.translator(lang)
    s = p.summary
    rows = [
        (_("component"), _("payee"), _("budget"), _("outlay [CNY]"), _("unpriced [kW]"),
         _("status"))
    ]  # fmt: skip
    for cid, v in s["outlay_fen"].items():
        rows.append(
            (
                cid,
                v["payee"],
                v["budget"],
                money(v["fen"]),
                quantity(v["unpriced_kw"]),
                _status_word(v["status"], _),
            )
        )
    for b, v in s["outlay_by_budget"].items():
        rows.append(
            (
                _("{budget} budget").format(budget=b),
                "",
                "",
                money(v["fen"]),
                quantity(v["unpriced_kw"]),
                _status_word(v["status"], _),
            )
        )
    out = [_("outlay over the plan (paid in the year of promotion):")]
    out += ["  " + line for line in table(rows, right=True)]
    if s["components_left_out"]:
        out.append("  " + _("left out by the plan: {what}").format(
            what=", ".join(s["components_left_out"])
        ))  # fmt: skip
    if s["kw_savings_unknown"] > 0:
        out.append(
            "  "
            + _("savings unknown (no efficiency for the line) for {kw} promoted kW: counted as 0")
            .format(kw=quantity(s["kw_savings_unknown"]))
        )  # fmt: skip
    return out


def uptake_lines(p: Projection, lang: str | None = None) -> list[str]:
    """How the kW promoted answer to the subsidy: held fixed, or the stated response."""
    _ = i18n.translator(lang)
    u = p.summary["uptake"]
    if u["response"] != "elasticity":
        return [_("uptake: held fixed (the plan states no uptake response)")]
    c = p.columns
    out = [
        _(
            "uptake: elasticity {e} of the kW promoted to the net price (price {price} CNY/kW "
            "less the subsidy per kW) [{status}]; the stated kW assume every component of "
            "the schemes in use"
        ).format(
            e=quantity(u["elasticity"]["value"]),
            price=quantity(u["price_cny_per_kw"]["value"]),
            status=u["elasticity"]["status"],
        ),
        "  "
        + _("source: {elasticity}; price: {price}").format(
            elasticity=u["elasticity"]["source"], price=u["price_cny_per_kw"]["source"]
        ),
    ]
    promoting = c["kw_promoted_stated"] > 0
    rows = [(_("year"), _("stated [kW]"), _("subsidy [CNY/kW]"), _("factor"), _("promoted [kW]"))]
    for i in np.flatnonzero(promoting):
        rows.append(
            (
                str(c["year"][i]),
                quantity(c["kw_promoted_stated"][i]),
                f"{quantity(u['subsidy_cny_per_kw'][i])} / "
                f"{quantity(u['subsidy_reference_cny_per_kw'][i])}",
                quantity(c["uptake_factor"][i]),
                quantity(c["kw_promoted"][i]),
            )
        )
    out += ["  " + line for line in table(rows, right=True)]
    out.append(
        "  "
        + _(
            "subsidy: the plan's / with every component (known rates only); factor = "
            "((price - subsidy) / (price - subsidy with every component)) ^ elasticity"
        )
    )
    if u.get("left_out_component_rate_unknown"):
        out.append(
            "  "
            + _(
                "a component left out rests partly on a rate no source gives: its part of "
                "the response is not counted"
            )
        )
    return out


def effectiveness_lines(p: Projection, lang: str | None = None) -> list[str]:
    """What the subsidy buys: kWh saved per CNY and CNY per tce saved, over the projection."""
    _ = i18n.translator(lang)
    e = p.summary["effectiveness"]
    years = p.summary["years"]
    note = {
        "complete": "",
        "partial": _(" (known part of the outlay only: some kW rests on a rate no source gives)"),
        "unknown": _(" (the outlay is unknown: no rate is known)"),
    }.get(e["outlay_status"], "")
    return [
        _(
            "what the subsidy buys, {y0}-{y1}: outlay {outlay} CNY{note}; saved {kwh} kWh, "
            "{tce} tce; {per_cny} kWh per CNY of subsidy; {per_tce} CNY of subsidy per tce saved"
        ).format(
            y0=years[0],
            y1=years[1],
            outlay=money(e["outlay_fen"]),
            note=note,
            kwh=quantity(e["kwh_cumulative"]),
            tce=quantity(e["tce_cumulative"]),
            per_cny=quantity(e["kwh_per_cny"]),
            per_tce=quantity(e["cny_per_tce"]),
        )
    ]


def projection_text(p: Projection, lang: str | None = None) -> str:
    """Everything a planner reads on the terminal."""
    _ = i18n.translator(lang)
    plan = p.plan
    life = plan.life
    life_text = (
        _("fixed {years} yr").format(years=f"{life.years:g}")
        if life.kind == "fixed"
        else _("Weibull k={k}, scale {scale} yr").format(
            k=f"{life.shape:g}", scale=f"{life.scale:g}"
        )
    )
    savings_text = (
        _("deemed {x} kWh/kW/yr").format(x=quantity(plan.savings.deemed.intensity))
        if plan.savings.mode == "deemed"
        else _("physical (savings kernel)")
    )
    out = [
        f"{plan.id}: {plan.title}",
        _("{file}; savings {savings}; life {life}; half-year convention {on}").format(
            file=plan.source_file,
            savings=savings_text,
            life=life_text,
            on=_("on") if plan.promotion.half_year else _("off"),
        ),
        *uptake_lines(p, lang),
        "",
        *year_table(p, lang),
        "",
        *targets_lines(p, lang),
    ]
    if p.targets:
        out.append("")
    out += [
        *plausibility_lines(p, lang),
        "",
        *budget_lines(p, lang),
        "",
        *effectiveness_lines(p, lang),
    ]
    if p.samples:
        out += [
            "",
            _("uncertainty: {n} samples, seed {seed}").format(n=f"{p.samples:,}", seed=p.seed),
        ]
        out += band_table(p, lang)
    return "\n".join(out)


def _plan_row(who: str, p: Projection, _) -> tuple:
    e = p.summary["effectiveness"]
    mark = "" if e["outlay_status"] == "complete" else "+?"
    return (
        who,
        p.plan.id,
        money(e["outlay_fen"]) + mark,
        quantity(e["kwh_cumulative"]),
        quantity(e["tce_cumulative"]),
        quantity(e["kwh_per_cny"]),
        quantity(e["cny_per_tce"]),
    )


def compare_text(
    a: Projection, b: Projection, diff: dict[str, np.ndarray], lang: str | None = None
) -> str:
    """The year-by-year difference B − A, and what each plan's subsidy buys."""
    _ = i18n.translator(lang)
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
    cols = [([_("year"), ""], [str(y) for y in diff["year"]] + [_("total")])]
    for name in ["kw_promoted", *show]:
        values = diff[f"{name}_diff"]
        label = "d " + name.removeprefix("outlay_").removesuffix("_fen")
        if name.endswith("_fen"):
            total = int(values.sum())
            cols.append(_money_column(label, [*values, total]))
            continue
        total = None if name in ("kw_in_service", "kwh_cumulative") else np.nansum(values)
        cells_values = np.append(values, np.nan if total is None else total)
        cols.append(_column(label, units.get(name, "kW"), cells_values))
    out = [
        _("B - A, year by year: B = {b} ({bfile}), A = {a} ({afile})").format(
            b=b.plan.id, bfile=b.plan.source_file, a=a.plan.id, afile=a.plan.source_file
        ),
        "",
        *table(_rows(cols), right=True),
    ]
    for who, p in (("A", a), ("B", b)):
        if p.summary["components_left_out"]:
            out.append(
                _("{who} leaves out: {what}").format(
                    who=who, what=", ".join(p.summary["components_left_out"])
                )
            )
        unpriced = {
            k: v["unpriced_kw"]
            for k, v in p.summary["outlay_by_budget"].items()
            if v["unpriced_kw"] > 0
        }
        if unpriced:
            out.append(
                _("{who}: outlay partial, kW at a rate no source gives: {what}").format(
                    who=who, what=", ".join(f"{k} {quantity(v)}" for k, v in unpriced.items())
                )
            )
    responds = [w for w, p in (("A", a), ("B", b)) if p.summary["uptake"]["response"] != "none"]
    out.append("")
    if not responds:
        out.append(
            _(
                "uptake held fixed: neither plan states an uptake response ([uptake]), so a "
                "change of subsidy changes the budget only, not the kW promoted nor the savings"
            )
        )
    else:
        out.append(
            _(
                "uptake answers to the subsidy in {who} ([uptake]); see each plan's projection"
            ).format(who=" and ".join(responds))
        )
    out.append("")
    out.append(_("what each plan's subsidy buys, {y0}-{y1} (cumulative savings):").format(
        y0=int(diff["year"][0]), y1=int(diff["year"][-1])
    ))  # fmt: skip
    rows = [
        ("", _("plan"), _("outlay [CNY]"), _("saved [kWh]"), _("saved [tce]"),
         _("kWh per CNY"), _("CNY per tce"))
    ]  # fmt: skip
    rows += [_plan_row("A", a, _), _plan_row("B", b, _)]
    out += ["  " + line for line in table(rows, right=True)]
    ea, eb = a.summary["effectiveness"], b.summary["effectiveness"]
    d_fen = eb["outlay_fen"] - ea["outlay_fen"]
    d_tce = (eb["tce_cumulative"] or 0.0) - (ea["tce_cumulative"] or 0.0)
    if d_tce and d_fen:
        out.append(
            "  "
            + _(
                "B - A: {fen} CNY of subsidy for {tce} tce saved: {per} CNY per tce at the margin"
            ).format(fen=money(d_fen), tce=quantity(d_tce), per=quantity(d_fen / 100 / d_tce))
        )
    elif d_fen:
        out.append(
            "  "
            + _("B - A: {fen} CNY of subsidy and no change in the savings").format(fen=money(d_fen))
        )
    if "+?" in "".join(r[2] for r in rows[1:]):
        out.append(
            "  "
            + _("+? the outlay is the known part only: some kW rests on a rate no source gives")
        )
    return "\n".join(out)
