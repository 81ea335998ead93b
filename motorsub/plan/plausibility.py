"""Plausibility: what a savings intensity implies in hours × load × efficiency gain.

A motor of rating ``P`` [kW] at load ``L`` running ``h`` hours a year saves, when a motor of
efficiency ``η_old`` is replaced by one of ``η_new`` (docs/rules.md section 4)::

    kWh/yr = P × L × h × (1/η_old − 1/η_new)       so, per kW:    I = h × L × g

with ``g = 1/η_old − 1/η_new`` the *efficiency gain* [kWh of input saved per kWh of shaft
output]. A deemed intensity ``I`` [kWh/(kW·yr)] therefore needs ``I / g`` full-load hours a
year at the mix's gain: when that exceeds the hours of a year, no motor swap can deliver
it, and the target must count something else (system savings: drives, pumps, fans).
The gain and the physical intensity come from the savings kernel run on the plan's own
mix, at the sale dates of the promotion years, weighted by the kW promoted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from motorsub.engine import records
from motorsub.model.profile import Settings
from motorsub.plan.model import Plan

#: The most hours a year holds (a leap year) [h/yr].
HOURS_IN_A_YEAR = records.HOURS_PER_YEAR_MAX


@dataclass(frozen=True)
class CohortPhysics:
    """The savings kernel's answer for the mix at one sale date (kW-weighted means).

    Attributes
    ----------
    intensity : float
        kWh saved per promoted kW per year, lines of unknown savings counting 0
        [kWh/(kW·yr)].
    intensity_share : float
        Share of the kW whose savings are known [-].
    gain : float
        Mean ``100/η_old − 100/η_new`` of the lines with both efficiencies known [-].
    gain_share : float
        Share of the kW with both efficiencies known [-].
    eta_new, eta_old : float
        Mean efficiencies of those lines [%].
    """

    intensity: float
    intensity_share: float
    gain: float
    gain_share: float
    eta_new: float
    eta_old: float


def _mean(values, weights) -> float:
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & (w > 0)
    return float(v[ok] @ w[ok] / w[ok].sum()) if ok.any() else math.nan


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def plausibility(
    plan: Plan, promoted: np.ndarray, physics: list[CohortPhysics], st: Settings
) -> dict:
    """Set the plan's savings intensity against the physical model for its mix.

    Parameters
    ----------
    plan : Plan
    promoted : array of float
        kW promoted per projection year [kW] (the weights).
    physics : list of CohortPhysics
        Per projection year, from :func:`motorsub.plan.project.cohort_rates`.
    st : Settings
        The savings settings (the plan's physical hours [h/yr] and load [-], if any).

    Returns
    -------
    dict
        ``deemed_kwh_per_kw_year``, ``physical_kwh_per_kw_year`` (mean over lines of known
        savings), ``efficiency_gain``, ``eta_old_pct``, ``eta_new_pct``,
        ``full_load_hours_implied`` (intensity / gain) [h/yr], ``hours`` and ``load`` of
        the physical model, ``ratio`` (deemed / physical), ``hours_implied_at_load``,
        ``gain_implied_at_hours_load``, shares of kW behind the means, ``verdict`` and
        ``verdict_text``.
    """
    w = np.asarray(promoted, dtype=float)
    if w.sum() <= 0:
        w = np.ones_like(w)
    gain = _mean([p.gain for p in physics], w * [p.gain_share for p in physics])
    known = w @ np.array([p.intensity_share for p in physics])
    physical = (
        float(w @ np.array([p.intensity for p in physics]) / known) if known > 0 else math.nan
    )
    hours, load = st.hours, st.load
    out = {
        "mode": plan.savings.mode,
        "deemed_kwh_per_kw_year": None,
        "physical_kwh_per_kw_year": _num(physical),
        "physical_known_share": float(known / w.sum()),
        "efficiency_gain": _num(gain),
        "gain_known_share": _mean([p.gain_share for p in physics], w) if len(w) else None,
        "eta_old_pct": _num(
            _mean([p.eta_old for p in physics], w * [p.gain_share for p in physics])
        ),
        "eta_new_pct": _num(
            _mean([p.eta_new for p in physics], w * [p.gain_share for p in physics])
        ),
        "hours": _num(hours),
        "load": _num(load),
        "hours_in_a_year": HOURS_IN_A_YEAR,
    }
    if plan.savings.mode == "deemed":
        deemed = plan.savings.deemed.intensity
        out["deemed_kwh_per_kw_year"] = deemed
        flh = deemed / gain if gain and gain > 0 else math.nan
        out["full_load_hours_implied"] = _num(flh)
        out["ratio"] = _num(deemed / physical) if physical and physical > 0 else None
        out["hours_implied_at_load"] = _num(flh / load) if load and load > 0 else None
        out["gain_implied_at_hours_load"] = (
            _num(deemed / (hours * load)) if hours and load and hours * load > 0 else None
        )
        out["verdict"], out["verdict_text"] = _verdict(out)
    else:
        out["full_load_hours_implied"] = _num(hours * load) if hours == hours else None
        out["verdict"], out["verdict_text"] = "physical", "the plan's savings are physical"
    return out


def _verdict(p: dict) -> tuple[str, str]:
    flh, ratio = p["full_load_hours_implied"], p["ratio"]
    if flh is None:
        return "unknown", "the mix's efficiency gain is unknown: no physical reference"
    if flh > HOURS_IN_A_YEAR:
        return (
            "exceeds_a_year",
            f"the deemed intensity needs {flh:,.0f} full-load hours a year at the mix's "
            f"efficiency gain, more than a year holds ({HOURS_IN_A_YEAR:,.0f} h): the target "
            "counts more than the motor swap can deliver",
        )
    if ratio is None:
        return (
            "no_physical_reference",
            f"the deemed intensity needs {flh:,.0f} full-load hours a year at the mix's "
            "efficiency gain (the plan states no physical hours and load to compare)",
        )
    if ratio > 1:
        return (
            "exceeds_physical",
            f"the deemed intensity is {ratio:.2f} times what the physical model gives for "
            f"this mix at {p['hours']:,.0f} h and load {p['load']:.2f}",
        )
    return (
        "within_physical",
        f"the deemed intensity is {ratio:.2f} times what the physical model gives for this "
        f"mix at {p['hours']:,.0f} h and load {p['load']:.2f}",
    )
