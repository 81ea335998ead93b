"""Typed claim columns that wait in a temporary file until the batch's digest reads them.

A batch's digest (``motorsub.audit.pipeline.batch_digest``) covers every column the audit
read, whole column after whole column, in the order of their names, and the ledger keeps
it to recognise the batch when it comes again. Some typed columns of a claim line (the
speed, the old motor's efficiency, hours, load, price, ...) are read by no check: the
digest is their only reader. Holding them in memory from the first part read to the digest
cost about 40 bytes a line, 0.4 GB for ten million lines. Each part's values of such a
column are written to an unnamed temporary file (removed when the column is dropped) and
read back a part at a time for the digest: the digest is the same bytes, the memory is not
held.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from collections.abc import Iterator

import numpy as np
import pyarrow as pa


class Spilled:
    """One numeric column, its values in a temporary file, in order."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)
        self._file = tempfile.TemporaryFile(prefix="motorsub-audit-")
        self.n = 0

    @classmethod
    def of(cls, values: np.ndarray) -> Spilled:
        out = cls(values.dtype)
        out.append(values)
        return out

    def append(self, values: np.ndarray) -> None:
        """Add values at the end (of this column's dtype)."""
        if values.dtype != self.dtype:
            raise TypeError(f"a {self.dtype} column cannot take {values.dtype} values")
        self._file.seek(0, 2)
        self._file.write(np.ascontiguousarray(values).view(np.uint8))
        self.n += len(values)

    @property
    def shape(self) -> tuple[int]:
        return (self.n,)

    def __len__(self) -> int:
        return self.n

    def parts(self, rows: int) -> Iterator[np.ndarray]:
        """The values, ``rows`` at a time, in order."""
        self._file.seek(0)
        size = rows * self.dtype.itemsize
        while chunk := self._file.read(size):
            yield np.frombuffer(chunk, dtype=self.dtype)

    def to_numpy(self) -> np.ndarray:
        """Every value, in memory."""
        self._file.seek(0)
        values = np.empty(self.n, dtype=self.dtype)
        self._file.readinto(values.view(np.uint8))
        return values

    def take(self, rows: np.ndarray) -> Spilled:
        """The values of ``rows``, in a file of their own."""
        return Spilled.of(self.to_numpy()[rows])


class SpilledText:
    """One Arrow array (keys as text) kept in a temporary file (Arrow IPC) between the
    steps that read it: the serial and equipment keys of a batch are read by the duplicate
    checks and again by the ledger, not while the engine computes and the lines are
    settled, where the audit's memory peaks."""

    def __init__(self, values: pa.Array | pa.ChunkedArray):
        # a file by name, opened by Arrow and closed between the steps (a file still open
        # cannot be opened again by name on Windows), removed when the keys are dropped
        fd, self._name = tempfile.mkstemp(prefix="motorsub-audit-", suffix=".arrow")
        os.close(fd)
        weakref.finalize(self, _remove, self._name)
        table = pa.table({"values": values})
        with pa.OSFile(self._name, "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)

    def load(self) -> pa.Array:
        """The array, read back into memory."""
        with pa.OSFile(self._name, "rb") as source:
            column = pa.ipc.open_file(source).read_all().column("values")
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(name)
