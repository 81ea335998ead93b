"""Savings, worked by hand from docs/rules.md section 4 with efficiencies read off the tables.

Table values used (motorsub/data/efficiency):
  4-pole 11 kW: IE1 87.6, IE2 89.8, IE3 91.4; Y series Y160M-4 (11 kW) 88.0
  GB 18613-2012 (2012-09-01 .. 2021-05-31): grade 2 = IE3, grade 3 = IE2
  GB 18613-2006 (until 2012-08-31): grade 2 ≈ IE2, grade 3 ≈ IE1 (inferred mapping)
Factors: coal 'equivalent' 0.300 and 'calorific' 0.1229 kgce/kWh; East China grid
0.7035 kgCO2/kWh (Shanghai, Jiangsu, ...), Shanghai's own 0.788 by name; no factor for
the North China grid.
"""

import math

import pandas as pd
import pytest

import motorsub
from motorsub.model.profile import settings

LINE = {
    "record_id": "s",
    "sale_date": "2013-06-01",
    "region": "CN-SH",
    "motor_type": "lv_async",
    "kw": 11.0,
    "grade": 2,
    "poles": 4,
    "hours": 4000.0,
    "load": 0.75,
}


def one(st=None, **changes):
    row = {**LINE, **changes}
    df = pd.DataFrame([{k: v for k, v in row.items() if v is not None}])
    out = motorsub.compute(df, savings=st or settings())
    assert len(out) == 1, out.attrs["rejects"]
    return out.iloc[0]


def flags(row):
    return set(row["reasons"].split(";")) - {""}


def kwh(qty, kw, load, hours, eta_old, eta_new):
    return qty * kw * load * hours * (100 / eta_old - 100 / eta_new)


def test_trade_in_declared_old_efficiency():
    row = one(trade_in=True, old_kw=11.0, old_efficiency=87.6)
    expected = kwh(1, 11, 0.75, 4000, 87.6, 91.4)  # = 1566.2 kWh
    assert row["eta_new"] == 91.4 and row["eta_new_source"] == "grade_minimum"
    assert row["eta_old"] == 87.6 and row["eta_old_source"] == "declared"
    assert row["kwh_per_year"] == pytest.approx(expected, rel=1e-9)
    assert row["kwh_per_year"] == pytest.approx(1566.2, abs=0.01)
    assert row["tce_per_year"] == pytest.approx(expected * 0.300 / 1000, rel=1e-9)
    assert row["tco2_per_year"] == pytest.approx(expected * 0.7035 / 1000, rel=1e-9)
    assert flags(row) == {"ASSUMED_ETA_NEW", "NO_RATE"}


def test_trade_in_old_series_baseline():
    row = one(trade_in=True, old_kw=11.0, old_series="Y")
    assert row["eta_old"] == 88.0 and row["eta_old_source"] == "series_baseline"
    assert row["kwh_per_year"] == pytest.approx(kwh(1, 11, 0.75, 4000, 88.0, 91.4), rel=1e-9)
    assert {"ASSUMED_ETA_OLD", "UNVERIFIED_ETA"} <= flags(row)  # Y rows are unverified


def test_trade_in_unknown_series_takes_the_default_baseline():
    row = one(trade_in=True, old_kw=11.0, old_series="JO2")
    assert row["eta_old"] == 88.0 and row["eta_old_source"] == "default_baseline"


def test_two_old_motors_for_one_new():
    # the shaft power is the new motor's: qty × kw × load; the old pair ran at 75 % too
    row = one(trade_in=True, old_kw=5.5, old_qty=2, old_efficiency=85.0, qty=1)
    assert row["kwh_per_year"] == pytest.approx(kwh(1, 11, 0.75, 4000, 85.0, 91.4), rel=1e-9)


def test_no_trade_in_baseline_is_the_minimum_allowed():
    row = one(qty=3)  # 2013: grade 3 of GB 18613-2012 = IE2 = 89.8
    assert row["eta_old"] == 89.8 and row["eta_old_source"] == "minimum_allowed"
    assert row["kwh_per_year"] == pytest.approx(kwh(3, 11, 0.75, 4000, 89.8, 91.4), rel=1e-9)


