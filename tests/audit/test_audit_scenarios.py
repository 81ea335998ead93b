"""Hand-worked audit scenarios: every amount below is worked out from the scheme rates.

Rates used (schemes/): national 2010-06-01 version, lv_async 0.55–22 kW: grade 1 40, grade 2
35 CNY/kW; national 2011-03-19 version, hv_async: 26 CNY/kW; Shanghai buy-back 20 CNY/kW of
the old motor, remanufacture 45 CNY/kW of the reman motor (2012-01-01 – 2015-12-31).
"""

from __future__ import annotations

import pytest
from audit_helpers import buybacks, catalogue, claims, codes, run

SH_TRADE = {
    "region": "CN-SH",
    "sale_date": "2012-05-10",
    "invoice_date": "2012-05-10",
    "trade_in": "true",
}


def test_over_claim_paid_the_entitlement():
    # 15 kW grade 2, Jiangsu, 2010-09-01: 35 × 15 = 525.00; claimed 600.00
    _, df = run(claims({"claimed_national": "600"}))
    r = df.loc["L1"]
    assert r["entitled_national"] == 525.00
    assert r["approved_national"] == 525.00
    assert r["disallowed_national"] == 75.00
    assert r["variance_total"] == 75.00
    assert r["status"] == "adjusted"
    assert codes(r) == {"OVER_CLAIM"}
    assert r["primary_reason"] == "OVER_CLAIM"


def test_exact_claim_approved_without_finding():
    res, df = run(claims({"claimed_national": "525.00"}))
    r = df.loc["L1"]
    assert (r["status"], r["approved_total"], r["finding"]) == ("approved", 525.00, False)
    assert res.summary["findings"] == 0
    assert res.findings.num_rows == 0


def test_under_claim_paid_as_claimed():
    # entitled 525.00, claimed 500.00: paid 500.00, nothing disallowed
    _, df = run(claims({"claimed_national": "500"}))
    r = df.loc["L1"]
    assert (r["status"], r["approved_national"], r["disallowed_national"]) == (
        "approved",
        500.0,
        0.0,
    )
    assert codes(r) == {"UNDER_CLAIM"}
    assert r["finding"]


def test_reman_trade_in_two_claimants_same_serial():
    # reman 15 kW grade 2 traded for an old 15 kW motor, Shanghai 2012-05-10:
    # recycler 20 × 15 = 300.00; remanufacturer 45 × 15 = 675.00; no national (reman)
    line = SH_TRADE | {
        "manufacturer": "Reman B",
        "model": "YR-15-2",
        "kind": "reman",
        "old_kw": "15",
        "old_qty": "1",
        "old_equipment_id": "EQ1",
    }
    lines = claims(
        line | {"record_id": "R1", "claimant": "Recycler C", "claimed_sh_buyback": "300"},
        line | {"record_id": "R2", "claimant": "Reman B", "claimed_sh_reman": "675.00"},
    )
    res, df = run(lines, bb=buybacks({"equipment_id": "EQ1", "old_kw": "15", "new_serial": "SN1"}))
    assert df.loc["R1", "approved_sh_buyback"] == 300.00
    assert df.loc["R2", "approved_sh_reman"] == 675.00
    assert set(df["status"]) == {"approved"}
    assert "DUPLICATE_SERIAL" not in codes(df.loc["R2"])
    assert "REMAN_NO_NATIONAL" in codes(df.loc["R1"])  # the engine's code, informational
    assert res.summary["findings"] == 0
    assert res.summary["reconciliation"]["by_claimant"]["Recycler C"]["approved"] == 300.00


def test_hv_trade_in_both_components_on_one_line():
    # 400 kW hv, Shanghai 2012-05-10, two old 200 kW motors handed in:
    # national 26 × 400 = 10,400.00; buy-back 20 × 200 × 2 = 8,000.00
    line = SH_TRADE | {
        "model": "YKK-400",
        "motor_type": "hv_async",
        "kw": "400",
        "grade": "",
        "old_kw": "200",
        "old_qty": "2",
        "old_equipment_id": "EQ9",
        "claimed_national": "10400",
        "claimed_sh_buyback": "8000",
    }
    bb = buybacks({"equipment_id": "EQ9", "old_kw": "200", "old_qty": "2"})
    _, df = run(claims(line), bb=bb)
    r = df.loc["L1"]
    assert (r["approved_national"], r["approved_sh_buyback"]) == (10400.0, 8000.0)
    assert r["approved_total"] == 18400.00
    assert r["status"] == "approved"


