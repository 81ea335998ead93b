"""Hand-worked tests of motorsub.physics.efficiency.

Every expected efficiency is a literal read off the CSV text in
``motorsub/data/efficiency`` (file, class/grade, poles, kW quoted beside it), never taken
from the program's output.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub.physics import efficiency as ef
from motorsub.physics import partload as pl
from motorsub.physics.efficiency import EtaFlag, IEClass

UNVERIFIED = EtaFlag.UNVERIFIED
MIDPOINT = EtaFlag.INTERPOLATED_MIDPOINT
UNKNOWN = EtaFlag.UNKNOWN


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _one(result):
    """(eta, flags) of a one-element call as Python scalars."""
    eta, flags = result
    return float(eta.ravel()[0]), int(flags.ravel()[0])


# ------------------------------------------------------------------ IEC 60034-30-1 tables
def test_spot_check_4_pole_11_kw():
    # iec60034_30_1_50hz_min_efficiency.csv, 4 poles, 11 kW: IE1 87.6, IE2 89.8, IE3 91.4,
    # IE4 93.3 (statuses verified_2_sources / verified_2plus_sources).
    eta, flags = ef.ie_efficiency([1, 2, 3, 4], 4, 11.0)
    assert eta.tolist() == [87.6, 89.8, 91.4, 93.3]
    assert flags.tolist() == [0, 0, 0, 0]


def _iec_rows():
    path = resources.files("motorsub") / "data" / "efficiency" / ef._IEC
    with path.open(encoding="utf-8") as f:
        yield from csv.DictReader(f)


def test_polynomial_reproduces_ie2_to_ie4_table_from_0_12_to_200_kw():
    rows = [
        r
        for r in _iec_rows()
        if r["class_or_grade"] in ("IE2", "IE3", "IE4") and float(r["kw"]) <= 200.0
    ]
    assert len(rows) == 3 * 4 * 29  # 29 ratings from 0.12 to 200 kW
    cls = [int(r["class_or_grade"][2]) for r in rows]
    poles = [int(r["poles"]) for r in rows]
    kw = [float(r["kw"]) for r in rows]
    table = np.array([float(r["efficiency_pct"]) for r in rows])
    poly = ef.ie_polynomial(cls, poles, kw)
    assert np.all(np.abs(poly - table) <= 0.1 + 1e-9)


def test_polynomial_between_ratings_worked_by_hand():
    # IE3 4-pole, 0.75-200 kW: A=0.0773 B=-1.8951 C=9.2984 D=83.7025.
    # x = log10(12) = 1.0791812; A x^3 = 0.0972, B x^2 = -2.2071, C x = 10.0346
    # eta = 91.6272 -> 91.6 (table: 11 kW 91.4, 15 kW 92.1).
    assert _one(ef.ie_efficiency(3, 4, 12.0)) == (91.6, 0)
    assert ef.ie_polynomial(3, 4, 12.0).item() == 91.6


def test_polynomial_only_inside_its_ranges():
    eta = ef.ie_polynomial([3, 3, 3, 1], 4, [0.6, 201.0, 0.11, 11.0])
    assert np.isnan(eta).all()


@settings(deadline=None, max_examples=300)
@given(
    cls=st.sampled_from([2, 3, 4]),
    poles=st.sampled_from([2, 4, 6, 8]),
    kw1=st.floats(0.12, 1000.0),
    kw2=st.floats(0.12, 1000.0),
)
def test_efficiency_never_decreases_with_kw(cls, poles, kw1, kw2):
    lo, hi = sorted((kw1, kw2))
    eta, flags = ef.ie_efficiency(cls, poles, [lo, hi])
    assert not (flags & UNKNOWN).any()
    assert eta[0] <= eta[1]


def test_midpoint_rule_above_200_kw():
    # IE4 6-pole: 200 kW 96.3, 250 kW 96.5, 315 kW 96.6; midpoints 225 and 282.5 kW.
    # The 250 and 315 kW rows are single_source, the 200 kW row verified: no UNVERIFIED.
    eta, flags = ef.ie_efficiency(4, 6, [224.9, 225.0, 282.4, 282.5])
    assert eta.tolist() == [96.3, 96.5, 96.5, 96.6]
    assert flags.tolist() == [MIDPOINT] * 4


def test_midpoint_rule_between_0_55_and_0_75_kw():
    # IE3 4-pole: 0.55 kW 80.8, 0.75 kW 82.5; midpoint 0.65 kW.
    eta, flags = ef.ie_efficiency(3, 4, [0.64, 0.65])
    assert eta.tolist() == [80.8, 82.5]
    assert flags.tolist() == [MIDPOINT, MIDPOINT]


def test_out_of_range_is_nan_and_unknown():
    eta, flags = ef.ie_efficiency(3, 4, [0.1, 1000.5, np.nan, -1.0, 11.0, 11.0])
    eta2, flags2 = ef.ie_efficiency([3, 5], [10, 4], 11.0)
    assert np.isnan(eta[:4]).all() and np.isnan(eta2).all()
    assert flags[:4].tolist() == [UNKNOWN] * 4 and flags2.tolist() == [UNKNOWN] * 2
    # table ends are inside: 0.12 kW IE3 4-pole 64.8, 1000 kW 96.0
    assert ef.ie_efficiency(3, 4, [0.12, 1000.0])[0].tolist() == [64.8, 96.0]


# ---------------------------------------------------------------------- unverified flags
def test_flag_on_unverified_row():
    # IE1 2-pole: 11 kW 87.6 single_public_source, 15 kW 88.7 UNVERIFIED.
    eta, flags = ef.ie_efficiency(1, 2, [11.0, 15.0, 14.0, 12.0])
    assert eta.tolist() == [87.6, 88.7, 88.7, 87.6]
    assert flags.tolist() == [0, UNVERIFIED, UNVERIFIED | MIDPOINT, UNVERIFIED | MIDPOINT]


def test_gb2012_grade1_is_unverified():
    # gb18613_2012_grades.csv: grade 1, 4 poles, 11 kW, 93.6, UNVERIFIED
    assert _one(ef.min_efficiency(ef.GB18613_2012, 1, 4, 11.0)) == (93.6, UNVERIFIED)


def test_gb2006_mapping_is_approximate_so_always_unverified():
    # 2006 grade 3 = IE1 (4-pole 11 kW 87.6, verified row), grade 1 = IE3 (91.4)
    assert _one(ef.min_efficiency(0, 3, 4, 11.0)) == (87.6, UNVERIFIED)
    assert _one(ef.min_efficiency(0, 1, 4, 11.0)) == (91.4, UNVERIFIED)


def test_unknown_status_is_a_loading_error():
    with pytest.raises(ef.EfficiencyDataError, match=r"x\.csv, line 7: unknown status"):
        ef._unverified("x.csv", 7, "verified_by_a_friend")


# ------------------------------------------------------------------------- GB 18613
GB2012_RATINGS = [
    0.75,
    1.1,
    1.5,
    2.2,
    3,
    4,
    5.5,
    7.5,
    11,
    15,
    18.5,
    22,
    30,
    37,
    45,
    55,
    75,
    90,
    110,
    132,
    160,
    200,
    250,
    315,
    355,
    375,
]


@pytest.mark.parametrize("poles", [2, 4, 6])
def test_gb2012_grade2_is_ie3_and_grade3_is_ie2(poles):
    kw = np.array(GB2012_RATINGS, dtype=float)
    grade2, flags2 = ef.min_efficiency(ef.GB18613_2012, 2, poles, kw)
    grade3, flags3 = ef.min_efficiency(ef.GB18613_2012, 3, poles, kw)
    assert not np.isnan(grade2).any() and not np.isnan(grade3).any()
    np.testing.assert_array_equal(grade2, ef.ie_efficiency(IEClass.IE3, poles, kw)[0])
    np.testing.assert_array_equal(grade3, ef.ie_efficiency(IEClass.IE2, poles, kw)[0])
    assert not (flags2 | flags3).any()


def test_gb2012_spot_values():
    # gb18613_2012_grades.csv, 4 poles 11 kW: grade 2 91.4, grade 3 89.8
    eta, _ = ef.min_efficiency(1, [2, 3], 4, 11.0)
    assert eta.tolist() == [91.4, 89.8]


def test_gb2012_has_no_8_pole_and_starts_at_0_75_kw():
    eta, flags = ef.min_efficiency(
        ef.GB18613_2012, [1, 2, 3, 3, 3], [8, 8, 8, 4, 4], [11.0, 11.0, 11.0, 0.55, 400.0]
    )
    assert np.isnan(eta).all()
    assert flags.tolist() == [UNKNOWN] * 5


def test_gb2020_uses_its_own_rows():
    # gb18613_2020_grades.csv grade 2, 6 poles, 280 kW: 96.6 (a GB rating). The IEC IE4
    # table would give 96.5 by the midpoint rule (250 kW 96.5, 315 kW 96.6, 280 < 282.5).
    assert _one(ef.min_efficiency(ef.GB18613_2020, 2, 6, 280.0)) == (96.6, 0)
    assert _one(ef.ie_efficiency(4, 6, 280.0)) == (96.5, MIDPOINT)
    # grade 3 = IE3 4-pole 11 kW 91.4; grade 2 = IE4 93.3
    assert ef.min_efficiency(2, [3, 2], 4, 11.0)[0].tolist() == [91.4, 93.3]


def test_gb2020_grade1_own_table_uses_midpoint_rule():
    # grade 1, 4 poles: 11 kW 94.6, 15 kW 95.1 (single_source); midpoint 13 kW
    eta, flags = ef.min_efficiency(2, 1, 4, [12.9, 13.0])
    assert eta.tolist() == [94.6, 95.1]
    assert flags.tolist() == [MIDPOINT, MIDPOINT]


def test_bad_edition_or_grade_is_unknown():
    eta, flags = ef.min_efficiency([-1, 3, 2, 2], [3, 3, 0, 4], 4, 11.0)
    assert np.isnan(eta).all() and flags.tolist() == [UNKNOWN] * 4


def _scan_only(values_at):
    """Lookups of every table at ``values_at(ratings)`` [kW], through the dense read (the
    shipped tables) and through the plain scan (ratings emptied), for every pole count."""
    t = ef._tables()
    scan = t.lookup._replace(ratings=np.empty(0))
    n_tables = len(t.table_index)
    kw = values_at(t.lookup.ratings)
    table, poles, x = (a.ravel() for a in np.meshgrid(np.arange(n_tables), ef.POLES, kw))
    args = (table, poles, x, ef.slots(t.lookup, np.arange(n_tables), np.zeros(n_tables)))
    return ef._lookup_kernel(*args, t.lookup), ef._lookup_kernel(*args, scan)


@pytest.mark.parametrize(
    "values_at",
    [
        lambda r: r,  # at every rating: the dense read
        lambda r: (r[1:] + r[:-1]) / 2,  # between ratings: the scan, both ways
        lambda r: np.nextafter(r, np.inf),  # a hair off a rating: not a hit
        lambda r: np.concatenate([[0.0, -1.0, np.nan, np.inf, 1e9, 0.1], r * 1.001]),
    ],
    ids=["ratings", "midpoints", "next-double", "odd-values"],
)
def test_dense_lookup_equals_the_scan(values_at):
    (eta, flags), (eta_scan, flags_scan) = _scan_only(values_at)
    np.testing.assert_array_equal(eta, eta_scan)  # NaN in the same places
    np.testing.assert_array_equal(flags, flags_scan)
    assert np.isfinite(eta).any()


@pytest.mark.parametrize(
    ("values_at", "some_between"),
    [
        (lambda r: r, False),
        (lambda r: (r[1:] + r[:-1]) / 2, True),
        (lambda r: np.concatenate([[0.0, -1.0, np.nan, np.inf, 1e9], np.nextafter(r, 0)]), True),
    ],
    ids=["ratings", "midpoints", "odd-values"],
)
def test_cell_lookup_equals_the_scan_or_asks_for_it(values_at, some_between):
    # every slot of the savings kernel and none (-1), valid and invalid pole counts
    from motorsub.kernels.savings import _slot_tables

    t = ef._tables()
    sl = _slot_tables()[-1]
    scan = t.lookup._replace(ratings=np.empty(0))  # every valid motor off a rating
    kw = values_at(t.lookup.ratings)
    checked = asked = 0
    for s in range(-1, len(sl.table) - 1):
        for poles in (*ef.POLES, 0, 3, 10, -2):
            for x in kw:
                u = ef.rating_index(t.lookup, x)
                cell, between = ef.dense_cell(t.lookup, poles, x, u)
                valid = poles in ef.POLES and x > 0.0
                assert between == (valid and u < 0), (s, poles, x)
                want = ef.lookup_at(s, poles, x, -1, sl, scan)
                if between:
                    asked += 1
                    continue
                eta, flag = ef.lookup_cell(sl, s, cell)
                np.testing.assert_equal((eta, flag), want, err_msg=f"{(s, poles, x)}")
                if s < 0 or not valid:
                    assert np.isnan(eta) and flag == UNKNOWN, (s, poles, x)
                checked += 1
    assert checked > 0 and (asked > 0) == some_between


def test_rating_hash_finds_every_rating_and_nothing_else():
    t = ef._tables().lookup
    assert len(t.ratings) == len(np.unique(t.ratings)) > 50
    slots = t.rating_slot[t.rating_slot >= 0]
    assert sorted(slots) == list(range(len(t.ratings)))  # each rating in exactly one slot
    for j, kw in enumerate(t.ratings):
        assert ef.rating_index(t, kw) == j
        # a hair off, or a value that rounds to the same watt, is not a rating
        for other in (np.nextafter(kw, np.inf), np.nextafter(kw, 0.0), kw + 0.0004):
            assert ef.rating_index(t, other) == -1, other
    for odd in (0.0, -11.0, np.nan, np.inf, 2000.0, 0.1):
        assert ef.rating_index(t, odd) == -1, odd


def test_broadcasting_keeps_shape():
    eta, flags = ef.min_efficiency(2, 3, np.array([[2], [4]]), np.array([11.0, 15.0]))
    # grade 3 = IE3: 2-pole 11 kW 91.2, 15 kW 91.9; 4-pole 91.4, 92.1
    assert eta.tolist() == [[91.2, 91.9], [91.4, 92.1]]
    assert flags.shape == (2, 2)


@pytest.mark.parametrize(
    ("day", "edition"),
    [
        (date(2012, 8, 31), ef.GB18613_2006),
        (date(2012, 9, 1), ef.GB18613_2012),
        (date(2021, 5, 31), ef.GB18613_2012),
        (date(2021, 6, 1), ef.GB18613_2020),
        (date(2005, 1, 1), ef.GB18613_2006),
        (date(2030, 1, 1), ef.GB18613_2020),
    ],
)
def test_edition_boundaries(day, edition):
    for dtype in (np.int32, np.int64):
        assert ef.edition_at(np.array([_day(day)], dtype=dtype)).tolist() == [edition]
    assert ef.edition_at(np.array([day.isoformat()], dtype="datetime64[D]")).tolist() == [edition]


def test_edition_at_nat_and_dtype():
    days = np.array(["NaT", "2021-06-01"], dtype="datetime64[D]")
    out = ef.edition_at(days)
    assert out.dtype == np.int8 and out.tolist() == [-1, 2]
    with pytest.raises(TypeError):
        ef.edition_at(np.array([1.5]))


# --------------------------------------------------------------------------- poles
def test_poles_from_speed():
    speeds = [1450, 2950, 980, 740, 3000, 1500, 1000, 750, 3001, 599, np.nan, 0]
    assert ef.poles_from_speed(speeds).tolist() == [4, 2, 6, 8, 2, 4, 6, 8, 0, 0, 0, 0]
    assert ef.poles_from_speed(np.array([None, 1450], dtype=object)).tolist() == [0, 4]


# ------------------------------------------------------------------------ baselines
def test_baseline_series():
    assert ef.BASELINE_SERIES == ("Y", "US_STANDARD", "EFF1", "EFF2")
    # old_motor_baselines.csv: Y160M-4 4 poles 11 kW 88 single_source_unverified;
    # EFF1 2 poles 11 kW 90.5 single_source; EFF2 2 poles 11 kW 88.4;
    # US STANDARD 4 poles 0.746 kW 81.1, 1.119 kW 81.7 (midpoint 0.9325 kW).
    eta, flags = ef.baseline_efficiency(
        ["Y", "EFF1", "EFF2", "US_STANDARD", "US_STANDARD"],
        [4, 2, 2, 4, 4],
        [11.0, 11.0, 11.0, 0.93, 1.1],
    )
    assert eta.tolist() == [88.0, 90.5, 88.4, 81.1, 81.7]
    assert flags.tolist() == [UNVERIFIED, 0, 0, MIDPOINT, MIDPOINT]


def test_baseline_not_covered_is_unknown():
    # EFF classes: 2 poles only; Y 8-pole starts at 2.2 kW; unknown or missing names
    eta, flags = ef.baseline_efficiency(["EFF1", "Y", "Z", None], [4, 8, 4, 4], 1.5)
    assert np.isnan(eta).all() and flags.tolist() == [UNKNOWN] * 4


# ------------------------------------------------------------------------- part load
def _amo(a, b, c, d, e, hp):
    return (a + b * math.exp(-c * hp) + d * math.exp(-e * hp)) / 100


# partload_amo_coefficients.csv, STANDARD, hp<=125, 4 poles, columns load25..load100
STD4 = {
    25: (89.3273544, -8.8647995, 0.0148274, -15.5345573, 0.1425448),
    50: (92.7246628, -6.3382502, 0.0197547, -12.6434078, 0.1994676),
    75: (93.4581299, -6.3839912, 0.0229227, -11.7203112, 0.2518388),
    100: (93.5225067, -7.8095098, 0.025956, -5.9152899, 0.2156732),
}


def test_partload_full_load_and_overload():
    ratio, flags = pl.partload_ratio("STANDARD", 4, 11.0, [1.0, 1.25])
    assert ratio[0] == 1.0
    assert ratio[1] == pytest.approx(0.99, abs=1e-12)
    assert flags.tolist() == [0, 0]


def test_partload_worked_by_hand():
    hp = 11.0 / 0.746
    e = {k: _amo(*v, hp) for k, v in STD4.items()}
    # 50 % load is a model point; 60 % is linear between 50 % and 75 %
    at60 = e[50] + (e[75] - e[50]) * (0.60 - 0.50) / 0.25
    # 10 % load: losses = 25 %-load loss x (0.8 + 0.2 x 0.10 / 0.25)
    loss25 = 0.25 * (1 / e[25] - 1)
    at10 = 0.10 / (0.10 + loss25 * (0.8 + 0.2 * 0.10 / 0.25))
    ratio, _ = pl.partload_ratio("STANDARD", 4, 11.0, [0.5, 0.6, 0.1])
    expected = [e[50] / e[100], at60 / e[100], at10 / e[100]]
    np.testing.assert_allclose(ratio, expected, rtol=1e-12)


def test_partload_unknown_cases():
    # zero load, over 125 %, PREMIUM has no 8-pole, unknown class, missing kW
    ratio, flags = pl.partload_ratio(
        ["STANDARD", "STANDARD", "PREMIUM", "BOGUS", "STANDARD"],
        [4, 4, 8, 4, 4],
        [11.0, 11.0, 11.0, 11.0, np.nan],
        [0.0, 1.3, 0.5, 0.5, 0.5],
    )
    assert np.isnan(ratio).all() and flags.tolist() == [UNKNOWN] * 5


def test_partload_non_physical_model_output_is_unknown():
    # PREMIUM, hp<=125, 4 poles, load100: d = -580792562.42929, e = 3.93458364930885; at
    # 0.75 kW (1.005 hp) d * exp(-e * hp) is about -1.1e7: full-load efficiency < 0.
    ratio, flags = pl.partload_ratio("PREMIUM", 4, 0.75, [0.5, 1.0])
    assert np.isnan(ratio).all() and flags.tolist() == [UNKNOWN, UNKNOWN]
