"""The rules of a plan file beyond the types of its fields (see ``README.md``).

:func:`check` yields ``(key, message)`` for every rule a validated plan breaks: promotion
years in order and without gaps, shares summing to 1, a deemed intensity given once, the
parameters of each distribution, factors covering the first year, and the like.
"""

from __future__ import annotations

import math
from itertools import pairwise

from motorsub import i18n, vocab
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
    """Yield (key, message) for every rule the plan breaks beyond field types (the message
    in the language spoken, :func:`motorsub.i18n.speaking`)."""
    _ = i18n.translator()
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
                _("{year} lies outside the projection {first}-{until}").format(
                    year=t.year, first=p.first_year, until=p.until
                ),
            )
    for name in UNCERTAIN:
        d = getattr(p.uncertainty, name)
        if d is not None:
            yield from _check_distribution(f"uncertainty.{name}", d)
    if len(set(p.schemes.without)) != len(p.schemes.without):
        yield "schemes.without", _("a component is listed twice")


def _regions() -> tuple[str, ...]:
    return (*vocab.regions(), WHOLE_COUNTRY)


def _check_years(p: Plan):
    _ = i18n.translator()
    try:
        p.sale_date(2001)  # not a leap year: 02-29 is refused
    except ValueError:
        yield (
            "promotion.sale_date_in_year",
            _("{day!r} is not a day of every year (MM-DD)").format(
                day=p.promotion.sale_date_in_year
            ),
        )
    years = p.promotion.years
    for i, (a, b) in enumerate(pairwise(years), start=1):
        if b.year <= a.year:
            yield (
                f"promotion.years[{i}].year",
                _(
                    "{year} is not after {before}: promotion years must be in increasing order"
                ).format(year=b.year, before=a.year),
            )
        elif b.year != a.year + 1:
            yield (
                f"promotion.years[{i}].year",
                _(
                    "a gap between {a} and {b}: list every year (kw = 0 for a year without "
                    "promotion)"
                ).format(a=a.year, b=b.year),
            )
    if p.until < years[-1].year:
        yield (
            "until",
            _("{until} is before the last promotion year {year}").format(
                until=p.until, year=years[-1].year
            ),
        )
    elif p.until - p.first_year + 1 > MAX_YEARS:
        yield "until", _("a projection of more than {n} years").format(n=MAX_YEARS)
    total = p.promotion.total
    if total is not None:
        s = math.fsum(y.kw for y in years)
        if abs(s - total.kw) > _KW_TOLERANCE:
            yield (
                "promotion.total.kw",
                _("the years sum to {sum:,.0f} kW, not the total {total:,.0f} kW").format(
                    sum=s, total=total.kw
                ),
            )
    if p.region not in _regions():
        yield (
            "region",
            _("unknown region {region!r} (ISO 3166-2 code such as 'CN-SH', or 'CN')").format(
                region=p.region
            ),
        )


def _check_mix(p: Plan):
    _ = i18n.translator()
    m = p.mix
    if (m.lines is None) == (m.records is None):
        yield (
            "mix",
            _("give either mix.lines (shares) or mix.records (a file), not both or neither"),
        )
        return
    if m.records is not None:
        if m.source is None or m.status is None:
            yield "mix", _("a records mix needs its source and status")
        if not p.path(m.records).exists():
            yield "mix.records", _("no such file {path!r}").format(path=str(p.path(m.records)))
        return
    if not m.lines:
        yield "mix.lines", _("at least one line")
        return
    if m.source is not None or m.status is not None:
        yield "mix", _("source and status belong to each line of mix.lines")
    total = math.fsum(x.share for x in m.lines)
    if abs(total - 1.0) > _SHARE_TOLERANCE:
        yield "mix.lines", _("the shares sum to {total:.6g}, not 1").format(total=total)
    for i, x in enumerate(m.lines):
        key = f"mix.lines[{i}]"
        if x.motor_type == "lv_async" and x.grade is None:
            yield f"{key}.grade", _("an lv_async line needs its GB 18613 grade (1-3)")
        if x.band is not None and not x.band.contains(x.kw):
            yield (
                f"{key}.kw",
                _("{kw:g} kW lies outside the line's band {band}").format(kw=x.kw, band=x.band),
            )
        if x.old_kw is not None and not x.trade_in:
            yield f"{key}.old_kw", _("old_kw is for a trade-in line (trade_in = true)")
        if x.old_efficiency is not None and not x.trade_in:
            yield f"{key}.old_efficiency", _("old_efficiency is for a trade-in line")
        if x.old_series is not None and x.old_series not in BASELINE_SERIES:
            yield (
                f"{key}.old_series",
                _("{value!r} is not one of {values}").format(
                    value=x.old_series, values=", ".join(BASELINE_SERIES)
                ),
            )
        if x.region is not None and x.region not in _regions():
            yield f"{key}.region", _("unknown region {region!r}").format(region=x.region)


