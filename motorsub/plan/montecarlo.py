"""Stock turnover and savings of a plan, per sample of its uncertain assumptions (numba).

Time is continuous in years. A cohort promoted in year ``c`` is installed at ``c + δ``,
with ``δ = 0.5`` under the half-year convention (installed, on average, mid-year) and
``δ = 0`` without it (installed on 1 January). ``S(a)`` is the share still in service at
age ``a`` [yr]: 1 while ``a < L`` for a fixed life ``L``, ``exp(-(a/λ)^k)`` for a Weibull
life of shape ``k`` and scale ``λ``. For the cohort, in year ``t = c + d``:

- service ``W[d] = ∫ S`` over the part of year ``t`` after installation [yr]: the kW-years
  its savings rest on (under the half-year convention, ½ in the year of installation);
- in service at the end of the year ``E[d] = S(d + 1 − δ)``;
- retired during the year ``R[d] = S(max(d − δ, 0)) − E[d]``.

So, over the years, promoted = in service + retired, to rounding. A year's savings are
``Σ_c kW_c × I_c × W[t − c]`` [kWh], with ``I_c`` the cohort's savings per kW per year
[kWh/(kW·yr)]; the run rate, ``Σ_c kW_c × I_c × E[t − c]`` [kWh/yr], is what the stock in
service at the end of the year saves in a full year (how published targets count).

Each sample draws four multipliers on the central assumptions: hours, load, efficiency
gain (all three scale the savings) and life (scales ``L`` or ``λ``). The draws come from
a counter-based generator (SplitMix64 of seed, sample and stream), so a sample's draws
depend on the seed and its number only: the same seed gives the same results on any
number of threads. The deterministic projection is the same kernel with every multiplier
fixed at 1.
"""

from __future__ import annotations

import numpy as np

from motorsub._jit import kernel, prange

#: Codes of the distributions (index = code), as in ``model.DISTRIBUTIONS``.
FIXED, UNIFORM, TRIANGULAR, NORMAL, LOGNORMAL = range(5)
LIFE_FIXED, LIFE_WEIBULL = 0, 1
N_DRAWS = 4  # hours, load, efficiency gain, life
_GAUSS_NODES = 16  # Gauss-Legendre nodes per year for a Weibull life's service integral
_TWO_PI = 2.0 * np.pi
_INV_2_53 = 1.0 / 9007199254740992.0  # 2**-53