def test_claimed_total_only():
    # grade 1 15 kW 2010-09-01: 40 × 15 = 600.00; claimed_total 650.00
    lines = claims({"model": "YE3-15-1", "grade": "1"}).drop(
        columns=["claimed_national", "claimed_sh_buyback", "claimed_sh_reman"]
    )
    lines["claimed_total"] = "650"
    res, df = run(lines)
    r = df.loc["L1"]
    assert (r["entitled_total"], r["approved_total"], r["disallowed_total"]) == (600.0, 600.0, 50.0)
    assert res.summary["components"] == ["total"]
    assert codes(r) == {"OVER_CLAIM"}


def test_catalogue_mismatch_recomputed_on_the_listed_model():
    # claimed as 18.5 kW (35 × 18.5 = 647.50) of a model listed at 15 kW: 35 × 15 = 525.00
    _, df = run(claims({"kw": "18.5", "claimed_national": "647.50"}))
    r = df.loc["L1"]
    assert codes(r) == {"CATALOGUE_MISMATCH", "OVER_CLAIM"}
    assert (r["approved_national"], r["disallowed_national"]) == (525.0, 122.5)
    assert r["status"] == "adjusted"


def test_grade_claimed_better_than_listed():
    # claimed grade 1 (40 × 15 = 600.00) of a model listed grade 2: 35 × 15 = 525.00
    _, df = run(claims({"grade": "1", "claimed_national": "600"}))
    r = df.loc["L1"]
    assert codes(r) == {"CATALOGUE_MISMATCH", "OVER_CLAIM"}
    assert r["approved_national"] == 525.0


def test_buyback_mismatch_paid_on_the_recyclers_record():
    # new lv 15 kW grade 2 traded in, Shanghai 2012: the claim says one old 15 kW motor
    # (20 × 15 = 300.00); the recycler recorded one 11 kW motor: 20 × 11 = 220.00
    line = SH_TRADE | {
        "claimant": "Recycler C",
        "old_kw": "15",
        "old_qty": "1",
        "old_equipment_id": "EQ2",
        "claimed_sh_buyback": "300",
    }
    _, df = run(claims(line), bb=buybacks({"equipment_id": "EQ2", "old_kw": "11"}))
    r = df.loc["L1"]
    assert codes(r) >= {"BUYBACK_MISMATCH", "OVER_CLAIM"}
    assert (r["approved_sh_buyback"], r["disallowed_sh_buyback"]) == (220.0, 80.0)


def test_buyback_mismatch_with_no_money_effect_is_a_finding():
    # one 15 kW old motor claimed, two 7.5 kW recorded: 20 × 7.5 × 2 = 300.00 either way
    line = SH_TRADE | {
        "claimant": "Recycler C",
        "old_kw": "15",
        "old_qty": "1",
        "old_equipment_id": "EQ3",
        "claimed_sh_buyback": "300",
    }
    _, df = run(claims(line), bb=buybacks({"equipment_id": "EQ3", "old_kw": "7.5", "old_qty": "2"}))
    r = df.loc["L1"]
    assert "BUYBACK_MISMATCH" in codes(r)
    assert (r["status"], r["approved_total"], r["finding"]) == ("approved", 300.0, True)


def test_no_buyback_record_removes_the_trade_in():
    line = SH_TRADE | {
        "claimant": "Recycler C",
        "old_kw": "15",
        "old_qty": "1",
        "old_equipment_id": "EQ404",
        "claimed_sh_buyback": "300",
    }
    _, df = run(claims(line))
    r = df.loc["L1"]
    assert codes(r) >= {"NO_BUYBACK_RECORD", "OVER_CLAIM"}
    assert (r["status"], r["approved_total"], r["disallowed_total"]) == ("rejected", 0.0, 300.0)


def test_duplicate_serial_first_stands():
    lines = claims(
        {"record_id": "L1", "claimed_national": "525"},
        {"record_id": "L2", "invoice_no": "FP2", "claimed_national": "525"},
    )
    res, df = run(lines)
    assert df.loc["L1", "status"] == "approved"
    assert df.loc["L2", "status"] == "rejected"
    assert codes(df.loc["L2"]) == {"DUPLICATE_SERIAL"}
    assert df.loc["L2", "disallowed_national"] == 525.0
    s = res.summary
    assert s["totals_cny"] == s["totals_cny"] | {
        "claimed": 1050.0,
        "approved": 525.0,
        "disallowed": 525.0,
    }


def test_duplicate_equipment_second_trade_in_not_recognised():
    line = SH_TRADE | {
        "claimant": "Recycler C",
        "old_kw": "15",
        "old_qty": "1",
        "old_equipment_id": "EQ5",
        "claimed_sh_buyback": "300",
    }
    lines = claims(
        line | {"record_id": "L1"}, line | {"record_id": "L2", "serial": "SN2", "invoice_no": "FP2"}
    )
    _, df = run(lines, bb=buybacks({"equipment_id": "EQ5", "old_kw": "15"}))
    assert df.loc["L1", "approved_sh_buyback"] == 300.0
    assert codes(df.loc["L2"]) >= {"DUPLICATE_EQUIPMENT", "OVER_CLAIM"}
    assert df.loc["L2", "approved_sh_buyback"] == 0.0


