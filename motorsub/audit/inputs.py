"""The audit's inputs: claims, the approved catalogue, buy-back records and quotas.

Every input is a CSV, Parquet or .xlsx file (or a pyarrow Table or pandas DataFrame) whose
columns are documented in ``motorsub/audit/README.md``. Parsing reuses the vectorised
parsers of :mod:`motorsub.engine.records`, so values are read exactly as ``compute`` reads them,
Chinese headings and codes included (:mod:`motorsub.engine.aliases`).

- **Claims** are checked row by row. A row whose claim itself cannot be reconciled (no
  record id, claimant or batch, a claimed amount that is not a non-negative whole number
  of fen, a ``claimed_total`` that disagrees with its components, a record id repeated in
  the batch) goes to the rejects file with every reason. A row whose *sale line* is bad
  (``BAD_KW``, ``MISSING_GRADE``, ...) is audited and rejected, so that every claimed fen
  of the batch is accounted for.
- **Reference data** (catalogue, buy-backs, quotas) are checked strictly: a bad value, a
  duplicate key or a quota for a manufacturer the catalogue does not know is an
  :class:`~motorsub.errors.InputError` naming the file, the row and the column.

Keys are compared trimmed and upper-cased: manufacturer, model, serial, equipment id and
contract number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import io, vocab
from motorsub.audit.codes import ROW_PROBLEMS
from motorsub.engine import aliases, records
from motorsub.errors import InputError
from motorsub.io import csv as csv_io

MAX_DETAILS = 20  # problems listed in one error message
SEP = "\x1f"  # joins the parts of a composite key
#: Checklist and audit columns a claims file must have (besides the records' own).
CLAIM_REQUIRED = (
    "claimant",
    "batch_id",
    "manufacturer",
    "model",
    "serial",
    "invoice_no",
    "invoice_date",
)
CATALOGUE_REQUIRED = ("manufacturer", "model", "motor_type", "kw", "listed_from")
BUYBACK_REQUIRED = ("equipment_id", "old_kw", "old_qty", "buyback_date")
QUOTA_REQUIRED = ("manufacturer", "year", "quota_kw")
NO_END = np.iinfo(np.int32).max  # "never delisted"

Source = str | Path | pa.Table | pd.DataFrame


# ------------------------------------------------------------------------------------
# helpers


def load(data: Source, what: str, encoding: str | None = None) -> tuple[pa.Table, str]:
    """A table with canonical column names from a path, a pyarrow Table or a DataFrame."""
    table, name, _ = load_numbered(data, what, encoding)
    return table, name


def load_numbered(
    data: Source, what: str, encoding: str | None = None
) -> tuple[pa.Table, str, np.ndarray]:
    """:func:`load`, and the row number a spreadsheet gives each row (header = row 1, empty
    lines included; a table in memory: its position + 2)."""
    if isinstance(data, pd.DataFrame):
        table, name = pa.Table.from_pandas(data, preserve_index=False), f"<{what}>"
        rows = np.arange(table.num_rows, dtype=np.int64) + 2
    elif isinstance(data, pa.Table):
        table, name = data, f"<{what}>"
        rows = np.arange(table.num_rows, dtype=np.int64) + 2
    else:
        (table, rows), name = io.read_numbered(data, encoding), str(data)
    return records.normalise_names(table, name), name, rows


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return table.column(name)
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def text(table: pa.Table, name: str) -> pa.Array:
    """Trimmed text of a column (empty = null), as one array."""
    return pc.cast(records._text(_column(table, name)), pa.string()).combine_chunks()


def key(table: pa.Table, name: str) -> pa.Array:
    """A comparison key: trimmed, upper-cased text (empty = null)."""
    return pc.utf8_upper(text(table, name))


def join_keys(*parts: pa.Array) -> pa.Array:
    """Parts joined with :data:`SEP`; null where any part is null."""
    return pc.binary_join_element_wise(*(pc.cast(p, pa.string()) for p in parts), SEP)


def present(arr: pa.Array) -> np.ndarray:
    """True where ``arr`` is not null."""
    return ~np.asarray(pc.is_null(arr).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _require(table: pa.Table, names: tuple[str, ...], source: str, what: str) -> None:
    absent = [c for c in names if c not in table.column_names]
    if absent:
        raise InputError(
            f"{source}: {what}: missing required column{'s' if len(absent) > 1 else ''} "
            f"{', '.join(absent)}; required: {', '.join(names)} "
            f"(found: {', '.join(table.column_names) or 'none'})"
        )


class _Problems:
    """Collects bad values of a reference file and raises one error that names them."""

    def __init__(self, table: pa.Table, source: str, what: str):
        self.table, self.source, self.what = table, source, what
        self.found: list[tuple[int, str, str]] = []
        self.count = 0

    def add(self, mask: np.ndarray, column: str, problem: str) -> None:
        rows = np.flatnonzero(mask)
        self.count += len(rows)
        room = max(MAX_DETAILS - len(self.found), 0)
        self.found += [(int(i), column, problem) for i in rows[:room]]

    def raise_if_any(self) -> None:
        if not self.count:
            return
        lines = [f"{self.source}: {self.what}: {self.count} bad value(s):"]
        for i, column, problem in sorted(self.found):
            value = _column(self.table, column)[i].as_py()
            shown = "empty" if value in (None, "") else repr(value)
            lines.append(f"  row {i + 2}, column {column}: {shown} ({problem})")
        if self.count > len(self.found):
            lines.append(f"  ... and {self.count - len(self.found)} more")
        raise InputError("\n".join(lines))


def _duplicates(keys: pa.Array, source: str, what: str, label: str) -> None:
    """Raise naming the repeated keys (and their rows) if ``keys`` has any."""
    s = pd.Series(keys.to_numpy(zero_copy_only=False), dtype=object)
    dup = s.duplicated(keep=False) & s.notna()
    if not dup.any():
        return
    shown = []
    for k, rows in list(s[dup].groupby(s[dup], sort=False).groups.items())[:MAX_DETAILS]:
        shown.append(f"  {k.replace(SEP, ' / ')!s}: rows {', '.join(str(r + 2) for r in rows)}")
    n = int(s[dup].nunique())
    raise InputError(
        f"{source}: {what}: {n} duplicate {label}(s); each must appear once:\n"
        + "\n".join(shown)
        + (f"\n  ... and {n - len(shown)} more" if n > len(shown) else "")
    )


# ------------------------------------------------------------------------------------
# reference data


@dataclass
class Catalogue:
    """Approved models, one per (manufacturer, model) key."""

    key: pa.Array  # "MANUFACTURER<SEP>MODEL"
    manufacturers: frozenset[str]  # manufacturer keys
    motor_type: np.ndarray  # int8 code
    kw: np.ndarray  # [kW]
    poles: np.ndarray  # int8, 0 = not listed
    grade: np.ndarray  # int8, 0 = not listed
    efficiency: np.ndarray  # [%], NaN = not listed
    listed_from: np.ndarray  # int32 day
    delisted_from: np.ndarray  # int32 day, NO_END = still listed
    source: str


def read_catalogue(data: Source, encoding: str | None = None) -> Catalogue:
    """Read and strictly validate the approved catalogue.

    Raises
    ------
    InputError
        A missing column, a bad value, an lv_async model without a grade, a delisting not
        after its listing, or a (manufacturer, model) listed twice.
    """
    table, source = load(data, "catalogue", encoding)
    _require(table, CATALOGUE_REQUIRED, source, "catalogue")
    p = _Problems(table, source, "catalogue")
    maker, model = key(table, "manufacturer"), key(table, "model")
    p.add(~present(maker), "manufacturer", "missing")
    p.add(~present(model), "model", "missing")
    motor_types = aliases.packaged().value_arrays("motor_type")  # 低压三相异步电动机, ...
    mtype, miss, bad = records._choice(
        _column(table, "motor_type"), vocab.MOTOR_TYPES, values=motor_types
    )
    p.add(miss, "motor_type", "missing")
    p.add(bad, "motor_type", f"not one of {', '.join(vocab.MOTOR_TYPES)}")
    kw, miss, bad = records._float(_column(table, "kw"))
    p.add(miss, "kw", "missing")
    with np.errstate(invalid="ignore"):
        p.add(bad | (~miss & ((kw <= 0) | (kw > records.MAX_KW))), "kw", "not a power > 0")
    grade, gmiss, bad = records._integer(
        _column(table, "grade"), aliases.packaged().value_arrays("grade")
    )
    p.add(bad | (~gmiss & ~np.isin(grade, vocab.GRADES)), "grade", "not 1, 2 or 3")
    p.add(gmiss & (mtype == vocab.MOTOR_TYPES.index("lv_async")), "grade", "missing (lv_async)")
    poles, pmiss, bad = records._integer(_column(table, "poles"))
    p.add(bad | (~pmiss & ~np.isin(poles, records.POLES)), "poles", "not 2, 4, 6 or 8")
    eff, emiss, bad = records._float(_column(table, "efficiency"))
    with np.errstate(invalid="ignore"):
        p.add(bad | (~emiss & ((eff <= 0) | (eff > 100))), "efficiency", "not in (0, 100]")
    listed, miss, bad = records._date(_column(table, "listed_from"))
    p.add(miss, "listed_from", "missing")
    p.add(bad, "listed_from", "not a date YYYY-MM-DD")
    delisted, dmiss, bad = records._date(_column(table, "delisted_from"))
    p.add(bad, "delisted_from", "not a date YYYY-MM-DD")
    p.add(~dmiss & ~bad & (delisted <= listed), "delisted_from", "not after listed_from")
    p.raise_if_any()
    k = join_keys(maker, model)
    _duplicates(k, source, "catalogue", "model (manufacturer / model)")
    return Catalogue(
        key=k,
        manufacturers=frozenset(maker.to_pylist()),
        motor_type=mtype.astype(np.int8),
        kw=kw,
        poles=np.where(pmiss, 0, poles).astype(np.int8),
        grade=np.where(gmiss, 0, grade).astype(np.int8),
        efficiency=eff,
        listed_from=np.asarray(listed, dtype=np.int32),
        delisted_from=np.where(dmiss, NO_END, delisted).astype(np.int32),
        source=source,
    )


@dataclass
class Buybacks:
    """Recyclers' old-motor lines, one per equipment id."""

    key: pa.Array  # equipment id key
    old_kw: np.ndarray  # [kW] of one old motor
    old_qty: np.ndarray  # int64
    day: np.ndarray  # int32 buy-back date
    new_serial: pa.Array  # serial key of the new motor traded for (nullable)
    contract: pa.Array  # contract number key (nullable)
    source: str


