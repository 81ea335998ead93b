"""Uptake that answers to the subsidy, money as fen, one number format, titles and what a
plot or a table draws: worked by hand from the plan format (motorsub/plan/README.md)."""

from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner
from plan_helpers import EXAMPLES, line, make_plan, years

from motorsub.cli.project import project as project_cli
from motorsub.plan import PlanError, compare, load_plan, project
from motorsub.render.plan import compare_text, money, projection_text, quantity

FYP = EXAMPLES / "shanghai-12th-fyp.toml"
UPTAKE = EXAMPLES / "shanghai-12th-fyp-no-reman-uptake.toml"
NATIONAL = EXAMPLES / "national-2013-2015.toml"

PRICE, ELASTICITY = 500.0, -0.8


def _uptake(price=PRICE, elasticity=ELASTICITY):
    return {
        "elasticity": {"value": elasticity, "source": "test", "status": "inferred"},
        "price_cny_per_kw": {"value": price, "source": "test", "status": "inferred"},
    }


def two_years(without=(), uptake=True, price=PRICE):
    """Shanghai, 1,000 kW promoted in 2012 and 2,000 kW in 2013, all remanufactured 11 kW
    motors bought on a trade-in: 20 CNY/kW buy-back of the old 11 kW motor + 45 CNY/kW
    remanufacture subsidy = 65 CNY/kW with every component (the national subsidy pays no
    remanufactured motor). Deemed 1,000 kWh per kW a year, installed on 1 January, life 2
    years."""
    over = {
        "promotion": {"years": years(1000, 2000, first=2012)},
        "mix": {"lines": [line(kind="reman", trade_in=True, grade=3)]},
        "schemes": {"without": list(without)},
        "factors": {"coal": [{"from": 2012, "profile": "equivalent"}]},
    }
    if uptake:
        over["uptake"] = _uptake(price=price)
    return make_plan(over, region="CN-SH", until=2013)


def test_uptake_response_worked_by_hand_for_a_two_year_plan():
    # without sh_reman: subsidy 20 CNY/kW instead of 65; net price 480 instead of 435
    f = (480 / 435) ** -0.8
    p = project(two_years(without=["sh_reman"]))
    c = p.columns
    assert c["uptake_factor"].tolist() == pytest.approx([f, f], rel=1e-12)
    assert c["kw_promoted_stated"].tolist() == [1000, 2000]
    assert c["kw_promoted"].tolist() == pytest.approx([1000 * f, 2000 * f], rel=1e-12)
    # savings: the whole stock a full year at 1,000 kWh/kW
    assert c["kwh"].tolist() == pytest.approx([1000 * f * 1000, 3000 * f * 1000], rel=1e-12)
    # outlay: 20 CNY/kW = 2,000 fen/kW on the kW promoted, half-up to the fen once a year
    expected = [math.floor(1000 * f * 2000 + 0.5), math.floor(2000 * f * 2000 + 0.5)]
    assert c["outlay_sh_buyback_fen"].tolist() == expected
    assert c["outlay_total_fen"].tolist() == expected
    assert p.summary["outlay_total_fen"] == sum(expected)
    u = p.summary["uptake"]
    assert u["subsidy_cny_per_kw"] == pytest.approx([20, 20])
    assert u["subsidy_reference_cny_per_kw"] == pytest.approx([65, 65])
    # what the subsidy buys: kWh per CNY and CNY per tce (0.300 kgce/kWh)
    e = p.summary["effectiveness"]
    kwh = 4000 * f * 1000
    assert e["kwh_per_cny"] == pytest.approx(kwh / (sum(expected) / 100), rel=1e-12)
    assert e["cny_per_tce"] == pytest.approx((sum(expected) / 100) / (kwh * 0.3 / 1000))


def test_with_every_component_paid_the_stated_kw_stand():
    p = project(two_years())
    assert p.columns["uptake_factor"].tolist() == [1.0, 1.0]
    assert p.columns["kw_promoted"].tolist() == [1000, 2000]
    # 65 CNY/kW × 1,000 kW = 65,000.00 CNY in 2012
    assert p.columns["outlay_total_fen"].tolist() == [6_500_000, 13_000_000]


def test_without_a_response_uptake_is_held_fixed_and_said_so():
    a = project(two_years(uptake=False))
    b = project(two_years(without=["sh_reman"], uptake=False))
    assert b.columns["kw_promoted"].tolist() == [1000, 2000]
    assert "uptake_factor" not in b.columns
    text = compare_text(a, b, compare(a, b), "en")
    assert "uptake held fixed" in text
    assert "uptake: held fixed" in projection_text(b, "en")
    # the budget changes by 45 CNY/kW × 3,000 kW = 135,000.00 CNY, exactly
    assert "-135,000.00" in text


def test_a_response_changes_the_comparison():
    a = project(two_years())
    b = project(two_years(without=["sh_reman"]))
    text = compare_text(a, b, compare(a, b), "en")
    assert "uptake answers to the subsidy in A and B" in text
    diff = compare(a, b)
    f = (480 / 435) ** -0.8
    assert diff["kw_promoted_diff"].tolist() == pytest.approx([1000 * (f - 1), 2000 * (f - 1)])


