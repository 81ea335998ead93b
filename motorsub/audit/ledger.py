"""The ledger: what earlier batches paid, in an embedded SQLite database.

One file (``--ledger FILE``; in memory when none is given) holds every batch audited
against it, numbered in the order it was first audited (``seq``), and its accepted lines:

- ``batches``: ``seq``, ``batch_id``, the digest of its claim lines and of its results,
  counts and totals [fen];
- ``lines``: one row per accepted line (status approved or adjusted): record id,
  claimant, manufacturer serial key, the old motor's equipment id when the trade-in was
  recognised, the components paid on it (``;``-joined; the key of ``DUPLICATE_SERIAL``)
  and the approved amount [fen];
- ``quota_used``: per batch and (manufacturer, year), the watts its paid lines used of
  the manufacturer's quota.

A batch is audited against the batches numbered before it only, so auditing it again
gives the same answer whatever was audited since. Each batch is written in one
transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a run killed half-way leaves the ledger as
it was (SQLite rolls the journal back on the next open) and a rerun finishes the work. A
batch already recorded with the same claim lines is not written again; one recorded with
different claim lines is refused.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import i18n
from motorsub.audit.codes import N_
from motorsub.audit.spill import Spilled
from motorsub.errors import InputError

SCHEMA_VERSION = "1"
CHUNK = 100_000  # rows per executemany call
DIGEST_ROWS = 1 << 20  # rows of a column a digest copies at a time
NO_SEQ = 1 << 62  # "after every recorded batch"
#: How long an audit waits for another audit that holds the ledger's write lock [s].
LOCK_WAIT_S = 600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL UNIQUE,
    input_digest TEXT NOT NULL,
    result_digest TEXT NOT NULL,
    lines INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    claimed_fen INTEGER NOT NULL,
    approved_fen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lines (
    seq INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    claimant TEXT NOT NULL,
    serial_key TEXT,
    equipment_id TEXT,
    paid TEXT NOT NULL,
    approved_fen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quota_used (
    seq INTEGER NOT NULL,
    quota_key TEXT NOT NULL,
    watts INTEGER NOT NULL
);
"""
#: The indexes of ``lines`` the look-ups of earlier batches use, each created as written.
_INDEXES = (
    ("lines_serial", "CREATE INDEX IF NOT EXISTS lines_serial ON lines (serial_key) "
     "WHERE serial_key IS NOT NULL"),
    ("lines_equipment", "CREATE INDEX IF NOT EXISTS lines_equipment ON lines (equipment_id)\n"
     "    WHERE equipment_id IS NOT NULL"),
)  # fmt: skip


def digest_strings(*arrays: pa.Array) -> str:
    """SHA-256 of string arrays taken row by row (nulls distinct from empty strings).

    Per array, the lengths of its values (int64; a null is the one character NUL), then
    their bytes. Both are fed :data:`DIGEST_ROWS` rows at a time: only that many rows are
    ever copied (a value cast or a null filled), never a whole column."""
    h = hashlib.sha256()
    for a in arrays:
        parts = [
            c.slice(start, DIGEST_ROWS)
            for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])
            for start in range(0, len(c), DIGEST_ROWS)
        ]
        for part in parts:
            h.update(np.diff(_large_text(part)[0]))
        for part in parts:
            offsets, data = _large_text(part)
            if data is not None:
                h.update(memoryview(data)[offsets[0] : offsets[-1]])
    return h.hexdigest()


def _large_text(part: pa.Array) -> tuple[np.ndarray, pa.Buffer | None]:
    """The offsets (int64) and data of ``part`` as large strings, nulls as NUL."""
    part = pc.fill_null(pc.cast(part, pa.large_string()), "\x00")
    _, off_buf, data = part.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[part.offset : part.offset + len(part) + 1]
    return offsets, data


def digest_arrays(h: str, *arrays: np.ndarray | Spilled) -> str:
    """Extend a digest with numeric arrays (dtype, shape and bytes, read in place; a
    column in a temporary file read :data:`DIGEST_ROWS` rows at a time)."""
    d = hashlib.sha256(h.encode())
    for a in arrays:
        a = a if isinstance(a, Spilled) else np.ascontiguousarray(a)
        d.update(str(a.dtype).encode() + str(a.shape).encode())
        for part in a.parts(DIGEST_ROWS) if isinstance(a, Spilled) else [a.reshape(-1)]:
            d.update(part.view(np.uint8))
    return d.hexdigest()


@dataclass
class BatchState:
    """Where a batch stands in the ledger when its audit begins."""

    batch_id: str
    seq: int  # audit against batches numbered below this
    recorded: bool  # already in the ledger (with the same claim lines)
    result_digest: str | None
    new_seq: int  # the number the batch gets if it is recorded now


