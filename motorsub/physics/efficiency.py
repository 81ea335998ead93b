"""Full-load efficiency of low-voltage induction motors, and part-load ratios.

Tables ship as CSV in ``motorsub/data/efficiency`` (see its README) and are read once.
Kernels see flat arrays only: per table and pole count the ratings [kW] in ascending
order, the efficiency at each [%] and whether the row is unverified.

Between two table ratings ``P1 < P < P2``:

- the IEC 60034-30-1 polynomial ``eta = A x^3 + B x^2 + C x + D``, ``x = log10(P / 1 kW)``,
  rounded half up to 0.1, where the table equals IE2, IE3 or IE4 and one range of the
  coefficient file (0.12-0.55 kW, 0.75-200 kW) holds both ``P1`` and ``P2``;
- elsewhere (0.55-0.75 kW, above 200 kW, IE1, own GB grade-1 tables, old-motor baselines)
  the midpoint rule, an assumption flagged :attr:`EtaFlag.INTERPOLATED_MIDPOINT`:
  ``P >= (P1 + P2) / 2`` takes the value at ``P2``, else the value at ``P1``.

At a table rating the table value is returned. Outside the table, for a table or pole
count that does not exist, or for a missing input: NaN and :attr:`EtaFlag.UNKNOWN`.
Nothing is extrapolated.

A value is *unverified* when it rests on a row whose ``status`` is in
:data:`UNVERIFIED_STATUSES` (``UNVERIFIED*`` and ``single_source_unverified``; either row
of an interpolation counts), or when the edition's grade mapping has such a status (GB
18613-2006, whose grades are only approximately IE classes). Other statuses in
:data:`KNOWN_STATUSES` are used as they are; an unknown status is a loading error.

References
----------
IEC 60034-30-1:2014, Rotating electrical machines - Part 30-1: Efficiency classes of
line operated AC motors (IE code).
GB 18613-2006, GB 18613-2012, GB 18613-2020, Minimum allowable values of energy
efficiency and energy efficiency grades for small and medium three-phase asynchronous
motors.
Commission Regulation (EU) 2019/1781, Annex I (interpolation coefficients), as
republished in UK SI 2021/745, Schedule 16.
US DOE / ORNL AMO-Tools-Suite, ``MotorEfficiency.cpp`` (part-load coefficients).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from motorsub import _jit, vocab
from motorsub._jit import kernel
from motorsub.physics.tables import EfficiencyDataError
from motorsub.physics.tables import fail as _fail
from motorsub.physics.tables import flat as _flat
from motorsub.physics.tables import floats as _floats
from motorsub.physics.tables import ints as _ints
from motorsub.physics.tables import names as _names
from motorsub.physics.tables import number as _number
from motorsub.physics.tables import poles as _poles
from motorsub.physics.tables import read_rows as _read


class EtaFlag(IntEnum):
    """Bits of the ``flags`` array returned with every efficiency."""

    UNVERIFIED = 1  #: rests on a row or edition mapping whose status is unverified
    INTERPOLATED_MIDPOINT = 2  #: midpoint rule between two ratings (an assumption)
    UNKNOWN = 4  #: no value: NaN returned


class Edition(IntEnum):
    """GB 18613 editions."""

    GB18613_2006 = 0
    GB18613_2012 = 1
    GB18613_2020 = 2


class IEClass(IntEnum):
    """IEC 60034-30-1 efficiency classes."""

    IE1 = 1
    IE2 = 2
    IE3 = 3
    IE4 = 4


GB18613_2006, GB18613_2012, GB18613_2020 = Edition
IE1, IE2, IE3, IE4 = IEClass

POLES = vocab.POLES
#: Old-motor series of ``old_motor_baselines.csv`` (see :func:`baseline_efficiency`).
BASELINE_SERIES = vocab.BASELINE_SERIES
#: Statuses that make a value UNVERIFIED (the last tier of motorsub/data/efficiency/README.md).
UNVERIFIED_STATUSES = frozenset(
    "UNVERIFIED UNVERIFIED_assumed_plateau UNVERIFIED_inferred_approx_mapping"
    " single_source_unverified".split()
)
#: Every status a packaged table may carry; any other is a loading error.
KNOWN_STATUSES = UNVERIFIED_STATUSES | frozenset(
    "verified_2plus_sources verified_2_sources verified_vs_IEC_formula single_source"
    " single_public_source single_source+weak_corroboration model_output_single_source"
    " single_source(consistent_with_IEC_plateau) assumed_plateau+weak_corroboration"
    " DERIVED_from_mapping_not_checked_against_GB_text".split()
)

# The part-load model's own parameters (docs/sources.md section 7, after AMO-Tools-Suite):

_IEC = "iec60034_30_1_50hz_min_efficiency.csv"
_COEF = "iec60034_30_1_interpolation_coefficients.csv"
_GB = ("gb18613_2012_grades.csv", "gb18613_2020_grades.csv")
_BASELINES = "old_motor_baselines.csv"
_EDITIONS = "gb18613_editions.csv"
_SERIES_RULES = {  # series: (prefix of `standard`, prefix of `class_or_grade`)
    "Y": ("China Y series", ""),
    "US_STANDARD": ("US standard-efficiency", ""),
    "EFF1": ("EU CEMEP", "EFF1"),
    "EFF2": ("EU CEMEP", "EFF2"),
}
_POLY_CLASSES = ("IE2", "IE3", "IE4")
_N_POLES = len(POLES)  # segments per table
_F_UNVERIFIED, _F_MIDPOINT, _F_UNKNOWN = (int(f) for f in EtaFlag)


# --------------------------------------------------------------------------- loading
def _unverified(name: str, line: int, status: str) -> bool:
    if status not in KNOWN_STATUSES:
        raise _fail(name, line, f"unknown status {status!r} (see KNOWN_STATUSES)")
    return status in UNVERIFIED_STATUSES


def _table_key(name: str, line: int, row: dict[str, str]) -> tuple[str, str]:
    """(table key, IE class the table equals or '') of one efficiency row."""
    if name == _IEC:
        return row["class_or_grade"], row["class_or_grade"]
    if name in _GB:
        return f"{row['standard']} {row['class_or_grade']}", row["ie_equivalent"]
    series = [
        key
        for key, (standard, grade) in _SERIES_RULES.items()
        if row["standard"].startswith(standard) and row["class_or_grade"].startswith(grade)
    ]
    if len(series) != 1:
        raise _fail(name, line, f"row matches {len(series)} baseline series, expected 1")
    return series[0], ""


def _efficiency_tables():
    """Rows per table key, and the polynomial class (index or -1) of each table."""
    rows: dict[str, list] = {}
    poly: dict[str, int] = {}
    columns = ("standard", "class_or_grade", "poles", "kw", "efficiency_pct", "status")
    for name in (_IEC, *_GB, _BASELINES):
        extra = ("ie_equivalent",) if name in _GB else ()
        for line, row in _read(name, columns + extra):
            key, ie = _table_key(name, line, row)
            cls = _POLY_CLASSES.index(ie) if ie in _POLY_CLASSES else -1
            if poly.setdefault(key, cls) != cls:
                raise _fail(name, line, f"table {key!r} mixes IE equivalents")
            kw, eta = _number(name, line, row, "kw"), _number(name, line, row, "efficiency_pct")
            if not (kw > 0 and 0 < eta < 100):
                raise _fail(name, line, f"kw={kw} or efficiency_pct={eta} out of range")
            unverified = _unverified(name, line, row["status"])
            rows.setdefault(key, []).append((_poles(name, line, row), kw, eta, unverified, line))
    return rows, poly


def _flatten(rows: dict[str, list]):
    """Segment starts (table-major, then POLES) and sorted kW, eta, unverified arrays."""
    starts, flat = [0], []
    for key, table in rows.items():
        for poles in POLES:
            segment = sorted((r for r in table if r[0] == poles), key=lambda r: r[1])
            for a, b in itertools.pairwise(segment):
                if a[1] == b[1]:
                    where = f"lines {a[4]} and {b[4]}"
                    raise EfficiencyDataError(f"{key!r}: duplicate {poles}-pole {b[1]} kW, {where}")
            flat += segment
            starts.append(len(flat))
    kw, eta, unverified = (np.array([r[i] for r in flat]) for i in (1, 2, 3))
    return np.array(starts, np.int64), kw, eta, unverified.astype(np.bool_)


_RATING_SCALE = 1000.0  # ratings are read to the watt for hashing ...
_HASH_BITS = 10  # ... into 1024 slots ...
_HASH_SLOTS = 1 << _HASH_BITS
_HASH_MASK = (1 << 32) - 1  # ... by multiply-shift: ((key * a) mod 2**32) >> (32 - bits)
_HASH_SHIFT = 32 - _HASH_BITS


def _rating_hash(ratings: np.ndarray) -> dict:
    """A multiplier that sends every rating to its own slot, and the slot table.

    Keys are the ratings in watts (``round(kW * 1000)``, below 2**21 for ratings up to
    the largest, so ``key * a`` stays below 2**53); the first odd multiplier from the
    golden-ratio constant up that has no collision is taken.
    """
    keys = np.floor(ratings * _RATING_SCALE + 0.5).astype(np.int64)
    if len(np.unique(keys)) != len(keys):
        raise EfficiencyDataError("table ratings are not distinct to the watt")
    if len(keys) > _HASH_SLOTS // 4:
        raise EfficiencyDataError(f"{len(keys)} distinct ratings: more than the hash holds")
    for a in range(2654435769, 2654435769 + 2 * 100_000, 2):
        slots = ((keys * a) & _HASH_MASK) >> _HASH_SHIFT
        if len(np.unique(slots)) == len(keys):
            table = np.full(_HASH_SLOTS, -1, np.int16)
            table[slots] = np.arange(len(keys))
            return {"rating_hash": np.array([a], np.int64), "rating_slot": table}
    raise EfficiencyDataError("no perfect hash of the table ratings")  # pragma: no cover


def _coefficients():
    """coef[class, pole, range, ABCD] and the ranges' bounds lo, hi [kW]."""
    shape = (len(_POLY_CLASSES), len(POLES), 2)
    coef, lo, hi = np.zeros((*shape, 4)), np.full(shape, np.inf), np.full(shape, -np.inf)
    ranges: dict[tuple[int, int], list] = {}
    for line, row in _read(_COEF, ("cls", "poles", "range", "A", "B", "C", "D")):
        bounds = re.fullmatch(r"([\d.]+)<=P<=([\d.]+) kW", row["range"])
        if row["cls"] not in _POLY_CLASSES or not bounds:
            raise _fail(_COEF, line, f"cls={row['cls']!r}, range={row['range']!r}")
        key = (_POLY_CLASSES.index(row["cls"]), POLES.index(_poles(_COEF, line, row)))
        abcd = [_number(_COEF, line, row, c) for c in "ABCD"]
        ranges.setdefault(key, []).append((float(bounds[1]), float(bounds[2]), abcd, line))
    for (c, p), found in ranges.items():
        if len(found) > 2:
            raise _fail(_COEF, found[2][3], "a third range for one class and pole count")
        for r, (lo_kw, hi_kw, abcd, _) in enumerate(sorted(found)):
            lo[c, p, r], hi[c, p, r], coef[c, p, r] = lo_kw, hi_kw, abcd
    return coef, lo, hi


