"""``quote``: the subsidies of one sale line, at the counter, with why each is what it is.

A quote runs the very same validation and kernel as ``compute`` on a one-line table, then
names, for every component, its payee, rate (with source and status), basis kW, units
and amount, or the reason it pays nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from motorsub import i18n, vocab
from motorsub.engine import records
from motorsub.engine.batch import compute_batch
from motorsub.errors import InputError
from motorsub.kernels.savings import SOURCES
from motorsub.kernels.subsidy import compiled_schemes
from motorsub.model.profile import Settings, settings
from motorsub.model.schemes import SchemeSet, load_schemes
from motorsub.reasons import DESCRIPTION, NOT_APPLICABLE, PAID, Reason, names


@dataclass
class ComponentQuote:
    """One component of a quote; amounts in [CNY], rates in [CNY/kW]."""

    component: str
    scheme: str
    version: str | None
    payee: str
    budget: str
    basis: str
    basis_kw: float
    units: int
    rate_cny_per_kw: float | None
    rate_status: str | None
    rate_source: str | None
    amount: float
    reason: str | None
    explanation: str | None
    #: the version in force: its status and source (e.g. an end date that is inferred)
    version_status: str | None = None
    version_source: str | None = None
    version_until: str | None = None
    #: the lines the component speaks to (``NOT_APPLICABLE`` elsewhere)
    applies_to: dict = field(default_factory=dict)
    #: the scope entry of the line's kind and motor type: its status and source
    scope_status: str | None = None
    scope_source: str | None = None


@dataclass
class SavingsQuote:
    """What the line saves per year, and what was assumed (flags)."""

    eta_new: float | None  # [%]
    eta_new_source: str
    eta_old: float | None  # [%]
    eta_old_source: str
    efficiency_at: str  # 'rated' or 'part_load'
    kwh_per_year: float | None
    tce_per_year: float | None
    tco2_per_year: float | None
    coal_factor: dict
    grid_factor: str
    bill_saving_per_year: float | None  # [CNY/yr] at the tariff
    payback_years: float | None  # net price / bill saving
    flags: list[str]
    hours: float | None = None  # [h/yr] used: the line's, else the settings'
    load: float | None = None  # [-] used, a share of the new motor's rating
    tariff: float | None = None  # [CNY/kWh]
    #: the codes behind the sources (``declared``, ``grade_minimum``, ...; "" unknown) and
    #: the GB 18613 edition in force, for words in another language
    eta_new_code: str = ""
    eta_old_code: str = ""
    edition: str = ""


@dataclass
class Quote:
    """The subsidies and savings of one sale line."""

    line: dict
    components: list[ComponentQuote] = field(default_factory=list)
    total: float = 0.0
    net_price: float | None = None
    savings: SavingsQuote | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Problem:
    """One value a quote cannot take: the parameter (``date`` for the sale date), a code
    (``MISSING_<COLUMN>``, ``BAD_<COLUMN>``, ``OLD_WITHOUT_TRADE_IN``, ``UNKNOWN_OLD_SERIES``)
    and the value given."""

    field: str
    code: str
    value: object = None


class QuoteError(InputError):
    """The values of a quote that cannot be priced, every one of them (:attr:`problems`)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        _ = i18n.translator()
        super().__init__(
            _("quote: the line cannot be priced:")
            + "\n  "
            + "\n  ".join(map(_problem_text, problems))
        )


#: the old motor's values, which count only on a trade-in
OLD_FIELDS = ("old_kw", "old_qty", "old_efficiency", "old_series", "old_poles")


