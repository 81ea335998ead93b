"""Projections worked by hand: stock turnover, the half-year convention, factors by year,
budgets against the scheme rates, physical savings, records mixes, unknowns counted."""

import math

import numpy as np
import pyarrow as pa
import pytest
from numpy.testing import assert_allclose
from plan_helpers import line, make_plan, minimal_data, years

from motorsub import io
from motorsub.plan import PlanError, compare, project
from motorsub.plan.load import _merge, parse_plan

# ---------------------------------------------------------------------------------------
# stock turnover: 100 kW a year in 2020-2022, fixed life 2 years, 1000 kWh/kW, 0.3 kgce/kWh


def test_three_years_two_year_life_retires_the_first_cohort():
    c = project(make_plan()).columns
    # each cohort serves two full years: 2020 serves 2020-2021 and leaves at the end of 2021
    assert_allclose(c["kw_in_service"], [100, 100, 100])
    assert_allclose(c["kw_retired"], [0, 100, 100])
    assert_allclose(c["kw_service_years"], [100, 200, 200])
    assert_allclose(c["kwh"], [100_000, 200_000, 200_000])  # kW·yr × 1000 kWh/kW
    assert_allclose(c["kwh_run_rate"], [100_000, 100_000, 100_000])
    assert_allclose(c["tce"], [30, 60, 60])  # kWh × 0.3 / 1000
    assert_allclose(c["tce_cumulative"], [30, 90, 150])
    assert np.isnan(c["tco2"]).all()  # no grid factor: unknown


def test_half_year_convention():
    over = {"promotion": {"half_year": True}}
    c = project(make_plan(over, until=2025)).columns
    # installed mid-year, a cohort serves ½ + 1 + ½ years and leaves mid-year
    assert_allclose(c["kw_service_years"], [50, 150, 200, 150, 50, 0])
    assert_allclose(c["kw_in_service"], [100, 200, 200, 100, 0, 0])
    assert_allclose(c["kw_retired"], [0, 0, 100, 100, 100, 0])
    assert_allclose(c["kwh"], [50_000, 150_000, 200_000, 150_000, 50_000, 0])
    # promoted = in service + retired, every year
    assert_allclose(c["kw_promoted_cumulative"], c["kw_in_service"] + np.cumsum(c["kw_retired"]))


def test_weibull_life_of_shape_one_is_exponential():
    life = {"kind": "weibull", "years": None, "shape": 1.0, "scale": 2.0}
    over = {"life": life, "promotion": {"years": years(100)}}
    c = project(make_plan(over)).columns
    s = [math.exp(-a / 2.0) for a in range(4)]  # S(a) = exp(-a/2), one cohort from 1 January
    assert_allclose(c["kw_in_service"], [100 * s[1], 100 * s[2], 100 * s[3]], rtol=1e-12)
    assert_allclose(
        c["kw_retired"], [100 * (s[0] - s[1]), 100 * (s[1] - s[2]), 100 * (s[2] - s[3])]
    )
    # ∫ from d to d+1 of exp(-a/2) da = 2 (S(d) − S(d+1))
    assert_allclose(c["kw_service_years"], [200 * (s[d] - s[d + 1]) for d in range(3)], rtol=1e-12)


def test_coal_factor_of_the_year_of_saving():
    coal = [
        {"from": 2020, "kgce_per_kwh": 0.3, "source": "t", "status": "inferred"},
        {"from": 2022, "kgce_per_kwh": 0.25, "source": "t", "status": "inferred"},
    ]
    grid = [{"from": 2020, "profile": "east"}]
    c = project(make_plan({"factors": {"coal": coal, "grid": grid}})).columns
    assert_allclose(c["tce"], [30, 60, 50])  # 200 000 kWh × 0.25 / 1000 in 2022
    assert_allclose(c["tco2"], [70.35, 140.7, 140.7])  # the profile's East China 0.7035


