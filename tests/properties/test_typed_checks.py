"""Property tests: typed number and coded columns checked in one compiled pass read alike.

A float or integer column (Parquet, a DataFrame) is checked by one kernel per column
(:mod:`motorsub.kernels.checks`), and a coded text column by one pass over its look-up;
a column with a problem is checked again by ``validate``'s numpy form. With
``records.FAST_PATHS`` off every column goes through the numpy form and the general
parsers: both must give the same typed columns (NaN in the same places) and the same
reject bits on every row, for random columns of valid values with a few of every kind of
problem (nulls, NaN, infinities, zero and negative values, the bounds themselves,
fractions, numbers outside a set, unknown codes), in one or several chunks, sliced.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub import vocab
from motorsub.engine import records
from motorsub.kernels import checks

from .test_fast_parsers import _both, _equal

#: Usual values of each typed column, and values that are a problem somewhere.
USUAL = {
    "kw": [0.55, 15.0, 22.0, 315.0], "qty": [1, 2, 40], "grade": [1, 2, 3],
    "poles": [2, 4, 6, 8], "old_poles": [2, 4], "speed_rpm": [1480.0, 2950.0],
    "efficiency": [91.0, 93.6], "old_efficiency": [88.5], "hours": [4000.0, 8760.0],
    "load": [0.75, 1.0], "price": [0.0, 4200.5], "old_kw": [11.0, 15.0], "old_qty": [1, 3],
}  # fmt: skip
ODD = [
    None, float("nan"), float("inf"), -float("inf"), 0.0, -1.0, 0.5, 2.5, 5.0, 64.0, 100.0,
    100.5, 8760.0, 8761.0, 1e6, 1e6 + 1, 1e300, 99_999.0, 100_000.0, 1e-300, -0.0,
]  # fmt: skip
CODES = {
    "region": [*vocab.regions()[:3], "cn-sh", "CN-XX", "上海", None],
    "motor_type": [*vocab.MOTOR_TYPES, "LV_ASYNC", "diesel", None],
    "kind": [*vocab.KINDS, "New", "old", None],
    "old_series": ["Y", "JO2", "Y2", "y", None],
}
INTEGER_TYPES = (pa.int64(), pa.int32(), pa.int8())
FLOAT_TYPES = (pa.float64(), pa.float32())


def _column(data, name: str, n: int, odd: float) -> list:
    values = data.draw(st.lists(st.sampled_from(USUAL[name]), min_size=n, max_size=n))
    for i in range(n):
        if data.draw(st.floats(0, 1)) < odd:
            values[i] = data.draw(st.sampled_from(ODD))
    return values


def _arrow(data, values: list, chunks: int) -> pa.ChunkedArray:
    whole = all(v is None or (v == v and abs(v) < 1e18 and v == int(v)) for v in values)
    kinds = FLOAT_TYPES + (INTEGER_TYPES if whole else ())
    t = data.draw(st.sampled_from(kinds))
    if pa.types.is_integer(t):
        info = np.iinfo(t.to_pandas_dtype())
        if any(v is not None and not info.min <= v <= info.max for v in values):
            t = pa.int64()
        values = [None if v is None else int(v) for v in values]
    cuts = sorted(
        {0, len(values), *(data.draw(st.integers(0, len(values))) for _ in range(chunks))}
    )
    return pa.chunked_array(
        [pa.array(values[a:b], t) for a, b in itertools.pairwise(cuts)] or [pa.array([], t)], t
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_typed_columns_read_alike(data):
    n = data.draw(st.integers(1, 60))
    odd = data.draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))
    chunks = data.draw(st.integers(0, 3))
    columns = {
        "record_id": pa.array([f"R{i}" for i in range(n)]),
        "sale_date": pa.array(["2012-05-10"] * n),
    }
    for name, values in CODES.items():
        odd_codes = data.draw(st.booleans())
        pool = values if odd_codes else [v for v in values[:3] if v is not None]
        columns[name] = pa.array(data.draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    columns["trade_in"] = pa.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    for name in USUAL:
        if name in vocab.REQUIRED or data.draw(st.integers(0, 9)):  # sometimes absent
            columns[name] = _arrow(data, _column(data, name, n, odd), chunks)
    table = pa.table(columns)
    start = data.draw(st.integers(0, n - 1))
    for part in (table, table.slice(start)):
        fast, reference = _both(part)
        _equal(fast.cols, reference.cols)
        assert np.array_equal(fast.reject, reference.reject)


def test_long_typed_columns_read_alike():
    """Tables long enough for the look-ups and parsers to run in threads, valid and with a
    problem in the last row of each column in turn."""
    n = records.PARALLEL_ROWS + 3
    rng = np.random.default_rng(5)
    base = {
        "record_id": pa.array([f"R{i}" for i in range(n)]),
        "sale_date": pa.array(["2012-05-10"] * n),
        "region": pa.array(rng.choice(vocab.regions()[:5], n)),
        "motor_type": pa.array(rng.choice(vocab.MOTOR_TYPES, n)),
        "kind": pa.array(rng.choice(vocab.KINDS, n)),
        "trade_in": pa.array(rng.random(n) < 0.5),
        "old_series": pa.array(rng.choice(["Y", "JO2", "EFF1"], n)),
    }
    for name, usual in USUAL.items():
        values = rng.choice(usual, n).astype(np.float64)
        values[rng.random(n) < 0.2] = np.nan
        base[name] = pa.array(values, from_pandas=True)  # NaN as null, as from pandas
    for odd in [None, *USUAL]:
        columns = dict(base)
        if odd is not None:
            values = columns[odd].to_numpy(zero_copy_only=False).copy()
            values[-1] = -7.5
            columns[odd] = pa.array(values, from_pandas=True)
        fast, reference = _both(pa.table(columns))
        _equal(fast.cols, reference.cols)
        assert np.array_equal(fast.reject, reference.reject)
        if odd is not None:  # -7.5 is bad for every number column
            assert f"BAD_{odd.upper()}" in records.problem_names(fast.reject[-1])


# -------------------------------------------------------------- the kernels, worked by hand


def _floats(values):
    data = np.array([np.nan if v is None else v for v in values], np.float64)
    return data, data.view(np.int64), np.array([v is not None for v in values])


@pytest.mark.parametrize(
    ("lo_open", "hi_open", "problems"),
    [(False, False, 2), (True, False, 3), (False, True, 3), (True, True, 4)],
)
def test_bounded_counts_values_outside_the_bounds(lo_open, hi_open, problems):
    # 0 and 10 are the bounds; -1 and 11 are outside whichever way; a null is no problem
    data, bits, valid = _floats([-1.0, 0.0, 5.0, 10.0, 11.0, None])
    values = np.zeros(6, np.int64)
    need = np.zeros(6, np.bool_)
    n = checks.bounded(data, bits, valid, 0.0, 10.0, lo_open, hi_open, need, values)
    assert n == problems
    got = values.view(np.float64)
    assert got[:5].tolist() == [-1.0, 0.0, 5.0, 10.0, 11.0] and np.isnan(got[5])


def test_bounded_counts_missing_values_where_needed():
    data, bits, valid = _floats([None, None, float("nan"), 3.0])
    need = np.array([True, False, True, True])
    n = checks.bounded(data, bits, valid, 0.0, 10.0, False, False, need, np.zeros(0, np.int64))
    assert n == 2  # rows 0 and 2: missing where needed; row 1 is not needed


def test_whole_counts_fractions_and_numbers_not_allowed():
    data, _, valid = _floats([2.0, 4.0, 2.5, 5.0, None, 64.0, -2.0])
    out = np.full(7, 99, np.int8)
    poles = np.uint64((1 << 2) | (1 << 4) | (1 << 6) | (1 << 8))
    need = np.zeros(7, np.bool_)
    n = checks.whole(data, valid, -np.inf, np.inf, poles, need, 0, out)
    assert n == 4  # 2.5 (a fraction), 5, 64 and -2 (not a pole count)
    assert out.tolist() == [2, 4, 0, 0, 0, 0, 0]


def test_whole_counts_numbers_outside_the_bounds():
    data, _, valid = _floats([1.0, 0.0, 1e6, 1e6 + 1, 3.0])
    out = np.zeros(5, np.int64)
    n = checks.whole(data, valid, 1.0, 1e6, np.uint64(0), np.zeros(5, np.bool_), 1, out)
    assert n == 2
    assert out.tolist() == [1, 1, 1_000_000, 1, 3]


def test_coded_reads_nulls_as_the_last_entry():
    index = np.array([0, 1, 7, 1], np.int32)  # row 2 is null: its index is anything
    valid = np.array([True, True, False, True])
    value = np.array([5, 6, -1])  # two known texts, then the null
    out = np.zeros(4, np.int16)
    assert checks.coded(index, valid, value, np.array([False, False, True]), out) == 1
    assert out.tolist() == [5, 6, -1, 6]


def _plain_by_hand(values) -> bool:
    """Every value given starts and ends with a byte 0x21..0x7E (printable ASCII, not a
    space), read from its UTF-8 bytes one value at a time."""
    for v in values:
        if v:
            b = v.encode()
            if not (0x20 < b[0] < 0x7F and 0x20 < b[-1] < 0x7F):
                return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.sampled_from(["R1", " R2", "R3 ", "", "é", "R\u00e9", "a"]),
                  st.text(max_size=4)),
        max_size=30,
    ),
    large=st.booleans(),
    start=st.integers(0, 5),
)  # fmt: skip
def test_plain_edges_read_from_the_bytes_as_by_hand(values, large, start):
    arr = pa.chunked_array([pa.array(values, pa.large_string() if large else pa.string())])
    arr = arr.slice(min(start, len(values)))
    assert records.plain_edges(arr) == _plain_by_hand(arr.to_pylist())
