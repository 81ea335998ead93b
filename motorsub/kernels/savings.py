"""Energy savings of every line: efficiencies with their origin, kWh, tce and CO2 per year.

::

    kwh_per_year  = qty × kw × load × hours × (1/η_old − 1/η_new)
    tce_per_year  = kwh_per_year × coal factor [kgce/kWh] / 1000
    tco2_per_year = kwh_per_year × grid factor [kgCO2/kWh] / 1000

η_new is the declared ``efficiency``, else the minimum of the claimed ``grade`` under the
GB 18613 edition in force at ``sale_date`` (``lv_async`` only: GB 18613 covers low-voltage
asynchronous motors). η_old, for a trade-in, is the declared ``old_efficiency``, else the
old series' catalogue baseline at (``old_poles``, ``old_kw``), else the profile's default
baseline series; without a trade-in it is the minimum allowed at ``sale_date`` (grade 3
of the edition in force). With part load on, both efficiencies are taken at their
actual load (the old motors' load is ``qty × kw × load / (old_qty × old_kw)``) through the
US DOE AMO part-load ratio of their class. Savings may be negative and are reported
signed; every assumed value is flagged on the line (:class:`motorsub.reasons.Reason`).

References
----------
GB 18613-2006/2012/2020; IEC 60034-30-1:2014; GB/T 2589-2008 (coal equivalent);
US DOE AMO MotorMaster+/MEASUR part-load model.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from motorsub import _jit, vocab
from motorsub._jit import kernel, read_only
from motorsub.model.profile import Settings
from motorsub.physics import efficiency as ef
from motorsub.physics import partload as pl
from motorsub.reasons import Reason

SOURCES = vocab.ETA_SOURCES  # where an efficiency came from
_UNKNOWN, _DECLARED, _GRADE_MIN, _SERIES, _DEFAULT, _MIN_ALLOWED = range(len(SOURCES))

_LV = vocab.MOTOR_TYPES.index("lv_async")
_B = {r.name: np.uint32(1) << np.uint32(r) for r in Reason}
_ASSUMED_POLES, _DEFAULT_HOURS, _DEFAULT_LOAD = (
    _B["ASSUMED_POLES"],
    _B["DEFAULT_HOURS"],
    _B["DEFAULT_LOAD"],
)
_ASSUMED_NEW, _ASSUMED_OLD, _NEGATIVE = (
    _B["ASSUMED_ETA_NEW"],
    _B["ASSUMED_ETA_OLD"],
    _B["NEGATIVE_SAVINGS"],
)
_UNVERIFIED, _UNKNOWN_ETA, _BELOW = (
    _B["UNVERIFIED_ETA"],
    _B["UNKNOWN_ETA"],
    _B["EFFICIENCY_BELOW_GRADE"],
)
_NO_HOURS, _NO_LOAD = _B["NO_HOURS"], _B["NO_LOAD"]
_NONE = np.uint32(0)
_F_DOUBT = np.uint8(ef.EtaFlag.UNVERIFIED | ef.EtaFlag.INTERPOLATED_MIDPOINT)
_PREMIUM, _ENERGY_EFFICIENT, _STANDARD = (
    pl.PARTLOAD_CLASSES.index("PREMIUM"),
    pl.PARTLOAD_CLASSES.index("ENERGY_EFFICIENT"),
    pl.PARTLOAD_CLASSES.index("STANDARD"),
)
_MIN_RPM = 600.0  # below this a nameplate speed is not trusted [r/min]
_GRID_HZ = 50.0  # China's grid frequency: synchronous speed 120 f / poles [r/min]


@kernel(inline=True)
def _poles_from_speed(speed):
    """Poles whose 50 Hz synchronous speed is the smallest one >= the nameplate speed.

    Branch-free (selects, not jumps): pole counts vary at random from line to line.
    """
    # synchronous speed falls as poles rise: the last fit wins (written out: a loop over
    # a tuple would index it at run time, which numba compiles to a jump table)
    poles = 2 if speed <= 120.0 * _GRID_HZ / 2 else 0
    poles = 4 if speed <= 120.0 * _GRID_HZ / 4 else poles
    poles = 6 if speed <= 120.0 * _GRID_HZ / 6 else poles
    poles = 8 if speed <= 120.0 * _GRID_HZ / 8 else poles
    return poles * np.int64(speed >= _MIN_RPM)  # 0 if not trusted (a product: no jump)


@kernel(inline=True)
def _edition(day, first_day, last_day):
    """GB 18613 edition in force on ``day``, or -1 (branch-free: days are random)."""
    e = -1
    for k in range(first_day.shape[0]):
        e = k if (first_day[k] <= day) & (day <= last_day[k]) else e
    return e


@kernel(chunk=True)
def _scan(s, poles, kw, u, sl, tab):
    """One lookup of a line with a kW between ratings, where a motor is at no rating
    (``u`` < 0) and the table must be scanned: :func:`motorsub.physics.efficiency.lookup_at`.

    A real call, made by :func:`_savings_kernel` for the few lines that need it, so that
    the scan's code and registers stay out of its loop, and compiled once, not once per
    call site. Compiled as its caller is (``chunk``), so that the call counts no
    references.
    """
    return ef.lookup_at(s, poles, kw, u, sl, tab)


@kernel(chunk=True)
def _savings_kernel(
    start, stop, rec, par, tabs, tab, sl, model,
    eta_new_out, eta_old_out, src_new, src_old, kwh, tce, tco2, reasons_out,
):  # fmt: skip
    """Fill the arrays of a :class:`SavingsResult` for the lines ``start:stop`` of ``rec``
    (:class:`SavingsColumns`) under the settings ``par`` (:class:`SavingsParams`), with
    the efficiency tables ``tabs`` (:class:`EtaTables`), ``tab`` and ``sl``
    (:mod:`motorsub.physics.efficiency`) and the part-load ``model`` (or None).

    Serial (a ``chunk`` kernel of :func:`motorsub._jit.kernel`): :func:`savings` runs it
    on every core with :func:`motorsub._jit.in_threads`, which compiles in a fraction of
    the time numba's parallel loop takes for a body this large.
    """
    (
        day, mtype, grade, poles_in, speed, kw, qty, eff, trade_in, old_kw, old_qty,
        old_eff, old_series, old_poles_in, hours_in, load_in, region,
    ) = rec  # fmt: skip
    default_hours, default_load, assumed_poles, default_series, coal_t, grid_t = par
    first_day, last_day, series_base, ie_base = tabs
    # Part load is on when ``model`` is given; ``model is not None`` is then decided when
    # the kernel is compiled (numba prunes branches on None arguments), so the rated
    # kernel carries none of the part-load code.
    #
    # Every input is read up front, whether the line needs it or not: choices below
    # are then selects between values in registers, never jumps around a load.
    # Which of them applies varies at random from line to line, and a mispredicted
    # jump costs more than computing both arms.
    for i in range(np.uint64(start), np.uint64(stop)):  # unsigned: no negative-index fix-up
        kw_i, grade_i, trade = kw[i], grade[i], trade_in[i]
        eff_i, old_eff_i, old_kw_i = eff[i], old_eff[i], old_kw[i]
        poles_i, old_poles_i, old_series_i = poles_in[i], old_poles_in[i], old_series[i]
        hours_i, load_i = hours_in[i], load_in[i]
        # poles: given, else from the speed, else assumed; in products, not jumps (LLVM
        # compiles the plain selects to jumps here, and which holds is random by line)
        given = np.int64(poles_i > 0)
        p = given * poles_i + (1 - given) * _poles_from_speed(speed[i])
        assumed = np.int64(p == 0)
        p += assumed * assumed_poles
        r = np.uint32(assumed) * _ASSUMED_POLES
        e = _edition(day[i], first_day, last_day)
        lv = mtype[i] == _LV
        op = (old_poles_i if old_poles_i > 0 else p) if trade else p
        o_kw = old_kw_i if trade else kw_i
        u_new, u_old = ef.rating_index(tab, kw_i), ef.rating_index(tab, o_kw)
        # the table lookups this line needs: 0 the grade's minimum, 1 the old motor's
        # baseline (or the minimum allowed), 2 its fallback, then (part load) IE3 and IE2
        # at the new and at the old motor's rating, to class them
        series_wanted = trade & (old_eff_i != old_eff_i)
        s0 = 3 * e + grade_i - 1 if lv & (grade_i > 0) & (e >= 0) else -1
        minimum_allowed = 3 * e + 2 if lv & (e >= 0) else -1
        series = series_base + old_series_i if old_series_i >= 0 else -1
        s1 = (series if series_wanted else -1) if trade else minimum_allowed
        s2 = series_base + default_series if series_wanted & (default_series >= 0) else -1
        # every slot of the new motor shares one cell of the dense tables, every slot of
        # the old motor another
        c_new, between_new = ef.dense_cell(tab, p, kw_i, u_new)
        c_old, between_old = ef.dense_cell(tab, op, o_kw, u_old)
        g_eta, g_flag = ef.lookup_cell(sl, s0, c_new)
        o_eta, o_flag = ef.lookup_cell(sl, s1, c_old)
        fallback, f_flag = ef.lookup_cell(sl, s2, c_old)
        ie3_new = ie2_new = ie3_old = ie2_old = np.nan
        if model is not None:
            ie3_new, _ = ef.lookup_cell(sl, ie_base + 2, c_new)
            ie2_new, _ = ef.lookup_cell(sl, ie_base + 1, c_new)
            ie3_old, _ = ef.lookup_cell(sl, ie_base + 2, c_old)
            ie2_old, _ = ef.lookup_cell(sl, ie_base + 1, c_old)
            scan = between_new | between_old
        else:
            scan = (between_new & (s0 >= 0)) | (between_old & ((s1 >= 0) | (s2 >= 0)))
        if scan:
            # a kW between ratings (rare): scan the tables, in real calls
            g_eta, g_flag = _scan(s0, p, kw_i, u_new, sl, tab)
            o_eta, o_flag = _scan(s1, op, o_kw, u_old, sl, tab)
            fallback, f_flag = _scan(s2, op, o_kw, u_old, sl, tab)
            if model is not None:
                ie3_new = _scan(ie_base + 2, p, kw_i, u_new, sl, tab)[0]
                ie2_new = _scan(ie_base + 1, p, kw_i, u_new, sl, tab)[0]
                ie3_old = _scan(ie_base + 2, op, o_kw, u_old, sl, tab)[0]
                ie2_old = _scan(ie_base + 1, op, o_kw, u_old, sl, tab)[0]
        # Below, flags and choices are selects, not jumps: which of them applies varies
        # at random from line to line, and a mispredicted jump costs more than both arms.
        # the new motor: declared, else its grade's minimum
        declared, g_ok = eff_i == eff_i, g_eta == g_eta
        eta_new = eff_i if declared else g_eta
        s_new = _DECLARED if declared else (_GRADE_MIN if g_ok else _UNKNOWN)
        r |= _BELOW if declared & g_ok & (eff_i < g_eta) else _NONE
        r |= _ASSUMED_NEW if (not declared) & g_ok else _NONE
        r |= _UNVERIFIED if (not declared) & g_ok & (g_flag & _F_DOUBT != 0) else _NONE
        # the old motor, or the minimum allowed when nothing is replaced
        old_declared, o_ok, f_ok = old_eff_i == old_eff_i, o_eta == o_eta, fallback == fallback
        traded = old_eff_i if old_declared else (o_eta if o_ok else fallback)
        eta_old = traded if trade else o_eta
        s_traded = (
            _DECLARED if old_declared else (_SERIES if o_ok else (_DEFAULT if f_ok else _UNKNOWN))
        )
        s_old = s_traded if trade else (_MIN_ALLOWED if o_ok else _UNKNOWN)
        o_flag = o_flag if o_ok | (not trade) else f_flag
        assumed_old = (s_old != _DECLARED) & (s_old != _UNKNOWN)
        r |= _ASSUMED_OLD if assumed_old else _NONE
        r |= _UNVERIFIED if assumed_old & (o_flag & _F_DOUBT != 0) else _NONE
        # the operating point
        h_given, ld_given = hours_i == hours_i, load_i == load_i
        h = hours_i if h_given else default_hours
        ld = load_i if ld_given else default_load
        r |= _NONE if h_given else (_DEFAULT_HOURS if h == h else _NO_HOURS)
        r |= _NONE if ld_given else (_DEFAULT_LOAD if ld == ld else _NO_LOAD)
        if model is not None:
            if eta_new == eta_new and eta_old == eta_old and ld == ld:
                for k in range(2):
                    eta, ie3, ie2 = (
                        (eta_new, ie3_new, ie2_new) if k == 0 else (eta_old, ie3_old, ie2_old)
                    )
                    cls = -1
                    if ie3 == ie3 and ie2 == ie2:
                        cls = (
                            _PREMIUM
                            if eta >= ie3
                            else (_ENERGY_EFFICIENT if eta >= ie2 else _STANDARD)
                        )
                    if k == 0:
                        eta_new *= pl.partload_one(cls, p, kw_i, ld, model)
                    else:
                        o_load_share = qty[i] * kw_i / (old_qty[i] * old_kw_i) if trade else 1.0
                        eta_old *= pl.partload_one(cls, op, o_kw, ld * o_load_share, model)
        r |= _UNKNOWN_ETA if (eta_new != eta_new) | (eta_old != eta_old) else _NONE
        eta_new_out[i], eta_old_out[i], src_new[i], src_old[i] = eta_new, eta_old, s_new, s_old
        x = qty[i] * kw_i * ld * h * (100.0 / eta_old - 100.0 / eta_new)
        r |= _NEGATIVE if x < 0 else _NONE
        kwh[i] = x
        tce[i] = x * coal_t
        tco2[i] = x * grid_t[np.uint64(region[i])]  # unsigned: no negative-index fix-up
        reasons_out[i] = r


class SavingsColumns(NamedTuple):
    """The validated record columns the savings kernel reads, one entry per line."""

    day: np.ndarray  # int32 days since 1970-01-01
    motor_type: np.ndarray  # int8 code
    grade: np.ndarray  # int8; 0 = not given
    poles: np.ndarray  # int8; 0 = not given
    speed_rpm: np.ndarray  # float64 [r/min], NaN if none
    kw: np.ndarray  # float64 [kW]
    qty: np.ndarray  # int64
    efficiency: np.ndarray  # float64 [%], NaN if none
    trade_in: np.ndarray  # bool
    old_kw: np.ndarray  # float64 [kW], NaN if none
    old_qty: np.ndarray  # int64
    old_efficiency: np.ndarray  # float64 [%], NaN if none
    old_series: np.ndarray  # int8 index into vocab.BASELINE_SERIES, -1 if none
    old_poles: np.ndarray  # int8; 0 = not given
    hours: np.ndarray  # float64 [h/yr], NaN if none
    load: np.ndarray  # float64 [fraction of rating], NaN if none
    region: np.ndarray  # int16 code


class SavingsParams(NamedTuple):
    """The savings settings as the kernel reads them."""

    hours: float  # default hours [h/yr], NaN if none
    load: float  # default load [fraction], NaN if none
    assumed_poles: int
    old_series: int  # default baseline series (index into vocab.BASELINE_SERIES), -1 if none
    coal_t: float  # coal factor [t/kWh]: the kernel multiplies, never divides
    grid_t: np.ndarray  # grid factor per region [t CO2/kWh], NaN where unknown


class EtaTables(NamedTuple):
    """Where the savings kernel finds the GB 18613 editions and its table slots."""

    first_day: np.ndarray  # int32 [edition]: first day in force
    last_day: np.ndarray  # int32 [edition]: last day in force
    series_base: int  # first slot of the baseline series
    ie_base: int  # first slot of the IE classes


class SavingsResult(NamedTuple):
    """Per line: efficiencies [%] with their origin, and savings per year."""

    eta_new: np.ndarray
    eta_old: np.ndarray
    eta_new_source: np.ndarray  # uint8 index into vocab.ETA_SOURCES
    eta_old_source: np.ndarray
    kwh_per_year: np.ndarray  # [kWh/yr], NaN where unknown
    tce_per_year: np.ndarray  # [t standard coal/yr]
    tco2_per_year: np.ndarray  # [t CO2/yr]
    reasons: np.ndarray  # uint32 Reason bits


def empty_savings(n: int) -> SavingsResult:
    """Output arrays for ``n`` lines, for :func:`savings` to fill."""
    return SavingsResult(
        *(np.empty(n) for _ in range(2)),
        *(np.empty(n, np.uint8) for _ in range(2)),
        *(np.empty(n) for _ in range(3)),
        np.empty(n, np.uint32),
    )


def prefix(buffers: SavingsResult, n: int) -> SavingsResult:
    """Buffers for the first ``n`` lines."""
    return SavingsResult(*(a[:n] for a in buffers))


def savings(
    cols: dict[str, np.ndarray], s: Settings, out: SavingsResult | None = None
) -> SavingsResult:
    """Run the savings kernel over validated columns (see :mod:`motorsub.engine.records`).

    Parameters
    ----------
    cols : dict of arrays
        As from :meth:`motorsub.engine.records.Records.take`.
    s : Settings
        From :func:`motorsub.model.profile.settings`.
    out : SavingsResult, optional
        Arrays to write into (from :func:`empty_savings`, at least as long as the
        columns); the result is then views of them. ``compute`` reuses buffers from
        batch to batch (:class:`motorsub.engine.batch.Scratch`), which spares the page faults
        of fresh memory.
    """
    n = len(cols["day"])
    out = empty_savings(n) if out is None else prefix(out, n)
    _jit.in_threads(_savings_kernel, n, *kernel_inputs(cols, s), *out)
    return out


@functools.cache
def _slot_tables() -> tuple:
    """The kernel's :class:`motorsub.physics.efficiency.Slots`: GB 18613 (edition, grade) slots,
    then baseline series, then IE classes; and the first series and IE slots."""
    t = ef._tables()
    series_table = [t.table_index[x] for x in vocab.BASELINE_SERIES]
    ie_table = [t.table_index[c.name] for c in ef.IEClass]
    slot_table = np.array([*t.edition_table, *series_table, *ie_table], np.int64)
    slot_flag = np.concatenate(
        [t.edition_flag, np.zeros(len(series_table) + len(ie_table), np.uint8)]
    )
    series_base = len(t.edition_table)
    ie_base = series_base + len(series_table)
    return series_base, ie_base, ef.slots(t.lookup, slot_table, slot_flag)


def kernel_inputs(cols: dict[str, np.ndarray], s: Settings) -> tuple:
    """The savings kernel's inputs before its output: columns, settings, tables, and the
    part-load model (None when part load is off)."""
    t = ef._tables()
    series_base, ie_base, sl = _slot_tables()
    rec = SavingsColumns(*(read_only(cols[k]) for k in SavingsColumns._fields))
    # factors in tonnes per kWh: the kernel multiplies, never divides
    par = SavingsParams(
        s.hours, s.load, s.assumed_poles, s.old_series,
        s.coal_kgce_per_kwh / 1000.0, s.grid_by_region / 1000.0,
    )  # fmt: skip
    tabs = EtaTables(t.first_day, t.last_day, series_base, ie_base)
    # numba prunes ``model is not None`` when it compiles the kernel for a None argument
    model = pl.model() if s.part_load else None
    return rec, par, tabs, t.lookup, sl, model
