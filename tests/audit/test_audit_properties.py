"""Property: claimed = approved + disallowed + unverified holds to the fen over random batches.

Random batches start from a generated clean set and are disturbed at random: claimed
amounts moved by up to ±50 CNY, lines claimed twice, checklist items blanked, quotas cut,
models dropped from the catalogue, buy-back records dropped, bad values. Whatever the mix,
per line and per component, per claimant and overall, the identity holds exactly, and no
line is paid more than it claimed or more than its entitlement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from audit_data import as_text, generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motorsub.audit import audit

AMOUNTS = ("claimed_national", "claimed_sh_buyback", "claimed_sh_reman")
COMPONENTS = ("national", "sh_buyback", "sh_reman")


def _disturb(data: dict, seed: int, rates: dict) -> dict:
    rng = np.random.default_rng(seed)
    c = as_text(data["claims"])
    n = len(c)

    def some(rate):
        return rng.random(n) < rate

    for col in AMOUNTS:
        given_ = c[col] != ""
        move = some(rates["move"]) & given_
        old = pd.to_numeric(c.loc[move, col])
        c.loc[move, col] = (
            np.maximum(old + rng.integers(-5000, 5001, move.sum()) / 100, 0).round(2).astype(str)
        )
    for col in ("invoice_no", "serial", "old_equipment_id", "model"):
        c.loc[some(rates["blank"]), col] = ""
    c.loc[some(rates["bad"]), "kw"] = "n/a"
    dup = c[some(rates["dup"])].copy()
    dup["record_id"] = dup["record_id"] + "-again"
    c = pd.concat([c, dup], ignore_index=True)
    cat = data["catalogue"]
    cat = cat[rng.random(len(cat)) >= rates["drop"]]
    bb = data["buybacks"]
    bb = bb[rng.random(len(bb)) >= rates["drop"]]
    q = data["quotas"].copy()
    q["quota_kw"] = q["quota_kw"] * rates["quota"]
    q = q[q["manufacturer"].isin(set(cat["manufacturer"]))]
    return {"claims": c, "catalogue": cat, "buybacks": bb, "quotas": q}


rate = st.sampled_from([0.0, 0.05, 0.3])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(5, 120),
    seed=st.integers(0, 2**16),
    rates=st.fixed_dictionaries(
        {
            "move": rate,
            "blank": rate,
            "bad": rate,
            "dup": rate,
            "drop": rate,
            "quota": st.sampled_from([0.0, 0.3, 0.6, 2.0]),
        }
    ),
    total_only=st.booleans(),
)
def test_reconciliation_identity(n, seed, rates, total_only):
    data = _disturb(generate(n, seed, makers=3, recyclers=2), seed, rates)
    if total_only:
        c = data["claims"]
        amounts = c[list(AMOUNTS)].replace("", np.nan).apply(pd.to_numeric)
        c["claimed_total"] = amounts.sum(axis=1, min_count=1).round(2)
        data["claims"] = c.drop(columns=list(AMOUNTS))
    res = audit(data["claims"], data["catalogue"], data["buybacks"], data["quotas"], seed=seed)
    s = res.summary
    assert s["rows"]["read"] == s["rows"]["audited"] + s["rows"]["rejected"]
    assert s["reconciliation"]["reconciles"]
    df = res.lines.to_pandas()

    def fen(col):
        return np.round(df[col].fillna(0).to_numpy() * 100).astype(np.int64)

    parts = ("total",) if total_only else COMPONENTS
    for p in parts:
        claimed, approved, disallowed, unverified = (
            fen(f"claimed_{p}"),
            fen(f"approved_{p}"),
            fen(f"disallowed_{p}"),
            fen(f"unverified_{p}"),
        )
        entitled = fen(f"entitled_{p}")
        assert np.array_equal(claimed, approved + disallowed + unverified)
        assert (unverified >= 0).all() and (disallowed >= 0).all()
        assert (approved >= 0).all() and (approved <= claimed).all()
        if p != "total":
            assert (approved <= entitled).all()
    rejected = df["status"] == "rejected"
    assert (fen("approved_total")[rejected.to_numpy()] == 0).all()
    assert (fen("disallowed_total")[(df["status"] == "approved").to_numpy()] == 0).all()
    # per claimant sums add up to the overall sums, in fen
    overall = s["reconciliation"]["overall"]
    for key in ("claimed", "approved", "disallowed", "unverified"):
        by = sum(round(v[key] * 100) for v in s["reconciliation"]["by_claimant"].values())
        assert by == round(overall[key] * 100) == fen(f"{key}_total").sum()
    assert s["sample"]["rejected_lines_all_sampled"]
    assert s["sample"]["share_of_claimed"] >= s["sample"]["target_share"] or overall["claimed"] == 0
