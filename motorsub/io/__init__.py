"""Reading records and writing results, by the file's suffix.

Each format is one module of this package with the same small interface: ``SUFFIXES``, a
``Source`` (record batches of an input, ``total_rows``, ``empty()``), a ``Sink`` (tables
appended to an output) and ``write`` (a whole table). :data:`FORMATS` maps a suffix to its
module; a new format is one new module and one line there. Every writer puts its file
under a temporary name and renames it into place (:mod:`motorsub.io.atomic`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa

from motorsub import i18n, vocab
from motorsub.errors import InputError
from motorsub.io.atomic import atomic_path, temporary_beside

__all__ = [
    "FORMATS",
    "BatchReader",
    "BatchWriter",
    "Chunk",
    "atomic_path",
    "batch_reader",
    "batch_writer",
    "check_compression",
    "check_distinct",
    "file_format",
    "read_table",
    "reader_format",
    "write_table",
    "writer_format",
]

#: Suffix → format module (:mod:`motorsub.io.csv`, :mod:`motorsub.io.parquet`,
#: :mod:`motorsub.io.xlsx`).
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}
#: The format of a folder given as input (a dataset of files).
FOLDER_FORMAT = "parquet"


def _module(name: str) -> ModuleType:
    return import_module(f"motorsub.io.{name}")


def file_format(path: str | Path, what: str = "input") -> str:
    """The format name (``'csv'``, ``'parquet'``) of a file by its suffix; a folder given
    as input is a Parquet dataset."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if what == "input" and p.is_dir():
        return FOLDER_FORMAT
    _ = i18n.translator()
    message = (
        _("{path}: unknown input format {suffix!r}; accepted: {accepted} or a folder of "
          "Parquet files")
        if what == "input"
        else _("{path}: unknown {what} format {suffix!r}; accepted: {accepted}")
    )  # fmt: skip
    raise InputError(
        message.format(
            path=path, what=what, suffix=suffix or _("(no extension)"), accepted=", ".join(FORMATS)
        )
    )


def reader_format(path: str | Path) -> ModuleType:
    """The format module that reads ``path``."""
    return _module(file_format(path, what="input"))


def writer_format(path: str | Path) -> ModuleType:
    """The format module that writes ``path`` (an unknown suffix is an InputError)."""
    return _module(file_format(path, what="output"))