def _day(line: int, text: str, default: int) -> int:
    try:
        return int(np.datetime64(text, "D").astype(np.int64)) if text else default
    except ValueError:
        raise _fail(_EDITIONS, line, f"date {text!r} is not YYYY-MM-DD") from None


def _editions(table_index: dict[str, int]):
    """First and last day [days since epoch] per edition; table and flag per slot.

    A slot is ``edition * 3 + grade - 1``. An empty date means an open end.
    """
    columns = tuple(
        "edition in_force_from in_force_until grade1 grade2 grade3 source status".split()
    )
    unset, open_end = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    first, last = np.full(len(Edition), unset), np.full(len(Edition), unset)
    slot_table = np.full(3 * len(Edition), -1, np.int64)
    slot_flag = np.zeros(3 * len(Edition), np.uint8)
    for line, row in _read(_EDITIONS, columns):
        name = row["edition"].replace(" ", "").replace("-", "_")
        if name not in Edition.__members__ or last[Edition[name]] != unset:
            raise _fail(_EDITIONS, line, f"unknown or duplicate edition {row['edition']!r}")
        e = Edition[name]
        first[e] = _day(line, row["in_force_from"], unset + 1)
        last[e] = _day(line, row["in_force_until"], open_end)
        flag = _F_UNVERIFIED if _unverified(_EDITIONS, line, row["status"]) else 0
        for grade in (1, 2, 3):
            key = row[f"grade{grade}"]
            if key not in table_index:
                raise _fail(_EDITIONS, line, f"grade{grade}={key!r} names no table")
            slot_table[3 * e + grade - 1], slot_flag[3 * e + grade - 1] = table_index[key], flag
    if (last == unset).any() or (first > last).any() or (first[1:] != last[:-1] + 1).any():
        raise EfficiencyDataError(f"{_EDITIONS}: an edition is missing, or periods overlap")
    return first, last, slot_table, slot_flag