# ---------------------------------------------------------------------------------------
# budgets against the scheme rates (schemes/*.toml), one year of 1 000 000 kW


def one_year(year, lines, region="CN-JS", **over):
    data = {"promotion": {"years": years(1_000_000, first=year)}, "mix": {"lines": lines}}
    coal = [{"from": year, "kgce_per_kwh": 0.3, "source": "t", "status": "inferred"}]
    data["factors"] = {"coal": coal}
    return make_plan(_merge(data, over), region=region, until=year)


def test_national_2010_rates():
    # 2010-06-01 version, lv_async [0.55, 22]: grade 1 40 CNY/kW, grade 2 35 CNY/kW
    plan = one_year(2010, [line(0.5, kw=15, grade=1), line(0.5, kw=15, grade=2)])
    c = project(plan).columns
    assert c["outlay_national_fen"][0] == round(100 * 1e6 * (0.5 * 40 + 0.5 * 35))
    assert c["outlay_central_fen"][0] == round(100 * 37.5e6)
    assert c["outlay_payee_manufacturer_fen"][0] == round(100 * 37.5e6)
    assert c["outlay_local_fen"][0] == 0
    assert c["unpriced_kw_national"][0] == 0


def test_high_voltage_2012_inferred_rate():
    # 2011-03-19 version: hv_async 26 CNY/kW (inferred from +117 % on 12)
    c = project(one_year(2012, [line(motor_type="hv_async", kw=400, grade=None)])).columns
    assert c["outlay_national_fen"][0] == round(100 * 26e6)


def test_shanghai_trade_in_and_reman_2013():
    lines = [
        line(0.5, kind="reman", grade=3, trade_in=True),  # 20 + 45 CNY/kW
        line(0.5, kw=15, trade_in=True, old_kw=7.5),  # 20 CNY/kW on the old 7.5 kW
    ]
    p = project(one_year(2013, lines, region="CN-SH"))
    c = p.columns
    assert c["outlay_sh_reman_fen"][0] == round(100 * 1e6 * 0.5 * 45)
    assert c["outlay_sh_buyback_fen"][0] == round(100 * 1e6 * (0.5 * 20 + 0.5 * 20 * 7.5 / 15))
    assert c["outlay_local_fen"][0] == round(100 * 37.5e6)
    assert c["outlay_payee_recycler_fen"][0] == round(100 * 15e6)
    assert c["outlay_payee_remanufacturer_fen"][0] == round(100 * 22.5e6)
    # the new line's national rate (2011-03-19, lv_async) is unknown: counted, not guessed
    assert c["outlay_central_fen"][0] == 0
    assert c["unpriced_kw_national"][0] == pytest.approx(0.5e6)
    assert c["unpriced_kw_central"][0] == pytest.approx(0.5e6)
    assert p.summary["outlay_by_budget"]["central"]["status"] == "unknown"
    assert p.summary["outlay_by_budget"]["local"]["status"] == "complete"


def test_shanghai_before_its_window_pays_nothing():
    lines = [line(kind="reman", grade=3, trade_in=True)]
    assert project(one_year(2011, lines, region="CN-SH")).columns["outlay_local_fen"][0] == 0


def test_without_a_component():
    lines = [line(kind="reman", grade=3, trade_in=True)]
    p = project(one_year(2013, lines, region="CN-SH", schemes={"without": ["sh_reman"]}))
    assert "outlay_sh_reman_fen" not in p.columns
    assert p.columns["outlay_local_fen"][0] == round(100 * 20e6)
    assert p.summary["components_left_out"] == ["sh_reman"]


def test_whole_country_gets_no_shanghai_money():
    lines = [line(kind="reman", grade=3, trade_in=True)]
    assert project(one_year(2013, lines, region="CN")).columns["outlay_local_fen"][0] == 0


