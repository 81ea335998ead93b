"""The typed result of one batch through the engine, which every consumer reads.

A :class:`BatchResult` holds a batch as the kernels left it: amounts in integer fen per
component, reason bits, scheme versions, savings, and which input rows were rejected and
why. The output and rejects tables (:mod:`motorsub.engine.columns`), the summary
(:class:`motorsub.kernels.totals.Totals`), the audit's entitlement and the quote all read
it; none of them works an amount out again from a written table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from motorsub.kernels.savings import SavingsResult
from motorsub.kernels.subsidy import SubsidyResult
from motorsub.model.schemes import SchemeSet


@dataclass
class BatchResult:
    """One batch computed.

    Attributes
    ----------
    schemes : SchemeSet
        The schemes the batch was computed under (their components order ``subsidy.fen``).
    table : pyarrow.Table
        The input batch as read, column names normalised; the rejects file and the
        passed-through columns come from it.
    offset : int
        Index of the batch's first row in the whole input (row 0 = the line after the
        header).
    reject : array of uint64
        Per input row, its reject mask (:data:`motorsub.vocab.PROBLEMS` bits); 0 = computed.
    rows : array of int64
        The computed rows, as indices into ``table``, in input order.
    cols : dict of arrays
        The validated inputs of the computed rows (:meth:`motorsub.engine.records.Records.take`).
    subsidy : SubsidyResult
        Per computed row and component: amount [fen], outcome code, rate cell; per scheme:
        the version in force.
    savings : SavingsResult
        Per computed row: efficiencies [%] with their origin, kWh, tce and tCO2 per year.
    row_numbers : array of int64, optional
        Per input row, the row a spreadsheet gives it (header = row 1, empty lines
        counted); ``None``: rows follow each other from ``offset``.
    bad_lines : list
        Lines the reader set aside (values that do not match the header,
        :class:`motorsub.io.csv.BadLine`): each is read and rejected as ``BAD_LINE``.
    blank : int
        Completely empty lines skipped before or among the batch's rows.
    """

    schemes: SchemeSet
    table: pa.Table
    offset: int
    reject: np.ndarray
    rows: np.ndarray
    cols: dict[str, np.ndarray]
    subsidy: SubsidyResult
    savings: SavingsResult
    row_numbers: np.ndarray | None = None
    bad_lines: list = field(default_factory=list)
    blank: int = 0
    columns_not_read: tuple[str, ...] = ()  # input columns nothing reads (a misspelt header)

    def source_rows(self, index: np.ndarray) -> np.ndarray:
        """The spreadsheet row numbers of the rows at ``index`` of ``table``."""
        if self.row_numbers is None:
            return index.astype(np.int64) + self.offset + 2
        return self.row_numbers[index]

    @property
    def reasons(self) -> np.ndarray:
        """Per computed row, every :class:`motorsub.reasons.Reason` bit (uint32)."""
        return self.subsidy.reasons | self.savings.reasons

    @property
    def total_fen(self) -> np.ndarray:
        """Per computed row, the sum of its components [fen]."""
        return self.subsidy.total_fen

    @property
    def rejected_rows(self) -> np.ndarray:
        """The rejected rows, as indices into ``table``, in input order."""
        return np.flatnonzero(self.reject != 0)
