"""Text for people: the audit summary on the terminal, and a Markdown or HTML report.

The report is built once as a list of blocks (headings, paragraphs, tables) and rendered
as Markdown (``.md``) or HTML (``.html``/``.htm``) by the file's extension.
"""

from __future__ import annotations

import html
from pathlib import Path

from motorsub.errors import InputError

TOP = 10  # claimants and reasons shown in the report

Block = tuple  # ("h1"|"h2"|"p", text) or ("table", header, rows, right-aligned columns)


def _m(x: float) -> str:
    return f"{x:,.2f}"


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def blocks(s: dict, legend: list[tuple[str, str, str]]) -> list[Block]:
    """The report's content."""
    rows, t, rec = s["rows"], s["totals_cny"], s["reconciliation"]
    files = s.get("files", {})
    out: list[Block] = [("h1", "motorsub audit report")]
    inputs = [f"{k}: {v}" for k, v in s.get("inputs", {}).items()]
    if inputs:
        out.append(("p", "Inputs — " + "; ".join(inputs) + "."))
    out.append(
        (
            "p",
            f"Rows read {rows['read']:,} = audited {rows['audited']:,} + rejected "
            f"{rows['rejected']:,} (rows that cannot be reconciled; see the rejects file"
            + (f" {files['rejects']}" if files.get("rejects") else "")
            + "). "
            f"Lines with a finding: {s['findings']:,}.",
        )
    )
    if s.get("batches"):
        out.append(("h2", "Batches"))
        out.append(
            (
                "table",
                ("batch", "lines", "accepted", "ledger"),
                [
                    (
                        b["batch_id"],
                        f"{b['lines']:,}",
                        f"{b['accepted']:,}",
                        b["ledger"]
                        + (
                            ""
                            if b.get("matches_ledger", True)
                            else " (re-audit differs from the ledger)"
                        ),
                    )
                    for b in s["batches"]
                ],
                {1, 2},
            )
        )
    out.append(("h2", "Totals [CNY]"))
    out.append(
        (
            "table",
            ("claimed", "entitled", "approved", "disallowed", "over-claimed", "under-claimed"),
            [
                tuple(
                    _m(t[k])
                    for k in (
                        "claimed",
                        "entitled",
                        "approved",
                        "disallowed",
                        "over_claimed",
                        "under_claimed",
                    )
                )
            ],
            set(range(6)),
        )
    )
    out.append(
        (
            "p",
            f"claimed = approved + disallowed, per claimant, per component and "
            f"overall, to the fen: {_yes(rec['reconciles'])}.",
        )
    )
    out.append(("h2", "By status"))
    out.append(
        (
            "table",
            ("status", "lines", "claimed", "approved", "disallowed"),
            [
                (k, f"{v['lines']:,}", _m(v["claimed"]), _m(v["approved"]), _m(v["disallowed"]))
                for k, v in s["by_status"].items()
            ],
            {1, 2, 3, 4},
        )
    )
    out.append(("h2", "By component"))
    out.append(
        (
            "table",
            ("component", "claimed", "approved", "disallowed", "reconciles"),
            [
                (k, _m(v["claimed"]), _m(v["approved"]), _m(v["disallowed"]), _yes(v["reconciles"]))
                for k, v in rec["by_component"].items()
            ],
            {1, 2, 3},
        )
    )
    out.append(("h2", "Top reasons"))
    out.append(
        (
            "p",
            "Disallowed amount by each line's primary reason (the first of its "
            "money-taking codes in precedence order); these add up to the total "
            "disallowed.",
        )
    )
    out.append(
        (
            "table",
            ("primary reason", "lines", "disallowed"),
            [
                (k, f"{v['lines']:,}", _m(v["disallowed"]))
                for k, v in list(s["by_primary_reason"].items())[:TOP]
            ],
            {1, 2},
        )
    )
    out.append(
        ("p", "Every code that applies, with the lines that carry it (a line can carry several).")
    )
    out.append(
        (
            "table",
            ("code", "lines", "claimed", "disallowed"),
            [
                (k, f"{v['lines']:,}", _m(v["claimed"]), _m(v["disallowed"]))
                for k, v in s["by_reason"].items()
            ],
            {1, 2, 3},
        )
    )
    out.append(("h2", f"Top claimants by disallowed amount (first {TOP})"))
    out.append(
        (
            "table",
            ("claimant", "lines", "claimed", "approved", "disallowed", "reconciles"),
            [
                (
                    k,
                    f"{v['lines']:,}",
                    _m(v["claimed"]),
                    _m(v["approved"]),
                    _m(v["disallowed"]),
                    _yes(v["reconciles"]),
                )
                for k, v in list(rec["by_claimant"].items())[:TOP]
            ],
            {1, 2, 3, 4},
        )
    )
    sm = s["sample"]
    out.append(("h2", "Inspection sample"))
    out.append(
        (
            "p",
            f"{sm['lines']:,} lines claiming {_m(sm['claimed'])} CNY, "
            f"{sm['share_of_claimed']:.1%} of the claimed value (asked: at least "
            f"{sm['target_share']:.1%}, stratified by {sm['strata']}, seed {sm['seed']}); "
            + ", ".join(f"{k} {v:,}" for k, v in sm["by_why"].items())
            + f". High value: a line claiming over {_m(sm['high_value_over_cny'])} CNY. "
            f"Every rejected line is in the sample: {_yes(sm['rejected_lines_all_sampled'])}.",
        )
    )
    out.append(("h2", "Reason codes"))
    out.append(("table", ("code", "meaning", "effect"), legend, set()))
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


