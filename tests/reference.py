"""A slow, plain-Python reference of the subsidy rules (docs/rules.md sections 2, 3 and 7).

Written from the rule text and the validated :class:`~motorsub.model.schemes.Scheme` objects,
one record at a time, with :class:`decimal.Decimal` money. It deliberately shares nothing
with :mod:`motorsub.kernels.subsidy` (no compiled arrays, no kernel helpers), so that the property
tests can hold the fast path to it.

Per component of each scheme, the first failing check names the outcome:

1. ``applies_to`` (regions, kinds, motor types, trade-in) fails → ``NOT_APPLICABLE`` (silent);
2. no version of the scheme in force at ``sale_date`` → ``OUTSIDE_WINDOW``;
3. ``eligibility.regions`` → ``REGION_NOT_ELIGIBLE``;
4. ``trade_in_required`` without a trade-in → ``NO_TRADE_IN``;
5. no scope entry for the record's kind → ``REMAN_NO_NATIONAL`` (reman) or
   ``KIND_NOT_ELIGIBLE`` (new);
6. no scope entry for (kind, motor type) → ``TYPE_NOT_ELIGIBLE``;
7. ``kw`` outside that entry's interval → ``OUT_OF_SCOPE_KW``;
8. a worst grade set and the grade missing or worse → ``GRADE_NOT_ELIGIBLE``;
9. the first rate cell of the version (file order) for the component whose motor type and
   grades match and whose band holds the NEW motor's kW; none, or no ``cny_per_kw`` →
   ``NO_RATE``;
10. else ``PAID``: rate × basis kW (read to 1e-6 kW, half-up) × units, half-up to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from motorsub.model.schemes import Component, Rate, Scheme, SchemeSet, Version

MICRO_KW = Decimal("0.000001")
FEN = Decimal("0.01")
ZERO = Decimal("0.00")

PAID = "PAID"
NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True)
class ComponentOutcome:
    """What one component gives one line."""

    amount: Decimal  # CNY, to the fen
    outcome: str  # 'PAID', 'NOT_APPLICABLE' or a Reason name
    exact: Decimal = ZERO  # CNY before rounding to the fen
    cell: Rate | None = None  # the rate cell that paid

    @property
    def fen(self) -> int:
        return int(self.amount * 100)


@dataclass(frozen=True)
class LineOutcome:
    """What the rules give one line: per component, per scheme, and its reason names."""

    components: dict[str, ComponentOutcome]  # by component id
    versions: dict[str, str | None]  # by scheme id: id of the version in force
    reasons: frozenset[str]

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.components.values()), ZERO)


def inside(x: float, lo: float, hi: float, lo_closed: bool, hi_closed: bool) -> bool:
    """Whether ``x`` lies in the interval with the given ends."""
    if lo_closed:
        above = x >= lo
    else:
        above = x > lo
    if hi_closed:
        below = x <= hi
    else:
        below = x < hi
    return above and below


def in_band(x: float, band) -> bool:
    return inside(x, band.lo, band.hi, band.lo_closed, band.hi_closed)


def version_in_force(scheme: Scheme, day: dt.date) -> Version | None:
    """The version with ``from <= day <= until`` (an absent ``until`` is open)."""
    for v in scheme.versions:
        starts_ok = v.in_force_from <= day
        ends_ok = v.in_force_until is None or day <= v.in_force_until
        if starts_ok and ends_ok:
            return v
    return None


def applies(c: Component, rec: dict) -> bool:
    f = c.applies_to
    if f.regions is not None and rec["region"] not in f.regions:
        return False
    if f.kinds is not None and rec["kind"] not in f.kinds:
        return False
    if f.motor_types is not None and rec["motor_type"] not in f.motor_types:
        return False
    if f.trade_in is not None and bool(rec["trade_in"]) != f.trade_in:
        return False
    return True


def rate_cell(v: Version, c: Component, rec: dict) -> Rate | None:
    """The first cell of ``v`` (file order) for ``c`` matching the line, if any."""
    grade = rec["grade"]
    for r in v.rates:
        if r.component != c.id:
            continue
        if r.motor_type is not None and r.motor_type != rec["motor_type"]:
            continue
        if r.grades is None:
            grade_ok = True
        elif grade is None:
            grade_ok = False
        else:
            grade_ok = grade in r.grades
        if not grade_ok:
            continue
        if not in_band(rec["kw"], r.kw):
            continue
        return r
    return None


def exact_money(rate_cny_per_kw: float, basis_kw: float, units: int) -> Decimal:
    """rate × basis (read to 1e-6 kW, half-up) × units, exactly."""
    basis = Decimal(repr(float(basis_kw))).quantize(MICRO_KW, rounding=ROUND_HALF_UP)
    return Decimal(str(rate_cny_per_kw)) * basis * Decimal(int(units))


def money(rate_cny_per_kw: float, basis_kw: float, units: int) -> Decimal:
    """rate × basis (read to 1e-6 kW, half-up) × units, rounded half-up to the fen."""
    exact = exact_money(rate_cny_per_kw, basis_kw, units)
    return exact.quantize(FEN, rounding=ROUND_HALF_UP)


def paid(cell: Rate, basis_kw: float, units: int) -> ComponentOutcome:
    exact = exact_money(cell.cny_per_kw, basis_kw, units)
    return ComponentOutcome(exact.quantize(FEN, rounding=ROUND_HALF_UP), PAID, exact, cell)


def component_outcome(c: Component, v: Version | None, rec: dict) -> ComponentOutcome:
    """The outcome of one component on one line, checks in the order of the rules."""

    def no(reason: str) -> ComponentOutcome:
        return ComponentOutcome(ZERO, reason)

    if not applies(c, rec):
        return no(NOT_APPLICABLE)
    if v is None:
        return no("OUTSIDE_WINDOW")
    el = c.eligibility
    if el.regions is not None and rec["region"] not in el.regions:
        return no("REGION_NOT_ELIGIBLE")
    if el.trade_in_required and not rec["trade_in"]:
        return no("NO_TRADE_IN")
    of_kind = [e for e in el.scope if e.kind == rec["kind"]]
    if not of_kind:
        return no("REMAN_NO_NATIONAL" if rec["kind"] == "reman" else "KIND_NOT_ELIGIBLE")
    entries = [e for e in of_kind if e.motor_type == rec["motor_type"]]
    if not entries:
        return no("TYPE_NOT_ELIGIBLE")
    (entry,) = entries  # validation forbids a (kind, motor type) twice
    if not in_band(rec["kw"], entry.kw):
        return no("OUT_OF_SCOPE_KW")
    if entry.worst_grade is not None and (rec["grade"] is None or rec["grade"] > entry.worst_grade):
        return no("GRADE_NOT_ELIGIBLE")
    cell = rate_cell(v, c, rec)
    if cell is None or cell.cny_per_kw is None:
        return no("NO_RATE")
    if c.basis == "kw":
        return paid(cell, rec["kw"], rec["qty"])
    if c.basis == "old_kw":
        return paid(cell, rec["old_kw"], rec["old_qty"])
    raise AssertionError(f"unknown basis {c.basis!r}")


def reference_line(schemes: SchemeSet, rec: dict) -> LineOutcome:
    """Every component of every scheme on one record.

    ``rec`` holds plain Python values: ``sale_date`` (datetime.date), ``region``,
    ``motor_type``, ``kind`` (str), ``grade`` (int or None), ``trade_in`` (bool), ``kw``
    (float), ``qty`` (int), ``old_kw`` (float or None), ``old_qty`` (int).
    """
    versions: dict[str, str | None] = {}
    components: dict[str, ComponentOutcome] = {}
    for s in schemes.schemes:
        v = version_in_force(s, rec["sale_date"])
        versions[s.id] = None if v is None else v.id
        for c in s.components:
            components[c.id] = component_outcome(c, v, rec)
    reasons = frozenset(
        o.outcome for o in components.values() if o.outcome not in (PAID, NOT_APPLICABLE)
    )
    return LineOutcome(components, versions, reasons)
