"""Motor records: validate a table of sale lines into typed column arrays and rejects.

Input columns are those of the contract (docs/rules.md section 1). Every column may arrive as
text (CSV) or typed (Parquet, a DataFrame); parsing is vectorised with pyarrow compute.
A row with a bad or missing value is not computed: it gets one bit per problem in a
reject mask (``MISSING_<COLUMN>`` / ``BAD_<COLUMN>``) and goes to the rejects file with
its original values.
"""

from __future__ import annotations

import os
from concurrent.futures import wait
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import _jit, i18n, vocab
from motorsub._arrow import to_numpy
from motorsub.engine import aliases as _aliases
from motorsub.errors import InputError

REQUIRED = vocab.REQUIRED
#: Every column the engine reads; any other column is passed through untouched.
COLUMNS = vocab.INPUT_COLUMNS
#: Kept and passed through with the results.
PASSTHROUGH = ("manufacturer", "model", "serial")
REPEATING = vocab.REPEATING
MAX_KW, MAX_QTY = vocab.MAX_KW, vocab.MAX_QTY
HOURS_PER_YEAR_MAX, LOAD_MAX = vocab.HOURS_PER_YEAR_MAX, vocab.LOAD_MAX
EFFICIENCY_MIN, EFFICIENCY_MAX = vocab.EFFICIENCY_MIN, vocab.EFFICIENCY_MAX
POLES = vocab.POLES

_TRUE = ("true", "1", "yes", "y", "是", "t")
_FALSE = ("false", "0", "no", "n", "否", "f")
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_WHOLE = ("1", "2", "3", "4", "6", "8")  # grades and pole counts as usually written

PROBLEMS = vocab.PROBLEMS


def _bit(problem: str) -> np.uint64:
    return np.uint64(1) << np.uint64(PROBLEMS.index(problem))


@dataclass
class Records:
    """Validated records: typed columns for every row, and why a row is rejected."""

    cols: dict[str, np.ndarray]
    reject: np.ndarray  # uint64 bitmask per row, 0 = valid
    table: pa.Table  # the input as read, for passing columns through and for rejects

    @property
    def valid(self) -> np.ndarray:
        return self.reject == 0

    def take(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """Typed columns of the rows in ``index``, contiguous.

        When ``index`` is every row in order (a batch with no reject, the usual case)
        the columns themselves are returned, not copies: callers only read them.
        """
        if _every_row(index, len(self.reject)):
            return {k: np.ascontiguousarray(v) for k, v in self.cols.items()}
        return {k: np.ascontiguousarray(v[index]) for k, v in self.cols.items()}


def _every_row(index: np.ndarray, n: int, block: int = 1 << 16) -> bool:
    """Whether ``index`` is ``0, 1, ..., n - 1``: compared a block at a time, so that no
    array of the batch's length is made for it."""
    if len(index) != n:
        return False
    for a in range(0, n, block):
        b = min(a + block, n)
        if not np.array_equal(index[a:b], np.arange(a, b)):
            return False
    return True


def problem_names(mask: int) -> list[str]:
    """The problem codes whose bits are set in ``mask``."""
    return [p for i, p in enumerate(PROBLEMS) if int(mask) >> i & 1]


def problem_column(problem: str) -> str:
    """The input column a problem code is about (``BAD_OLD_KW`` → ``old_kw``)."""
    return problem.split("_", 1)[1].lower()


# ------------------------------------------------------------------------------------
# vectorised parsers: each returns (values, missing, bad) as numpy arrays


def _text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed, NFKC-normalised text (full-width digits and letters as ASCII), empty = null."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    if not pc.all(pc.string_is_ascii(arr)).as_py():  # NFKC changes no ASCII text
        arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.utf8_trim_whitespace(arr)
    empty = pa.scalar("", arr.type)  # typed: an untyped "" sends pyarrow to ask pandas
    return pc.if_else(pc.equal(arr, empty), pa.scalar(None, arr.type), arr)


def plain_edges(arr: pa.ChunkedArray) -> bool:
    """Whether every value of a text column starts and ends with a printable ASCII
    character other than a space: then trimming and NFKC leave its ends as they are, and a
    value is missing only when it is null or empty. Read from the offsets and bytes, in
    one pass (:func:`motorsub.kernels.checks.plain_edges`) when kernels are compiled."""
    for chunk in arr.chunks:
        n = len(chunk)
        if not n or chunk.null_count == n:
            continue
        offsets, data = chunk.buffers()[1:3]
        width = 8 if pa.types.is_large_string(chunk.type) else 4
        ends = np.frombuffer(offsets, f"i{width}", count=n + 1, offset=chunk.offset * width)
        if not _jit.python() and data is not None and len(data):
            from motorsub.kernels import checks

            valid = to_numpy(chunk.is_valid()) if chunk.null_count else _constant(True, n)
            byte = _jit.read_only(np.frombuffer(data, np.uint8))
            if not checks.plain_edges(_jit.read_only(ends), byte, valid):
                return False
            continue
        given = ends[1:] > ends[:-1]
        if chunk.null_count:
            given &= ~to_numpy(chunk.is_null())
        if not given.any():
            continue
        byte = np.frombuffer(data, np.uint8)
        first, last = byte[ends[:-1][given]], byte[ends[1:][given] - 1]
        if not (((first > 0x20) & (first < 0x7F)).all() and ((last > 0x20) & (last < 0x7F)).all()):
            return False
    return True


def _missing_text(arr) -> np.ndarray:
    """Where a column has no value once read as text (null, empty or only spaces)."""
    if FAST_PATHS and _is_text(arr) and not pa.types.is_dictionary(arr.type) and plain_edges(arr):
        return _missing(arr) | (to_numpy(pc.fill_null(pc.binary_length(arr), 0)) == 0)
    return _missing(_text(arr))


def _missing(arr) -> np.ndarray:
    return to_numpy(pc.is_null(arr))


def _is_text(arr) -> bool:
    t = arr.type
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t)


