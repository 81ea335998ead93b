"""Subsidy programmes as data: the TOML scheme format, its strict validation, and loading.

A scheme is one programme in one ``*.toml`` file. Its *components* say who is paid, on
which power basis, and which lines are eligible; its *versions* say, for each period in
force, the rate of each component by motor type, power band and grade. Every rate and date
carries its source and status; a rate that no source gives is written without
``cny_per_kw`` and yields ``NO_RATE``. The format is described field by field in
``schemes/README.md``.

Loading is strict: unknown or duplicate keys, malformed dates or bands, overlapping bands,
gaps between bands or versions, negative rates and dates out of order are errors
(:class:`~motorsub.errors.SchemeError`) whose message names the file and the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Annotated

import pydantic
from pydantic import BeforeValidator, Field

from motorsub import data, i18n, vocab
from motorsub.errors import SchemeError
from motorsub.model.intervals import ANY_POWER, Interval
from motorsub.model.strict import Status, Strict, problems

RESERVED_COMPONENT_IDS = frozenset({"total"})  # subsidy_total is the output's line total
MotorType = vocab.MotorType
Kind = vocab.Kind
Grade = Annotated[int, Field(ge=1, le=3)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


def _interval(value: object) -> Interval:
    if isinstance(value, Interval):
        return value
    if not isinstance(value, str):
        _ = i18n.translator()
        raise ValueError(_("a power band is a string such as '[0.55, 22]'"))
    return Interval.parse(value)


Band = Annotated[Interval, BeforeValidator(_interval)]


class Document(Strict):
    """A notice or rule the scheme encodes."""

    id: Ident
    number: str
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None


class Filter(Strict):
    """Which lines a component speaks to; on other lines it is silent (no reason code)."""

    regions: list[str] | None = None
    kinds: list[Kind] | None = None
    motor_types: list[MotorType] | None = None
    trade_in: bool | None = None


class ScopeEntry(Strict):
    """One eligible (kind, motor type): its power interval and worst grade allowed."""

    kind: Kind
    motor_type: MotorType
    kw: Band = ANY_POWER
    worst_grade: Grade | None = None
    source: str
    status: Status


class Eligibility(Strict):
    """Conditions that, when failed, give a reason code."""

    regions: list[str] | None = None
    trade_in_required: bool = False
    scope: list[ScopeEntry] = Field(min_length=1)


class Component(Strict):
    """One amount paid per line: ``amount = rate × basis kW × units``."""

    id: Ident
    title: str
    payee: vocab.Payee
    budget: vocab.Budget
    basis: vocab.Basis
    applies_to: Filter = Filter()
    eligibility: Eligibility


class RateRange(Strict):
    """The range a notice gives for rates it does not split [CNY/kW]: a bound on the cell.

    The audit checks a claim on a cell without a rate against it (``RATE_OUT_OF_RANGE``).
    """

    low: float = Field(ge=0)
    high: float = Field(ge=0)
    source: str
    status: Status


class Rate(Strict):
    """One cell of a rate table [CNY/kW]; absent ``cny_per_kw`` means no source gives it."""

    component: Ident
    motor_type: MotorType | None = None
    kw: Band = ANY_POWER
    grades: list[Grade] | None = None
    cny_per_kw: float | None = Field(default=None, ge=0)
    cny_per_kw_range: RateRange | None = None
    source: str
    status: Status
    note: str | None = None


class Version(Strict):
    """A period in force (``from`` and ``until`` are both days in force) with its rates."""

    id: str
    in_force_from: dt.date = Field(alias="from")
    in_force_until: dt.date | None = Field(default=None, alias="until")
    documents: list[str] = []
    source: str
    status: Status
    rates: list[Rate] = []


class Scheme(Strict):
    """A subsidy programme: identity, documents, components and versions."""

    id: Ident
    title: str
    authority: str
    documents: list[Document] = Field(min_length=1)
    components: list[Component] = Field(min_length=1)
    versions: list[Version] = Field(min_length=1)

    _source_file: str = pydantic.PrivateAttr(default="<memory>")

    @property
    def source_file(self) -> str:
        """The file the scheme was read from."""
        return self._source_file


def _invalid(source: str, found: list[tuple[str, str]]) -> SchemeError:
    lines = [f"{source}: {key}: {msg}" for key, msg in found[:10]]
    _ = i18n.translator()
    return SchemeError(_("invalid scheme") + "\n  " + "\n  ".join(lines))


def parse_scheme(data: dict, source: str = "<memory>") -> Scheme:
    """Validate a scheme given as a dict (a parsed TOML file).

    Raises
    ------
    SchemeError
        Naming ``source`` and the key of the first problems found.
    """
    try:
        scheme = Scheme.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _invalid(source, problems(exc)) from None
    found = list(_check(scheme))
    if found:
        raise _invalid(source, found)
    scheme._source_file = source
    return scheme


def load_scheme(path: str | Path) -> Scheme:
    """Read and validate one scheme file.

    Raises
    ------
    SchemeError
        If the file cannot be read, is not TOML, or breaks a rule of the format.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _ = i18n.translator()
        raise SchemeError(
            _("{path}: cannot read the scheme file: {reason}").format(path=path, reason=exc)
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _ = i18n.translator()
        raise SchemeError(
            _("{path}: not valid TOML: {reason}").format(path=path, reason=exc)
        ) from None
    return parse_scheme(data, str(path))


def _check(s: Scheme):
    """Yield (key, message) for every rule the scheme breaks beyond field types."""
    _ = i18n.translator()
    known_regions = set(vocab.regions())
    doc_ids = {d.id for d in s.documents}
    comp = {c.id: c for c in s.components}
    yield from _duplicates("documents", [d.id for d in s.documents])
    yield from _duplicates("components", [c.id for c in s.components])
    yield from _duplicates("versions", [v.id for v in s.versions])
    for i, c in enumerate(s.components):
        key = f"components[{i}]"
        if c.id in RESERVED_COMPONENT_IDS:
            yield (
                f"{key}.id",
                _("{id!r} is reserved: subsidy_{name} is the sum of all components").format(
                    id=c.id, name=c.id
                ),
            )
        for where, regions in (
            ("applies_to.regions", c.applies_to.regions),
            ("eligibility.regions", c.eligibility.regions),
        ):
            for r in regions or []:
                if r not in known_regions:
                    yield (
                        f"{key}.{where}",
                        _("unknown region {region!r} (ISO 3166-2 code, e.g. 'CN-SH')").format(
                            region=r
                        ),
                    )
        if c.basis == "old_kw" and not c.eligibility.trade_in_required:
            yield f"{key}.basis", _("a component paid on old_kw needs trade_in_required = true")
        seen = set()
        for j, e in enumerate(c.eligibility.scope):
            if (e.kind, e.motor_type) in seen:
                yield (
                    f"{key}.eligibility.scope[{j}]",
                    _("({kind}, {motor_type}) appears twice in the scope").format(
                        kind=e.kind, motor_type=e.motor_type
                    ),
                )
            seen.add((e.kind, e.motor_type))
    for i, v in enumerate(s.versions):
        key = f"versions[{i}]"
        if v.in_force_until is not None and v.in_force_until < v.in_force_from:
            yield (
                f"{key}.until",
                _("{until} is before from = {start}").format(
                    until=v.in_force_until, start=v.in_force_from
                ),
            )
        if i + 1 < len(s.versions):
            nxt = s.versions[i + 1]
            if v.in_force_until is None:
                yield f"{key}.until", _("only the last version may be open-ended")
            elif nxt.in_force_from <= v.in_force_until:
                yield (
                    f"versions[{i + 1}].from",
                    _(
                        "{start} is not after the previous version's until {until}: versions "
                        "must be in order without overlap"
                    ).format(start=nxt.in_force_from, until=v.in_force_until),
                )
            elif nxt.in_force_from != v.in_force_until + dt.timedelta(days=1):
                yield (
                    f"versions[{i + 1}].from",
                    _(
                        "a gap between {until} and {start}: versions must follow each other "
                        "day by day"
                    ).format(until=v.in_force_until, start=nxt.in_force_from),
                )
        for d in v.documents:
            if d not in doc_ids:
                yield (
                    f"{key}.documents",
                    _("unknown document {id!r} (known: {known})").format(
                        id=d, known=sorted(doc_ids)
                    ),
                )
        for j, r in enumerate(v.rates):
            if r.component not in comp:
                yield (
                    f"{key}.rates[{j}].component",
                    _("unknown component {id!r} (known: {known})").format(
                        id=r.component, known=sorted(comp)
                    ),
                )
            elif (
                r.cny_per_kw is not None
                and abs(r.cny_per_kw * 100 - round(r.cny_per_kw * 100)) > 1e-6
            ):
                yield (
                    f"{key}.rates[{j}].cny_per_kw",
                    _("a rate must be a whole number of fen per kW"),
                )
            elif r.cny_per_kw is not None and r.cny_per_kw > 100_000:
                yield (
                    f"{key}.rates[{j}].cny_per_kw",
                    _("a rate above 100000 CNY/kW is not credible"),
                )
            yield from _check_range(f"{key}.rates[{j}]", r)
        yield from _check_bands(key, v, comp)


def _whole_fen(x: float) -> bool:
    return abs(x * 100 - round(x * 100)) <= 1e-6


def _check_range(key: str, r: Rate):
    """A rate range: whole fen, low <= high, and the cell's own rate (if any) inside it."""
    g = r.cny_per_kw_range
    if g is None:
        return
    _ = i18n.translator()
    where = f"{key}.cny_per_kw_range"
    if not (_whole_fen(g.low) and _whole_fen(g.high)):
        yield where, _("the ends of a range must be whole numbers of fen per kW")
    elif g.high < g.low:
        yield f"{where}.high", _("{high:g} is below low = {low:g}").format(high=g.high, low=g.low)
    elif g.high > 100_000:
        yield f"{where}.high", _("a rate above 100000 CNY/kW is not credible")
    elif r.cny_per_kw is not None and not g.low <= r.cny_per_kw <= g.high:
        yield (
            f"{key}.cny_per_kw",
            _("{rate:g} lies outside the cell's range {low:g}-{high:g} CNY/kW").format(
                rate=r.cny_per_kw, low=g.low, high=g.high
            ),
        )


def _duplicates(key: str, ids: list[str]):
    seen = set()
    for i, x in enumerate(ids):
        if x in seen:
            _ = i18n.translator()
            yield f"{key}[{i}].id", _("duplicate id {id!r}").format(id=x)
        seen.add(x)


def _grade_keys(component: Component, motor_type: str) -> list[int | None]:
    """The grades a rate table must cover for one motor type (None: a line without grade)."""
    worst = [
        e.worst_grade
        for e in component.eligibility.scope
        if e.motor_type == motor_type and e.worst_grade is not None
    ]
    return list(range(1, max(worst) + 1)) if worst else [None]


def _check_bands(key: str, v: Version, comp: dict[str, Component]):
    """Bands of one version: no overlap, no gap, and they cover the component's scope."""
    _ = i18n.translator()
    for cid, c in comp.items():
        cells = [(j, r) for j, r in enumerate(v.rates) if r.component == cid]
        if not cells:
            continue
        for mt in sorted({e.motor_type for e in c.eligibility.scope}):
            mine = [(j, r) for j, r in cells if r.motor_type in (None, mt)]
            scopes = [e.kw for e in c.eligibility.scope if e.motor_type == mt]
            hull = Interval(
                min(i.lo for i in scopes),
                max(i.hi for i in scopes),
                any(i.lo_closed and i.lo == min(x.lo for x in scopes) for i in scopes),
                any(i.hi_closed and i.hi == max(x.hi for x in scopes) for i in scopes),
            )
            for g in _grade_keys(c, mt):
                band = [(j, r) for j, r in mine if r.grades is None or (g in r.grades)]
                band.sort(key=lambda jr: (jr[1].kw.lo, not jr[1].kw.lo_closed))
                label = f"{cid} {mt}" + (_(" grade {grade}").format(grade=g) if g else "")
                for (ja, a), (jb, b) in pairwise(band):
                    if a.kw.overlaps(b.kw):
                        yield (
                            f"{key}.rates[{jb}].kw",
                            _("band {band} overlaps {other} of rates[{j}] for {label}").format(
                                band=b.kw, other=a.kw, j=ja, label=label
                            ),
                        )
                    elif not a.kw.meets(b.kw):
                        yield (
                            f"{key}.rates[{jb}].kw",
                            _(
                                "a gap between {other} (rates[{j}]) and {band} for {label}: "
                                "bands must meet end to end"
                            ).format(other=a.kw, j=ja, band=b.kw, label=label),
                        )
                if not band:
                    yield (
                        f"{key}.rates",
                        _("no rate cell (even an unknown one) for {label}").format(label=label),
                    )
                elif not (
                    Interval(
                        band[0][1].kw.lo,
                        band[-1][1].kw.hi,
                        band[0][1].kw.lo_closed,
                        band[-1][1].kw.hi_closed,
                    ).covers(hull)
                ):
                    yield (
                        f"{key}.rates",
                        _(
                            "the bands of {label} do not cover its scope {scope}; write the "
                            "missing cells without cny_per_kw if no source gives their rate"
                        ).format(label=label, scope=hull),
                    )


# --------------------------------------------------------------------------------------
# finding and loading the shipped and the user's schemes


def default_scheme_dir() -> Path:
    """The schemes shipped with motorsub.

    In a wheel they are packaged as ``motorsub/data/schemes``; in a source checkout (an
    editable install) they are the repository's top-level ``schemes/`` folder
    (:func:`motorsub.data.schemes_dir`).
    """
    return data.schemes_dir()


@dataclass(frozen=True)
class SchemeSet:
    """The schemes in force for a run, in a fixed order (by scheme id)."""

    schemes: tuple[Scheme, ...]

    @cached_property
    def components(self) -> tuple[tuple[Scheme, Component], ...]:
        return tuple((s, c) for s in self.schemes for c in s.components)

    def scheme(self, scheme_id: str) -> Scheme:
        for s in self.schemes:
            if s.id == scheme_id:
                return s
        _ = i18n.translator()
        raise SchemeError(
            _("no scheme {id!r}; loaded: {loaded}").format(
                id=scheme_id, loaded=", ".join(s.id for s in self.schemes)
            )
        )


def _scheme_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.toml"))
    if path.is_file():
        return [path]
    _ = i18n.translator()
    raise SchemeError(_("{path}: no such scheme file or folder").format(path=path))


def load_schemes(
    paths: str | Path | Iterable[str | Path] | None = None, *, defaults: bool = True
) -> SchemeSet:
    """Load the shipped schemes, then add or override them with the user's.

    Parameters
    ----------
    paths : path or list of paths, optional
        Scheme files or folders of ``*.toml`` files. A scheme whose ``id`` equals a
        shipped one replaces it.
    defaults : bool
        Start from the shipped schemes (``True``) or from none.

    Raises
    ------
    SchemeError
        An invalid file, or two components with the same id.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: dict[str, Scheme] = {}
    sources = ([default_scheme_dir()] if defaults else []) + [Path(p) for p in paths or []]
    for source in sources:
        for f in _scheme_files(source):
            s = load_scheme(f)
            found[s.id] = s
    if not found:
        _ = i18n.translator()
        raise SchemeError(_("no scheme loaded: give --schemes a folder of *.toml files"))
    schemes = tuple(found[k] for k in sorted(found))
    owner: dict[str, str] = {}
    for s in schemes:
        for c in s.components:
            if c.id in owner:
                _ = i18n.translator()
                raise SchemeError(
                    _(
                        "{file}: components: id {id!r} is also a component of scheme "
                        "{scheme!r}; component ids must be unique across schemes"
                    ).format(file=s.source_file, id=c.id, scheme=owner[c.id])
                )
            owner[c.id] = s.id
    return SchemeSet(schemes)
