"""Numbering distinct keys in the order they first occur (motorsub.kernels.convert), worked
by hand, and the object columns of a DataFrame converted through it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

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
