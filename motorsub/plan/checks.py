"""The rules of a plan file beyond the types of its fields (see ``README.md``).

:func:`check` yields ``(key, message)`` for every rule a validated plan breaks: promotion
years in order and without gaps, shares summing to 1, a deemed intensity given once, the
parameters of each distribution, factors covering the first year, and the like.
"""

from __future__ import annotations

import math
from itertools import pairwise

from motorsub import vocab
from motorsub.physics.efficiency import BASELINE_SERIES
from motorsub.plan.model import (
    DISTRIBUTIONS,
    MAX_YEARS,
    UNCERTAIN,
    WHOLE_COUNTRY,
    Distribution,
    Life,
    Plan,
)

_SHARE_TOLERANCE = 1e-6
_KW_TOLERANCE = 0.5  # [kW]: a published total and the sum of the years may differ by rounding


def check(p: Plan):
    """Yield (key, message) for every rule the plan breaks beyond field types."""
    yield from _check_years(p)
    yield from _check_mix(p)
    yield from _check_savings(p)
    yield from _check_life(p.life)
    for name in ("coal", "grid"):
        yield from _check_factors(p, name)
    for i, t in enumerate(p.targets):
        if not p.first_year <= t.year <= p.until:
            yield (
                f"targets[{i}].year",
                f"{t.year} lies outside the projection {p.first_year}-{p.until}",
            )
    for name in UNCERTAIN:
        d = getattr(p.uncertainty, name)
        if d is not None:
            yield from _check_distribution(f"uncertainty.{name}", d)
    if len(set(p.schemes.without)) != len(p.schemes.without):
        yield "schemes.without", "a component is listed twice"


def _regions() -> tuple[str, ...]:
    return (*vocab.regions(), WHOLE_COUNTRY)


def _check_years(p: Plan):
    try:
        p.sale_date(2001)  # not a leap year: 02-29 is refused
    except ValueError:
        yield (
            "promotion.sale_date_in_year",
            f"{p.promotion.sale_date_in_year!r} is not a day of every year (MM-DD)",
        )
    years = p.promotion.years
    for i, (a, b) in enumerate(pairwise(years), start=1):
        if b.year <= a.year:
            yield (
                f"promotion.years[{i}].year",
                f"{b.year} is not after {a.year}: promotion years must be in increasing order",
            )
        elif b.year != a.year + 1:
            yield (
                f"promotion.years[{i}].year",
                f"a gap between {a.year} and {b.year}: list every year "
                "(kw = 0 for a year without promotion)",
            )
    if p.until < years[-1].year:
        yield "until", f"{p.until} is before the last promotion year {years[-1].year}"
    elif p.until - p.first_year + 1 > MAX_YEARS:
        yield "until", f"a projection of more than {MAX_YEARS} years"
    total = p.promotion.total
    if total is not None:
        s = math.fsum(y.kw for y in years)
        if abs(s - total.kw) > _KW_TOLERANCE:
            yield (
                "promotion.total.kw",
                f"the years sum to {s:,.0f} kW, not the total {total.kw:,.0f} kW",
            )
    if p.region not in _regions():
        yield "region", f"unknown region {p.region!r} (ISO 3166-2 code such as 'CN-SH', or 'CN')"


def _check_mix(p: Plan):
    m = p.mix
    if (m.lines is None) == (m.records is None):
        yield "mix", "give either mix.lines (shares) or mix.records (a file), not both or neither"
        return
    if m.records is not None:
        if m.source is None or m.status is None:
            yield "mix", "a records mix needs its source and status"
        if not p.path(m.records).exists():
            yield "mix.records", f"no such file {str(p.path(m.records))!r}"
        return
    if not m.lines:
        yield "mix.lines", "at least one line"
        return
    if m.source is not None or m.status is not None:
        yield "mix", "source and status belong to each line of mix.lines"
    total = math.fsum(x.share for x in m.lines)
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        yield "mix.lines", f"the shares sum to {total:.6g}, not 1"
    for i, x in enumerate(m.lines):
        key = f"mix.lines[{i}]"
        if x.motor_type == "lv_async" and x.grade is None:
            yield f"{key}.grade", "an lv_async line needs its GB 18613 grade (1-3)"
        if x.band is not None and not x.band.contains(x.kw):
            yield f"{key}.kw", f"{x.kw:g} kW lies outside the line's band {x.band}"
        if x.old_kw is not None and not x.trade_in:
            yield f"{key}.old_kw", "old_kw is for a trade-in line (trade_in = true)"
        if x.old_efficiency is not None and not x.trade_in:
            yield f"{key}.old_efficiency", "old_efficiency is for a trade-in line"
        if x.old_series is not None and x.old_series not in BASELINE_SERIES:
            yield (
                f"{key}.old_series",
                f"{x.old_series!r} is not one of {', '.join(BASELINE_SERIES)}",
            )
        if x.region is not None and x.region not in _regions():
            yield f"{key}.region", f"unknown region {x.region!r}"


