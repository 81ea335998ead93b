"""``project``: a plan's stock, savings and budget outlay, year by year, with uncertainty.

The mix lines go through the engine's own kernels once per distinct *state of the rules*
a year's sale date meets (the version of every scheme in force, for the subsidies; the
GB 18613 edition in force, for the savings), not once per year: a 30-year plan meets a
handful of states. Each year's cohort then has, per promoted kW,

- for each component, the outlay [CNY/kW]: ``Σ_i share_i × amount_i / (qty_i × kw_i)``,
  with ``amount_i`` the line's subsidy from :func:`motorsub.kernels.subsidy.subsidies`, and the
  share of kW eligible at a rate no source gives (``NO_RATE``), counted as *unpriced*;
- its savings intensity [kWh/(kW·yr)]: the deemed one, or the physical one from
  :func:`motorsub.kernels.savings.savings` (lines whose savings are unknown count 0, and their
  share is reported).

Outlays are paid in the year of promotion, worked in integer fen: each year's outlay of a
component is the year's kW times its fen per kW, rounded half-up to the fen once, and
every sum (budgets, payees, totals, comparisons) is an exact integer sum of those.

With an ``[uptake]`` response, the kW a year promotes answer to the net price
``price − subsidy per kW``: the kW of ``[promotion]`` are expected with every component of
the schemes in use, and a component the plan leaves out (``schemes.without``) changes
them by ``(net / net with every component)^elasticity``.

Stock and savings come from
:mod:`motorsub.plan.montecarlo` (every multiplier 1 for the central projection; draws for
the uncertainty band); coal and grid factors are those of the year of saving.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from motorsub import i18n, vocab
from motorsub.kernels.savings import savings as line_savings
from motorsub.kernels.subsidy import compiled_schemes, day_number, subsidies
from motorsub.model.profile import Settings, load_profile, settings
from motorsub.model.schemes import SchemeSet, load_schemes
from motorsub.physics import efficiency as ef
from motorsub.plan import montecarlo as mc
from motorsub.plan.mix import MixLines, build_mix
from motorsub.plan.model import DISTRIBUTIONS, UNCERTAIN, Plan, PlanError
from motorsub.plan.plausibility import CohortPhysics, plausibility
from motorsub.plan.summary import summarise, targets_table
from motorsub.reasons import Reason, component_code

PERCENTILES = vocab.PLAN_PERCENTILES
#: Columns of the year table that get P10/P50/P90 columns under ``samples``.
BANDED = ("kwh", "tce", "tco2", "kwh_cumulative", "tce_cumulative", "kw_in_service")
_NO_RATE = component_code(Reason.NO_RATE)


@dataclass
class Projection:
    """What :func:`project` produces.

    Attributes
    ----------
    plan : Plan
    columns : dict of arrays
        The year table, one value per year (see ``motorsub/plan/README.md`` for every
        column and its unit); P10/P50/P90 columns when samples were drawn.
    components : list of dict
        ``id``, ``scheme``, ``payee``, ``budget`` of every component paid.
    targets : list of dict
        Each published figure beside the projected one.
    plausibility : dict
        What the savings intensity implies in hours × load × efficiency gain.
    summary : dict
        Totals over the plan, unknowns counted, and every assumption with its source.
    samples, seed : int
        The draws behind the percentile columns (0: none).
    """

    plan: Plan
    columns: dict[str, np.ndarray]
    components: list[dict]
    targets: list[dict]
    plausibility: dict
    summary: dict
    samples: int = 0
    seed: int = 0
    draws: np.ndarray | None = field(default=None, repr=False)

    @property
    def years(self) -> np.ndarray:
        return self.columns["year"]

    def table(self) -> pa.Table:
        """The year table as a pyarrow Table (NaN written as null)."""
        return pa.table(
            {
                k: pa.array(v, mask=np.isnan(v)) if v.dtype.kind == "f" else pa.array(v)
                for k, v in self.columns.items()
            }
        )

    def to_dict(self) -> dict:
        """Everything, JSON-ready."""
        return {
            "plan": {"id": self.plan.id, "title": self.plan.title, "file": self.plan.source_file},
            "samples": self.samples,
            "seed": self.seed if self.samples else None,
            "years": [
                {k: _json_value(v[i]) for k, v in self.columns.items()}
                for i in range(len(self.years))
            ],
            "components": self.components,
            "targets": self.targets,
            "plausibility": self.plausibility,
            "summary": self.summary,
        }


def _json_value(x):
    x = x.item() if hasattr(x, "item") else x
    return None if isinstance(x, float) and not np.isfinite(x) else x


# ----------------------------------------------------------------------------------------
# schemes and settings


def resolve_schemes(plan: Plan, extra: list | None = None) -> SchemeSet:
    """The shipped schemes plus the plan's ``files`` and ``extra``, kept to ``use``.

    Raises
    ------
    PlanError
        A file, scheme or component the plan names does not exist.
    """
    _ = i18n.translator()
    src = plan.source_file
    files = []
    for i, f in enumerate(plan.schemes.files):
        p = plan.path(f)
        if not p.exists():
            raise PlanError(
                f"{src}: schemes.files[{i}]: "
                + _("no such scheme file {path!r}").format(path=str(p))
            )
        files.append(p)
    loaded = load_schemes([*files, *(Path(x) for x in extra or [])])
    ids = [s.id for s in loaded.schemes]
    use = plan.schemes.use
    for i, sid in enumerate(use or []):
        if sid not in ids:
            raise PlanError(
                f"{src}: schemes.use[{i}]: "
                + _("no scheme {id!r}; loaded: {loaded}").format(id=sid, loaded=", ".join(ids))
            )
    chosen = SchemeSet(tuple(s for s in loaded.schemes if use is None or s.id in use))
    comps = [c.id for _s, c in chosen.components]
    for i, cid in enumerate(plan.schemes.without):
        if cid not in comps:
            raise PlanError(
                f"{src}: schemes.without[{i}]: "
                + _("no component {id!r} in the schemes used ({ids})").format(
                    id=cid, ids=", ".join(comps)
                )
            )
    return chosen


def savings_settings(plan: Plan) -> Settings:
    """The savings kernel's settings: the plan's physical hours, load and old baseline."""
    ph = plan.savings.physical
    st = settings(
        hours=ph.hours.value if ph and ph.hours else None,
        load=ph.load.value if ph and ph.load else None,
    )
    if ph and ph.old_baseline:
        st = dataclasses.replace(st, old_series=ef.BASELINE_SERIES.index(ph.old_baseline.series))
    return st


def factor_by_year(plan: Plan, name: str) -> tuple[np.ndarray, list[dict]]:
    """Coal [kgce/kWh] or grid [kgCO2/kWh] factor of each projection year, and the rows.

    Absent grid factors give NaN (tCO2 unknown).
    """
    profile = load_profile()
    rows = getattr(plan.factors, name)
    unit = "kgce_per_kwh" if name == "coal" else "kgco2_per_kwh"
    known = profile.coal.factors if name == "coal" else profile.grid.factors
    years = np.array(plan.years)
    out = np.full(len(years), np.nan)
    described = []
    for r in rows:
        if r.profile is not None:
            f = known[r.profile]
            value, source, status = (
                getattr(f, unit),
                f"savings profile '{r.profile}': {f.source}",
                f.status,
            )
        else:
            value, source, status = getattr(r, unit), r.source, r.status
        out[years >= r.from_year] = value
        described.append({"from": r.from_year, unit: value, "source": source, "status": status})
    return out, described


# ----------------------------------------------------------------------------------------
# the engine on the mix, once per state of the rules


def _versions_in_force(schemes: SchemeSet, day: int) -> tuple[int, ...]:
    out = []
    for s in schemes.schemes:
        out.append(
            next(
                (
                    i
                    for i, v in enumerate(s.versions)
                    if day_number(v.in_force_from) <= day
                    and (v.in_force_until is None or day <= day_number(v.in_force_until))
                ),
                -1,
            )
        )
    return tuple(out)


@dataclass
class CohortRates:
    """Per projection year (column) the engine's answer for a kW promoted that year."""

    fen_per_kw: np.ndarray  # [n_components, n_years] outlay per promoted kW [fen/kW]
    unpriced: np.ndarray  # [n_components, n_years] share eligible at an unknown rate [-]
    physics: list[CohortPhysics]  # per year: physical intensity, efficiency gain, etas


