"""Property tests of the subsidy kernel's fast path: outcomes resolved once per kW band.

The kernel reads each line's outcome from a table worked out at one kW per band
(:func:`motorsub.kernels.subsidy.kw_bands`); that is exact only if every kW of a band lies
inside exactly the same intervals as the band's own kW, for every interval whose finite
ends are among the band ends, open or closed at either end. A line's band and period
are read from bucketed lookups (:func:`motorsub.kernels.subsidy.kw_lookup`,
``day_lookup``), which must count the ends below a kW, or the days on or before a day,
exactly as a count over every end would. The comparison with the plain-Python reference
over whole lines is in ``test_kernel_vs_reference.py``.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from motorsub.kernels.subsidy import day_lookup, day_period, kw_band, kw_bands, kw_lookup

ends = st.lists(
    st.floats(0.0, 1e5, allow_nan=False) | st.sampled_from((0.0, 0.55, 22.0, 315.0)),
    max_size=8,
)


def inside(x: float, lo: float, hi: float, lo_closed: bool, hi_closed: bool) -> bool:
    return (x >= lo if lo_closed else x > lo) and (x <= hi if hi_closed else x < hi)


def kw_near(points: np.ndarray, anywhere: st.SearchStrategy) -> st.SearchStrategy:
    """A kW on an end, a hair either side of one, or ``anywhere``."""
    near = [math.nextafter(p, d) for p in points for d in (-math.inf, math.inf)]
    return (st.sampled_from([*points, *near]) if len(points) else st.nothing()) | anywhere


@given(ends=ends, data=st.data())
def test_every_kw_of_a_band_is_inside_the_same_intervals_as_the_band(ends, data):
    points = np.unique(np.array(ends, dtype=np.float64))
    x = data.draw(kw_near(points, st.floats(1e-6, 2e5, allow_nan=False)))
    reps = kw_bands(points)
    band = int(kw_band(*kw_lookup(points), x))
    assert 0 <= band < len(reps)
    rep = reps[band]
    bounds = [-math.inf, *points.tolist(), math.inf]
    for lo in bounds:
        for hi in bounds:
            for lo_closed in (False, True):
                for hi_closed in (False, True):
                    assert inside(x, lo, hi, lo_closed, hi_closed) == inside(
                        rep, lo, hi, lo_closed, hi_closed
                    ), (x, rep, lo, hi, lo_closed, hi_closed)


def test_bands_of_the_shipped_ends_by_hand():
    # ends 0.55 and 22: below, on 0.55, between, on 22, above
    lookup = kw_lookup(np.array([0.55, 22.0]))
    assert [int(kw_band(*lookup, x)) for x in (0.37, 0.55, 7.5, 22.0, 22.001)] == [0, 1, 2, 3, 4]


def count_band(points: np.ndarray, x: float) -> int:
    """The band by its definition: twice the ends below ``x``, plus one if ``x`` is one."""
    return 2 * int(np.sum(points < x)) + int(np.any(points == x))


# ends that crowd a bucket: a milliwatt apart, a hair apart, zero, negative, huge, tiny
crowded = st.lists(
    st.floats(-1e3, 1e12, allow_nan=False, allow_infinity=False)
    | st.sampled_from((0.0, 22.0, 22.001, math.nextafter(22.0, 23.0), 5e-324, 1e-300)),
    max_size=12,
)


@given(ends=crowded, data=st.data())
def test_the_kw_lookup_counts_as_a_count_over_every_end(ends, data):
    points = np.unique(np.array(ends, dtype=np.float64))
    signed_zeros_and_infinities = st.sampled_from((0.0, -0.0, math.inf, -math.inf))
    x = data.draw(kw_near(points, st.floats(allow_nan=False) | signed_zeros_and_infinities))
    assert int(kw_band(*kw_lookup(points), x)) == count_band(points, x)


def test_a_kw_band_by_hand_where_ends_crowd_one_bucket():
    # 22 and 22.001 differ from the 11th bit of the mantissa on: both ends must be
    # counted whether or not they share a bucket; NaN is in no band (band 0)
    points = np.array([0.0, 22.0, 22.001, 315.0])
    lookup = kw_lookup(points)
    xs = (-1.0, 0.0, 1.0, 22.0, 22.0005, 22.001, 100.0, 315.0, 1e9, math.nan)
    assert [int(kw_band(*lookup, x)) for x in xs] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 0]


days = st.integers(-(2**31), 2**31 - 1)


@given(
    ends=st.lists(days | st.integers(14_000, 18_000) | st.just(2**31), max_size=10),
    data=st.data(),
)
def test_the_day_lookup_counts_as_a_count_over_every_day(ends, data):
    # 2**31: the day after a version with no end, which no int32 day reaches
    points = np.unique(np.array(ends, dtype=np.int64))
    near = [int(p) + k for p in points for k in (-1, 0, 1) if -(2**31) <= p + k < 2**31]
    d = data.draw((st.sampled_from(near) if near else st.nothing()) | days)
    assert int(day_period(*day_lookup(points), np.int32(d))) == int(np.sum(points <= d))


def test_periods_by_hand():
    # versions from day 100 to 199 and from 200 on, with no end: periods begin on 100,
    # 200 and (never reached) 2**31
    lookup = day_lookup(np.array([100, 200, 2**31]))
    ds = (-(2**31), 99, 100, 199, 200, 2**31 - 1)
    assert [int(day_period(*lookup, np.int32(d))) for d in ds] == [0, 0, 1, 1, 2, 2]
    # days far apart: buckets of several days, and a day inside a bucket compared
    lookup = day_lookup(np.array([0, 3, 50_000, 50_001]))
    assert lookup.base[1] > 0
    ds = (-1, 0, 2, 3, 49_999, 50_000, 50_001, 10**6)
    assert [int(day_period(*lookup, np.int32(d))) for d in ds] == [0, 1, 1, 2, 2, 3, 4, 4]
