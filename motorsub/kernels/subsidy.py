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
from motorsub._jit import kernel, prange
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
    return CompiledSchemes(
        schemes,
        SchemeArrays(*(np.ascontiguousarray(a) for a in arrays)),
        versions,
        tuple(cells),
    )


@kernel(inline=True)
def _inside(x, lo, hi, lo_closed, hi_closed):
    above = x >= lo if lo_closed else x > lo
    below = x <= hi if hi_closed else x < hi
    return above and below


@kernel(inline=True)
def _amount_fen(rate_fen, basis_kw, units):
    """rate [fen/kW] × basis [kW, read to 1e-6] × units, rounded half-up to the fen.

    The basis is read to 1e-6 kW half-up *as written in decimal*: a value whose seventh
    decimal is a 5 (258.3383335) is stored as a double a hair below or above the tie, so a
    distance to the tie within a few units in the last place counts as the tie.
    """
    x = basis_kw * MICRO
    whole_micro = np.floor(x)
    tie = 0.5 - TIE_ULPS * EPSILON * x
    basis_micro = np.int64(whole_micro) + (1 if x - whole_micro >= tie else 0)
    per_unit = rate_fen * basis_micro  # micro-fen; < 2**63 for accepted lines
    whole, frac = per_unit // MICRO, per_unit % MICRO
    rest = frac * units
    return whole * units + rest // MICRO + (1 if rest % MICRO >= MICRO // 2 else 0)


@kernel(parallel=True)
def _subsidy_kernel(rec, sch, out_fen, out_code, out_cell, out_version, out_reasons):
    """Fill the arrays of a :class:`SubsidyResult` for the lines of ``rec``
    (:class:`SubsidyColumns`) under the schemes ``sch`` (:class:`SchemeArrays`).

    The outputs come as separate arrays, not as the NamedTuple: a parallel loop that
    writes into an array taken out of a tuple argument writes nowhere (numba 0.68;
    ``tests/test_kernels_write.py`` holds the case), while reading works.
    """
    day, region, mtype, kind, grade, trade_in, kw, qty, old_kw, old_qty = rec
    (
        comp_scheme, comp_basis, app_kinds, app_types, app_regions, app_trade, el_regions,
        el_trade, sc_ok, sc_bounds, sc_closed, sc_worst, ver_days, scheme_vrange,
        cell_range, cell_bounds, cell_closed, cell_grades, cell_fen,
    ) = sch  # fmt: skip
    n_s = scheme_vrange.shape[0]
    n_c = comp_scheme.shape[0]
    for i in prange(day.shape[0]):
        d = day[i]
        for s in range(n_s):
            # versions of a scheme never overlap (schemes.py): a select per version, no
            # jump, as sale dates vary at random from line to line
            ver = -1
            for v in range(scheme_vrange[s, 0], scheme_vrange[s, 1]):
                ver = v if (ver_days[v, 0] <= d) & (d <= ver_days[v, 1]) else ver
            out_version[s, i] = ver
        bits = np.uint32(0)
        kind_i, type_i, grade_i = kind[i], mtype[i], grade[i]
        for c in range(n_c):
            out_fen[c, i] = 0
            out_cell[c, i] = -1
            code = PAID
            v = out_version[comp_scheme[c], i]
            if not (
                app_kinds[c, kind_i]
                and app_types[c, type_i]
                and app_regions[c, region[i]]
                and (app_trade[c] < 0 or app_trade[c] == trade_in[i])
            ):
                code = _NA
            elif v < 0:
                code = _OUTSIDE_WINDOW
            elif not el_regions[c, region[i]]:
                code = _REGION
            elif el_trade[c] and not trade_in[i]:
                code = _NO_TRADE_IN
            elif not (sc_ok[c, kind_i, 0] or sc_ok[c, kind_i, 1] or sc_ok[c, kind_i, 2]):
                code = _REMAN if kind_i == 1 else _KIND
            elif not sc_ok[c, kind_i, type_i]:
                code = _TYPE
            elif not _inside(
                kw[i],
                sc_bounds[c, kind_i, type_i, 0],
                sc_bounds[c, kind_i, type_i, 1],
                sc_closed[c, kind_i, type_i, 0],
                sc_closed[c, kind_i, type_i, 1],
            ):
                code = _SCOPE_KW
            elif sc_worst[c, kind_i, type_i] > 0 and (
                grade_i == 0 or grade_i > sc_worst[c, kind_i, type_i]
            ):
                code = _GRADE
            else:
                code = _NO_RATE
                for j in range(cell_range[v, c, type_i, 0], cell_range[v, c, type_i, 1]):
                    if cell_grades[j, grade_i] and _inside(
                        kw[i],
                        cell_bounds[j, 0],
                        cell_bounds[j, 1],
                        cell_closed[j, 0],
                        cell_closed[j, 1],
                    ):
                        out_cell[c, i] = j
                        if cell_fen[j] >= 0:
                            code = PAID
                            if comp_basis[c] == 0:
                                out_fen[c, i] = _amount_fen(cell_fen[j], kw[i], qty[i])
                            else:
                                out_fen[c, i] = _amount_fen(cell_fen[j], old_kw[i], old_qty[i])
                        break
            out_code[c, i] = code
            if code != PAID and code != _NA:
                bits |= np.uint32(1) << np.uint32(code - 1)
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
    _subsidy_kernel(columns(cols), compiled.arrays, *out)
    return out


def columns(cols: dict[str, np.ndarray]) -> SubsidyColumns:
    """The subsidy kernel's record columns, by name from validated columns."""
    return SubsidyColumns(*(cols[k] for k in SubsidyColumns._fields))


def compiled_schemes(schemes: SchemeSet) -> CompiledSchemes:
    """The kernel arrays of ``schemes``, compiled once per :class:`SchemeSet` and kept on it."""
    found = schemes.__dict__.get("_compiled")
    if found is None:
        found = compile_schemes(schemes)
        schemes.__dict__["_compiled"] = found  # a frozen dataclass: its cache slot
    return found
