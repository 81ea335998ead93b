"""Every table of the report that says it adds up does, on random batches.

The batches are those of the reconciliation property (a generated clean set disturbed at
random, ``test_audit_properties._disturb``). The report is rendered as Markdown and read
back as a person would read it: each table with a ``total`` row must have, in every money
and count column, rows that sum to the total row, and the total row must be the summary's
own total. The primary reasons are all there (none dropped), and the flagged lines are
sorted largest disallowed first and counted with the rest.
"""

from __future__ import annotations

import numpy as np
from audit_data import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_audit_properties import _disturb

from motorsub.audit import audit, code_legend
from motorsub.render.audit import blocks, markdown, summary_text


def _fen(cell: str) -> int:
    """'12,345.67' -> 1234567 (a count '1,234' -> 1234 as well)."""
    text = cell.replace(",", "")
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2]) if frac else int(whole)


def _tables(md: str) -> dict[str, list[list[str]]]:
    """Each '## heading' -> the rows (cells) of the first table under it (header first)."""
    out: dict[str, list[list[str]]] = {}
    heading = None
    for line in md.splitlines():
        if line.startswith("## "):
            heading = line[3:]
        elif line.startswith("|") and heading and not line.startswith("|--"):
            if set(line) <= set("|-: "):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            out.setdefault(heading, []).append(cells)
        elif not line.startswith("|") and heading in out and line.strip():
            heading = None  # only the first table under a heading
    return out


def _check_sums(rows: list[list[str]], columns: list[int]) -> list[str]:
    header, body = rows[0], rows[1:]
    assert body[-1][0] == "total", f"no total row: {header}"
    for k in columns:
        parts = sum(_fen(r[k]) for r in body[:-1])
        assert parts == _fen(body[-1][k]), f"{header[k]} does not add up: {parts} vs {body[-1]}"
    return body[-1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(5, 150),
    seed=st.integers(0, 2**16),
    rates=st.fixed_dictionaries(
        {
            "move": st.sampled_from([0.0, 0.3]),
            "blank": st.sampled_from([0.0, 0.05, 0.3]),
            "bad": st.sampled_from([0.0, 0.05]),
            "dup": st.sampled_from([0.0, 0.05, 0.3]),
            "drop": st.sampled_from([0.0, 0.05, 0.3]),
            "quota": st.sampled_from([0.0, 0.3, 2.0]),
        }
    ),
    claimants=st.integers(1, 6),
)
def test_every_table_that_says_it_adds_up_does(n, seed, rates, claimants):
    data = _disturb(generate(n, seed, makers=claimants, recyclers=2), seed, rates)
    res = audit(data["claims"], data["catalogue"], data["buybacks"], data["quotas"], seed=seed)
    s = res.summary
    md = markdown(blocks(s, code_legend(), "en"))
    tables = _tables(md)
    o = s["reconciliation"]["overall"]
    money = [_fen(f"{o[k]:.2f}") for k in ("claimed", "approved", "disallowed", "unverified")]

    total = _check_sums(tables["By status"], [1, 2, 3, 4, 5])
    assert [_fen(c) for c in total[2:6]] == money
    assert _fen(total[1]) == s["rows"]["audited"]

    total = _check_sums(tables["By component"], [1, 2, 3, 4])
    assert [_fen(c) for c in total[1:5]] == money

    total = _check_sums(tables["Claimants by disallowed amount"], [1, 2, 3, 4, 5])
    assert [_fen(c) for c in total[2:6]] == money
    assert _fen(total[1]) == s["rows"]["audited"]

    reasons = tables["Reasons"]
    total = _check_sums(reasons, [1, 2])
    assert _fen(total[2]) == money[2]
    assert {r[0] for r in reasons[1:-1]} == set(s["by_primary_reason"])
    # claimed = approved + disallowed + unverified, overall
    assert money[0] == money[1] + money[2] + money[3]

    flagged = s["flagged"]
    shown = flagged["lines"]
    assert len(shown) + flagged["more"] == s["findings"]
    d = [_fen(f"{r['disallowed']:.2f}") for r in shown]
    assert d == sorted(d, reverse=True)
    if shown:
        assert len(tables["Flagged lines"]) == len(shown) + 1
    assert (
        f"adds up to {o['disallowed']:,.2f}" in summary_text(s, "en") or not s["by_primary_reason"]
    )
    text_reasons = summary_text(s, "en")
    for code in s["by_primary_reason"]:
        assert code in text_reasons
    assert np.isfinite(o["claimed"])
