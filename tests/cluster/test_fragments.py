"""Inputs cut into fragments: folders, globs, hive partitions, row-group runs, offsets."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from motorsub.errors import InputError
from motorsub.io import fragments


def write(path, rows: int, row_group: int, start: int = 0, **extra):
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = {"record_id": [f"r{start + i}" for i in range(rows)], "kw": [1.0] * rows}
    pq.write_table(pa.table(cols | extra), path, row_group_size=row_group)


def test_row_groups_are_grouped_up_to_task_rows_and_offsets_run_on(tmp_path):
    write(tmp_path / "a.parquet", 1000, 300)  # groups 300, 300, 300, 100
    write(tmp_path / "b.parquet", 250, 250)
    frags = fragments.plan([str(tmp_path)], task_rows=600)
    got = [(f.url.rsplit("/", 1)[1], f.row_groups, f.rows, f.offset) for f in frags]
    assert got == [
        ("a.parquet", (0, 1), 600, 0),
        ("a.parquet", (2, 3), 400, 600),
        ("b.parquet", (0,), 250, 1000),
    ]
    assert [f.index for f in frags] == [0, 1, 2]
    # a row group larger than task_rows is a fragment of its own
    assert [f.rows for f in fragments.plan([str(tmp_path / "a.parquet")], task_rows=100)] == [
        300,
        300,
        300,
        100,
    ]


def test_reading_the_fragments_gives_every_row_once_in_order(tmp_path):
    write(tmp_path / "a.parquet", 1000, 300)
    frags = fragments.plan([str(tmp_path / "a.parquet")], task_rows=600)
    ids = [
        r for f in frags for t in fragments.read(f, 128) for r in t.column("record_id").to_pylist()
    ]
    assert ids == [f"r{i}" for i in range(1000)]
    assert all(t.num_rows <= 128 for f in frags for t in fragments.read(f, 128))


def test_hive_folders_become_text_columns_and_hidden_files_are_skipped(tmp_path):
    write(tmp_path / "year=2013" / "region=CN-SH" / "p.parquet", 2, 10)
    write(tmp_path / "year=2014" / "region=CN%2DJS" / "p.parquet", 3, 10, start=2)
    write(tmp_path / "_tmp" / "x.parquet", 1, 10)
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".hidden.parquet").write_text("")
    frags = fragments.plan([str(tmp_path)])
    assert len(frags) == 2
    t = pa.concat_tables(next(iter(fragments.read(f, 100))).cast(
        pa.schema([("record_id", pa.string()), ("kw", pa.float64()), ("year", pa.string()),
                   ("region", pa.string())])) for f in frags)  # fmt: skip
    assert t.column("year").to_pylist() == ["2013"] * 2 + ["2014"] * 3
    assert t.column("region").to_pylist() == ["CN-SH"] * 2 + ["CN-JS"] * 3  # URL-decoded


def test_a_glob_and_several_files_in_the_order_given(tmp_path):
    for name in ("b", "a", "c"):
        write(tmp_path / f"{name}.parquet", 1, 10)
    by_glob = fragments.plan([str(tmp_path / "*.parquet")])
    assert [f.url.rsplit("/", 1)[1] for f in by_glob] == ["a.parquet", "b.parquet", "c.parquet"]
    given = fragments.plan([str(tmp_path / "c.parquet"), str(tmp_path / "a.parquet")])
    assert [f.url.rsplit("/", 1)[1] for f in given] == ["c.parquet", "a.parquet"]


def test_partition_key_clashing_with_a_column_is_refused(tmp_path):
    write(tmp_path / "kw=1" / "p.parquet", 1, 10)
    (frag,) = fragments.plan([str(tmp_path)])
    with pytest.raises(InputError, match=r"p\.parquet.*kw="):
        list(fragments.read(frag, 10))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: [str(p / "none.parquet")], "no such file"),
        (lambda p: [str(p / "*.parquet")], "no file matches"),
        (lambda p: [str(p / "x.xlsx")], "unknown input format '.xlsx' for a dataset"),
    ],
)
def test_missing_or_unknown_inputs_are_named(tmp_path, make, message):
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(InputError, match=message):
        fragments.plan(make(tmp_path))


def test_csv_and_parquet_cannot_be_mixed(tmp_path):
    write(tmp_path / "a.parquet", 1, 10)
    (tmp_path / "b.csv").write_text("record_id\nr\n")
    with pytest.raises(InputError, match="cannot be mixed"):
        fragments.plan([str(tmp_path / "a.parquet"), str(tmp_path / "b.csv")])