#: Whether the parsers read the common forms of a whole column at once (:func:`_known`,
#: :func:`_whole_column`) before parsing the rest value by value; False reads every value
#: by :func:`_per_value` alone, the reference the fast paths are tested against.
FAST_PATHS = True


class Found(NamedTuple):
    """A coded column looked up among its known texts: each row's entry among them
    (``index``, null where the row is null or has another text) and the parse of each
    known text, then of a null (``value``, ``miss``, ``bad``); the rows with another text
    (``rows``) and their parse (``part``: value, miss, bad), usually none. ``validate``
    spreads them over the rows with :func:`motorsub.kernels.checks.coded`."""

    index: pa.ChunkedArray
    value: np.ndarray
    miss: np.ndarray
    bad: np.ndarray
    rows: np.ndarray
    part: tuple


def _known(arr: pa.ChunkedArray, known, parse, found: bool = False):
    """Parse a text column whose values are mostly among ``known`` (codes as written).

    ``known`` is parsed once by ``parse`` itself, and each row equal to one of them takes
    that result by a hash look-up of the whole column; only the rows with another text go
    through :func:`_per_value`. The results are those of :func:`_per_value` on every row.
    With ``found``, the look-up and the parses are given as they are (:class:`Found`),
    when kernels are compiled.
    """
    if not FAST_PATHS or pa.types.is_dictionary(arr.type) or not len(arr):
        return _per_value(arr, parse)
    keys = pa.array(list(dict.fromkeys(known)), pa.string())
    parsed = parse(pa.chunked_array([pa.concat_arrays([keys, pa.nulls(1, pa.string())])]))
    index = pc.index_in(arr, value_set=keys)
    if found and not _jit.python():
        rows, part = np.zeros(0, np.int64), ()
        if index.null_count > arr.null_count:
            other = pc.and_(pc.is_null(index), pc.is_valid(arr))
            rows = to_numpy(pc.indices_nonzero(other)).astype(np.int64)
            part = _per_value(arr.take(pa.array(rows)), parse)
        return Found(index, *(np.ascontiguousarray(x) for x in parsed), rows, part)
    idx = to_numpy(pc.fill_null(index, -1))
    other = idx < 0
    if arr.null_count:
        nulls = _missing(arr)
        idx[nulls] = len(keys)  # the null entry parsed last
        other &= ~nulls
    idx = idx.astype(np.intp)
    out = [np.asarray(x)[idx] for x in parsed]
    rows = np.flatnonzero(other)
    if len(rows):
        for whole, part in zip(out, _per_value(arr.take(pa.array(rows)), parse)):
            whole[rows] = part
    return tuple(out)


