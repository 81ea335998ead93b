"""Text for people: the audit summary on the terminal, and a Markdown or HTML report.

The report is built once as a list of blocks (headings, paragraphs, tables) and rendered
as Markdown (``.md``) or HTML (``.html``/``.htm``) by the file's extension.
"""

from __future__ import annotations

import html
from pathlib import Path

from motorsub import i18n
from motorsub.errors import InputError

TOP = 10  # claimants shown by name in the report; the rest are summed in one row
TOP_TEXT = 5  # claimants and flagged lines shown on the terminal

Block = tuple  # ("h1"|"h2"|"p", text) or ("table", header, rows, right-aligned columns)

#: The money columns of a reconciliation, in the order shown.
MONEY = ("claimed", "approved", "disallowed", "unverified")


def _m(x: float) -> str:
    return f"{x:,.2f}"


def _fen(x: float) -> int:
    return round(x * 100)


def _sum(rows: list[dict], key: str) -> float:
    """The exact sum of CNY amounts (each a whole number of fen), as CNY."""
    return sum(_fen(r[key]) for r in rows) / 100


def _yes(ok: bool, _) -> str:
    return _("yes") if ok else _("NO")


def _headers(_) -> dict[str, str]:
    return {
        "claimed": _("claimed"),
        "entitled": _("entitled"),
        "approved": _("approved"),
        "disallowed": _("disallowed"),
        "unverified": _("unverified"),
        "over_claimed": _("over-claimed"),
        "under_claimed": _("under-claimed"),
        "lines": _("lines"),
        "reconciles": _("reconciles"),
    }


def _status(name: str, _) -> str:
    return {
        "approved": _("approved"),
        "adjusted": _("adjusted"),
        "rejected": _("rejected"),
        "unverified": _("unverified"),
    }.get(name, name)


def _file_kinds(lang: str | None) -> dict[str, str]:
    """The words for the files an audit writes (the summary's ``files`` keys)."""
    return {
        "findings": i18n.pgettext(lang, "file written", "findings"),
        "rejects": i18n.pgettext(lang, "file written", "rejects"),
        "summary": i18n.pgettext(lang, "file written", "summary"),
        "report": i18n.pgettext(lang, "file written", "report"),
        "sample": i18n.pgettext(lang, "file written", "sample"),
        "lines": i18n.pgettext(lang, "file written", "lines"),
    }


def _inputs(s: dict, _) -> str:
    names = {
        "claims": _("claims"),
        "catalogue": _("catalogue"),
        "buy-backs": _("buy-backs"),
        "quotas": _("quotas"),
        "ledger": _("ledger"),
        "schemes": _("schemes"),
    }
    return "; ".join(f"{names.get(k, k)}: {_(str(v))}" for k, v in s.get("inputs", {}).items())


def _not_read(s: dict, _) -> str | None:
    """The headings no input column matched, per file ("columns not read"), or None."""
    by_file = s.get("columns_not_read") or {}
    if not by_file:
        return None
    return _("columns not read (a misspelt name?): {columns}").format(
        columns="; ".join(
            _("{file}: {columns}").format(file=_(k), columns=", ".join(v))
            for k, v in by_file.items()
        )
    )


def _reason_rows(s: dict) -> list[tuple[str, dict]]:
    """Every primary reason with its lines and amount (all of them: the table adds up)."""
    return list(s["by_primary_reason"].items())