@pytest.mark.parametrize(
    "date,eta_new,eta_old",
    [("2012-08-31", 89.8, 87.6), ("2012-09-01", 91.4, 89.8)],  # 2006 ≈ IE2/IE1; 2012 IE3/IE2
)
def test_edition_follows_sale_date(date, eta_new, eta_old):
    row = one(sale_date=date)
    assert (row["eta_new"], row["eta_old"]) == (eta_new, eta_old)
    assert row["kwh_per_year"] == pytest.approx(kwh(1, 11, 0.75, 4000, eta_old, eta_new))


def test_declared_efficiency_below_its_grade_is_flagged():
    row = one(efficiency=90.0)  # grade 2 needs 91.4 in 2013
    assert row["eta_new"] == 90.0 and row["eta_new_source"] == "declared"
    assert "EFFICIENCY_BELOW_GRADE" in flags(row)
    assert "EFFICIENCY_BELOW_GRADE" not in flags(one(efficiency=91.4))


def test_negative_savings_are_signed_and_flagged():
    row = one(trade_in=True, old_kw=11.0, old_efficiency=95.0)
    assert row["kwh_per_year"] == pytest.approx(kwh(1, 11, 0.75, 4000, 95.0, 91.4))
    assert row["kwh_per_year"] < 0
    assert "NEGATIVE_SAVINGS" in flags(row)


def test_poles_from_speed_and_assumed_poles():
    assert one(poles=None, speed_rpm=1460)["eta_new"] == 91.4  # 4 poles
    row = one(poles=None, speed_rpm=2950)  # 2 poles: IE3 2-pole 11 kW
    assert row["eta_new"] == 91.2
    row = one(poles=None)
    assert "ASSUMED_POLES" in flags(row) and row["eta_new"] == 91.4  # 4 assumed


def test_defaults_for_hours_and_load_are_flagged():
    row = one(settings(hours=2000, load=0.5), hours=None, load=None)
    assert row["kwh_per_year"] == pytest.approx(kwh(1, 11, 0.5, 2000, 89.8, 91.4), rel=1e-9)
    assert {"DEFAULT_HOURS", "DEFAULT_LOAD"} <= flags(row)
    row = one(hours=None, load=None)  # the shipped profile has no default: unknown
    assert pd.isna(row["kwh_per_year"]) and pd.isna(row["tce_per_year"])
    assert {"NO_HOURS", "NO_LOAD"} <= flags(row)


def test_unknown_efficiency_gives_empty_savings_never_infinite():
    row = one(motor_type="hv_async", kw=400.0, grade=None)  # GB 18613 does not cover HV
    assert pd.isna(row["eta_new"]) and pd.isna(row["kwh_per_year"])
    assert "UNKNOWN_ETA" in flags(row)
    row = one(
        motor_type="hv_async",
        kw=400.0,
        grade=None,
        efficiency=96.0,
        trade_in=True,
        old_kw=400.0,
        old_efficiency=94.0,
    )
    assert row["kwh_per_year"] == pytest.approx(kwh(1, 400, 0.75, 4000, 94.0, 96.0))


def test_zero_or_excess_efficiency_is_rejected():
    df = pd.DataFrame([{**LINE, "efficiency": 0}, {**LINE, "efficiency": 100.5}])
    out = motorsub.compute(df)
    assert len(out) == 0
    assert [r["reasons"] for r in out.attrs["rejects"]] == ["BAD_EFFICIENCY"] * 2


