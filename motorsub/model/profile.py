"""Savings profiles: the assumptions behind kWh, tce and CO2, as data with their sources.

The default profile is ``motorsub/data/savings_profile.toml``; ``--profile FILE`` replaces
it, and the CLI options ``--hours``, ``--load``, ``--coal-factor`` and ``--grid-factor``
override single values. Loading is as strict as for schemes (errors name file and key,
exit code 3).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

import numpy as np
import pyarrow.csv as pacsv
import pydantic
from pydantic import Field

from motorsub import data, i18n, vocab
from motorsub.errors import InputError, SchemeError
from motorsub.model.strict import Status, Strict, problems


class Hours(Strict):
    value: Annotated[float, Field(ge=0, le=vocab.HOURS_PER_YEAR_MAX)]
    source: str
    status: Status


class Load(Strict):
    value: Annotated[float, Field(ge=0, le=vocab.LOAD_MAX)]
    source: str
    status: Status


class AssumedPoles(Strict):
    value: vocab.Poles
    source: str
    status: Status


class OldBaseline(Strict):
    series: str
    source: str
    status: Status


class CoalFactor(Strict):
    kgce_per_kwh: Annotated[float, Field(gt=0, lt=1)]
    source: str
    status: Status


class Coal(Strict):
    default: str
    factors: dict[str, CoalFactor]


class GridFactor(Strict):
    kgco2_per_kwh: Annotated[float, Field(gt=0, lt=2)]
    source: str
    status: Status
    selectable_only: bool = False


class Grid(Strict):
    factors: dict[str, GridFactor] = {}


class Profile(Strict):
    """A savings profile (see ``motorsub/data/savings_profile.toml``)."""

    id: str
    title: str
    hours: Hours | None = None
    load: Load | None = None
    assumed_poles: AssumedPoles
    old_baseline: OldBaseline | None = None
    coal: Coal
    grid: Grid = Grid()


@cache
def region_grids() -> tuple[str, ...]:
    """Per region code (``vocab.regions()`` order), its regional grid ('' if none)."""
    with data.path("regions.csv").open("rb") as f:
        table = pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    grids = table.column("grid").to_pylist()
    return tuple(g or "" for g in grids)


def default_profile_path() -> Path:
    return Path(str(data.path("savings_profile.toml")))


def load_profile(path: str | Path | None = None) -> Profile:
    """Read and validate a savings profile (the shipped one by default)."""
    _ = i18n.translator()
    path = Path(path) if path else default_profile_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(_("{path}: no such savings profile").format(path=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemeError(
            _("{path}: not valid TOML: {reason}").format(path=path, reason=exc)
        ) from None
    invalid = _("invalid savings profile") + "\n  "
    try:
        profile = Profile.model_validate(data)
    except pydantic.ValidationError as exc:
        lines = [f"{path}: {key}: {msg}" for key, msg in problems(exc)[:10]]
        raise SchemeError(invalid + "\n  ".join(lines)) from None
    found = []
    if profile.coal.default not in profile.coal.factors:
        found.append(
            "coal.default: "
            + _("{value!r} is not one of coal.factors").format(value=profile.coal.default)
        )
    if profile.old_baseline and profile.old_baseline.series not in vocab.BASELINE_SERIES:
        found.append(
            "old_baseline.series: "
            + _("{value!r} is not one of {values}").format(
                value=profile.old_baseline.series, values=", ".join(vocab.BASELINE_SERIES)
            )
        )
    grids = set(region_grids())
    for name, g in profile.grid.factors.items():
        if not g.selectable_only and name not in grids:
            found.append(
                f"grid.factors.{name}: "
                + _("not a regional grid of regions.csv (set selectable_only = true for a "
                    "factor chosen by name)")
            )  # fmt: skip
    if found:
        raise SchemeError(invalid + "\n  ".join(f"{path}: {p}" for p in found))
    return profile


@dataclass(frozen=True)
class Settings:
    """Savings assumptions resolved for one run (profile plus command-line overrides)."""

    hours: float  # default operating hours [h/yr]; NaN: none
    load: float  # default load [-]; NaN: none
    assumed_poles: int
    old_series: int  # index into vocab.BASELINE_SERIES; -1: none
    coal_kgce_per_kwh: float
    coal_name: str
    grid_by_region: np.ndarray  # [kgCO2/kWh] per region code; NaN: unknown
    grid_name: str
    part_load: bool = False
    tariff: float = math.nan  # [CNY/kWh]
    life_years: float = math.nan  # [yr]

    def describe(self) -> dict:
        """The assumptions in force, for the summary."""
        return {
            "default_hours": None if math.isnan(self.hours) else self.hours,
            "default_load": None if math.isnan(self.load) else self.load,
            "coal_factor": {"name": self.coal_name, "kgce_per_kwh": self.coal_kgce_per_kwh},
            "grid_factor": self.grid_name,
            "efficiency_at": "part_load" if self.part_load else "rated",
            "tariff_cny_per_kwh": None if math.isnan(self.tariff) else self.tariff,
            "life_years": None if math.isnan(self.life_years) else self.life_years,
        }


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def settings(
    profile: Profile | str | Path | None = None,
    *,
    hours: float | None = None,
    load: float | None = None,
    coal_factor: str | float | None = None,
    grid_factor: str | float | None = None,
    part_load: bool = False,
    tariff: float | None = None,
    life_years: float | None = None,
) -> Settings:
    """Resolve a profile and the command-line overrides into :class:`Settings`.

    ``coal_factor`` and ``grid_factor`` are a factor's name in the profile or a number
    [kgce/kWh, kgCO2/kWh]. By default the coal factor is the profile's default and the
    grid factor is each region's regional grid.
    """
    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    _ = i18n.translator()
    if hours is not None and not 0 <= hours <= vocab.HOURS_PER_YEAR_MAX:
        raise InputError(
            _("{option} {value}: must lie in [0, {most:g}]").format(
                option="--hours", value=hours, most=vocab.HOURS_PER_YEAR_MAX
            )
        )
    if load is not None and not 0 <= load <= vocab.LOAD_MAX:
        raise InputError(
            _("{option} {value}: must lie in [0, {most:g}]").format(
                option="--load", value=load, most=vocab.LOAD_MAX
            )
        )
    coal_name = str(coal_factor) if coal_factor is not None else profile.coal.default
    if coal_name in profile.coal.factors:
        coal = profile.coal.factors[coal_name].kgce_per_kwh
    elif (coal := _number(coal_name)) is None or not 0 < coal < 1:
        raise InputError(
            _("--coal-factor {name!r}: give one of {names} or a number in kgce/kWh").format(
                name=coal_name, names=", ".join(profile.coal.factors)
            )
        )
    regions = vocab.regions()
    if grid_factor is None:
        grid_name = "regional grid"
        by_grid = {
            n: g.kgco2_per_kwh for n, g in profile.grid.factors.items() if not g.selectable_only
        }
        grid = np.array([by_grid.get(g, np.nan) for g in region_grids()], dtype=np.float64)
    else:
        grid_name = str(grid_factor)
        if grid_name in profile.grid.factors:
            value = profile.grid.factors[grid_name].kgco2_per_kwh
        elif (value := _number(grid_name)) is None or not 0 < value < 2:
            raise InputError(
                _("--grid-factor {name!r}: give one of {names} or a number in kgCO2/kWh").format(
                    name=grid_name, names=", ".join(profile.grid.factors)
                )
            )
        grid = np.full(len(regions), value, dtype=np.float64)
    if hours is None:
        hours = profile.hours.value if profile.hours else math.nan
    if load is None:
        load = profile.load.value if profile.load else math.nan
    # floats whatever was given (4000 or 4000.0): the kernels are compiled, and cached by
    # `motorsub warmup`, for one type of each argument
    return Settings(
        hours=float(hours),
        load=float(load),
        assumed_poles=int(profile.assumed_poles.value),
        old_series=(
            vocab.BASELINE_SERIES.index(profile.old_baseline.series) if profile.old_baseline else -1
        ),
        coal_kgce_per_kwh=float(coal),
        coal_name=coal_name,
        grid_by_region=grid,
        grid_name=grid_name,
        part_load=part_load,
        tariff=math.nan if tariff is None else float(tariff),
        life_years=math.nan if life_years is None else float(life_years),
    )
