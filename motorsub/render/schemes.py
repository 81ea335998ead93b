"""The schemes as text for people: the list, and every version, rate, source and status."""

from __future__ import annotations

from motorsub.model.schemes import Scheme, SchemeSet
from motorsub.render.table import table as _table


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
