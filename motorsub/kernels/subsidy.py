"""The subsidy kernel: eligibility, band, rate and amount of every component, per line.

Per component ``c`` of each scheme in force at the line's ``sale_date``::

    amount_c = eligible_c × rate_c × basis_kw_c × units_c   rounded half-up to 0.01 CNY

computed exactly in integers: the rate in fen per kW, the basis power read to the
milliwatt (1e-6 kW), and the product split so that it never overflows int64 for any
line that :mod:`motorsub.engine.records` accepts (kW ≤ 100 000, quantities ≤ 1 000 000).

The checks of a component run in a fixed order and the first that fails names the reason:
``applies_to`` (silent when failed), window (``OUTSIDE_WINDOW``), region
(``REGION_NOT_ELIGIBLE``), trade-in (``NO_TRADE_IN``), kind (``REMAN_NO_NATIONAL`` for a
remanufactured motor, ``KIND_NOT_ELIGIBLE`` for a new one), motor type
(``TYPE_NOT_ELIGIBLE``), power (``OUT_OF_SCOPE_KW``), grade (``GRADE_NOT_ELIGIBLE``),
rate (``NO_RATE``). Rate bands are looked up on the new motor's kW.

References
----------
财建〔2010〕232号, 财建〔2011〕62号 (national programme); 沪府办发〔2011〕62号 (Shanghai).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from motorsub import vocab
from motorsub._jit import in_threads, kernel, read_only
from motorsub.model.schemes import Component, Rate, Scheme, SchemeSet, Version
from motorsub.reasons import NOT_APPLICABLE, PAID, Reason, component_code

EPOCH = dt.date(1970, 1, 1)
NO_END = np.iinfo(np.int32).max
MICRO = 1_000_000  # basis power is read to 1e-6 kW
EPSILON = float(np.finfo(np.float64).eps)
TIE_ULPS = 8.0  # a written decimal tie lands within this many ulps of it as a double

# component outcome codes, frozen into the kernel at compile time
_NA = NOT_APPLICABLE
_OUTSIDE_WINDOW = component_code(Reason.OUTSIDE_WINDOW)
_REGION = component_code(Reason.REGION_NOT_ELIGIBLE)
_NO_TRADE_IN = component_code(Reason.NO_TRADE_IN)
_REMAN = component_code(Reason.REMAN_NO_NATIONAL)
_KIND = component_code(Reason.KIND_NOT_ELIGIBLE)
_TYPE = component_code(Reason.TYPE_NOT_ELIGIBLE)
_SCOPE_KW = component_code(Reason.OUT_OF_SCOPE_KW)
_GRADE = component_code(Reason.GRADE_NOT_ELIGIBLE)
_NO_RATE = component_code(Reason.NO_RATE)


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01, as the kernels see dates."""
    return (d - EPOCH).days


@dataclass(frozen=True)
class Cell:
    """Where a rate-table cell comes from, for tracing an amount to its source."""

    scheme: Scheme
    version: Version
    component: Component
    motor_type: str
    rate: Rate


class SchemeArrays(NamedTuple):
    """The schemes as the subsidy kernel reads them: C components, K kinds, T motor types,
    V versions (of every scheme, in order), S schemes, and the rate cells of every version."""

    comp_scheme: np.ndarray  # int64 [C]: the scheme of each component
    comp_basis: np.ndarray  # int8 [C]: 0 the new motor's kW, 1 the old motor's
    app_kinds: np.ndarray  # bool [C, K]: ``applies_to`` (silent when failed)
    app_types: np.ndarray  # bool [C, T]
    app_regions: np.ndarray  # bool [C, regions]
    app_trade: np.ndarray  # int8 [C]: -1 any, 0 without, 1 with a trade-in
    el_regions: np.ndarray  # bool [C, regions]: eligible regions
    el_trade: np.ndarray  # bool [C]: a trade-in is required
    sc_ok: np.ndarray  # bool [C, K, T]: the scope holds the kind and type
    sc_bounds: np.ndarray  # float64 [C, K, T, 2]: the scope's power interval [kW]
    sc_closed: np.ndarray  # bool [C, K, T, 2]: whether each end is closed
    sc_worst: np.ndarray  # int8 [C, K, T]: worst grade allowed, 0 = no grade limit
    ver_days: np.ndarray  # int32 [V, 2]: first and last day in force
    scheme_vrange: np.ndarray  # int64 [S, 2]: each scheme's versions
    cell_range: np.ndarray  # int64 [V, C, T, 2]: each (version, component, type)'s cells
    cell_bounds: np.ndarray  # float64 [cells, 2]: the cell's power band [kW]
    cell_closed: np.ndarray  # bool [cells, 2]
    cell_grades: np.ndarray  # bool [cells, 1 + grades]: grades the cell covers (0 = none)
    cell_fen: np.ndarray  # int64 [cells]: rate [fen/kW], -1 where no source gives it