def _claimant_rows(s: dict, _) -> list[tuple]:
    """The first :data:`TOP` claimants by disallowed amount, the others in one row, and the
    total: the rows add up to the overall reconciliation."""
    rec = s["reconciliation"]
    items = list(rec["by_claimant"].items())
    rows = [
        (k, f"{v['lines']:,}", *(_m(v[m]) for m in MONEY), _yes(v["reconciles"], _))
        for k, v in items[:TOP]
    ]
    rest = [v for _k, v in items[TOP:]]
    if rest:
        rows.append(
            (
                _("{n} other claimants").format(n=f"{len(rest):,}"),
                f"{sum(v['lines'] for v in rest):,}",
                *(_m(_sum(rest, m)) for m in MONEY),
                _yes(all(v["reconciles"] for v in rest), _),
            )
        )
    o = rec["overall"]
    rows.append(
        (
            _("total"),
            f"{sum(v['lines'] for _k, v in items):,}",
            *(_m(o[m]) for m in MONEY),
            _yes(o["reconciles"], _),
        )
    )
    return rows


def flagged_rows(s: dict, _) -> list[tuple]:
    """The flagged lines the summary lists, largest disallowed first."""
    return [
        (
            f"{r['source_row']:,}",
            r["claimant"],
            r["record_id"],
            _status(r["status"], _),
            r["primary_reason"] or "—",
            *(_m(r[m]) for m in MONEY),
        )
        for r in s.get("flagged", {}).get("lines", [])
    ]


def _flagged_note(s: dict, _) -> str:
    f = s.get("flagged", {})
    shown, more = len(f.get("lines", [])), f.get("more", 0)
    where = s.get("files", {}).get("findings") or _("the findings file")
    if more:
        return _(
            "The {shown} lines with a finding that lose the most, largest disallowed first; "
            "{more} more are in {file}."
        ).format(shown=f"{shown:,}", more=f"{more:,}", file=where)
    return _("Every line with a finding, largest disallowed first (also in {file}).").format(
        file=where
    )