def to_html(bs: list[Block]) -> str:
    """Render blocks as a standalone HTML page."""
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
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>motorsub audit report</title><style>{style}</style></head>"
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
    raise InputError(
        f"{path}: unknown report format {suffix or '(no extension)'!r}; "
        f"accepted: {', '.join(MARKDOWN + HTML)}"
    )


def render(s: dict, path: str | Path, legend: list[tuple[str, str, str]]) -> str:
    """The report for ``path``'s extension: Markdown or HTML; ``legend`` lists (code,
    meaning, effect) of every audit code."""
    bs = blocks(s, legend)
    return markdown(bs) if check_path(path) == "md" else to_html(bs)


def summary_text(s: dict) -> str:
    """The summary on the terminal: rows, reconciliation, statuses, top reasons and claimants."""
    rows, t, rec = s["rows"], s["totals_cny"], s["reconciliation"]
    out = [
        f"rows read {rows['read']:,} = audited {rows['audited']:,} + rejected "
        f"{rows['rejected']:,}" + ("" if rows["reconciles"] else "  (DOES NOT RECONCILE)"),
        f"claimed {_m(t['claimed'])} = approved {_m(t['approved'])} + disallowed "
        f"{_m(t['disallowed'])} CNY  "
        + (
            "(reconciles to the fen per claimant, component and overall)"
            if rec["reconciles"]
            else "(DOES NOT RECONCILE)"
        ),
        f"entitled {_m(t['entitled'])}; over-claimed {_m(t['over_claimed'])}; "
        f"under-claimed {_m(t['under_claimed'])} CNY",
        "status: "
        + ", ".join(f"{k} {v['lines']:,}" for k, v in s["by_status"].items())
        + f"; lines with a finding {s['findings']:,}",
    ]
    for b in s.get("batches", []):
        out.append(
            f"batch {b['batch_id']}: {b['lines']:,} lines, {b['accepted']:,} accepted; "
            f"ledger {b['ledger']}"
            + ("" if b.get("matches_ledger", True) else " (re-audit differs from the ledger)")
        )
    if s["by_primary_reason"]:
        out.append(
            "disallowed by primary reason: "
            + ", ".join(
                f"{k} {_m(v['disallowed'])} ({v['lines']:,})"
                for k, v in list(s["by_primary_reason"].items())[:TOP]
            )
        )
    top = [(k, v) for k, v in rec["by_claimant"].items() if v["disallowed"]][:5]
    if top:
        out.append(
            "top claimants by disallowed: "
            + ", ".join(f"{k} {_m(v['disallowed'])}" for k, v in top)
        )
    skipped = [k for k, v in s.get("inputs", {}).items() if str(v).startswith("not given")]
    if skipped:
        out.append(f"NOT CHECKED (no file given): {', '.join(skipped)}")
    sm = s["sample"]
    out.append(
        f"inspection sample: {sm['lines']:,} lines, {sm['share_of_claimed']:.1%} of "
        f"the claimed value (asked {sm['target_share']:.1%})"
    )
    files = s.get("files", {})
    if files:
        out.append("written: " + ", ".join(f"{k} {v}" for k, v in files.items() if v))
    return "\n".join(out)