class _Lookup(NamedTuple):
    """What the lookup kernel sees (numba passes a NamedTuple of arrays as is)."""

    seg_start: np.ndarray  # rows of (table, pole index) g are seg_start[g]:seg_start[g + 1]
    kw: np.ndarray  # ratings [kW], ascending within a segment
    eta: np.ndarray  # [%]
    unverified: np.ndarray  # bool
    table_poly: np.ndarray  # per table: index into _POLY_CLASSES, -1 = midpoint rule only
    coef: np.ndarray  # [class, pole index, range, ABCD]
    coef_lo: np.ndarray  # [class, pole index, range]: range bounds [kW]
    coef_hi: np.ndarray
    ratings: np.ndarray  # every rating of every table [kW], ascending, each once
    rating_hash: np.ndarray  # [multiplier] of the perfect hash of ratings (_rating_hash)
    rating_slot: np.ndarray  # hash slot -> index into ratings, -1 where empty
    dense_eta: np.ndarray  # [table, pole index, rating]: the lookup's value at each rating
    dense_flag: np.ndarray  # [table, pole index, rating]: its flags


class _Tables(NamedTuple):
    table_index: dict[str, int]  # table key -> table number
    lookup: _Lookup
    first_day: np.ndarray  # per edition [days since epoch]
    last_day: np.ndarray
    edition_table: np.ndarray  # per slot 3 * edition + grade - 1: table number
    edition_flag: np.ndarray  # per slot: UNVERIFIED or 0


