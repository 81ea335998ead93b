"""The compute summary as text for people."""

from __future__ import annotations

from motorsub.render.table import table as _table


def summary_text(s: dict) -> str:
    """The compute summary as a few readable tables."""
    rows = s["rows"]
    out = [
        f"rows read {rows['read']:,} = computed {rows['computed']:,} + rejected "
        f"{rows['rejected']:,}"
        + (f" + blank lines skipped {rows['blank']:,}" if rows.get("blank") else "")
        + ("" if rows["reconciles"] else "  (DOES NOT RECONCILE)"),
        "",
    ]
    comps = [k for k in s["totals_cny"] if k != "total"]
    head = ("", "lines", *comps, "total")
    for title, key in (("region", "by_region"), ("motor type", "by_motor_type")):
        body = [
            (name, f"{v['lines']:,}", *(f"{v[c]:,.2f}" for c in comps), f"{v['total']:,.2f}")
            for name, v in s[key].items()
        ]
        out += _table([(title, *head[1:]), *body], right=set(range(1, len(head))))
        out.append("")
    total = (
        "all",
        f"{rows['computed']:,}",
        *(f"{s['totals_cny'][c]:,.2f}" for c in comps),
        f"{s['totals_cny']['total']:,.2f}",
    )
    out += _table([("totals [CNY]", *head[1:]), total], right=set(range(1, len(head))))
    out.append("by payee: " + ", ".join(f"{k} {v:,.2f}" for k, v in s["by_payee"].items()))
    out.append("by budget: " + ", ".join(f"{k} {v:,.2f}" for k, v in s["by_budget"].items()))
    for comp, by in s["by_rate_status"].items():
        if by:
            out.append(
                f"{comp} rests on rates that are: "
                + ", ".join(f"{k} {v:,.2f}" for k, v in by.items())
            )
    if any(s["no_rate_lines"].values()):
        out.append(
            "eligible lines whose rate no source gives (paid 0, NO_RATE): "
            + ", ".join(f"{k} {v:,}" for k, v in s["no_rate_lines"].items() if v)
        )
    if s["reasons"]:
        out.append("")
        out += _table(
            [("reason", "lines"), *((k, f"{v:,}") for k, v in s["reasons"].items())], right={1}
        )
    if s["rejects"]:
        out.append("")
        out += _table(
            [("rejected for", "rows"), *((k, f"{v:,}") for k, v in s["rejects"].items())], right={1}
        )
    files = s.get("files")
    if files:
        out += ["", f"output: {files['output']}", f"rejects: {files['rejects']}"]
    return "\n".join(out)