@pytest.mark.parametrize(
    ("schemes", "text"),
    [
        ({"use": ["nonesuch"]}, "schemes.use[0]: no scheme 'nonesuch'"),
        ({"without": ["nonesuch"]}, "schemes.without[0]: no component 'nonesuch'"),
        ({"files": ["no_such.toml"]}, "schemes.files[0]: no such scheme file"),
    ],
)
def test_schemes_the_plan_names_must_exist(schemes, text):
    with pytest.raises(PlanError, match=text.replace("[", r"\[").replace("]", r"\]")):
        project(make_plan({"schemes": schemes}))


# ---------------------------------------------------------------------------------------
# physical savings and plausibility

PHYSICAL = {
    "hours": {"value": 4000, "source": "t", "status": "inferred"},
    "load": {"value": 0.75, "source": "t", "status": "inferred"},
}
SWAP = line(kw=10, grade=1, efficiency=92, trade_in=True, old_efficiency=88)
GAIN = 100 / 88 - 100 / 92  # kWh saved per kWh of shaft output


def test_physical_intensity_from_the_savings_kernel():
    own_hours = dict(SWAP, share=0.5, hours=2000)
    over = {"savings": {"mode": "physical", "physical": PHYSICAL}}
    over["mix"] = {"lines": [dict(SWAP, share=0.5), own_hours]}
    c = project(make_plan(over)).columns
    expected = 0.5 * 4000 * 0.75 * GAIN + 0.5 * 2000 * 0.75 * GAIN  # [kWh/kW/yr]
    assert_allclose(c["kwh_per_kw"], expected, rtol=1e-12)
    assert_allclose(c["kwh"][0], 100 * expected, rtol=1e-12)


def test_physical_savings_unknown_are_counted():
    pm = line(0.25, motor_type="pm_sync", grade=None)  # no efficiency table for pm_sync
    over = {"savings": {"mode": "physical", "physical": PHYSICAL}}
    over["mix"] = {"lines": [dict(SWAP, share=0.75), pm]}
    p = project(make_plan(over))
    assert_allclose(p.columns["kw_savings_unknown"], [25, 25, 25])
    assert_allclose(p.columns["kwh_per_kw"], 0.75 * 3000 * GAIN, rtol=1e-12)


@pytest.mark.parametrize(
    ("deemed", "verdict", "hours_needed"),
    [(1000, "exceeds_a_year", 1000 / GAIN), (100, "within_physical", 100 / GAIN)],
)
def test_plausibility_of_a_deemed_intensity(deemed, verdict, hours_needed):
    over = {"savings": {"physical": PHYSICAL, "deemed": {"kwh_per_kw_year": deemed}}}
    over["mix"] = {"lines": [SWAP]}
    x = project(make_plan(over)).plausibility
    assert x["efficiency_gain"] == pytest.approx(GAIN)
    assert x["full_load_hours_implied"] == pytest.approx(hours_needed)
    assert x["physical_kwh_per_kw_year"] == pytest.approx(3000 * GAIN)
    assert x["ratio"] == pytest.approx(deemed / (3000 * GAIN))
    assert x["gain_implied_at_hours_load"] == pytest.approx(deemed / 3000)
    assert x["verdict"] == verdict


# ---------------------------------------------------------------------------------------
# a records file standing for the mix


def records_plan(tmp_path, table: pa.Table, year=2010, until=2010):
    io.write_table(table, tmp_path / "mix.csv")
    data = minimal_data()
    data["mix"] = {"records": "mix.csv", "source": "test", "status": "inferred"}
    data["promotion"]["years"] = years(1_000_000, first=year)
    data["factors"]["coal"][0]["from"] = year
    data["until"] = until
    return parse_plan(data, str(tmp_path / "plan.toml"), tmp_path)


