"""The mix of a plan as engine lines: validated columns and each line's share of the kW.

A share mix (``[[mix.lines]]``) becomes one line per entry, ``qty = 1``, its share as
given. A records mix (``mix.records``) is read like ``compute``'s input; each line's share
is its ``qty × kw`` over the file's total, and its own ``sale_date`` is replaced, year by
year, by the plan's sale date. Both go through :func:`motorsub.engine.records.validate`, so a
mix line is checked exactly as a sale line is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from motorsub import i18n, io, vocab
from motorsub.engine import aliases, records
from motorsub.errors import InputError
from motorsub.model.schemes import SchemeSet
from motorsub.plan.model import WHOLE_COUNTRY, Plan, PlanError

_PLACEHOLDER_DATE = "2000-01-01"  # replaced by the plan's sale date of each year
_MAX_REJECTS_SHOWN = 5
_READ_BATCH_ROWS = 1 << 20


@dataclass(frozen=True)
class MixLines:
    """The mix as engine columns.

    Attributes
    ----------
    cols : dict of arrays
        Validated columns (:meth:`motorsub.engine.records.Records.take`); ``day`` is set per year.
    weight : array of float
        Each line's share of the promoted kW [-]; sums to 1.
    per_kw : array of float
        ``1 / (qty × kw)`` [1/kW]: turns a line's amount into an amount per promoted kW.
    """

    cols: dict[str, np.ndarray]
    weight: np.ndarray
    per_kw: np.ndarray

    @property
    def n(self) -> int:
        return int(self.weight.shape[0])


def whole_country_region(schemes: SchemeSet) -> str:
    """A region code that no loaded component names: it stands for the whole country.

    Components limited to regions (Shanghai's) then do not apply to a ``CN`` line, and
    components open to every region (the national one) do.
    """
    named = set()
    for _, c in schemes.components:
        named.update(c.applies_to.regions or ())
        named.update(c.eligibility.regions or ())
    for code in vocab.regions():
        if code not in named:
            return code
    _ = i18n.translator()
    raise PlanError(_("region 'CN': every region is named by some component; give a province"))


def _line_table(plan: Plan, country: str) -> pa.Table:
    lines = plan.mix.lines or []

    def text(values):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())

    def region(x):
        r = x.region or plan.region
        return country if r == WHOLE_COUNTRY else r

    return pa.table(
        {
            "record_id": text(x.label or f"mix.lines[{i}]" for i, x in enumerate(lines)),
            "sale_date": text(_PLACEHOLDER_DATE for _ in lines),
            "region": text(region(x) for x in lines),
            "motor_type": text(x.motor_type for x in lines),
            "kw": text(x.kw for x in lines),
            "qty": text(1 for _ in lines),
            "grade": text(x.grade for x in lines),
            "poles": text(x.poles for x in lines),
            "efficiency": text(x.efficiency for x in lines),
            "kind": text(x.kind for x in lines),
            "trade_in": text("true" if x.trade_in else "false" for x in lines),
            "old_kw": text((x.old_kw or x.kw) if x.trade_in else None for x in lines),
            "old_qty": text(1 if x.trade_in else None for x in lines),
            "old_efficiency": text(x.old_efficiency for x in lines),
            "old_series": text(x.old_series for x in lines),
            "hours": text(x.hours for x in lines),
            "load": text(x.load for x in lines),
        }
    )


def _read_records(path: Path, encoding: str | None = None) -> pa.Table:
    """The records file; a format that can skip columns reads only those the engine reads
    (Parquet), and never ``sale_date`` (the plan's years give it). Headings are read as
    ``compute`` reads them, through the alias table (``编号``, ``额定功率(kW)``).
    ``encoding`` forces a CSV file's encoding (as ``compute --encoding``)."""
    wanted = _wanted(path)
    # batch by batch: io.read_table asks for one batch of 2**62 rows, which pyarrow's
    # Parquet reader refuses (OverflowError)
    return pa.concat_tables(list(io.BatchReader(path, _READ_BATCH_ROWS, encoding, columns=wanted)))


def _wanted(path: Path) -> list[str] | None:
    """The normalised headings of a Parquet records file that stand for a column the
    engine reads, in any spelling of the alias table; None (every column) for the other
    formats, which read them all anyway, and for a file whose headings cannot be read
    (the reader then says why)."""
    try:
        if io.file_format(path) != "parquet":
            return None
        if path.is_dir():
            import pyarrow.dataset as ds

            headings = ds.dataset(path, format="parquet").schema.names
        else:
            import pyarrow.parquet as pq

            headings = pq.read_schema(path).names
    except (InputError, pa.ArrowInvalid, OSError):
        return None
    al = aliases.packaged()
    engine = set(vocab.INPUT_COLUMNS) - {"sale_date"}
    return [
        vocab.normal_name(h) for h in headings if (al.column(h) or vocab.normal_name(h)) in engine
    ]


def _records_table(plan: Plan, encoding: str | None = None) -> tuple[pa.Table, str]:
    path = plan.path(plan.mix.records)
    try:
        table = _read_records(path, encoding)
    except InputError as exc:
        raise PlanError(f"{plan.source_file}: mix.records: {exc}") from None
    except (UnicodeError, pa.ArrowInvalid) as exc:
        _ = i18n.translator()
        raise PlanError(
            _("{plan}: mix.records: {path}: cannot read the file ({reason}); give its "
              "encoding with --encoding")
            .format(plan=plan.source_file, path=path,
                    reason=f"{exc.__class__.__name__}: {exc}")
        ) from None  # fmt: skip
    table = records.normalise_names(table, str(path))
    n = table.num_rows
    if n == 0:
        _ = i18n.translator()
        raise PlanError(
            _("{plan}: mix.records: {path} has no lines").format(plan=plan.source_file, path=path)
        )
    if "record_id" not in table.column_names:
        table = table.append_column("record_id", pa.repeat("mix line", n))
    if "sale_date" in table.column_names:
        table = table.drop_columns(["sale_date"])
    table = table.append_column("sale_date", pa.repeat(_PLACEHOLDER_DATE, n))
    return table, str(path)


def build_mix(plan: Plan, schemes: SchemeSet, encoding: str | None = None) -> MixLines:
    """Validate the plan's mix into engine columns and shares.

    Raises
    ------
    PlanError
        A line the engine would reject, naming the plan key (share mix) or the records
        file's row (records mix), and every reason.
    """
    country = whole_country_region(schemes)
    if plan.mix.lines is not None:
        table, where = _line_table(plan, country), "mix.lines"
    else:
        table, where = _records_table(plan, encoding)
    recs = records.validate(table, where)
    bad = np.flatnonzero(~recs.valid)
    if len(bad):
        raise PlanError(_rejects_message(plan, recs, bad, where))
    cols = recs.take(np.arange(table.num_rows))
    units_kw = cols["qty"] * cols["kw"]
    if plan.mix.lines is not None:
        weight = np.array([x.share for x in plan.mix.lines], dtype=np.float64)
    else:
        weight = units_kw / units_kw.sum()
    return MixLines(cols, weight, 1.0 / units_kw)


def _rejects_message(plan: Plan, recs: records.Records, bad: np.ndarray, where: str) -> str:
    _ = i18n.translator()
    shown = bad[:_MAX_REJECTS_SHOWN]
    if where == "mix.lines":
        lines = [
            _("{plan}: mix.lines[{i}]: the engine rejects the line: {problems}").format(
                plan=plan.source_file,
                i=i,
                problems=", ".join(records.problem_names(recs.reject[i])),
            )
            for i in shown
        ]
        return _("invalid plan") + "\n  " + "\n  ".join(lines)
    out = [
        _("{plan}: mix.records: {path}: {n:,} line(s) the engine rejects").format(
            plan=plan.source_file, path=where, n=len(bad)
        )
    ]
    for i in shown:
        out.append(
            "  "
            + _("row {row}: {problems}").format(
                row=i + 2, problems=", ".join(records.problem_names(recs.reject[i]))
            )
        )
    if len(bad) > len(shown):
        out.append("  " + _("... and {n:,} more").format(n=len(bad) - len(shown)))
    return "\n".join(out)