def cohort_rates(plan: Plan, mix: MixLines, schemes: SchemeSet, st: Settings) -> CohortRates:
    """Run the subsidy and savings kernels on the mix for every year's sale date."""
    compiled = compiled_schemes(schemes)
    years = plan.years
    n_c = compiled.n_components
    fen = np.zeros((n_c, len(years)))
    unpriced = np.zeros((n_c, len(years)))
    physics: list[CohortPhysics] = []
    sub_cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
    sav_cache: dict[int, CohortPhysics] = {}
    per_kw = mix.weight * mix.per_kw
    cols = dict(mix.cols)
    for t, year in enumerate(years):
        day = day_number(plan.sale_date(year))
        cols["day"] = np.full(mix.n, day, dtype=np.int32)
        key = _versions_in_force(schemes, day)
        if key not in sub_cache:
            res = subsidies(compiled, cols)
            sub_cache[key] = (
                res.fen.astype(np.float64) @ per_kw,
                (res.code == _NO_RATE).astype(np.float64) @ mix.weight,
            )
        fen[:, t], unpriced[:, t] = sub_cache[key]
        edition = int(ef.edition_at(np.array([day]))[0])
        if edition not in sav_cache:
            sav_cache[edition] = _physics(mix, line_savings(cols, st))
        physics.append(sav_cache[edition])
    return CohortRates(fen, unpriced, physics)


