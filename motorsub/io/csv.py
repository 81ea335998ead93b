"""CSV: read in UTF-8 (with or without BOM), UTF-16 (with BOM) or GB18030, written in UTF-8
with a BOM.

Columns are read as text, so that every original value survives into the rejects file;
the engine's repeating columns are read dictionary-encoded. Excel needs the byte-order
mark to show Chinese text. A text value that a spreadsheet would run as a formula is
written with a leading ``'`` (:func:`motorsub.io.text.formula_safe`).

Reading never guesses silently: a file is decoded exactly or refused with the line and
byte offset of the first byte that does not fit (:class:`_Decoded`). Comma- and
tab-separated files (Excel's "Unicode text") are read. A line with more or fewer values
than the header has is handed out as a :class:`BadLine` (it goes to the rejects file),
completely empty lines are counted and skipped, and every row carries the number a
spreadsheet gives it (header = row 1, empty lines included).
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from motorsub import i18n
from motorsub.errors import InputError
from motorsub.io.text import formula_safe, text_type

SUFFIXES = (".csv", ".txt")
ENCODINGS = ("utf-8", "utf-16", "gb18030")
BOM = b"\xef\xbb\xbf"
#: Byte-order marks, longest first, and the codec each announces.
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (BOM, "utf-8"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
BLOCK_BYTES = 1 << 22
#: A line longer than this is refused (the parser's block grows up to it).
MAX_BLOCK_BYTES = 1 << 28
#: Bytes decoded at a time when a file is not UTF-8.
DECODE_BYTES = 1 << 22
#: The longest header line read.
MAX_HEADER_BYTES = 1 << 24
DELIMITERS = (",", "\t")


@dataclass(frozen=True)
class BadLine:
    """A line whose values do not match the header: its row number and raw text."""

    row: int
    values: int
    expected: int
    text: str


def check_encoding(name: str) -> str:
    """The codec name of ``name`` (``--encoding``).

    Raises
    ------
    InputError
        No text encoding has that name (exit 2).
    """
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        _ = i18n.translator()
        raise InputError(
            _("--encoding {name!r}: unknown text encoding; e.g. utf-8, gb18030, utf-16, latin-1")
            .format(name=name)
        )  # fmt: skip
    return info.name


def sniff_encoding(path: str | Path, size: int = 1 << 22) -> str:
    """The encoding a byte-order mark announces; else UTF-8 if the first ``size`` bytes
    decode as UTF-8; else GB18030 (checked as the file is read, see :class:`_Decoded`)."""
    with open(path, "rb") as f:
        head = f.read(size)
    for mark, name in BOMS:
        if head.startswith(mark):
            return name
    nul = head.find(b"\x00")
    sample = head[:4096]
    if nul >= 0 and sample.count(b"\x00") * 5 > len(sample):
        # a NUL in every few bytes: UTF-16 or UTF-32 with no mark (a stray NUL in one
        # field is left to the line's checks)
        line = head.count(b"\n", 0, nul) + 1
        _ = i18n.translator()
        raise InputError(
            _("{where}: a NUL byte, which no UTF-8 or GB18030 text holds (UTF-16 without a "
              "byte-order mark?); give its encoding with --encoding, e.g. --encoding utf-16-le")
            .format(where=_where(Path(path), line, nul))
        )  # fmt: skip
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(head) < size or exc.start < len(head) - 4:  # not a character cut by the sample
            return "gb18030"
    return "utf-8"


def _ascii_compatible(encoding: str) -> bool:
    try:
        return '\n,\t"'.encode(encoding) == b'\n,\t"'
    except (UnicodeError, LookupError):
        return False


def _where(path: Path, line: int, offset: int) -> str:
    _ = i18n.translator()
    return _("{path}: line {line}, byte offset {offset}").format(
        path=path, line=line, offset=offset
    )


class _Decoded(io.RawIOBase):
    """The UTF-8 bytes of a file in another encoding, decoded strictly, line by line.

    With ``common_chinese`` (GB18030 chosen because the file is not UTF-8), a character
    outside GB2312 (the common Chinese characters and symbols) is refused too: bytes of
    another encoding (Latin-1 ``Müller``, UTF-8 lines in a GBK file) decode as GB18030
    into rare characters, and they would be read as garbage without a word.
    """

    def __init__(self, path: Path, encoding: str, common_chinese: bool = False):
        self.path, self.encoding, self.common = path, encoding, common_chinese
        self._raw = open(path, "rb")
        self._by_line = _ascii_compatible(encoding)
        self._out = b""
        self._carry = b""
        self._line = 1  # line number of the first line in _carry
        self._offset = 0  # byte offset of _carry's first byte
        self._eof = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()
        super().close()

    def tell(self) -> int:
        return self._raw.tell()

    def _decode(self, data: bytes, final: bool) -> str:
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            line = self._line + data[: exc.start].count(b"\n")
            if not self._by_line:
                line = data[: exc.start].decode(self.encoding, "replace").count("\n") + 1
            bad = data[exc.start : exc.end].hex(" ")
            _ = i18n.translator()
            what = _("UTF-8 or GB18030") if self.common else self.encoding
            self._further_as_utf8(self._offset + exc.start)
            _ = i18n.translator()
            raise InputError(
                _("{where}: bytes {bad} cannot be read as {what}; save the file as UTF-8 "
                  "(CSV UTF-8 in Excel) or give its --encoding")
                .format(where=_where(self.path, line, self._offset + exc.start), bad=bad,
                        what=what)
            ) from None  # fmt: skip
        if self.common:
            self._check_common(text, data)
        return text

    def _check_common(self, text: str, data: bytes) -> None:
        try:
            text.encode("gb2312")
        except UnicodeEncodeError as exc:
            before = text[: exc.start]
            line = self._line + before.count("\n")
            offset = self._offset + len(before.encode(self.encoding))
            char = text[exc.start]
            raw = char.encode(self.encoding).hex(" ")
            self._further_as_utf8(offset)
            _ = i18n.translator()
            raise InputError(
                _("{where}: bytes {raw} are not UTF-8, and as GB18030 they read {char!r}, not "
                  "common Chinese text: the file may be in another encoding or mix two; save "
                  "it as UTF-8 (CSV UTF-8 in Excel), or give --encoding (--encoding gb18030 "
                  "if that character is right)")
                .format(where=_where(self.path, line, offset), raw=raw, char=char)
            ) from None  # fmt: skip

    def _further_as_utf8(self, offset: int) -> None:
        """A file chosen as GB18030 that reads further as UTF-8 (mostly UTF-8, with a few
        bytes of another encoding): name the first bytes that are not UTF-8 instead."""
        if not self.common:
            return
        at = _first_bad_utf8_at(self.path)
        if at is not None and at[1] > offset:
            raise InputError(first_bad_utf8(self.path, gb18030=True))

    def _fill(self) -> None:
        while not self._out and not self._eof:
            data = self._raw.read(DECODE_BYTES if self._by_line else -1)
            self._eof = not data or not self._by_line
            data = self._carry + data
            if not self._eof:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    self._carry = data
                    continue
                data, self._carry = data[:cut], data[cut:]
            else:
                self._carry = b""
            text = self._decode(data, self._eof)
            if not self._by_line:
                text = text.lstrip("\ufeff")
            self._out = text.encode("utf-8")
            self._line += data.count(b"\n")
            self._offset += len(data)

    def readinto(self, buffer) -> int:
        self._fill()
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n


def _first_bad_utf8_at(path: Path) -> tuple[int, int, str] | None:
    """Line, byte offset and bytes (hex) of the first bytes that are not UTF-8, if any."""
    offset = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, offset + exc.start, line[exc.start : exc.end].hex(" ")
            offset += len(line)
    return None


def first_bad_utf8(path: Path, gb18030: bool = False) -> str:
    """Where the first byte that is not UTF-8 lies (an error path: the file is read again);
    ``gb18030``: the bytes are not common Chinese text in GB18030 either."""
    _ = i18n.translator()
    at = _first_bad_utf8_at(path)
    if at is None:
        return _("{path}: not valid UTF-8; give its --encoding").format(path=path)
    line, offset, bad = at
    if gb18030:
        text = _(
            "{where}: bytes {bad} are not UTF-8 nor common Chinese text in GB18030, though the "
            "file reads as UTF-8 before them; save the file as UTF-8 (CSV UTF-8 in Excel) or "
            "give its --encoding"
        )
    else:
        text = _(
            "{where}: bytes {bad} are not UTF-8, though the file reads as UTF-8 before them; "
            "save the file as UTF-8 (CSV UTF-8 in Excel) or give its --encoding"
        )
    return text.format(where=_where(path, line, offset), bad=bad)


def _is_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8 (an error path: the file is read again)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(DECODE_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _quiet_undecodable_rows() -> None:
    """Keep quiet when pyarrow cannot hand a set-aside line to :meth:`Source._reader`'s
    callback because the line is not UTF-8: the read then stops, and the error names the
    line and byte (:func:`first_bad_utf8`)."""
    previous = sys.unraisablehook
    if getattr(previous, "motorsub", False):
        return

    def hook(unraisable):
        if isinstance(unraisable.exc_value, UnicodeDecodeError) and "set_aside" in getattr(
            unraisable.object, "__qualname__", ""
        ):
            return
        previous(unraisable)

    hook.motorsub = True
    sys.unraisablehook = hook


def _head_text(path: Path, encoding: str) -> str:
    """The first line of the file, decoded (up to :data:`MAX_HEADER_BYTES`)."""
    with open(path, "rb") as f:
        head = b""
        while len(head) < MAX_HEADER_BYTES:
            more = f.read(1 << 16)
            head += more
            if not more or b"\n" in more:
                break
    if encoding == "utf-8":  # read natively: names must be UTF-8 themselves
        try:
            return head.split(b"\n", 1)[0].decode("utf-8").lstrip("\ufeff").rstrip("\r")
        except UnicodeDecodeError:
            raise InputError(first_bad_utf8(path)) from None
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    return text.split("\n", 1)[0].rstrip("\r")


def delimiter(path: Path, encoding: str) -> str:
    """Tab when the header line has more tabs than commas (Excel's "Unicode text"), else comma."""
    first = _head_text(path, encoding)
    return "\t" if first.count("\t") > first.count(",") else ","


def header(path: Path, encoding: str, sep: str | None = None) -> list[str]:
    """The names of the header line, as written."""
    first = _head_text(path, encoding)
    sep = sep or ("\t" if first.count("\t") > first.count(",") else ",")
    try:
        return next(csv.reader(io.StringIO(first, newline=""), delimiter=sep), [])
    except csv.Error as exc:
        _ = i18n.translator()
        raise InputError(
            _("{path}: line 1: not a readable header ({reason})").format(path=path, reason=exc)
        ) from None


def wrong_field_count(bad: BadLine, path: Path) -> str:
    """The message for a line with more or fewer values than the header has columns."""
    _ = i18n.translator()
    text = bad.text if len(bad.text) <= 60 else bad.text[:57] + "..."
    return _(
        "{path}: line {row}: {values} values where the header has {expected} columns "
        "({text!r}); quote a value that holds a comma"
    ).format(path=path, row=bad.row, values=bad.values, expected=bad.expected, text=text)


def row_numbers(parsed: int, n: int, bad_rows: np.ndarray) -> np.ndarray:
    """Spreadsheet row numbers of parsed rows ``parsed`` … ``parsed + n - 1`` (0-based among
    the rows the parser kept), given the sorted numbers of the lines it set aside: row
    ``k`` is line ``k + 2`` plus the set-aside lines at or before it."""
    k = np.arange(parsed, parsed + n, dtype=np.int64) + 2
    slots = bad_rows - np.arange(len(bad_rows), dtype=np.int64)
    return k + np.searchsorted(slots, k, side="right")


class Source:
    """Record batches of a CSV file; ``total_rows`` is estimated from the bytes read."""

    def __init__(self, path: Path, batch_rows: int, encoding: str | None = None, columns=None):
        # ``columns`` is a hint for formats that can skip columns; CSV reads them all
        self.path = path
        self.forced = encoding is not None
        self.encoding = check_encoding(encoding) if encoding else sniff_encoding(path)
        self._size = path.stat().st_size
        self._file = None
        self._names: list[str] | None = None

    def total_rows(self, rows_read: int) -> int | None:
        if self._file is None or rows_read == 0:
            return None
        if self._file.closed:  # the whole file has been read
            return rows_read
        done = max(self._file.tell(), 1)
        return max(rows_read, round(rows_read * self._size / done))

    def names(self) -> list[str]:
        if self._names is None:
            self._sep = delimiter(self.path, self.encoding)
            self._names = header(self.path, self.encoding, self._sep)
            if not self._names:
                _ = i18n.translator()
                raise InputError(
                    _("{path}: no header: the file or its first line is empty").format(
                        path=self.path
                    )
                )
        return self._names

    def _open(self):
        if self.encoding == "utf-8":  # native reads: no Python bytes per block
            return pa.OSFile(str(self.path), "r")
        common = not self.forced and self.encoding == "gb18030"
        return io.BufferedReader(_Decoded(self.path, self.encoding, common), 1 << 20)

    def _reader(self, block: int, bad: list[BadLine], seen: list[int]):
        names = self.names()
        expected = len(names)

        def set_aside(row) -> str:
            number = row.number
            if number is None or number <= seen[0]:  # reported before a restart
                return "skip"
            seen[0] = number
            bad.append(BadLine(number, row.actual_columns, expected, row.text))
            return "skip"

        convert = pacsv.ConvertOptions(
            column_types={n.strip(): text_type(n) for n in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        )
        read = pacsv.ReadOptions(encoding="utf8", block_size=block, use_threads=False)
        parse = pacsv.ParseOptions(
            delimiter=self._sep, ignore_empty_lines=False, invalid_row_handler=set_aside
        )
        _quiet_undecodable_rows()
        self._file = self._open()
        return pacsv.open_csv(self._file, read_options=read, parse_options=parse,
                              convert_options=convert)  # fmt: skip

    def chunks(self):
        """``(batch, row numbers, bad lines, blank lines)`` in input order: the rows kept,
        the number a spreadsheet gives each, the lines set aside since the last chunk and
        how many empty lines were skipped."""
        bad: list[BadLine] = []
        seen = [1]  # the last set-aside line's number
        bad_rows: list[int] = []
        parsed = 0  # rows the parser kept so far (empty lines included)
        block = BLOCK_BYTES
        while True:
            skip = parsed
            try:
                reader = self._reader(block, bad, seen)
                while True:
                    try:
                        batch = reader.read_next_batch()
                    except StopIteration:
                        break
                    if skip >= batch.num_rows:
                        skip -= batch.num_rows
                        continue
                    if skip:
                        batch, skip = batch.slice(skip), 0
                    bad_rows += [b.row for b in bad]
                    rows = row_numbers(parsed, batch.num_rows, np.asarray(bad_rows, np.int64))
                    parsed += batch.num_rows
                    batch, rows, blank = _drop_blank(batch, rows)
                    handed, bad[:] = list(bad), []
                    yield batch, rows, handed, blank
                if bad:
                    handed, bad[:] = list(bad), []
                    yield None, np.zeros(0, np.int64), handed, 0
                return
            except pa.ArrowInvalid as exc:
                if "straddl" in str(exc) and block < MAX_BLOCK_BYTES:
                    block *= 4  # a line longer than a block: read again with larger blocks
                    continue
                raise InputError(self._message(exc, parsed)) from None
            finally:
                if self._file is not None:
                    self._file.close()

    def _message(self, exc: Exception, parsed: int) -> str:
        text = str(exc)
        if "UTF8" in text or (self.encoding == "utf-8" and not _is_utf8(self.path)):
            return first_bad_utf8(self.path)
        _ = i18n.translator()
        if "straddl" in text:
            return _(
                "{path}: a line after row {row} is longer than {mb} MB (a quote never closed?)"
            ).format(path=self.path, row=parsed + 1, mb=MAX_BLOCK_BYTES >> 20)
        return _("{path}: not a readable CSV file after row {row}: {reason}").format(
            path=self.path, row=parsed + 1, reason=text
        )

    def batches(self):
        """Record batches; a line whose values do not match the header is an error."""
        for batch, _, bad, _ in self.chunks():
            if bad:
                raise InputError(wrong_field_count(bad[0], self.path))
            if batch is not None:
                yield batch

    def empty(self) -> pa.Table:
        return pa.table({n.strip(): pa.array([], pa.string()) for n in self.names()})


def _drop_blank(batch: pa.RecordBatch, rows: np.ndarray):
    """The batch without its completely empty rows, their row numbers, how many."""
    if batch.num_rows == 0 or batch.num_columns == 0:
        return batch, rows, 0
    filled = np.zeros(batch.num_rows, dtype=np.bool_)
    for column in batch.columns:
        if column.null_count:
            filled |= column.is_valid().to_numpy(zero_copy_only=False)
        else:
            return batch, rows, 0
    if filled.all():
        return batch, rows, 0
    return batch.filter(pa.array(filled)), rows[filled], int((~filled).sum())


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