def _given(v) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def quote(
    *,
    motor_type: str,
    kw: float,
    region: str,
    date: dt.date | str,
    grade: int | None = None,
    kind: str = "new",
    qty: int = 1,
    trade_in: bool = False,
    old_kw: float | None = None,
    old_qty: int | None = None,
    price: float | None = None,
    poles: int | None = None,
    efficiency: float | None = None,
    old_efficiency: float | None = None,
    old_series: str | None = None,
    old_poles: int | None = None,
    hours: float | None = None,
    load: float | None = None,
    schemes: SchemeSet | str | Path | list | None = None,
    savings: Settings | None = None,
) -> Quote:
    """Price one sale line and say what it saves.

    Parameters
    ----------
    motor_type : {'lv_async', 'hv_async', 'pm_sync'}
    kw : float
        Rated output of one new or remanufactured motor [kW].
    region : str
        ISO 3166-2 code of the place of use, e.g. ``'CN-SH'``.
    date : datetime.date or str
        Invoice date (``YYYY-MM-DD``); picks the scheme versions.
    grade : int, optional
        GB 18613 grade (1 is best); required for ``lv_async``.
    kind : {'new', 'reman'}
    qty : int
        Identical motors on the line.
    trade_in : bool
        An old motor was handed to an authorised recycler.
    old_kw : float, optional
        Rated output of one old motor handed in [kW]; required with ``trade_in``.
    old_qty : int, optional
        Old motors handed in; defaults to ``qty``.
    price : float, optional
        List price of one new motor before any subsidy [CNY].
    poles, efficiency, old_efficiency, old_series, old_poles, hours, load : optional
        As the record columns of the same names ([%], [h/yr], fraction of rating).
    savings : Settings, optional
        Savings assumptions (:func:`motorsub.model.profile.settings`): coal and grid factors,
        part load, tariff [CNY/kWh].

    Raises
    ------
    InputError
        A value the contract does not accept; the message names the option.

    Examples
    --------
    >>> q = quote(motor_type="lv_async", kw=15, grade=2, region="CN-JS", date="2010-09-01")
    >>> q.total
    525.0
    """
    schemes = schemes if isinstance(schemes, SchemeSet) else load_schemes(schemes)
    if isinstance(old_series, str):
        old_series = old_series.strip() or None
    line = {
        "record_id": "quote",
        "sale_date": None if date is None else str(date),
        "region": region,
        "motor_type": motor_type,
        "kw": kw,
        "qty": qty,
        "grade": grade,
        "kind": kind,
        "trade_in": trade_in,
        "old_kw": old_kw,
        "old_qty": old_qty,
        "price": price,
        "poles": poles,
        "efficiency": efficiency,
        "old_efficiency": old_efficiency,
        "old_series": old_series,
        "old_poles": old_poles,
        "hours": hours,
        "load": load,
    }
    table = pa.table(
        {k: pa.array([None if v is None else str(v)], pa.string()) for k, v in line.items()}
    )
    st = savings if savings is not None else settings()
    batch = compute_batch(table, schemes, st, source="quote")
    # a rejected line is validated once more, for every problem and its trade-in flag
    checked = records.validate(table, source="quote") if batch.reject[0] else batch
    problems = [
        Problem(_OPTION.get(c, c), p, line.get(c))
        for p in records.problem_names(checked.reject[0])
        for c in [records.problem_column(p)]
    ]
    if not checked.cols["trade_in"][0]:
        problems += [
            Problem(c, "OLD_WITHOUT_TRADE_IN", line[c]) for c in OLD_FIELDS if _given(line[c])
        ]
    if old_series is not None and str(old_series).upper() not in vocab.BASELINE_SERIES:
        problems.append(Problem("old_series", "UNKNOWN_OLD_SERIES", old_series))
    if problems:
        raise QuoteError(problems)
    cols, res, sav = batch.cols, batch.subsidy, batch.savings
    compiled = compiled_schemes(schemes)
    out = Quote(line={k: v for k, v in line.items() if k != "record_id" and v is not None})
    for ci, (s, c) in enumerate(schemes.components):
        si = schemes.schemes.index(s)
        v = int(res.version[si, 0])
        code = int(res.code[ci, 0])
        cell_i = int(res.cell[ci, 0])
        cell = compiled.cells[cell_i] if cell_i >= 0 else None
        basis_kw = float(cols["kw"][0] if c.basis == "kw" else cols["old_kw"][0])
        units = int(cols["qty"][0] if c.basis == "kw" else cols["old_qty"][0])
        reason = explanation = None
        if code == NOT_APPLICABLE:
            reason = "NOT_APPLICABLE"
            explanation = f"applies only to lines with {_filter_text(c.applies_to)}"
        elif code != PAID:
            r = Reason(code - 1)
            reason, explanation = r.name, DESCRIPTION[r]
            if cell is not None and cell.rate.note:
                explanation += f" ({cell.rate.note})"
        version = compiled.versions[v][1] if v >= 0 else None
        kind_mt = (vocab.KINDS[cols["kind"][0]], vocab.MOTOR_TYPES[cols["motor_type"][0]])
        scope = next((e for e in c.eligibility.scope if (e.kind, e.motor_type) == kind_mt), None)
        out.components.append(
            ComponentQuote(
                component=c.id,
                scheme=s.id,
                version=compiled.versions[v][1].id if v >= 0 else None,
                payee=c.payee,
                budget=c.budget,
                basis=c.basis,
                basis_kw=basis_kw if basis_kw == basis_kw else 0.0,
                units=units,
                rate_cny_per_kw=cell.rate.cny_per_kw if cell is not None else None,
                rate_status=cell.rate.status if cell is not None else None,
                rate_source=cell.rate.source if cell is not None else None,
                amount=int(res.fen[ci, 0]) / 100.0,
                reason=reason,
                explanation=explanation,
                version_status=version.status if version else None,
                version_source=version.source if version else None,
                version_until=str(version.in_force_until or "") or None if version else None,
                applies_to=c.applies_to.model_dump(exclude_none=True),
                scope_status=scope.status if scope else None,
                scope_source=scope.source if scope else None,
            )
        )
    total_fen = int(res.fen[:, 0].sum())
    out.total = total_fen / 100.0
    if price is not None:
        out.net_price = round(float(price) * int(cols["qty"][0]) - out.total, 2)
    out.savings = _savings_quote(sav, st, out.net_price, cols)
    return out


