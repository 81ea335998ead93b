"""Numbering distinct keys in the order they first occur (motorsub.kernels.convert), worked
by hand, and the object columns of a DataFrame converted through it."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from motorsub.engine import frames
from motorsub.kernels.convert import first_codes


def _run(keys, bits=4, most=8):
    keys = np.array(keys, np.uint64)
    codes, first = np.full(len(keys), -9, np.int32), np.full(most, -9, np.int64)
    m = first_codes(keys, np.full(1 << bits, -1, np.int64), bits, codes, first)
    return m, codes.tolist(), first[: max(m, 0)].tolist()


def test_keys_are_numbered_in_the_order_they_first_occur():
    # 5 first at row 0, 7 at row 1, 9 at row 3; 2**40 + 5 is another key than 5
    assert _run([5, 7, 5, 9, 7, 2**40 + 5]) == (4, [0, 1, 0, 2, 1, 3], [0, 1, 3, 5])


def test_more_keys_than_numbers_allowed_is_refused():
    assert _run([1, 2, 3], most=2)[0] == -1


def test_a_table_half_full_asks_for_a_larger_one():
    # 2**2 slots hold at most 2 keys
    assert _run([1, 2, 3], bits=2)[0] == -2
    assert _run([1, 2, 1, 2], bits=2)[:2] == (2, [0, 1, 0, 1])


def test_thousands_of_distinct_dates_grow_the_table_and_equal_the_plain_conversion():
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=i) for i in range(5000)]
    series = pd.Series(days * 9, dtype=object)  # 5000 objects, each shared by nine rows
    assert frames._objects(series).equals(pa.Array.from_pandas(series))


def test_a_long_frame_converted_in_threads_refuses_as_a_loop_does():
    """The columns of a long frame are converted in threads; the error is the one of the
    first column (in the frame's order) that pyarrow refuses."""
    n = frames.OBJECT_ROWS
    mixed = pd.Series([dt.date(2012, 5, 10), "x"] * (n // 2), dtype=object)
    other = pd.Series([1, "a"] * (n // 2), dtype=object)  # refused otherwise
    df = pd.DataFrame({"kw": np.ones(n), "first": mixed, "second": other})
    with pytest.raises(pa.ArrowTypeError) as first:
        pa.Array.from_pandas(df["first"])
    with pytest.raises(type(first.value), match=re.escape(str(first.value))):
        frames._pandas_table(df)


def test_a_long_frame_converted_in_threads_equals_the_plain_conversion():
    """Except the number columns the engine reads (here ``额定功率(kW)``, read as kW),
    whose NaN stays a value; another float column has NaN as null, as pyarrow gives it."""
    n = frames.OBJECT_ROWS + 5
    rng = np.random.default_rng(3)
    kw = rng.random(n)
    kw[rng.random(n) < 0.3] = np.nan
    days = [dt.date(2012, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 900, 40)]
    df = pd.DataFrame({
        "额定功率(kW)": kw, "qty": rng.integers(1, 9, n), "sale_date": pd.Series(
            [days[i] for i in rng.integers(0, 40, n)], dtype=object),
        "region": pd.Series(rng.choice(["CN-SH", "CN-JS", None], n), dtype="str"),
        "note": kw[::-1].copy(),
    })  # fmt: skip
    plain = pa.Table.from_pandas(df, preserve_index=False)
    table, nan = frames._pandas_table(df)
    assert nan == {"kw"}
    assert table.column("额定功率(kW)").null_count == 0
    assert np.array_equal(table.column("额定功率(kW)").to_numpy(), kw, equal_nan=True)
    assert table.schema.equals(plain.schema)
    assert table.drop_columns(["额定功率(kW)"]).equals(plain.drop_columns(["额定功率(kW)"]))
    assert table.column("note").null_count == np.isnan(kw).sum() > 0