@functools.cache
def _tables() -> _Tables:
    rows, poly = _efficiency_tables()
    index = {key: i for i, key in enumerate(rows)}
    table_poly = np.array([poly[key] for key in rows], np.int64)
    seg_start, kw, eta, unverified = _flatten(rows)
    ratings = np.unique(kw)
    scan = _Lookup(
        seg_start, kw, eta, unverified, table_poly, *_coefficients(),
        np.empty(0), np.zeros(1, np.int64), np.full(_HASH_SLOTS, -1, np.int16),
        # no ratings: only the miss column (see below)
        np.full((len(rows), 1, 1), np.nan), np.full((len(rows), 1, 1), _F_UNKNOWN, np.uint8),
    )  # fmt: skip
    if _jit.python() and not _jit.DISABLED:
        # kernels run lean (plain Python) only on small jobs, where building the dense table
        # (thousands of scans) costs more than it saves: every lookup scans
        return _Tables(index, scan, *_editions(index))
    # every table at every rating any table has, through the scan: most lines are rated
    # at one of these, and then a lookup is one read (see lookup_at)
    shape = (len(rows), _N_POLES, len(ratings))
    grid = np.indices(shape).reshape(3, -1)
    dense_eta, dense_flag = _lookup_kernel(
        grid[0], np.array(POLES)[grid[1]], ratings[grid[2]],
        slots(scan, np.arange(len(rows)), np.zeros(len(rows), np.uint8)), scan,
    )  # fmt: skip
    # one more column, the miss: NaN and UNKNOWN, read by lookup_cell for a line it
    # cannot answer, so that its read never depends on whether there is a value
    miss = (len(rows), _N_POLES, 1)
    lookup = scan._replace(
        ratings=ratings,
        **_rating_hash(ratings),
        dense_eta=np.concatenate([dense_eta.reshape(shape), np.full(miss, np.nan)], axis=2),
        dense_flag=np.concatenate(
            [dense_flag.reshape(shape), np.full(miss, _F_UNKNOWN, np.uint8)], axis=2
        ),
    )
    return _Tables(index, lookup, *_editions(index))