class BatchReader:
    """Records in batches of at most ``batch_rows`` rows, in any readable format.

    ``total_rows`` is exact for Parquet and an estimate for CSV (from the bytes read so
    far); ``rows_read`` counts the rows handed out. ``columns`` (normalised names) lets a
    format that can skip columns read only those. ``sheet`` names the sheet of a workbook
    (default: the first).
    """

    def __init__(
        self,
        path: str | Path,
        batch_rows: int,
        encoding: str | None = None,
        columns: Iterable[str] | None = None,
        sheet: str | None = None,
    ):
        self.path = Path(path)
        if not self.path.exists():
            _ = i18n.translator()
            raise InputError(_("{path}: no such file").format(path=path))
        self.format = file_format(path)
        self.batch_rows = batch_rows
        self.rows_read = 0
        self.blank_lines = 0  # completely empty lines skipped
        self.bad_lines = 0  # lines set aside: values that do not match the header
        self._numbered = 0
        self._keep_bad = True
        options = {}
        if sheet is not None:
            if self.format != "xlsx":
                _ = i18n.translator()
                raise InputError(
                    _("{path}: --sheet is for an .xlsx workbook, not a {format} file").format(
                        path=path, format=self.format
                    )
                )
            options["sheet"] = sheet
        source = _module(self.format).Source
        self._source = source(self.path, batch_rows, encoding, columns, **options)

    @property
    def encoding(self) -> str | None:
        return getattr(self._source, "encoding", None)

    @property
    def total_rows(self) -> int | None:
        return self._source.total_rows(self.rows_read)

    def __iter__(self) -> Iterator[pa.Table]:
        """Tables of at most ``batch_rows`` rows. A CSV line whose values do not match the
        header is an :class:`~motorsub.errors.InputError` here (:meth:`chunks` hands such
        lines out instead); completely empty lines are skipped."""
        for chunk in self.chunks(keep_bad=False):
            yield chunk.table

    def _source_chunks(self):
        if hasattr(self._source, "chunks") and self._keep_bad:
            yield from self._source.chunks()
            return
        for batch in self._source.batches():
            yield batch, None, [], 0

    def chunks(self, keep_bad: bool = True) -> Iterator[Chunk]:
        """:class:`Chunk` s of at most ``batch_rows`` rows, each with the row number a
        spreadsheet gives every row, the lines set aside as unreadable and the empty lines
        skipped since the previous chunk. The last chunk carries what is left, even with
        no row."""
        self._keep_bad = keep_bad
        pending: list[pa.RecordBatch] = []
        numbers: list[np.ndarray] = []
        bad: list = []
        blank = count = 0
        schema = None
        for batch, rows, lines, empty in self._source_chunks():
            bad += lines
            blank += empty
            self.blank_lines += empty
            self.bad_lines += len(lines)
            if batch is None:
                continue
            if rows is None:  # no line set aside: rows are numbered in sequence
                start = self._numbered
                rows = np.arange(start + 2, start + 2 + batch.num_rows, dtype=np.int64)
            self._numbered = int(rows[-1]) - 1 if len(rows) else self._numbered
            pending.append(batch)
            numbers.append(rows)
            schema = batch.schema
            count += batch.num_rows
            while count >= self.batch_rows:
                table = pa.Table.from_batches(pending)
                head, rest = table.slice(0, self.batch_rows), table.slice(self.batch_rows)
                every = np.concatenate(numbers)
                pending, count = rest.to_batches(), rest.num_rows
                numbers = [every[self.batch_rows :]]
                self.rows_read += head.num_rows
                yield Chunk(head, every[: self.batch_rows], bad, blank)
                bad, blank = [], 0
        if count or self.rows_read == 0 or bad or blank:
            if pending or schema is not None:
                table = pa.Table.from_batches(pending, schema=schema)
            else:
                table = self._source.empty()
            self.rows_read += table.num_rows
            rows = np.concatenate(numbers) if numbers else np.zeros(0, np.int64)
            yield Chunk(table, rows, bad, blank)


@dataclass
class Chunk:
    """Rows read, with the number a spreadsheet gives each (header = row 1)."""

    table: pa.Table
    rows: np.ndarray  # int64, one per row of ``table``
    bad_lines: list = field(default_factory=list)  # lines set aside (CSV's BadLine)
    blank: int = 0  # completely empty lines skipped


def check_compression(path: str | Path, compression: str | None) -> None:
    """Refuse a ``compression`` for an output that is not Parquet, or one not known.

    Raises
    ------
    InputError
        Naming the output and the compressions known (exit 2).
    """
    if compression is None:
        return
    _ = i18n.translator()
    if file_format(path, what="output") != "parquet":
        raise InputError(
            _("{path}: --compression is for a Parquet output (.parquet)").format(path=path)
        )
    if compression not in vocab.PARQUET_COMPRESSIONS:
        raise InputError(
            _("{path}: unknown compression {name!r}; known: {known}").format(
                path=path, name=compression, known=", ".join(vocab.PARQUET_COMPRESSIONS)
            )
        )