def _num(x) -> float | None:
    x = float(x)
    return None if x != x else x


def _edition_name(day) -> str:
    from motorsub.physics.efficiency import Edition, edition_at

    e = int(edition_at(np.asarray([day]))[0])
    return "no GB 18613 edition" if e < 0 else Edition(e).name.replace("GB18613_", "GB 18613-")


def _savings_quote(sav, st: Settings, net_price: float | None, cols: dict) -> SavingsQuote:
    kwh = _num(sav.kwh_per_year[0])
    bill = None if kwh is None or st.tariff != st.tariff else kwh * st.tariff
    payback = net_price / bill if bill and bill > 0 and net_price is not None else None
    described = st.describe()
    edition = _edition_name(cols["day"][0])
    src_new, src_old = SOURCES[sav.eta_new_source[0]], SOURCES[sav.eta_old_source[0]]
    if src_new == "grade_minimum":
        src_new = f"{edition} grade {cols['grade'][0]} minimum"
    if src_old == "minimum_allowed":
        src_old = f"{edition} grade 3, the minimum allowed"
    grid = _num(st.grid_by_region[cols["region"][0]])
    return SavingsQuote(
        eta_new=_num(sav.eta_new[0]),
        eta_new_source=src_new or "unknown",
        eta_old=_num(sav.eta_old[0]),
        eta_old_source=src_old or "unknown",
        efficiency_at=described["efficiency_at"],
        kwh_per_year=kwh,
        tce_per_year=_num(sav.tce_per_year[0]),
        tco2_per_year=_num(sav.tco2_per_year[0]),
        coal_factor=described["coal_factor"],
        grid_factor=(
            f"{st.grid_name}: unknown" if grid is None else f"{st.grid_name}, {grid} kgCO2/kWh"
        ),
        bill_saving_per_year=bill,
        payback_years=payback,
        flags=[x for x in names(int(sav.reasons[0])).split(";") if x],
        hours=_num(cols["hours"][0]) if _num(cols["hours"][0]) is not None else _num(st.hours),
        load=_num(cols["load"][0]) if _num(cols["load"][0]) is not None else _num(st.load),
        tariff=_num(st.tariff),
        eta_new_code=SOURCES[sav.eta_new_source[0]] or "",
        eta_old_code=SOURCES[sav.eta_old_source[0]] or "",
        edition=edition,
    )


