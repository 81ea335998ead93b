"""The fused savings kernel equals the per-record reference on random records."""

import datetime as dt
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from reference_savings import savings_ref

from motorsub import vocab
from motorsub.kernels.savings import SOURCES, savings
from motorsub.model.profile import settings
from motorsub.reasons import Reason

EPOCH = dt.date(1970, 1, 1)
SAVINGS_FLAGS = {r.name for r in Reason if r >= Reason.EFFICIENCY_BELOW_GRADE}
EDGE_DATES = [dt.date(2012, 8, 31), dt.date(2012, 9, 1), dt.date(2021, 5, 31), dt.date(2021, 6, 1)]
RATINGS = [0.55, 0.75, 1.1, 7.5, 11, 15, 22, 90, 200, 250, 315, 375, 400, 1000]


def _kw():
    return st.one_of(st.sampled_from(RATINGS), st.integers(100, 1_200_000).map(lambda x: x / 1000))


def _maybe(strategy):
    return st.one_of(st.none(), strategy)


records = st.fixed_dictionaries(
    {
        "day": st.one_of(
            st.sampled_from(EDGE_DATES), st.dates(dt.date(2009, 1, 1), dt.date(2024, 12, 31))
        ),
        "region": st.sampled_from(["CN-SH", "CN-JS", "CN-BJ", "CN-GD"]),
        "motor_type": st.sampled_from(vocab.MOTOR_TYPES),
        "grade": _maybe(st.integers(1, 3)),
        "poles": _maybe(st.sampled_from([2, 4, 6, 8])),
        "speed_rpm": _maybe(st.sampled_from([2950.0, 1460.0, 975.0, 740.0, 500.0, 3100.0])),
        "kw": _kw(),
        "qty": st.integers(1, 50),
        "efficiency": _maybe(st.floats(60, 99, allow_nan=False).map(lambda x: round(x, 1))),
        "trade_in": st.booleans(),
        "old_kw": _kw(),
        "old_qty": st.integers(1, 50),
        "old_efficiency": _maybe(st.floats(60, 99).map(lambda x: round(x, 1))),
        "old_series": _maybe(st.sampled_from(["Y", "US_STANDARD", "EFF1", "EFF2", "JO2"])),
        "old_poles": _maybe(st.sampled_from([2, 4, 6, 8])),
        "hours": _maybe(st.floats(0, 8784).map(lambda x: round(x))),
        "load": _maybe(st.floats(0.05, 1.25).map(lambda x: round(x, 2))),
    }
)

run_settings = st.builds(
    settings,
    hours=st.one_of(st.none(), st.just(4000.0)),
    load=st.one_of(st.none(), st.just(0.75)),
    part_load=st.booleans(),
    grid_factor=st.one_of(st.none(), st.just("shanghai")),
)


def _cols(recs):
    def arr(key, dtype, missing):
        return np.array([missing if r[key] is None else r[key] for r in recs], dtype=dtype)

    series = {s: i for i, s in enumerate(("Y", "US_STANDARD", "EFF1", "EFF2"))}
    return {
        "day": np.array([(r["day"] - EPOCH).days for r in recs], dtype=np.int32),
        "region": np.array([vocab.regions().index(r["region"]) for r in recs], dtype=np.int16),
        "motor_type": np.array(
            [vocab.MOTOR_TYPES.index(r["motor_type"]) for r in recs], dtype=np.int8
        ),
        "grade": arr("grade", np.int8, 0),
        "poles": arr("poles", np.int8, 0),
        "old_poles": arr("old_poles", np.int8, 0),
        "speed_rpm": arr("speed_rpm", np.float64, np.nan),
        "kw": arr("kw", np.float64, np.nan),
        "qty": arr("qty", np.int64, 1),
        "efficiency": arr("efficiency", np.float64, np.nan),
        "trade_in": arr("trade_in", np.bool_, False),
        "old_kw": np.array([r["old_kw"] if r["trade_in"] else np.nan for r in recs]),
        "old_qty": arr("old_qty", np.int64, 1),
        "old_efficiency": arr("old_efficiency", np.float64, np.nan),
        "old_series": np.array([series.get(r["old_series"], -1) for r in recs], dtype=np.int8),
        "hours": arr("hours", np.float64, np.nan),
        "load": arr("load", np.float64, np.nan),
    }


def _same(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@given(st.lists(records, min_size=1, max_size=30), run_settings)
def test_savings_kernel_equals_reference(recs, s):
    out = savings(_cols(recs), s)
    for i, r in enumerate(recs):
        ref = savings_ref(
            {
                **r,
                "day": (r["day"] - EPOCH).days,
                "region": vocab.regions().index(r["region"]),
                "old_kw": r["old_kw"] if r["trade_in"] else None,
            },
            s,
        )
        assert _same(out.eta_new[i], ref["eta_new"]), (i, r)
        assert _same(out.eta_old[i], ref["eta_old"]), (i, r)
        assert SOURCES[out.eta_new_source[i]] == ref["source_new"], (i, r)
        assert SOURCES[out.eta_old_source[i]] == ref["source_old"], (i, r)
        assert _same(out.kwh_per_year[i], ref["kwh"]), (i, r)
        assert _same(out.tce_per_year[i], ref["tce"]), (i, r)
        assert _same(out.tco2_per_year[i], ref["tco2"]), (i, r)
        got = {x.name for x in Reason if int(out.reasons[i]) >> int(x) & 1}
        assert got == ref["flags"], (i, r)
        assert got <= SAVINGS_FLAGS
        assert not math.isinf(out.kwh_per_year[i])
