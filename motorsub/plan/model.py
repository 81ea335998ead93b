"""The plan file: a multi-year promotion plan as TOML, its strict validation, and loading.

A plan states the years and the kW promoted in each, the mix of what is promoted (shares
of representative lines, or a records file whose lines stand for the mix), the savings
assumptions (deemed kWh per kW per year, or physical hours, load and efficiencies through
the savings kernel), the life of a promoted motor, coal and grid factors by year, the
schemes that pay, published targets to compare against, and the spread of the uncertain
assumptions. Every figure carries its ``source`` and ``status``. The format is described
key by key in ``motorsub/plan/README.md``.

Loading is strict, as for schemes: unknown keys, negative kW, shares that do not sum to 1,
years out of order or with gaps, factors that do not cover the first year, and the like
are errors (:class:`PlanError`, exit code 3) whose message names the file and the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import pydantic
from pydantic import Field

from motorsub import records
from motorsub._strict import Status, Strict, error_key
from motorsub.errors import InputError, SchemeError
from motorsub.schemes import Band

MotorType = Literal["lv_async", "hv_async", "pm_sync"]
Kind = Literal["new", "reman"]
Year = Annotated[int, Field(ge=1900, le=2200)]
Kw = Annotated[float, Field(gt=0, le=records.MAX_KW)]
Pct = Annotated[float, Field(gt=0, le=100)]

#: The plan-level region standing for the whole country: regional components do not apply.
WHOLE_COUNTRY = "CN"
#: A projection runs at most this many years (the kernels' work grows with its square).
MAX_YEARS = 200
#: What a ``[[targets]]`` entry may compare against (see README).
TARGET_QUANTITIES = (
    "kw_promoted",
    "kw_in_service",
    "kwh_per_year",
    "tce_per_year",
    "tco2_per_year",
)
#: The assumptions ``[uncertainty]`` may spread, each as a multiplier on its central value.
UNCERTAIN = ("hours", "load", "efficiency_gain", "life")
#: Parameters of each distribution, in the order the Monte-Carlo kernel reads them.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}
_MAX_BASE_DEPTH = 5


class PlanError(SchemeError):
    """A plan file is invalid; the message names the file and the key (exit code 3)."""


class _Sourced(Strict):
    source: str
    status: Status
    note: str | None = None


class Document(Strict):
    """A plan, notice or article the plan encodes."""

    id: str
    citation: str
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None


class PromotionYear(_Sourced):
    """kW promoted in one year [kW]."""

    year: Year
    kw: Annotated[float, Field(ge=0)]


class PromotionTotal(_Sourced):
    """A published total over the promotion years [kW], checked against their sum."""

    kw: Annotated[float, Field(gt=0)]


class Promotion(Strict):
    """When and how much is promoted, and how the year of installation is counted."""

    sale_date_in_year: str = Field(pattern=r"^\d{2}-\d{2}$")
    half_year: bool
    total: PromotionTotal | None = None
    years: list[PromotionYear] = Field(min_length=1)


class MixLine(_Sourced):
    """A representative line of the mix: its share of the promoted kW and one motor."""

    label: str | None = None
    share: Annotated[float, Field(ge=0, le=1)]
    motor_type: MotorType
    kw: Kw
    band: Band | None = None
    grade: Annotated[int, Field(ge=1, le=3)] | None = None
    kind: Kind = "new"
    trade_in: bool = False
    old_kw: Kw | None = None
    poles: Literal[2, 4, 6, 8] | None = None
    efficiency: Pct | None = None
    old_efficiency: Pct | None = None
    old_series: str | None = None
    hours: Annotated[float, Field(ge=0, le=records.HOURS_PER_YEAR_MAX)] | None = None
    load: Annotated[float, Field(ge=0, le=records.LOAD_MAX)] | None = None
    region: str | None = None


class Mix(Strict):
    """Either ``lines`` (shares) or ``records`` (a file whose lines stand for the mix)."""

    lines: list[MixLine] | None = None
    records: str | None = None
    source: str | None = None
    status: Status | None = None
    note: str | None = None


class Deemed(_Sourced):
    """Deemed savings [kWh per promoted kW per year], given or as a published ratio."""

    kwh_per_kw_year: Annotated[float, Field(gt=0)] | None = None
    kwh_per_year: Annotated[float, Field(gt=0)] | None = None
    kw: Annotated[float, Field(gt=0)] | None = None

    @property
    def intensity(self) -> float:
        """kWh per promoted kW per year [kWh/(kW·yr)]."""
        if self.kwh_per_kw_year is not None:
            return self.kwh_per_kw_year
        return self.kwh_per_year / self.kw


class Hours(_Sourced):
    value: Annotated[float, Field(ge=0, le=records.HOURS_PER_YEAR_MAX)]


class Load(_Sourced):
    value: Annotated[float, Field(ge=0, le=records.LOAD_MAX)]


class Baseline(_Sourced):
    series: str


class Physical(Strict):
    """Physical assumptions: defaults for lines without their own hours and load."""

    hours: Hours | None = None
    load: Load | None = None
    old_baseline: Baseline | None = None


class Savings(Strict):
    mode: Literal["deemed", "physical"]
    deemed: Deemed | None = None
    physical: Physical | None = None


class Life(_Sourced):
    """Service life of a promoted motor: fixed years, or a Weibull survival curve."""

    kind: Literal["fixed", "weibull"]
    years: Annotated[float, Field(gt=0, le=200)] | None = None
    shape: Annotated[float, Field(gt=0, le=50)] | None = None
    scale: Annotated[float, Field(gt=0, le=200)] | None = None


class _Factor(Strict):
    from_year: Year = Field(alias="from")
    profile: str | None = None
    source: str | None = None
    status: Status | None = None
    note: str | None = None


class CoalFactor(_Factor):
    kgce_per_kwh: Annotated[float, Field(gt=0, lt=1)] | None = None


class GridFactor(_Factor):
    kgco2_per_kwh: Annotated[float, Field(gt=0, lt=2)] | None = None


class Factors(Strict):
    coal: list[CoalFactor] = Field(min_length=1)
    grid: list[GridFactor] = []


class SchemeChoice(Strict):
    """Which schemes pay: ``use`` (ids; absent: all), extra ``files``, components ``without``."""

    use: list[str] | None = None
    files: list[str] = []
    without: list[str] = []


class Target(_Sourced):
    """A published figure for one year, to set against the projection."""

    year: Year
    quantity: Literal[TARGET_QUANTITIES]  # type: ignore[valid-type]
    value: Annotated[float, Field(gt=0)]


class Distribution(_Sourced):
    """A multiplier on a central assumption [-]; 1 is the central value."""

    distribution: Literal[tuple(DISTRIBUTIONS)]  # type: ignore[valid-type]
    value: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None

    def params(self) -> tuple[float, ...]:
        """The distribution's parameters in the kernel's order."""
        return tuple(getattr(self, p) for p in DISTRIBUTIONS[self.distribution])


class Uncertainty(Strict):
    hours: Distribution | None = None
    load: Distribution | None = None
    efficiency_gain: Distribution | None = None
    life: Distribution | None = None


class Plan(Strict):
    """A promotion plan (see ``motorsub/plan/README.md``)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)
    title: str
    region: str
    until: Year
    documents: list[Document] = []
    promotion: Promotion
    mix: Mix
    savings: Savings
    life: Life
    factors: Factors
    schemes: SchemeChoice = SchemeChoice()
    targets: list[Target] = []
    uncertainty: Uncertainty = Uncertainty()

    _source_file: str = pydantic.PrivateAttr(default="<memory>")
    _folder: Path = pydantic.PrivateAttr(default_factory=Path.cwd)

    @property
    def source_file(self) -> str:
        """The file the plan was read from."""
        return self._source_file

    @property
    def folder(self) -> Path:
        """The folder paths in the plan are relative to."""
        return self._folder

    @property
    def first_year(self) -> int:
        return self.promotion.years[0].year

    @property
    def years(self) -> list[int]:
        """Every year of the projection, from the first promotion year to ``until``."""
        return list(range(self.first_year, self.until + 1))

    def sale_date(self, year: int) -> dt.date:
        """The sale date standing for the lines promoted in ``year``."""
        month, day = map(int, self.promotion.sale_date_in_year.split("-"))
        return dt.date(year, month, day)

    def path(self, relative: str) -> Path:
        """A path named in the plan, relative to the plan's folder."""
        p = Path(relative)
        return p if p.is_absolute() else self.folder / p


