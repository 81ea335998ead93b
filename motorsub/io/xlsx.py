"""Excel workbooks (.xlsx): one sheet in, one sheet out.

Reading takes the first sheet, or the sheet named with ``--sheet``, through calamine
(python-calamine); every column is read as text as CSV's are, so that every original
value survives into the rejects file: a number cell reads as its shortest decimal
(``15`` for 15.0), a date cell as ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` with a time of
day), a boolean as ``true``/``false``. The sheet is held whole while it is read (a sheet
has at most :data:`MAX_ROWS` rows).

Writing goes through XlsxWriter in its constant-memory mode, one row after the other:
numbers stay numbers, dates are Excel dates, text that a spreadsheet would run as a
formula gets a leading ``'`` (:func:`motorsub.io.text.formula_safe`). A table longer than
one sheet holds is an error before anything is written: write CSV or Parquet instead.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from motorsub import i18n
from motorsub.errors import InputError
from motorsub.io.text import formula_safe, text_type

SUFFIXES = (".xlsx",)
#: Rows of one Excel sheet, the header row included.
MAX_ROWS = 1_048_576
#: Workbook options: strings stay strings (never read as a number, formula or link).
_WORKBOOK = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
}


def too_many_rows(rows: int) -> InputError:
    """The error for a table that one sheet cannot hold."""
    _ = i18n.translator()
    return InputError(
        _(
            "{rows:,} rows do not fit in an Excel sheet (at most {most:,} rows under the "
            "header); write the output as .csv or .parquet instead"
        ).format(rows=rows, most=MAX_ROWS - 1)
    )


def _cell_text(value) -> str | None:
    """A cell as the text CSV would hold."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return None
    return str(value)


def _texts(values: list) -> list[str | None]:
    if all(type(v) is str for v in values):
        return [v if v.strip() else None for v in values]
    return [_cell_text(v) for v in values]


class Source:
    """Record batches of one sheet of a workbook; ``total_rows`` is exact."""

    def __init__(
        self,
        path: Path,
        batch_rows: int,
        encoding: str | None = None,
        columns=None,
        sheet: str | None = None,
    ):
        from python_calamine import CalamineWorkbook  # only when a workbook is read

        self.path, self.batch_rows = path, batch_rows
        try:
            book = CalamineWorkbook.from_path(str(path))
            names = book.sheet_names
            if sheet is not None and sheet not in names:
                _ = i18n.translator()
                raise InputError(
                    _("{path}: no sheet named {sheet!r}; the workbook has {names}")
                    .format(path=path, sheet=sheet, names=", ".join(repr(n) for n in names))
                )  # fmt: skip
            rows = book.get_sheet_by_name(sheet or names[0]).to_python(skip_empty_area=False)
        except InputError:
            raise
        except Exception as exc:  # calamine's errors: not a zip, not a workbook, ...
            _ = i18n.translator()
            raise InputError(
                _("{path}: not a readable .xlsx workbook: {reason}")
                .format(path=path, reason=exc)
            ) from None  # fmt: skip
        if not rows:
            _ = i18n.translator()
            raise InputError(
                _("{path}: the sheet is empty; expected a header row")
                .format(path=path)
            )  # fmt: skip
        header = [_cell_text(v) or "" for v in rows[0]]
        width = len(header)
        while width and not header[width - 1]:  # formatted but empty columns at the right
            width -= 1
        last = len(rows)
        while last > 1 and not any(_cell_text(v) for v in rows[last - 1][:width]):
            last -= 1
        self.names = [h.strip() for h in header[:width]]
        self._rows = rows[1:last]

    def total_rows(self, rows_read: int) -> int | None:
        return len(self._rows)

    def _table(self, rows: list[list]) -> pa.Table:
        columns = list(zip(*(r[: len(self.names)] for r in rows))) if rows else []
        arrays = {}
        for i, name in enumerate(self.names):
            values = _texts(list(columns[i])) if columns else []
            arr = pa.array(values, pa.string())
            arrays[name] = arr.dictionary_encode() if text_type(name) != pa.string() else arr
        return pa.table(arrays) if arrays else pa.table({})

    def batches(self):
        for start in range(0, len(self._rows), self.batch_rows):
            yield from self._table(self._rows[start : start + self.batch_rows]).to_batches()
        self._rows = []

    def empty(self) -> pa.Table:
        return self._table([])


def _py_columns(table: pa.Table) -> list[list]:
    """Columns as Python values XlsxWriter writes by type (NaN as an empty cell)."""
    out = []
    for column in formula_safe(table).columns:
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_finite(column), column, pa.scalar(None, column.type))
        elif pa.types.is_timestamp(column.type) and column.type.tz is not None:
            column = pc.cast(column, pa.timestamp(column.type.unit))  # Excel has no zones
        elif pa.types.is_decimal(column.type):
            column = pc.cast(column, pa.float64())
        out.append(column.to_pylist())
    return out


class Sink:
    """Tables appended to one sheet of a new workbook."""

    def __init__(self, path: Path, schema: pa.Schema, plain=frozenset()):
        import xlsxwriter  # only when a workbook is written

        self._book = xlsxwriter.Workbook(str(path), _WORKBOOK)
        self._sheet = self._book.add_worksheet()
        bold = self._book.add_format({"bold": True})
        self._sheet.write_row(0, 0, schema.names, bold)
        self._sheet.freeze_panes(1, 0)
        self._row = 1

    def write(self, table: pa.Table) -> None:
        if self._row + table.num_rows > MAX_ROWS:
            raise too_many_rows(self._row - 1 + table.num_rows)
        write_row, row = self._sheet.write_row, self._row
        for values in zip(*_py_columns(table)):
            write_row(row, 0, values)
            row += 1
        self._row = row

    def close(self) -> None:
        self._book.close()


def write(table: pa.Table, path: Path) -> None:
    """A whole table to ``path``; nothing is written if one sheet cannot hold it."""
    if table.num_rows + 1 > MAX_ROWS:
        raise too_many_rows(table.num_rows)
    sink = Sink(path, table.schema)
    sink.write(table)
    sink.close()
