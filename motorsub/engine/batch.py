"""One batch through the engine, and the in-memory entry points.

:func:`compute_batch` validates a table of sale lines and runs the kernels over it, giving
the typed :class:`~motorsub.engine.result.BatchResult`; every back end calls it once per
batch. :func:`run` (a pyarrow table in) does the same in memory for one table
(``motorsub.compute``, frames in and out, is :mod:`motorsub.engine.frames`); files are
streamed by a back end (:mod:`motorsub.backends`). The summary is accumulated exactly across batches
(:class:`~motorsub.kernels.totals.Totals`, integer fen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from motorsub import i18n
from motorsub.engine import columns, records
from motorsub.engine.aliases import Aliases
from motorsub.engine.result import BatchResult
from motorsub.errors import RejectedRowsError
from motorsub.kernels.savings import SavingsResult, empty_savings
from motorsub.kernels.savings import savings as line_savings
from motorsub.kernels.subsidy import SubsidyResult, compiled_schemes, empty_subsidies, subsidies
from motorsub.kernels.totals import Totals
from motorsub.model.profile import Settings, settings
from motorsub.model.schemes import SchemeSet, load_schemes

MAX_DETAILS = 20  # rejected rows described in a --strict error


@dataclass
class Result:
    """What :func:`run` produces: the output rows, the rejected rows, the summary, and the
    typed batch they were written from."""

    output: pa.Table
    rejects: pa.Table
    summary: dict = field(default_factory=dict)
    batch: BatchResult | None = None


def as_schemes(schemes: SchemeSet | str | Path | list | None) -> SchemeSet:
    if isinstance(schemes, SchemeSet):
        return schemes
    return load_schemes(schemes)


class Scratch:
    """Kernel output buffers for a stream of batches, in two sets used in turn.

    A batch's result lives in these buffers and its output table refers to its savings
    arrays (no copy); it is written in a writer thread while the next batch is computed,
    so consecutive batches take different sets. The streaming back end
    (:mod:`motorsub.backends.local`) waits for batch k's write before it submits batch
    k + 1's, so by batch k + 2 the set of batch k is free again. A set grows when a batch is longer.
    """

    def __init__(self, schemes: SchemeSet):
        self._compiled = compiled_schemes(schemes)
        self._sets: list[tuple[SubsidyResult, SavingsResult] | None] = [None, None]
        self._turn = 0

    def take(self, n: int) -> tuple[SubsidyResult, SavingsResult]:
        turn, self._turn = self._turn, 1 - self._turn
        buffers = self._sets[turn]
        if buffers is None or len(buffers[1].reasons) < n:
            buffers = self._sets[turn] = (empty_subsidies(self._compiled, n), empty_savings(n))
        return buffers


def compute_batch(
    table: pa.Table,
    schemes: SchemeSet,
    st: Settings,
    *,
    source: str,
    offset: int = 0,
    strict: bool = False,
    scratch: Scratch | None = None,
    aliases: Aliases | None = None,
    row_numbers: np.ndarray | None = None,
    bad_lines: list | None = None,
    blank: int = 0,
) -> BatchResult:
    """Validate and compute one batch of records whose first row is row ``offset``.

    With ``scratch``, the kernels write into its buffers instead of fresh memory;
    ``aliases`` are the spellings of columns and codes read (default: the packaged ones).
    ``row_numbers``, ``bad_lines`` and ``blank`` are what the reader says of the batch
    (:class:`motorsub.io.Chunk`): each row's spreadsheet number, the lines it set aside
    (rejected as ``BAD_LINE``) and the empty lines it skipped.

    Raises
    ------
    InputError
        A required column is missing, a column appears twice, or an input column has the
        name of an output column.
    RejectedRowsError
        ``strict`` and a row is rejected.
    """
    table = records.normalise_names(table, source, aliases)
    columns.check_input_names(table.column_names, schemes, st, source)
    recs = records.validate(table, source, aliases)
    ok = np.flatnonzero(recs.valid)
    bad_lines = list(bad_lines or ())
    if strict and (len(ok) < len(recs.reject) or bad_lines):
        bad = np.flatnonzero(~recs.valid)
        rows = row_numbers[bad] if row_numbers is not None else bad.astype(np.int64) + offset + 2
        raise RejectedRowsError(describe_rejects(recs, bad, source, rows, bad_lines))
    cols = recs.take(ok)
    res_out, sav_out = scratch.take(len(ok)) if scratch is not None else (None, None)
    res = subsidies(compiled_schemes(schemes), cols, out=res_out)
    sav = line_savings(cols, st, out=sav_out)
    unread = tuple(records.unread_columns(table.column_names))
    return BatchResult(
        schemes, table, offset, recs.reject, ok, cols, res, sav, row_numbers, bad_lines, blank,
        unread,
    )  # fmt: skip


def run(
    table: pa.Table,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    source: str = "<records>",
    strict: bool = False,
    savings: Settings | None = None,
    output: bool = True,
) -> Result:
    """Validate, compute and summarise a table of records in memory.

    Parameters
    ----------
    table : pyarrow.Table
        Records with the columns of docs/rules.md section 1 (text or typed).
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    source : str
        The input's name, used in messages.
    strict : bool
        Raise :class:`~motorsub.errors.RejectedRowsError` if any row is rejected.
    savings : Settings, optional
        Savings assumptions (:func:`motorsub.model.profile.settings`); the default
        profile if not given.
    output : bool
        Build :attr:`Result.output` (False: the caller builds its own from ``batch``,
        and ``output`` is None).
    """
    schemes = as_schemes(schemes)
    st = savings if savings is not None else settings()
    batch = compute_batch(table, schemes, st, source=source, strict=strict)
    totals = Totals(schemes)
    totals.add(batch)
    return Result(
        columns.output_table(batch, st) if output else None,
        columns.rejects_table(batch),
        totals.summary() | {"assumptions": st.describe()},
        batch,
    )


def describe_rejects(
    recs: records.Records,
    bad: np.ndarray,
    source: str,
    rows: np.ndarray | int = 0,
    bad_lines: list | None = None,
) -> str:
    """Name the file, row, column and value of the first rejected rows; ``rows`` are
    their spreadsheet row numbers (or the batch's offset)."""
    _ = i18n.translator()
    if isinstance(rows, (int, np.integer)):
        rows = bad.astype(np.int64) + int(rows) + 2
    lines = [_("{source}: row(s) rejected under --strict, e.g.:").format(source=source)]
    for line in (bad_lines or [])[:MAX_DETAILS]:
        lines.append(
            "  "
            + _("row {row}: {values} values where the header has {expected} columns "
                "(BAD_LINE)").format(row=line.row, values=line.values, expected=line.expected)
        )  # fmt: skip
    for i, row in zip(bad[:MAX_DETAILS], rows[:MAX_DETAILS]):
        for problem in records.problem_names(recs.reject[i]):
            col = records.problem_column(problem)
            value = (
                recs.table.column(col)[int(i)].as_py() if col in recs.table.column_names else None
            )
            shown = _("empty") if value in (None, "") else repr(value)
            lines.append(
                "  "
                + _("row {row}, column {column}: {value} ({problem})").format(
                    row=int(row), column=col, value=shown, problem=problem
                )
            )
    if len(bad) > MAX_DETAILS:
        lines.append(
            "  " + _("... and {n} more rows in this batch").format(n=len(bad) - MAX_DETAILS)
        )
    return "\n".join(lines)