def test_quota_counted_in_sale_date_order():
    # quota 1,000 kW for 2012. In sale-date order: March 400 kW (used 400), April 710 kW
    # (400 + 710 > 1,000: exceeded, uses nothing), May 500 kW (900). National 26 CNY/kW:
    # March 10,400.00 and May 13,000.00 paid; April 18,460.00 disallowed.
    hv = {"motor_type": "hv_async", "grade": "", "region": "CN-ZJ"}
    lines = claims(
        hv
        | {
            "record_id": "MAY",
            "serial": "S3",
            "model": "YKK-500",
            "kw": "500",
            "sale_date": "2012-05-01",
            "claimed_national": "13000",
        },
        hv
        | {
            "record_id": "MAR",
            "serial": "S1",
            "model": "YKK-400",
            "kw": "400",
            "sale_date": "2012-03-01",
            "claimed_national": "10400",
        },
        hv
        | {
            "record_id": "APR",
            "serial": "S2",
            "model": "YKK-710",
            "kw": "710",
            "sale_date": "2012-04-01",
            "claimed_national": "18460",
        },
    )
    quotas = [{"manufacturer": "Maker A", "year": 2012, "quota_kw": 1000}]
    import pandas as pd

    res, df = run(lines, quotas=pd.DataFrame(quotas))
    assert df.loc["MAR", "approved_national"] == 10400.0
    assert df.loc["MAY", "approved_national"] == 13000.0
    assert codes(df.loc["APR"]) == {"QUOTA_EXCEEDED"}
    assert (df.loc["APR", "status"], df.loc["APR", "disallowed_national"]) == ("rejected", 18460.0)
    assert res.summary["by_primary_reason"]["QUOTA_EXCEEDED"] == {"lines": 1, "disallowed": 18460.0}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"invoice_no": ""}, {"INCOMPLETE"}),
        ({"invoice_date": ""}, {"INCOMPLETE"}),
        ({"invoice_date": "2010-13-45"}, {"INCOMPLETE"}),
        ({"serial": ""}, {"INCOMPLETE"}),
        ({"model": "NOPE"}, {"NOT_IN_CATALOGUE"}),
        ({"sale_date": "2009-12-31", "claimed_national": "0"}, {"DELISTED", "OUTSIDE_WINDOW"}),
        ({"grade": ""}, {"MISSING_GRADE"}),
        ({"kw": "abc"}, {"BAD_KW"}),
    ],
)
def test_line_rejecting_codes(change, expected):
    _, df = run(claims({"claimed_national": "525"} | change))
    r = df.loc["L1"]
    assert codes(r) == expected
    assert r["status"] == "rejected"
    assert r["approved_total"] == 0.0
    assert r["disallowed_total"] == float(change.get("claimed_national", "525"))


def test_trade_in_without_equipment_id_is_incomplete():
    line = SH_TRADE | {
        "claimant": "Recycler C",
        "old_kw": "15",
        "old_qty": "1",
        "claimed_sh_buyback": "300",
    }
    _, df = run(claims(line))
    assert "INCOMPLETE" in codes(df.loc["L1"])
    assert df.loc["L1", "status"] == "rejected"


def test_delisted_from_is_the_first_day_off_the_list():
    cat = catalogue(
        [
            {
                "manufacturer": "Maker A",
                "model": "YE-OLD",
                "motor_type": "lv_async",
                "kw": "15",
                "grade": "2",
                "listed_from": "2010-01-01",
                "delisted_from": "2010-09-01",
            }
        ]
    )
    _, df = run(
        claims(
            {
                "record_id": "ON",
                "model": "YE-OLD",
                "sale_date": "2010-08-31",
                "claimed_national": "525",
            },
            {"record_id": "OFF", "model": "YE-OLD", "serial": "SN2", "claimed_national": "525"},
        ),
        cat=cat,
    )
    assert df.loc["ON", "status"] == "approved"
    assert codes(df.loc["OFF"]) == {"DELISTED"}


def test_primary_reason_follows_precedence():
    # incomplete and over-claimed: INCOMPLETE comes first
    _, df = run(claims({"invoice_no": "", "claimed_national": "600"}))
    assert df.loc["L1", "primary_reason"] == "INCOMPLETE"
    assert codes(df.loc["L1"]) == {"INCOMPLETE", "OVER_CLAIM"}