def test_a_price_not_above_the_subsidy_is_an_error():
    with pytest.raises(PlanError, match=r"uptake\.price_cny_per_kw: 60 CNY/kW is not above"):
        project(two_years(without=["sh_reman"], price=60))


def test_an_uptake_figure_without_source_is_refused():
    bad = _uptake()
    del bad["elasticity"]["source"]
    with pytest.raises(PlanError, match=r"uptake\.elasticity\.source"):
        make_plan({"uptake": bad})


def test_the_uptake_example_by_hand():
    # without sh_reman, 2012-2015: 0.30 × 20 + 0.35 × 20 = 13 CNY/kW instead of 26.5
    f = (345 - 13) / (345 - 26.5)  # elasticity -1: the inverse ratio of net prices
    f = 1 / f
    p = project(load_plan(UPTAKE))
    assert p.columns["uptake_factor"][:5].tolist() == pytest.approx([1, f, f, f, f], rel=1e-12)
    assert p.plan.uptake.elasticity.status == "inferred"
    assert "ASSUMPTION" in p.plan.uptake.elasticity.source


def test_what_the_subsidy_buys_in_the_12th_plan(fyp):
    # 8 million kW × 587.5 kWh/kW × 15 years of life (half-year convention: two halves)
    kwh = 8e6 * 587.5 * 15
    e = fyp.summary["effectiveness"]
    assert e["kwh_cumulative"] == pytest.approx(kwh, rel=1e-12)
    assert e["outlay_fen"] == 18_550_000_000  # 26.5 CNY/kW × 7 million kW, local only
    assert e["outlay_status"] == "partial"  # the national rates are unknown
    assert e["kwh_per_cny"] == pytest.approx(kwh / 185.5e6, rel=1e-12)  # 380.1
    assert e["cny_per_tce"] == pytest.approx(185.5e6 / (kwh * 0.3 / 1000), rel=1e-12)  # 8.771


def test_money_in_every_output_is_integer_fen(tmp_path):
    out = tmp_path / "diff.json"
    res = CliRunner().invoke(
        project_cli,
        [str(FYP), "--compare", str(UPTAKE), "-o", str(out), "--lang", "en"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    money_values = [
        v for row in doc["difference"] for k, v in row.items() if k.startswith("outlay_")
    ]
    money_values += [
        v for y in doc["a"]["years"] + doc["b"]["years"] for k, v in y.items()
        if k.startswith("outlay_")
    ]  # fmt: skip
    assert money_values and all(isinstance(v, int) for v in money_values)
    assert doc["a"]["summary"]["outlay_total_fen"] == 18_550_000_000
    # no float noise in the text: money is written to the fen from integers, quantities
    # to four significant figures (so never two integer digits and three decimals)
    assert "-27,000,000.00" not in res.output  # B's reman kW answer to the subsidy
    assert not re.search(r"\d{2,}\.\d{3,}", res.output), re.search(
        r"\S*\d{2,}\.\d{3,}\S*", res.output
    )


def test_one_house_number_format():
    assert quantity(150_000) == "150,000"
    assert quantity(1.41e6) == "1,410,000"
    assert quantity(4.7e9) == "4,700,000,000"
    assert quantity(12_345_678) == "12,350,000"
    assert quantity(587.5) == "587.5"
    assert quantity(0.469_92) == "0.4699"
    assert quantity(26.5) == "26.50"
    assert quantity(-0.012_345) == "-0.01235"
    assert quantity(None) == quantity(float("nan")) == "-"
    assert money(1_234_567) == "12,345.67"
    assert money(-5) == "-0.05"
    text = projection_text(project(load_plan(EXAMPLES / "shanghai-2011-2012.toml")), "en")
    body = text.split("\n", 1)[1]  # after the plan's own title
    assert not re.search(r"\de[+-]\d", body) and "million" not in body and "billion" not in body
    assert "tce_per_year [tce/yr] 150,000 150,000 1.000" in " ".join(text.split())


def test_without_spread_the_band_is_one_column_and_says_why():
    p = project(load_plan(NATIONAL), samples=20, seed=1)
    text = projection_text(p, "en")
    assert "P10 = P50 = P90 and one column is shown" in text
    assert "P90" not in text.split("P10 = P50 = P90")[1]
    spread = project(load_plan(FYP), samples=20, seed=1)
    assert "saved P90" in projection_text(spread, "en")


def test_plots_are_titled_by_the_plan_and_draw_only_what_exists():
    pytest.importorskip("matplotlib")
    from motorsub.plan.plot import figure

    national = project(load_plan(NATIONAL), samples=20, seed=1)
    fig = figure(national)
    assert fig.get_suptitle() == national.plan.title
    ax1, _, ax3 = fig.axes[:3]
    labels = [t.get_text() for t in ax1.get_legend().get_texts()]
    assert not any("P10" in x or x == "P50" for x in labels)  # no spread: no band
    budget = " ".join(t.get_text() for t in ax3.texts)
    assert "budget unknown" in budget and "170,000,000 kW" in budget
    assert ax3.get_legend() is None
    fyp = project(load_plan(FYP), samples=20, seed=1)
    fig = figure(fyp)
    assert fig.get_suptitle() == fyp.plan.title
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("P10-P90" in x for x in labels) and "P50" in labels
    budget_labels = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert "local budget (known part)" in budget_labels
    assert "central budget (known part)" not in budget_labels  # none of it is known