_OPTION = {"sale_date": "date"}


def _problem_text(p: Problem) -> str:
    """One value a quote cannot take, in the language spoken (:func:`i18n.speaking`)."""
    _ = i18n.translator()
    option = "--" + p.field.replace("_", "-")
    if p.code == "OLD_WITHOUT_TRADE_IN":
        return _(
            "{option} describes the old motor, which counts only on a trade-in: add --trade-in"
        ).format(option=option)
    if p.code == "UNKNOWN_OLD_SERIES":
        return _(
            "{option} {value!r} has no baseline table; known series: {known} (or give "
            "--old-efficiency instead)"
        ).format(option=option, value=p.value, known=", ".join(vocab.BASELINE_SERIES))
    if p.code.startswith("MISSING_"):
        needed = {
            "grade": _("{option} is required for lv_async ({code})"),
            "old_kw": _("{option} is required with --trade-in ({code})"),
        }.get(p.field, _("{option} is required ({code})"))
        return needed.format(option=option, code=p.code)
    return _("{option} {value!r} is not accepted ({code})").format(
        option=option, value=p.value, code=p.code
    )


def _filter_text(f) -> str:
    parts = []
    if f.trade_in is not None:
        parts.append("a trade-in" if f.trade_in else "no trade-in")
    if f.kinds:
        parts.append("kind " + "/".join(f.kinds))
    if f.motor_types:
        parts.append("motor type " + "/".join(f.motor_types))
    if f.regions:
        parts.append("region " + "/".join(f.regions))
    return ", ".join(parts) or "any line"


# ------------------------------------------------------------------------------------
# the options side by side: a new motor, a remanufactured one, or keeping the old motor


@dataclass
class OptionQuote:
    """One option for the same duty: its subsidies, cost, yearly energy and bill.

    ``net_price`` is what the customer pays for the option [CNY]: the list price × qty
    less the subsidies for a new or remanufactured motor, the repair or rewind cost (0
    when none is given) for keeping the old motor. ``kwh_per_year`` is the energy the
    motors draw for the duty; the savings and payback are against keeping the old motor.
    """

    option: str  # 'new', 'reman' or 'keep'
    quote: Quote | None  # None for keeping the old motor: no subsidy
    subsidy_total: float
    net_price: float | None
    eta: float | None  # [%]
    eta_source: str
    kwh_per_year: float | None
    bill_per_year: float | None  # [CNY/yr]
    kwh_saved_vs_keep: float | None
    bill_saving_vs_keep: float | None  # [CNY/yr]
    payback_years: float | None  # (net price − repair cost) / bill saving
    notes: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """The options for one duty (``duty``: kW, qty, hours, load, tariff), side by side."""

    duty: dict
    options: list[OptionQuote]

    def to_dict(self) -> dict:
        return asdict(self)


#: notes on an option (codes; the words are in :mod:`motorsub.render.quote`)
NOTE_REWIND_UNCHANGED = "REWIND_ETA_UNCHANGED"  # no sourced figure for a rewind's η change
NOTE_NO_PRICE = "NO_PRICE"  # no list price given: net price and payback unknown
NOTE_NO_TARIFF = "NO_TARIFF"  # no tariff: bills and payback unknown


