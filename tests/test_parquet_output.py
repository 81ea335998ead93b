"""A Parquet output reads back the same in pandas, polars and DuckDB, in every compression."""

import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from motorsub import vocab
from motorsub.backends.local import compute_file
from motorsub.cli import main
from motorsub.io import parquet

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "records.csv"
#: Columns compared between readers: text, money, floats with nulls, dictionary text.
COMPARED = (
    "record_id", "subsidy_national", "subsidy_sh_buyback", "subsidy_sh_reman",
    "subsidy_total", "net_price", "kwh_per_year", "eta_new_source", "reasons",
)  # fmt: skip


def _plain(value):
    """None for every reader's way of saying "no value" (None, NaN, NA; and the empty
    text, which a CSV file cannot tell from no value)."""
    if value is None or value is pd.NA or value == "":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _rows(columns: dict) -> list[tuple]:
    return list(zip(*([_plain(v) for v in columns[name]] for name in COMPARED), strict=True))


@pytest.fixture(scope="module")
def csv_rows(tmp_path_factory):
    """The rows of the same run written as CSV: an independent writer to compare with."""
    out = tmp_path_factory.mktemp("csv") / "o.csv"
    compute_file(EXAMPLE, out)
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"record_id": str})
    return _rows({n: frame[n].tolist() for n in COMPARED})


@pytest.mark.parametrize("compression", vocab.PARQUET_COMPRESSIONS)
def test_pandas_polars_and_duckdb_read_the_values_written(tmp_path, csv_rows, compression):
    polars = pytest.importorskip("polars", reason="polars is in the test extra")
    duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra")
    out = tmp_path / "o.parquet"
    compute_file(EXAMPLE, out, compression=compression)
    meta = pq.ParquetFile(out).metadata.row_group(0)
    codec = "UNCOMPRESSED" if compression == "none" else compression.upper()
    assert {meta.column(i).compression for i in range(meta.num_columns)} == {codec}

    by_pandas = pd.read_parquet(out)
    by_polars = polars.read_parquet(out)
    by_duckdb = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}')").fetchdf()
    assert len(csv_rows) == 305  # 307 lines in the example, 2 rejected
    assert _rows({n: by_pandas[n].tolist() for n in COMPARED}) == csv_rows
    assert _rows({n: by_polars[n].to_list() for n in COMPARED}) == csv_rows
    assert _rows({n: by_duckdb[n].tolist() for n in COMPARED}) == csv_rows
    assert list(by_duckdb.columns) == list(by_pandas.columns) == by_polars.columns


def test_default_is_zstd_with_unique_columns_plain_and_no_text_statistics(tmp_path):
    out = tmp_path / "o.parquet"
    compute_file(EXAMPLE, out)
    meta = pq.ParquetFile(out).metadata.row_group(0)
    cols = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert {c.compression for c in cols.values()} == {"ZSTD"} == {parquet.COMPRESSION.upper()}
    # every serial and record id differs from the next: no dictionary page for them
    assert not cols["serial"].has_dictionary_page
    assert not cols["record_id"].has_dictionary_page
    assert cols["reasons"].has_dictionary_page  # few distinct reasons
    assert cols["subsidy_total"].is_stats_set and not cols["record_id"].is_stats_set


def test_an_empty_output_is_a_readable_file_with_the_columns(tmp_path):
    sink = parquet.Sink(tmp_path / "e.parquet", pq.read_schema(_computed(tmp_path)))
    sink.close()
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.num_rows == 0 and "subsidy_total" in table.column_names


def _computed(tmp_path) -> Path:
    out = tmp_path / "o.parquet"
    compute_file(EXAMPLE, out)
    return out


@pytest.mark.parametrize(
    ("output", "compression", "says"),
    [
        ("o.csv", "zstd", "--compression is for a Parquet output"),
        ("o.parquet", "brotli", "unknown compression 'brotli'; known: zstd, snappy, lz4, none"),
    ],
)
def test_compression_is_refused_where_it_cannot_apply(tmp_path, output, compression, says):
    args = [str(EXAMPLE), "-o", str(tmp_path / output), "--compression", compression, "-q"]
    result = CliRunner().invoke(main, ["compute", *args])
    assert result.exit_code == 2
    assert says in result.output
    assert not (tmp_path / output).exists()


def test_compression_option_reaches_the_file(tmp_path):
    out = tmp_path / "o.parquet"
    args = [str(EXAMPLE), "-o", str(out), "--compression", "snappy", "-q"]
    result = CliRunner().invoke(main, ["compute", *args])
    assert result.exit_code == 0, result.output
    meta = pq.ParquetFile(out).metadata.row_group(0)
    assert meta.column(0).compression == "SNAPPY"