def read_buybacks(data: Source, encoding: str | None = None) -> Buybacks:
    """Read and strictly validate the buy-back records.

    Raises
    ------
    InputError
        A missing column, a bad value or an equipment id listed twice.
    """
    table, source = load(data, "buy-backs", encoding)
    _require(table, BUYBACK_REQUIRED, source, "buy-backs")
    p = _Problems(table, source, "buy-backs")
    eq = key(table, "equipment_id")
    p.add(~present(eq), "equipment_id", "missing")
    old_kw, miss, bad = records._float(_column(table, "old_kw"))
    p.add(miss, "old_kw", "missing")
    with np.errstate(invalid="ignore"):
        p.add(
            bad | (~miss & ((old_kw <= 0) | (old_kw > records.MAX_KW))), "old_kw", "not a power > 0"
        )
    qty, miss, bad = records._integer(_column(table, "old_qty"))
    p.add(miss, "old_qty", "missing")
    with np.errstate(invalid="ignore"):
        p.add(
            bad | (~miss & ((qty < 1) | (qty > records.MAX_QTY))),
            "old_qty",
            "not a whole number >= 1",
        )
    day, miss, bad = records._date(_column(table, "buyback_date"))
    p.add(miss, "buyback_date", "missing")
    p.add(bad, "buyback_date", "not a date YYYY-MM-DD")
    p.raise_if_any()
    _duplicates(eq, source, "buy-backs", "equipment id")
    return Buybacks(
        key=eq,
        old_kw=old_kw,
        old_qty=np.nan_to_num(qty, nan=1).astype(np.int64),
        day=np.asarray(day, dtype=np.int32),
        new_serial=key(table, "new_serial"),
        contract=key(table, "contract_no"),
        source=source,
    )