class SubsidyColumns(NamedTuple):
    """The validated record columns the subsidy kernel reads, one entry per line."""

    day: np.ndarray  # int32 days since 1970-01-01
    region: np.ndarray  # int16 code (vocab.regions())
    motor_type: np.ndarray  # int8 code (vocab.MOTOR_TYPES)
    kind: np.ndarray  # int8 code (vocab.KINDS)
    grade: np.ndarray  # int8; 0 = not given
    trade_in: np.ndarray  # bool
    kw: np.ndarray  # float64 [kW]
    qty: np.ndarray  # int64
    old_kw: np.ndarray  # float64 [kW], NaN if none
    old_qty: np.ndarray  # int64


@dataclass(frozen=True)
class CompiledSchemes:
    """A :class:`SchemeSet` flattened into the contiguous arrays the kernel reads."""

    schemes: SchemeSet
    arrays: SchemeArrays
    versions: tuple[tuple[Scheme, Version], ...]
    cells: tuple[Cell, ...]
    tables: OutcomeTables

    @property
    def n_components(self) -> int:
        return len(self.schemes.components)

    @property
    def n_schemes(self) -> int:
        return len(self.schemes.schemes)


def _mask(names: list | None, universe: tuple) -> np.ndarray:
    return np.array([names is None or u in names for u in universe], dtype=np.bool_)


def compile_schemes(schemes: SchemeSet) -> CompiledSchemes:
    """Flatten validated schemes into kernel arrays (done once per :class:`SchemeSet`)."""
    regions, kinds, types = vocab.regions(), vocab.KINDS, vocab.MOTOR_TYPES
    comps = schemes.components
    n_c, n_k, n_t = len(comps), len(kinds), len(types)
    comp_scheme = np.array([schemes.schemes.index(s) for s, _ in comps], dtype=np.int64)
    comp_basis = np.array([c.basis == "old_kw" for _, c in comps], dtype=np.int8)
    app_kinds = np.stack([_mask(c.applies_to.kinds, kinds) for _, c in comps])
    app_types = np.stack([_mask(c.applies_to.motor_types, types) for _, c in comps])
    app_regions = np.stack([_mask(c.applies_to.regions, regions) for _, c in comps])
    app_trade = np.array(
        [-1 if c.applies_to.trade_in is None else int(c.applies_to.trade_in) for _, c in comps],
        dtype=np.int8,
    )
    el_regions = np.stack([_mask(c.eligibility.regions, regions) for _, c in comps])
    el_trade = np.array([c.eligibility.trade_in_required for _, c in comps], dtype=np.bool_)
    sc_ok = np.zeros((n_c, n_k, n_t), dtype=np.bool_)
    sc_bounds = np.zeros((n_c, n_k, n_t, 2), dtype=np.float64)
    sc_closed = np.zeros((n_c, n_k, n_t, 2), dtype=np.bool_)
    sc_worst = np.zeros((n_c, n_k, n_t), dtype=np.int8)
    for ci, (_, c) in enumerate(comps):
        for e in c.eligibility.scope:
            at = (ci, kinds.index(e.kind), types.index(e.motor_type))
            sc_ok[at] = True
            sc_bounds[at] = (e.kw.lo, e.kw.hi)
            sc_closed[at] = (e.kw.lo_closed, e.kw.hi_closed)
            sc_worst[at] = e.worst_grade or 0

    versions = tuple((s, v) for s in schemes.schemes for v in s.versions)
    ver_days = np.array(
        [
            (
                day_number(v.in_force_from),
                NO_END if v.in_force_until is None else day_number(v.in_force_until),
            )
            for _, v in versions
        ],
        dtype=np.int32,
    ).reshape(-1, 2)
    scheme_vrange = np.zeros((len(schemes.schemes), 2), dtype=np.int64)
    for si, s in enumerate(schemes.schemes):
        first = next(i for i, (sv, _) in enumerate(versions) if sv is s)
        scheme_vrange[si] = (first, first + len(s.versions))

    cells: list[Cell] = []
    cell_range = np.zeros((len(versions), n_c, n_t, 2), dtype=np.int64)
    for vi, (s, v) in enumerate(versions):
        for ci, (cs, c) in enumerate(comps):
            for ti, mt in enumerate(types):
                start = len(cells)
                if cs is s:
                    for r in v.rates:
                        if r.component == c.id and r.motor_type in (None, mt):
                            cells.append(Cell(s, v, c, mt, r))
                cell_range[vi, ci, ti] = (start, len(cells))
    cell_bounds = np.array([(x.rate.kw.lo, x.rate.kw.hi) for x in cells], dtype=np.float64)
    cell_closed = np.array(
        [(x.rate.kw.lo_closed, x.rate.kw.hi_closed) for x in cells], dtype=np.bool_
    )
    cell_grades = np.array(
        [[x.rate.grades is None or g in x.rate.grades for g in (0, *vocab.GRADES)] for x in cells],
        dtype=np.bool_,
    )
    cell_fen = np.array(
        [-1 if x.rate.cny_per_kw is None else round(x.rate.cny_per_kw * 100) for x in cells],
        dtype=np.int64,
    )
    arrays = SchemeArrays(
        comp_scheme,
        comp_basis,
        app_kinds,
        app_types,
        app_regions,
        app_trade,
        el_regions,
        el_trade,
        sc_ok,
        sc_bounds,
        sc_closed,
        sc_worst,
        ver_days,
        scheme_vrange,
        cell_range,
        cell_bounds.reshape(-1, 2),
        cell_closed.reshape(-1, 2),
        cell_grades.reshape(-1, 1 + len(vocab.GRADES)),
        cell_fen,
    )
    arrays = SchemeArrays(*(np.ascontiguousarray(a) for a in arrays))
    return CompiledSchemes(schemes, arrays, versions, tuple(cells), outcome_tables(arrays))