def _whole_column(arr: pa.ChunkedArray, to: pa.DataType) -> pa.ChunkedArray | None:
    """The text column cast to ``to`` at once (plain decimals, ``YYYY-MM-DD`` dates), or
    None when a value is not in that plain form (spaces, an office form, a bad value):
    the column is then parsed by the general rules. Arrow's cast reads a subset of what
    those rules read, to the same values (tested against them)."""
    if not FAST_PATHS or not _is_text(arr) or pa.types.is_dictionary(arr.type):
        return None
    try:
        return pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _per_value(arr: pa.ChunkedArray, parse) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse each distinct text once and spread the results over the rows.

    Sale lines repeat a few thousand dates, ratings and codes millions of times, so
    dictionary-encoding a column and parsing its dictionary is far cheaper than parsing
    every row. The last entry parsed is a null, for the rows with no value.
    """
    if _mostly_distinct(arr):
        return parse(arr)
    outs = []
    for chunk in arr.chunks:
        enc = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        values = pa.concat_arrays([enc.dictionary, pa.nulls(1, enc.dictionary.type)])
        parsed = parse(pa.chunked_array([values]))
        idx = to_numpy(pc.fill_null(enc.indices, len(enc.dictionary)))
        outs.append([np.asarray(x)[idx] for x in parsed])
    if len(outs) == 1:
        return tuple(outs[0])
    if not outs:
        return parse(pa.chunked_array([], pa.string()))
    return tuple(np.concatenate(parts) for parts in zip(*outs))


def _mostly_distinct(arr: pa.ChunkedArray, sample: int = 10_000) -> bool:
    """Whether a sample of the column is mostly distinct values (prices, ids)."""
    if pa.types.is_dictionary(arr.type) or len(arr) < 4 * sample:
        return False
    return len(pc.unique(arr.slice(0, sample))) > sample // 2


def _float(arr: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type):
        out = to_numpy(pc.cast(arr, pa.float64()))  # null → NaN
        miss = np.isnan(out)
        return out, miss, np.zeros(len(out), dtype=np.bool_)
    if pa.types.is_boolean(arr.type):
        return _float(pc.cast(arr, pa.int8()))
    if _is_text(arr):
        values = _whole_column(arr, pa.float64())
        if values is None:
            return _per_value(arr, _float_text)
        out = to_numpy(values)  # null → NaN
        miss = _missing(arr)
        bad = ~miss & ~np.isfinite(out)  # 'nan', 'inf'
        if bad.any():
            out = np.where(bad, np.nan, out)
        return out, miss, bad
    return _float_text(arr)


def _float_text(arr: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arr = _office_number(arr)
    text = _text(arr)
    miss = _missing(text)
    try:
        values = pc.cast(text, pa.float64())
        bad = np.zeros(len(arr), dtype=np.bool_)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(text, _NUMBER)
        bad = ~miss & ~to_numpy(pc.fill_null(ok, False))
        values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    out = to_numpy(values)  # null → NaN
    bad |= ~miss & ~np.isfinite(out)  # 'nan', 'inf'
    if bad.any():
        out = np.where(bad, np.nan, out)
    return out, miss, bad


def _office_number(arr):
    """Numbers as offices write them: full-width digits (by NFKC) and thousands separators
    (``5,200``, ``1,234,567.5``) become plain decimals; anything else is left as it is."""
    text = _text(arr)
    if not pc.any(pc.match_substring(text, ",")).as_py():
        return text
    grouped = pc.match_substring_regex(text, r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$")
    return pc.if_else(pc.fill_null(grouped, False), pc.replace_substring(text, ",", ""), text)


def _percent_float(arr, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A number that may end in a percent sign (``92.5%``, ``75 %``): read without it and
    multiplied by ``scale`` (1 for an efficiency in percent, 0.01 for a load)."""
    if not _is_text(arr):
        return _float(arr)
    if pa.types.is_dictionary(arr.type):
        arr = pc.cast(arr, pa.string())
    sign = "\\s*[%\uff05]\\s*$"  # a full-width percent sign too
    has = pc.match_substring_regex(arr, sign)
    if not pc.any(has).as_py():
        return _float(arr)
    x, miss, bad = _float(pc.replace_substring_regex(arr, sign, ""))
    pct = to_numpy(pc.fill_null(has, False))
    bad |= pct & miss  # a percent sign alone
    return np.where(pct, x * scale, x), miss & ~pct, bad


