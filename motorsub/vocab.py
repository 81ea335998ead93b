"""The one spelling of every closed set motorsub knows (names, not figures).

Everything else is generated from here: the pydantic ``Literal`` types of the data files
(:func:`literal`), the command line's choices, the kernels' integer codes (the position
of a name in its tuple is the code a kernel sees) and the reject codes of records.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from motorsub import data

#: ``motor_type``: low-voltage asynchronous, high-voltage asynchronous, rare-earth PM synchronous.
MOTOR_TYPES: tuple[str, ...] = ("lv_async", "hv_async", "pm_sync")
#: ``kind``: a new motor or a remanufactured one.
KINDS: tuple[str, ...] = ("new", "reman")
#: Who receives a component's money.
PAYEES: tuple[str, ...] = ("manufacturer", "remanufacturer", "recycler", "user")
#: Which budget pays a component.
BUDGETS: tuple[str, ...] = ("central", "local")
#: The power a component's rate is paid on: the new motor's or the old motor's.
BASES: tuple[str, ...] = ("kw", "old_kw")
#: How sure a figure is: stated by its source, reported second hand, or our inference.
STATUSES: tuple[str, ...] = ("official", "reported", "inferred")
#: GB 18613 grades (1 is best); 0 in kernels means "not given".
GRADES: tuple[int, ...] = (1, 2, 3)
#: Pole counts of the efficiency tables (50 Hz: 3000/1500/1000/750 r/min synchronous).
POLES: tuple[int, ...] = (2, 4, 6, 8)
#: Old-motor series with a baseline table (``motorsub/data/efficiency/old_motor_baselines.csv``).
BASELINE_SERIES: tuple[str, ...] = ("Y", "US_STANDARD", "EFF1", "EFF2")
#: Where an efficiency came from (``eta_new_source`` / ``eta_old_source``; '' = unknown).
ETA_SOURCES: tuple[str, ...] = (
    "",
    "declared",
    "grade_minimum",
    "series_baseline",
    "default_baseline",
    "minimum_allowed",
)

#: Input columns a record must have.
REQUIRED: tuple[str, ...] = ("record_id", "sale_date", "region", "motor_type", "kw")
#: Every input column the engine reads; any other column is passed through untouched.
INPUT_COLUMNS: tuple[str, ...] = (
    "record_id", "sale_date", "region", "motor_type", "kw", "qty", "grade", "poles",
    "speed_rpm", "efficiency", "kind", "trade_in", "old_kw", "old_qty", "old_efficiency",
    "old_series", "old_poles", "hours", "load", "price",
)  # fmt: skip
#: Input columns whose values repeat from line to line (codes, dates, ratings). Readers
#: return them dictionary-encoded when they are text, so that each distinct text is held
#: and parsed once and no per-row string is built.
REPEATING: tuple[str, ...] = (
    "sale_date", "region", "motor_type", "kw", "qty", "grade", "poles", "speed_rpm",
    "kind", "trade_in", "old_kw", "old_qty", "old_series", "old_poles",
)  # fmt: skip
#: Compressions of a Parquet output (``motorsub compute --compression``); the first is the
#: default, chosen by measurement (benchmarks/README.md, "Parquet output").
PARQUET_COMPRESSIONS: tuple[str, ...] = ("zstd", "snappy", "lz4", "none")
#: Row-level problems, one bit each: MISSING_<COLUMN> then BAD_<COLUMN> per column, then
#: BAD_LINE (a line whose values do not match the header: read, never computed).
PROBLEMS: tuple[str, ...] = (
    tuple(f"MISSING_{c.upper()}" for c in INPUT_COLUMNS)
    + tuple(f"BAD_{c.upper()}" for c in INPUT_COLUMNS)
    + ("BAD_LINE",)
)

#: Percentiles of a projection's Monte-Carlo bands.
PLAN_PERCENTILES: tuple[int, ...] = (10, 50, 90)
#: Year-table columns that ``project --compare`` sets side by side.
PLAN_COMPARED: tuple[str, ...] = (
    "kw_promoted",
    "kw_in_service",
    "kwh",
    "tce",
    "tco2",
    "kwh_cumulative",
    "outlay_central_fen",
    "outlay_local_fen",
    "outlay_total_fen",
    "unpriced_kw_central",
    "unpriced_kw_local",
)

#: Bounds of the input contract (docs/rules.md section 1): no motor is larger (and the
#: exact money arithmetic stays in int64), a leap year's hours, the largest mean load.
MAX_KW = 100_000.0
MAX_QTY = 1_000_000
HOURS_PER_YEAR_MAX = 8784.0
LOAD_MAX = 1.5

#: Plausibility of a sale line's figures (docs/rules.md section 1): what no real line
#: holds is rejected, never computed. An efficiency lies in [EFFICIENCY_MIN, EFFICIENCY_MAX)
#: percent (no motor the schemes speak of is below 40 %, none reaches 100 %; a value at or
#: below FRACTION_MAX is a fraction typed for a percentage); a line's kW is at most
#: KW_SCOPE_FACTOR times the largest rating in any shipped scheme's scope.
EFFICIENCY_MIN = 40.0
EFFICIENCY_MAX = 100.0
FRACTION_MAX = 1.0
KW_SCOPE_FACTOR = 10


def literal(values: tuple) -> object:
    """The ``typing.Literal`` of a closed set, for pydantic models of the data files."""
    return Literal[values]  # type: ignore[valid-type]


MotorType = literal(MOTOR_TYPES)
Kind = literal(KINDS)
Payee = literal(PAYEES)
Budget = literal(BUDGETS)
Basis = literal(BASES)
Status = literal(STATUSES)
Poles = literal(POLES)


@cache
def regions() -> tuple[str, ...]:
    """ISO 3166-2 codes of mainland China's provincial divisions (``motorsub/data/regions.csv``)."""
    import pyarrow.csv as pacsv  # only when a region is looked up: keeps start-up light

    with data.path("regions.csv").open("rb") as f:
        table = pacsv.read_csv(f)
    return tuple(table.column("code").to_pylist())


def normal_name(name: str) -> str:
    """A column name as the engine reads it: stripped, lower-case, without a BOM."""
    return name.replace("\ufeff", "").strip().lower()
