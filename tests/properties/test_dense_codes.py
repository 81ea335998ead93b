"""Dense codes of text keys (``motorsub.kernels.keys.dense_codes``) number keys as a plain
dictionary does, in the order keys first come, and as pyarrow's ``dictionary_encode``.

Worked by hand: keys a, ∅, b, a, "", ∅, b, c, "" → codes 0, -1, 1, 0, 2, -1, 1, 3, 2 (the
empty string is a key, a null is none) and first rows 0, 2, 4, 7.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub.kernels import keys as K
from motorsub.kernels.keys import dense_codes, numpy_codes


def reference(values: list[str | None], within: list[int] | None = None):
    """Codes and first rows by a Python dict, row after row."""
    seen: dict[tuple, int] = {}
    codes, first = [], []
    for i, v in enumerate(values):
        if v is None:
            codes.append(-1)
            continue
        key = (v, within[i] if within is not None else 0)
        if key not in seen:
            seen[key] = len(seen)
            first.append(i)
        codes.append(seen[key])
    return codes, first


def test_worked_by_hand():
    codes, first = dense_codes(pa.array(["a", None, "b", "a", "", None, "b", "c", ""]))
    assert codes.tolist() == [0, -1, 1, 0, 2, -1, 1, 3, 2]
    assert first.tolist() == [0, 2, 4, 7]


def test_within_qualifies_a_key():
    # "x" of group 1, "x" of group 2, "y" of group 1, "x" of group 1 again
    codes, first = dense_codes(pa.array(["x", "x", "y", "x"]), np.array([1, 2, 1, 1]))
    assert codes.tolist() == [0, 1, 2, 0]
    assert first.tolist() == [0, 1, 2]


def test_empty_and_all_null():
    codes, first = dense_codes(pa.array([], pa.string()))
    assert len(codes) == 0 and len(first) == 0
    codes, first = dense_codes(pa.array([None, None], pa.string()))
    assert codes.tolist() == [-1, -1] and len(first) == 0


# few distinct characters and short keys: many equal keys, and keys sharing a prefix
_keys = st.lists(st.one_of(st.none(), st.text(alphabet="ab中\x1f", max_size=4)), max_size=200)


@settings(max_examples=300, deadline=None)
@given(_keys, st.integers(0, 5), st.sampled_from([pa.string(), pa.large_string()]))
def test_equals_a_dictionary(values, cut, kind):
    arr = pa.array(values, kind).slice(min(cut, len(values)))  # an offset into the buffers
    codes, first = dense_codes(arr)
    want_codes, want_first = reference(values[min(cut, len(values)) :])
    assert codes.tolist() == want_codes
    assert first.tolist() == want_first
    enc = pc.dictionary_encode(arr)
    assert codes.tolist() == pc.fill_null(enc.indices, -1).to_pylist()
    assert arr.take(pa.array(first, pa.int64())).equals(enc.dictionary.cast(arr.type))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["", "a", "ab", "b"])),
                          st.integers(0, 3)), max_size=100))  # fmt: skip
def test_within_equals_a_dictionary_of_pairs(rows):
    values = [v for v, _ in rows]
    within = [w for _, w in rows]
    codes, first = dense_codes(pa.array(values, pa.string()), np.array(within, np.int64))
    want_codes, want_first = reference(values, within)
    assert codes.tolist() == want_codes
    assert first.tolist() == want_first


def test_a_chunked_array_is_coded_whole():
    arr = pa.chunked_array([["b", "a"], ["a", None, "b"]])
    codes, first = dense_codes(arr)
    assert codes.tolist() == [0, 1, 1, -1, 0]
    assert first.tolist() == [0, 1]


@pytest.mark.parametrize("sample", [K.SAMPLE_ROWS, 4])
def test_the_table_grows_and_keeps_every_code(monkeypatch, sample):
    """5,000 distinct keys, each twice (the second time in reverse order). Sampled whole,
    the table starts at 64 slots and doubles seven times while keys are met; sampled from
    4 rows of one key, the table for every row is sized for a handful of keys and doubles
    while the real codes are made."""
    monkeypatch.setattr(K, "SAMPLE_ROWS", sample)
    keys = ["SN00000"] * 4 + [f"SN{i:05d}" for i in range(5000)]
    codes, first = dense_codes(pa.array(keys + keys[::-1]))
    assert codes.tolist() == [0] * 4 + list(range(5000)) + list(range(4999, -1, -1)) + [0] * 4
    assert first.tolist() == [0, *range(5, 5004)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["", "a", "ab", "b", "中"])),
                          st.integers(0, 7)), max_size=150), st.booleans())  # fmt: skip
def test_the_numpy_form_equals_a_dictionary(rows, qualified):
    """The form plain-Python runs use (dictionary_encode and np.unique) against the dict."""
    values = [v for v, _ in rows]
    within = [w for _, w in rows] if qualified else None
    codes, first = numpy_codes(
        pa.array(values, pa.string()), None if within is None else np.array(within, np.int64)
    )
    want_codes, want_first = reference(values, within)
    assert codes.tolist() == want_codes
    assert first.tolist() == want_first
