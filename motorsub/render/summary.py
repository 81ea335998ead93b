"""The compute summary as text for people, in English or Chinese."""

from __future__ import annotations

from motorsub import i18n
from motorsub.render.table import table as _table


def summary_text(s: dict, lang: str | None = None) -> str:
    """The compute summary as a few readable tables, in ``lang`` (codes stay codes)."""
    _ = i18n.translator(lang)
    rows = s["rows"]
    out = [
        _("rows read {read:,} = computed {computed:,} + rejected {rejected:,}").format(
            read=rows["read"], computed=rows["computed"], rejected=rows["rejected"]
        )
        + (
            _(" + blank lines skipped {blank:,}").format(blank=rows["blank"])
            if rows.get("blank")
            else ""
        )
        + ("" if rows["reconciles"] else _("  (DOES NOT RECONCILE)")),
        "",
    ]
    comps = [k for k in s["totals_cny"] if k != "total"]
    head = ("", _("lines"), *comps, _("total"))
    for title, key in ((_("region"), "by_region"), (_("motor type"), "by_motor_type")):
        body = [
            (name, f"{v['lines']:,}", *(f"{v[c]:,.2f}" for c in comps), f"{v['total']:,.2f}")
            for name, v in s[key].items()
        ]
        out += _table([(title, *head[1:]), *body], right=set(range(1, len(head))))
        out.append("")
    total = (
        _("all"),
        f"{rows['computed']:,}",
        *(f"{s['totals_cny'][c]:,.2f}" for c in comps),
        f"{s['totals_cny']['total']:,.2f}",
    )
    out += _table([(_("totals [CNY]"), *head[1:]), total], right=set(range(1, len(head))))

    def amounts(by: dict) -> str:
        return ", ".join(f"{k} {v:,.2f}" for k, v in by.items())

    out.append(_("by payee: {amounts}").format(amounts=amounts(s["by_payee"])))
    out.append(_("by budget: {amounts}").format(amounts=amounts(s["by_budget"])))
    for comp, by in s["by_rate_status"].items():
        if by:
            out.append(
                _("{component} rests on rates that are: {amounts}").format(
                    component=comp, amounts=amounts(by)
                )
            )
    if any(s["no_rate_lines"].values()):
        out.append(
            _("eligible lines whose rate no source gives (paid 0, NO_RATE): {lines}").format(
                lines=", ".join(f"{k} {v:,}" for k, v in s["no_rate_lines"].items() if v)
            )
        )
    if s.get("columns_not_read"):
        out.append(
            _("columns not read (passed through; a misspelt name?): {names}").format(
                names=", ".join(s["columns_not_read"])
            )
        )
    if s["reasons"]:
        out.append("")
        out += _table(
            [(_("reason"), _("lines")), *((k, f"{v:,}") for k, v in s["reasons"].items())],
            right={1},
        )
    if s["rejects"]:
        out.append("")
        out += _table(
            [(_("rejected for"), _("rows")), *((k, f"{v:,}") for k, v in s["rejects"].items())],
            right={1},
        )
        if sum(s["rejects"].values()) > rows["rejected"]:
            out.append(_("(a row rejected for several reasons counts under each)"))
    files = s.get("files")
    if files:
        out += [
            "",
            _("output: {path}").format(path=files["output"]),
            _("rejects: {path}").format(path=files["rejects"]),
        ]
    return "\n".join(out)