@dataclass
class Quotas:
    """kW a manufacturer may promote in a calendar year, in watts (exact integers)."""

    key: pa.Array  # "MANUFACTURER<SEP>YEAR"
    quota_w: np.ndarray  # int64 [W]
    source: str


def read_quotas(
    data: Source, catalogue: Catalogue | None = None, encoding: str | None = None
) -> Quotas:
    """Read and strictly validate the yearly quotas.

    Raises
    ------
    InputError
        A missing column, a bad value, a (manufacturer, year) given twice, or a
        manufacturer the catalogue does not list.
    """
    table, source = load(data, "quotas", encoding)
    _require(table, QUOTA_REQUIRED, source, "quotas")
    p = _Problems(table, source, "quotas")
    maker = key(table, "manufacturer")
    p.add(~present(maker), "manufacturer", "missing")
    year, miss, bad = records._integer(_column(table, "year"))
    p.add(miss, "year", "missing")
    with np.errstate(invalid="ignore"):
        p.add(bad | (~miss & ((year < 1900) | (year > 2200))), "year", "not a year")
    quota, miss, bad = records._float(_column(table, "quota_kw"))
    p.add(miss, "quota_kw", "missing")
    with np.errstate(invalid="ignore"):
        p.add(bad | (~miss & (quota < 0)), "quota_kw", "not a power >= 0")
    p.raise_if_any()
    year_text = pc.cast(pa.array(year.astype(np.int64)), pa.string())
    k = join_keys(maker, year_text)
    _duplicates(k, source, "quotas", "quota (manufacturer / year)")
    if catalogue is not None:
        names = maker.to_pylist()
        unknown = sorted({n for n in names if n not in catalogue.manufacturers})
        if unknown:
            rows = [str(i + 2) for i, n in enumerate(names) if n in unknown][:MAX_DETAILS]
            raise InputError(
                f"{source}: quotas: {len(unknown)} unknown manufacturer(s) "
                f"{', '.join(repr(u) for u in unknown[:MAX_DETAILS])} (rows {', '.join(rows)}): "
                f"not in the catalogue {catalogue.source}; a quota is for a listed manufacturer"
            )
    return Quotas(key=k, quota_w=np.round(quota * 1000).astype(np.int64), source=source)


