"""``motorsub.compute`` works through a table in slices (:mod:`motorsub.engine.frames`);
the result must be the one pass's, whatever the slice length.

The lines are those of ``tests/test_api_frames.py`` (A, B, C computed, D rejected), worked
out by hand there: A 525.00 national; B 10 400.00 national + 8 000.00 buy-back; C 330.00
buy-back + 675.00 remanufacture. Repeated ``REPEAT`` times, the totals are REPEAT × those:
national 10 925.00, buy-back 8 330.00, remanufacture 675.00 per repetition.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import motorsub
from motorsub.engine import frames
from tests.test_api_frames import EXPECTED, LINES

REPEAT = 50


def _lines(repeat: int = REPEAT) -> pd.DataFrame:
    return pd.DataFrame({k: v * repeat for k, v in LINES.items()})


@pytest.mark.parametrize("rows", [1, 7, 64, 1 << 20])
def test_every_slice_length_gives_the_hand_worked_amounts(monkeypatch, rows):
    monkeypatch.setattr(frames, "SLICE_ROWS", rows)
    out = motorsub.compute(_lines())
    assert list(out["record_id"]) == EXPECTED["record_id"] * REPEAT
    for name in ("subsidy_national", "subsidy_sh_buyback", "subsidy_sh_reman", "subsidy_total"):
        assert list(out[name]) == EXPECTED[name] * REPEAT, name
    assert list(out["version_cn_national"]) == EXPECTED["version_cn_national"] * REPEAT
    versions = [np.nan if v is None else v for v in EXPECTED["version_cn_sh_tradein"]]
    assert out["version_cn_sh_tradein"].tolist() == pytest.approx(versions * REPEAT, nan_ok=True)
    assert list(out.index) == [i for i in range(4 * REPEAT) if i % 4 != 3]  # D left out
    summary = out.attrs["summary"]
    assert summary["rows"] == {
        "read": 4 * REPEAT, "computed": 3 * REPEAT, "rejected": REPEAT, "blank": 0,
        "reconciles": True,
    }  # fmt: skip
    assert summary["totals_cny"] == {
        "national": 10925.0 * REPEAT, "sh_buyback": 8330.0 * REPEAT,
        "sh_reman": 675.0 * REPEAT, "total": 19930.0 * REPEAT,
    }  # fmt: skip
    rejects = out.attrs["rejects"]
    assert [r["source_row"] for r in rejects] == [5 + 4 * k for k in range(REPEAT)]
    assert {r["reasons"] for r in rejects} == {"BAD_KW"}


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_slices_and_one_pass_agree_on_every_column_and_the_summary(monkeypatch, kind):
    """Reasons are worded per slice: the gathered dictionary must still be the one pass's,
    in the order values first occur (the coded columns compare equal as codes)."""
    df = _lines(37)
    df.loc[[5, 90], "region"] = "XX"  # rejects in two different slices
    df.loc[[6], "grade"] = 7.0
    given = {"pandas": df, "polars": pl.from_pandas(df), "arrow": pa.Table.from_pandas(df)}[kind]
    monkeypatch.setattr(frames, "SLICE_ROWS", 1 << 20)
    whole = motorsub.compute(given)
    monkeypatch.setattr(frames, "SLICE_ROWS", 11)
    sliced = motorsub.compute(given)
    if kind == "pandas":
        pd.testing.assert_frame_equal(whole, sliced, check_exact=True)
        for name in ("reasons", "eta_new_source", "version_cn_national"):
            assert list(whole[name].cat.categories) == list(sliced[name].cat.categories)
        assert whole.attrs == sliced.attrs
    elif kind == "polars":
        assert whole.to_arrow().equals(sliced.to_arrow())
    else:
        assert whole.equals(sliced)
        assert (
            whole.column("reasons")
            .chunk(0)
            .dictionary.equals(sliced.column("reasons").chunk(0).dictionary)
        )


def test_strict_names_the_first_rejects_of_the_whole_table(monkeypatch):
    monkeypatch.setattr(frames, "SLICE_ROWS", 5)
    with pytest.raises(motorsub.RejectedRowsError) as err:
        motorsub.compute(_lines(), strict=True)
    text = str(err.value)
    assert "row 5, column kw: -15.0 (BAD_KW)" in text
    assert f"... and {REPEAT - 20} more rows" in text  # counted over the whole table


def test_headings_in_chinese_or_capitals_pass_their_columns_through():
    """The engine reads ``额定功率(kW)`` as ``kw`` and ``Serial`` as ``serial``; columns it
    does not compute with are passed through under their read names, with the input's
    values (a frame with such headings once failed with a KeyError)."""
    df = pd.DataFrame(LINES).rename(
        columns={"kw": "额定功率(kW)", "serial": "Serial", "record_id": " Record_ID "}
    )
    out = motorsub.compute(df)
    assert list(out["subsidy_total"]) == EXPECTED["subsidy_total"]
    assert list(out["serial"]) == EXPECTED["serial"]
    assert list(out["record_id"]) == EXPECTED["record_id"]


_POOL = [dt.date(2010, 9, 1), dt.date(2012, 5, 10), dt.date(1999, 12, 31), None, np.nan]
_ODD = ["2012-05-10", 7, 2.5, dt.datetime(2012, 5, 10, 8, 30), b"x"]


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(_POOL) - 1), min_size=1, max_size=200),
    odd=st.lists(st.integers(0, len(_ODD) - 1), max_size=3),
)
def test_objects_converted_once_each_equal_the_plain_conversion(picks, odd):
    """Through the distinct objects or row by row, the same Arrow array, or the same
    refusal (mixed objects) — whichever rows and objects the column holds."""
    values = [_POOL[i] for i in picks] + [_ODD[i] for i in odd]
    series = pd.Series(values * 9, dtype=object)  # each object shared by many rows
    try:
        plain = pa.Array.from_pandas(series)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
        with pytest.raises(type(exc)):
            frames._objects(series)
        return
    assert frames._objects(series).equals(plain)


def test_a_column_of_mostly_distinct_objects_equals_the_plain_conversion():
    series = pd.Series([dt.date(2000, 1, 1) + dt.timedelta(days=i) for i in range(64)] * 2)
    series = series.astype(object)
    assert frames._objects(series).equals(pa.Array.from_pandas(series))


def test_gathered_codes_widen_when_later_slices_bring_more_values():
    """Coded columns are gathered in the narrowest index type a pandas categorical keeps
    (int8 up to 126 values); a slice that brings more values widens the indices already
    gathered (int16, then int32) without changing what any row reads. Each row's text is
    known by construction: slice k's row i reads ``values_k[index_k[i]]``, or is missing."""
    done = frames.Gathered(9, ("reasons",))
    slices = [
        (["a", "b", "c"], [0, 2, -1]),
        ([f"v{j}" for j in range(200)] + ["b"], [199, 150, 200]),
        ([f"w{j}" for j in range(40_000)], [39_999, -1, 5]),
    ]
    expected, at = [], 0
    for (values, index), kind in zip(slices, (np.int8, np.int16, np.int32)):
        codes = frames.columns.Coded(values, np.array(index, np.int32))
        done._add_coded("reasons", codes, at, at + len(index))
        at += len(index)
        expected += [values[i] if i >= 0 else None for i in index]
        assert done._coded["reasons"][2].dtype == kind  # 3, then 203, then 40 203 values
    done.m = at
    values, index = done.columns()["reasons"]
    assert [values[i] if i >= 0 else None for i in index] == expected
    assert values[:4] == ["a", "b", "c", "v0"]  # first occurrence order, "b" once
    assert len(values) == 3 + 200 + 40_000