# --------------------------------------------------------------------------- kernels
@kernel(inline=True)
def _poly_value(abcd, kw):
    """IEC polynomial at ``kw`` [kW], rounded half up to 0.1 [%]."""
    x = math.log10(kw)
    eta = ((abcd[0] * x + abcd[1]) * x + abcd[2]) * x + abcd[3]
    return math.floor(eta * 10.0 + 0.5) / 10.0


@kernel(inline=True)
def _interpolate(x, j, cls, p, tab):
    """Eta [%] and flag at ``x`` [kW] between ratings ``j - 1`` and ``j`` of ``tab``."""
    kw1, kw2 = tab.kw[j - 1], tab.kw[j]
    if cls >= 0:
        for r in range(tab.coef.shape[2]):
            if tab.coef_lo[cls, p, r] <= kw1 and kw2 <= tab.coef_hi[cls, p, r]:
                return _poly_value(tab.coef[cls, p, r], x), 0
    return (tab.eta[j] if x >= 0.5 * (kw1 + kw2) else tab.eta[j - 1]), _F_MIDPOINT


@kernel(inline=True)
def _first_not_below(values, lo, hi, x):
    """Index of the first of ``values[lo:hi]`` (ascending) that is >= ``x``.

    A forward scan: a segment holds at most a few dozen ratings and most motors are
    small, so the scan ends within a few predictable steps, faster than a binary search.
    """
    while lo < hi and values[lo] < x:
        lo += 1
    return lo


@kernel(inline=True)
def rating_index(tab, x):
    """Position of ``x`` [kW] in ``tab.ratings``, or -1 if it is not one of them.

    One probe of a perfect hash of the ratings read to the watt (see :func:`_rating_hash`),
    then an exact comparison: no branch that depends on the kW, which varies at random
    from line to line (a binary search would mispredict about half of its steps).
    """
    if not (tab.ratings.shape[0] > 0 and 0.0 < x <= tab.ratings[-1]):
        return -1
    key = np.int64(x * _RATING_SCALE + 0.5)
    j = tab.rating_slot[((key * tab.rating_hash[0]) & _HASH_MASK) >> _HASH_SHIFT]
    return j if j >= 0 and tab.ratings[max(j, 0)] == x else -1


@kernel(inline=True)
def _scan_one(s, p, x, sl, tab):
    """Eta [%] and flags of slot ``s`` >= 0 by scanning its table's ratings (``p``: pole
    index)."""
    table = sl.table[s + 1]
    g = table * _N_POLES + p
    lo, hi = tab.seg_start[g], tab.seg_start[g + 1]
    if hi == lo or x < tab.kw[lo] or x > tab.kw[hi - 1]:
        return np.nan, np.uint8(_F_UNKNOWN)
    j = _first_not_below(tab.kw, lo, hi, x)
    if tab.kw[j] == x:
        eta, how, unverified = tab.eta[j], 0, tab.unverified[j]
    else:
        eta, how = _interpolate(x, j, tab.table_poly[table], p, tab)
        unverified = tab.unverified[j - 1] or tab.unverified[j]
    return eta, np.uint8(sl.base_flag[s + 1] | how | (_F_UNVERIFIED if unverified else 0))


class Slots(NamedTuple):
    """What a lookup calls slot ``s``: a table and a base flag, and the dense tables laid
    out flat, so that a lookup at a rating is two reads (see :func:`lookup_cell`).

    Slot ``s`` (-1: none) is entry ``s + 1`` of ``table``, ``base_flag`` and ``offset``.
    ``eta`` and ``flag`` hold a table of NaN/UNKNOWN (slot -1's) and then every table's
    ``dense_eta``/``dense_flag`` [pole index, rating + miss column]; slot ``s``'s table
    starts at ``offset[s + 1]``.
    """

    table: np.ndarray  # int64 table number, per slot + 1 (-1 for none)
    base_flag: np.ndarray  # uint8, per slot + 1
    offset: np.ndarray  # uint64, per slot + 1
    eta: np.ndarray  # [%], flat
    flag: np.ndarray  # uint8, flat