# ----------------------------------------------------------------------------------------
# loading


def _fail(source: str, problems: list[tuple[str, str]]) -> PlanError:
    lines = [f"{source}: {key}: {msg}" for key, msg in problems[:10]]
    return PlanError("invalid plan\n  " + "\n  ".join(lines))


def parse_plan(data: dict, source: str = "<memory>", folder: Path | None = None) -> Plan:
    """Validate a plan given as a dict (a parsed TOML file).

    Parameters
    ----------
    data : dict
        The plan's keys.
    source : str
        The file's name, for messages.
    folder : Path, optional
        The folder relative paths (``mix.records``, ``schemes.files``) start from.

    Raises
    ------
    PlanError
        Naming ``source`` and the key of the first problems found.
    """
    try:
        plan = Plan.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _fail(
            source,
            [(error_key(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()],
        ) from None
    plan._source_file = source
    plan._folder = folder if folder is not None else Path.cwd()
    from motorsub.plan.checks import check

    problems = list(check(plan))
    if problems:
        raise _fail(source, problems)
    return plan


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the plan file: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from None


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: tables merge key by key; any other value replaces."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve_base(path: Path, data: dict, depth: int = 0) -> dict:
    if "base" not in data:
        return data
    base = data.pop("base")
    if not isinstance(base, str):
        raise _fail(str(path), [("base", "a path to another plan file, as a string")])
    if depth >= _MAX_BASE_DEPTH:
        raise _fail(str(path), [("base", f"more than {_MAX_BASE_DEPTH} plans deep")])
    base_path = Path(base) if Path(base).is_absolute() else path.parent / base
    if not base_path.is_file():
        raise _fail(str(path), [("base", f"no such plan file {str(base_path)!r}")])
    return _merge(_resolve_base(base_path, _read_toml(base_path), depth + 1), data)


def load_plan(path: str | Path) -> Plan:
    """Read and validate one plan file.

    A plan may start from another with ``base = "other.toml"`` (relative to the plan):
    its tables are merged key by key, any other value (a list included) replaces.

    Raises
    ------
    InputError
        No such file (exit code 2).
    PlanError
        The file is not TOML or breaks a rule of the format (exit code 3).
    """
    path = Path(path)
    data = _resolve_base(path, _read_toml(path))
    return parse_plan(data, str(path), path.parent)