@kernel()
def _splitmix(x):
    """SplitMix64 finaliser: a well-mixed 64-bit hash of ``x`` (uint64)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@kernel()
def _uniform(seed, sample, stream):
    """A uniform draw in (0, 1) from (seed, sample, stream)."""
    z = _splitmix(seed ^ _splitmix(np.uint64(sample) * np.uint64(16) + np.uint64(stream)))
    return (np.float64(z >> np.uint64(11)) + 0.5) * _INV_2_53


@kernel()
def _draw(code, p, u1, u2):
    """A draw of one distribution (parameters ``p``) from two uniforms; never negative."""
    if code == FIXED:
        return p[0]
    if code == UNIFORM:
        return p[0] + (p[1] - p[0]) * u1
    if code == TRIANGULAR:
        lo, mode, hi = p[0], p[1], p[2]
        if hi <= lo:
            return lo
        c = (mode - lo) / (hi - lo)
        if u1 < c:
            return lo + np.sqrt(u1 * (hi - lo) * (mode - lo))
        return hi - np.sqrt((1.0 - u1) * (hi - lo) * (hi - mode))
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(_TWO_PI * u2)  # Box-Muller
    if code == NORMAL:
        return max(p[0] + p[1] * z, 0.0)
    return p[0] * np.exp(p[1] * z)  # LOGNORMAL: median, sigma of log


@kernel()
def _survival(a, kind, life, shape):
    """Share of a cohort in service at age ``a`` [yr]."""
    if a <= 0.0:
        return 1.0
    if kind == LIFE_FIXED:
        return 1.0 if a < life else 0.0
    if life <= 0.0:
        return 0.0
    return np.exp(-((a / life) ** shape))


@kernel()
def _service(lo, hi, kind, life, shape, nodes, weights):
    """∫ S(a) da from ``lo`` to ``hi`` [yr]: exact for a fixed life, Gauss-Legendre else."""
    if hi <= lo:
        return 0.0
    if kind == LIFE_FIXED:
        return max(0.0, min(hi, life) - lo)
    half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
    s = 0.0
    for j in range(nodes.shape[0]):
        s += weights[j] * _survival(mid + half * nodes[j], kind, life, shape)
    return s * half


@kernel(parallel=True)
def _simulate(
    promoted, intensity, delta, life_kind, life, shape, codes, params, seed, first, nodes,
    weights, draws, service, stock, retired, kwh, run_rate,
):  # fmt: skip
    """Per sample ``s`` (rows of the outputs) and year ``t`` (columns): see module doc.

    ``codes[k]``, ``params[k]`` give the distribution of multiplier ``k`` (hours, load,
    efficiency gain, life); ``draws[s, k]`` receives the draws. Row ``s`` is sample number
    ``first + s`` of the run: its draws are that sample's, whichever block computes it.
    """
    n_samples, n_years = kwh.shape
    for s in prange(n_samples):
        for k in range(N_DRAWS):
            u1 = _uniform(seed, first + s, 2 * k)
            u2 = _uniform(seed, first + s, 2 * k + 1)
            draws[s, k] = _draw(codes[k], params[k], u1, u2)
        factor = draws[s, 0] * draws[s, 1] * draws[s, 2]
        lf = life * draws[s, 3]
        w = np.empty(n_years)
        e = np.empty(n_years)
        r = np.empty(n_years)
        for d in range(n_years):
            start = max(d - delta, 0.0)
            w[d] = _service(start, d + 1.0 - delta, life_kind, lf, shape, nodes, weights)
            e[d] = _survival(d + 1.0 - delta, life_kind, lf, shape)
            r[d] = _survival(start, life_kind, lf, shape) - e[d]
        for t in range(n_years):
            sv, st, rt, k_sum, r_sum = 0.0, 0.0, 0.0, 0.0, 0.0
            for c in range(t + 1):
                p = promoted[c]
                if p == 0.0:
                    continue
                d = t - c
                sv += p * w[d]
                st += p * e[d]
                rt += p * r[d]
                k_sum += p * intensity[c] * w[d]
                r_sum += p * intensity[c] * e[d]
            service[s, t] = sv
            stock[s, t] = st
            retired[s, t] = rt
            kwh[s, t] = factor * k_sum
            run_rate[s, t] = factor * r_sum


def simulate(
    promoted: np.ndarray,
    intensity: np.ndarray,
    *,
    half_year: bool,
    life_kind: int,
    life: float,
    shape: float,
    codes: np.ndarray,
    params: np.ndarray,
    samples: int,
    seed: int,
    first: int = 0,
) -> dict[str, np.ndarray]:
    """Run the stock and savings kernel for ``samples`` draws (samples number ``first``
    to ``first + samples - 1`` of the run).

    Parameters
    ----------
    promoted : array of float, shape (n_years,)
        kW promoted in each year of the projection [kW].
    intensity : array of float, shape (n_years,)
        Savings per promoted kW of each year's cohort [kWh/(kW·yr)].
    half_year : bool
        Count the year of installation as half a year.
    life_kind : int
        :data:`LIFE_FIXED` or :data:`LIFE_WEIBULL`.
    life : float
        Fixed life, or Weibull scale λ [yr].
    shape : float
        Weibull shape k [-] (unused for a fixed life).
    codes : array of int64, shape (4,)
        Distribution code of the hours, load, efficiency-gain and life multipliers.
    params : array of float, shape (4, 3)
        Their parameters (unused ones 0).
    samples : int
        Number of samples (1 with every multiplier fixed at 1: the deterministic run).
    seed : int
        Seed of the draws (any integer; taken modulo 2**64).
    first : int
        Number of the first sample: a block of a larger run (:func:`simulate_blocks`).

    Returns
    -------
    dict of arrays, each shape (samples, n_years) but ``draws`` (samples, 4)
        ``service`` [kW·yr], ``stock`` (in service at year end) [kW], ``retired`` [kW],
        ``kwh`` (the year's savings) [kWh], ``run_rate`` [kWh/yr], ``draws`` [-].
    """
    n = len(promoted)
    nodes, weights = np.polynomial.legendre.leggauss(_GAUSS_NODES)
    out = {k: np.empty((samples, n)) for k in ("service", "stock", "retired", "kwh", "run_rate")}
    out["draws"] = np.empty((samples, N_DRAWS))
    with np.errstate(over="ignore"):  # uint64 wrap-around when run without JIT
        _simulate(
            np.ascontiguousarray(promoted, dtype=np.float64),
            np.ascontiguousarray(intensity, dtype=np.float64),
            0.5 if half_year else 0.0,
            int(life_kind), float(life), float(shape),
            np.ascontiguousarray(codes, dtype=np.int64),
            np.ascontiguousarray(params, dtype=np.float64),
            np.uint64(seed % (1 << 64)), np.int64(first), nodes, weights,
            out["draws"], out["service"], out["stock"], out["retired"], out["kwh"],
            out["run_rate"],
        )  # fmt: skip
    return out


#: Samples per block when a run is spread over a cluster (:func:`simulate_blocks`).
BLOCK_SAMPLES = 20_000


def _block(args: tuple) -> dict[str, np.ndarray]:
    """One block of a spread run: ``simulate(**kwargs, samples=n, first=start)``."""
    kwargs, start, n = args
    return simulate(**kwargs, samples=n, first=start)


def simulate_blocks(*, samples: int, map=map, block: int | None = None, **kwargs):
    """:func:`simulate` of ``samples`` draws cut into blocks of ``block`` samples, run by
    ``map(function, blocks)`` (``map``: in this process; a cluster's mapper spreads them),
    and joined in sample order; ``block`` defaults to :data:`BLOCK_SAMPLES`.

    Block ``b`` computes samples ``b × block`` onwards, each drawn from (seed, its own
    number) as one call would draw it: the result is the same to the bit for any block
    size, number of workers or order in which blocks finish.
    """
    block = block or BLOCK_SAMPLES
    starts = range(0, samples, block)
    parts = list(map(_block, [(kwargs, s, min(block, samples - s)) for s in starts]))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def warm() -> None:
    """Compile (or load from numba's cache) the kernel, for ``motorsub warmup``."""
    codes = np.array([FIXED, UNIFORM, TRIANGULAR, LOGNORMAL], dtype=np.int64)
    params = np.array([[1.0, 0.0, 0.0], [0.9, 1.1, 0.0], [0.9, 1.0, 1.1], [1.0, 0.1, 0.0]])
    for kind in (LIFE_FIXED, LIFE_WEIBULL):
        simulate(np.ones(3), np.ones(3), half_year=True, life_kind=kind, life=2.0, shape=2.0,
                 codes=codes, params=params, samples=2, seed=0)  # fmt: skip
