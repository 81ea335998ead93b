"""The shipped plans reproduce their published figures (deemed mode).

Every expected number below is written from the published text, and the arithmetic that
links them is done by hand from the plan file (read here with tomllib, not through
motorsub), so a bug in the program cannot leak into an expectation.
"""

import tomllib

import pytest
from plan_helpers import EXAMPLES

from motorsub.model.profile import load_profile
from motorsub.plan import load_plan, project


def raw(name: str) -> dict:
    return tomllib.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def coal_factor(plan: dict) -> float:
    (row,) = plan["factors"]["coal"]
    if "profile" in row:
        return load_profile().coal.factors[row["profile"]].kgce_per_kwh
    return row["kgce_per_kwh"]


def deemed(plan: dict) -> float:
    d = plan["savings"]["deemed"]
    return d["kwh_per_kw_year"] if "kwh_per_kw_year" in d else d["kwh_per_year"] / d["kw"]


def row(proj, year: int) -> dict:
    i = list(proj.columns["year"]).index(year)
    return {k: v[i] for k, v in proj.columns.items()}


def test_shanghai_2011_2012():
    plan = raw("shanghai-2011-2012.toml")
    kw = sum(y["kw"] for y in plan["promotion"]["years"])
    assert kw == 2_000_000  # published: 2 million kW in 2011-2012
    assert deemed(plan) == 250.0  # implied: 0.5e9 kWh / 2e6 kW
    assert coal_factor(plan) == 0.300  # implied: 0.15e6 tce / 0.5e9 kWh
    assert kw * deemed(plan) == 0.5e9  # published: 0.5 billion kWh a year
    assert kw * deemed(plan) * coal_factor(plan) / 1000 == pytest.approx(0.15e6)  # 0.15 M tce

    r = row(project(load_plan(EXAMPLES / "shanghai-2011-2012.toml")), 2012)
    assert r["kw_promoted_cumulative"] == 2_000_000
    assert r["kwh_run_rate"] == pytest.approx(0.5e9, rel=1e-12)
    assert r["tce_run_rate"] == pytest.approx(0.15e6, rel=1e-12)


def test_shanghai_12th_five_year_plan(fyp):
    plan = raw("shanghai-12th-fyp.toml")
    kw = sum(y["kw"] for y in plan["promotion"]["years"])
    assert kw == 8_000_000  # published: 8 million kW, 2011-2015
    assert deemed(plan) == 587.5  # implied: 4.7e9 kWh / 8e6 kW
    assert coal_factor(plan) == 0.300  # implied: 1.41e6 tce / 4.7e9 kWh
    assert kw * deemed(plan) == 4.7e9  # published: 4.7 billion kWh a year
    assert kw * deemed(plan) * coal_factor(plan) / 1000 == pytest.approx(1.41e6)  # 1.41 M tce
    reman = sum(x["share"] for x in plan["mix"]["lines"] if x["kind"] == "reman")
    assert reman * kw == pytest.approx(2.4e6)  # published: about 2.4 million kW remanufactured

    r = row(fyp, 2015)
    assert r["kw_promoted_cumulative"] == 8_000_000
    assert r["kwh_run_rate"] == pytest.approx(4.7e9, rel=1e-12)
    assert r["tce_run_rate"] == pytest.approx(1.41e6, rel=1e-12)
    assert all(t["ratio"] == pytest.approx(1.0) for t in fyp.targets)


