"""Property tests: validation with its whole-column fast paths equals validation value by value.

``records.FAST_PATHS`` switches off the look-up of usual spellings, the whole-column cast
of plain decimals and ISO dates and the check of record ids by their first and last
bytes; every value is then parsed by ``records._per_value``, the general rules. On random
columns of text (usual codes in any case, office numbers and dates, hostile text:
padding, full-width forms, ideographic spaces, control characters, nan/inf, signs,
exponents, impossible dates) and of typed values, both must give the same typed columns
(NaN in the same places) and the same reject bits on every row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub import vocab
from motorsub.engine import records

CODES = (
    *vocab.regions()[:4], *vocab.MOTOR_TYPES, *vocab.KINDS, "Y", "y", "Y2", "EFF1",
    "true", "False", "TRUE", "yes", "N", "是", "否", "1", "0", "2", "3", "4", "8",
)  # fmt: skip
OFFICE = (
    "上海市", "上海", "江苏", "低压三相异步电动机", "再制造", "新品", "2级", "二级", "一级",
    "5,200", "1,234,567.5", "5,2", "５２００", "１５", "92.5%", "75 %", "７５％", "%",
    "2013年5月10日", "2013.05.10", "20130510", "2013/5/10 0:00", "2013/05/10", "2012-2-3",
    "2012-02-30", "2013-02-29", "2012-02-29", "0000-01-01", "0001-01-01", "9999-12-31",
    "1969-12-31", "2012-13-01",
)  # fmt: skip
HOSTILE = (
    "", " ", "\u3000", "\t2\t", " 15 ", "1e3", "1E+3", ".5", "5.", "+5", "-15", "--1", "1e",
    "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "0x10", "1_000", "١٢", "1.0", "2.0",
    "2.5", "0", "0.925", "=1+1", "\x00", "\u200b", "é", "e\u0301", " CN-SH", "cn-sh ",
    "Ｃｎ－ｓｈ", "LV_ASYNC", "Reman", "NEW\n", "2010-09-01 ", " 2010-09-01", "2010-09-01",
)  # fmt: skip

text = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(OFFICE),
    st.sampled_from(HOSTILE),
    st.text(max_size=6),
    st.from_regex(r"[-+]?\d{1,4}(\.\d{0,3})?([eE][-+]?\d{1,2})?", fullmatch=True),
    st.dates().map(lambda d: d.isoformat()),
    st.none(),
)
ENGINE = list(records.COLUMNS)


def _equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        assert x.dtype == y.dtype, name
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert np.array_equal(x, y), name


def _both(table: pa.Table) -> tuple[records.Records, records.Records]:
    fast = records.validate(table)
    records.FAST_PATHS = False
    try:
        reference = records.validate(table)
    finally:
        records.FAST_PATHS = True
    return fast, reference


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_text_columns_read_alike(data):
    n = data.draw(st.integers(1, 40))
    table = pa.table(
        {name: pa.array(data.draw(st.lists(text, min_size=n, max_size=n)), pa.string())
         for name in ENGINE}
    )  # fmt: skip
    fast, reference = _both(table)
    _equal(fast.cols, reference.cols)
    assert np.array_equal(fast.reject, reference.reject)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_mostly_usual_columns_read_alike(data):
    """A long column of usual values with a few others: the look-up serves most rows
    and the general rules the rest, in threads once the table is long enough."""
    n = records.PARALLEL_ROWS + 10
    rare = data.draw(st.lists(st.tuples(st.integers(0, n - 1), text), max_size=8))
    usual = {
        "record_id": "R1", "sale_date": "2012-05-10", "region": "CN-SH",
        "motor_type": "lv_async", "kw": "15", "qty": "2", "grade": "2", "poles": "4",
        "efficiency": "92.5", "kind": "reman", "trade_in": "true", "old_kw": "11",
        "old_series": "Y", "hours": "4000", "load": "0.75", "price": "4200",
    }  # fmt: skip
    columns = {}
    for name in ENGINE:
        values = [usual.get(name)] * n
        for at, value in rare:
            if hash((name, at)) % 3 == 0:
                values[at] = value
        columns[name] = pa.array(values, pa.string())
    fast, reference = _both(pa.table(columns))
    _equal(fast.cols, reference.cols)
    assert np.array_equal(fast.reject, reference.reject)


@pytest.mark.parametrize("typed", [pa.float64(), pa.int64(), pa.large_string()])
def test_typed_and_large_text_columns_read_alike(typed):
    values = [15, None, 2, 4, 0, -1, 300_000, 7]
    array = pa.array(
        [None if v is None else (str(v) if typed == pa.large_string() else v) for v in values],
        typed,
    )
    table = pa.table(
        {
            "record_id": pa.array([f"R{i}" for i in range(8)], pa.large_string()),
            "sale_date": pa.array(["2012-05-10"] * 7 + [" 2012-05-10"], pa.large_string()),
            "region": pa.array(["CN-SH"] * 4 + ["上海", None, "cn-sh", "XX"], pa.large_string()),
            "motor_type": pa.array(["lv_async"] * 8, pa.large_string()),
            **{name: array for name in ("kw", "qty", "grade", "poles", "old_kw", "hours")},
        }
    )
    fast, reference = _both(table)
    _equal(fast.cols, reference.cols)
    assert np.array_equal(fast.reject, reference.reject)
