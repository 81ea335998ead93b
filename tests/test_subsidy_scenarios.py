"""Scenario tests: one sale line each, expected amounts worked by hand from the rule text.

Rates used (schemes/*.toml, from docs/sources.md sections 3-4):
  national 2010-06-01..2011-03-18: lv_async [0.55, 22] grade 1 → 40, grade 2 → 35 CNY/kW;
      lv_async (22, 315] and pm_sync: no rate; hv_async [355, 25000] → 12 CNY/kW
  national 2011-03-19..2013-09-11: hv_async → 26 CNY/kW (inferred); others no rate
  national 2013-09-12..2017-02-28: no rate known; nothing from 2017-03-01
  Shanghai 2012-01-01..2015-12-31: buy-back 20 CNY/kW × old kW × old qty;
      remanufacture 45 CNY/kW × kW × qty
"""

import pandas as pd
import pytest

import motorsub

ELIGIBILITY = {
    "OUT_OF_SCOPE_KW",
    "GRADE_NOT_ELIGIBLE",
    "OUTSIDE_WINDOW",
    "REGION_NOT_ELIGIBLE",
    "NO_TRADE_IN",
    "REMAN_NO_NATIONAL",
    "NO_RATE",
    "KIND_NOT_ELIGIBLE",
    "TYPE_NOT_ELIGIBLE",
}

BASE = {
    "record_id": "x",
    "sale_date": "2010-09-01",
    "region": "CN-JS",
    "motor_type": "lv_async",
    "kw": 15.0,
    "grade": 2,
    "kind": "new",
    "trade_in": False,
}
SH_TRADE = {**BASE, "region": "CN-SH", "sale_date": "2012-05-10", "trade_in": True, "old_kw": 15.0}
HV = {**BASE, "motor_type": "hv_async", "kw": 400.0, "grade": None}