def _check_savings(p: Plan):
    s = p.savings
    if s.mode == "deemed":
        if s.deemed is None:
            yield "savings.deemed", "a deemed plan needs [savings.deemed]"
    elif s.physical is None or s.physical.hours is None or s.physical.load is None:
        yield "savings.physical", "a physical plan needs [savings.physical] hours and load"
    d = s.deemed
    if d is not None:
        ratio = d.kwh_per_year is not None or d.kw is not None
        if (d.kwh_per_kw_year is not None) == ratio:
            yield (
                "savings.deemed",
                "give kwh_per_kw_year, or kwh_per_year and kw (a published ratio), not both",
            )
        elif ratio and (d.kwh_per_year is None or d.kw is None):
            yield "savings.deemed", "the ratio form needs both kwh_per_year and kw"
    b = s.physical.old_baseline if s.physical else None
    if b is not None and b.series not in BASELINE_SERIES:
        yield (
            "savings.physical.old_baseline.series",
            f"{b.series!r} is not one of {', '.join(BASELINE_SERIES)}",
        )


def _check_life(life: Life):
    if life.kind == "fixed":
        if life.years is None:
            yield "life.years", "a fixed life needs years"
        if life.shape is not None or life.scale is not None:
            yield "life", "shape and scale belong to a Weibull life (kind = 'weibull')"
    else:
        if life.shape is None or life.scale is None:
            yield "life", "a Weibull life needs shape and scale [yr]"
        if life.years is not None:
            yield "life.years", "years belongs to a fixed life (kind = 'fixed')"


def _check_factors(p: Plan, name: str):
    from motorsub.model.profile import load_profile

    rows = getattr(p.factors, name)
    if name == "grid" and not rows:
        return
    unit = "kgce_per_kwh" if name == "coal" else "kgco2_per_kwh"
    if rows[0].from_year > p.first_year:
        yield (
            f"factors.{name}[0].from",
            f"{rows[0].from_year} is after the first year {p.first_year}: "
            "the factors must cover every year",
        )
    for i, (a, b) in enumerate(pairwise(rows), start=1):
        if b.from_year <= a.from_year:
            yield (
                f"factors.{name}[{i}].from",
                f"{b.from_year} is not after {a.from_year}: factors must be in increasing order",
            )
    known = load_profile().coal.factors if name == "coal" else load_profile().grid.factors
    for i, f in enumerate(rows):
        key = f"factors.{name}[{i}]"
        value = getattr(f, unit)
        if (f.profile is None) == (value is None):
            yield key, f"give {unit} (with source and status) or profile = a factor's name"
        elif f.profile is not None and f.profile not in known:
            yield f"{key}.profile", f"{f.profile!r} is not one of {', '.join(known)}"
        elif value is not None and (f.source is None or f.status is None):
            yield key, f"a {unit} given in the plan needs its source and status"


def _check_distribution(key: str, d: Distribution):
    needed = DISTRIBUTIONS[d.distribution]
    for name in ("value", "low", "mode", "high", "mean", "sd", "median", "sigma"):
        given = getattr(d, name) is not None
        if name in needed and not given:
            yield f"{key}.{name}", f"a {d.distribution} distribution needs {', '.join(needed)}"
        elif name not in needed and given:
            yield f"{key}.{name}", f"not a parameter of a {d.distribution} distribution"
    if any(getattr(d, n) is None for n in needed):
        return
    x = dict(zip(needed, d.params()))
    if any(v < 0 or not math.isfinite(v) for v in x.values()):
        yield key, "parameters are multipliers: finite and >= 0"
    elif d.distribution == "uniform" and x["low"] > x["high"]:
        yield f"{key}.high", f"{x['high']:g} is below low = {x['low']:g}"
    elif d.distribution == "triangular" and not x["low"] <= x["mode"] <= x["high"]:
        yield f"{key}.mode", "low <= mode <= high"
    elif d.distribution == "lognormal" and x["median"] <= 0:
        yield f"{key}.median", "must be > 0"
