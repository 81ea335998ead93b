"""Parquet: a file or a folder of files in, a file out."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from motorsub import i18n, vocab
from motorsub.errors import InputError
from motorsub.io.text import text_type

SUFFIXES = (".parquet", ".pq")
FOLDERS = True  # a folder of Parquet files is a dataset


def dictionary_text(schema: pa.Schema) -> list[str]:
    """The text columns of ``schema`` that are read dictionary-encoded
    (:func:`motorsub.io.text.text_type`)."""
    return [
        f.name
        for f in schema
        if pa.types.is_string(f.type) and pa.types.is_dictionary(text_type(f.name))
    ]


def read_schema(schema: pa.Schema, text: list[str]) -> pa.Schema:
    """``schema`` with the columns ``text`` typed as they are read."""
    return pa.schema([f.with_type(text_type(f.name)) if f.name in text else f for f in schema])


class Source:
    """Record batches of a Parquet file or folder, file by file, row group by row group:
    far leaner than a dataset scan. ``total_rows`` is exact (from the footers)."""

    def __init__(self, path: Path, batch_rows: int, encoding: str | None = None, columns=None):
        self.path = path
        self.batch_rows = batch_rows
        try:
            if path.is_dir():
                import pyarrow.dataset as ds  # imports pandas: only for a folder

                dataset = ds.dataset(path, format="parquet")
                paths, schema = sorted(dataset.files), dataset.schema
            else:
                paths, schema = [path], pq.read_schema(path)
            text = dictionary_text(schema)
            if columns is not None:  # only the columns asked for (normalised names)
                wanted = set(columns)
                schema = pa.schema([f for f in schema if vocab.normal_name(f.name) in wanted])
            self._columns = None if columns is None else schema.names
            self._schema = read_schema(schema, text)
            # pre_buffer would keep every range read until the file is closed
            self._files = [pq.ParquetFile(f, pre_buffer=False, read_dictionary=text) for f in paths]
            self._total = sum(f.metadata.num_rows for f in self._files)
        except (pa.ArrowInvalid, OSError) as exc:
            _ = i18n.translator()
            raise InputError(
                _("{path}: not a readable Parquet file or folder: {reason}").format(
                    path=path, reason=exc
                )
            ) from None

    def total_rows(self, rows_read: int) -> int | None:
        return self._total

    def batches(self):
        for f in self._files:
            for batch in f.iter_batches(batch_size=self.batch_rows, columns=self._columns):
                if batch.schema != self._schema:
                    batch = pa.Table.from_batches([batch]).cast(self._schema).to_batches()[0]
                yield batch

    def empty(self) -> pa.Table:
        return self._schema.empty_table()


#: Compression of written Parquet files when none is asked for (``--compression``).
#: Measured on motorsub's output at 1e6 lines (benchmarks/README.md, "Parquet output"):
#: zstd stores it in 18 MB against snappy's 30, lz4's 28 and 54 uncompressed, for about a
#: sixth more writing time, and pandas and polars read it back as fast.
COMPRESSION = vocab.PARQUET_COMPRESSIONS[0]
#: A column whose first rows are more distinct than this share is written without a
#: dictionary.
DISTINCT_SHARE = 0.5
#: Rows of the first table looked at to tell.
SAMPLE_ROWS = 10_000


def _mostly_distinct(column: pa.ChunkedArray) -> bool:
    sample = column.slice(0, SAMPLE_ROWS)
    if len(sample) == 0 or pa.types.is_dictionary(column.type):
        return False
    return pc.count_distinct(sample).as_py() > DISTINCT_SHARE * len(sample)


class Sink:
    """Tables appended to a Parquet file (a path or a writable file object).

    Encodings are chosen on the first table, by measurement (benchmarks/README.md,
    "Parquet output"): ``plain`` names columns whose values rarely repeat, and any other
    column whose first :data:`SAMPLE_ROWS` values are mostly distinct joins them. They are
    stored without the dictionary encoding pyarrow otherwise tries on every column first
    (it fills a dictionary page, finds it too large and starts over plain). Min/max
    statistics are written for numbers, dates and flags, not for text, where they cost
    writing time and prune nothing. ``compression`` is one of
    :data:`motorsub.vocab.PARQUET_COMPRESSIONS` (default :data:`COMPRESSION`).
    """

    def __init__(self, path, schema: pa.Schema, plain=frozenset(), compression=None):
        self._path, self._schema, self._plain = path, schema, frozenset(plain)
        self._compression = compression or COMPRESSION
        self._writer: pq.ParquetWriter | None = None

    def _open(self, first: pa.Table | None) -> pq.ParquetWriter:
        plain = set(self._plain)
        if first is not None:
            plain |= {n for n, c in zip(first.column_names, first.columns) if _mostly_distinct(c)}
        schema = self._schema
        return pq.ParquetWriter(
            self._path,
            schema,
            compression=self._compression,
            use_dictionary=[n for n in schema.names if n not in plain],
            write_statistics=[f.name for f in schema if not _is_text(f.type)],
        )

    def write(self, table: pa.Table) -> None:
        if self._writer is None:
            self._writer = self._open(table)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is None:  # nothing written: a file with the columns and no row
            self._writer = self._open(None)
        self._writer.close()


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)


def write(table: pa.Table, path: Path, compression: str | None = None) -> None:
    """A whole table to ``path``, encoded as :class:`Sink` encodes it."""
    sink = Sink(path, table.schema, compression=compression)
    sink.write(table)
    sink.close()
