"""Property test: the money and energy output columns computed in one compiled pass
(motorsub.kernels.outputs.money) equal numpy's form of the same operations, to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub import _jit
from motorsub.engine import columns
from motorsub.kernels.savings import empty_savings
from motorsub.kernels.subsidy import SubsidyResult
from motorsub.model.profile import settings as profile_settings

figures = st.one_of(
    st.floats(-1e6, 1e9, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-6),
    st.just(np.nan),
    st.just(0.0),
    st.just(-0.0),
)


needs_kernels = pytest.mark.skipif(
    _jit.python(), reason="kernels run as plain Python: the one pass is numpy's form itself"
)


@needs_kernels
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_one_pass_equals_numpy(data):
    n = data.draw(st.integers(0, 30))
    components = data.draw(st.integers(1, 4))
    fen = np.array(
        data.draw(st.lists(st.integers(0, 10**12), min_size=n * components,
                           max_size=n * components)), np.int64,
    ).reshape(components, n)  # fmt: skip
    cols = {
        "price": np.array(data.draw(st.lists(figures, min_size=n, max_size=n)), np.float64),
        "qty": np.array(data.draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n)),
                        np.int64),
    }  # fmt: skip
    sav = empty_savings(n)
    for name in ("kwh_per_year", "tce_per_year", "tco2_per_year"):
        getattr(sav, name)[:] = data.draw(st.lists(figures, min_size=n, max_size=n))
    res = SubsidyResult(fen, None, None, None, None)
    tariff = data.draw(st.one_of(st.none(), st.floats(0.01, 5)))
    life = data.draw(st.one_of(st.none(), st.floats(1, 40)))
    prof = profile_settings(tariff=tariff, life_years=life)

    def run(form):
        total, net = np.full(n, 7.0), np.full(n, 7.0)
        lifetimes = [np.full(n, 7.0) for _ in range(3)] if life is not None else []
        bill, payback = (np.full(n, 7.0), np.full(n, 7.0)) if tariff is not None else (None, None)
        form(res, cols, sav, prof, total, net, lifetimes, bill, payback)
        return [total, net, *lifetimes, *((bill, payback) if bill is not None else ())]

    for mine, numpy_form in zip(run(columns._money), run(columns.money_numpy)):
        assert np.array_equal(mine.view(np.int64), numpy_form.view(np.int64))  # to the bit


@needs_kernels
def test_lines_split_between_threads_equal_numpy():
    """40,000 lines: more than one chunk (``_jit.in_threads``), so chunk edges are met."""
    rng = np.random.default_rng(5)
    n = 40_000
    fen = rng.integers(0, 10**9, (3, n))
    cols = {"price": rng.uniform(0, 1e5, n), "qty": rng.integers(1, 50, n)}
    sav = empty_savings(n)
    for name in ("kwh_per_year", "tce_per_year", "tco2_per_year"):
        figure = rng.uniform(-1e3, 1e6, n)
        figure[rng.random(n) < 0.1] = np.nan
        getattr(sav, name)[:] = figure
    res = SubsidyResult(fen, None, None, None, None)
    prof = profile_settings(tariff=0.8, life_years=15)
    outs = []
    for form in (columns._money, columns.money_numpy):
        out = [np.full(n, 7.0) for _ in range(7)]
        form(res, cols, sav, prof, out[0], out[1], out[2:5], out[5], out[6])
        outs.append(out)
    for mine, numpy_form in zip(*outs):
        assert np.array_equal(mine.view(np.int64), numpy_form.view(np.int64))
