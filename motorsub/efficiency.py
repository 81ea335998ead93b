"""Full-load efficiency of low-voltage induction motors, and part-load ratios.

Tables ship as CSV in ``motorsub/data/efficiency`` (see its README) and are read once.
Kernels see only flat arrays: for each table and pole count, the table's ratings [kW]
in ascending order, the efficiency at each [%] and whether the row is unverified.

Interpolation between two table ratings ``P1 < P < P2``:

- IEC 60034-30-1 polynomial ``eta = A x^3 + B x^2 + C x + D``, ``x = log10(P / 1 kW)``,
  rounded half up to 0.1, where the table equals IE2, IE3 or IE4 and both ``P1`` and
  ``P2`` lie in one range of the coefficient file (0.12-0.55 kW or 0.75-200 kW);
- elsewhere (0.55-0.75 kW, above 200 kW, IE1, own GB grade-1 tables, old-motor baselines)
  the midpoint rule, an assumption: ``P >= (P1 + P2) / 2`` takes the value at ``P2``,
  else the value at ``P1``. The result carries :attr:`EtaFlag.INTERPOLATED_MIDPOINT`.

At a table rating the table value is returned. Outside the table, for a missing table or
pole count, or for a missing input, the result is NaN with :attr:`EtaFlag.UNKNOWN`:
nothing is extrapolated.

A value is *unverified* when it rests on a row whose ``status`` starts with
``UNVERIFIED`` or equals ``single_source_unverified`` (either row of an interpolation
counts), or when the GB 18613 edition's grade mapping itself has such a status (the 2006
edition, whose grades are only approximately IE classes). Any other status in
:data:`KNOWN_STATUSES` is usable as is; an unknown status is a loading error.

References
----------
IEC 60034-30-1:2014, Rotating electrical machines - Part 30-1: Efficiency classes of
line operated AC motors (IE code).
GB 18613-2006, GB 18613-2012, GB 18613-2020, Minimum allowable values of energy
efficiency and energy efficiency grades for small and medium three-phase asynchronous
motors.
Commission Regulation (EU) 2019/1781, Annex I (interpolation coefficients), as
republished in UK SI 2021/745, Schedule 16.
US DOE / ORNL AMO-Tools-Suite, MotorEfficiency.cpp (part-load coefficients).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from enum import IntEnum
from importlib import resources
from typing import NamedTuple

import numpy as np
import pandas as pd

from motorsub._jit import kernel, prange
from motorsub.errors import MotorsubError


class EtaFlag(IntEnum):
    """Bits of the ``flags`` array returned with every efficiency."""

    UNVERIFIED = 1  #: rests on a row (or edition mapping) whose status is unverified
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

POLES = (2, 4, 6, 8)
BASELINE_SERIES = ("Y", "US_STANDARD", "EFF1", "EFF2")
PARTLOAD_CLASSES = ("STANDARD", "ENERGY_EFFICIENT", "PREMIUM")
UNVERIFIED_STATUSES = frozenset(
    ["UNVERIFIED", "UNVERIFIED_assumed_plateau", "single_source_unverified",
     "UNVERIFIED_inferred_approx_mapping"]
)  # fmt: skip
KNOWN_STATUSES = UNVERIFIED_STATUSES | frozenset(
    ["verified_2plus_sources", "verified_2_sources", "verified_vs_IEC_formula",
     "single_source", "single_public_source", "single_source+weak_corroboration",
     "single_source(consistent_with_IEC_plateau)", "assumed_plateau+weak_corroboration",
     "model_output_single_source", "DERIVED_from_mapping_not_checked_against_GB_text"]
)  # fmt: skip

KW_PER_HP = 0.746  # the part-load model's conversion (reference README) [kW/hp]
OVERLOAD_LOAD = 1.25  # the model's last point [-] ...
OVERLOAD_FACTOR = 0.99  # ... where efficiency is 0.99 x full-load efficiency [-]
ZERO_LOAD_LOSS_FACTOR = 0.8  # losses at zero load / losses at 25 % load [-]
MAX_RATIO = 1.2  # a part-load ratio above this is treated as non-physical [-]

_DATA = ("data", "efficiency")
_IEC, _COEF = "iec60034_30_1_50hz_min_efficiency.csv", "iec60034_30_1_interpolation_coefficients.csv"
_GB = {"gb18613_2012_grades.csv", "gb18613_2020_grades.csv"}
_BASELINES, _PARTLOAD = "old_motor_baselines.csv", "partload_amo_coefficients.csv"
_EDITIONS = "gb18613_editions.csv"
_SERIES_RULES = {  # series: (prefix of `standard`, prefix of `class_or_grade`)
    "Y": ("China Y series", ""),
    "US_STANDARD": ("US standard-efficiency", ""),
    "EFF1": ("EU CEMEP", "EFF1"),
    "EFF2": ("EU CEMEP", "EFF2"),
}
_POLY_CLASSES = ("IE2", "IE3", "IE4")
_F_UNVERIFIED, _F_MIDPOINT, _F_UNKNOWN = (int(f) for f in EtaFlag)


class EfficiencyDataError(MotorsubError):
    """A packaged efficiency table is malformed (the message names file and line)."""


# --------------------------------------------------------------------------- loading
def _read(name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of one packaged CSV with their line numbers; required columns checked."""
    text = resources.files("motorsub").joinpath(*_DATA, name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = set(columns) - set(reader.fieldnames or ())
    if missing:
        raise EfficiencyDataError(f"{name}: missing columns {sorted(missing)}")
    return [(reader.line_num, row) for row in reader]


def _fail(name: str, line: int, what: str) -> EfficiencyDataError:
    return EfficiencyDataError(f"{name}, line {line}: {what}")


def _number(name: str, line: int, row: dict[str, str], column: str) -> float:
    try:
        value = float(row[column])
    except (TypeError, ValueError):
        raise _fail(name, line, f"{column}={row[column]!r} is not a number") from None
    if not math.isfinite(value):
        raise _fail(name, line, f"{column}={row[column]!r} is not finite")
    return value


def _poles(name: str, line: int, row: dict[str, str], allowed=POLES) -> int:
    poles = row["poles"]
    if not poles.isdigit() or int(poles) not in allowed:
        raise _fail(name, line, f"poles={poles!r}, expected one of {allowed}")
    return int(poles)


def _unverified(name: str, line: int, status: str) -> bool:
    if status not in KNOWN_STATUSES:
        raise _fail(name, line, f"unknown status {status!r}; add it to KNOWN_STATUSES")
    return status in UNVERIFIED_STATUSES


def _series_of(name: str, line: int, row: dict[str, str]) -> str:
    found = [
        series
        for series, (standard, grade) in _SERIES_RULES.items()
        if row["standard"].startswith(standard) and row["class_or_grade"].startswith(grade)
    ]
    if len(found) != 1:
        raise _fail(name, line, f"row belongs to {len(found)} baseline series, expected 1")
    return found[0]


def _efficiency_rows() -> tuple[dict[str, list], dict[str, int]]:
    """Rows (poles, kw, eta, unverified, file, line) per table key; polynomial class."""
    tables: dict[str, list] = {}
    poly: dict[str, int] = {}
    base = ("standard", "class_or_grade", "poles", "kw", "efficiency_pct", "status")
    for name in (_IEC, *sorted(_GB), _BASELINES):
        columns = base + (("ie_equivalent",) if name in _GB else ())
        for line, row in _read(name, columns):
            if name == _IEC:
                key, ie = row["class_or_grade"], row["class_or_grade"]
            elif name in _GB:
                key, ie = f"{row['standard']} {row['class_or_grade']}", row["ie_equivalent"]
            else:
                key, ie = _series_of(name, line, row), ""
            cls = _POLY_CLASSES.index(ie) if ie in _POLY_CLASSES else -1
            if poly.setdefault(key, cls) != cls:
                raise _fail(name, line, f"table {key!r} mixes IE equivalents")
            kw = _number(name, line, row, "kw")
            eta = _number(name, line, row, "efficiency_pct")
            if not (kw > 0 and 0 < eta < 100):
                raise _fail(name, line, f"kw={kw} or efficiency_pct={eta} out of range")
            tables.setdefault(key, []).append(
                (_poles(name, line, row), kw, eta, _unverified(name, line, row["status"]), name, line)
            )
    return tables, poly


def _flatten(tables: dict[str, list]):
    """Per (table, poles) segment: start offsets and sorted kW, eta, unverified arrays."""
    starts, kws, etas, unver = [0], [], [], []
    for key, rows in tables.items():
        for poles in POLES:
            seg = sorted((r for r in rows if r[0] == poles), key=lambda r: r[1])
            for a, b in zip(seg, seg[1:]):
                if a[1] == b[1]:
                    raise _fail(b[4], b[5], f"duplicate {key!r} {poles}-pole {b[1]} kW")
            kws += [r[1] for r in seg]
            etas += [r[2] for r in seg]
            unver += [r[3] for r in seg]
            starts.append(len(kws))
    return (np.array(starts, np.int64), np.array(kws, np.float64),
            np.array(etas, np.float64), np.array(unver, np.bool_))  # fmt: skip


def _coefficients():
    """IEC polynomial: coef[class, pole, range, ABCD] and range bounds lo/hi [kW]."""
    shape = (len(_POLY_CLASSES), len(POLES), 2)
    coef = np.zeros(shape + (4,))
    lo, hi = np.full(shape, np.inf), np.full(shape, -np.inf)
    seen: dict[tuple[int, int], list] = {}
    for line, row in _read(_COEF, ("cls", "poles", "range", "A", "B", "C", "D")):
        match = re.fullmatch(r"([\d.]+)<=P<=([\d.]+) kW", row["range"])
        if row["cls"] not in _POLY_CLASSES or not match:
            raise _fail(_COEF, line, f"cls={row['cls']!r} range={row['range']!r}")
        key = (_POLY_CLASSES.index(row["cls"]), POLES.index(_poles(_COEF, line, row)))
        abcd = [_number(_COEF, line, row, c) for c in "ABCD"]
        seen.setdefault(key, []).append((float(match[1]), float(match[2]), abcd, line))
    for (c, p), ranges in seen.items():
        if len(ranges) > 2:
            raise _fail(_COEF, ranges[2][3], "more than two ranges for one class and poles")
        for r, (a, b, abcd, _) in enumerate(sorted(ranges)):
            lo[c, p, r], hi[c, p, r], coef[c, p, r] = a, b, abcd
    return coef, lo, hi


def _partload():
    """AMO coefficients[class, pole 2..12, range, load point, a..e], hp split, points."""
    columns = ("cls", "range", "poles", "coef", "load25", "load50", "load75", "load100")
    points = [c for c in columns if c.startswith("load")]
    poles_ok = tuple(range(2, 13, 2))
    coef = np.full((len(PARTLOAD_CLASSES), len(poles_ok), 2, len(points), 5), np.nan)
    splits = set()
    for line, row in _read(_PARTLOAD, columns):
        match = re.fullmatch(r"hp(<=|>)([\d.]+)", row["range"])
        if row["cls"] not in PARTLOAD_CLASSES or row["coef"] not in tuple("abcde") or not match:
            raise _fail(_PARTLOAD, line, f"cls/range/coef {row['cls']!r} {row['range']!r}")
        splits.add(float(match[2]))
        cell = coef[PARTLOAD_CLASSES.index(row["cls"]),
                    poles_ok.index(_poles(_PARTLOAD, line, row, poles_ok)),
                    int(match[1] == ">"), :, "abcde".index(row["coef"])]  # fmt: skip
        if not np.isnan(cell).all():
            raise _fail(_PARTLOAD, line, "duplicate coefficient")
        cell[:] = [_number(_PARTLOAD, line, row, c) for c in points]
    if len(splits) != 1:
        raise EfficiencyDataError(f"{_PARTLOAD}: ranges split at {sorted(splits)}, expected one hp")
    load_pts = [int(c[4:]) / 100 for c in points] + [OVERLOAD_LOAD]
    return coef, splits.pop(), np.array(load_pts)


def _day(name: str, line: int, text: str, default: int) -> int:
    if not text:
        return default
    try:
        return int(np.datetime64(text, "D").astype(np.int64))
    except ValueError:
        raise _fail(name, line, f"date {text!r} is not YYYY-MM-DD") from None


def _editions(table_index: dict[str, int]):
    """First/last day in force per edition; table and flag per (edition, grade) slot."""
    columns = ("edition", "in_force_from", "in_force_until", "grade1", "grade2", "grade3",
               "source", "status")  # fmt: skip
    lo_day, hi_day = np.iinfo(np.int64).min + 1, np.iinfo(np.int64).max
    first = np.full(len(Edition), hi_day)
    last = np.full(len(Edition), lo_day)
    slot_table = np.full(len(Edition) * 3, -1, np.int64)
    slot_flag = np.zeros(len(Edition) * 3, np.uint8)
    for line, row in _read(_EDITIONS, columns):
        name = row["edition"].replace(" ", "").replace("-", "_")
        if name not in Edition.__members__ or last[Edition[name]] != lo_day:
            raise _fail(_EDITIONS, line, f"unknown or duplicate edition {row['edition']!r}")
        e = Edition[name]
        first[e] = _day(_EDITIONS, line, row["in_force_from"], lo_day)
        last[e] = _day(_EDITIONS, line, row["in_force_until"], hi_day)
        flag = _F_UNVERIFIED if _unverified(_EDITIONS, line, row["status"]) else 0
        for grade in (1, 2, 3):
            key = row[f"grade{grade}"]
            if key not in table_index:
                raise _fail(_EDITIONS, line, f"grade{grade}={key!r} names no table")
            slot_table[e * 3 + grade - 1] = table_index[key]
            slot_flag[e * 3 + grade - 1] = flag
    if (last == lo_day).any() or (first[1:] != last[:-1] + 1).any() or (first > last).any():
        raise EfficiencyDataError(f"{_EDITIONS}: editions missing, overlapping or with gaps")
    return first, last, slot_table, slot_flag


class _Tables(NamedTuple):
    table_index: dict[str, int]
    seg_start: np.ndarray
    kw: np.ndarray
    eta: np.ndarray
    unverified: np.ndarray
    table_poly: np.ndarray
    coef: np.ndarray
    coef_lo: np.ndarray
    coef_hi: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    edition_table: np.ndarray
    edition_flag: np.ndarray
    partload_coef: np.ndarray
    partload_hp_split: float
    partload_points: np.ndarray


@functools.cache
def _tables() -> _Tables:
    rows, poly = _efficiency_rows()
    table_index = {key: i for i, key in enumerate(rows)}
    seg_start, kw, eta, unverified = _flatten(rows)
    table_poly = np.array([poly[key] for key in rows], np.int64)
    return _Tables(table_index, seg_start, kw, eta, unverified, table_poly, *_coefficients(),
                   *_editions(table_index), *_partload())  # fmt: skip


# --------------------------------------------------------------------------- kernels
@kernel()
def _poly_value(abcd, kw):
    x = math.log10(kw)
    return math.floor((((abcd[0] * x + abcd[1]) * x + abcd[2]) * x + abcd[3]) * 10.0 + 0.5) / 10.0


@kernel()
def _interpolate(x, k, j, seg_kw, seg_eta, abcd_ranges, lo, hi):
    """Eta [%] and flag between ratings k < j of one segment (``abcd_ranges`` may be empty).

    The polynomial applies when one coefficient range spans both ratings; else the
    midpoint rule.
    """
    for r in range(abcd_ranges.shape[0]):
        if lo[r] <= seg_kw[k] and seg_kw[j] <= hi[r]:
            return _poly_value(abcd_ranges[r], x), 0
    if x >= 0.5 * (seg_kw[k] + seg_kw[j]):
        return seg_eta[j], _F_MIDPOINT
    return seg_eta[k], _F_MIDPOINT


@kernel(parallel=True)
def _lookup_kernel(slot, poles, kw, slot_table, slot_flag, seg_start, tab_kw, tab_eta,
                   tab_unverified, table_poly, coef, coef_lo, coef_hi):  # fmt: skip
    """Eta [%] and flags per record; ``slot`` selects (table, base flag)."""
    n = kw.size
    out, flags = np.full(n, np.nan), np.full(n, _F_UNKNOWN, np.uint8)
    for i in prange(n):
        s, p, x = slot[i], poles[i] // 2 - 1, kw[i]
        if s < 0 or poles[i] % 2 != 0 or p < 0 or p > 3 or not x > 0.0:
            continue
        table = slot_table[s]
        lo, hi = seg_start[table * 4 + p], seg_start[table * 4 + p + 1]
        if hi == lo or x < tab_kw[lo] or x > tab_kw[hi - 1]:
            continue
        seg_kw, seg_eta, seg_unverified = tab_kw[lo:hi], tab_eta[lo:hi], tab_unverified[lo:hi]
        j = np.searchsorted(seg_kw, x)
        f = np.int64(slot_flag[s])
        if seg_kw[j] == x:
            out[i] = seg_eta[j]
            unverified = seg_unverified[j]
        else:
            c = table_poly[table]
            n_ranges = 2 if c >= 0 else 0
            c = max(c, 0)
            out[i], how = _interpolate(x, j - 1, j, seg_kw, seg_eta, coef[c, p, :n_ranges],
                                       coef_lo[c, p], coef_hi[c, p])  # fmt: skip
            f |= how
            unverified = seg_unverified[j - 1] or seg_unverified[j]
        flags[i] = f | (_F_UNVERIFIED if unverified else 0)
    return out, flags


@kernel(parallel=True)
def _poly_kernel(cls, poles, kw, coef, lo, hi):
    out = np.full(kw.size, np.nan)
    for i in prange(kw.size):
        c, p = cls[i] - 2, poles[i] // 2 - 1
        if 0 <= c < 3 and poles[i] % 2 == 0 and 0 <= p < 4:
            for r in range(2):
                if lo[c, p, r] <= kw[i] <= hi[c, p, r]:
                    out[i] = _poly_value(coef[c, p, r], kw[i])
    return out


@kernel()
def _amo_eta(c, k, hp):
    """AMO efficiency [-] at load point k (last point = OVERLOAD_FACTOR x full load)."""
    m = min(k, 3)
    eta = (c[m, 0] + c[m, 1] * math.exp(-c[m, 2] * hp) + c[m, 3] * math.exp(-c[m, 4] * hp)) / 100
    return eta * OVERLOAD_FACTOR if k == 4 else eta


@kernel()
def _partload_one(c, hp, load, pts):
    """eta(load) / eta(full load) [-], NaN where non-physical; ``pts`` load points [-]."""
    full = _amo_eta(c, 3, hp)
    if not (0.0 < full < 1.0) or not (0.0 <= load <= pts[-1]):
        return np.nan
    j = max(np.searchsorted(pts, load), 1)
    e_lo = _amo_eta(c, j - 1, hp)
    if load < pts[0]:  # losses [per unit of rated output] fall linearly towards zero load
        loss25 = pts[0] * (1.0 / e_lo - 1.0)
        loss = loss25 * (ZERO_LOAD_LOSS_FACTOR + (1.0 - ZERO_LOAD_LOSS_FACTOR) * load / pts[0])
        eta, e_hi = load / (load + loss), e_lo
    else:
        e_hi = _amo_eta(c, j, hp)
        eta = e_lo + (e_hi - e_lo) * (load - pts[j - 1]) / (pts[j] - pts[j - 1])
    ratio = eta / full
    physical = 0.0 < e_lo < 1.0 and 0.0 < e_hi < 1.0 and 0.0 < ratio <= MAX_RATIO
    return ratio if physical else np.nan


@kernel(parallel=True)
def _partload_kernel(cls, poles, kw, load, coef, hp_split, pts):
    n = kw.size
    out, flags = np.full(n, np.nan), np.full(n, _F_UNKNOWN, np.uint8)
    for i in prange(n):
        p, hp = poles[i] // 2 - 1, kw[i] / KW_PER_HP
        if cls[i] < 0 or poles[i] % 2 != 0 or not (0 <= p < 6) or not hp > 0.0:
            continue
        c = coef[cls[i], p, 0 if hp <= hp_split else 1]
        if np.isnan(c[0, 0]):
            continue
        out[i] = _partload_one(c, hp, load[i], pts)
        if out[i] == out[i]:
            flags[i] = 0
    return out, flags


# --------------------------------------------------------------------------- wrappers
def _floats(a) -> np.ndarray:
    """float64 array; missing or non-numeric entries (None, pd.NA, text) become NaN."""
    a = np.asarray(a)
    if a.dtype.kind == "O":
        numbers = pd.to_numeric(pd.Series(a.ravel()), errors="coerce")
        return numbers.to_numpy(np.float64, na_value=np.nan).reshape(a.shape)
    return a.astype(np.float64)


def _ints(a) -> np.ndarray:
    """int64 codes; missing or non-integral entries become -1."""
    a = np.asarray(a)
    if a.dtype.kind in "iub":
        return a.astype(np.int64)
    a = _floats(a)
    return np.where(np.isfinite(a) & (a == np.round(a)), a, -1).astype(np.int64)


def _names(a, known: tuple[str, ...]) -> np.ndarray:
    """Index of each name in ``known`` as int64; -1 for unknown or missing names."""
    a = np.asarray(a, dtype=object)
    codes, uniques = pd.factorize(a.ravel(), use_na_sentinel=True)
    lookup = np.array([known.index(u) if u in known else -1 for u in uniques] + [-1])
    return lookup[codes].astype(np.int64).reshape(a.shape)


def _flat(*arrays):
    """Broadcast, then flatten to contiguous 1-D arrays; returns (flat arrays, shape)."""
    b = np.broadcast_arrays(*arrays)
    return [np.ascontiguousarray(a.ravel()) for a in b], b[0].shape


def _lookup(slot, poles, kw, slot_table, slot_flag):
    """Run the lookup kernel over broadcast ``slot``, ``poles`` and ``kw``."""
    t = _tables()
    (slot, poles, kw), shape = _flat(slot, _ints(poles), _floats(kw))
    eta, flags = _lookup_kernel(slot, poles, kw, slot_table, slot_flag, t.seg_start, t.kw,
                                t.eta, t.unverified, t.table_poly, t.coef, t.coef_lo,
                                t.coef_hi)  # fmt: skip
    return eta.reshape(shape), flags.reshape(shape)


def edition_at(days_since_epoch) -> np.ndarray:
    """GB 18613 edition in force on each day (periods from ``gb18613_editions.csv``).

    Parameters
    ----------
    days_since_epoch : array of int32/int64, or datetime64
        Date, as days since 1970-01-01 [d]; ``NaT`` is allowed in datetime64 input.

    Returns
    -------
    edition : array of int8
        :class:`Edition` code [-]; -1 for ``NaT`` or a day no edition covers. The 2006
        edition is open-ended before 2012-09-01: its start is not in our sources.
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
        Efficiency [%]; NaN where unknown. Arguments broadcast; this is their shape.
    flags : array of uint8
        :class:`EtaFlag` bits [-].

    Notes
    -----
    ``gb18613_editions.csv`` names each grade's table: 2006 grades 1/2/3 use IE3/IE2/IE1
    (approximate, so always UNVERIFIED); 2012 and 2020 use their own rows (2012 covers
    0.75-375 kW at 2/4/6 poles only, grades 2/3 equal IE3/IE2; 2020 grades 2/3 equal
    IE4/IE3, grade 1 is its own table).
    """
    edition, grade = _ints(edition), _ints(grade)
    ok = (edition >= 0) & (edition < len(Edition)) & (grade >= 1) & (grade <= 3)
    t = _tables()
    slot = np.where(ok, edition * 3 + grade - 1, -1)
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
    t = _tables()
    (c, p, k), shape = _flat(_ints(ie_class), _ints(poles), _floats(kw))
    return _poly_kernel(c, p, k, t.coef, t.coef_lo, t.coef_hi).reshape(shape)


def baseline_efficiency(series_name, poles, kw) -> tuple[np.ndarray, np.ndarray]:
    """Full-load efficiency of an old motor from a catalogue series (midpoint rule).

    Parameters
    ----------
    series_name : array of str
        One of :data:`BASELINE_SERIES` [-]: ``Y`` (China Y series catalogue, older Chinese
        test method, reads high), ``US_STANDARD`` (AMO STANDARD class model, 60 Hz,
        ratings converted from hp), ``EFF1``/``EFF2`` (EU CEMEP class lower bounds, 2
        poles only). Unknown or missing names give UNKNOWN.
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


def partload_ratio(motor_class, poles, kw, load) -> tuple[np.ndarray, np.ndarray]:
    """Efficiency at part load divided by full-load efficiency (US DOE AMO model).

    Parameters
    ----------
    motor_class : array of str
        One of :data:`PARTLOAD_CLASSES` [-]; unknown or missing names give UNKNOWN.
    poles : array of int
        Pole count 2-12 [-] (PREMIUM: 2/4/6).
    kw : array of float
        Rated output [kW]; ``hp = kw / KW_PER_HP`` picks the file's hp range.
    load : array of float
        Output / rated output [-], within (0, 1.25].

    Returns
    -------
    ratio : array of float64
        eta(load) / eta(full load) [-]; NaN where not covered or non-physical (an
        efficiency used outside (0, 1), ratio <= 0 or > MAX_RATIO).
    flags : array of uint8
        :class:`EtaFlag` bits [-]: UNKNOWN where NaN, else 0.

    Notes
    -----
    Efficiency at 25/50/75/100 % load is ``(a + b exp(-c hp) + d exp(-e hp)) / 100``; at
    125 % it is 0.99 x full load. Between points it is interpolated linearly (the model
    uses a smooth curve; points are 25 % apart). Below 25 % load the losses fall linearly
    from the 25 %-load loss to 0.8 x that loss at zero load, so the ratio tends to 0 (NaN
    at 0). The model was fitted to 60 Hz US motors: use it only as a ratio.
    """
    t = _tables()
    classes = _names(motor_class, PARTLOAD_CLASSES)
    (c, p, k, f), shape = _flat(classes, _ints(poles), _floats(kw), _floats(load))
    ratio, flags = _partload_kernel(c, p, k, f, t.partload_coef, t.partload_hp_split,
                                    t.partload_points)  # fmt: skip
    return ratio.reshape(shape), flags.reshape(shape)


def poles_from_speed(speed_rpm, *, frequency_hz: float = 50.0, min_rpm: float = 600.0):
    """Pole count from the nameplate speed.

    Parameters
    ----------
    speed_rpm : array of float
        Nameplate (full-load) speed [r/min].
    frequency_hz : float
        Supply frequency [Hz]; synchronous speed is ``120 f / poles``, 3000/1500/1000/750
        r/min for 2/4/6/8 poles at 50 Hz.
    min_rpm : float
        Lowest trusted speed [r/min]: an 8-pole motor at 50 Hz runs at about 700-740.

    Returns
    -------
    poles : array of int8
        The pole count (of :data:`POLES`) whose synchronous speed is the smallest one >=
        the nameplate speed (1450 -> 4, 2950 -> 2, 980 -> 6, 740 -> 8); 0 where the speed
        is missing, above the 2-pole synchronous speed or below ``min_rpm``.
    """
    speed = _floats(speed_rpm)
    out = np.zeros(speed.shape, np.int8)
    for poles in sorted(POLES, reverse=True):  # slowest synchronous speed first
        out = np.where((out == 0) & (speed <= 120.0 * frequency_hz / poles), poles, out)
    return np.where(speed >= min_rpm, out, 0).astype(np.int8)