def _physics(mix: MixLines, sav) -> CohortPhysics:
    """kW-weighted means of the savings kernel's answer (unknown values left out)."""
    w = mix.weight
    kwh_per_kw = sav.kwh_per_year * mix.per_kw
    known = np.isfinite(kwh_per_kw)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = 100.0 / sav.eta_old - 100.0 / sav.eta_new
    g_known = np.isfinite(gain)
    wg = float(np.dot(g_known, w))

    def mean(x):
        return float(np.dot(np.where(g_known, x, 0.0), w)) / wg if wg > 0 else np.nan

    return CohortPhysics(
        intensity=float(np.dot(np.where(known, kwh_per_kw, 0.0), w)),
        intensity_share=float(np.dot(known, w)),
        gain=mean(gain),
        gain_share=wg,
        eta_new=mean(sav.eta_new),
        eta_old=mean(sav.eta_old),
    )


# ----------------------------------------------------------------------------------------
# the projection


def _multipliers(plan: Plan, samples: int) -> tuple[np.ndarray, np.ndarray]:
    codes = np.zeros(mc.N_DRAWS, dtype=np.int64)  # FIXED
    params = np.zeros((mc.N_DRAWS, 3))
    params[:, 0] = 1.0
    if samples:
        for k, name in enumerate(UNCERTAIN):
            d = getattr(plan.uncertainty, name)
            if d is not None:
                codes[k] = list(DISTRIBUTIONS).index(d.distribution)
                params[k, : len(d.params())] = d.params()
    return codes, params


def _life(plan: Plan) -> tuple[int, float, float]:
    life = plan.life
    if life.kind == "fixed":
        return mc.LIFE_FIXED, life.years, 0.0
    return mc.LIFE_WEIBULL, life.scale, life.shape