def test_records_mix_weights_lines_by_their_kw(tmp_path):
    # 3 × 10 kW at grade 1 (40 CNY/kW) and 1 × 20 kW at grade 2 (35): shares 0.6 and 0.4
    table = pa.table(
        {
            "region": ["CN-JS", "CN-JS"],
            "motor_type": ["lv_async", "lv_async"],
            "kw": ["10", "20"],
            "qty": ["3", "1"],
            "grade": ["1", "2"],
            "sale_date": ["1999-01-01", "not a date: ignored"],
        }
    )
    c = project(records_plan(tmp_path, table)).columns
    assert c["outlay_national_fen"][0] == round(100 * 1e6 * (0.6 * 40 + 0.4 * 35))


def test_records_mix_with_a_bad_line_names_its_row(tmp_path):
    table = pa.table({"region": ["CN-JS", "CN-JS"], "motor_type": ["lv_async", "lv_async"],
                      "kw": ["10", "-1"], "grade": ["1", "2"]})  # fmt: skip
    with pytest.raises(PlanError, match=r"mix.records: .*1 line\(s\)[\s\S]*row 3: BAD_KW"):
        project(records_plan(tmp_path, table))


def test_records_mix_outlay_equals_the_engine_on_the_same_lines(tmp_path):
    from motorsub.engine.batch import run
    from motorsub.engine.synth import chunk

    table = chunk(np.random.default_rng(7), 0, 5000)
    plan = records_plan(tmp_path, table, year=2013, until=2013)
    p = project(plan)
    dated = table.drop_columns(["sale_date"]).append_column(
        "sale_date", pa.array(["2013-07-01"] * table.num_rows)
    )
    res = run(dated)
    assert res.summary["rows"]["rejected"] == 0
    out = res.output
    kw = (np.asarray(table.column("qty"), dtype=float) * np.asarray(table.column("kw"))).sum()
    for comp in ("national", "sh_buyback", "sh_reman"):
        per_kw = np.asarray(out.column(f"subsidy_{comp}")).sum() / kw
        assert p.columns[f"outlay_{comp}_fen"][0] == round(100 * 1e6 * per_kw)


# ---------------------------------------------------------------------------------------


def test_compare_is_b_minus_a():
    a = project(make_plan())
    b = project(make_plan({"promotion": {"years": years(100, 200, 100)}}))
    d = compare(a, b)
    assert_allclose(d["kw_promoted_diff"], [0, 100, 0])
    assert_allclose(d["kwh_diff"], [0, 100_000, 100_000])  # the extra cohort serves 2 years
    assert_allclose(d["kwh_a"], a.columns["kwh"])


def test_compare_aligns_years():
    a = project(make_plan())
    b = project(make_plan(until=2023))
    d = compare(a, b)
    assert list(d["year"]) == [2020, 2021, 2022, 2023]
    assert np.isnan(d["kwh_a"][3]) and np.isnan(d["kwh_diff"][3])


def test_records_mix_encoding_is_forced_as_in_compute(tmp_path):
    # the same two lines as above, written as UTF-16 without a byte-order mark (which
    # neither UTF-8 nor GB18030 reads, and no mark announces)
    text = "region,motor_type,kw,qty,grade,manufacturer\n"
    text += "CN-JS,lv_async,10,3,1,甲电机\nCN-JS,lv_async,20,1,2,乙电机\n"
    (tmp_path / "mix.csv").write_bytes(text.encode("utf-16-le"))
    data = minimal_data()
    data["mix"] = {"records": "mix.csv", "source": "test", "status": "inferred"}
    data["promotion"]["years"] = years(1_000_000, first=2010)
    data["factors"]["coal"][0]["from"] = 2010
    data["until"] = 2010
    plan = parse_plan(data, str(tmp_path / "plan.toml"), tmp_path)
    c = project(plan, encoding="utf-16-le").columns
    assert c["outlay_national_fen"][0] == round(100 * 1e6 * (0.6 * 40 + 0.4 * 35))
    with pytest.raises(PlanError, match=r"mix\.records: .*give its encoding with --encoding"):
        project(plan)
