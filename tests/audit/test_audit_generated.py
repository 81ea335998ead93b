"""Generated claims: a clean set gives no finding; planted faults of every kind are found.

The clean set's claimed amounts are worked out by the generator from the rates of the rule
text (``audit_data``), so a clean result also checks the engine against them line by line.
"""

from __future__ import annotations

import numpy as np
import pytest
from audit_data import generate, plant

from motorsub.audit import audit
from motorsub.audit.codes import Code
from motorsub.engine import records

AUDIT_NAMES = {c.name for c in Code} | set(records.PROBLEMS)


@pytest.fixture(scope="module")
def clean():
    return generate(800, 5)


@pytest.fixture(scope="module")
def planted(clean):
    return plant(clean)


def _audit(data, **kw):
    return audit(data["claims"], data["catalogue"], data["buybacks"], data["quotas"], **kw)


def test_clean_set_gives_zero_findings(clean):
    res = _audit(clean)
    s = res.summary
    assert s["findings"] == 0
    assert res.findings.num_rows == 0
    assert res.rejects.num_rows == 0
    assert s["by_status"]["approved"]["lines"] == len(clean["claims"])
    df = res.lines.to_pandas()
    # the engine agrees with the hand-worked rates on every line, to the fen
    assert np.array_equal(np.round(df["entitled_total"] * 100), np.round(df["claimed_total"] * 100))
    assert s["totals_cny"]["disallowed"] == 0.0
    assert s["reconciliation"]["reconciles"]
    assert not {c for c in s["by_reason"] if c in AUDIT_NAMES}


def test_clean_set_as_claimed_total_only():
    # one claimant per sale (no D/E pairs): the line's total is all it is owed
    clean = generate(300, 6, weights=(0.5, 0.1, 0.4, 0.0, 0.0))
    c = clean["claims"].copy()
    c["claimed_total"] = c[["claimed_national", "claimed_sh_buyback", "claimed_sh_reman"]].sum(
        axis=1, min_count=1
    )
    c = c.drop(columns=["claimed_national", "claimed_sh_buyback", "claimed_sh_reman"])
    res = audit(c, clean["catalogue"], clean["buybacks"], clean["quotas"])
    assert res.summary["findings"] == 0
    assert res.summary["components"] == ["total"]


def test_every_planted_fault_is_found(planted):
    data, expected = planted
    res = _audit(data)
    df = res.lines.to_pandas().set_index("record_id")
    for rid, exp in expected.items():
        if rid == "rejects":
            continue
        row = df.loc[rid]
        got = set(filter(None, row["reasons"].split(";")))
        assert got & AUDIT_NAMES == exp["codes"] & AUDIT_NAMES, rid
        assert exp["codes"] <= got, rid
        assert row["status"] == exp["status"], rid
        assert row["approved_total"] == pytest.approx(exp["approved"], abs=0.001), rid
    others = df[~df.index.isin(list(expected))]
    assert not others["finding"].any(), others[others["finding"]][["status", "reasons"]]
    kinds = {
        c for e in expected.values() if isinstance(e, dict) and "codes" in e for c in e["codes"]
    }
    assert {c.name for c in Code} - {"INVALID_RECORD"} <= kinds  # every kind planted


def test_planted_rows_that_cannot_be_audited(planted):
    data, expected = planted
    res = _audit(data)
    rej = res.rejects.to_pandas().set_index("record_id")
    assert dict(rej["reasons"]) == expected["rejects"]
    rows = res.summary["rows"]
    assert rows["read"] == rows["audited"] + rows["rejected"] == len(data["claims"])
    assert res.summary["rejects"] == {"BAD_CLAIMED_NATIONAL": 1, "MISSING_CLAIMANT": 1}


def test_planted_summary_reconciles_and_attributes(planted):
    data, _ = planted
    s = _audit(data).summary
    assert s["reconciliation"]["reconciles"]
    t = s["totals_cny"]
    assert round(t["claimed"] - t["approved"] - t["disallowed"] - t["unverified"], 2) == 0
    assert t["unverified"] > 0  # the planted RATE_UNKNOWN lines
    primary = sum(v["disallowed"] for v in s["by_primary_reason"].values())
    assert round(primary, 2) == round(t["disallowed"], 2)
    # every rejected line is in the inspection sample
    assert s["sample"]["rejected_lines_all_sampled"]