def slots(tab: _Lookup, slot_table, slot_flag) -> Slots:
    """:class:`Slots` over ``tab`` whose slot ``s`` is table ``slot_table[s]`` with base
    flag ``slot_flag[s]``."""
    _, n_poles, n_cols = tab.dense_eta.shape
    size = n_poles * n_cols
    table = np.concatenate([[-1], slot_table]).astype(np.int64)
    return Slots(
        table=table,
        base_flag=np.concatenate([[0], slot_flag]).astype(np.uint8),
        offset=((table + 1) * size).astype(np.uint64),
        eta=np.concatenate([np.full(size, np.nan), tab.dense_eta.ravel()]),
        flag=np.concatenate([np.full(size, _F_UNKNOWN, np.uint8), tab.dense_flag.ravel()]),
    )


@kernel(inline=True)
def dense_cell(tab, poles, x, u):
    """Where a motor of ``poles`` at ``x`` [kW] sits in every dense table, and whether it
    lies between ratings (a lookup must then scan its table: :func:`lookup_at`).

    ``u`` is ``rating_index(tab, x)``. The cell is the flat (pole index, rating) position,
    or the miss column's first cell when the motor is at no rating or its poles or kW
    are invalid; several slots at one motor share it (see :func:`lookup_cell`).
    """
    n_cols = tab.dense_eta.shape[2]
    # int64 whatever the poles' type: numba widens int8 × int64 to int64, numpy 2 keeps an
    # int8 scalar's type and wraps (a wrong cell when the kernels run as Python)
    poles = np.int64(poles)
    p = poles // 2 - 1
    valid = (poles % 2 == 0) & (p >= 0) & (p < _N_POLES) & (x > 0.0)
    hit = valid & (u >= 0)
    # a select, not a jump (whether a motor is at a rating varies from line to line);
    # unsigned, so that reads need no negative-index fix-up
    cell = np.uint64(p * n_cols + u) if hit else np.uint64(n_cols - 1)
    return cell, valid & (u < 0)


@kernel(inline=True)
def lookup_cell(sl, s, cell):
    """Eta [%] and flags of slot ``s`` (-1: none) at ``cell`` (:func:`dense_cell`) of
    the dense tables, in two reads: NaN and UNKNOWN at the miss cell.

    Selects, not jumps, and every read in bounds: which slots a line needs varies at
    random from line to line. A motor at no rating reads the miss column, which holds NaN
    and UNKNOWN, so the value read is the answer either way (a select on it would become
    a jump around the read).
    """
    k = np.uint64(s + 1)
    j = sl.offset[k] + cell
    f = sl.flag[j]
    return sl.eta[j], np.uint8(f if f & _F_UNKNOWN else sl.base_flag[k] | f)


