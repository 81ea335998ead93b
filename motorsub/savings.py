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

from dataclasses import dataclass

import numpy as np

from motorsub import efficiency as ef
from motorsub import partload as pl
from motorsub import vocab
from motorsub._jit import kernel, prange
from motorsub.profile import Settings
from motorsub.reasons import Reason

#: Where an efficiency came from (``eta_new_source`` / ``eta_old_source`` columns).
SOURCES = (
    "",
    "declared",
    "grade_minimum",
    "series_baseline",
    "default_baseline",
    "minimum_allowed",
)
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
    """Poles whose 50 Hz synchronous speed is the smallest one >= the nameplate speed."""
    if not speed >= _MIN_RPM:
        return 0
    for poles in (8, 6, 4, 2):
        if speed <= 120.0 * _GRID_HZ / poles:
            return poles
    return 0


@kernel(inline=True)
def _edition(day, first_day, last_day):
    for e in range(first_day.shape[0]):
        if first_day[e] <= day <= last_day[e]:
            return e
    return -1


@kernel(parallel=True)
def _savings_kernel(
    day, mtype, grade, poles_in, speed, kw, qty, eff, trade_in, old_kw, old_qty, old_eff,
    old_series, old_poles_in, hours_in, load_in, region,
    default_hours, default_load, assumed_poles, default_series, part_load, coal, grid,
    first_day, last_day, slot_table, slot_flag, series_base, ie_base, tab, model,
    eta_new_out, eta_old_out, src_new, src_old, kwh, tce, tco2, reasons,
):  # fmt: skip
    for i in prange(day.shape[0]):
        r = np.uint32(0)
        p = poles_in[i] if poles_in[i] > 0 else _poles_from_speed(speed[i])
        if p == 0:
            p, r = assumed_poles, r | _ASSUMED_POLES
        e = _edition(day[i], first_day, last_day)
        lv = mtype[i] == _LV
        op, o_kw, o_load_share = p, kw[i], 1.0
        if trade_in[i]:
            op, o_kw = (old_poles_in[i] if old_poles_in[i] > 0 else p), old_kw[i]
            o_load_share = qty[i] * kw[i] / (old_qty[i] * old_kw[i])
        # the table lookups this line needs, made at one call site (see lookup_one):
        # 0 the grade's minimum, 1 the old motor's baseline, 2 its fallback, then (part
        # load) IE3 and IE2 at the new and at the old motor's rating, for their classes
        g_eta = o_eta = fallback = ie3_new = ie2_new = ie3_old = ie2_old = np.nan
        g_flag = o_flag = f_flag = np.uint8(0)
        for k in range(7 if part_load else 3):
            slot, pk, xk = -1, p, kw[i]
            if k == 0 and lv and grade[i] > 0 and e >= 0:
                slot = 3 * e + grade[i] - 1
            elif k == 1 and trade_in[i] and not old_eff[i] == old_eff[i]:
                slot, pk, xk = (series_base + old_series[i] if old_series[i] >= 0 else -1), op, o_kw
            elif k == 1 and not trade_in[i] and lv and e >= 0:
                slot = 3 * e + 2
            elif k == 2 and trade_in[i] and not old_eff[i] == old_eff[i]:
                slot, pk, xk = (
                    (series_base + default_series if default_series >= 0 else -1),
                    op,
                    o_kw,
                )
            elif k >= 3:
                slot = ie_base + (2 if k % 2 == 1 else 1)  # IE3, IE2
                if k >= 5:
                    pk, xk = op, o_kw
            if slot < 0:
                continue
            eta_k, flag_k = ef.lookup_one(slot, pk, xk, slot_table, slot_flag, tab)
            if k == 0:
                g_eta, g_flag = eta_k, flag_k
            elif k == 1:
                o_eta, o_flag = eta_k, flag_k
            elif k == 2:
                fallback, f_flag = eta_k, flag_k
            elif k == 3:
                ie3_new = eta_k
            elif k == 4:
                ie2_new = eta_k
            elif k == 5:
                ie3_old = eta_k
            else:
                ie2_old = eta_k
        # the new motor: declared, else its grade's minimum
        eta_new, s_new = np.nan, _UNKNOWN
        if eff[i] == eff[i]:
            eta_new, s_new = eff[i], _DECLARED
            if g_eta == g_eta and eff[i] < g_eta:
                r |= _BELOW
        elif g_eta == g_eta:
            eta_new, s_new, r = g_eta, _GRADE_MIN, r | _ASSUMED_NEW
            if g_flag & _F_DOUBT:
                r |= _UNVERIFIED
        # the old motor, or the minimum allowed when nothing is replaced
        eta_old, s_old = np.nan, _UNKNOWN
        if trade_in[i]:
            if old_eff[i] == old_eff[i]:
                eta_old, s_old = old_eff[i], _DECLARED
            elif o_eta == o_eta:
                eta_old, s_old = o_eta, _SERIES
            elif fallback == fallback:
                eta_old, s_old, o_flag = fallback, _DEFAULT, f_flag
        elif o_eta == o_eta:
            eta_old, s_old = o_eta, _MIN_ALLOWED
        if s_old != _DECLARED and s_old != _UNKNOWN:
            r |= _ASSUMED_OLD
            if o_flag & _F_DOUBT:
                r |= _UNVERIFIED
        # the operating point
        h, ld = hours_in[i], load_in[i]
        if h != h:
            h = default_hours
            r |= _DEFAULT_HOURS if h == h else _NO_HOURS
        if ld != ld:
            ld = default_load
            r |= _DEFAULT_LOAD if ld == ld else _NO_LOAD
        if part_load and eta_new == eta_new and eta_old == eta_old and ld == ld:
            for k in range(2):
                eta, ie3, ie2 = (
                    (eta_new, ie3_new, ie2_new) if k == 0 else (eta_old, ie3_old, ie2_old)
                )
                cls = -1
                if ie3 == ie3 and ie2 == ie2:
                    cls = (
                        _PREMIUM if eta >= ie3 else (_ENERGY_EFFICIENT if eta >= ie2 else _STANDARD)
                    )
                if k == 0:
                    eta_new *= pl.partload_one(cls, p, kw[i], ld, model)
                else:
                    eta_old *= pl.partload_one(cls, op, o_kw, ld * o_load_share, model)
        if eta_new != eta_new or eta_old != eta_old:
            r |= _UNKNOWN_ETA
        eta_new_out[i], eta_old_out[i], src_new[i], src_old[i] = eta_new, eta_old, s_new, s_old
        x = qty[i] * kw[i] * ld * h * (100.0 / eta_old - 100.0 / eta_new)
        if x < 0:
            r |= _NEGATIVE
        kwh[i] = x
        tce[i] = x * coal / 1000.0
        tco2[i] = x * grid[region[i]] / 1000.0
        reasons[i] = r


