"""The audit's inputs: claims, the approved catalogue, buy-back records and quotas.

Every input is a CSV, Parquet or .xlsx file (or a pyarrow Table or pandas DataFrame) whose
columns are documented in ``motorsub/audit/README.md``. Parsing reuses the vectorised
parsers of :mod:`motorsub.engine.records`, so values are read exactly as ``compute`` reads them,
Chinese headings and codes included: every reader takes ``aliases`` (the packaged table of
:mod:`motorsub.engine.aliases`, with ``--aliases`` added) for the headings and the coded
values of its file, and the claims reader the ``sheet`` of a claims workbook. A heading
that matches nothing is kept in ``not_read`` ("columns not read": a misspelt heading
shows); two headings that come to one column are an error naming both.

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

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import i18n, io, vocab
from motorsub.audit.codes import ROW_PROBLEMS
from motorsub.audit.memory import give_back
from motorsub.audit.spill import Spilled
from motorsub.engine import aliases, records
from motorsub.engine.aliases import Aliases
from motorsub.errors import InputError
from motorsub.kernels.keys import dense_codes

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
#: Every column each reference file has a use for (README: required, optional, kept).
CATALOGUE_COLUMNS = (*CATALOGUE_REQUIRED, "grade", "poles", "efficiency", "delisted_from")
BUYBACK_COLUMNS = (*BUYBACK_REQUIRED, "new_serial", "contract_no", "old_model", "recycler")
QUOTA_COLUMNS = QUOTA_REQUIRED
#: The typed columns of a claim line that a step of the audit reads (the catalogue's and
#: the buy-backs' checks, the engine's facts, the quotas). The others are read by the
#: batch's digest alone and wait for it in a temporary file (:mod:`motorsub.audit.spill`).
AUDITED_COLUMNS = frozenset(
    {"day", "region", "motor_type", "kw", "qty", "grade", "poles", "efficiency", "kind"}
    | {"trade_in", "old_kw", "old_qty"}
)
#: The claims' own columns besides the sale line's and ``claimed_<component>``.
CLAIM_COLUMNS = (*CLAIM_REQUIRED, "old_equipment_id", "contract_no", "claimed_total")

Source = str | Path | pa.Table | pd.DataFrame
#: Spellings of headings and codes: the packaged table (None), a table, or a CSV of more.
Spellings = Aliases | str | Path | None


def spellings(given: Spellings = None) -> Aliases:
    """The alias table to read with: the packaged one, ``given`` itself, or the packaged
    one with the CSV file ``given`` added (:func:`motorsub.engine.aliases.load`)."""
    return given if isinstance(given, Aliases) else aliases.load(given)


def not_read(table: pa.Table, known: tuple[str, ...]) -> tuple[str, ...]:
    """The headings of a normalised ``table`` that are not one of ``known``: nothing reads
    them (a misspelt heading shows up here)."""
    return tuple(n for n in table.column_names if n not in known)


# ------------------------------------------------------------------------------------
# helpers


def load(
    data: Source, what: str, encoding: str | None = None, aliases: Aliases | None = None
) -> tuple[pa.Table, str]:
    """A table with canonical column names from a path, a pyarrow Table or a DataFrame."""
    table, name, _ = load_numbered(data, what, encoding, aliases)
    return table, name


def load_numbered(
    data: Source,
    what: str,
    encoding: str | None = None,
    aliases: Aliases | None = None,
    sheet: str | None = None,
) -> tuple[pa.Table, str, np.ndarray]:
    """:func:`load`, and the row number a spreadsheet gives each row (header = row 1, empty
    lines included; a table in memory: its position + 2). Headings are read with
    ``aliases`` (default: the packaged table); ``sheet`` names the sheet of a workbook."""
    if isinstance(data, pd.DataFrame):
        table, name = pa.Table.from_pandas(data, preserve_index=False), f"<{what}>"
        rows = np.arange(table.num_rows, dtype=np.int64) + 2
    elif isinstance(data, pa.Table):
        table, name = data, f"<{what}>"
        rows = np.arange(table.num_rows, dtype=np.int64) + 2
    else:
        (table, rows), name = io.read_numbered(data, encoding, sheet=sheet), str(data)
    return records.normalise_names(table, name, aliases), name, rows


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
        _ = i18n.translator()
        raise InputError(
            (
                _("{source}: {what}: missing required columns {absent}; required: "
                  "{required} (found: {found})")
                if len(absent) > 1
                else _("{source}: {what}: missing required column {absent}; required: "
                       "{required} (found: {found})")
            ).format(
                source=source, what=_(what), absent=", ".join(absent),
                required=", ".join(names), found=", ".join(table.column_names) or _("none"),
            )
        )  # fmt: skip


class _Problems:
    """Collects bad values of a reference file and raises one error that names them."""

    def __init__(self, table: pa.Table, source: str, what: str):
        self.table, self.source, self.what = table, source, what
        self.found: list[tuple[int, str, str]] = []
        self.count = 0

    def add(self, mask: np.ndarray, column: str, problem: str) -> None:
        """Rows where ``mask`` holds have ``problem`` (words already in the user's
        language) in ``column``."""
        rows = np.flatnonzero(mask)
        self.count += len(rows)
        room = max(MAX_DETAILS - len(self.found), 0)
        self.found += [(int(i), column, problem) for i in rows[:room]]

    def raise_if_any(self) -> None:
        if not self.count:
            return
        _ = i18n.translator()
        lines = [
            _("{source}: {what}: {count} bad value(s):").format(
                source=self.source, what=_(self.what), count=self.count
            )
        ]
        for i, column, problem in sorted(self.found):
            value = _column(self.table, column)[i].as_py()
            shown = (
                i18n.pgettext(None, "a bad value", "empty") if value in (None, "") else repr(value)
            )
            lines.append(
                _("  row {row}, column {column}: {value} ({problem})").format(
                    row=i + 2, column=column, value=shown, problem=problem
                )
            )
        if self.count > len(self.found):
            lines.append(_("  ... and {more} more").format(more=self.count - len(self.found)))
        raise InputError("\n".join(lines))


def _duplicates(keys: pa.Array, source: str, what: str, label: str) -> None:
    """Raise naming the repeated keys (and their rows) if ``keys`` has any."""
    s = pd.Series(keys.to_numpy(zero_copy_only=False), dtype=object)
    dup = s.duplicated(keep=False) & s.notna()
    if not dup.any():
        return
    _ = i18n.translator()
    shown = []
    for k, rows in list(s[dup].groupby(s[dup], sort=False).groups.items())[:MAX_DETAILS]:
        shown.append(
            _("  {key}: rows {rows}").format(
                key=k.replace(SEP, " / "), rows=", ".join(str(r + 2) for r in rows)
            )
        )
    n = int(s[dup].nunique())
    raise InputError(
        _("{source}: {what}: {n} duplicate {label}(s); each must appear once:").format(
            source=source, what=_(what), n=n, label=label
        )
        + "\n"
        + "\n".join(shown)
        + ("\n" + _("  ... and {more} more").format(more=n - len(shown)) if n > len(shown) else "")
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
    not_read: tuple[str, ...] = ()  # headings nothing reads


def read_catalogue(
    data: Source, encoding: str | None = None, *, aliases: Spellings = None
) -> Catalogue:
    """Read and strictly validate the approved catalogue (headings and codes read with
    ``aliases``, :func:`spellings`).

    Raises
    ------
    InputError
        A missing column, a bad value, an lv_async model without a grade, a delisting not
        after its listing, or a (manufacturer, model) listed twice.
    """
    al = spellings(aliases)
    table, source = load(data, "catalogue", encoding, al)
    _require(table, CATALOGUE_REQUIRED, source, "catalogue")
    _ = i18n.translator()
    p = _Problems(table, source, "catalogue")
    maker, model = key(table, "manufacturer"), key(table, "model")
    p.add(~present(maker), "manufacturer", _("missing"))
    p.add(~present(model), "model", _("missing"))
    mtype, miss, bad = records._choice(
        _column(table, "motor_type"), vocab.MOTOR_TYPES, values=al.value_arrays("motor_type")
    )  # 低压三相异步电动机, ...
    p.add(miss, "motor_type", _("missing"))
    p.add(bad, "motor_type", _("not one of {values}").format(values=", ".join(vocab.MOTOR_TYPES)))
    kw, miss, bad = records._float(_column(table, "kw"))
    p.add(miss, "kw", _("missing"))
    with np.errstate(invalid="ignore"):
        p.add(bad | (~miss & ((kw <= 0) | (kw > records.MAX_KW))), "kw", _("not a power > 0"))
    grade, gmiss, bad = records._integer(_column(table, "grade"), al.value_arrays("grade"))
    p.add(bad | (~gmiss & ~np.isin(grade, vocab.GRADES)), "grade", _("not 1, 2 or 3"))
    lv_async = mtype == vocab.MOTOR_TYPES.index("lv_async")
    p.add(gmiss & lv_async, "grade", _("missing (lv_async)"))
    poles, pmiss, bad = records._integer(_column(table, "poles"))
    p.add(bad | (~pmiss & ~np.isin(poles, records.POLES)), "poles", _("not 2, 4, 6 or 8"))
    eff, emiss, bad = records._float(_column(table, "efficiency"))
    with np.errstate(invalid="ignore"):
        p.add(bad | (~emiss & ((eff <= 0) | (eff > 100))), "efficiency", _("not in (0, 100]"))
    listed, miss, bad = records._date(_column(table, "listed_from"))
    p.add(miss, "listed_from", _("missing"))
    p.add(bad, "listed_from", _("not a date YYYY-MM-DD"))
    delisted, dmiss, bad = records._date(_column(table, "delisted_from"))
    p.add(bad, "delisted_from", _("not a date YYYY-MM-DD"))
    p.add(~dmiss & ~bad & (delisted <= listed), "delisted_from", _("not after listed_from"))
    p.raise_if_any()
    k = join_keys(maker, model)
    _duplicates(k, source, "catalogue", _("model (manufacturer / model)"))
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
        not_read=not_read(table, CATALOGUE_COLUMNS),
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
    not_read: tuple[str, ...] = ()  # headings nothing reads


def read_buybacks(
    data: Source, encoding: str | None = None, *, aliases: Spellings = None
) -> Buybacks:
    """Read and strictly validate the buy-back records (headings read with ``aliases``).

    Raises
    ------
    InputError
        A missing column, a bad value or an equipment id listed twice.
    """
    table, source = load(data, "buy-backs", encoding, spellings(aliases))
    _require(table, BUYBACK_REQUIRED, source, "buy-backs")
    _ = i18n.translator()
    p = _Problems(table, source, "buy-backs")
    eq = key(table, "equipment_id")
    p.add(~present(eq), "equipment_id", _("missing"))
    old_kw, miss, bad = records._float(_column(table, "old_kw"))
    p.add(miss, "old_kw", _("missing"))
    with np.errstate(invalid="ignore"):
        out = (old_kw <= 0) | (old_kw > records.MAX_KW)
        p.add(bad | (~miss & out), "old_kw", _("not a power > 0"))
    qty, miss, bad = records._integer(_column(table, "old_qty"))
    p.add(miss, "old_qty", _("missing"))
    with np.errstate(invalid="ignore"):
        out = (qty < 1) | (qty > records.MAX_QTY)
        p.add(bad | (~miss & out), "old_qty", _("not a whole number >= 1"))
    day, miss, bad = records._date(_column(table, "buyback_date"))
    p.add(miss, "buyback_date", _("missing"))
    p.add(bad, "buyback_date", _("not a date YYYY-MM-DD"))
    p.raise_if_any()
    _duplicates(eq, source, "buy-backs", _("equipment id"))
    return Buybacks(
        key=eq,
        old_kw=old_kw,
        old_qty=np.nan_to_num(qty, nan=1).astype(np.int64),
        day=np.asarray(day, dtype=np.int32),
        new_serial=key(table, "new_serial"),
        contract=key(table, "contract_no"),
        source=source,
        not_read=not_read(table, BUYBACK_COLUMNS),
    )


@dataclass
class Quotas:
    """kW a manufacturer may promote in a calendar year, in watts (exact integers)."""

    key: pa.Array  # "MANUFACTURER<SEP>YEAR"
    quota_w: np.ndarray  # int64 [W]
    source: str
    not_read: tuple[str, ...] = ()  # headings nothing reads


def read_quotas(
    data: Source,
    catalogue: Catalogue | None = None,
    encoding: str | None = None,
    *,
    aliases: Spellings = None,
) -> Quotas:
    """Read and strictly validate the yearly quotas (headings read with ``aliases``).

    Raises
    ------
    InputError
        A missing column, a bad value, a (manufacturer, year) given twice, or a
        manufacturer the catalogue does not list.
    """
    table, source = load(data, "quotas", encoding, spellings(aliases))
    _require(table, QUOTA_REQUIRED, source, "quotas")
    _ = i18n.translator()
    p = _Problems(table, source, "quotas")
    maker = key(table, "manufacturer")
    p.add(~present(maker), "manufacturer", _("missing"))
    year, miss, bad = records._integer(_column(table, "year"))
    p.add(miss, "year", _("missing"))
    with np.errstate(invalid="ignore"):
        p.add(bad | (~miss & ((year < 1900) | (year > 2200))), "year", _("not a year"))
    quota, miss, bad = records._float(_column(table, "quota_kw"))
    p.add(miss, "quota_kw", _("missing"))
    with np.errstate(invalid="ignore"):
        p.add(bad | (~miss & (quota < 0)), "quota_kw", _("not a power >= 0"))
    p.raise_if_any()
    year_text = pc.cast(pa.array(year.astype(np.int64)), pa.string())
    k = join_keys(maker, year_text)
    _duplicates(k, source, "quotas", _("quota (manufacturer / year)"))
    if catalogue is not None:
        names = maker.to_pylist()
        unknown = sorted({n for n in names if n not in catalogue.manufacturers})
        if unknown:
            rows = [str(i + 2) for i, n in enumerate(names) if n in unknown][:MAX_DETAILS]
            raise InputError(
                _(
                    "{source}: quotas: {n} unknown manufacturer(s) {names} (rows {rows}): "
                    "not in the catalogue {catalogue}; a quota is for a listed manufacturer"
                ).format(
                    source=source,
                    n=len(unknown),
                    names=", ".join(repr(u) for u in unknown[:MAX_DETAILS]),
                    rows=", ".join(rows),
                    catalogue=catalogue.source,
                )
            )
    return Quotas(
        key=k,
        quota_w=np.round(quota * 1000).astype(np.int64),
        source=source,
        not_read=not_read(table, QUOTA_COLUMNS),
    )


# ------------------------------------------------------------------------------------
# claims


@dataclass
class Claims:
    """The audited claim rows: original values, typed sale-line columns and claimed fen."""

    table: pa.Table  # original values, canonical names
    source_row: np.ndarray  # int64, the row as a spreadsheet numbers it (header = 1)
    cols: dict[str, np.ndarray | Spilled]  # typed sale-line columns (motorsub.engine.records)
    reject: np.ndarray  # uint64 records problems per row (0 = a valid sale line)
    keys: dict[str, pa.Array]  # record_id, claimant, batch_id, manufacturer, model, ...
    components: tuple[str, ...]  # engine component ids, or ("total",)
    claimed_fen: np.ndarray  # int64 [C, n]
    claimed_given: np.ndarray  # bool [C, n]
    invoice_ok: np.ndarray  # bool: invoice number and a valid invoice date
    has_trade_in_column: bool
    not_read: tuple[str, ...] = ()  # headings nothing reads

    @property
    def n(self) -> int:
        return len(self.source_row)

    def keep(self, idx: np.ndarray) -> Claims:
        """Only the rows in ``idx``, in place, an array at a time (each one freed once its
        rows are copied): the lines are not held twice. Returns itself."""
        arr = pa.array(idx, type=pa.int64())
        self.table = self.table.take(arr)
        self.source_row = self.source_row[idx]
        for k, v in self.cols.items():
            self.cols[k] = v.take(idx) if isinstance(v, Spilled) else np.ascontiguousarray(v[idx])
        for k, v in self.keys.items():
            self.keys[k] = v.take(arr)
        self.reject = self.reject[idx]
        self.claimed_fen = np.ascontiguousarray(self.claimed_fen[:, idx])
        self.claimed_given = np.ascontiguousarray(self.claimed_given[:, idx])
        self.invoice_ok = self.invoice_ok[idx]
        return self

    def take(self, idx: np.ndarray) -> Claims:
        """The rows in ``idx``, as new claims (these are left as they are)."""
        return replace(self, cols=dict(self.cols), keys=dict(self.keys)).keep(idx)


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
    _ = i18n.translator()
    if unknown:
        raise InputError(
            _("{source}: claims: unknown claimed column(s) {unknown}; accepted: {accepted}").format(
                source=source,
                unknown=", ".join("claimed_" + u for u in unknown),
                accepted=", ".join("claimed_" + c for c in (*engine, "total")),
            )
        )
    if not claimed:
        raise InputError(
            _(
                "{source}: claims: no claimed amount column; give claimed_<component> "
                "({columns}) or claimed_total"
            ).format(source=source, columns=", ".join("claimed_" + c for c in engine))
        )
    parts = tuple(c for c in engine if c in claimed)
    return parts or ("total",)


def read_claims(
    data: Source,
    engine_components: tuple[str, ...],
    encoding: str | None = None,
    *,
    aliases: Spellings = None,
    sheet: str | None = None,
) -> tuple[Claims, pa.Table, int]:
    """Read and check the claims: headings and coded values read with ``aliases``
    (:func:`spellings`), the sheet ``sheet`` of a workbook (default: the first).

    Returns
    -------
    claims : Claims
        The rows that can be audited.
    rejects : pyarrow.Table
        ``source_row``, ``reasons``, ``raw_line`` (the text of a CSV line whose values do
        not match the header, rejected as ``BAD_LINE``) and the original values of the
        rows that cannot, in input order.
    n_read : int
        Rows read (lines set aside as ``BAD_LINE`` included).

    Raises
    ------
    InputError
        A missing required column or an unknown ``claimed_`` column.
    """
    al = spellings(aliases)
    parts = load_parts(data, "claims", encoding, aliases=al, sheet=sheet)
    table, source, source_row, bad_lines = next(parts)
    _require(table, records.REQUIRED + CLAIM_REQUIRED, source, "claims")
    if "trade_in" in table.column_names and "old_equipment_id" not in table.column_names:
        _ = i18n.translator()
        raise InputError(
            _(
                "{source}: claims: missing required column old_equipment_id (required with "
                "trade_in: the checklist asks for the old motor's equipment id)"
            ).format(source=source)
        )
    comps = claim_components(table, engine_components, source)
    problems = list(ROW_PROBLEMS)
    unread = not_read(
        table,
        (*records.COLUMNS, *records.PASSTHROUGH, *CLAIM_COLUMNS, *(f"claimed_{c}" for c in comps)),
    )
    read, rejected, bad = [], [], []
    spilled: dict[str, Spilled] = {}  # the columns only the digest reads (see spill.py)
    while table is not None:  # part by part: the file is never whole in memory
        read.append(_claims_part(table, source, source_row, comps, problems, al, unread))
        cols = read[-1][0].cols
        for name in [k for k in cols if k not in AUDITED_COLUMNS]:
            values = cols.pop(name)
            spilled.setdefault(name, Spilled(values.dtype)).append(values)
        bad += bad_lines
        mask = read[-1][1]
        if mask.any():
            rejected.append(table.take(pa.array(np.flatnonzero(mask != 0), pa.int64())))
        table, _, source_row, bad_lines = next(parts, (None, None, None, []))
        give_back()  # the part's temporaries
    mask = np.concatenate([m for _, m in read])
    claims = _joined_claims([c for c, _ in read], comps)
    claims.cols |= spilled
    del read, spilled
    give_back()
    n = claims.n
    # a record id repeated in its batch: the first stands
    bit = np.uint64(1) << np.uint64(problems.index("DUPLICATE_RECORD_ID"))
    batch, _ = dense_codes(claims.keys["batch_id"])
    code, _ = dense_codes(claims.keys["record_id"], within=batch)  # no copy of the ids
    code[batch < 0] = -1  # a row without a batch has no (batch, record id) key
    mask[repeats(code)] |= bit
    again = partial(original_rows, data, encoding=encoding, aliases=al, sheet=sheet)
    rejects = _rejects_table(claims, mask, problems, rejected, again, bad)
    ok = np.flatnonzero(mask == 0)
    return (claims.keep(ok) if len(ok) < n else claims), rejects, n + len(bad)


def repeats(code: np.ndarray) -> np.ndarray:
    """True where a row's key came in an earlier row; ``code`` numbers the keys in the order
    they first come (as :func:`dense_codes` does), -1 for none. A key comes first where
    its number exceeds every number before it: one pass, no sort."""
    again = code >= 0
    if len(code):
        again[1:] &= code[1:] <= np.maximum.accumulate(code)[:-1]
        again[0] = False
    return again


#: Claim rows read and checked at a time.
CLAIM_ROWS = 1 << 18


def load_parts(
    data: Source,
    what: str,
    encoding: str | None = None,
    rows: int | None = None,
    aliases: Aliases | None = None,
    sheet: str | None = None,
):
    """:func:`load_numbered` a part of at most ``rows`` rows (default :data:`CLAIM_ROWS`) at
    a time (a file is read part by part; a table in memory is one part): (table, name, row
    numbers, lines set aside) per part, at least one. A CSV line whose values do not match
    the header is set aside (:class:`motorsub.io.csv.BadLine`: row number, raw text), not
    an error."""
    if isinstance(data, (pd.DataFrame, pa.Table)):
        yield (*load_numbered(data, what, encoding, aliases), [])
        return
    name = str(data)
    for chunk in io.batch_reader(data, rows or CLAIM_ROWS, encoding, sheet=sheet).chunks():
        yield records.normalise_names(chunk.table, name, aliases), name, chunk.rows, chunk.bad_lines


def _claims_part(
    table: pa.Table,
    source: str,
    source_row: np.ndarray,
    comps,
    problems: list[str],
    al: Aliases,
    unread: tuple[str, ...],
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
    recs = records.validate(table, source, al)
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
        not_read=unread,
    )
    return claims, mask


#: The original values a claim line keeps in memory (the output reads the others again).
KEPT = ("motor_type",)


def _joined_claims(parts: list[Claims], comps) -> Claims:
    """The parts' lines as one :class:`Claims` (one part: itself).

    The parts are emptied as they are joined, an array at a time: the lines are held
    once, not twice, while they are joined.
    """
    if len(parts) == 1:
        return parts[0]

    def joined(arrays: list, join=np.concatenate, **kw):
        out = join(arrays, **kw)
        del arrays[:]
        give_back()
        return out

    def field(name: str) -> list:  # each part's array, taken out of the part
        arrays = [getattr(p, name) for p in parts]
        for p in parts:
            setattr(p, name, None)
        return arrays

    return Claims(
        table=pa.concat_tables([p.table for p in parts]),
        source_row=joined(field("source_row")),
        cols={k: joined([p.cols.pop(k) for p in parts]) for k in list(parts[0].cols)},
        reject=joined(field("reject")),
        keys={
            k: joined([p.keys.pop(k) for p in parts], pa.concat_arrays) for k in list(parts[0].keys)
        },
        components=comps,
        claimed_fen=joined(field("claimed_fen"), axis=1),
        claimed_given=joined(field("claimed_given"), axis=1),
        invoice_ok=joined(field("invoice_ok")),
        has_trade_in_column=parts[0].has_trade_in_column,
        not_read=parts[0].not_read,
    )


#: Claim rows read at a time when the original values are read again.
AGAIN_ROWS = 1 << 18


def original_rows(
    data: Source,
    source_rows: np.ndarray,
    encoding: str | None = None,
    aliases: Aliases | None = None,
    sheet: str | None = None,
):
    """The original values of the claim rows numbered ``source_rows`` (ascending), read
    again part by part as :func:`read_claims` read them (same ``aliases`` and ``sheet``):
    (positions in ``source_rows``, their rows) per part read, at least one part (maybe
    empty), until the last row asked for."""
    done = 0
    parts = load_parts(data, "claims", encoding, AGAIN_ROWS, aliases, sheet)
    for table, _, numbers, _ in parts:
        hi = done
        if len(numbers):
            hi = int(np.searchsorted(source_rows, numbers[-1], side="right"))
        at = np.searchsorted(numbers, source_rows[done:hi])
        yield np.arange(done, hi), table.take(pa.array(at, pa.int64()))
        done = hi
        if done == len(source_rows):
            return


def _rejects_table(
    claims: Claims,
    mask: np.ndarray,
    problems: list[str],
    rejected: list[pa.Table],
    again,
    bad_lines: list = (),
) -> pa.Table:
    """The rows that cannot be audited (row number, reasons, original values: those of a
    repeated record id read again through ``again``, :func:`original_rows` bound to the
    claims file) and the lines set aside as ``BAD_LINE``, in the order of their rows."""
    rows = np.flatnonzero(mask != 0)
    uniques, inverse = np.unique(mask[rows], return_inverse=True)
    dictionary = [";".join(p for i, p in enumerate(problems) if int(u) >> i & 1) for u in uniques]
    reasons = pa.array(dictionary, pa.string()).take(pa.array(inverse.reshape(-1), pa.int32()))
    numbers = claims.source_row[rows]
    if rejected and sum(t.num_rows for t in rejected) == len(rows):  # no repeated record id
        taken = pa.concat_tables(rejected)
    else:
        taken = pa.concat_tables([t for _, t in again(numbers)])
    out = pa.table(
        {
            "source_row": pa.array(numbers, pa.int64()),
            "reasons": reasons,
            "raw_line": pa.nulls(len(rows), pa.string()),
        }
        | {c: taken.column(c) for c in taken.column_names}
    )
    if not bad_lines:
        return out
    lines = pa.table(
        {
            "source_row": pa.array([b.row for b in bad_lines], pa.int64()),
            "reasons": pa.array(["BAD_LINE"] * len(bad_lines), pa.string()),
            "raw_line": pa.array([b.text for b in bad_lines], pa.string()),
        }
        | {c: pa.nulls(len(bad_lines), out.schema.field(c).type) for c in taken.column_names}
    )
    both = pa.concat_tables([out, lines])
    order = np.argsort(both.column("source_row").to_numpy(), kind="stable")
    return both.take(pa.array(order, pa.int64()))