@kernel(inline=True)
def _basis_micro(basis_kw):
    """The basis [kW] in whole micro-kW, read half-up *as written in decimal*: a value whose
    seventh decimal is a 5 (258.3383335) is stored as a double a hair below or above the
    tie, so a distance to the tie within a few units in the last place counts as the tie."""
    x = basis_kw * MICRO
    whole_micro = np.floor(x)
    tie = 0.5 - TIE_ULPS * EPSILON * x
    return np.int64(whole_micro) + (1 if x - whole_micro >= tie else 0)


@kernel(inline=True)
def _amount_fen(rate_fen, basis_kw, units):
    """rate [fen/kW] × basis [kW, read to 1e-6 by :func:`_basis_micro`] × units, rounded
    half-up to the fen."""
    per_unit = rate_fen * _basis_micro(basis_kw)  # micro-fen; < 2**63 for accepted lines
    whole, frac = per_unit // MICRO, per_unit % MICRO
    rest = frac * units
    return whole * units + rest // MICRO + (1 if rest % MICRO >= MICRO // 2 else 0)


_U_MICRO = np.uint64(MICRO)
_U_HALF = np.uint64(MICRO // 2)


@kernel(inline=True)
def _paid_fen(rate_fen, basis_kw, units):
    """:func:`_amount_fen` for a rate > 0 and a basis > 0, in unsigned integers (whose
    divisions by a constant need no sign fix-up), half up as ``(rest + half) // MICRO``."""
    per_unit = np.uint64(rate_fen) * np.uint64(_basis_micro(basis_kw))
    u = np.uint64(units)
    rest = per_unit % _U_MICRO * u + _U_HALF
    return np.int64(per_unit // _U_MICRO * u + rest // _U_MICRO)


class OutcomeTables(NamedTuple):
    """Every component's outcome resolved once per distinct line, for the kernel to gather.

    A line's outcome for a component depends only on its scheme version, region, motor
    type, kind, trade-in, grade and kW *band* (the kW's place among the finite ends of
    every scope and rate band: below, on or above each), never on the exact kW or the
    quantities, which only scale the amount. :func:`outcome_tables` works the checks out
    for each such combination, with regions that every filter treats alike merged into
    one class, and the versions in force for each *period* between two consecutive first
    or last days of any version; the kernel then finds a line's period and combination
    and reads its components' entries side by side. Entries are flat, C-order over
    ``[period, region class, motor type, kind, trade-in, grade, band, component]``, each
    ``rate << 32 | (cell + 1) << 8 | code``: the rate [fen/kW] when PAID (else 0), the
    rate cell (-1: none) and the outcome code.

    A line's period and kW band are read from two :class:`StepLookup` tables (a bucket,
    then at most a comparison or two), not counted over every day or kW end.
    """

    comp_basis: np.ndarray  # int8 [C]: 0 the new motor's kW, 1 the old motor's
    day_base: np.ndarray  # int64 [2]: the period lookup's first day and shift
    day_count: np.ndarray  # int16 [buckets]: periods begun by each bucket's first day
    day_ends: np.ndarray  # int64 [buckets, W]: later days in the bucket that begin one
    period_version: np.ndarray  # int16 [P + 1, S]: each scheme's version in force, or -1
    region_class: np.ndarray  # int64 [regions]: the class of each region
    kw_base: np.ndarray  # int64 [2]: the kW lookup's first key and shift
    kw_count: np.ndarray  # int16 [buckets]: the band of a kW below every end of its bucket
    kw_ends: np.ndarray  # float64 [buckets, W]: the band ends in each bucket, NaN-padded
    dims: np.ndarray  # int64 [6]: periods, region classes, types, kinds, grades, bands
    entry: np.ndarray  # int64 [...]: rate, cell and code, packed (see above)
    code_bit: np.ndarray  # uint32 [256]: the reason bit of each code (0: PAID, NA)
    # 0, 1, ... per component and per scheme: their lengths are part of the kernel's
    # type, so its loops over components and schemes have a known number of turns and
    # unroll (a scheme set of another shape compiles once more)
    per_component: tuple[int, ...]
    per_scheme: tuple[int, ...]


def _inside_np(x, lo, hi, lo_closed, hi_closed):
    above = np.where(lo_closed, x >= lo, x > lo)
    below = np.where(hi_closed, x <= hi, x < hi)
    return above & below


def kw_bands(points: np.ndarray) -> np.ndarray:
    """A kW inside each band of the sorted finite ``points``: band ``2j`` lies between
    ``points[j - 1]`` and ``points[j]``, band ``2j + 1`` is ``points[j]`` itself, band
    ``2m`` lies above the last (see :func:`kw_band`)."""
    m = len(points)
    if m == 0:
        return np.ones(1)
    below = np.concatenate([[points[0] - 1.0], points[:-1] + (points[1:] - points[:-1]) / 2])
    reps = np.empty(2 * m + 1)
    reps[0 : 2 * m : 2], reps[1 : 2 * m : 2], reps[2 * m] = below, points, points[-1] + 1.0
    return reps


#: most buckets a :class:`StepLookup` holds (its counts stay in the first-level cache)
MAX_BUCKETS = 4096
_NO_DAY = np.iinfo(np.int64).max  # pads ``day_ends``: no int32 day reaches it


class StepLookup(NamedTuple):
    """How many sorted ends lie below a value, by bucket: ``key(x)`` (monotone in ``x``)
    clamped to ``[0, buckets)`` picks a bucket; ``count`` holds what every value of the
    bucket has below it, ``ends`` (``[buckets, W]``, padded with values that never count)
    the ends inside it, W at most for every bucket alike, so that the kernel compares
    without a jump that depends on the line."""

    base: np.ndarray  # int64 [2]: subtracted from the key, and the key's right shift
    count: np.ndarray  # int16 [buckets]
    ends: np.ndarray  # [buckets, W]


def _step_lookup(bucket, n, weight, folded, ends, pad) -> tuple[np.ndarray, np.ndarray]:
    """``count`` and ``ends`` of a :class:`StepLookup` of ``n`` buckets: each end, in its
    ``bucket``, adds ``weight`` to the count of every later bucket and, if ``folded`` (it
    lies at or below every value of its bucket), of its own; otherwise it joins its
    bucket's ``ends``."""
    count = np.zeros(n + 1, np.int64)
    np.add.at(count, bucket + 1 - folded, weight)
    count = np.cumsum(count)[:n]
    if count.max(initial=0) > np.iinfo(np.int16).max:
        raise ValueError("too many versions or kW band ends for the kernel's lookups")
    inside = [ends[(bucket == b) & ~folded] for b in range(n)]
    table = np.full((n, max(map(len, inside), default=0)), pad, dtype=ends.dtype)
    for b, e in enumerate(inside):
        table[b, : len(e)] = e
    return count.astype(np.int16), table


def day_lookup(points: np.ndarray) -> StepLookup:
    """The period of a day: how many of the sorted ``points`` (days) are on or before it.

    Buckets of ``2**shift`` days from the day before the first point, the shift as small
    as :data:`MAX_BUCKETS` allows (0 for the shipped schemes: one bucket per day, and no
    comparison at all). Points after the last int32 day are never reached and left out."""
    points = points[points <= np.iinfo(np.int32).max].astype(np.int64)
    if len(points) == 0:
        return StepLookup(np.zeros(2, np.int64), np.zeros(1, np.int16), np.zeros((1, 0), np.int64))
    lo, shift = points[0] - 1, 0
    while ((points[-1] - lo) >> shift) + 1 > MAX_BUCKETS:
        shift += 1
    bucket = (points - lo) >> shift
    folded = (bucket >= 1) & ((points - lo) & ((1 << shift) - 1) == 0)  # on the first day
    n = int(bucket[-1]) + 1
    count, ends = _step_lookup(bucket, n, 1, folded, points, _NO_DAY)
    return StepLookup(np.array([lo, shift], np.int64), count, ends)


def _kw_key(x: np.ndarray, shift: int) -> np.ndarray:
    # a double's bits as an integer grow with it (all negatives fall below zero); + 0.0
    # makes -0.0 the +0.0 it equals
    return (x.astype(np.float64) + 0.0).view(np.int64) >> shift


def kw_lookup(points: np.ndarray) -> StepLookup:
    """The kW band of :func:`kw_bands` (``points``: finite band ends, ascending): twice the
    number of ends below a kW, plus one if it is one.

    The key of a kW is its bits shifted right, which keeps its exponent and the first
    ``52 - shift`` bits of its mantissa; the least mantissa bits that leave at most one end
    per bucket, if :data:`MAX_BUCKETS` allows (buckets from the smallest positive end's to
    the largest end's; below and above them the first and last bucket)."""
    points = np.asarray(points, np.float64)
    pos = points[points > 0]
    best = None
    for mantissa in range(24):
        shift = 52 - mantissa
        lo = int(_kw_key(pos[:1], shift)[0]) - 1 if len(pos) else 0
        n = int(_kw_key(pos[-1:], shift)[0]) - lo + 1 if len(pos) else 1
        if n > MAX_BUCKETS and best is not None:
            break
        bucket = np.clip(_kw_key(points, shift) - lo, 0, n - 1)
        most = int(np.bincount(bucket, minlength=1).max()) if len(points) else 0
        best = (shift, lo, n, bucket)
        if most <= 1 or not len(pos):
            break
    shift, lo, n, bucket = best
    count, ends = _step_lookup(bucket, n, 2, np.zeros(len(points), bool), points, np.nan)
    return StepLookup(np.array([lo, shift], np.int64), count, ends)


@kernel(inline=True)
def day_period(base, count, ends, d):
    """The period of day ``d`` (see :func:`day_lookup`)."""
    b = min(max((np.int64(d) - base[0]) >> base[1], 0), count.shape[0] - 1)
    p = np.int64(count[b])
    for j in range(ends.shape[1]):  # the same number of times for every line
        p += np.int64(ends[b, j] <= d)
    return p


@kernel(inline=True)
def kw_band(base, count, ends, x):
    """The band of ``x`` [kW] (see :func:`kw_lookup` and :func:`kw_bands`); 0 for NaN.
    Comparisons counted, not branched on, as kWs vary at random from line to line."""
    key = np.float64(x + 0.0).view(np.int64) >> base[1]  # -0.0 as +0.0 (see _kw_key)
    b = min(max(key - base[0], 0), count.shape[0] - 1)
    band = np.int64(count[b])
    for j in range(ends.shape[1]):  # the same number of times for every line
        band += np.int64(ends[b, j] < x) + np.int64(ends[b, j] <= x)
    return band if x == x else 0


def outcome_tables(a: SchemeArrays) -> OutcomeTables:
    """Resolve every component's checks (module doc) once per combination of version,
    region class, type, kind, trade-in, grade and kW band, in the same order as a line."""
    n_c, n_k, n_t = a.sc_ok.shape
    n_g = a.cell_grades.shape[1]
    regions, region_class = np.unique(
        np.concatenate([a.app_regions.T, a.el_regions.T], axis=1), axis=0, return_inverse=True
    )
    rc_app, rc_el = regions[:, :n_c].T, regions[:, n_c:].T  # [C, region class]
    ends = np.concatenate([a.sc_bounds[a.sc_ok].ravel(), a.cell_bounds.ravel()])
    points = np.unique(ends[np.isfinite(ends)])
    reps = kw_bands(points)
    n_v = int((a.scheme_vrange[:, 1] - a.scheme_vrange[:, 0]).max(initial=0)) + 1
    dims = (len(regions), n_t, n_k, 2, n_g, len(reps))
    r, t, k, tr, g, x = (
        np.arange(n).reshape([-1 if d == i else 1 for d in range(len(dims))])
        for i, n in enumerate(dims)
    )
    x = reps[x]
    fen = np.concatenate([[-1], a.cell_fen])  # cell + 1: -1 (no rate) where no cell
    code = np.full((n_c, n_v, *dims), _NA, np.uint8)
    cell = np.full((n_c, n_v, *dims), -1, np.int32)
    for c in range(n_c):
        first, last = a.scheme_vrange[a.comp_scheme[c]]
        applies = (
            a.app_kinds[c][k] & a.app_types[c][t] & rc_app[c][r]
            & ((a.app_trade[c] < 0) | (a.app_trade[c] == tr))
        )  # fmt: skip
        ok_t = a.sc_ok[c][k, t]
        inside = _inside_np(x, *(a.sc_bounds[c][k, t, e] for e in (0, 1)),
                            *(a.sc_closed[c][k, t, e] for e in (0, 1)))  # fmt: skip
        worst = a.sc_worst[c][k, t]
        checks = (
            (~applies, _NA),
            (None, _OUTSIDE_WINDOW),  # version 0: none in force
            (~rc_el[c][r], _REGION),
            (a.el_trade[c] & (tr == 0), _NO_TRADE_IN),
            (~a.sc_ok[c].any(axis=1)[k], np.where(k == 1, _REMAN, _KIND)),
            (~ok_t, _TYPE),
            (~inside, _SCOPE_KW),
            ((worst > 0) & ((g == 0) | (g > worst)), _GRADE),
        )
        for vl in range(min(n_v, last - first + 1)):
            v = first + vl - 1
            found = np.full(dims, -1, np.int64)
            for ti in range(n_t if vl else 0):
                for j in range(*a.cell_range[v, c, ti]):
                    hit = (
                        (found < 0)
                        & (t == ti)
                        & a.cell_grades[j][g]
                        & _inside_np(x, *a.cell_bounds[j], *a.cell_closed[j])
                    )
                    found = np.where(hit, j, found)
            outcome = np.where(fen[found + 1] >= 0, PAID, _NO_RATE)
            for cond, what in reversed(checks):
                cond = (vl == 0) if cond is None else cond
                outcome = np.where(cond, what, outcome)
            code[c, vl] = outcome
            cell[c, vl] = np.where((outcome == PAID) | (outcome == _NO_RATE), found, -1)
    rate = np.where(code == PAID, fen[cell + 1], 0).astype(np.int64)
    if rate.max(initial=0) >= 1 << 31 or len(a.cell_fen) >= (1 << 24) - 1:
        raise ValueError("a rate or the number of rate cells is too large to pack")
    entry = rate << 32 | (cell.astype(np.int64) + 1) << 8 | code
    # codes 1 + a Reason carry its bit; PAID and NOT_APPLICABLE none
    code_bit = np.array([1 << (v - 1) if 1 <= v <= 32 else 0 for v in range(256)], np.uint32)
    stride = int(np.prod(dims))
    day_points, period_version, period_offset = _periods(a, n_v, stride)
    # per period, each combination's entries of every component side by side
    entry = entry.ravel()[period_offset[:, None, :] + np.arange(stride)[None, :, None]]
    return OutcomeTables(
        a.comp_basis, *day_lookup(day_points), period_version,
        region_class.astype(np.int64).reshape(-1), *kw_lookup(points),
        np.array([len(period_version), *dims[:3], n_g, len(reps)], np.int64), entry.ravel(),
        code_bit, tuple(range(n_c)), tuple(range(period_version.shape[1])),
    )  # fmt: skip


def _periods(a: SchemeArrays, n_v: int, stride: int):
    """The days on which some version starts or has ended, and per period between them
    (period ``p``: ``p`` of those days have come) each scheme's version and where each
    component's entries for it start."""
    days = a.ver_days.astype(np.int64)
    points = np.unique(np.concatenate([days[:, 0], days[:, 1] + 1]))
    first_day = np.concatenate([[points[0] - 1 if len(points) else 0], points])
    n_s, n_c = len(a.scheme_vrange), len(a.comp_scheme)
    version = np.full((len(first_day), n_s), -1, np.int16)
    offset = np.zeros((len(first_day), n_c), np.int64)
    for p, d in enumerate(first_day):
        for s, (lo, hi) in enumerate(a.scheme_vrange):
            for v in range(lo, hi):
                if days[v, 0] <= d <= days[v, 1]:
                    version[p, s] = v
        for c, s in enumerate(a.comp_scheme):
            v = version[p, s]
            offset[p, c] = (c * n_v + (v - a.scheme_vrange[s, 0] + 1 if v >= 0 else 0)) * stride
    return points, version, offset


@kernel(chunk=True)
def _subsidy_kernel(start, stop, rec, tab, out_fen, out_code, out_cell, out_version, out_reasons):
    """Fill the arrays of a :class:`SubsidyResult` for the lines ``start:stop`` of ``rec``
    (:class:`SubsidyColumns`) from the schemes' :class:`OutcomeTables` ``tab``.

    Serial (a ``chunk`` kernel of :func:`motorsub._jit.kernel`), run on every core by
    :func:`motorsub._jit.in_threads`: compiled as one function, not as numba's parallel
    loop, whose body takes the table's counts of components and schemes as variables
    and so cannot unroll the loops over them. The outputs come as separate arrays, as
    for a parallel loop (``tests/test_kernels_write.py``).
    """
    day, region, mtype, kind, grade, trade_in, kw, qty, old_kw, old_qty = rec
    n_s, n_c = len(tab.per_scheme), len(tab.per_component)  # constants once compiled
    # the step of each of the entries' indices: band, grade, trade-in, kind, type, region
    # class, period (added up per line, not multiplied in turn: a shorter chain)
    s_g = tab.dims[5]
    s_tr = s_g * tab.dims[4]
    s_k = s_tr * 2
    s_t = s_k * tab.dims[3]
    s_r = s_t * tab.dims[2]
    s_p = s_r * tab.dims[1]
    for i in range(np.uint64(start), np.uint64(stop)):  # unsigned: no negative-index fix-up
        # the period and the kW band: a bucket, then comparisons counted, no jump
        # (dates and kWs vary at random from line to line)
        d, x = day[i], kw[i]
        # read whether paid or not: a read only when paid comes late and misses the
        # cache (one line in a few is paid, so every cache line of these is read anyway)
        units, old_x, old_units = qty[i], old_kw[i], old_qty[i]
        p = day_period(tab.day_base, tab.day_count, tab.day_ends, d)
        for s in range(n_s):
            out_version[s, i] = tab.period_version[p, s]
        at = (
            p * s_p + tab.region_class[region[i]] * s_r + np.int64(mtype[i]) * s_t
            + np.int64(kind[i]) * s_k + np.int64(trade_in[i]) * s_tr + np.int64(grade[i]) * s_g
            + kw_band(tab.kw_base, tab.kw_count, tab.kw_ends, x)
        ) * n_c  # fmt: skip
        bits = np.uint32(0)
        for c in range(n_c):
            # unsigned: reads need no negative-index fix-up
            e = tab.entry[np.uint64(at + c)]
            code, rate = np.uint8(e & 255), e >> 32
            fen = 0
            if rate > 0:  # a jump: cheaper than an amount per component (measured)
                if tab.comp_basis[c] == 0:
                    fen = _paid_fen(rate, x, units)
                else:
                    fen = _paid_fen(rate, old_x, old_units)
            out_fen[c, i] = fen
            out_code[c, i] = code
            out_cell[c, i] = np.int32(((e >> 8) & 0xFFFFFF) - 1)
            bits |= tab.code_bit[np.uint64(code)]
        out_reasons[i] = bits


class SubsidyResult(NamedTuple):
    """Per line and component: amount [fen], outcome code, rate cell; per scheme: version."""

    fen: np.ndarray  # int64 [n_components, n]
    code: np.ndarray  # uint8 [n_components, n]
    cell: np.ndarray  # int32 [n_components, n], -1 where no cell
    version: np.ndarray  # int16 [n_schemes, n], global version index or -1
    reasons: np.ndarray  # uint32 [n]

    @property
    def total_fen(self) -> np.ndarray:
        return self.fen.sum(axis=0)


def empty_subsidies(compiled: CompiledSchemes, n: int) -> SubsidyResult:
    """Output arrays for ``n`` lines, for :func:`subsidies` to fill."""
    n_c, n_s = compiled.n_components, compiled.n_schemes
    return SubsidyResult(
        fen=np.empty((n_c, n), dtype=np.int64),
        code=np.empty((n_c, n), dtype=np.uint8),
        cell=np.empty((n_c, n), dtype=np.int32),
        version=np.empty((n_s, n), dtype=np.int16),
        reasons=np.empty(n, dtype=np.uint32),
    )


def prefix(buffers: SubsidyResult, n: int) -> SubsidyResult:
    """Buffers for the first ``n`` lines, each a C-contiguous array (as the kernel takes):
    a [k, capacity] buffer gives its first ``k * n`` elements as [k, n]."""

    def first(a: np.ndarray) -> np.ndarray:
        return a.reshape(-1)[: a.shape[0] * n].reshape(a.shape[0], n) if a.ndim == 2 else a[:n]

    return SubsidyResult(*(first(a) for a in buffers))


def subsidies(
    compiled: CompiledSchemes, cols: dict[str, np.ndarray], out: SubsidyResult | None = None
) -> SubsidyResult:
    """Run the subsidy kernel over validated columns (see :mod:`motorsub.engine.records`).

    Parameters
    ----------
    compiled : CompiledSchemes
        From ``SchemeSet.compiled``.
    cols : dict of arrays
        ``day`` (int32, days since 1970-01-01), ``region`` (int16 code), ``motor_type``,
        ``kind``, ``grade`` (int8; grade 0 = not given), ``trade_in`` (bool), ``kw`` [kW],
        ``qty``, ``old_kw`` [kW, NaN if none], ``old_qty``.
    out : SubsidyResult, optional
        Buffers to write into (from :func:`empty_subsidies`, for at least as many lines);
        the result then lives in them. ``compute`` reuses buffers from batch to batch
        (:class:`motorsub.engine.batch.Scratch`), which spares the page faults of fresh memory.
    """
    n = len(cols["day"])
    out = empty_subsidies(compiled, n) if out is None else prefix(out, n)
    in_threads(_subsidy_kernel, n, columns(cols), compiled.tables, *out)
    return out


#: The one type of each column the kernel is compiled for (see :func:`columns`).
COLUMN_TYPES = SubsidyColumns(
    np.int32, np.int16, np.int8, np.int8, np.int8, np.bool_, np.float64, np.int64,
    np.float64, np.int64,
)  # fmt: skip


def columns(cols: dict[str, np.ndarray]) -> SubsidyColumns:
    """The subsidy kernel's record columns, by name from validated columns, each contiguous
    and of its :data:`COLUMN_TYPES` type (a copy only where it is not already), so that
    numba compiles the kernel for one signature (read-only views, as Arrow's are)."""
    return SubsidyColumns(
        *(
            read_only(np.ascontiguousarray(cols[k], t))
            for k, t in zip(SubsidyColumns._fields, COLUMN_TYPES)
        )
    )


def compiled_schemes(schemes: SchemeSet) -> CompiledSchemes:
    """The kernel arrays of ``schemes``, compiled once per :class:`SchemeSet` and kept on it."""
    found = schemes.__dict__.get("_compiled")
    if found is None:
        found = compile_schemes(schemes)
        schemes.__dict__["_compiled"] = found  # a frozen dataclass: its cache slot
    return found
