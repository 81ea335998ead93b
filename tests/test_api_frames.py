"""``motorsub.compute`` takes pandas, polars and pyarrow tables and gives back the same kind.

Expected amounts are worked out by hand from the rules (docs/rules.md section 3) and the
rates of the shipped scheme files:

- A: ``lv_async`` 15 kW, grade 2, new, CN-JS, sold 2010-09-01, list price 4 200: national
  version 2010-06-01 pays 35 CNY/kW → 35 × 15 × 1 = 525.00; no trade-in and outside
  Shanghai's window → 0, 0; total 525.00; net price 4 200 − 525 = 3 675.00.
- B: ``hv_async`` 400 kW, new, CN-SH, 2012-05-10, trade-in of 2 × 200 kW: national
  version 2011-03-19 pays 26 CNY/kW → 26 × 400 = 10 400.00; buy-back 20 × 200 × 2 =
  8 000.00; remanufacture silent on a new motor → 0; total 18 400.00.
- C: ``lv_async`` 7.5 kW × 2, grade 3, reman, CN-SH, 2012-05-10, trade-in of 3 × 5.5 kW:
  national 0 (``REMAN_NO_NATIONAL``); buy-back 20 × 5.5 × 3 = 330.00; remanufacture
  45 × 7.5 × 2 = 675.00; total 1 005.00.
- D: ``kw`` −15 → rejected (``BAD_KW``), not in the output.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import motorsub

LINES = {
    "record_id": ["A", "B", "C", "D"],
    "sale_date": ["2010-09-01", "2012-05-10", "2012-05-10", "2012-05-10"],
    "region": ["CN-JS", "CN-SH", "CN-SH", "CN-SH"],
    "motor_type": ["lv_async", "hv_async", "lv_async", "lv_async"],
    "kw": [15.0, 400.0, 7.5, -15.0],
    "qty": [1, 1, 2, 1],
    "grade": [2.0, None, 3.0, 2.0],
    "kind": ["new", "new", "reman", "new"],
    "trade_in": [False, True, True, False],
    "old_kw": [None, 200.0, 5.5, None],
    "old_qty": [None, 2.0, 3.0, None],
    "price": [4200.0, None, None, None],
    "serial": ["S1", "S2", "S3", "S4"],
}
EXPECTED = {
    "record_id": ["A", "B", "C"],
    "subsidy_national": [525.00, 10400.00, 0.00],
    "subsidy_sh_buyback": [0.00, 8000.00, 330.00],
    "subsidy_sh_reman": [0.00, 0.00, 675.00],
    "subsidy_total": [525.00, 18400.00, 1005.00],
    "version_cn_national": ["2010-06-01", "2011-03-19", "2011-03-19"],
    "version_cn_sh_tradein": [None, "2012-01-01", "2012-01-01"],
    "serial": ["S1", "S2", "S3"],
}
DAYS = [dt.date.fromisoformat(d) for d in LINES["sale_date"]]


def _text(values) -> list:
    return [None if v is None else str(v) for v in values]


def pandas_frame(typed: bool) -> pd.DataFrame:
    df = pd.DataFrame(LINES, index=[10, 11, 12, 13])
    if typed:
        df["sale_date"] = pd.to_datetime(df["sale_date"])
        return df
    return pd.DataFrame({k: _text(v) for k, v in LINES.items()}, index=df.index)


def polars_frame(typed: bool) -> pl.DataFrame:
    if typed:
        return pl.DataFrame(LINES).with_columns(pl.Series("sale_date", DAYS))
    return pl.DataFrame({k: _text(v) for k, v in LINES.items()})


def arrow_table(typed: bool) -> pa.Table:
    if typed:
        return pa.table({**LINES, "sale_date": pa.array(DAYS, pa.date32())})
    return pa.table({k: pa.array(_text(v), pa.string()) for k, v in LINES.items()})


def _rows(out) -> dict[str, list]:
    if isinstance(out, pd.DataFrame):
        got = {k: out[k].tolist() for k in EXPECTED}
        return {k: [None if pd.isna(x) else x for x in v] for k, v in got.items()}
    if isinstance(out, pl.DataFrame):
        return {k: out[k].to_list() for k in EXPECTED}
    return {k: out.column(k).to_pylist() for k in EXPECTED}


@pytest.mark.parametrize("typed", [True, False], ids=["typed", "text"])
@pytest.mark.parametrize(
    "make, kind",
    [(pandas_frame, pd.DataFrame), (polars_frame, pl.DataFrame), (arrow_table, pa.Table)],
    ids=["pandas", "polars", "pyarrow"],
)
def test_each_kind_of_table_in_and_out(make, kind, typed):
    out = motorsub.compute(make(typed))
    assert type(out) is kind
    assert _rows(out) == EXPECTED


def test_pandas_keeps_the_index_and_says_what_was_rejected():
    out = motorsub.compute(pandas_frame(typed=True))
    assert out.index.tolist() == [10, 11, 12]
    assert out["net_price"].iloc[0] == 3675.00
    assert pd.isna(out["net_price"].iloc[1])
    [reject] = out.attrs["rejects"]
    assert (reject["source_row"], reject["reasons"], reject["record_id"]) == (5, "BAD_KW", "D")
    assert out.attrs["summary"]["rows"]["rejected"] == 1


def test_code_columns_are_categorical_in_pandas_and_polars():
    out = motorsub.compute(pandas_frame(typed=True))
    assert out["reasons"].dtype == "category"
    assert set(out["reasons"].iloc[2].split(";")) >= {"REMAN_NO_NATIONAL"}
    assert motorsub.compute(polars_frame(typed=True))["reasons"].dtype == pl.Categorical


def test_arrow_passes_input_columns_through_without_a_copy():
    table = arrow_table(typed=True).slice(0, 3)  # no rejected row
    out = motorsub.compute(table)
    given = table.column("serial").chunk(0).buffers()[2]
    taken = out.column("serial").chunk(0).buffers()[2]
    assert taken.address == given.address


def test_pandas_passes_input_columns_through_without_a_copy():
    df = pandas_frame(typed=True).iloc[:3].assign(weight=[1.5, 2.5, np.nan])
    out = motorsub.compute(df)
    assert np.shares_memory(out["weight"].to_numpy(), df["weight"].to_numpy())
    assert out["weight"].iloc[:2].tolist() == [1.5, 2.5] and np.isnan(out["weight"].iloc[2])


def test_other_objects_are_refused_with_what_is_taken():
    with pytest.raises(TypeError, match="pandas DataFrame, a polars DataFrame or a pyarrow"):
        motorsub.compute({"record_id": ["A"]})
    with pytest.raises(TypeError, match="collect the LazyFrame first"):
        motorsub.compute(polars_frame(typed=True).lazy())