def _money(name: str, value) -> tuple[float | None, list[Problem]]:
    """A cost the clerk types [CNY]: empty, or a finite number ≥ 0."""
    if not _given(value):
        return None, []
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if not (x == x and 0 <= x < float("inf")):
        return None, [Problem(name, f"BAD_{name.upper()}", value)]
    return x, []


def compare(
    *, repair_cost=None, reman_price=None, savings: Settings | None = None, **line
) -> Comparison:
    """A new motor of the chosen grade, a remanufactured one, and keeping the old motor,
    for the same duty (kW, qty, hours, load), each with its subsidies, net price, yearly
    bill, savings against keeping the old motor and payback.

    ``line`` takes :func:`quote`'s parameters; the old motor is the one handed in
    (``old_kw`` defaults to ``kw``), so both new options are priced as trade-ins. The
    remanufactured motor has the grade and efficiency given for the new one, at
    ``reman_price`` [CNY] each. Keeping the old motor costs ``repair_cost`` [CNY] (a
    repair or rewind) and earns no subsidy; its efficiency is the old motor's (declared
    or from the baseline table), unchanged by a rewind, since no source in hand gives
    the change.

    Raises
    ------
    QuoteError
        Every value that cannot be taken.
    """
    repair, problems = _money("repair_cost", repair_cost)
    reman_each, more = _money("reman_price", reman_price)
    problems += more
    line = dict(line, trade_in=True)
    if not _given(line.get("old_kw")):
        line["old_kw"] = line.get("kw")
    try:
        q_new = quote(**(line | {"kind": "new"}), savings=savings)
    except QuoteError as exc:
        raise QuoteError(exc.problems + problems) from None
    if problems:
        raise QuoteError(problems)
    q_reman = quote(**(line | {"kind": "reman", "price": reman_each}), savings=savings)
    st = savings if savings is not None else settings()
    s = q_new.savings
    qty = int(line.get("qty") or 1)
    hours = float(line["hours"]) if _given(line.get("hours")) else st.hours
    load = float(line["load"]) if _given(line.get("load")) else st.load
    tariff = st.tariff
    duty_kw = qty * float(line["kw"]) * load * hours  # [kWh/yr] delivered at the shaft

    def energy(eta):
        return None if eta is None or duty_kw != duty_kw else duty_kw * 100.0 / eta

    def bill(kwh):
        return None if kwh is None or tariff != tariff else kwh * tariff

    keep_kwh = energy(s.eta_old)
    keep = OptionQuote(
        option="keep",
        quote=None,
        subsidy_total=0.0,
        net_price=repair or 0.0,
        eta=s.eta_old,
        eta_source=s.eta_old_source,
        kwh_per_year=keep_kwh,
        bill_per_year=bill(keep_kwh),
        kwh_saved_vs_keep=0.0 if keep_kwh is not None else None,
        bill_saving_vs_keep=0.0 if bill(keep_kwh) is not None else None,
        payback_years=None,
        notes=[NOTE_REWIND_UNCHANGED],
    )
    options = []
    for name, q in (("new", q_new), ("reman", q_reman)):
        kwh = energy(q.savings.eta_new)
        saved = q.savings.kwh_per_year
        saving = bill(saved)
        extra = None if q.net_price is None else q.net_price - (repair or 0.0)
        notes = [] if q.net_price is not None else [NOTE_NO_PRICE]
        options.append(
            OptionQuote(
                option=name,
                quote=q,
                subsidy_total=q.total,
                net_price=q.net_price,
                eta=q.savings.eta_new,
                eta_source=q.savings.eta_new_source,
                kwh_per_year=kwh,
                bill_per_year=bill(kwh),
                kwh_saved_vs_keep=saved,
                bill_saving_vs_keep=saving,
                payback_years=extra / saving if extra is not None and saving else None,
                notes=notes + ([NOTE_NO_TARIFF] if tariff != tariff else []),
            )
        )
    duty = {
        "kw": float(line["kw"]),
        "qty": qty,
        "hours": None if hours != hours else hours,
        "load": None if load != load else load,
        "tariff": None if tariff != tariff else tariff,
        "repair_cost": repair,
    }
    return Comparison(duty=duty, options=[*options, keep])