def test_coal_and_grid_factors():
    base = kwh(1, 11, 0.75, 4000, 89.8, 91.4)
    row = one(settings(coal_factor="calorific", grid_factor="shanghai"))
    assert row["tce_per_year"] == pytest.approx(base * 0.1229 / 1000, rel=1e-9)
    assert row["tco2_per_year"] == pytest.approx(base * 0.788 / 1000, rel=1e-9)
    row = one(settings(coal_factor="0.325", grid_factor="0.85"))
    assert row["tco2_per_year"] == pytest.approx(base * 0.85 / 1000, rel=1e-9)
    assert row["tce_per_year"] == pytest.approx(base * 0.325 / 1000, rel=1e-9)
    row = one(region="CN-BJ")  # North China grid: no factor in hand
    assert pd.isna(row["tco2_per_year"]) and not pd.isna(row["kwh_per_year"])


def test_lifetime_bill_and_payback():
    st = settings(tariff=0.8, life_years=15)
    row = one(st, trade_in=True, old_kw=11.0, old_efficiency=87.6, price=3800.0)
    yearly = kwh(1, 11, 0.75, 4000, 87.6, 91.4)
    assert row["kwh_lifetime"] == pytest.approx(15 * yearly, rel=1e-9)
    assert row["bill_saving_per_year"] == pytest.approx(0.8 * yearly, rel=1e-9)
    # net price: 3800 − buy-back 20 × 11 = 3580
    assert row["net_price"] == pytest.approx(3580.0)
    assert row["payback_years"] == pytest.approx(3580.0 / (0.8 * yearly), rel=1e-9)


def test_part_load_uses_ratio_curves_at_each_motor_s_load():
    from motorsub.physics import partload as pl

    st = settings(part_load=True)
    row = one(st, trade_in=True, old_kw=11.0, old_efficiency=87.6)
    # new motor 91.4 % ≥ IE3 (91.4): PREMIUM; old 87.6 % < IE2 (89.8): STANDARD; both at 75 %
    r_new = pl.partload_ratio("PREMIUM", 4, 11.0, 0.75)[0]
    r_old = pl.partload_ratio("STANDARD", 4, 11.0, 0.75)[0]
    assert row["eta_new"] == pytest.approx(91.4 * r_new, rel=1e-12)
    assert row["eta_old"] == pytest.approx(87.6 * r_old, rel=1e-12)
    assert row["kwh_per_year"] == pytest.approx(
        kwh(1, 11, 0.75, 4000, 87.6 * r_old, 91.4 * r_new), rel=1e-9
    )
    # two old 5.5 kW motors carried the 8.25 kW shaft load: 75 % of their 11 kW too,
    # while one old 15 kW motor ran at 8.25 / 15 = 55 %
    row = one(st, trade_in=True, old_kw=15.0, old_efficiency=87.6)
    r_old = pl.partload_ratio("STANDARD", 4, 15.0, 0.55)[0]
    assert row["eta_old"] == pytest.approx(87.6 * r_old, rel=1e-12)
    assert not math.isclose(r_old, pl.partload_ratio("STANDARD", 4, 15.0, 0.75)[0])


def test_summary_totals_savings():
    df = pd.DataFrame([LINE, {**LINE, "record_id": "t", "region": "CN-JS", "qty": 2}])
    out = motorsub.compute(df)
    s = out.attrs["summary"]["savings_per_year"]
    one_line = kwh(1, 11, 0.75, 4000, 89.8, 91.4)
    assert s["kwh"] == pytest.approx(3 * one_line, abs=1e-3)
    assert s["by_region"]["CN-JS"]["kwh"] == pytest.approx(2 * one_line, abs=1e-3)
    assert s["lines_with_kwh"] == 2


def test_invalid_profile_names_file_and_key(tmp_path):
    from motorsub.errors import SchemeError
    from motorsub.model.profile import default_profile_path, load_profile

    text = default_profile_path().read_text(encoding="utf-8")
    bad = tmp_path / "p.toml"
    bad.write_text(text.replace("kgce_per_kwh = 0.300", "kgce_per_kwh = -0.3"), encoding="utf-8")
    with pytest.raises(SchemeError, match=rf"{bad}: coal\.factors\.equivalent\.kgce_per_kwh"):
        load_profile(bad)
    bad.write_text(text.replace('default = "equivalent"', 'default = "nope"'), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"coal\.default: 'nope' is not one of coal\.factors"):
        load_profile(bad)
