"""Other spellings of column names and coded values: Chinese headings, Chinese codes.

The packaged table ``motorsub/data/aliases.csv`` has one spelling a row: ``what`` it
names (``column``, or the coded value it stands for: ``region``, ``motor_type``, ``kind``,
``grade``, ``bool``), the ``alias``, the canonical ``value`` and a ``note`` saying where
the spelling comes from. ``--aliases FILE`` adds a table of the same form; its entries win
over the packaged ones.

Spellings are compared by :func:`key`: NFKC-normalised (full-width letters, digits and
brackets become their ASCII forms), without spaces or a byte-order mark, lower-cased. So
``额定功率（ｋＷ）`` and ``额定功率 (kW)`` are one heading.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa

from motorsub import data, i18n, vocab
from motorsub.errors import InputError

#: What an alias can name: a column, or a value of a coded column.
WHATS: tuple[str, ...] = ("column", "region", "motor_type", "kind", "grade", "bool")
_VALUES = {
    "motor_type": vocab.MOTOR_TYPES,
    "kind": vocab.KINDS,
    "grade": tuple(str(g) for g in vocab.GRADES),
    "bool": ("true", "false"),
}
_REGION = re.compile(r"^CN-[A-Z]{2}$")  # ISO 3166-2:CN
_COLUMN = re.compile(r"^[a-z][a-z0-9_]*$")


def key(text: str) -> str:
    """How a spelling is compared: NFKC, no spaces or BOM, lower case."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return "".join(text.split()).lower()


@dataclass
class Aliases:
    """Column and value spellings, by :func:`key`."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    _arrays: dict = field(default_factory=dict, repr=False, compare=False)

    def column(self, name: str) -> str | None:
        """The canonical column a heading stands for, or None."""
        return self.columns.get(key(name))

    def value_arrays(self, what: str) -> tuple[pa.Array, pa.Array]:
        """Keys and canonical values of one coded column, for vectorised look-up."""
        if what not in self._arrays:
            table = self.values.get(what, {})
            self._arrays[what] = (
                pa.array(list(table), pa.string()),
                pa.array(list(table.values()), pa.string()),
            )
        return self._arrays[what]

    def merged(self, other: Aliases) -> Aliases:
        """These spellings with ``other``'s added (``other`` wins a conflict)."""
        values = {w: dict(self.values.get(w, {})) | other.values.get(w, {}) for w in WHATS}
        return Aliases(self.columns | other.columns, values)


def parse(text: str, source: str) -> Aliases:
    """An alias table from CSV text (columns ``what``, ``alias``, ``value``, ``note``).

    Raises
    ------
    InputError
        A missing column, an unknown ``what``, a value that is not canonical, or one
        alias given two different values; naming the file and the row.
    """
    _ = i18n.translator()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    absent = [c for c in ("what", "alias", "value") if c not in (reader.fieldnames or [])]
    if absent:
        raise InputError(_("{source}: missing column(s) {columns}; an alias table has what, "
                           "alias, value and note").format(source=source,
                                                           columns=", ".join(absent)))  # fmt: skip
    out = Aliases(values={w: {} for w in WHATS if w != "column"})
    for row_no, row in enumerate(reader, start=2):
        what, alias, value = (str(row.get(c) or "").strip() for c in ("what", "alias", "value"))

        def where(column: str, row_no: int = row_no) -> str:
            return _("{source}: row {row}, column {column}").format(
                source=source, row=row_no, column=column
            )

        if what not in WHATS:
            raise InputError(
                where("what")
                + ": "
                + _("{value!r} is not one of {values}").format(value=what, values=", ".join(WHATS))
            )
        if not alias:
            raise InputError(where("alias") + ": " + _("empty"))
        if what == "column":
            ok, expected = bool(_COLUMN.match(value)), _("a column name such as kw")
        elif what == "region":
            ok, expected = bool(_REGION.match(value)), _("an ISO 3166-2:CN code such as CN-SH")
        else:
            ok, expected = value in _VALUES[what], _(" or ").join(_VALUES[what])
        if not ok:
            raise InputError(
                where("value")
                + ": "
                + _("{value!r} is not {expected}").format(value=value, expected=expected)
            )
        table = out.columns if what == "column" else out.values[what]
        k = key(alias)
        if table.get(k, value) != value:
            raise InputError(
                _("{source}: row {row}: {alias!r} ({what}) means {earlier!r} on an earlier "
                  "row and {value!r} here").format(source=source, row=row_no, alias=alias,
                                                   what=what, earlier=table[k], value=value)
            )  # fmt: skip
        table[k] = value
    return out


@cache
def packaged() -> Aliases:
    """The shipped table, ``motorsub/data/aliases.csv``."""
    return parse(data.path("aliases.csv").read_text(encoding="utf-8"), "aliases.csv")


def load(path: str | Path | None = None) -> Aliases:
    """The packaged spellings, with those of ``path`` (a CSV file) added when given."""
    if path is None:
        return packaged()
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        _ = i18n.translator()
        raise InputError(
            _("{path}: cannot read the alias table: {reason}").format(
                path=path, reason=exc.strerror
            )
        ) from None
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        decoded = text.decode("gb18030", errors="replace")
    return packaged().merged(parse(decoded, str(path)))