# (label, line, national, sh_buyback, sh_reman, reasons)
CASES = [
    # --- national, low-voltage band edges (2010 version, grade 2 → 35 CNY/kW)
    ("lv 0.55 kW lower edge", {"kw": 0.55}, 19.25, 0, 0, ""),  # 35 × 0.55
    ("lv just below 0.55", {"kw": 0.549}, 0, 0, 0, "OUT_OF_SCOPE_KW"),
    ("lv 22 kW upper edge of band 1", {"kw": 22}, 770.00, 0, 0, ""),  # 35 × 22
    ("lv grade 1 at 22 kW", {"kw": 22, "grade": 1}, 880.00, 0, 0, ""),  # 40 × 22
    ("lv just above 22: no rate", {"kw": 22.001}, 0, 0, 0, "NO_RATE"),
    ("lv 315 kW: no rate", {"kw": 315}, 0, 0, 0, "NO_RATE"),
    ("lv just above 315", {"kw": 315.001}, 0, 0, 0, "OUT_OF_SCOPE_KW"),
    ("lv grade 3", {"grade": 3}, 0, 0, 0, "GRADE_NOT_ELIGIBLE"),
    ("lv grade 1 at 15 kW", {"grade": 1}, 600.00, 0, 0, ""),  # 40 × 15
    ("half a fen rounds up", {"kw": 0.555}, 19.43, 0, 0, ""),  # 35 × 0.555 = 19.425
    ("qty 3", {"kw": 7.5, "grade": 1, "qty": 3}, 900.00, 0, 0, ""),  # 40 × 7.5 × 3
    # --- national, high-voltage band edges
    ("hv 355 kW lower edge", {**HV, "kw": 355}, 4260.00, 0, 0, ""),  # 12 × 355
    ("hv just below 355", {**HV, "kw": 354.999}, 0, 0, 0, "OUT_OF_SCOPE_KW"),
    ("hv 25000 kW upper edge", {**HV, "kw": 25000}, 300000.00, 0, 0, ""),  # 12 × 25000
    ("hv just above 25000", {**HV, "kw": 25000.001}, 0, 0, 0, "OUT_OF_SCOPE_KW"),
    ("hv big line", {**HV, "kw": 25000, "qty": 1000}, 300000000.00, 0, 0, ""),
    ("pm_sync in scope: no rate", {"motor_type": "pm_sync", "kw": 100}, 0, 0, 0, "NO_RATE"),
    ("pm_sync below scope", {"motor_type": "pm_sync", "kw": 0.37}, 0, 0, 0, "OUT_OF_SCOPE_KW"),
    # --- national version boundaries
    ("2010-05-31: before the programme", {"sale_date": "2010-05-31"}, 0, 0, 0, "OUTSIDE_WINDOW"),
    ("2010-06-01: first day", {"sale_date": "2010-06-01"}, 525.00, 0, 0, ""),
    ("2011-03-18: last day of 2010 rates", {"sale_date": "2011-03-18"}, 525.00, 0, 0, ""),
    ("2011-03-19: lv rate unknown", {"sale_date": "2011-03-19"}, 0, 0, 0, "NO_RATE"),
    ("hv 2011-03-18", {**HV, "sale_date": "2011-03-18"}, 4800.00, 0, 0, ""),  # 12 × 400
    ("hv 2011-03-19", {**HV, "sale_date": "2011-03-19"}, 10400.00, 0, 0, ""),  # 26 × 400
    ("hv 2013-09-11", {**HV, "sale_date": "2013-09-11"}, 10400.00, 0, 0, ""),
    ("hv 2013-09-12: rate unknown", {**HV, "sale_date": "2013-09-12"}, 0, 0, 0, "NO_RATE"),
    ("hv 2017-02-28: last day", {**HV, "sale_date": "2017-02-28"}, 0, 0, 0, "NO_RATE"),
    ("hv 2017-03-01: ended", {**HV, "sale_date": "2017-03-01"}, 0, 0, 0, "OUTSIDE_WINDOW"),
    # --- Shanghai window boundaries (trade-in of one 15 kW old motor → 20 × 15 = 300)
    ("SH 2011-12-31", {**SH_TRADE, "sale_date": "2011-12-31"}, 0, 0, 0, "OUTSIDE_WINDOW;NO_RATE"),
    ("SH 2012-01-01", {**SH_TRADE, "sale_date": "2012-01-01"}, 0, 300.00, 0, "NO_RATE"),
    ("SH 2015-12-31", {**SH_TRADE, "sale_date": "2015-12-31"}, 0, 300.00, 0, "NO_RATE"),
    ("SH 2016-01-01", {**SH_TRADE, "sale_date": "2016-01-01"}, 0, 0, 0, "OUTSIDE_WINDOW;NO_RATE"),
    # --- Shanghai eligibility
    (
        "SH new without trade-in",
        {**SH_TRADE, "trade_in": False, "old_kw": None},
        0,
        0,
        0,
        "NO_RATE",
    ),
    (
        "SH reman trade-in",
        {**SH_TRADE, "kind": "reman"},
        0,
        300.00,
        675.00,
        "REMAN_NO_NATIONAL",
    ),  # 20 × 15 + 45 × 15
    (
        "SH reman, no trade-in",
        {**SH_TRADE, "kind": "reman", "trade_in": False, "old_kw": None},
        0,
        0,
        0,
        "NO_TRADE_IN;REMAN_NO_NATIONAL",
    ),
    (
        "SH reman grade 3 still eligible",
        {**SH_TRADE, "kind": "reman", "grade": 3},
        0,
        300.00,
        675.00,
        "REMAN_NO_NATIONAL",
    ),
    ("SH new grade 3 not high-efficiency", {**SH_TRADE, "grade": 3}, 0, 0, 0, "GRADE_NOT_ELIGIBLE"),
    (
        "SH new lv 400 kW out of scope",
        {**SH_TRADE, "kw": 400, "old_kw": 400},
        0,
        0,
        0,
        "OUT_OF_SCOPE_KW",
    ),
    (
        "SH reman lv 400 kW: no power limit",
        {**SH_TRADE, "kind": "reman", "kw": 400, "old_kw": 400},
        0,
        8000.00,
        18000.00,
        "REMAN_NO_NATIONAL",
    ),  # 20 × 400, 45 × 400
    (
        "SH qty and old_qty",
        {**SH_TRADE, "kind": "reman", "grade": 3, "kw": 7.5, "qty": 2, "old_kw": 5.5, "old_qty": 3},
        0,
        330.00,
        675.00,
        "REMAN_NO_NATIONAL",
    ),  # 20×5.5×3, 45×7.5×2
    (
        "SH two old motors for one",
        {**SH_TRADE, "old_kw": 7.5, "old_qty": 2},
        0,
        300.00,
        0,
        "NO_RATE",
    ),  # 20 × 7.5 × 2
    ("SH old qty defaults to qty", {**SH_TRADE, "qty": 2}, 0, 600.00, 0, "NO_RATE"),
    ("SH buy-back half fen", {**SH_TRADE, "old_kw": 0.37225}, 0, 7.45, 0, "NO_RATE"),
    (
        "SH hv trade-in, 2 × 200 kW old",
        {
            **HV,
            "region": "CN-SH",
            "sale_date": "2012-05-10",
            "trade_in": True,
            "old_kw": 200,
            "old_qty": 2,
        },
        10400.00,
        8000.00,
        0,
        "",
    ),
    (
        "JS trade-in: no Shanghai money",
        {**SH_TRADE, "region": "CN-JS"},
        0,
        0,
        0,
        "REGION_NOT_ELIGIBLE;NO_RATE",
    ),
    (
        "JS reman trade-in",
        {**SH_TRADE, "region": "CN-JS", "kind": "reman"},
        0,
        0,
        0,
        "REGION_NOT_ELIGIBLE;REMAN_NO_NATIONAL",
    ),
    (
        "JS reman, no trade-in",
        {**BASE, "kind": "reman", "sale_date": "2012-05-10"},
        0,
        0,
        0,
        "REGION_NOT_ELIGIBLE;REMAN_NO_NATIONAL",
    ),
    (
        "SH reman hv",
        {
            **HV,
            "region": "CN-SH",
            "sale_date": "2013-01-01",
            "kind": "reman",
            "trade_in": True,
            "old_kw": 400,
        },
        0,
        8000.00,
        18000.00,
        "REMAN_NO_NATIONAL",
    ),
]


