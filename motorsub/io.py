"""Reading records and writing results: CSV (UTF-8 or GBK/GB18030) and Parquet.

Readers return pyarrow tables; CSV columns are read as text so that every original value
survives into the rejects file. Writers put a file under a temporary name and rename it
into place, so an interrupted run never leaves a half-written file under the final name.
CSV is written in UTF-8 with a byte-order mark, which Excel needs to show Chinese text.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from motorsub import records
from motorsub.errors import InputError

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
ENCODINGS = ("utf-8", "gb18030")
BOM = b"\xef\xbb\xbf"


def file_format(path: str | Path, what: str = "input") -> str:
    """``'csv'`` or ``'parquet'`` from the file name (a folder is a Parquet dataset)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES or (what == "input" and p.is_dir()):
        return "parquet"
    raise InputError(
        f"{path}: unknown {what} format {suffix or '(no extension)'!r}; "
        f"accepted: {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}"
        + (" or a folder of Parquet files" if what == "input" else "")
    )


def _csv_header(path: Path, encoding: str) -> list[str]:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = next(csv.reader(io.StringIO(text)), [])
    return first


def _wrong_field_count(path: Path, encoding: str, expected: int) -> str:
    """The message for a CSV line with more or fewer fields than the header has.

    pyarrow's parser says what the line holds but not where it is; this finds the first
    such line again, reading the file as Python's csv module does (an error path only).
    """
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(line.lstrip("\ufeff") for line in f)
        for record in reader:
            if len(record) != expected:
                text = ",".join(record)
                text = text if len(text) <= 60 else text[:57] + "..."
                return (
                    f"{path}: line {reader.line_num}: {len(record)} values where the header "
                    f"has {expected} columns ({text!r}); quote a value that holds a comma"
                )
    return f"{path}: a line has more or fewer values than the header has columns"


def read_table(path: str | Path, encoding: str | None = None) -> pa.Table:
    """Read a whole CSV or Parquet input (file or folder) into memory, by extension.

    CSV columns are text; UTF-8 (with or without BOM) is tried, else GB18030.
    """
    reader = BatchReader(path, batch_rows=1 << 30, encoding=encoding)
    return pa.concat_tables(list(reader))


def _temporary_beside(path: Path) -> Path:
    """An empty file beside ``path``, with the permissions a new file would get."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    path = Path(path)
    tmp = _temporary_beside(path)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write a table as CSV (UTF-8 with BOM) or Parquet, by extension, atomically."""
    fmt = file_format(path, what="output")
    with atomic_path(path) as tmp:
        if fmt == "csv":
            with open(tmp, "wb") as f:
                f.write(BOM)
                pacsv.write_csv(table, f)
        else:
            pq.write_table(table, tmp)


# ------------------------------------------------------------------------------------
# streaming: batches in, batches out


def _text_type(name: str) -> pa.DataType:
    """How a text column is read: dictionary-encoded if the engine reads it and its
    values repeat (``records.REPEATING``), else plain strings."""
    if records.normal_name(name) in records.REPEATING:
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()


def sniff_encoding(path: str | Path, size: int = 1 << 22) -> str:
    """UTF-8 if the first ``size`` bytes decode as UTF-8, else GB18030."""
    with open(path, "rb") as f:
        head = f.read(size)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            return "gb18030"
    return "utf-8"


