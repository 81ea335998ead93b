"""A slow, per-record reference of the savings rules (docs/rules.md section 4), in plain Python.

It calls motorsub.physics.efficiency's public, separately tested table lookups one record at a
time and follows the rule text step by step; the fused kernel must agree with it.
"""

import math

import numpy as np

from motorsub.physics import efficiency as ef
from motorsub.physics import partload as pl

SERIES = ef.BASELINE_SERIES


def _lookup(func, *args):
    eta, flag = func(*args)
    return float(np.asarray(eta).ravel()[0]), int(np.asarray(flag).ravel()[0])


def _doubtful(flag):
    return bool(flag & (ef.EtaFlag.UNVERIFIED | ef.EtaFlag.INTERPOLATED_MIDPOINT))


def _class(eta, poles, kw):
    ie3, _ = _lookup(ef.ie_efficiency, 3, poles, kw)
    ie2, _ = _lookup(ef.ie_efficiency, 2, poles, kw)
    if math.isnan(ie3) or math.isnan(ie2):
        return None
    return "PREMIUM" if eta >= ie3 else ("ENERGY_EFFICIENT" if eta >= ie2 else "STANDARD")


def _ratio(cls, poles, kw, load):
    if cls is None:
        return math.nan
    return float(pl.partload_ratio(cls, poles, kw, load)[0])


def savings_ref(r: dict, st) -> dict:
    """One record (typed values, None when missing) → eta_new, eta_old, kwh, tce, tco2, flags,
    and where each efficiency came from (``source_new``, ``source_old``: names in SOURCES)."""
    flags = set()
    poles = r["poles"] or int(ef.poles_from_speed(r["speed_rpm"] if r["speed_rpm"] else np.nan))
    if not poles:
        poles = st.assumed_poles
        flags.add("ASSUMED_POLES")
    edition = int(ef.edition_at(np.array([r["day"]]))[0])
    lv = r["motor_type"] == "lv_async"
    grade_eta, grade_flag = math.nan, 0
    if lv and r["grade"] and edition >= 0:
        grade_eta, grade_flag = _lookup(ef.min_efficiency, edition, r["grade"], poles, r["kw"])
    # the new motor: declared, else its grade's minimum
    eta_new, source_new = math.nan, ""
    if r["efficiency"] is not None:
        eta_new, source_new = r["efficiency"], "declared"
        if not math.isnan(grade_eta) and eta_new < grade_eta:
            flags.add("EFFICIENCY_BELOW_GRADE")
    elif not math.isnan(grade_eta):
        eta_new, source_new = grade_eta, "grade_minimum"
        flags.add("ASSUMED_ETA_NEW")
        if _doubtful(grade_flag):
            flags.add("UNVERIFIED_ETA")
    # the old motor
    eta_old, old_flag, declared, source_old = math.nan, 0, False, ""
    old_poles, old_kw, share = poles, r["kw"], 1.0
    if r["trade_in"]:
        old_poles = r["old_poles"] or poles
        old_kw = r["old_kw"]
        share = r["qty"] * r["kw"] / (r["old_qty"] * r["old_kw"])
        if r["old_efficiency"] is not None:
            eta_old, declared, source_old = r["old_efficiency"], True, "declared"
        else:
            series = r["old_series"]
            if series in SERIES:
                eta_old, old_flag = _lookup(ef.baseline_efficiency, series, old_poles, old_kw)
                source_old = "" if math.isnan(eta_old) else "series_baseline"
            if math.isnan(eta_old) and st.old_series >= 0:
                eta_old, old_flag = _lookup(
                    ef.baseline_efficiency, SERIES[st.old_series], old_poles, old_kw
                )
                source_old = "" if math.isnan(eta_old) else "default_baseline"
    elif lv and edition >= 0:
        eta_old, old_flag = _lookup(ef.min_efficiency, edition, 3, poles, r["kw"])
        source_old = "" if math.isnan(eta_old) else "minimum_allowed"
    if not math.isnan(eta_old) and not declared:
        flags.add("ASSUMED_ETA_OLD")
        if _doubtful(old_flag):
            flags.add("UNVERIFIED_ETA")
    # the operating point
    hours, load = r["hours"], r["load"]
    if hours is None:
        hours = st.hours
        flags.add("NO_HOURS" if math.isnan(hours) else "DEFAULT_HOURS")
    if load is None:
        load = st.load
        flags.add("NO_LOAD" if math.isnan(load) else "DEFAULT_LOAD")
    if st.part_load and not (math.isnan(eta_new) or math.isnan(eta_old) or math.isnan(load)):
        eta_new *= _ratio(_class(eta_new, poles, r["kw"]), poles, r["kw"], load)
        eta_old *= _ratio(_class(eta_old, old_poles, old_kw), old_poles, old_kw, load * share)
    if math.isnan(eta_new) or math.isnan(eta_old):
        flags.add("UNKNOWN_ETA")
    kwh = r["qty"] * r["kw"] * load * hours * (100.0 / eta_old - 100.0 / eta_new)
    if kwh < 0:
        flags.add("NEGATIVE_SAVINGS")
    grid = st.grid_by_region[r["region"]]
    return {
        "eta_new": eta_new,
        "eta_old": eta_old,
        "kwh": kwh,
        "tce": kwh * st.coal_kgce_per_kwh / 1000.0,
        "tco2": kwh * grid / 1000.0,
        "flags": flags,
        "source_new": source_new,
        "source_old": source_old,
    }
