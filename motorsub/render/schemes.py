"""The schemes as text for people: the list, and every version, rate, source and status."""

from __future__ import annotations

from motorsub import i18n
from motorsub.model.schemes import Scheme, SchemeSet
from motorsub.render.table import table as _table


def schemes_list_text(schemes: SchemeSet, lang: str | None = None) -> str:
    """One line per scheme: its versions and their span, its components, its file."""
    _ = i18n.translator(lang)
    rows = [(_("scheme"), _("versions"), _("components"), _("file"))]
    for s in schemes.schemes:
        span = f"{s.versions[0].in_force_from} – {s.versions[-1].in_force_until or _('open')}"
        rows.append(
            (
                s.id,
                f"{len(s.versions)} ({span})",
                ", ".join(c.id for c in s.components),
                s.source_file,
            )
        )
    return "\n".join(_table(rows))


def scheme_text(s: Scheme, lang: str | None = None) -> str:
    """Every version, rate, source and status of a scheme, and the cells with no rate."""
    _ = i18n.translator(lang)
    out = [
        f"{s.id}: {s.title}",
        _("authority: {authority}").format(authority=s.authority),
        _("file: {file}").format(file=s.source_file),
        "",
        _("documents:"),
    ]
    for d in s.documents:
        out.append(
            f"  {d.id}: {d.number}"
            + (f" ({d.date})" if d.date else "")
            + (f" — {d.title}" if d.title else "")
            + (f" — {d.note}" if d.note else "")
        )
    out += ["", _("components:")]
    for c in s.components:
        out.append(
            f"  {c.id}: {c.title}; "
            + _("paid to the {payee} from the {budget} budget, per kW of {basis}").format(
                payee=c.payee, budget=c.budget, basis=c.basis
            )
        )
        el = c.eligibility
        cond = []
        if el.regions:
            cond.append(_("region {regions}").format(regions="/".join(el.regions)))
        if el.trade_in_required:
            cond.append(_("a trade-in"))
        if cond:
            out.append("    " + _("requires {conditions}").format(conditions=_(" and ").join(cond)))
        for e in el.scope:
            grade = _(", grade <= {grade}").format(grade=e.worst_grade) if e.worst_grade else ""
            out.append(
                "    "
                + _("scope {kind} {motor_type} {kw}{grade}").format(
                    kind=e.kind, motor_type=e.motor_type, kw=e.kw, grade=grade
                )
                + f"  [{e.status}] {e.source}"
            )
    everything = _("all")
    for v in s.versions:
        until = v.in_force_until or _("open")
        out += [
            "",
            _("version {id}: {start} – {until}").format(id=v.id, start=v.in_force_from, until=until)
            + f"  [{v.status}] {v.source}",
        ]
        rows = [(
            _("component"), _("motor type"), _("kW band"), _("grades"), _("CNY/kW"),
            i18n.pgettext(lang, "rate", "status"), _("source"),
        )]  # fmt: skip
        for r in v.rates:
            rows.append((
                r.component, r.motor_type or everything, str(r.kw),
                ",".join(map(str, r.grades)) if r.grades else everything,
                _("NO RATE") if r.cny_per_kw is None else f"{r.cny_per_kw:.2f}",
                r.status, r.source + (f" ({r.note})" if r.note else ""),
            ))  # fmt: skip
        out += ["  " + line for line in _table(rows, right={4})]
        missing = [r for r in v.rates if r.cny_per_kw is None]
        if missing:
            out.append(_("  cells with no rate (NO_RATE): {n}").format(n=len(missing)))
    return "\n".join(out)
