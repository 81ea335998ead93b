"""What is wrong with a rejected row, in plain words: the ``message`` of the rejects file.

Each problem code of a row (``MISSING_KW``, ``BAD_EFFICIENCY``, ``BAD_LINE``) becomes
``column: 'value' what is wrong`` in the language asked for (the words come from the one
catalogue, :mod:`motorsub.i18n`); a row's problems are joined with ``; ``. The bounds
quoted are the ones :func:`motorsub.engine.records.validate` applies.
"""

from __future__ import annotations

import math
import re

from motorsub import i18n, vocab
from motorsub.engine import records


def _number(value) -> float | None:
    try:
        x = float(str(value).strip().rstrip("%\uff05").strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


#: A number with text after it (``11 kW``, ``5 台``): the number alone is what is read.
_NUMBER_THEN_TEXT = re.compile(r"\s*([-+]?\d+(?:[.,]\d+)?)\s*[^\d\s.,%\uff05eE].*", re.S)
#: A value written as a ``YYYY-MM-DD`` date (the day may not exist).
_DATE_FORM = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*")


def _what(column: str, value, _) -> str:
    """What is wrong with ``value`` in ``column`` (a BAD_ problem)."""
    x = _number(value)
    unit = _NUMBER_THEN_TEXT.fullmatch(str(value))
    if x is None and unit and column in records.NUMBER_COLUMNS:
        return _("has text after the number: write the number alone ({number})").format(
            number=unit[1]
        )
    if column == "sale_date" and _DATE_FORM.fullmatch(str(value)):
        return _("is written as a date, but that day does not exist")
    if column in ("kw", "old_kw"):
        if x is None or x <= 0:
            return _("is not a positive number")
        return _(
            "is above {limit:,.0f} kW, {factor} times the largest rating any scheme covers"
        ).format(limit=records.kw_max(), factor=vocab.KW_SCOPE_FACTOR)
    if column in ("efficiency", "old_efficiency"):
        if x is not None and 0 < x <= vocab.FRACTION_MAX:
            return _("looks like a fraction: give efficiency in percent (e.g. 92.5)")
        return _("is not a plausible efficiency: give percent from {lo:g} to below {hi:g}").format(
            lo=vocab.EFFICIENCY_MIN, hi=vocab.EFFICIENCY_MAX
        )
    if column == "load":
        return _("is not a load from 0 to {hi:g} of rating (e.g. 0.75 or 75%)").format(
            hi=vocab.LOAD_MAX
        )
    if column == "hours":
        return _("is not a number of hours from 0 to {hi:,.0f} a year").format(
            hi=vocab.HOURS_PER_YEAR_MAX
        )
    if column in ("qty", "old_qty"):
        return _("is not a whole number from 1 to {hi:,}").format(hi=vocab.MAX_QTY)
    if column == "sale_date":
        return _("is not a date that exists, written YYYY-MM-DD")
    if column == "region":
        return _("is not a province code such as CN-SH or CN-JS")
    if column == "motor_type":
        return _("is not one of {values}").format(values=", ".join(vocab.MOTOR_TYPES))
    if column == "kind":
        return _("is not one of {values}").format(values=", ".join(vocab.KINDS))
    if column == "grade":
        return _("is not a grade 1, 2 or 3")
    if column in ("poles", "old_poles"):
        return _("is not a pole count 2, 4, 6 or 8")
    if column == "trade_in":
        return _("is not yes or no (true/false, 1/0, 是/否)")
    if column == "price":
        return _("is not a number of at least 0")
    return _("is not a positive number")


def _shown(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def problem_message(problem: str, value, lang: str = "en") -> str:
    """``column: 'value' what is wrong`` for one problem code of a row."""
    _ = i18n.translator(lang)
    column = records.problem_column(problem)
    if problem.startswith("MISSING_"):
        return _("{column}: empty, but a value is required").format(column=column)
    return f"{column}: {_shown(value)} {_what(column, value, _)}"


def bad_line_message(values: int, expected: int, lang: str = "en") -> str:
    """The message of a line whose values do not match the header."""
    _ = i18n.translator(lang)
    return _(
        "{values} values where the header has {expected} columns; quote a value that holds a comma"
    ).format(values=values, expected=expected)