def project(
    plan: Plan,
    *,
    samples: int = 0,
    seed: int = 0,
    schemes: list | None = None,
    encoding: str | None = None,
    map=None,
) -> Projection:
    """Project a plan year by year.

    Parameters
    ----------
    plan : Plan
        From :func:`motorsub.plan.load_plan`.
    samples : int
        Monte-Carlo samples of the uncertain assumptions (0: the central projection only).
    seed : int
        Seed of the draws: the same seed gives the same percentiles.
    schemes : list of paths, optional
        Scheme files or folders added to the shipped ones and the plan's own.
    encoding : str, optional
        Force the encoding of a CSV records mix (``mix.records``).
    map : callable, optional
        ``map(function, blocks)`` that runs the Monte-Carlo samples' blocks elsewhere
        (:func:`motorsub.cluster.mapper`); the draws are the same as in one process.

    Returns
    -------
    Projection
    """
    chosen = resolve_schemes(plan, schemes)
    mix = build_mix(plan, chosen, encoding)
    st = savings_settings(plan)
    rates = cohort_rates(plan, mix, chosen, st)
    years = np.array(plan.years, dtype=np.int64)
    stated = np.zeros(len(years))
    stated[: len(plan.promotion.years)] = [y.kw for y in plan.promotion.years]
    factor, uptake = uptake_response(plan, chosen, rates)
    promoted = stated * factor
    if plan.savings.mode == "deemed":
        intensity = np.full(len(years), plan.savings.deemed.intensity)
    else:
        intensity = np.array([p.intensity for p in rates.physics])
    coal, coal_rows = factor_by_year(plan, "coal")
    grid, grid_rows = factor_by_year(plan, "grid")
    kind, life, shape = _life(plan)
    common = dict(half_year=plan.promotion.half_year, life_kind=kind, life=life, shape=shape)
    codes, params = _multipliers(plan, 0)
    central = mc.simulate(
        promoted, intensity, codes=codes, params=params, samples=1, seed=0, **common
    )
    cols = _year_table(
        years, promoted, intensity, coal, grid, {k: v[0] for k, v in central.items()}
    )
    if plan.uptake is not None:
        cols["kw_promoted_stated"] = stated
        cols["uptake_factor"] = factor
    known = np.array([p.intensity_share for p in rates.physics])
    cols["kw_savings_unknown"] = (
        promoted * (1.0 - known) if plan.savings.mode == "physical" else 0 * promoted
    )
    comps = _outlays(cols, chosen, plan, promoted, rates)
    draws = None
    if samples:
        codes, params = _multipliers(plan, samples)
        draw = dict(promoted=promoted, intensity=intensity, codes=codes, params=params, seed=seed)
        if map is None:
            sim = mc.simulate(samples=samples, **draw, **common)
        else:  # blocks of samples spread by ``map``: the same draws (simulate_blocks)
            sim = mc.simulate_blocks(samples=samples, map=map, **draw, **common)
        _bands(cols, sim, coal, grid)
        draws = sim["draws"]
    proj = Projection(
        plan=plan,
        columns=cols,
        components=comps,
        targets=targets_table(plan, cols),
        plausibility=plausibility(plan, promoted, rates.physics, st),
        summary={},
        samples=samples,
        seed=seed,
        draws=draws,
    )
    proj.summary = summarise(proj, mix, chosen, coal_rows, grid_rows, uptake)
    return proj


def _year_table(years, promoted, intensity, coal, grid, sim) -> dict[str, np.ndarray]:
    kwh = sim["kwh"]
    run = sim["run_rate"]
    cols = {
        "year": years,
        "kw_promoted": promoted,
        "kw_promoted_cumulative": np.cumsum(promoted),
        "kw_in_service": sim["stock"],
        "kw_retired": sim["retired"],
        "kw_service_years": sim["service"],
        "kwh_per_kw": intensity,
        "kwh": kwh,
        "tce": kwh * coal / 1000.0,
        "tco2": kwh * grid / 1000.0,
        "kwh_run_rate": run,
        "tce_run_rate": run * coal / 1000.0,
        "tco2_run_rate": run * grid / 1000.0,
        "kwh_cumulative": np.cumsum(kwh),
        "tce_cumulative": np.cumsum(kwh * coal / 1000.0),
        "tco2_cumulative": np.cumsum(kwh * grid / 1000.0),
        "coal_kgce_per_kwh": coal,
        "grid_kgco2_per_kwh": grid,
    }
    return cols


def half_up(x: np.ndarray) -> np.ndarray:
    """Non-negative amounts [fen, float] rounded half-up to whole fen (int64)."""
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5).astype(np.int64)


def _outlays(cols, schemes: SchemeSet, plan: Plan, promoted, rates: CohortRates) -> list[dict]:
    """Add outlay [fen, int64] and unpriced-kW columns per component, budget and payee;
    list the components paid."""
    comps = []
    by_budget: dict[str, list[int]] = {}
    by_payee: dict[str, list[int]] = {}
    for ci, (s, c) in enumerate(schemes.components):
        if c.id in plan.schemes.without:
            continue
        cols[f"outlay_{c.id}_fen"] = half_up(promoted * rates.fen_per_kw[ci])
        cols[f"unpriced_kw_{c.id}"] = promoted * rates.unpriced[ci]
        comps.append({"id": c.id, "scheme": s.id, "payee": c.payee, "budget": c.budget})
        by_budget.setdefault(c.budget, []).append(ci)
        by_payee.setdefault(c.payee, []).append(ci)
    zero = np.zeros(len(promoted), dtype=np.int64)
    for budget in ("central", "local"):
        idx = by_budget.get(budget, [])
        cols[f"outlay_{budget}_fen"] = sum(
            (cols[f"outlay_{_id(schemes, i)}_fen"] for i in idx), zero
        )
        cols[f"unpriced_kw_{budget}"] = sum(
            (cols[f"unpriced_kw_{_id(schemes, i)}"] for i in idx), zero.astype(np.float64)
        )
    for payee, idx in by_payee.items():
        cols[f"outlay_payee_{payee}_fen"] = sum(
            (cols[f"outlay_{_id(schemes, i)}_fen"] for i in idx), zero
        )
    cols["outlay_total_fen"] = cols["outlay_central_fen"] + cols["outlay_local_fen"]
    return comps