def _frame(line: dict) -> pd.DataFrame:
    row = {**BASE, **line}
    return pd.DataFrame([{k: v for k, v in row.items() if v is not None}])


@pytest.mark.parametrize(
    "label,line,national,buyback,reman,reasons", CASES, ids=[c[0] for c in CASES]
)
def test_scenario(shipped, label, line, national, buyback, reman, reasons):
    out = motorsub.compute(_frame(line), shipped, strict=True)
    row = out.iloc[0]
    assert row["subsidy_national"] == pytest.approx(national, abs=1e-9)
    assert row["subsidy_sh_buyback"] == pytest.approx(buyback, abs=1e-9)
    assert row["subsidy_sh_reman"] == pytest.approx(reman, abs=1e-9)
    assert row["subsidy_total"] == pytest.approx(national + buyback + reman, abs=1e-9)
    got = set(row["reasons"].split(";")) & ELIGIBILITY  # savings flags are tested elsewhere
    assert got == set(reasons.split(";")) - {""}


@pytest.mark.parametrize(
    "date,national,shanghai",
    [
        ("2010-05-31", None, None),
        ("2010-06-01", "2010-06-01", None),
        ("2011-03-18", "2010-06-01", None),
        ("2011-03-19", "2011-03-19", None),
        ("2011-12-31", "2011-03-19", None),
        ("2012-01-01", "2011-03-19", "2012-01-01"),
        ("2013-09-11", "2011-03-19", "2012-01-01"),
        ("2013-09-12", "2013-09-12", "2012-01-01"),
        ("2015-12-31", "2013-09-12", "2012-01-01"),
        ("2016-01-01", "2013-09-12", None),
        ("2017-02-28", "2013-09-12", None),
        ("2017-03-01", None, None),
    ],
)
def test_version_columns(shipped, date, national, shanghai):
    row = motorsub.compute(_frame({"sale_date": date}), shipped).iloc[0]
    assert (None if pd.isna(row["version_cn_national"]) else row["version_cn_national"]) == national
    assert (
        None if pd.isna(row["version_cn_sh_tradein"]) else row["version_cn_sh_tradein"]
    ) == shanghai


def test_net_price(shipped):
    # 2 motors at 1000 CNY, national 40 × 7.5 × 2 = 600 → 2000 − 600 = 1400
    row = motorsub.compute(_frame({"kw": 7.5, "grade": 1, "qty": 2, "price": 1000}), shipped).iloc[
        0
    ]
    assert row["net_price"] == pytest.approx(1400.0)
    assert pd.isna(motorsub.compute(_frame({}), shipped).iloc[0]["net_price"])


def test_passthrough_and_order(shipped):
    df = pd.concat([_frame({"record_id": "a"}), _frame({"record_id": "b", "kw": 7.5})])
    df["serial"] = ["S1", "S2"]
    df["my_note"] = ["keep", "me"]
    out = motorsub.compute(df, shipped)
    assert list(out["record_id"]) == ["a", "b"]
    assert list(out["serial"]) == ["S1", "S2"]
    assert list(out["my_note"]) == ["keep", "me"]
    cols = list(out.columns)
    assert cols[:3] == ["record_id", "version_cn_national", "version_cn_sh_tradein"]
    assert cols.index("reasons") < cols.index("serial")
