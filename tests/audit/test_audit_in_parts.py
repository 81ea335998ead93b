"""Work the audit does a part of the lines at a time gives what one pass gives.

To keep its memory down, the audit takes the catalogue's joined keys, the buy-back records'
keys, the over/under-claims, the reason combinations and the digests a part of the lines at
a time (``PART_LINES``, ``DIGEST_ROWS``). With parts of two or three lines, a batch with
findings of every kind must give the same lines, findings, summary and ledger as with one
part.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from audit_helpers import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub.audit import audit, ledger, rules, summary
from motorsub.audit.summary import reason_combos

REF = {
    "catalogue": EXAMPLES / "catalogue.csv",
    "buybacks": EXAMPLES / "buybacks.csv",
    "quotas": EXAMPLES / "quotas.csv",
}


def _run(tmp, name: str) -> tuple:
    book = tmp / f"{name}.sqlite"
    out = []
    for batch in ("batch1", "batch2"):  # the second re-claims lines the first was paid
        r = audit(EXAMPLES / f"{batch}.csv", ledger=book, **REF)
        out.append((r.lines, r.findings, r.sample, r.summary))
    con = sqlite3.connect(book)
    rows = con.execute("SELECT * FROM lines ORDER BY seq, record_id").fetchall()
    digests = con.execute("SELECT * FROM batches ORDER BY seq").fetchall()
    con.close()
    return out, rows, digests


def test_parts_of_a_few_lines_give_what_one_pass_gives(tmp_path, monkeypatch):
    whole, whole_rows, whole_digests = _run(tmp_path, "whole")
    monkeypatch.setattr(rules, "PART_LINES", 2)
    monkeypatch.setattr(summary, "PART_LINES", 3)
    monkeypatch.setattr(ledger, "DIGEST_ROWS", 2)
    parts, part_rows, part_digests = _run(tmp_path, "parts")
    assert any(s["findings"] for *_, s in whole)  # the batches have findings to get right
    for (lw, fw, sw, mw), (lp, fp, sp, mp) in zip(whole, parts):
        assert lw.equals(lp) and fw.equals(fp) and sw.equals(sp)
        mw, mp = dict(mw), dict(mp)
        mw["inputs"].pop("ledger"), mp["inputs"].pop("ledger")  # the ledgers' own names
        assert mw == mp
    assert whole_rows == part_rows
    # the recorded digests (columns 2 and 3: claims and results) are the same bytes
    assert [d[2:4] for d in whole_digests] == [d[2:4] for d in part_digests]


def _reference(flags, reject, eligibility):
    """Distinct (audit, records, eligibility) triples as they first come, by a dict."""
    seen: dict[tuple[int, int, int], int] = {}
    inverse = [seen.setdefault(t, len(seen)) for t in zip(flags, reject, eligibility)]
    return list(seen), inverse


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0, 1, 6, 2**31]), st.sampled_from([0, 5, 2**63]),
                  st.sampled_from([0, 3, 2**31 + 1])),
        max_size=30,
    ),
    st.integers(1, 4),
)  # fmt: skip
def test_reason_combinations_in_parts_equal_a_dictionary(rows, part):
    flags = np.array([r[0] for r in rows], np.uint32)
    reject = np.array([r[1] for r in rows], np.uint64)
    elig = np.array([r[2] for r in rows], np.uint32)
    lines = summary.Lines(
        table=None, source_row=np.arange(len(rows)), keys={}, components=(), flags=flags,
        eligibility=elig, reject=reject, status=None, entitled=None, claimed=None, given=None,
        approved=None, unverified=None, versions={},
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(summary, "PART_LINES", part)
        uniq, inverse = reason_combos(lines)
    want_uniq, want_inverse = _reference(flags.tolist(), reject.tolist(), elig.tolist())
    assert [tuple(u) for u in uniq.tolist()] == want_uniq
    assert inverse.tolist() == want_inverse


def test_under_and_over_claims_by_hand(monkeypatch):
    # two components, three lines; parts of one line. Worked by hand:
    # line 0: claimed 100/50, entitled 80/60, both given, nothing unverified:
    #         over 20 (comp 0), under 10 (comp 1)
    # line 1: claimed 30/0 given/not given, entitled 10/40: over 20; comp 1 not given
    # line 2: claimed 5/5, entitled 9/1, comp 0 unverified: under 0 from it; comp 1 over 4
    monkeypatch.setattr(summary, "PART_LINES", 1)
    lines = summary.Lines(
        table=None, source_row=np.arange(3), keys={}, components=("a", "b"), flags=None,
        eligibility=None, reject=None, status=None,
        entitled=np.array([[80, 10, 9], [60, 40, 1]]),
        claimed=np.array([[100, 30, 5], [50, 0, 5]]),
        given=np.array([[True, True, True], [True, False, True]]),
        approved=None,
        unverified=np.array([[0, 0, 3], [0, 0, 0]]), versions={},
    )  # fmt: skip
    assert summary._under_over(lines) == (10, 20 + 20 + 4)


def test_the_audit_puts_arrows_pool_back(tmp_path):
    import pyarrow as pa

    from motorsub.audit.memory import arrow_from_malloc

    before = pa.default_memory_pool().backend_name
    audit(EXAMPLES / "batch1.csv", ledger=tmp_path / "l.sqlite", **REF)
    assert pa.default_memory_pool().backend_name == before
    with arrow_from_malloc():
        with arrow_from_malloc():  # nested, as audit_files runs audit
            assert pa.default_memory_pool().backend_name == "system"
        assert pa.default_memory_pool().backend_name == "system"  # the outer one still runs
    assert pa.default_memory_pool().backend_name == before
    with pytest.raises(ValueError), arrow_from_malloc():
        raise ValueError("an audit that fails")
    assert pa.default_memory_pool().backend_name == before