def test_shanghai_12th_plan_local_budget(fyp):
    # 20 CNY/kW buy-back on a trade-in, 45 CNY/kW more for a remanufactured motor
    # (沪府办发〔2011〕62号), from 2012-01-01: the 2011 cohort gets none.
    plan = raw("shanghai-12th-fyp.toml")
    share = {x["label"]: x["share"] for x in plan["mix"]["lines"]}
    per_kw = share["remanufactured, trade-in"] * (20 + 45) + share["new, trade-in"] * 20
    assert per_kw == pytest.approx(0.30 * 65 + 0.35 * 20) == pytest.approx(26.5)
    kw_in_window = sum(y["kw"] for y in plan["promotion"]["years"] if y["year"] >= 2012)
    assert kw_in_window == 7_000_000
    # in fen, exactly: 26.5 CNY/kW × 7 million kW = 185,500,000.00 CNY
    assert fyp.summary["outlay_by_budget"]["local"]["fen"] == 18_550_000_000
    assert row(fyp, 2011)["outlay_local_fen"] == 0
    assert row(fyp, 2013)["outlay_sh_reman_fen"] == 2_000_000 * 30 * 45  # 0.30 × 45 CNY
    # the central budget rests on rates no source gives: unknown, with its kW counted
    central = fyp.summary["outlay_by_budget"]["central"]
    assert central["status"] == "unknown"
    assert central["fen"] == 0
    assert central["unpriced_kw"] == pytest.approx(0.70 * 8_000_000)


def test_national_2013_2015():
    plan = raw("national-2013-2015.toml")
    by_year = {y["year"]: y["kw"] for y in plan["promotion"]["years"]}
    assert by_year == {2013: 27e6, 2014: 54e6, 2015: 89e6}  # published
    kw = sum(by_year.values())
    assert kw == 170e6  # published: 170 million kW
    assert deemed(plan) == pytest.approx(80e9 / 170e6)  # implied: 470.6 kWh/kW
    assert coal_factor(plan) == 0.325  # implied: 26e6 tce / 80e9 kWh
    (grid,) = plan["factors"]["grid"]
    assert grid["kgco2_per_kwh"] == 0.85  # implied: 68e6 t / 80e9 kWh
    assert kw * deemed(plan) == pytest.approx(80e9)  # published: 80 billion kWh in 2015
    assert 80e9 * 0.325 / 1000 == pytest.approx(26e6)  # published: 26 million tce
    assert 80e9 * 0.85 / 1000 == pytest.approx(68e6)  # published: 68 million t CO2

    proj = project(load_plan(EXAMPLES / "national-2013-2015.toml"))
    r = row(proj, 2015)
    assert r["kwh_run_rate"] == pytest.approx(80e9, rel=1e-12)
    assert r["tce_run_rate"] == pytest.approx(26e6, rel=1e-12)
    assert r["tco2_run_rate"] == pytest.approx(68e6, rel=1e-12)
    assert proj.summary["implied"]["targets_2015"] == pytest.approx(
        {"kwh_per_kw_year": 80e9 / 170e6, "kgce_per_kwh": 0.325, "kgco2_per_kwh": 0.85}
    )
    # national rates from 2011-03-19 (lv_async) and 2013-09-12 are unknown: all unpriced
    assert proj.summary["outlay_by_budget"]["central"]["unpriced_kw"] == pytest.approx(170e6)


def test_deemed_targets_exceed_what_a_motor_swap_delivers(fyp):
    # the deemed intensity needs more full-load hours than a year holds at the mix's gain
    x = fyp.plausibility
    assert x["verdict"] == "exceeds_a_year"
    assert x["full_load_hours_implied"] == pytest.approx(587.5 / x["efficiency_gain"])
    assert x["full_load_hours_implied"] > 8784
    assert x["ratio"] == pytest.approx(587.5 / x["physical_kwh_per_kw_year"])


def test_scenario_without_the_reman_subsidy_saves_its_45_cny_per_kw(fyp):
    other = project(load_plan(EXAMPLES / "shanghai-12th-fyp-no-reman-subsidy.toml"))
    saved = fyp.summary["outlay_total_fen"] - other.summary["outlay_total_fen"]
    assert saved == 4500 * 3 * 700_000  # 45 CNY/kW on 0.30 × 7 M kW in 2012-2015, in fen
    assert other.columns["kwh"] == pytest.approx(fyp.columns["kwh"])