def blocks(s: dict, legend: list[tuple[str, str, str]], lang: str | None = None) -> list[Block]:
    """The report's content, in ``lang`` (codes and statuses in the data stay as they are)."""
    _ = i18n.translator(lang)
    h = _headers(_)
    rows, t, rec = s["rows"], s["totals_cny"], s["reconciliation"]
    files = s.get("files", {})
    out: list[Block] = [("h1", _("motorsub audit report"))]
    if s.get("inputs"):
        out.append(("p", _("Inputs: {inputs}.").format(inputs=_inputs(s, _))))
    if _not_read(s, _):
        out.append(("p", _not_read(s, _)))
    rejects = files.get("rejects") or _("the rejects file")
    out.append(
        (
            "p",
            _(
                "Rows read {read} = audited {audited} + rejected {rejected} (rows that cannot "
                "be reconciled: see {rejects}). Lines with a finding: {findings}."
            ).format(
                read=f"{rows['read']:,}",
                audited=f"{rows['audited']:,}",
                rejected=f"{rows['rejected']:,}",
                rejects=rejects,
                findings=f"{s['findings']:,}",
            ),
        )
    )
    if s.get("batches"):
        out.append(("h2", _("Batches")))
        out.append(
            (
                "table",
                (_("batch"), h["lines"], _("accepted"), _("ledger")),
                [
                    (
                        b["batch_id"],
                        f"{b['lines']:,}",
                        f"{b['accepted']:,}",
                        _(b["ledger"])
                        + (
                            ""
                            if b.get("matches_ledger", True)
                            else _(" (re-audit differs from the ledger)")
                        ),
                    )
                    for b in s["batches"]
                ],
                {1, 2},
            )
        )
    out.append(("h2", _("Totals [CNY]")))
    keys = (
        "claimed",
        "entitled",
        "approved",
        "disallowed",
        "unverified",
        "over_claimed",
        "under_claimed",
    )
    out.append(
        ("table", tuple(h[k] for k in keys), [tuple(_m(t[k]) for k in keys)], set(range(len(keys))))
    )
    out.append(
        (
            "p",
            _(
                "claimed = approved + disallowed + unverified, per claimant, per component, per "
                "status and overall, to the fen: {ok}. Unverified: claimed on a rate no source "
                "gives (RATE_UNKNOWN), neither approved nor disallowed until the rate is known."
            ).format(ok=_yes(rec["reconciles"], _)),
        )
    )
    out.append(("h2", _("By status")))
    status_rows = [
        (_status(k, _), f"{v['lines']:,}", *(_m(v[m]) for m in MONEY))
        for k, v in s["by_status"].items()
    ]
    status_rows.append(
        (
            _("total"),
            f"{sum(v['lines'] for v in s['by_status'].values()):,}",
            *(_m(rec["overall"][m]) for m in MONEY),
        )
    )
    out.append(("p", _("The statuses add up to the total.")))
    out.append(
        ("table", (_("status"), h["lines"], *(h[m] for m in MONEY)), status_rows, {1, 2, 3, 4, 5})
    )
    out.append(("h2", _("By component")))
    comp_rows = [
        (k, *(_m(v[m]) for m in MONEY), _yes(v["reconciles"], _))
        for k, v in rec["by_component"].items()
    ]
    comp_rows.append(
        (_("total"), *(_m(rec["overall"][m]) for m in MONEY), _yes(rec["reconciles"], _))
    )
    out.append(("p", _("The components add up to the total.")))
    out.append(
        (
            "table",
            (_("component"), *(h[m] for m in MONEY), h["reconciles"]),
            comp_rows,
            {1, 2, 3, 4},
        )
    )
    out.append(("h2", _("Reasons")))
    reason_rows = [(k, f"{v['lines']:,}", _m(v["disallowed"])) for k, v in _reason_rows(s)]
    reason_rows.append(
        (
            _("total"),
            f"{sum(v['lines'] for _k, v in _reason_rows(s)):,}",
            _m(_sum([v for _k, v in _reason_rows(s)], "disallowed")),
        )
    )
    out.append(
        (
            "p",
            _(
                "Disallowed amount by each line's primary reason (the first of its "
                "money-taking codes in precedence order), every reason listed: these add up "
                "to the total disallowed, {total} CNY."
            ).format(total=_m(t["disallowed"])),
        )
    )
    out.append(("table", (_("primary reason"), h["lines"], h["disallowed"]), reason_rows, {1, 2}))
    out.append(
        (
            "p",
            _(
                "Every code that applies, with the lines that carry it (a line can carry "
                "several, so these do not add up)."
            ),
        )
    )
    out.append(
        (
            "table",
            (_("code"), h["lines"], h["claimed"], h["disallowed"], h["unverified"]),
            [
                (
                    k,
                    f"{v['lines']:,}",
                    _m(v["claimed"]),
                    _m(v["disallowed"]),
                    _m(v.get("unverified", 0.0)),
                )
                for k, v in s["by_reason"].items()
            ],
            {1, 2, 3, 4},
        )
    )
    out.append(("h2", _("Claimants by disallowed amount")))
    out.append(
        (
            "p",
            _(
                "The first {top} claimants by disallowed amount, the others in one row: the "
                "rows add up to the total."
            ).format(top=TOP),
        )
    )
    out.append(
        (
            "table",
            (_("claimant"), h["lines"], *(h[m] for m in MONEY), h["reconciles"]),
            _claimant_rows(s, _),
            {1, 2, 3, 4, 5},
        )
    )
    if s.get("flagged", {}).get("lines"):
        out.append(("h2", _("Flagged lines")))
        out.append(("p", _flagged_note(s, _)))
        out.append(
            (
                "table",
                (
                    _("row"),
                    _("claimant"),
                    _("record"),
                    _("status"),
                    _("primary reason"),
                    *(h[m] for m in MONEY),
                ),
                flagged_rows(s, _),
                {0, 5, 6, 7, 8},
            )
        )
    sm = s["sample"]
    why = {
        "rejected": _("rejected"),
        "high_value": _("high value"),
        "random": _("random"),
        "unverified": _("unverified (random)"),
    }
    out.append(("h2", _("Inspection sample")))
    out.append(
        (
            "p",
            _(
                "{lines} lines claiming {claimed} CNY, {share} of the claimed value (asked: at "
                "least {target}, stratified by claimant, motor type and whether the line is "
                "unverified, seed {seed}); {why}. High value: a line claiming over {high} CNY. "
                "Every rejected line is in the sample: {all}."
            ).format(
                lines=f"{sm['lines']:,}",
                claimed=_m(sm["claimed"]),
                share=f"{sm['share_of_claimed']:.1%}",
                target=f"{sm['target_share']:.1%}",
                seed=sm["seed"],
                why=", ".join(f"{why.get(k, k)} {v:,}" for k, v in sm["by_why"].items()),
                high=_m(sm["high_value_over_cny"]),
                all=_yes(sm["rejected_lines_all_sampled"], _),
            ),
        )
    )
    out.append(("h2", _("Reason codes")))
    out.append(
        (
            "table",
            (_("code"), _("meaning"), _("effect")),
            [(c, _(m), _(e)) for c, m, e in legend],
            set(),
        )
    )
    return out


