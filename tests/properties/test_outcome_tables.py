"""Property tests of the subsidy kernel's fast path: outcomes resolved once per kW band.

The kernel reads each line's outcome from a table worked out at one kW per band
(:func:`motorsub.kernels.subsidy.kw_bands`); that is exact only if every kW of a band lies
inside exactly the same intervals as the band's own kW, for every interval whose finite
ends are among the band ends, open or closed at either end. The comparison with the
plain-Python reference over whole lines is in ``test_kernel_vs_reference.py``.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from motorsub.kernels.subsidy import kw_band, kw_bands

ends = st.lists(
    st.floats(0.0, 1e5, allow_nan=False) | st.sampled_from((0.0, 0.55, 22.0, 315.0)),
    max_size=8,
)


def inside(x: float, lo: float, hi: float, lo_closed: bool, hi_closed: bool) -> bool:
    return (x >= lo if lo_closed else x > lo) and (x <= hi if hi_closed else x < hi)


@given(ends=ends, data=st.data())
def test_every_kw_of_a_band_is_inside_the_same_intervals_as_the_band(ends, data):
    points = np.unique(np.array(ends, dtype=np.float64))
    # a kW on an end, a hair either side of one, or anywhere
    near = [math.nextafter(p, d) for p in points for d in (-math.inf, math.inf)]
    x = data.draw(
        (st.sampled_from([*points, *near]) if len(points) else st.nothing())
        | st.floats(1e-6, 2e5, allow_nan=False)
    )
    reps = kw_bands(points)
    band = int(kw_band(np.concatenate([points, [np.inf]]), x))
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
    points = np.array([0.55, 22.0, np.inf])
    assert [int(kw_band(points, x)) for x in (0.37, 0.55, 7.5, 22.0, 22.001)] == [0, 1, 2, 3, 4]