def test_pandas_categoricals_keep_the_gathered_codes():
    """The gathered int8 codes are the categorical's own: pandas does not copy them."""
    index = np.array([1, -1, 0, 1], np.int8)
    cat = frames._categories(frames.columns.Coded(["x", "y"], index))
    assert np.shares_memory(cat.codes, index)
    assert list(cat.astype(object)) == ["y", np.nan, "x", "y"]


@pytest.mark.parametrize("rows", [4, 1 << 20])
def test_a_rejected_rows_nan_numbers_are_shown_as_missing(monkeypatch, rows):
    """The frame's number columns reach the engine with NaN as a value (no null bitmap is
    made); where a rejected row's values are shown they read as missing, as a null does:
    ``None`` in the rejects, "empty" in the strict error. Line D has no kW (MISSING_KW)
    and no old kW; its heading is written the office's way."""
    monkeypatch.setattr(frames, "SLICE_ROWS", rows)
    lines = dict(LINES, kw=[15.0, 400.0, 7.5, np.nan])
    df = pd.DataFrame(lines).rename(columns={"kw": "额定功率(kW)"})
    out = motorsub.compute(df)
    assert list(out["subsidy_total"]) == EXPECTED["subsidy_total"]
    (reject,) = out.attrs["rejects"]
    assert reject["source_row"] == 5 and reject["reasons"] == "MISSING_KW"
    assert reject["kw"] is None and reject["old_kw"] is None and reject["grade"] == 2.0
    with pytest.raises(motorsub.RejectedRowsError) as err:
        motorsub.compute(df, strict=True)
    assert "row 5, column kw: empty (MISSING_KW)" in str(err.value)