def _check_savings(p: Plan):
    _ = i18n.translator()
    s = p.savings
    if s.mode == "deemed":
        if s.deemed is None:
            yield "savings.deemed", _("a deemed plan needs [savings.deemed]")
    elif s.physical is None or s.physical.hours is None or s.physical.load is None:
        yield "savings.physical", _("a physical plan needs [savings.physical] hours and load")
    d = s.deemed
    if d is not None:
        ratio = d.kwh_per_year is not None or d.kw is not None
        if (d.kwh_per_kw_year is not None) == ratio:
            yield (
                "savings.deemed",
                _("give kwh_per_kw_year, or kwh_per_year and kw (a published ratio), not both"),
            )
        elif ratio and (d.kwh_per_year is None or d.kw is None):
            yield "savings.deemed", _("the ratio form needs both kwh_per_year and kw")
    b = s.physical.old_baseline if s.physical else None
    if b is not None and b.series not in BASELINE_SERIES:
        yield (
            "savings.physical.old_baseline.series",
            _("{value!r} is not one of {values}").format(
                value=b.series, values=", ".join(BASELINE_SERIES)
            ),
        )


def _check_life(life: Life):
    _ = i18n.translator()
    if life.kind == "fixed":
        if life.years is None:
            yield "life.years", _("a fixed life needs years")
        if life.shape is not None or life.scale is not None:
            yield "life", _("shape and scale belong to a Weibull life (kind = 'weibull')")
    else:
        if life.shape is None or life.scale is None:
            yield "life", _("a Weibull life needs shape and scale [yr]")
        if life.years is not None:
            yield "life.years", _("years belongs to a fixed life (kind = 'fixed')")


def _check_factors(p: Plan, name: str):
    from motorsub.model.profile import load_profile

    _ = i18n.translator()
    rows = getattr(p.factors, name)
    if name == "grid" and not rows:
        return
    unit = "kgce_per_kwh" if name == "coal" else "kgco2_per_kwh"
    if rows[0].from_year > p.first_year:
        yield (
            f"factors.{name}[0].from",
            _("{year} is after the first year {first}: the factors must cover every year").format(
                year=rows[0].from_year, first=p.first_year
            ),
        )
    for i, (a, b) in enumerate(pairwise(rows), start=1):
        if b.from_year <= a.from_year:
            yield (
                f"factors.{name}[{i}].from",
                _("{year} is not after {before}: factors must be in increasing order").format(
                    year=b.from_year, before=a.from_year
                ),
            )
    known = load_profile().coal.factors if name == "coal" else load_profile().grid.factors
    for i, f in enumerate(rows):
        key = f"factors.{name}[{i}]"
        value = getattr(f, unit)
        if (f.profile is None) == (value is None):
            yield (
                key,
                _("give {unit} (with source and status) or profile = a factor's name").format(
                    unit=unit
                ),
            )
        elif f.profile is not None and f.profile not in known:
            yield (
                f"{key}.profile",
                _("{value!r} is not one of {values}").format(
                    value=f.profile, values=", ".join(known)
                ),
            )
        elif value is not None and (f.source is None or f.status is None):
            yield key, _("a {unit} given in the plan needs its source and status").format(unit=unit)


def _check_distribution(key: str, d: Distribution):
    _ = i18n.translator()
    needed = DISTRIBUTIONS[d.distribution]
    for name in ("value", "low", "mode", "high", "mean", "sd", "median", "sigma"):
        given = getattr(d, name) is not None
        if name in needed and not given:
            yield (
                f"{key}.{name}",
                _("a {kind} distribution needs {names}").format(
                    kind=d.distribution, names=", ".join(needed)
                ),
            )
        elif name not in needed and given:
            yield (
                f"{key}.{name}",
                _("not a parameter of a {kind} distribution").format(kind=d.distribution),
            )
    if any(getattr(d, n) is None for n in needed):
        return
    x = dict(zip(needed, d.params()))
    if any(v < 0 or not math.isfinite(v) for v in x.values()):
        yield key, _("parameters are multipliers: finite and >= 0")
    elif d.distribution == "uniform" and x["low"] > x["high"]:
        yield (
            f"{key}.high",
            _("{high:g} is below low = {low:g}").format(high=x["high"], low=x["low"]),
        )
    elif d.distribution == "triangular" and not x["low"] <= x["mode"] <= x["high"]:
        yield f"{key}.mode", _("low <= mode <= high")
    elif d.distribution == "lognormal" and x["median"] <= 0:
        yield f"{key}.median", _("must be > 0")