def _md(x) -> str:
    """Text for Markdown: HTML in it (a claimant named ``<img onerror=...>``) shown, not run."""
    return html.escape(str(x), quote=False)


def markdown(bs: list[Block]) -> str:
    """Render blocks as Markdown; HTML in any text is escaped."""
    lines: list[str] = []
    for b in bs:
        if b[0] == "h1":
            lines += [f"# {_md(b[1])}", ""]
        elif b[0] == "h2":
            lines += [f"## {_md(b[1])}", ""]
        elif b[0] == "p":
            lines += [_md(b[1]), ""]
        else:
            _, head, rows, right = b
            cell = [_md(x).replace("|", "\\|") for x in head]
            lines.append("| " + " | ".join(cell) + " |")
            lines.append(
                "|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|"
            )
            for r in rows:
                lines.append("| " + " | ".join(_md(x).replace("|", "\\|") for x in r) + " |")
            lines.append("")
    return "\n".join(lines)


def to_html(bs: list[Block], lang: str = "en") -> str:
    """Render blocks as a standalone HTML page (its title is the first heading)."""
    e = html.escape
    body: list[str] = []
    for b in bs:
        if b[0] in ("h1", "h2"):
            body.append(f"<{b[0]}>{e(b[1])}</{b[0]}>")
        elif b[0] == "p":
            body.append(f"<p>{e(b[1])}</p>")
        else:
            _, head, rows, right = b
            align = ["right" if i in right else "left" for i in range(len(head))]
            th = "".join(
                f'<th style="text-align:{a}">{e(str(h))}</th>' for h, a in zip(head, align)
            )
            trs = "".join(
                "<tr>"
                + "".join(f'<td style="text-align:{a}">{e(str(x))}</td>' for x, a in zip(r, align))
                + "</tr>"
                for r in rows
            )
            body.append(f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>")
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:.2em .6em}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{e(bs[0][1])}</title><style>{style}</style></head>"
        f"<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


MARKDOWN = (".md", ".markdown")
HTML = (".html", ".htm")


def check_path(path: str | Path) -> str:
    """``'md'`` or ``'html'`` from the report's extension; an error for any other."""
    suffix = Path(path).suffix.lower()
    if suffix in MARKDOWN:
        return "md"
    if suffix in HTML:
        return "html"
    _ = i18n.translator()
    raise InputError(
        _("{path}: unknown report format {suffix!r}; accepted: {accepted}").format(
            path=path, suffix=suffix or _("(no extension)"), accepted=", ".join(MARKDOWN + HTML)
        )
    )


def render(
    s: dict, path: str | Path, legend: list[tuple[str, str, str]], lang: str | None = None
) -> str:
    """The report for ``path``'s extension: Markdown or HTML; ``legend`` lists (code,
    meaning, effect) of every audit code."""
    bs = blocks(s, legend, lang)
    return markdown(bs) if check_path(path) == "md" else to_html(bs, i18n.negotiate(lang))