# ------------------------------------------------------------------------------------
# claims


@dataclass
class Claims:
    """The audited claim rows: original values, typed sale-line columns and claimed fen."""

    table: pa.Table  # original values, canonical names
    source_row: np.ndarray  # int64, the row as a spreadsheet numbers it (header = 1)
    cols: dict[str, np.ndarray]  # typed sale-line columns (see motorsub.engine.records)
    reject: np.ndarray  # uint64 records problems per row (0 = a valid sale line)
    keys: dict[str, pa.Array]  # record_id, claimant, batch_id, manufacturer, model, ...
    components: tuple[str, ...]  # engine component ids, or ("total",)
    claimed_fen: np.ndarray  # int64 [C, n]
    claimed_given: np.ndarray  # bool [C, n]
    invoice_ok: np.ndarray  # bool: invoice number and a valid invoice date
    has_trade_in_column: bool

    @property
    def n(self) -> int:
        return len(self.source_row)

    def take(self, idx: np.ndarray) -> Claims:
        """The rows in ``idx``."""
        arr = pa.array(idx, type=pa.int64())
        return Claims(
            table=self.table.take(arr),
            source_row=self.source_row[idx],
            cols={k: np.ascontiguousarray(v[idx]) for k, v in self.cols.items()},
            reject=self.reject[idx],
            keys={k: v.take(arr) for k, v in self.keys.items()},
            components=self.components,
            claimed_fen=np.ascontiguousarray(self.claimed_fen[:, idx]),
            claimed_given=np.ascontiguousarray(self.claimed_given[:, idx]),
            invoice_ok=self.invoice_ok[idx],
            has_trade_in_column=self.has_trade_in_column,
        )


