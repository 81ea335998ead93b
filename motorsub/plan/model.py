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
from pathlib import Path
from typing import Annotated, Literal

import pydantic
from pydantic import Field

from motorsub import vocab
from motorsub.errors import SchemeError
from motorsub.model.schemes import Band
from motorsub.model.strict import Status, Strict

MotorType = vocab.MotorType
Kind = vocab.Kind
Year = Annotated[int, Field(ge=1900, le=2200)]
Kw = Annotated[float, Field(gt=0, le=vocab.MAX_KW)]
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
    poles: vocab.Poles | None = None
    efficiency: Pct | None = None
    old_efficiency: Pct | None = None
    old_series: str | None = None
    hours: Annotated[float, Field(ge=0, le=vocab.HOURS_PER_YEAR_MAX)] | None = None
    load: Annotated[float, Field(ge=0, le=vocab.LOAD_MAX)] | None = None
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
    value: Annotated[float, Field(ge=0, le=vocab.HOURS_PER_YEAR_MAX)]


class Load(_Sourced):
    value: Annotated[float, Field(ge=0, le=vocab.LOAD_MAX)]


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


class Elasticity(_Sourced):
    """Price elasticity of uptake [-]: % change of kW promoted per % change of net price."""

    value: Annotated[float, Field(ge=-10, le=10)]


class Price(_Sourced):
    """List price of a promoted kW before any subsidy [CNY/kW]."""

    value: Annotated[float, Field(gt=0, le=1_000_000)]


class Uptake(Strict):
    """How the kW promoted answer to the subsidy (see README, ``[uptake]``).

    The kW of ``[promotion]`` are those expected with every component of the schemes in
    use paid; a component left out (``schemes.without``) raises the net price
    ``price − subsidy`` and the kW of a year become ``kW × (net / net_reference)^elasticity``.
    """

    elasticity: Elasticity
    price_cny_per_kw: Price
    note: str | None = None


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
    uptake: Uptake | None = None

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