@kernel(inline=True)
def lookup_at(s, poles, x, u, sl, tab):
    """Eta [%] and flags of slot ``s`` of :class:`Slots` ``sl`` for one motor: a dense
    read at a rating (``u``: ``rating_index(tab, x)``), a scan of the table between."""
    cell, between = dense_cell(tab, poles, x, u)
    if between and s >= 0:
        return _scan_one(s, poles // 2 - 1, x, sl, tab)
    return lookup_cell(sl, s, cell)


@kernel(inline=True)
def lookup_one(s, poles, x, sl, tab):
    """Eta [%] and flags of slot ``s`` of :class:`Slots` ``sl`` for one motor. For
    kernels that fuse the lookup into their own loop."""
    return lookup_at(s, poles, x, rating_index(tab, x), sl, tab)


@kernel()  # serial: small arrays, and a parallel loop costs seconds to compile
def _lookup_kernel(slot, poles, kw, sl, tab):
    """Eta [%] and flags per record; ``slot`` picks a slot of :class:`Slots` ``sl``."""
    out, flags = np.empty(kw.size), np.empty(kw.size, np.uint8)
    for i in range(kw.size):
        out[i], flags[i] = lookup_one(slot[i], poles[i], kw[i], sl, tab)
    return out, flags


@kernel()  # serial: small arrays, and a parallel loop costs seconds to compile
def _poly_kernel(cls, poles, kw, tab):
    out = np.full(kw.size, np.nan)
    for i in range(kw.size):
        c, p = cls[i] - 2, poles[i] // 2 - 1
        if 0 <= c < tab.coef.shape[0] and poles[i] % 2 == 0 and 0 <= p < _N_POLES:
            for r in range(tab.coef.shape[2]):
                if tab.coef_lo[c, p, r] <= kw[i] <= tab.coef_hi[c, p, r]:
                    out[i] = _poly_value(tab.coef[c, p, r], kw[i])
    return out


# --------------------------------------------------------------------------- wrappers
def _lookup(slot, poles, kw, slot_table, slot_flag):
    t = _tables()
    (slot, poles, kw), shape = _flat(slot, _ints(poles), _floats(kw))
    sl = slots(t.lookup, slot_table, slot_flag)
    eta, flags = _lookup_kernel(slot, poles, kw, sl, t.lookup)
    return eta.reshape(shape), flags.reshape(shape)


def edition_at(days_since_epoch) -> np.ndarray:
    """GB 18613 edition in force on each day (periods from ``gb18613_editions.csv``).

    Parameters
    ----------
    days_since_epoch : array of int32/int64, or datetime64
        Date as days since 1970-01-01 [d]; datetime64 input may hold ``NaT``.

    Returns
    -------
    edition : array of int8
        :class:`Edition` code [-]; -1 for ``NaT`` or a day no edition covers. GB
        18613-2006 is open-ended before 2012-09-01 (its start is not in our sources).
    """
    days = np.asarray(days_since_epoch)
    missing = np.zeros(days.shape, np.bool_)
    if days.dtype.kind == "M":
        missing = np.isnat(days)
        days = days.astype("datetime64[D]").astype(np.int64)
    elif days.dtype.kind not in "iu":
        raise TypeError(f"days_since_epoch must be integer days or datetime64, not {days.dtype}")
    t = _tables()
    e = np.minimum(np.searchsorted(t.last_day, days), len(Edition) - 1)
    inside = ~missing & (days >= t.first_day[e]) & (days <= t.last_day[e])
    return np.where(inside, e, -1).astype(np.int8)


def min_efficiency(edition, grade, poles, kw) -> tuple[np.ndarray, np.ndarray]:
    """Minimum full-load efficiency of a GB 18613 grade, interpolated (see module doc).

    Parameters
    ----------
    edition : array of int
        :class:`Edition` code [-]; -1 (from :func:`edition_at`) gives UNKNOWN.
    grade : array of int
        Energy-efficiency grade 1, 2 or 3 (3 = the minimum allowed) [-].
    poles : array of int
        Pole count 2, 4, 6 or 8 [-]; 0 or missing gives UNKNOWN.
    kw : array of float
        Rated output of one motor [kW].

    Returns
    -------
    eta_pct : array of float64
        Efficiency [%], NaN where unknown, in the arguments' broadcast shape.
    flags : array of uint8
        :class:`EtaFlag` bits [-].

    Notes
    -----
    ``gb18613_editions.csv`` names each grade's table. 2006: grades 1/2/3 use IE3/IE2/IE1,
    approximately, so always UNVERIFIED. 2012: its own rows, 0.75-375 kW at 2/4/6 poles
    only; grades 2 and 3 are the IE3 and IE2 values. 2020: its own rows; grades 2 and 3
    are the IE4 and IE3 values, grade 1 its own table.
    """
    edition, grade = _ints(edition), _ints(grade)
    ok = (edition >= 0) & (edition < len(Edition)) & (grade >= 1) & (grade <= 3)
    t = _tables()
    slot = np.where(ok, 3 * edition + grade - 1, -1)
    return _lookup(slot, poles, kw, t.edition_table, t.edition_flag)


def ie_efficiency(ie_class, poles, kw) -> tuple[np.ndarray, np.ndarray]:
    """IEC 60034-30-1 (50 Hz) minimum efficiency of an IE class, interpolated.

    Parameters
    ----------
    ie_class : array of int
        :class:`IEClass` 1-4 [-].
    poles : array of int
        Pole count 2, 4, 6 or 8 [-].
    kw : array of float
        Rated output [kW]; the table covers 0.12-1000 kW.

    Returns
    -------
    eta_pct : array of float64
        Efficiency [%]; NaN where unknown.
    flags : array of uint8
        :class:`EtaFlag` bits [-].
    """
    ie_class = _ints(ie_class)
    slot = np.where((ie_class >= 1) & (ie_class <= len(IEClass)), ie_class - 1, -1)
    table = np.array([_tables().table_index[c.name] for c in IEClass], np.int64)
    return _lookup(slot, poles, kw, table, np.zeros(len(IEClass), np.uint8))


def ie_polynomial(ie_class, poles, kw) -> np.ndarray:
    """The IEC 60034-30-1 interpolation polynomial itself.

    Parameters
    ----------
    ie_class : array of int
        :class:`IEClass` 2-4 [-] (IE1 has no polynomial).
    poles : array of int
        Pole count 2, 4, 6 or 8 [-].
    kw : array of float
        Rated output [kW], within 0.12-0.55 or 0.75-200 kW.

    Returns
    -------
    eta_pct : array of float64
        ``A x^3 + B x^2 + C x + D``, ``x = log10(kw / 1 kW)``, rounded half up to 0.1
        [%]; NaN outside the coefficient file's ranges.
    """
    (c, p, k), shape = _flat(_ints(ie_class), _ints(poles), _floats(kw))
    return _poly_kernel(c, p, k, _tables().lookup).reshape(shape)


def baseline_efficiency(series_name, poles, kw) -> tuple[np.ndarray, np.ndarray]:
    """Full-load efficiency of an old motor from a catalogue series (midpoint rule).

    Parameters
    ----------
    series_name : array of str
        One of :data:`BASELINE_SERIES` [-]: ``Y`` (China Y series catalogue; older
        Chinese test method, reads high), ``US_STANDARD`` (AMO STANDARD class model,
        60 Hz, ratings converted from hp), ``EFF1``/``EFF2`` (EU CEMEP class lower
        bounds, 2 poles only). Unknown or missing names give UNKNOWN.
    poles : array of int
        Pole count 2, 4, 6 or 8 [-].
    kw : array of float
        Rated output [kW].

    Returns
    -------
    eta_pct : array of float64
        Efficiency [%]; NaN where the series does not cover (poles, kw).
    flags : array of uint8
        :class:`EtaFlag` bits [-]; every Y series value is UNVERIFIED.
    """
    table = np.array([_tables().table_index[s] for s in BASELINE_SERIES], np.int64)
    flag = np.zeros(len(BASELINE_SERIES), np.uint8)
    return _lookup(_names(series_name, BASELINE_SERIES), poles, kw, table, flag)


def poles_from_speed(speed_rpm, *, frequency_hz: float = 50.0, min_rpm: float = 600.0):
    """Pole count from the nameplate speed.

    Parameters
    ----------
    speed_rpm : array of float
        Nameplate (full-load) speed [r/min].
    frequency_hz : float
        Supply frequency [Hz]; synchronous speed is ``120 f / poles``: 3000/1500/1000/750
        r/min for 2/4/6/8 poles at 50 Hz.
    min_rpm : float
        Lowest trusted speed [r/min]; an 8-pole motor at 50 Hz runs at about 700-740.

    Returns
    -------
    poles : array of int8
        The pole count of :data:`POLES` whose synchronous speed is the smallest one >= the
        nameplate speed (1450 -> 4, 2950 -> 2, 980 -> 6, 740 -> 8); 0 where the speed is
        missing, above the 2-pole synchronous speed or below ``min_rpm``.
    """
    speed = _floats(speed_rpm)
    out = np.zeros(speed.shape, np.int8)
    for poles in sorted(POLES, reverse=True):  # slowest synchronous speed first
        out = np.where((out == 0) & (speed <= 120.0 * frequency_hz / poles), poles, out)
    return np.where(speed >= min_rpm, out, 0).astype(np.int8)