def _fen(arr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Amounts [CNY] as int64 fen: (fen, missing, bad); bad = not a number, < 0 or sub-fen."""
    x, miss, bad = records._float(arr)
    with np.errstate(invalid="ignore"):
        hundred = x * 100.0
        fen = np.round(hundred)
        bad |= ~miss & ((x < 0) | (np.abs(hundred - fen) > 1e-6 + 1e-9 * np.abs(fen)))
    return np.where(miss | bad, 0, fen).astype(np.int64), miss, bad


def claim_components(table: pa.Table, engine: tuple[str, ...], source: str) -> tuple[str, ...]:
    """The claimed columns present: engine component ids, or ``("total",)``."""
    claimed = [c.removeprefix("claimed_") for c in table.column_names if c.startswith("claimed_")]
    unknown = [c for c in claimed if c != "total" and c not in engine]
    if unknown:
        raise InputError(
            f"{source}: claims: unknown claimed column(s) "
            f"{', '.join('claimed_' + u for u in unknown)}; accepted: "
            f"{', '.join('claimed_' + c for c in (*engine, 'total'))}"
        )
    if not claimed:
        raise InputError(
            f"{source}: claims: no claimed amount column; give claimed_<component> "
            f"({', '.join('claimed_' + c for c in engine)}) or claimed_total"
        )
    parts = tuple(c for c in engine if c in claimed)
    return parts or ("total",)


def read_claims(
    data: Source, engine_components: tuple[str, ...], encoding: str | None = None
) -> tuple[Claims, pa.Table, int]:
    """Read and check the claims.

    Returns
    -------
    claims : Claims
        The rows that can be audited.
    rejects : pyarrow.Table
        ``source_row``, ``reasons`` and the original values of the rows that cannot.
    n_read : int
        Rows read.

    Raises
    ------
    InputError
        A missing required column or an unknown ``claimed_`` column.
    """
    parts = load_parts(data, "claims", encoding)
    table, source, source_row = next(parts)
    _require(table, records.REQUIRED + CLAIM_REQUIRED, source, "claims")
    if "trade_in" in table.column_names and "old_equipment_id" not in table.column_names:
        raise InputError(
            f"{source}: claims: missing required column old_equipment_id (required with "
            f"trade_in: the checklist asks for the old motor's equipment id)"
        )
    comps = claim_components(table, engine_components, source)
    problems = list(ROW_PROBLEMS)
    read, rejected = [], []
    while table is not None:  # part by part: the file is never whole in memory
        read.append(_claims_part(table, source, source_row, comps, problems))
        mask = read[-1][1]
        if mask.any():
            rejected.append(table.take(pa.array(np.flatnonzero(mask != 0), pa.int64())))
        table, _, source_row = next(parts, (None, None, None))
    claims = _joined_claims([c for c, _ in read], comps)
    mask = np.concatenate([m for _, m in read])
    del read
    n = claims.n
    # a record id repeated in its batch: the first stands
    bit = np.uint64(1) << np.uint64(problems.index("DUPLICATE_RECORD_ID"))
    again = np.zeros(n, dtype=np.bool_)
    ids = pc.dictionary_encode(join_keys(claims.keys["batch_id"], claims.keys["record_id"]))
    code = pc.fill_null(ids.indices, -1).to_numpy(zero_copy_only=False)
    again[code >= 0] = True
    _, first = np.unique(code, return_index=True)
    again[first] = False
    mask[again] |= bit
    rejects = _rejects_table(claims, mask, problems, rejected, data, encoding)
    ok = np.flatnonzero(mask == 0)
    return (claims.take(ok) if len(ok) < n else claims), rejects, n


#: Claim rows read and checked at a time.
CLAIM_ROWS = 1 << 18


def load_parts(data: Source, what: str, encoding: str | None = None, rows: int | None = None):
    """:func:`load_numbered` a part of at most ``rows`` rows (default :data:`CLAIM_ROWS`) at
    a time (a file is read part by part; a table in memory is one part): (table, name, row
    numbers) per part, at least one."""
    if isinstance(data, (pd.DataFrame, pa.Table)):
        yield load_numbered(data, what, encoding)
        return
    name = str(data)
    for chunk in io.batch_reader(data, rows or CLAIM_ROWS, encoding).chunks():
        if chunk.bad_lines:  # only CSV sets lines aside
            raise InputError(csv_io.wrong_field_count(chunk.bad_lines[0], Path(data)))
        yield records.normalise_names(chunk.table, name), name, chunk.rows


def _claims_part(
    table: pa.Table, source: str, source_row: np.ndarray, comps, problems: list[str]
) -> tuple[Claims, np.ndarray]:
    """One part of the claims, checked: its lines and each row's claim problems (a bit per
    entry of ``problems``; a record id repeated is found once every part is read)."""
    n = table.num_rows
    mask = np.zeros(n, dtype=np.uint64)

    def flag(name: str, where: np.ndarray) -> None:
        nonlocal mask
        if name not in problems:
            problems.append(name)
        mask |= np.where(where, np.uint64(1) << np.uint64(problems.index(name)), np.uint64(0))

    keys = {
        "record_id": text(table, "record_id"),
        "claimant": text(table, "claimant"),
        "batch_id": text(table, "batch_id"),
        "manufacturer": key(table, "manufacturer"),
        "model": key(table, "model"),
        "serial": key(table, "serial"),
        "equipment": key(table, "old_equipment_id"),
        "contract": key(table, "contract_no"),
    }
    for name in ("record_id", "claimant", "batch_id"):
        flag(f"MISSING_{name.upper()}", ~present(keys[name]))
    claimed_fen = np.zeros((len(comps), n), dtype=np.int64)
    given = np.zeros((len(comps), n), dtype=np.bool_)
    none_given = np.ones(n, dtype=np.bool_)
    for ci, c in enumerate(comps):
        fen, miss, bad = _fen(_column(table, f"claimed_{c}"))
        claimed_fen[ci], given[ci] = fen, ~miss & ~bad
        none_given &= miss
        flag(f"BAD_CLAIMED_{c.upper()}", bad)
    flag("MISSING_CLAIMED", none_given)
    if comps != ("total",) and "claimed_total" in table.column_names:
        fen, miss, bad = _fen(table.column("claimed_total"))
        flag("BAD_CLAIMED_TOTAL", bad | (~miss & (fen != claimed_fen.sum(axis=0))))
    flag("DUPLICATE_RECORD_ID", np.zeros(n, dtype=np.bool_))

    _, miss, bad = records._date(_column(table, "invoice_date"))
    invoice_ok = present(text(table, "invoice_no")) & ~miss & ~bad
    recs = records.validate(table, source)
    claims = Claims(
        table=table.select([c for c in KEPT if c in table.column_names]),
        source_row=source_row,
        cols=recs.cols,
        reject=recs.reject & ~records._bit("MISSING_RECORD_ID"),
        keys=keys,
        components=comps,
        claimed_fen=claimed_fen,
        claimed_given=given,
        invoice_ok=invoice_ok,
        has_trade_in_column="trade_in" in table.column_names,
    )
    return claims, mask


#: The original values a claim line keeps in memory (the output reads the others again).
KEPT = ("motor_type",)


def _joined_claims(parts: list[Claims], comps) -> Claims:
    """The parts' lines as one :class:`Claims` (one part: itself)."""
    if len(parts) == 1:
        return parts[0]
    return Claims(
        table=pa.concat_tables([p.table for p in parts]),
        source_row=np.concatenate([p.source_row for p in parts]),
        cols={k: np.concatenate([p.cols[k] for p in parts]) for k in parts[0].cols},
        reject=np.concatenate([p.reject for p in parts]),
        keys={k: pa.concat_arrays([p.keys[k] for p in parts]) for k in parts[0].keys},
        components=comps,
        claimed_fen=np.concatenate([p.claimed_fen for p in parts], axis=1),
        claimed_given=np.concatenate([p.claimed_given for p in parts], axis=1),
        invoice_ok=np.concatenate([p.invoice_ok for p in parts]),
        has_trade_in_column=parts[0].has_trade_in_column,
    )