class BatchWriter:
    """Write tables batch by batch under a temporary name; :meth:`commit` renames the file
    into place, :meth:`abort` removes it. ``plain`` names columns whose values rarely
    repeat (a hint a format may use: Parquet stores them without dictionary pages);
    ``compression`` is a Parquet output's (:data:`motorsub.vocab.PARQUET_COMPRESSIONS`,
    default :data:`motorsub.io.parquet.COMPRESSION`)."""

    def __init__(self, path: str | Path, plain: Iterable[str] = (), compression: str | None = None):
        self.path = Path(path)
        self.plain = frozenset(plain)
        self.format = file_format(path, what="output")
        check_compression(path, compression)
        self._options = {"compression": compression} if compression else {}
        self.tmp = temporary_beside(self.path)
        self._sink = None
        self.schema: pa.Schema | None = None

    def write(self, table: pa.Table) -> None:
        if self._sink is None:
            self.schema = table.schema
            sink = _module(self.format).Sink
            self._sink = sink(self.tmp, self.schema, self.plain, **self._options)
        elif table.schema != self.schema:
            table = table.cast(self.schema)
        self._sink.write(table)

    def _close(self) -> None:
        if self._sink is not None:
            self._sink.close()
        self._sink = None

    def commit(self) -> None:
        self._close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._close()
        except OSError:  # e.g. the disk is full: the file goes anyway
            self._sink = None
        finally:
            if self.tmp.exists():
                self.tmp.unlink()


def check_distinct(inputs: Iterable, outputs: Iterable) -> None:
    """Refuse outputs that would overwrite an input or each other, before anything is read.

    Paths are compared as the files they resolve to (links and ``..`` followed); ``None``
    entries are ignored.

    Raises
    ------
    InputError
        Naming the two paths (exit 2).
    """
    seen: dict[str, tuple[str, str]] = {}

    def key(p) -> str:
        path = Path(p)
        try:
            return str(path.resolve())
        except (OSError, RuntimeError):
            return str(path.absolute())

    for role, paths in (("input", inputs), ("output", outputs)):
        for p in paths:
            if p is None:
                continue
            k = key(p)
            if k in seen and not (role == "input" and seen[k][0] == "input"):
                other_role, other = seen[k]
                _ = i18n.translator()
                message = (
                    _("{path}: this output file is also the input {other}; motorsub never "
                      "writes over an input or writes two outputs to one file")
                    if other_role == "input"
                    else _("{path}: this output file is also the output {other}; motorsub "
                           "never writes over an input or writes two outputs to one file")
                )  # fmt: skip
                raise InputError(message.format(path=p, other=other))
            seen.setdefault(k, (role, str(p)))


def batch_reader(
    path: str | Path, batch_rows: int, encoding: str | None = None, sheet: str | None = None
) -> BatchReader:
    """A :class:`BatchReader` of ``path``."""
    return BatchReader(path, batch_rows, encoding, sheet=sheet)


def batch_writer(
    path: str | Path, plain: Iterable[str] = (), compression: str | None = None
) -> BatchWriter:
    """A :class:`BatchWriter` to ``path``."""
    return BatchWriter(path, plain, compression)


def read_table(path: str | Path, encoding: str | None = None, sheet: str | None = None) -> pa.Table:
    """Read a whole input (file or folder) into memory, by its suffix.

    CSV columns are text; UTF-8 (with or without BOM) is tried, else GB18030. A workbook's
    first sheet is read, or ``sheet``.
    """
    reader = BatchReader(path, batch_rows=1 << 30, encoding=encoding, sheet=sheet)
    return pa.concat_tables(list(reader))


def read_numbered(
    path: str | Path, encoding: str | None = None, sheet: str | None = None
) -> tuple[pa.Table, np.ndarray]:
    """:func:`read_table`, and the row number a spreadsheet gives each row (header = row 1,
    empty lines included). A line whose values do not match the header is an error here."""
    reader = BatchReader(path, batch_rows=1 << 30, encoding=encoding, sheet=sheet)
    chunks = list(reader.chunks())
    for chunk in chunks:
        if chunk.bad_lines:  # only CSV sets lines aside
            raise InputError(_module("csv").wrong_field_count(chunk.bad_lines[0], path))
    table = pa.concat_tables([c.table for c in chunks])
    return table, np.concatenate([c.rows for c in chunks])


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write a table in the format of ``path``'s suffix, atomically."""
    fmt = writer_format(path)
    with atomic_path(path) as tmp:
        fmt.write(table, tmp)