class BatchReader:
    """Records in batches of at most ``batch_rows`` rows, from CSV or Parquet.

    ``total_rows`` is exact for Parquet and an estimate for CSV (from the bytes read so
    far); ``rows_read`` counts the rows handed out.
    """

    def __init__(self, path: str | Path, batch_rows: int, encoding: str | None = None):
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(f"{path}: no such file")
        self.format = file_format(path)
        self.batch_rows = batch_rows
        self.rows_read = 0
        self._file = None
        if self.format == "csv":
            self.encoding = encoding or sniff_encoding(self.path)
            self._size = self.path.stat().st_size
            self._exact_total = None
        else:
            try:
                if self.path.is_dir():
                    import pyarrow.dataset as ds  # imports pandas: only for a folder

                    dataset = ds.dataset(self.path, format="parquet")
                    paths, schema = sorted(dataset.files), dataset.schema
                else:
                    paths, schema = [self.path], pq.read_schema(self.path)
                text = [
                    f.name
                    for f in schema
                    if pa.types.is_string(f.type) and pa.types.is_dictionary(_text_type(f.name))
                ]
                self._schema = pa.schema(
                    [f.with_type(_text_type(f.name)) if f.name in text else f for f in schema]
                )
                # pre_buffer would keep every range read until the file is closed
                self._files = [
                    pq.ParquetFile(f, pre_buffer=False, read_dictionary=text) for f in paths
                ]
                self._exact_total = sum(f.metadata.num_rows for f in self._files)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"{path}: not a readable Parquet file or folder: {exc}") from None

    @property
    def total_rows(self) -> int | None:
        if self._exact_total is not None:
            return self._exact_total
        if self._file is None or self.rows_read == 0:
            return None
        if self._file.closed:  # the whole file has been read
            return self.rows_read
        done = max(self._file.tell(), 1)
        return max(self.rows_read, round(self.rows_read * self._size / done))

    def _csv_batches(self):
        names = _csv_header(self.path, self.encoding)
        if not names:
            raise InputError(f"{self.path}: the file is empty; expected a header row")
        convert = pacsv.ConvertOptions(
            column_types={n.strip(): _text_type(n) for n in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        )
        read = pacsv.ReadOptions(encoding=self.encoding, block_size=1 << 22)
        self._file = pa.OSFile(str(self.path), "r")  # native reads: no Python bytes per block
        try:
            reader = pacsv.open_csv(self._file, read_options=read, convert_options=convert)
            while True:
                try:
                    yield reader.read_next_batch()
                except StopIteration:
                    return
        except pa.ArrowInvalid as exc:
            if "columns, got" in str(exc):
                message = _wrong_field_count(self.path, self.encoding, len(names))
                raise InputError(message) from None
            hint = " (give --encoding, e.g. gb18030)" if "UTF8" in str(exc) else ""
            raise InputError(f"{self.path}: not a readable CSV file: {exc}{hint}") from None
        finally:
            self._file.close()

    def __iter__(self) -> Iterator[pa.Table]:
        if self.format == "csv":
            source = self._csv_batches()
        else:
            source = self._parquet_batches()
        pending: list[pa.RecordBatch] = []
        count = 0
        for batch in source:
            pending.append(batch)
            count += batch.num_rows
            while count >= self.batch_rows:
                table = pa.Table.from_batches(pending)
                head, rest = table.slice(0, self.batch_rows), table.slice(self.batch_rows)
                pending, count = rest.to_batches(), rest.num_rows
                self.rows_read += head.num_rows
                yield head
        if count or self.rows_read == 0:
            table = pa.Table.from_batches(pending) if pending else self._empty()
            self.rows_read += table.num_rows
            yield table

    def _parquet_batches(self):
        """File by file, row group by row group: far leaner than a dataset scan."""
        for f in self._files:
            for batch in f.iter_batches(batch_size=self.batch_rows):
                if batch.schema != self._schema:
                    batch = pa.Table.from_batches([batch]).cast(self._schema).to_batches()[0]
                yield batch

    def _empty(self) -> pa.Table:
        if self.format == "csv":
            names = _csv_header(self.path, self.encoding)
            return pa.table({n.strip(): pa.array([], pa.string()) for n in names})
        return self._schema.empty_table()


class BatchWriter:
    """Write tables batch by batch to CSV (UTF-8 with BOM) or Parquet under a temporary
    name; :meth:`commit` renames the file into place, :meth:`abort` removes it.

    ``plain`` names columns whose values rarely repeat: Parquet stores them without
    the dictionary encoding pyarrow otherwise tries on every column first (it fills a
    dictionary page, finds it too large and starts over plain), which costs about a
    third of writing motorsub's output.
    """

    def __init__(self, path: str | Path, plain: Iterable[str] = ()):
        self.path = Path(path)
        self.plain = frozenset(plain)
        self.format = file_format(path, what="output")
        self.tmp = _temporary_beside(self.path)
        self._sink = None
        self._writer = None
        self.schema: pa.Schema | None = None

    def write(self, table: pa.Table) -> None:
        if self._writer is None:
            self.schema = table.schema
            if self.format == "csv":
                self._sink = open(self.tmp, "wb")
                self._sink.write(BOM)
                self._writer = pacsv.CSVWriter(self._sink, self.schema)
            else:
                dictionary = [n for n in self.schema.names if n not in self.plain]
                self._writer = pq.ParquetWriter(self.tmp, self.schema, use_dictionary=dictionary)
        elif table.schema != self.schema:
            table = table.cast(self.schema)
        self._writer.write_table(table)

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._sink is not None:
            self._sink.close()
        self._writer = self._sink = None

    def commit(self) -> None:
        self._close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self._close()
        if self.tmp.exists():
            self.tmp.unlink()
