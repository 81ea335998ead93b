"""Hand-worked checks of the plain-Python reference (tests/reference.py) itself.

The expected figures are worked out by hand from the rules and the shipped schemes:
national 35 CNY/kW (low-voltage grade 2, [0.55, 22] kW, 2010 version), 40 CNY/kW (grade 1),
12 / 26 CNY/kW (high-voltage, 2010 / 2011 versions); Shanghai buy-back 20 CNY/kW of the old
motor, remanufacture 45 CNY/kW of the remanufactured one (2012-01-01 to 2015-12-31).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from reference import money, reference_line

from motorsub.model.schemes import SchemeSet, load_schemes, parse_scheme

D = Decimal


@pytest.fixture(scope="module")
def shipped() -> SchemeSet:
    return load_schemes()


def rec(**kw) -> dict:
    base = {
        "sale_date": dt.date(2010, 9, 1),
        "region": "CN-JS",
        "motor_type": "lv_async",
        "kind": "new",
        "grade": 2,
        "trade_in": False,
        "kw": 15.0,
        "qty": 1,
        "old_kw": None,
        "old_qty": 1,
    }
    base.update(kw)
    return base


def outcomes(line) -> dict[str, tuple[Decimal, str]]:
    return {k: (o.amount, o.outcome) for k, o in line.components.items()}


def test_national_2010_grade_2(shipped):
    line = reference_line(shipped, rec())
    assert outcomes(line) == {
        "national": (D("525.00"), "PAID"),
        "sh_buyback": (D("0.00"), "NOT_APPLICABLE"),
        "sh_reman": (D("0.00"), "NOT_APPLICABLE"),
    }
    assert line.versions == {"cn_national": "2010-06-01", "cn_sh_tradein": None}
    assert line.reasons == frozenset()
    assert line.total == D("525.00")


def test_shanghai_trade_in_new_motor(shipped):
    line = reference_line(
        shipped,
        rec(sale_date=dt.date(2012, 5, 10), region="CN-SH", trade_in=True, old_kw=15.0),
    )
    assert outcomes(line) == {
        "national": (D("0.00"), "NO_RATE"),
        "sh_buyback": (D("300.00"), "PAID"),
        "sh_reman": (D("0.00"), "NOT_APPLICABLE"),
    }
    assert line.versions == {"cn_national": "2011-03-19", "cn_sh_tradein": "2012-01-01"}
    assert line.reasons == {"NO_RATE"}


def test_shanghai_trade_in_reman_motor(shipped):
    line = reference_line(
        shipped,
        rec(
            sale_date=dt.date(2012, 5, 10),
            region="CN-SH",
            kind="reman",
            trade_in=True,
            old_kw=15.0,
        ),
    )
    assert outcomes(line) == {
        "national": (D("0.00"), "REMAN_NO_NATIONAL"),
        "sh_buyback": (D("300.00"), "PAID"),
        "sh_reman": (D("675.00"), "PAID"),
    }
    assert line.reasons == {"REMAN_NO_NATIONAL"}
    assert line.total == D("975.00")


def test_high_voltage_trade_in_of_two(shipped):
    line = reference_line(
        shipped,
        rec(
            sale_date=dt.date(2012, 5, 10),
            region="CN-SH",
            motor_type="hv_async",
            grade=None,
            kw=400.0,
            trade_in=True,
            old_kw=200.0,
            old_qty=2,
        ),
    )
    assert outcomes(line) == {
        "national": (D("10400.00"), "PAID"),
        "sh_buyback": (D("8000.00"), "PAID"),
        "sh_reman": (D("0.00"), "NOT_APPLICABLE"),
    }
    assert line.reasons == frozenset()


@pytest.mark.parametrize(
    ("changes", "national"),
    [
        ({"grade": 1}, (D("600.00"), "PAID")),  # 40 x 15
        ({"kw": 22.0, "qty": 3}, (D("2310.00"), "PAID")),  # 35 x 22 x 3, band end closed
        ({"kw": 22.001}, (D("0.00"), "NO_RATE")),  # (22, 315]: no rate in 2010
        ({"kw": 0.55}, (D("19.25"), "PAID")),  # 35 x 0.55, scope start closed
        ({"kw": 0.549}, (D("0.00"), "OUT_OF_SCOPE_KW")),
        ({"kw": 315.001}, (D("0.00"), "OUT_OF_SCOPE_KW")),
        ({"kw": 0.555}, (D("19.43"), "PAID")),  # 19.425 rounds half-up
        ({"grade": 3}, (D("0.00"), "GRADE_NOT_ELIGIBLE")),
        ({"sale_date": dt.date(2010, 5, 31)}, (D("0.00"), "OUTSIDE_WINDOW")),
        ({"sale_date": dt.date(2010, 6, 1)}, (D("525.00"), "PAID")),
        ({"sale_date": dt.date(2011, 3, 18)}, (D("525.00"), "PAID")),
        ({"sale_date": dt.date(2011, 3, 19)}, (D("0.00"), "NO_RATE")),
        ({"sale_date": dt.date(2017, 3, 1)}, (D("0.00"), "OUTSIDE_WINDOW")),
        ({"motor_type": "pm_sync", "grade": None}, (D("0.00"), "NO_RATE")),
        ({"motor_type": "hv_async", "grade": None, "kw": 355.0}, (D("4260.00"), "PAID")),
        ({"motor_type": "hv_async", "grade": None, "kw": 354.999}, (D("0.00"), "OUT_OF_SCOPE_KW")),
        ({"motor_type": "hv_async", "grade": None, "kw": 25000.0}, (D("300000.00"), "PAID")),
        ({"kind": "reman"}, (D("0.00"), "REMAN_NO_NATIONAL")),
    ],
)
def test_national_edges(shipped, changes, national):
    line = reference_line(shipped, rec(**changes))
    got = line.components["national"]
    assert (got.amount, got.outcome) == national
    if national[1] != "PAID":
        assert national[1] in line.reasons


def test_shanghai_refusals(shipped):
    sh = {"sale_date": dt.date(2013, 1, 2), "region": "CN-SH", "trade_in": True, "old_kw": 11.0}
    # trade-in in Jiangsu: Shanghai's money is refused for the region
    line = reference_line(shipped, rec(**{**sh, "region": "CN-JS", "kind": "reman"}))
    assert line.components["sh_buyback"].outcome == "REGION_NOT_ELIGIBLE"
    assert line.components["sh_reman"].outcome == "REGION_NOT_ELIGIBLE"
    # a remanufactured motor without a trade-in: buy-back silent, reman refused
    line = reference_line(
        shipped, rec(**{**sh, "kind": "reman", "trade_in": False, "old_kw": None})
    )
    assert line.components["sh_buyback"].outcome == "NOT_APPLICABLE"
    assert line.components["sh_reman"].outcome == "NO_TRADE_IN"
    assert line.reasons == {"REMAN_NO_NATIONAL", "NO_TRADE_IN"}
    # after the window (2015-12-31 in force, 2016-01-01 not)
    assert reference_line(shipped, rec(**{**sh, "sale_date": dt.date(2015, 12, 31)})).components[
        "sh_buyback"
    ].amount == D("220.00")
    line = reference_line(shipped, rec(**{**sh, "sale_date": dt.date(2016, 1, 1)}))
    assert line.components["sh_buyback"].outcome == "OUTSIDE_WINDOW"
    assert line.versions["cn_sh_tradein"] is None
    # a new grade-3 motor is not high-efficiency: no buy-back; a reman grade 3 is
    line = reference_line(shipped, rec(**{**sh, "grade": 3}))
    assert line.components["sh_buyback"].outcome == "GRADE_NOT_ELIGIBLE"
    line = reference_line(shipped, rec(**{**sh, "grade": 3, "kind": "reman", "kw": 0.1}))
    assert line.components["sh_buyback"].amount == D("220.00")  # old 11 kW x 20
    assert line.components["sh_reman"].amount == D("4.50")  # 0.1 kW x 45


def test_money_rounding():
    assert money(35.0, 0.555, 1) == D("19.43")
    assert money(0.01, 0.5, 1) == D("0.01")  # 0.005 half-up
    assert money(0.01, 0.4999994, 1) == D("0.00")  # read as 0.499999 kW
    assert money(0.01, 0.4999995, 1) == D("0.01")  # read as 0.500000 kW
    assert money(12.34, 7.5, 1000) == D("92550.00")


def _tiny_scheme() -> SchemeSet:
    src = {"source": "test", "status": "official"}
    data = {
        "id": "tiny",
        "title": "t",
        "authority": "a",
        "documents": [{"id": "d", "number": "1"}],
        "components": [
            {
                "id": "only_reman_pm",
                "title": "t",
                "payee": "user",
                "budget": "local",
                "basis": "kw",
                "eligibility": {
                    "scope": [{"kind": "reman", "motor_type": "pm_sync", "kw": "(1, 10]", **src}]
                },
            }
        ],
        "versions": [
            {
                "id": "v1",
                "from": dt.date(2020, 1, 1),
                **src,
                "rates": [
                    {"component": "only_reman_pm", "kw": "(0, 5)", "cny_per_kw": 1.5, **src},
                    {"component": "only_reman_pm", "kw": "[5, inf)", **src},
                ],
            }
        ],
    }
    return SchemeSet((parse_scheme(data, "tiny"),))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, (D("0.00"), "KIND_NOT_ELIGIBLE")),
        ({"kind": "reman"}, (D("0.00"), "TYPE_NOT_ELIGIBLE")),
        ({"kind": "reman", "motor_type": "pm_sync", "kw": 1.0}, (D("0.00"), "OUT_OF_SCOPE_KW")),
        ({"kind": "reman", "motor_type": "pm_sync", "kw": 4.999, "qty": 2}, (D("15.00"), "PAID")),
        ({"kind": "reman", "motor_type": "pm_sync", "kw": 5.0}, (D("0.00"), "NO_RATE")),
        ({"sale_date": dt.date(2019, 12, 31)}, (D("0.00"), "OUTSIDE_WINDOW")),
        (
            {"sale_date": dt.date(2099, 1, 1), "kind": "reman", "motor_type": "pm_sync", "kw": 2.0},
            (D("3.00"), "PAID"),
        ),
    ],
)
def test_tiny_scheme(changes, expected):
    line = reference_line(_tiny_scheme(), rec(**{"sale_date": dt.date(2020, 6, 1), **changes}))
    got = line.components["only_reman_pm"]
    assert (got.amount, got.outcome) == expected
