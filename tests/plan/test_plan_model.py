"""Plan files: strict loading, one broken file per error kind, each message asserted."""

from pathlib import Path

import pytest
from plan_helpers import EXAMPLES, MINIMAL, make_plan, years

from motorsub.errors import InputError, SchemeError
from motorsub.plan import PlanError, load_plan

BROKEN_DIR = Path(__file__).parent / "broken"

# file in broken/ → (key named in the message, what the message says)
BROKEN = {
    "unknown_key": ("promotion.colour", "Extra inputs are not permitted"),
    "negative_kw": ("promotion.years[1].kw", "greater than or equal to 0"),
    "shares_not_summing_to_one": ("mix.lines", "the shares sum to 0.9, not 1"),
    "years_out_of_order": ("promotion.years[1].year", "2020 is not after 2021"),
    "years_gap": ("promotion.years[1].year", "a gap between 2020 and 2022"),
    "total_mismatch": ("promotion.total.kw", "the years sum to 300 kW, not the total 400 kW"),
    "until_before_last_year": ("until", "2021 is before the last promotion year 2022"),
    "lv_without_grade": ("mix.lines[0].grade", "needs its GB 18613 grade"),
    "kw_outside_band": ("mix.lines[0].kw", "30 kW lies outside the line's band [0.55, 22]"),
    "deemed_both_forms": ("savings.deemed", "not both"),
    "physical_without_hours": ("savings.physical", "needs [savings.physical] hours and load"),
    "weibull_without_shape": ("life", "a Weibull life needs shape and scale"),
    "factor_starts_late": ("factors.coal[0].from", "2021 is after the first year 2020"),
    "factor_unknown_profile": ("factors.coal[0].profile", "'nonesuch' is not one of"),
    "factor_without_source": ("factors.grid[0]", "needs its source and status"),
    "distribution_wrong_parameter": (
        "uncertainty.hours.mean",
        "not a parameter of a triangular distribution",
    ),
    "triangular_mode_outside": ("uncertainty.life.mode", "low <= mode <= high"),
    "unknown_region": ("region", "unknown region 'CN-XX'"),
    "target_outside_projection": ("targets[0].year", "2030 lies outside the projection 2020-2022"),
    "bad_status": ("promotion.years[0].status", "'official', 'reported' or 'inferred'"),
    "missing_source": ("promotion.years[0].source", "Field required"),
    "malformed_sale_date": ("promotion.sale_date_in_year", "'02-29' is not a day of every year"),
    "records_missing_file": ("mix.records", "no such file"),
    "lines_and_records": ("mix", "not both or neither"),
    "old_kw_without_trade_in": ("mix.lines[0].old_kw", "old_kw is for a trade-in line"),
    "unknown_old_series": ("mix.lines[0].old_series", "'JO2' is not one of Y, US_STANDARD"),
    "unknown_target_quantity": ("targets[0].quantity", "'kw_promoted'"),
    "duplicate_key": ("", "not valid TOML"),
    "missing_base": ("base", "no such plan file"),
}


def test_every_broken_file_is_listed():
    assert {p.stem for p in BROKEN_DIR.glob("*.toml")} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_plan_message_names_file_and_key(name):
    key, text = BROKEN[name]
    path = BROKEN_DIR / f"{name}.toml"
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert f"{path}: {key}" in message
    assert text in message


def test_a_plan_error_is_a_data_file_error_exit_3():
    assert issubclass(PlanError, SchemeError)
    assert PlanError.exit_code == 3


def test_missing_plan_file_is_an_input_error():
    with pytest.raises(InputError, match="no such plan file"):
        load_plan(BROKEN_DIR / "no_such_plan.toml")


def test_minimal_plan_loads():
    p = load_plan(MINIMAL)
    assert p.years == [2020, 2021, 2022]
    assert p.savings.deemed.intensity == 1000
    assert str(p.sale_date(2021)) == "2021-07-01"


def test_every_example_plan_loads():
    for path in EXAMPLES.glob("*.toml"):
        assert load_plan(path).id == path.stem


def test_base_merges_tables_and_replaces_lists():
    p = load_plan(EXAMPLES / "shanghai-12th-fyp-no-reman-subsidy.toml")
    assert p.schemes.without == ["sh_reman"]
    assert p.schemes.use == ["cn_national", "cn_sh_tradein"]  # kept from the base
    assert [y.kw for y in p.promotion.years] == [1e6, 1e6, 2e6, 2e6, 2e6]
    assert p.source_file.endswith("shanghai-12th-fyp-no-reman-subsidy.toml")


def test_deemed_ratio_form_is_the_quotient():
    ratio = {"kwh_per_kw_year": None, "kwh_per_year": 5e5, "kw": 250}
    assert make_plan({"savings": {"deemed": ratio}}).savings.deemed.intensity == 2000


@pytest.mark.parametrize(
    ("over", "key", "text"),
    [
        ({"region": "CN"}, None, None),  # the whole country is a region
        ({"promotion": {"years": years(1, first=1950)}, "until": 2200}, "until", "more than 200"),
        ({"schemes": {"without": ["sh_reman", "sh_reman"]}}, "schemes.without", "listed twice"),
        (
            {"uncertainty": {"load": {"distribution": "uniform", "low": 1.2, "high": 0.8,
                                      "source": "t", "status": "inferred"}}},
            "uncertainty.load.high",
            "below low",
        ),
        (
            {"uncertainty": {"hours": {"distribution": "normal", "mean": -1, "sd": 0.1,
                                       "source": "t", "status": "inferred"}}},
            "uncertainty.hours",
            "multipliers: finite and >= 0",
        ),
        (
            {"life": {"kind": "fixed", "years": 10, "shape": 2.0}},
            "life",
            "belong to a Weibull life",
        ),
    ],
)  # fmt: skip
def test_rules_in_memory(over, key, text):
    if key is None:
        make_plan(over)
        return
    with pytest.raises(PlanError) as info:
        make_plan(over)
    assert f"<test plan>: {key}: " in str(info.value)
    assert text in str(info.value)
