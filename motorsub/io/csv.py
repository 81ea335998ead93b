"""CSV: read in UTF-8 (with or without BOM) or GBK/GB18030, written in UTF-8 with a BOM.

Columns are read as text, so that every original value survives into the rejects file;
the engine's repeating columns are read dictionary-encoded. Excel needs the byte-order
mark to show Chinese text. A text value that a spreadsheet would run as a formula is
written with a leading ``'`` (:func:`motorsub.io.text.formula_safe`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from motorsub.errors import InputError
from motorsub.io.text import formula_safe, text_type

SUFFIXES = (".csv", ".txt")
ENCODINGS = ("utf-8", "gb18030")
BOM = b"\xef\xbb\xbf"
BLOCK_BYTES = 1 << 22


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


def header(path: Path, encoding: str) -> list[str]:
    """The names of the header line, as written."""
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


class Source:
    """Record batches of a CSV file; ``total_rows`` is estimated from the bytes read."""

    def __init__(self, path: Path, batch_rows: int, encoding: str | None = None, columns=None):
        # ``columns`` is a hint for formats that can skip columns; CSV reads them all
        self.path = path
        self.encoding = encoding or sniff_encoding(path)
        self._size = path.stat().st_size
        self._file = None

    def total_rows(self, rows_read: int) -> int | None:
        if self._file is None or rows_read == 0:
            return None
        if self._file.closed:  # the whole file has been read
            return rows_read
        done = max(self._file.tell(), 1)
        return max(rows_read, round(rows_read * self._size / done))

    def batches(self):
        names = header(self.path, self.encoding)
        if not names:
            raise InputError(f"{self.path}: the file is empty; expected a header row")
        convert = pacsv.ConvertOptions(
            column_types={n.strip(): text_type(n) for n in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        )
        read = pacsv.ReadOptions(encoding=self.encoding, block_size=BLOCK_BYTES)
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

    def empty(self) -> pa.Table:
        names = header(self.path, self.encoding)
        return pa.table({n.strip(): pa.array([], pa.string()) for n in names})


class Sink:
    """Tables appended to a CSV file (UTF-8 with BOM)."""

    def __init__(self, path: Path, schema: pa.Schema, plain=frozenset()):
        self._file = open(path, "wb")
        self._file.write(BOM)
        self._writer = pacsv.CSVWriter(self._file, schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(formula_safe(table))

    def close(self) -> None:
        self._writer.close()
        self._file.close()


def write(table: pa.Table, path: Path) -> None:
    """A whole table to ``path`` (UTF-8 with BOM)."""
    with open(path, "wb") as f:
        f.write(BOM)
        pacsv.write_csv(formula_safe(table), f)