def uptake_response(plan: Plan, schemes: SchemeSet, rates: CohortRates) -> tuple[np.ndarray, dict]:
    """Per projection year, the factor on the stated kW, and what it rests on.

    Without ``[uptake]`` every factor is 1 (uptake held fixed). With it, per year:
    ``net = price − s`` and ``net_ref = price − s_ref`` [CNY/kW], with ``s`` the known
    subsidy per kW of the components paid and ``s_ref`` that of every component of the
    schemes in use (``schemes.without`` ignored); factor = ``(net / net_ref)^elasticity``.

    Raises
    ------
    PlanError
        The subsidy per kW reaches the price (a net price of zero or less).
    """
    n_years = len(plan.years)
    if plan.uptake is None:
        return np.ones(n_years), {"response": "none", "note": "uptake held fixed"}
    u = plan.uptake
    price = u.price_cny_per_kw.value
    paid = np.array([c.id not in plan.schemes.without for _, c in schemes.components])
    s_ref = rates.fen_per_kw.sum(axis=0) / 100.0
    s = rates.fen_per_kw[paid].sum(axis=0) / 100.0
    net_ref, net = price - s_ref, price - s
    if (net_ref <= 0).any() or (net <= 0).any():
        year = plan.years[int(np.flatnonzero((net_ref <= 0) | (net <= 0))[0])]
        _ = i18n.translator()
        raise PlanError(
            f"{plan.source_file}: uptake.price_cny_per_kw: "
            + _("{price:g} CNY/kW is not above the subsidy per kW of {year} ({subsidy:g} CNY/kW)")
            .format(price=price, year=year, subsidy=max(s_ref[plan.years.index(year)], 0))
        )  # fmt: skip
    factor = (net / net_ref) ** u.elasticity.value
    left_out_unpriced = bool((rates.unpriced[~paid] > 0).any())
    return factor, {
        "response": "elasticity",
        "elasticity": u.elasticity.model_dump(exclude_none=True),
        "price_cny_per_kw": u.price_cny_per_kw.model_dump(exclude_none=True),
        "reference": "every component of the schemes in use (schemes.without ignored)",
        "subsidy_cny_per_kw": [float(x) for x in s],
        "subsidy_reference_cny_per_kw": [float(x) for x in s_ref],
        "factor": [float(x) for x in factor],
        "left_out_component_rate_unknown": left_out_unpriced,
    }


def _id(schemes: SchemeSet, ci: int) -> str:
    return schemes.components[ci][1].id


def _bands(cols, sim, coal, grid) -> None:
    """P10/P50/P90 columns of the banded quantities, across samples, year by year."""
    kwh = sim["kwh"]
    per_sample = {
        "kwh": kwh,
        "tce": kwh * coal / 1000.0,
        "tco2": kwh * grid / 1000.0,
        "kwh_cumulative": np.cumsum(kwh, axis=1),
        "tce_cumulative": np.cumsum(kwh * coal / 1000.0, axis=1),
        "kw_in_service": sim["stock"],
    }
    for name in BANDED:
        x = per_sample[name]
        if np.isnan(x).all():
            q = np.full((len(PERCENTILES), x.shape[1]), np.nan)
        else:
            q = np.percentile(x, PERCENTILES, axis=0)
        for p, row in zip(PERCENTILES, q):
            cols[f"{name}_p{p}"] = row


__all__ = ["PERCENTILES", "Projection", "half_up", "project", "uptake_response"]