#: Claim rows read at a time when the original values are read again.
AGAIN_ROWS = 1 << 18


def original_rows(data: Source, source_rows: np.ndarray, encoding: str | None = None):
    """The original values of the claim rows numbered ``source_rows`` (ascending), read
    again part by part: (positions in ``source_rows``, their rows) per part read, at least
    one part (maybe empty), until the last row asked for."""
    done = 0
    for table, _, numbers in load_parts(data, "claims", encoding, AGAIN_ROWS):
        hi = done
        if len(numbers):
            hi = int(np.searchsorted(source_rows, numbers[-1], side="right"))
        at = np.searchsorted(numbers, source_rows[done:hi])
        yield np.arange(done, hi), table.take(pa.array(at, pa.int64()))
        done = hi
        if done == len(source_rows):
            return


def _rejects_table(
    claims: Claims, mask: np.ndarray, problems: list[str], rejected: list[pa.Table], data, encoding
) -> pa.Table:
    """The rows that cannot be audited: row number, reasons and original values (those of
    a repeated record id read again)."""
    rows = np.flatnonzero(mask != 0)
    uniques, inverse = np.unique(mask[rows], return_inverse=True)
    dictionary = [";".join(p for i, p in enumerate(problems) if int(u) >> i & 1) for u in uniques]
    reasons = pa.array(dictionary, pa.string()).take(pa.array(inverse.reshape(-1), pa.int32()))
    numbers = claims.source_row[rows]
    if rejected and sum(t.num_rows for t in rejected) == len(rows):  # no repeated record id
        taken = pa.concat_tables(rejected)
    else:
        taken = pa.concat_tables([t for _, t in original_rows(data, numbers, encoding)])
    return pa.table(
        {"source_row": pa.array(numbers, pa.int64()), "reasons": reasons}
        | {c: taken.column(c) for c in taken.column_names}
    )