@dataclass
class SavingsResult:
    """Per line: efficiencies [%] with their origin, and savings per year."""

    eta_new: np.ndarray
    eta_old: np.ndarray
    eta_new_source: np.ndarray  # uint8 index into SOURCES
    eta_old_source: np.ndarray
    kwh_per_year: np.ndarray  # [kWh/yr], NaN where unknown
    tce_per_year: np.ndarray  # [t standard coal/yr]
    tco2_per_year: np.ndarray  # [t CO2/yr]
    reasons: np.ndarray  # uint32 Reason bits


def savings(cols: dict[str, np.ndarray], s: Settings) -> SavingsResult:
    """Run the savings kernel over validated columns (see :mod:`motorsub.records`).

    Parameters
    ----------
    cols : dict of arrays
        As from :meth:`motorsub.records.Records.take`.
    s : Settings
        From :func:`motorsub.profile.settings`.
    """
    n = len(cols["day"])
    t = ef._tables()
    series_table = [t.table_index[x] for x in ef.BASELINE_SERIES]
    ie_table = [t.table_index[c.name] for c in ef.IEClass]
    # one slot table: GB 18613 (edition, grade) slots, then baseline series, then IE classes
    slot_table = np.array([*t.edition_table, *series_table, *ie_table], np.int64)
    slot_flag = np.concatenate(
        [t.edition_flag, np.zeros(len(series_table) + len(ie_table), np.uint8)]
    )
    series_base = len(t.edition_table)
    ie_base = series_base + len(series_table)
    out = SavingsResult(
        *(np.empty(n) for _ in range(2)),
        *(np.empty(n, np.uint8) for _ in range(2)),
        *(np.empty(n) for _ in range(3)),
        np.empty(n, np.uint32),
    )
    _savings_kernel(
        cols["day"], cols["motor_type"], cols["grade"], cols["poles"], cols["speed_rpm"],
        cols["kw"], cols["qty"], cols["efficiency"], cols["trade_in"], cols["old_kw"],
        cols["old_qty"], cols["old_efficiency"], cols["old_series"], cols["old_poles"],
        cols["hours"], cols["load"], cols["region"].astype(np.int64),
        s.hours, s.load, s.assumed_poles, s.old_series, s.part_load, s.coal_kgce_per_kwh,
        s.grid_by_region, t.first_day, t.last_day, slot_table, slot_flag, series_base,
        ie_base, t.lookup, pl.model(),
        out.eta_new, out.eta_old, out.eta_new_source, out.eta_old_source,
        out.kwh_per_year, out.tce_per_year, out.tco2_per_year, out.reasons,
    )  # fmt: skip
    return out
