"""Streaming compute: batches change nothing, memory does not grow with rows, no half files."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from motorsub.backends.local import compute_file
from motorsub.engine import records, synth
from motorsub.engine.batch import Scratch
from motorsub.errors import InputError, RejectedRowsError
from motorsub.io import BatchReader
from motorsub.kernels.savings import empty_savings, savings
from motorsub.kernels.subsidy import compiled_schemes, empty_subsidies, subsidies
from motorsub.model.profile import settings
from motorsub.model.schemes import load_schemes

#: The rows of the ``records_csv`` fixture: 2,000 good lines and 3 rejected ones.
RECORDS_ROWS = {"read": 2003, "computed": 2000, "rejected": 3, "blank": 0, "reconciles": True}


@pytest.fixture(scope="module")
def records_csv(tmp_path_factory):
    """2 003 synthetic lines plus 3 faulty ones at known places."""
    path = tmp_path_factory.mktemp("in") / "records.csv"
    synth.synth(2003, 11, path)
    names = synth.chunk(np.random.default_rng(0), 0, 0).column_names
    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names})
    )
    rows = table.to_pylist()
    for i, col, bad in ((0, "kw", "abc"), (999, "region", "XX"), (2002, "sale_date", "2012-02-30")):
        rows[i][col] = bad
    pacsv.write_csv(pa.Table.from_pylist(rows, schema=table.schema), path)
    return path


def _read(path):
    return pq.read_table(path) if str(path).endswith(".parquet") else pacsv.read_csv(path)


@pytest.mark.parametrize("batch_rows", [1000, 1337])
def test_batches_give_the_same_result_as_one_batch(tmp_path, records_csv, batch_rows):
    whole = compute_file(records_csv, tmp_path / "whole.parquet", batch_rows=10_000)
    parts = compute_file(records_csv, tmp_path / "parts.parquet", batch_rows=batch_rows)
    for key in (
        "rows",
        "totals_cny",
        "by_region",
        "by_motor_type",
        "by_rate_status",
        "by_scheme_version",
        "reasons",
        "rejects",
        "no_rate_lines",
    ):
        assert parts[key] == whole[key], key
    parts_rows = _read(tmp_path / "parts.parquet").to_pylist()
    assert parts_rows == _read(tmp_path / "whole.parquet").to_pylist()
    rej = pacsv.read_csv(tmp_path / "parts.rejects.csv").to_pydict()
    assert rej["source_row"] == [2, 1001, 2004]  # header is row 1
    assert rej["reasons"] == ["BAD_KW", "BAD_REGION", "BAD_SALE_DATE"]


def test_summary_reconciles_with_the_output_to_the_fen(tmp_path, records_csv):
    s = compute_file(
        records_csv, tmp_path / "o.parquet", batch_rows=700, summary_path=tmp_path / "s.json"
    )
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["rows"] == s["rows"]
    assert s["rows"] == RECORDS_ROWS
    out = _read(tmp_path / "o.parquet")
    for comp in ("national", "sh_buyback", "sh_reman"):
        fen = sum(round(x * 100) for x in out.column(f"subsidy_{comp}").to_pylist())
        assert round(s["totals_cny"][comp] * 100) == fen
    total = sum(round(x * 100) for x in out.column("subsidy_total").to_pylist())
    assert round(s["totals_cny"]["total"] * 100) == total


def test_folder_of_parquet_files_is_one_input(tmp_path, records_csv):
    table = pacsv.read_csv(
        records_csv,
        convert_options=pacsv.ConvertOptions(
            column_types={"kw": pa.string(), "sale_date": pa.string(), "region": pa.string()}
        ),
    )
    folder = tmp_path / "dataset"
    folder.mkdir()
    pq.write_table(table.slice(0, 900), folder / "part-0.parquet")
    pq.write_table(table.slice(900), folder / "part-1.parquet")
    s = compute_file(folder, tmp_path / "o.csv", batch_rows=500)
    assert s["rows"] == RECORDS_ROWS


def test_repeating_text_columns_are_read_dictionary_encoded_with_the_same_results(
    tmp_path, records_csv
):
    """CSV and all-text Parquet: codes, dates and ratings come dictionary-encoded, other
    columns as strings, and output and rejects (original values) are those of CSV."""
    table = pacsv.read_csv(
        records_csv,
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in _read(records_csv).column_names}
        ),
    )
    pq.write_table(table, tmp_path / "text.parquet")
    for path in (records_csv, tmp_path / "text.parquet"):
        batch = next(iter(BatchReader(path, batch_rows=500)))
        for name in ("region", "sale_date", "kw", "kind", "trade_in"):
            assert batch.schema.field(name).type == pa.dictionary(pa.int32(), pa.string())
        for name in ("record_id", "price"):
            assert batch.schema.field(name).type == pa.string(), name
    from_csv = compute_file(records_csv, tmp_path / "a.parquet", batch_rows=600)
    from_pq = compute_file(tmp_path / "text.parquet", tmp_path / "b.parquet", batch_rows=600)
    assert from_pq["totals_cny"] == from_csv["totals_cny"]
    assert _read(tmp_path / "b.parquet").to_pylist() == _read(tmp_path / "a.parquet").to_pylist()
    rejected = pacsv.read_csv(
        tmp_path / "b.rejects.csv",
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    ).to_pydict()
    assert rejected["region"][1] == "XX" and rejected["kw"][0] == "abc"
    assert rejected["sale_date"][2] == "2012-02-30"


def test_strict_failure_mid_stream_leaves_no_file(tmp_path, records_csv):
    text = records_csv.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    text[1] = text[1].replace('"abc"', '"15"')  # the first bad row is now in batch 2
    (tmp_path / "in.csv").write_text("".join(text), encoding="utf-8")
    with pytest.raises(RejectedRowsError, match="row 1001, column region: 'XX'"):
        compute_file(
            tmp_path / "in.csv",
            tmp_path / "o.csv",
            batch_rows=500,
            strict=True,
            rejects_path=tmp_path / "r.csv",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_line_with_the_wrong_number_of_values_is_rejected_and_the_run_goes_on(
    tmp_path, records_csv
):
    text = records_csv.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    text[1500] = "x,y,z\n"  # line 1501 as a spreadsheet numbers it (header = 1)
    (tmp_path / "in.csv").write_text("".join(text), encoding="utf-8")
    s = compute_file(tmp_path / "in.csv", tmp_path / "o.parquet", batch_rows=500)
    assert s["rows"]["read"] == 2003
    assert s["rows"]["reconciles"] and s["rejects"]["BAD_LINE"] == 1
    rejects = pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()
    bad = [r for r in rejects if r["reasons"] == "BAD_LINE"]
    assert [(r["source_row"], r["raw_line"]) for r in bad] == [(1501, "x,y,z")]
    assert bad[0]["message"].startswith("3 values where the header has 21 columns")


def test_unreadable_bytes_in_a_later_batch_stop_the_run_and_leave_no_file(tmp_path, records_csv):
    # batches are read one ahead in another thread: its error must still end the run
    data = records_csv.read_bytes().split(b"\n")
    data[1500] = data[1500].replace(b",", b",\xff", 1)  # line 1501: not UTF-8
    (tmp_path / "in.csv").write_bytes(b"\n".join(data))
    with pytest.raises(InputError, match=r"in\.csv: line 1501, byte offset \d+: bytes ff"):
        compute_file(tmp_path / "in.csv", tmp_path / "o.parquet", batch_rows=500)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_parquet_output_dictionary_encodes_only_repeating_columns(tmp_path, records_csv):
    out = tmp_path / "o.parquet"
    compute_file(records_csv, out, batch_rows=1000, savings=settings(hours=4000, load=0.75))
    meta = pq.ParquetFile(out).metadata.row_group(0)
    encoded = {
        meta.column(i).path_in_schema: meta.column(i).has_dictionary_page
        for i in range(meta.num_columns)
    }
    for name in ("record_id", "kwh_per_year", "tce_per_year", "tco2_per_year", "net_price"):
        assert encoded[name] is False, name
    for name in ("subsidy_total", "eta_new", "reasons", "manufacturer"):
        assert encoded.get(name, True) is True, name
    assert pq.read_table(out).num_rows == 2000


def test_interrupted_run_leaves_no_half_written_output(tmp_path, records_csv):
    calls = []

    def interrupt(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compute_file(records_csv, tmp_path / "o.csv", batch_rows=500, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_rows_and_total(tmp_path, records_csv):
    seen = []
    compute_file(
        records_csv,
        tmp_path / "o.parquet",
        batch_rows=500,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [d for d, _ in seen] == [500, 1000, 1500, 2000, 2003]
    assert seen[-1][1] == 2003


def test_empty_input_writes_headers_only(tmp_path):
    (tmp_path / "in.csv").write_text("record_id,sale_date,region,motor_type,kw\n")
    s = compute_file(tmp_path / "in.csv", tmp_path / "o.csv")
    assert s["rows"] == {"read": 0, "computed": 0, "rejected": 0, "blank": 0, "reconciles": True}
    header = (tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith('"record_id","version_cn_national"')


def test_outputs_get_ordinary_file_permissions(tmp_path, records_csv):
    import os
    import stat

    compute_file(records_csv, tmp_path / "o.csv")
    umask = os.umask(0)
    os.umask(umask)
    for name in ("o.csv", "o.rejects.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask


def test_scratch_buffers_alternate_between_two_sets_and_grow():
    """Batch k + 1 never writes into the arrays batch k's output table still refers to."""
    scratch = Scratch(load_schemes())
    first, second, third = scratch.take(10), scratch.take(10), scratch.take(8)
    assert not np.shares_memory(first[1].kwh_per_year, second[1].kwh_per_year)
    assert not np.shares_memory(first[0].fen, second[0].fen)
    assert third[0].fen is first[0].fen and third[1].eta_new is first[1].eta_new  # reused
    bigger = scratch.take(25)  # the second set, grown
    assert len(bigger[1].reasons) == 25 and bigger[1].reasons is not second[1].reasons


def test_kernels_fill_a_prefix_of_larger_buffers_as_c_contiguous_arrays():
    schemes = load_schemes()
    table = synth.chunk(np.random.default_rng(3), 0, 50)
    recs = records.validate(table, "synth")
    cols = recs.take(np.flatnonzero(recs.valid))
    n = len(cols["day"])
    compiled = compiled_schemes(schemes)
    fresh = subsidies(compiled, cols)
    into = subsidies(compiled, cols, out=empty_subsidies(compiled, n + 7))
    assert into.fen.shape == (compiled.n_components, n) and into.fen.flags.c_contiguous
    np.testing.assert_array_equal(into.fen, fresh.fen)
    np.testing.assert_array_equal(into.code, fresh.code)
    st = settings(hours=4000, load=0.75)
    sav, sav_into = savings(cols, st), savings(cols, st, out=empty_savings(n + 7))
    assert len(sav_into.kwh_per_year) == n
    np.testing.assert_array_equal(sav_into.kwh_per_year, sav.kwh_per_year)
    np.testing.assert_array_equal(sav_into.reasons, sav.reasons)