def summary_text(s: dict, lang: str | None = None) -> str:
    """The summary on the terminal: rows, reconciliation, statuses, every primary reason,
    the top claimants and flagged lines."""
    _ = i18n.translator(lang)
    rows, t, rec = s["rows"], s["totals_cny"], s["reconciliation"]
    bad = "  " + _("(DOES NOT RECONCILE)")
    out = [
        _("rows read {read} = audited {audited} + rejected {rejected}").format(
            read=f"{rows['read']:,}",
            audited=f"{rows['audited']:,}",
            rejected=f"{rows['rejected']:,}",
        )
        + ("" if rows["reconciles"] else bad),
        _(
            "claimed {claimed} = approved {approved} + disallowed {disallowed} + "
            "unverified {unverified} CNY"
        ).format(**{m: _m(t[m]) for m in MONEY})
        + (
            "  " + _("(reconciles to the fen per claimant, component, status and overall)")
            if rec["reconciles"]
            else bad
        ),
        _("entitled {entitled}; over-claimed {over}; under-claimed {under} CNY").format(
            entitled=_m(t["entitled"]), over=_m(t["over_claimed"]), under=_m(t["under_claimed"])
        ),
        _("status: {statuses}; lines with a finding {findings}").format(
            statuses=", ".join(
                f"{_status(k, _)} {v['lines']:,}" for k, v in s["by_status"].items()
            ),
            findings=f"{s['findings']:,}",
        ),
    ]
    if t.get("unverified"):
        out.append(
            _(
                "unverified {amount} CNY: claimed on a rate no source gives (RATE_UNKNOWN); "
                "give the rate with --schemes to audit it"
            ).format(amount=_m(t["unverified"]))
        )
    for b in s.get("batches", []):
        out.append(
            _("batch {batch}: {lines} lines, {accepted} accepted; ledger {ledger}").format(
                batch=b["batch_id"],
                lines=f"{b['lines']:,}",
                accepted=f"{b['accepted']:,}",
                ledger=_(b["ledger"]),
            )
            + ("" if b.get("matches_ledger", True) else _(" (re-audit differs from the ledger)"))
        )
    if s["by_primary_reason"]:
        out.append(
            _("disallowed by primary reason (adds up to {total}): {reasons}").format(
                total=_m(t["disallowed"]),
                reasons=", ".join(
                    f"{k} {_m(v['disallowed'])} ({v['lines']:,})" for k, v in _reason_rows(s)
                ),
            )
        )
    top = [(k, v) for k, v in rec["by_claimant"].items() if v["disallowed"]][:TOP_TEXT]
    if top:
        out.append(
            _("top claimants by disallowed: {claimants}").format(
                claimants=", ".join(f"{k} {_m(v['disallowed'])}" for k, v in top)
            )
        )
    skipped = [k for k, v in s.get("inputs", {}).items() if str(v).startswith("not given")]
    if skipped:
        out.append(_("NOT CHECKED (no file given): {what}").format(what=", ".join(skipped)))
    if _not_read(s, _):
        out.append(_not_read(s, _))
    sm = s["sample"]
    files = s.get("files", {})
    text = _("inspection sample: {lines} lines, {share} of the claimed value (target {target})")
    out.append(
        text.format(
            lines=f"{sm['lines']:,}",
            share=f"{sm['share_of_claimed']:.1%}",
            target=f"{sm['target_share']:.1%}",
        )
        + ("" if files.get("sample") else _("; --sample FILE writes it"))
    )
    if files:
        kinds = _file_kinds(lang)
        out.append(
            _("written: {files}").format(
                files=", ".join(f"{kinds.get(k, k)} {v}" for k, v in files.items() if v)
            )
        )
    return "\n".join(out)