# ------------------------------------------------------------------------------------
# a quote from the raw values of a form or a JSON body (the web page and API)

#: a quote's parameters and their types, as a form or JSON body gives them
FIELDS: dict[str, type] = {
    "motor_type": str, "kw": float, "grade": int, "kind": str, "qty": int, "trade_in": bool,
    "old_kw": float, "old_qty": int, "region": str, "date": str, "price": float,
    "poles": int, "efficiency": float, "old_efficiency": float, "old_series": str,
    "old_poles": int, "hours": float, "load": float,
}  # fmt: skip
#: what a form adds: the tariff, and for the comparison the costs the clerk types
EXTRA_FIELDS: dict[str, type] = {"tariff": float, "repair_cost": float, "reman_price": float}
_YES = ("true", "1", "yes", "y", "t", "on", "是")  # "on": an HTML checkbox
_NO = ("false", "0", "no", "n", "f", "off", "否")


def _typed(name: str, kind: type, value) -> tuple[object, list[Problem]]:
    """``value`` as ``kind``; a value of the wrong type is a ``BAD_<NAME>`` problem (the
    ranges and closed sets are checked by the engine's validation)."""
    if not _given(value):
        return None, []
    bad = [Problem(name, f"BAD_{name.upper()}", value)]
    if kind is str:
        return str(value).strip(), []
    if kind is bool:
        if isinstance(value, bool):
            return value, []
        text = str(value).strip().lower()
        return (True, []) if text in _YES else (False, []) if text in _NO else (None, bad)
    if isinstance(value, bool):
        return None, bad
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None, bad
    if x != x or x in (float("inf"), float("-inf")):
        return None, bad
    if kind is int:
        return (int(x), []) if x.is_integer() else (None, bad)
    return x, []


def from_fields(
    values: dict, schemes: SchemeSet, profile=None, *, compare_options: bool = False
) -> Quote | Comparison:
    """A quote (or with ``compare_options`` the comparison) from the raw values of a form
    or a JSON body: the names of :data:`FIELDS` and :data:`EXTRA_FIELDS`; empty values
    are absent, unknown names ignored. The same :func:`quote` as the command line.

    Raises
    ------
    QuoteError
        Every value that cannot be taken, by parameter name.
    """
    kwargs, problems = {}, []
    for name, kind in (FIELDS | EXTRA_FIELDS).items():
        kwargs[name], bad = _typed(name, kind, values.get(name))
        problems += bad
    tariff = kwargs.pop("tariff")
    if tariff is not None and tariff < 0:
        problems.append(Problem("tariff", "BAD_TARIFF", tariff))
    extra = {k: kwargs.pop(k) for k in ("repair_cost", "reman_price")}
    kwargs["kind"] = "new" if kwargs["kind"] is None else kwargs["kind"]
    kwargs["qty"] = 1 if kwargs["qty"] is None else kwargs["qty"]
    kwargs["trade_in"] = bool(kwargs["trade_in"])
    st = settings(profile, tariff=None if problems else tariff)
    try:
        if compare_options:
            out = compare(**kwargs, **extra, savings=st, schemes=schemes)
        else:
            out = quote(**kwargs, savings=st, schemes=schemes)
    except QuoteError as exc:  # a value the form could not type is not also "missing"
        seen = {p.field for p in problems}
        more = [
            p
            for p in exc.problems
            if p.field not in seen and not (p.code == "OLD_WITHOUT_TRADE_IN" and "trade_in" in seen)
        ]
        raise QuoteError(problems + more) from None
    if problems:
        raise QuoteError(problems)
    return out
