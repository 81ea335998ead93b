"""The Monte-Carlo kernel: zero spread gives the central projection, seeds reproduce,
percentiles converge on the distributions stated in the plan."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from plan_helpers import make_plan

from motorsub._jit import DISABLED
from motorsub.plan import project
from motorsub.plan.project import BANDED


def spread(**dists):
    return {"uncertainty": {k: dict(v, source="test", status="inferred") for k, v in dists.items()}}


ZERO_SPREAD = spread(
    hours={"distribution": "normal", "mean": 1.0, "sd": 0.0},
    load={"distribution": "triangular", "low": 1.0, "mode": 1.0, "high": 1.0},
    efficiency_gain={"distribution": "lognormal", "median": 1.0, "sigma": 0.0},
    life={"distribution": "uniform", "low": 1.0, "high": 1.0},
)
WIDE = spread(
    hours={"distribution": "triangular", "low": 0.6, "mode": 1.0, "high": 1.3},
    efficiency_gain={"distribution": "normal", "mean": 1.0, "sd": 0.2},
    life={"distribution": "lognormal", "median": 1.0, "sigma": 0.3},
)
HALF_YEAR_LONG = {"promotion": {"half_year": True}, "life": {"years": 5}}


def test_zero_spread_percentiles_equal_the_central_projection():
    p = project(make_plan(ZERO_SPREAD | HALF_YEAR_LONG, until=2030), samples=500, seed=3)
    c = p.columns
    for name in BANDED:
        for q in (10, 50, 90):
            assert_allclose(c[f"{name}_p{q}"], c[name], rtol=1e-12, err_msg=f"{name}_p{q}")
    assert_array_equal(p.draws, 1.0)


def test_no_uncertainty_stated_draws_the_central_value():
    c = project(make_plan(), samples=50, seed=1).columns
    assert_allclose(c["kwh_p10"], c["kwh"])
    assert_allclose(c["kwh_p90"], c["kwh"])


def test_same_seed_same_result_other_seed_other_result():
    plan = make_plan(WIDE | HALF_YEAR_LONG, until=2030)
    a = project(plan, samples=400, seed=11)
    b = project(plan, samples=400, seed=11)
    c = project(plan, samples=400, seed=12)
    for name in BANDED:
        assert_array_equal(a.columns[f"{name}_p50"], b.columns[f"{name}_p50"])
    assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)


@pytest.mark.skipif(DISABLED, reason="thread count is numba's")
def test_draws_do_not_depend_on_the_number_of_threads():
    import numba

    plan = make_plan(WIDE, until=2030)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = project(plan, samples=300, seed=5)
    finally:
        numba.set_num_threads(before)
    many = project(plan, samples=300, seed=5)
    assert_array_equal(one.draws, many.draws)
    assert_array_equal(one.columns["kwh_p90"], many.columns["kwh_p90"])


def test_percentiles_converge_on_a_uniform_hours_multiplier():
    # kWh = central × U(0.5, 1.5): P10, P50, P90 = 0.6, 1.0, 1.4 × central
    plan = make_plan(spread(hours={"distribution": "uniform", "low": 0.5, "high": 1.5}))
    c = project(plan, samples=20_000, seed=1).columns
    assert_allclose(c["kwh_p10"], 0.6 * c["kwh"], rtol=0.02)
    assert_allclose(c["kwh_p50"], 1.0 * c["kwh"], rtol=0.02)
    assert_allclose(c["kwh_p90"], 1.4 * c["kwh"], rtol=0.02)
    assert_allclose(c["kw_in_service_p10"], c["kw_in_service"])  # life not uncertain


def test_draws_follow_their_distributions():
    load = spread(load={"distribution": "normal", "mean": 1.0, "sd": 5.0})
    plan = make_plan({"uncertainty": WIDE["uncertainty"] | load["uncertainty"]})
    d = project(plan, samples=20_000, seed=2).draws
    hours, load, gain, life = d.T
    assert hours.min() >= 0.6 and hours.max() <= 1.3
    assert np.mean(hours) == pytest.approx((0.6 + 1.0 + 1.3) / 3, rel=0.01)
    assert load.min() == 0.0  # a negative normal draw counts 0
    assert np.std(gain) == pytest.approx(0.2, rel=0.03)
    assert np.median(life) == pytest.approx(1.0, rel=0.02)
    assert np.std(np.log(life)) == pytest.approx(0.3, rel=0.03)


def test_an_uncertain_life_spreads_the_stock():
    plan = make_plan(
        spread(life={"distribution": "uniform", "low": 0.5, "high": 2.0}) | HALF_YEAR_LONG,
        until=2030,
    )
    c = project(plan, samples=2000, seed=4).columns
    width = c["kw_in_service_p90"] - c["kw_in_service_p10"]
    assert width[:2].max() == 0  # nothing can retire in the first two years (life >= 2.5)
    assert width.max() > 0


# ---------------------------------------------------------------------------------------
# the kernel against a slow, obviously correct reference, cohort by cohort


def reference(promoted, intensity, half_year, life_kind, life, shape, steps=4000):
    """Per year: kW·yr served, kW in service at year end, kW retired, kWh (plain Python)."""
    delta = 0.5 if half_year else 0.0

    def alive(age):
        if age < 0:
            return 0.0
        if life_kind == 0:
            return 1.0 if age < life else 0.0
        return np.exp(-((age / life) ** shape))

    n = len(promoted)
    out = {k: np.zeros(n) for k in ("service", "stock", "retired", "kwh")}
    for t in range(n):
        for c in range(t + 1):
            start = c + delta  # installation time [yr]
            lo, hi = max(t, start), t + 1.0
            xs = lo + (np.arange(steps) + 0.5) * (hi - lo) / steps  # midpoint rule
            served = sum(alive(x - start) for x in xs) * (hi - lo) / steps
            at_start = 1.0 if t <= start else alive(t - start)
            at_end = alive(t + 1.0 - start)
            out["service"][t] += promoted[c] * served
            out["stock"][t] += promoted[c] * at_end
            out["retired"][t] += promoted[c] * (at_start - at_end)
            out["kwh"][t] += promoted[c] * intensity[c] * served
    return out


@pytest.mark.parametrize("seed", range(6))
def test_kernel_equals_the_reference(seed):
    from motorsub.plan import montecarlo as mc

    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 9))
    promoted = np.round(rng.uniform(0, 1000, n)) * (rng.random(n) < 0.8)
    intensity = rng.uniform(100, 900, n)
    half_year = bool(seed % 2)
    if seed < 3:
        kind, life, shape = mc.LIFE_FIXED, float(rng.integers(1, 6)) + 0.5 * (seed == 2), 0.0
    else:
        kind, life, shape = mc.LIFE_WEIBULL, rng.uniform(1.5, 6), rng.uniform(1.0, 4.0)
    codes = np.zeros(mc.N_DRAWS, dtype=np.int64)
    params = np.zeros((mc.N_DRAWS, 3))
    params[:, 0] = 1.0
    got = mc.simulate(promoted, intensity, half_year=half_year, life_kind=kind, life=life,
                      shape=shape, codes=codes, params=params, samples=1, seed=0)  # fmt: skip
    want = reference(promoted, intensity, half_year, kind, life, shape)
    tol = {"rtol": 1e-9, "atol": 1e-6} if kind == mc.LIFE_FIXED else {"rtol": 1e-4, "atol": 1e-3}
    for name in ("stock", "retired"):
        assert_allclose(got[name][0], want[name], rtol=1e-12, atol=1e-9, err_msg=name)
    assert_allclose(got["service"][0], want["service"], **tol)
    assert_allclose(got["kwh"][0], want["kwh"], **tol)
