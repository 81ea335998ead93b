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


@kernel()
def _poles_from_speed(speed):
    """Poles whose 50 Hz synchronous speed is the smallest one >= the nameplate speed."""
    if not speed >= _MIN_RPM:
        return 0
    for poles in (8, 6, 4, 2):
        if speed <= 120.0 * _GRID_HZ / poles:
            return poles
    return 0


@kernel()
def _edition(day, first_day, last_day):
    for e in range(first_day.shape[0]):
        if first_day[e] <= day <= last_day[e]:
            return e
    return -1


@kernel()
def _motor_class(eta, poles, kw, ie_table, no_flag, tab):
    """AMO part-load class of a motor of efficiency ``eta`` by the IE minimum it meets."""
    ie3, _ = ef.lookup_one(2, poles, kw, ie_table, no_flag, tab)
    ie2, _ = ef.lookup_one(1, poles, kw, ie_table, no_flag, tab)
    if np.isnan(ie3) or np.isnan(ie2):
        return -1
    if eta >= ie3:
        return _PREMIUM
    return _ENERGY_EFFICIENT if eta >= ie2 else _STANDARD


@kernel(parallel=True)
def _savings_kernel(
    day, mtype, grade, poles_in, speed, kw, qty, eff, trade_in, old_kw, old_qty, old_eff,
    old_series, old_poles_in, hours_in, load_in, region,
    default_hours, default_load, assumed_poles, default_series, part_load, coal, grid,
    first_day, last_day, gb_table, gb_flag, series_table, ie_table, no_flag, tab, model,
    eta_new_out, eta_old_out, src_new, src_old, kwh, tce, tco2, reasons,
):  # fmt: skip
    for i in prange(day.shape[0]):
        r = np.uint32(0)
        p = poles_in[i] if poles_in[i] > 0 else _poles_from_speed(speed[i])
        if p == 0:
            p, r = assumed_poles, r | _ASSUMED_POLES
        e = _edition(day[i], first_day, last_day)
        lv = mtype[i] == _LV
        # new motor
        g_eta, g_flag = np.nan, np.uint8(0)
        if lv and grade[i] > 0 and e >= 0:
            g_eta, g_flag = ef.lookup_one(3 * e + grade[i] - 1, p, kw[i], gb_table, gb_flag, tab)
        eta_new, s_new = np.nan, _UNKNOWN
        if eff[i] == eff[i]:
            eta_new, s_new = eff[i], _DECLARED
            if g_eta == g_eta and eff[i] < g_eta:
                r |= _BELOW
        elif g_eta == g_eta:
            eta_new, s_new, r = g_eta, _GRADE_MIN, r | _ASSUMED_NEW
            if g_flag & _F_DOUBT:
                r |= _UNVERIFIED
        # old motor (or the minimum allowed when nothing is replaced)
        eta_old, s_old, o_flag = np.nan, _UNKNOWN, np.uint8(0)
        op, o_kw, o_load_share = p, kw[i], 1.0
        if trade_in[i]:
            op, o_kw = (old_poles_in[i] if old_poles_in[i] > 0 else p), old_kw[i]
            o_load_share = qty[i] * kw[i] / (old_qty[i] * old_kw[i])
            if old_eff[i] == old_eff[i]:
                eta_old, s_old = old_eff[i], _DECLARED
            else:
                if old_series[i] >= 0:
                    eta_old, o_flag = ef.lookup_one(
                        old_series[i], op, o_kw, series_table, no_flag, tab
                    )
                    s_old = _SERIES
                if eta_old != eta_old and default_series >= 0:
                    eta_old, o_flag = ef.lookup_one(
                        default_series, op, o_kw, series_table, no_flag, tab
                    )
                    s_old = _DEFAULT
        elif lv and e >= 0:
            eta_old, o_flag = ef.lookup_one(3 * e + 2, p, kw[i], gb_table, gb_flag, tab)
            s_old = _MIN_ALLOWED
        if eta_old != eta_old:
            s_old = _UNKNOWN
        elif s_old != _DECLARED:
            r |= _ASSUMED_OLD
            if o_flag & _F_DOUBT:
                r |= _UNVERIFIED
        # operating point
        h, ld = hours_in[i], load_in[i]
        if h != h:
            h = default_hours
            r |= _DEFAULT_HOURS if h == h else _NO_HOURS
        if ld != ld:
            ld = default_load
            r |= _DEFAULT_LOAD if ld == ld else _NO_LOAD
        if part_load and eta_new == eta_new and eta_old == eta_old and ld == ld:
            c_new = _motor_class(eta_new, p, kw[i], ie_table, no_flag, tab)
            c_old = _motor_class(eta_old, op, o_kw, ie_table, no_flag, tab)
            eta_new *= pl.partload_one(c_new, p, kw[i], ld, model)
            eta_old *= pl.partload_one(c_old, op, o_kw, ld * o_load_share, model)
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
    series_table = np.array([t.table_index[x] for x in ef.BASELINE_SERIES], np.int64)
    ie_table = np.array([t.table_index[c.name] for c in ef.IEClass], np.int64)
    no_flag = np.zeros(max(len(series_table), len(ie_table)), np.uint8)
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
        s.grid_by_region, t.first_day, t.last_day, t.edition_table, t.edition_flag,
        series_table, ie_table, no_flag, t.lookup, pl.model(),
        out.eta_new, out.eta_old, out.eta_new_source, out.eta_old_source,
        out.kwh_per_year, out.tce_per_year, out.tco2_per_year, out.reasons,
    )  # fmt: skip
    return out
