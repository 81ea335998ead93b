"""Parquet: a file or a folder of files in, a file out."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
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


class Sink:
    """Tables appended to a Parquet file.

    ``plain`` names columns whose values rarely repeat: they are stored without the
    dictionary encoding pyarrow otherwise tries on every column first (it fills a
    dictionary page, finds it too large and starts over plain), which costs about a
    third of writing motorsub's output.
    """

    def __init__(self, path: Path, schema: pa.Schema, plain=frozenset()):
        dictionary = [n for n in schema.names if n not in plain]
        self._writer = pq.ParquetWriter(path, schema, use_dictionary=dictionary)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


def write(table: pa.Table, path: Path) -> None:
    """A whole table to ``path``."""
    pq.write_table(table, path)