def _insert(con: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    """Insert rows in chunks (one place, so tests can interrupt a batch half-way)."""
    for start in range(0, len(rows), CHUNK):
        con.executemany(sql, rows[start : start + CHUNK])


def _insert_all(con: sqlite3.Connection, sql: str, rows: Iterable[tuple]) -> None:
    """Insert rows from a list or an iterator, holding at most :data:`CHUNK` at a time."""
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK)):
        _insert(con, sql, chunk)


class Ledger:
    """An SQLite ledger of accepted lines; ``path=None`` keeps it in memory.

    Raises
    ------
    InputError
        The file is not a SQLite database or not a motorsub ledger.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = str(path) if path else ":memory:"
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = sqlite3.connect(self.path, isolation_level=None, timeout=LOCK_WAIT_S)
            # temporary tables and the sorts that make an index in files, not in memory:
            # SQLite's in-memory temporary files are lists of chunks read from their start,
            # and making the indexes of 4e6 lines took 20 s there against 4 s in a file
            self.con.execute("PRAGMA temp_store = FILE")
            tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master")}
            if tables and "meta" not in tables:
                _ = i18n.translator()
                raise InputError(
                    _("{path}: not a motorsub ledger (no meta table)").format(path=self.path)
                )
            self.con.executescript(_SCHEMA + "".join(f"{sql};\n" for _, sql in _INDEXES))
            self.con.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
            (version,) = self.con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            _ = i18n.translator()
            raise InputError(
                _("{path}: not a usable SQLite ledger: {error}").format(path=self.path, error=exc)
            ) from None
        if version != SCHEMA_VERSION:
            _ = i18n.translator()
            raise InputError(
                _("{path}: ledger schema version {version}; this motorsub reads {reads}").format(
                    path=self.path, version=version, reads=SCHEMA_VERSION
                )
            )
        self._in_batch = False

    def close(self) -> None:
        if self._in_batch:
            self.rollback()
        self.con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --------------------------------------------------------------------------------
    def begin(self, batch_id: str, input_digest: str) -> BatchState:
        """Open the batch's transaction (holding the write lock until :meth:`commit`)."""
        try:  # waits while another audit holds the write lock
            self.con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            _ = i18n.translator()
            raise InputError(
                _(
                    "{path}: the ledger is in use by another audit and stayed locked for "
                    "{seconds} s ({error}); run the audits one after the other"
                ).format(path=self.path, seconds=f"{LOCK_WAIT_S:.0f}", error=exc)
            ) from None
        self._in_batch = True
        row = self.con.execute(
            "SELECT seq, input_digest, result_digest FROM batches WHERE batch_id = ?",
            (batch_id,),
        ).fetchone()
        (new_seq,) = self.con.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM batches").fetchone()
        if row is None:
            return BatchState(batch_id, NO_SEQ, False, None, new_seq)
        seq, recorded_digest, result_digest = row
        if recorded_digest != input_digest:
            self.rollback()
            _ = i18n.translator()
            raise InputError(
                _(
                    "{path}: batch {batch_id!r} is already in the ledger with different "
                    "claim lines; a recorded batch cannot change: give the new lines a new "
                    "batch_id, or audit against another ledger"
                ).format(path=self.path, batch_id=batch_id)
            )
        return BatchState(batch_id, seq, True, result_digest, seq)

    def rollback(self) -> None:
        if self._in_batch:
            self.con.execute("ROLLBACK")
            self._in_batch = False

    def _keys_table(self, name: str, keys: pa.Array) -> None:
        """The batch's keys (row, key; nulls left out) in a temporary table, a slice of
        ``keys`` at a time."""
        self.con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (i INTEGER PRIMARY KEY, k TEXT)")
        self.con.execute(f"DELETE FROM {name}")

        def rows():
            for start in range(0, len(keys), CHUNK):
                part = keys.slice(start, CHUNK).to_pylist()
                yield from ((start + i, k) for i, k in enumerate(part) if k is not None)

        _insert_all(self.con, f"INSERT INTO {name} VALUES (?, ?)", rows())

    def _any(self, table: str, seq: int) -> bool:
        return self.con.execute(f"SELECT 1 FROM {table} WHERE seq < ? LIMIT 1", (seq,)).fetchone()

    def prior_paid(self, state: BatchState, serial_key: pa.Array, components) -> np.ndarray:
        """bool [C, n]: (serial, component) paid by a batch numbered before this one."""
        out = np.zeros((len(components), len(serial_key)), dtype=np.bool_)
        if not self._any("lines", state.seq):
            return out
        self._keys_table("q_serial", serial_key)
        index = {c: k for k, c in enumerate(components)}
        for i, paid in self.con.execute(
            "SELECT q.i, l.paid FROM q_serial q JOIN lines l ON l.serial_key = q.k "
            "WHERE l.seq < ? AND l.serial_key IS NOT NULL",
            (state.seq,),
        ):
            for comp in paid.split(";"):
                if comp in index:
                    out[index[comp], i] = True
        return out

    def prior_equipment(
        self, state: BatchState, equipment: pa.Array, serial_key: pa.Array
    ) -> np.ndarray:
        """bool [n]: the equipment id backed another serial in a batch numbered before."""
        out = np.zeros(len(equipment), dtype=np.bool_)
        if not self._any("lines", state.seq):
            return out
        self._keys_table("q_equipment", equipment)
        found = self.con.execute(
            "SELECT q.i, l.serial_key FROM q_equipment q JOIN lines l ON l.equipment_id = q.k "
            "WHERE l.seq < ? AND l.equipment_id IS NOT NULL",
            (state.seq,),
        )
        while rows := found.fetchmany(CHUNK):
            i = np.array([r[0] for r in rows], dtype=np.int64)
            owner = pa.array([r[1] for r in rows], pa.string())
            same = pc.fill_null(pc.equal(owner, serial_key.take(pa.array(i))), False)
            out[i[~np.asarray(same.to_numpy(zero_copy_only=False), dtype=np.bool_)]] = True
        return out

    def prior_quota(self, state: BatchState, quota_keys: list[str]) -> np.ndarray:
        """int64 [G]: watts of each (manufacturer, year) paid by earlier batches."""
        out = np.zeros(len(quota_keys), dtype=np.int64)
        if not quota_keys or not self._any("quota_used", state.seq):
            return out
        index = {k: g for g, k in enumerate(quota_keys)}
        for k, w in self.con.execute(
            "SELECT quota_key, SUM(watts) FROM quota_used WHERE seq < ? GROUP BY quota_key",
            (state.seq,),
        ):
            if k in index:
                out[index[k]] = w
        return out

    def commit(
        self,
        state: BatchState,
        input_digest: str,
        results_digest: str,
        lines: Iterable[tuple],
        quota: list[tuple],
        totals: dict,
        accepted: int | None = None,
    ) -> str:
        """Write the batch's accepted lines and close its transaction.

        ``lines`` rows: (seq, record_id, claimant, serial_key, equipment_id, paid,
        approved_fen) with ``seq = state.new_seq``, a list or (with ``accepted``, how many
        there are) an iterator; ``quota`` rows: (quota_key, watts).
        Returns ``"recorded"`` or, for a batch recorded before, ``"unchanged"`` (nothing
        is written).
        """
        if state.recorded:
            self.rollback()
            return N_("unchanged")
        seq = state.new_seq
        self.con.execute(
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                state.batch_id,
                input_digest,
                results_digest,
                totals["lines"],
                len(lines) if accepted is None else accepted,
                totals["claimed_fen"],
                totals["approved_fen"],
            ),
        )
        _insert(self.con, "INSERT INTO quota_used VALUES (?, ?, ?)", [(seq, *r) for r in quota])
        rebuild = self._outnumbers(len(lines) if accepted is None else accepted)
        for name, _ in _INDEXES if rebuild else ():
            self.con.execute(f"DROP INDEX {name}")
        _insert_all(self.con, "INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?)", lines)
        for _, sql in _INDEXES if rebuild else ():
            self.con.execute(sql)
        self.con.execute("COMMIT")
        self._in_batch = False
        return N_("recorded")

    def _outnumbers(self, rows: int) -> bool:
        """Whether ``rows`` new lines are at least as many as the lines recorded.

        Then the indexes of ``lines`` are dropped before the rows are written and made
        again after, in the same transaction: an index made at once is sorted, while rows
        added one by one to an index larger than SQLite's page cache each touch a page of
        it at random (the time of a batch of millions of lines grew faster than its size).
        The ledger holds the same rows and indexes either way. Lines are never deleted,
        so the largest rowid counts them.
        """
        (recorded,) = self.con.execute("SELECT COALESCE(MAX(rowid), 0) FROM lines").fetchone()
        return rows >= max(recorded, 1)

    def batches(self) -> list[dict]:
        """Every recorded batch, in audit order."""
        cols = ("seq", "batch_id", "lines", "accepted", "claimed_fen", "approved_fen")
        rows = self.con.execute(f"SELECT {', '.join(cols)} FROM batches ORDER BY seq")
        return [dict(zip(cols, r)) for r in rows]
