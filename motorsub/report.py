"""Text for people: the compute summary and the scheme listings."""

from __future__ import annotations

from motorsub.schemes import Scheme, SchemeSet


def _table(rows: list[tuple[str, ...]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            x.rjust(w) if i in right else x.ljust(w) for i, (x, w) in enumerate(zip(r, widths))
        ).rstrip()
        for r in rows
    ]


def summary_text(s: dict) -> str:
    """The compute summary as a few readable tables."""
    rows = s["rows"]
    out = [
        f"rows read {rows['read']:,} = computed {rows['computed']:,} + rejected "
        f"{rows['rejected']:,}" + ("" if rows["reconciles"] else "  (DOES NOT RECONCILE)"),
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


def schemes_list_text(schemes: SchemeSet) -> str:
    rows = [("scheme", "versions", "components", "file")]
    for s in schemes.schemes:
        span = f"{s.versions[0].in_force_from} – {s.versions[-1].in_force_until or 'open'}"
        rows.append(
            (
                s.id,
                f"{len(s.versions)} ({span})",
                ", ".join(c.id for c in s.components),
                s.source_file,
            )
        )
    return "\n".join(_table(rows))


def scheme_text(s: Scheme) -> str:
    """Every version, rate, source and status of a scheme, and the cells with no rate."""
    out = [
        f"{s.id}: {s.title}",
        f"authority: {s.authority}",
        f"file: {s.source_file}",
        "",
        "documents:",
    ]
    for d in s.documents:
        out.append(
            f"  {d.id}: {d.number}"
            + (f" ({d.date})" if d.date else "")
            + (f" — {d.title}" if d.title else "")
            + (f" — {d.note}" if d.note else "")
        )
    out += ["", "components:"]
    for c in s.components:
        out.append(
            f"  {c.id}: {c.title}; paid to the {c.payee} from the {c.budget} budget, "
            f"per kW of {c.basis}"
        )
        el = c.eligibility
        cond = []
        if el.regions:
            cond.append("region " + "/".join(el.regions))
        if el.trade_in_required:
            cond.append("a trade-in")
        if cond:
            out.append("    requires " + " and ".join(cond))
        for e in el.scope:
            grade = f", grade <= {e.worst_grade}" if e.worst_grade else ""
            out.append(f"    scope {e.kind} {e.motor_type} {e.kw}{grade}  [{e.status}] {e.source}")
    for v in s.versions:
        until = v.in_force_until or "open"
        out += ["", f"version {v.id}: {v.in_force_from} – {until}  [{v.status}] {v.source}"]
        rows = [("component", "motor type", "kW band", "grades", "CNY/kW", "status", "source")]
        for r in v.rates:
            rows.append((
                r.component, r.motor_type or "all", str(r.kw),
                ",".join(map(str, r.grades)) if r.grades else "all",
                "NO RATE" if r.cny_per_kw is None else f"{r.cny_per_kw:.2f}",
                r.status, r.source + (f" ({r.note})" if r.note else ""),
            ))  # fmt: skip
        out += ["  " + line for line in _table(rows, right={4})]
        missing = [r for r in v.rates if r.cny_per_kw is None]
        if missing:
            out.append(f"  cells with no rate (NO_RATE): {len(missing)}")
    return "\n".join(out)