@cache
def kw_max() -> float:
    """The largest plausible rating of one motor [kW]: ``KW_SCOPE_FACTOR`` times the
    largest rating in any shipped scheme's scope (``schemes/``)."""
    from motorsub.model.schemes import load_schemes  # pydantic: only when a batch is read

    largest = max(
        e.kw.hi
        for s in load_schemes().schemes
        for c in s.components
        for e in c.eligibility.scope
        if np.isfinite(e.kw.hi)
    )
    return vocab.KW_SCOPE_FACTOR * float(largest)


def _integer(arr, values=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole numbers; ``values`` (alias arrays) reads coded ones (``1级`` → 1) too."""
    if values is not None and _is_text(arr):
        x, miss, bad = _known(arr, _WHOLE, lambda a: _float_text(_alias(a, values)))
    else:
        x, miss, bad = _float(arr)
    with np.errstate(invalid="ignore"):
        bad |= ~miss & ~bad & (x != np.round(x))
    return x, miss, bad


def _alias(arr, values):
    """Text with each alias replaced by its canonical value (``values``: the keys and
    values of :meth:`motorsub.engine.aliases.Aliases.value_arrays`)."""
    text = _text(arr)
    if values is None or not len(values[0]):
        return text
    k = pc.utf8_lower(pc.replace_substring_regex(text, r"\s+", ""))
    return pc.coalesce(pc.take(values[1], pc.index_in(k, value_set=values[0])), text)


def _choice(arr, choices: tuple[str, ...], upper: bool = False, values=None, found=False):
    if _is_text(arr):
        known = [v for c in choices for v in (c, c.lower(), c.upper(), c.title())]
        return _known(arr, known, lambda a: _choice_text(a, choices, upper, values), found)
    return _choice_text(arr, choices, upper, values)


def _choice_text(arr, choices: tuple[str, ...], upper: bool, values=None):
    text = _alias(arr, values)
    miss = _missing(text)
    text = pc.utf8_upper(text) if upper else pc.utf8_lower(text)
    idx = pc.index_in(text, value_set=pa.array(choices, pa.string()))
    idx_np = to_numpy(pc.fill_null(idx, -1)).astype(np.int64)
    return idx_np, miss, ~miss & (idx_np < 0)


def _bool(arr, values=None):
    if pa.types.is_boolean(arr.type):
        miss = _missing(arr)
        return to_numpy(pc.fill_null(arr, False)), miss, np.zeros_like(miss)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        arr = pc.cast(arr, pa.string())
        arr = pc.replace_substring_regex(arr, r"\.0$", "")
    idx, miss, bad = _choice(arr, _TRUE + _FALSE, values=values)
    return (idx >= 0) & (idx < len(_TRUE)), miss, bad


def _date(arr):
    """Days since 1970-01-01 (int32); YYYY-MM-DD or YYYY/MM/DD, the office forms of
    :func:`_office_date`, or a typed date.

    A calendar date that does not exist (2012-02-30) is bad, not rolled over.
    """
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        d = pc.cast(pc.cast(arr, pa.date32()), pa.int32())
        miss = _missing(d)
        return to_numpy(pc.fill_null(d, 0)), miss, np.zeros_like(miss)
    if not _is_text(arr):
        return _date_text(arr)
    days = _whole_column(arr, pa.date32())
    if days is None:
        return _per_value(arr, _date_text)
    return _date(days)


#: Office date forms, rewritten as Y-M-D: 2013年5月10日, 2013.05.10, 20130510; a time of
#: day after the date (2013/5/10 0:00, as Excel writes a date to CSV) is dropped.
_OFFICE_DATES = (
    (r"^(\S+)[ T]\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$", r"\1"),
    (r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", r"\1-\2-\3"),
    (r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$", r"\1-\2-\3"),
    (r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3"),
)


def _office_date(text):
    """Trimmed NFKC text with the office date forms (:data:`_OFFICE_DATES`) as Y-M-D."""
    for pattern, replacement in _OFFICE_DATES:
        text = pc.replace_substring_regex(text, pattern, replacement)
    return text


def _date_text(arr):
    text = _office_date(_text(arr))
    miss = _missing(text)
    parts = pc.extract_regex(text, r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})$")
    y, m, d = (pc.cast(pc.struct_field(parts, k), pa.int32()) for k in ("y", "m", "d"))
    iso = pc.binary_join_element_wise(
        pc.cast(y, pa.string()),
        pc.utf8_lpad(pc.cast(m, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(d, pa.string()), 2, "0"),
        pa.scalar("-", pa.string()),
    )
    ts = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    exists = pc.and_(pc.equal(pc.month(ts), m), pc.equal(pc.day(ts), d))
    days = pc.cast(pc.cast(ts, pa.date32()), pa.int32())
    ok = to_numpy(pc.fill_null(exists, False))
    return to_numpy(pc.fill_null(days, 0)), miss, ~miss & ~ok


# ------------------------------------------------------------------------------------
# typed number columns, checked in one compiled pass each (motorsub.kernels.checks)

#: The number columns, each read as a float (``bounded``) or a whole number.
NUMBER_COLUMNS = (
    "kw", "qty", "grade", "poles", "old_poles", "speed_rpm", "efficiency",
    "old_efficiency", "hours", "load", "price", "old_kw", "old_qty",
)  # fmt: skip


def _typed_numbers(arr: pa.ChunkedArray, n: int) -> pa.ChunkedArray | None:
    """A column that arrives as typed numbers (or is absent: all null), as float64 the
    way the parsers read it; None for text and any other type, which the parsers read, and
    when kernels run as plain Python (a loop per row would cost more than numpy)."""
    if not FAST_PATHS or _jit.python():
        return None
    if arr is None:
        return pa.chunked_array([pa.nulls(n, pa.float64())])
    t = arr.type
    if not (pa.types.is_floating(t) or pa.types.is_integer(t)):
        return None
    return pc.cast(arr, pa.float64())


def _chunks(arr: pa.ChunkedArray, dtype=np.float64):
    """``(a, b, values, valid)`` of each non-empty chunk of a float64 (or ``dtype``)
    column, rows ``a:b`` of the column; ``valid``: whether each row has a value."""
    a, size = 0, np.dtype(dtype).itemsize
    for chunk in arr.chunks:
        b = a + len(chunk)
        if b > a:
            data = chunk.buffers()[1]
            values = _jit.read_only(
                np.frombuffer(data, dtype, count=b - a, offset=chunk.offset * size)
            )
            valid = to_numpy(chunk.is_valid()) if chunk.null_count else _constant(True, b - a)
            yield a, b, values, valid
        a = b


_NO_VALUES = np.zeros(0, np.int64)


_CONSTANT: dict[bool, np.ndarray] = {}
_CONSTANT_ROWS = 1 << 22  # longer constant columns are not kept


def _constant(value: bool, n: int) -> np.ndarray:
    """``n`` rows of ``value``, for the kernels (which read them and write nothing), cut
    from one array kept per value: no new pages per batch."""
    held = _CONSTANT.get(value)
    if held is None or len(held) < n:
        held = np.full(n, value)
        if n <= _CONSTANT_ROWS:
            _CONSTANT[value] = held
    return held[:n]


def _need(required, n: int) -> np.ndarray:
    """``flag``'s ``required`` (False, True or a mask of rows) per row."""
    if required is True or required is False:
        return _constant(required, n)
    return np.ascontiguousarray(required, dtype=np.bool_)


def checked_floats(arr, lo, hi, lo_open=False, hi_open=False, required=False):
    """The values of a typed float column (:func:`_typed_numbers`), NaN where missing,
    when none is a problem for ``validate``'s ``bounded``; else None. One pass
    (:func:`motorsub.kernels.checks.bounded`)."""
    from motorsub.kernels import checks

    need = _need(required, len(arr))
    view = arr.num_chunks == 1 and not arr.null_count
    values = to_numpy(arr) if view else np.empty(len(arr))
    bits = _NO_VALUES if view else values.view(np.int64)
    for a, b, data, valid in _chunks(arr):
        if checks.bounded(
            data, data.view(np.int64), valid, float(lo), float(hi), bool(lo_open),
            bool(hi_open), need[a:b], bits[a:b] if len(bits) else bits,
        ):  # fmt: skip
            return None
    return values


def checked_whole(arr, dtype, fill, lo=-np.inf, hi=np.inf, allowed=(), required=False):
    """The values of a typed whole-number column as ``dtype``, in ``lo``..``hi`` and
    among ``allowed`` (if given: whole numbers 0..63), ``fill`` (one value, or one per
    row) where missing, when none is a problem for ``validate``; else None. One pass
    (:func:`motorsub.kernels.checks.whole`)."""
    from motorsub.kernels import checks

    need = _need(required, len(arr))
    out = np.empty(len(arr), dtype)
    mask = np.uint64(sum(1 << int(v) for v in allowed))
    per_row = np.ndim(fill) > 0
    for a, b, data, valid in _chunks(arr):
        if checks.whole(
            data, valid, float(lo), float(hi), mask, need[a:b], 0 if per_row else int(fill),
            out[a:b],
        ):  # fmt: skip
            return None
    if per_row:  # no row has a problem, so each missing one is filled
        np.copyto(out, fill, where=np.isnan(to_numpy(arr)), casting="unsafe")
    return out


def checked_codes(found: Found, dtype, required=False, flagged=True):
    """Each row's code (-1: missing or bad) as ``dtype``, when no row is a problem for
    ``validate`` (missing where ``required``, or bad; never unless ``flagged``); else None.
    One pass over the look-up (:func:`motorsub.kernels.checks.coded`)."""
    from motorsub.kernels import checks

    problem = (found.bad | (found.miss & required)) if flagged else np.zeros_like(found.bad)
    out = np.empty(len(found.index), dtype)
    value = found.value.astype(np.int64)
    found_as_null = len(found.rows) if problem[-1] else 0  # the rows read as nulls here
    for a, b, index, valid in _chunks(found.index, np.int32):
        found_as_null -= checks.coded(index, valid, value, problem, out[a:b])
    if found_as_null < 0:
        return None
    if len(found.rows):  # their own parse
        v, miss, bad = found.part
        if flagged and (bad | (miss & required)).any():
            return None
        out[found.rows] = v
    return out


# ------------------------------------------------------------------------------------


normal_name = vocab.normal_name


def read_name(raw: str, aliases: _aliases.Aliases | None = None) -> str:
    """The name a column heading is read as (:func:`normalise_names`)."""
    al = aliases if aliases is not None else _aliases.packaged()
    return al.column(raw) or normal_name(raw)


def normalise_names(
    table: pa.Table, source: str, aliases: _aliases.Aliases | None = None
) -> pa.Table:
    """Strip, lower-case and de-BOM column names, and read other spellings of a column
    (``额定功率(kW)`` → ``kw``, :mod:`motorsub.engine.aliases`); refuse two columns that
    come to one name. A heading that matches nothing keeps its normalised name and is
    passed through (:func:`unread_columns`)."""
    al = aliases if aliases is not None else _aliases.packaged()
    names: list[str] = []
    given: dict[str, str] = {}
    for raw in table.column_names:
        n = read_name(raw, al)
        if n in given:
            _ = i18n.translator()
            raise InputError(
                _("{source}: column {name!r} appears twice").format(source=source, name=n)
                + (_(" (as {a!r} and {b!r})").format(a=given[n], b=raw) if given[n] != raw else "")
                + _("; keep one")
            )
        given[n] = raw
        names.append(n)
    return table.rename_columns(names)


def unread_columns(names: list[str], known: tuple[str, ...] = ()) -> list[str]:
    """The columns of a normalised table that nothing reads: neither the engine's, nor a
    known pass-through, nor one of ``known``. A misspelt heading shows up here."""
    read = set(COLUMNS) | set(PASSTHROUGH) | set(known)
    return [n for n in names if n not in read]


#: Below this many rows a table's columns are parsed one after the other: threads would
#: cost more than they save.
PARALLEL_ROWS = 50_000


def _parse_columns(n: int, jobs: dict) -> dict:
    """Every job's result, by name: in threads for a large table (pyarrow compute and
    numpy release the GIL, so the columns are read on every core), else in turn."""
    if n < PARALLEL_ROWS:
        return {name: job() for name, job in jobs.items()}
    pool = column_threads()
    futures = {name: pool.submit(job) for name, job in jobs.items()}
    wait(futures.values())  # every job done before the first error is raised
    return {name: f.result() for name, f in futures.items()}


#: The threads a table's columns are read in, one column a task, kept from batch to batch
#: (:class:`motorsub._jit.KeptThreads`): parsing here, a DataFrame's conversion in
#: :mod:`motorsub.engine.frames`. A task must not wait on another task of this pool.
column_threads = _jit.KeptThreads(lambda: min(os.cpu_count() or 1, 4), "motorsub-columns")


def validate(
    table: pa.Table, source: str = "<records>", aliases: _aliases.Aliases | None = None
) -> Records:
    """Check every row and convert the engine's columns to typed arrays.

    Parameters
    ----------
    table : pyarrow.Table
        The records, with canonical column names (see :func:`normalise_names`).
    source : str
        Name of the input, for messages.
    aliases : Aliases, optional
        Spellings of the coded values (default: the packaged table).

    Raises
    ------
    InputError
        A required column is missing (no row can be computed).
    """
    absent = [c for c in REQUIRED if c not in table.column_names]
    if absent:
        _ = i18n.translator()
        raise InputError(
            (
                _(
                    "{source}: missing required columns {absent}; required: {required} "
                    "(found: {found})"
                )
                if len(absent) > 1
                else _(
                    "{source}: missing required column {absent}; required: {required} "
                    "(found: {found})"
                )
            ).format(
                source=source,
                absent=", ".join(absent),
                required=", ".join(REQUIRED),
                found=", ".join(table.column_names) or _("none"),
            )
        )
    n = table.num_rows
    reject = np.zeros(n, dtype=np.uint64)
    al = aliases if aliases is not None else _aliases.packaged()

    absent_column = pa.chunked_array([pa.nulls(n, pa.string())])

    def col(name):
        return table.column(name) if name in table.column_names else absent_column

    def flag(name, miss, bad, required=False):
        if required is not False:
            absent = miss if required is True else miss & required
            if absent.any():  # most columns of most batches have no problem at all
                np.bitwise_or(reject, _bit(f"MISSING_{name.upper()}"), out=reject, where=absent)
        if bad.any():
            np.bitwise_or(reject, _bit(f"BAD_{name.upper()}"), out=reject, where=bad)

    given = {name: table.column(name) for name in NUMBER_COLUMNS if name in table.column_names}
    typed = {name: _typed_numbers(given.get(name), n) for name in NUMBER_COLUMNS}
    typed = {name: values for name, values in typed.items() if values is not None}

    def jobs(found: bool) -> dict:
        """How each column is parsed; ``found``: a coded column may give its look-up
        (:class:`Found`)."""
        return {
            "record_id": lambda: _missing_text(col("record_id")),
            "sale_date": lambda: _date(col("sale_date")),
            "region": lambda: _choice(
                col("region"), vocab.regions(), True, al.value_arrays("region"), found
            ),
            "motor_type": lambda: _choice(
                col("motor_type"),
                vocab.MOTOR_TYPES,
                values=al.value_arrays("motor_type"),
                found=found,
            ),
            "kw": lambda: _float(col("kw")),
            "qty": lambda: _integer(col("qty")),
            "grade": lambda: _integer(col("grade"), al.value_arrays("grade")),
            "poles": lambda: _integer(col("poles")),
            "old_poles": lambda: _integer(col("old_poles")),
            "speed_rpm": lambda: _float(col("speed_rpm")),
            "efficiency": lambda: _percent_float(col("efficiency"), 1.0),
            "old_efficiency": lambda: _percent_float(col("old_efficiency"), 1.0),
            "hours": lambda: _float(col("hours")),
            "load": lambda: _percent_float(col("load"), 0.01),
            "price": lambda: _float(col("price")),
            "kind": lambda: _choice(
                col("kind"), vocab.KINDS, False, al.value_arrays("kind"), found
            ),
            "trade_in": lambda: _bool(col("trade_in"), al.value_arrays("bool")),
            "old_kw": lambda: _float(col("old_kw")),
            "old_qty": lambda: _integer(col("old_qty")),
            "old_series": lambda: _choice(
                col("old_series"), vocab.BASELINE_SERIES, True, found=found
            ),
        }

    parsed = _parse_columns(n, {k: job for k, job in jobs(True).items() if k not in typed})

    def parse(name):
        """The column parsed as :func:`_parse_columns` parses it: for the columns checked
        in one pass first, only when a row has a problem (to flag it)."""
        if name not in parsed or isinstance(parsed[name], Found):
            parsed[name] = jobs(False)[name]()
        return parsed[name]

    def coded(name, dtype, required=False, flagged=True):
        """A ``_choice`` column's codes as ``dtype`` (-1: missing or bad), flagged."""
        if isinstance(parsed[name], Found):
            codes = checked_codes(parsed[name], dtype, required, flagged)
            if codes is not None:
                return codes
        idx, miss, bad = parse(name)
        if flagged:
            flag(name, miss, bad, required)
        return idx.astype(dtype)

    def bounded(name, lo, hi, lo_open=False, required=False, hi_open=False):
        if name in typed:
            x = checked_floats(typed[name], lo, hi, lo_open, hi_open, required)
            if x is not None:
                return x
        x, miss, bad = parse(name)
        with np.errstate(invalid="ignore"):
            out = (x <= lo if lo_open else x < lo) | (x >= hi if hi_open else x > hi)
        bad |= ~miss & out
        flag(name, miss, bad, required)
        return x

    def whole(name, dtype, fill, lo=None, hi=None, allowed=None, required=False):
        """A whole-number column as ``dtype``, in ``lo``..``hi`` or among ``allowed``,
        ``fill`` where missing or bad."""
        if name in typed:
            out = checked_whole(
                typed[name], dtype, fill, *((lo, hi) if allowed is None else (-np.inf, np.inf)),
                allowed or (), required,
            )  # fmt: skip
            if out is not None:
                return out
        x, miss, bad = parse(name)
        if allowed is None:
            bad |= ~miss & ~bad & ((x < lo) | (x > hi))
        else:
            bad |= ~miss & ~bad & ~np.isin(x, allowed)
        flag(name, miss, bad, required)
        return np.where(miss | bad, fill, x).astype(dtype, copy=False)

    cols: dict[str, np.ndarray] = {}
    flag("record_id", parsed["record_id"], np.zeros(n, dtype=np.bool_), True)
    cols["day"], miss, bad = parsed["sale_date"]
    cols["day"] = cols["day"].astype(np.int32, copy=False)
    flag("sale_date", miss, bad, True)
    cols["region"] = np.maximum(coded("region", np.int16, True), 0)
    mtype = coded("motor_type", np.int8, True)
    cols["motor_type"] = np.maximum(mtype, 0)
    cols["kw"] = bounded("kw", 0.0, kw_max(), lo_open=True, required=True)
    cols["qty"] = whole("qty", np.int64, 1, 1, MAX_QTY)
    lv = mtype == vocab.MOTOR_TYPES.index("lv_async")
    cols["grade"] = whole("grade", np.int8, 0, allowed=vocab.GRADES, required=lv)
    for name in ("poles", "old_poles"):
        cols[name] = whole(name, np.int8, 0, allowed=POLES)
    cols["speed_rpm"] = bounded("speed_rpm", 0.0, 100_000.0, lo_open=True)
    for name in ("efficiency", "old_efficiency"):
        cols[name] = bounded(name, EFFICIENCY_MIN, EFFICIENCY_MAX, hi_open=True)
    cols["hours"] = bounded("hours", 0.0, HOURS_PER_YEAR_MAX)
    cols["load"] = bounded("load", 0.0, LOAD_MAX)
    cols["price"] = bounded("price", 0.0, np.inf)
    cols["kind"] = np.maximum(coded("kind", np.int8), 0)
    trade, miss, bad = parsed["trade_in"]
    flag("trade_in", miss, bad)
    cols["trade_in"] = np.asarray(trade, dtype=np.bool_)
    cols["old_kw"] = bounded("old_kw", 0.0, kw_max(), lo_open=True, required=cols["trade_in"])
    cols["old_qty"] = whole("old_qty", np.int64, cols["qty"], 1, MAX_QTY)
    cols["old_series"] = coded("old_series", np.int8, flagged=False)  # -1: none or no table
    return Records(cols, reject, table)
