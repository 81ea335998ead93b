"""One batch through the audit: checks, the engine's entitlement, the ledger, settlement.

The steps, each vectorised (joins in pyarrow, rules in :mod:`motorsub.audit.rules`):

1. the checklist (``INCOMPLETE``) and the records validation (``INVALID_RECORD``);
2. the catalogue: listed model, listing dates, and the listed type, kW and grade;
3. the buy-backs: the recycler's record of each trade-in, its old kW and quantity;
4. the ledger and the batch itself: ``DUPLICATE_EQUIPMENT``;
5. the engine (:func:`motorsub.engine.run`, what ``compute`` runs) on the verified facts;
6. ``DUPLICATE_SERIAL`` per component, then ``QUOTA_EXCEEDED`` in sale-date order;
7. settlement: approved, disallowed and unverified per component (a component whose rate no
   source gives cannot be verified: ``RATE_UNKNOWN``, checked against the notice's range,
   ``RATE_OUT_OF_RANGE``), ``OVER_CLAIM``/``UNDER_CLAIM``, status;
8. the ledger: the batch's accepted lines, in one transaction.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import vocab
from motorsub.audit import rules
from motorsub.audit.codes import ELIGIBILITY, REJECTED, Code, bit
from motorsub.audit.inputs import Buybacks, Catalogue, Claims, Quotas, join_keys, present
from motorsub.audit.ledger import Ledger, digest_arrays, digest_strings
from motorsub.audit.memory import give_back
from motorsub.audit.spill import SpilledText
from motorsub.engine import columns
from motorsub.engine.batch import compute_batch
from motorsub.kernels.keys import dense_codes
from motorsub.kernels.subsidy import compiled_schemes
from motorsub.model.profile import settings
from motorsub.model.schemes import SchemeSet
from motorsub.reasons import Reason, component_code

_NO_RATE = component_code(Reason.NO_RATE)
#: Ledger rows turned into Python values at a time.
ROWS_AT_A_TIME = 1 << 16
#: Lines the engine computes at a time.
ENGINE_ROWS = 1 << 18


@dataclass
class References:
    """The reference data a batch is checked against (``None`` = that check is not run)."""

    catalogue: Catalogue | None = None
    buybacks: Buybacks | None = None
    quotas: Quotas | None = None
    #: The batch audited next is the last: the buy-back records (as large as the claims'
    #: trade-ins) are dropped once it is checked against them.
    last: bool = False


@dataclass
class BatchResult:
    """Per line of one batch: codes, amounts [fen] per claim component, status."""

    claims: Claims
    flags: np.ndarray  # uint32 audit codes
    eligibility: np.ndarray  # uint32 engine Reason bits (eligibility codes only)
    entitled: np.ndarray  # int64 [C, n]
    claimed: np.ndarray  # int64 [C, n], 0 where not claimed
    approved: np.ndarray  # int64 [C, n]
    unverified: np.ndarray  # int64 [C, n]: resting on a rate no source gives
    status: np.ndarray  # uint8
    versions: dict[str, pa.Array]
    ledger: dict = field(default_factory=dict)


def batch_digest(c: Claims) -> str:
    """A digest of a batch's claim lines as the audit reads them (format-independent)."""
    h = digest_strings(*(c.keys[k] for k in sorted(c.keys)))
    typed = [c.cols[k] for k in sorted(c.cols)]
    return digest_arrays(h, *typed, c.reject, c.claimed_fen, c.claimed_given, c.invoice_ok)


def _years(day: np.ndarray) -> np.ndarray:
    """The calendar year of each day (days since 1970-01-01), a part at a time."""
    out = np.empty(len(day), dtype=np.int64)
    for at in range(0, len(day), rules.PART_LINES):
        part = day[at : at + rules.PART_LINES]
        out[at : at + len(part)] = (
            part.astype("datetime64[D]").astype("datetime64[Y]").view(np.int64) + 1970
        )
    return out


def _watts(kw: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """Watts of each line (kW × 1000, rounded, × units; no kW counts 0), a part at a time."""
    out = np.empty(len(kw), dtype=np.int64)
    for at in range(0, len(kw), rules.PART_LINES):
        part = slice(at, at + rules.PART_LINES)
        out[part] = np.round(np.nan_to_num(kw[part]) * 1000).astype(np.int64) * qty[part]
    return out


def _quota_groups(manufacturer: pa.Array, year: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """Each line's (manufacturer, year) group (-1 without a manufacturer) and the groups'
    quota keys (manufacturer and year joined as the quotas file's keys are), made for
    the distinct groups only: no key text per line."""
    group, first = dense_codes(manufacturer, within=year)
    take = pa.array(first)
    groups = join_keys(manufacturer.take(take), pa.array(year[first]))
    return group, groups


def _strings(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(codes.astype(np.int32)))


def _engine_table(c: Claims, idx: np.ndarray, v: dict[str, np.ndarray]) -> pa.Table:
    """The verified facts of the valid lines, typed, as the engine reads records."""
    grade = v["grade"][idx]
    trade = v["trade_in"][idx]
    old_kw = v["old_kw"][idx]
    return pa.table(
        {
            "record_id": c.keys["record_id"].take(pa.array(idx)),
            "sale_date": pa.array(c.cols["day"][idx], pa.date32()),
            "region": _strings(vocab.regions(), c.cols["region"][idx]),
            "motor_type": _strings(vocab.MOTOR_TYPES, v["motor_type"][idx]),
            "kw": pa.array(v["kw"][idx]),
            "qty": pa.array(c.cols["qty"][idx]),
            "grade": pa.array(grade.astype(np.int64), mask=grade == 0),
            "kind": _strings(vocab.KINDS, c.cols["kind"][idx]),
            "trade_in": pa.array(trade),
            "old_kw": pa.array(old_kw, mask=~trade | np.isnan(old_kw)),
            "old_qty": pa.array(v["old_qty"][idx], mask=~trade),
        }
    )


#: The engine's eligibility reasons, as one mask of Reason bits.
_ELIGIBILITY_MASK = np.uint32(sum(1 << int(r) for r in ELIGIBILITY))


@dataclass
class Entitlement:
    """The engine's answer per engine component [K, n]: amounts, and where no rate is known."""

    fen: np.ndarray  # int64: the amount (0 where no rate is known)
    unknown: np.ndarray  # bool: eligible, but no source gives the rate (NO_RATE)
    low: np.ndarray  # int64 [K, m]: least amount the notice's range allows [fen], -1 if none
    high: np.ndarray  # int64 [K, m]: most amount the notice's range allows [fen], -1 if none
    at: np.ndarray  # int32 [n]: the column of low and high of each line, -1: none unknown
    eligibility: np.ndarray  # uint32 [n]: the engine's eligibility bits
    versions: dict[str, pa.Array]

    @property
    def bounded(self) -> np.ndarray:
        """The lines with a component whose rate is unknown (the columns of low, high)."""
        return np.flatnonzero(self.at >= 0)


def _range_fen(schemes: SchemeSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per rate cell of the compiled schemes, the ends of its range [fen/kW] (-1: none), and
    per component whether it is paid on the old motor's kW."""
    compiled = compiled_schemes(schemes)
    ranges = [c.rate.cny_per_kw_range for c in compiled.cells]
    lo = np.array([-1 if g is None else round(g.low * 100) for g in ranges], dtype=np.int64)
    hi = np.array([-1 if g is None else round(g.high * 100) for g in ranges], dtype=np.int64)
    old = np.array([c.basis == "old_kw" for _, c in schemes.components], dtype=np.bool_)
    return lo, hi, old


def entitlement(
    schemes: SchemeSet, c: Claims, valid: np.ndarray, v: dict[str, np.ndarray], flags: np.ndarray
) -> Entitlement:
    """The engine's amounts [fen] per engine component on the verified facts.

    Returns the amounts (0 on invalid lines), which components rest on a rate no source
    gives and the amounts the notice's range allows there, the eligibility bits and the
    version columns. A line the engine rejects (it should not: every fact it gets was
    validated) is flagged ``INVALID_RECORD``.
    """
    comps = [comp.id for _, comp in schemes.components]
    n = c.n
    fen = np.zeros((len(comps), n), dtype=np.int64)
    unknown = np.zeros((len(comps), n), dtype=np.bool_)
    lows, highs = [np.zeros((len(comps), 0), np.int64)], [np.zeros((len(comps), 0), np.int64)]
    elig = np.zeros(n, dtype=np.uint32)
    pos = np.full(n, -1, dtype=np.int64)
    valid_rows = np.flatnonzero(valid)
    computed = 0
    engine_versions: dict[str, list] = {f"version_{s.id}": [] for s in schemes.schemes}
    if len(valid_rows):
        lo_fen, hi_fen, old = _range_fen(schemes)
    for start in range(0, len(valid_rows), ENGINE_ROWS):  # the engine's memory stays bounded
        idx = valid_rows[start : start + ENGINE_ROWS]
        batch = compute_batch(_engine_table(c, idx, v), schemes, settings(), source="audit")
        flags[idx[batch.rejected_rows]] |= np.uint32(bit(Code.INVALID_RECORD))
        idx = idx[batch.rows]
        fen[:, idx] = batch.subsidy.fen
        no_rate = batch.subsidy.code == _NO_RATE
        unknown[:, idx] = no_rate
        lo, hi = rules.rate_bounds(no_rate, batch.subsidy.cell, lo_fen, hi_fen, old, batch.cols)
        some = no_rate.any(axis=0)  # elsewhere both bounds are -1: only these lines are kept
        lows.append(lo[:, some])
        highs.append(hi[:, some])
        elig[idx] = batch.reasons & _ELIGIBILITY_MASK
        pos[idx] = np.arange(computed, computed + len(idx))
        computed += len(idx)
        for col, arr in columns.version_columns(batch).items():
            engine_versions[col].append(arr)
    take = pa.array(np.maximum(pos, 0), mask=pos < 0)
    versions = {}
    for col, parts in engine_versions.items():
        versions[col] = (
            pa.concat_arrays(parts).take(take) if len(valid_rows) else pa.nulls(n, pa.string())
        )
    at = np.full(n, -1, dtype=np.int32)
    bounded = unknown.any(axis=0)
    at[bounded] = np.arange(int(bounded.sum()), dtype=np.int32)
    low, high = np.concatenate(lows, axis=1), np.concatenate(highs, axis=1)
    return Entitlement(fen, unknown, low, high, at, elig, versions)


#: The claims' typed columns and keys the audit reads once the checks of catalogue and
#: buy-backs are done and the batch's digest is taken (the engine's facts, the keys of
#: duplicates, quotas and the ledger, and those of the results).
STILL_READ = frozenset(
    {"day", "region", "qty", "kind", "trade_in"}  # typed columns
    | {"record_id", "claimant", "batch_id", "manufacturer", "serial", "equipment"}  # keys
)


#: The keys of a batch's lines that its results keep (the lines, findings and summary
#: name each line by them); its typed columns are dropped once the batch is settled.
RESULT_KEYS = ("record_id", "claimant", "batch_id")


def _done_with(c: Claims, kept: frozenset[str]) -> None:
    """Drop the batch's typed columns and keys not in ``kept``: its arrays are the largest
    the audit holds, and the columns no step reads any more are freed before the engine's
    amounts and the settlement's are made."""
    for held in (c.cols, c.keys):
        for name in [k for k in held if k not in kept]:
            del held[name]
    give_back()


def audit_batch(
    c: Claims, refs: References, schemes: SchemeSet, ledger: Ledger, batch_id: str
) -> BatchResult:
    """Audit one batch's lines and record its accepted lines in ``ledger``.

    The typed columns and keys of ``c`` that no later step reads are dropped from it as
    the audit goes (:data:`STILL_READ`).
    """
    give_back()  # what reading the claims left
    n = c.n
    flags = np.zeros(n, dtype=np.uint32)
    valid = c.reject == 0
    flags[~valid] |= np.uint32(bit(Code.INVALID_RECORD))
    incomplete = ~present(c.keys["serial"]) | ~c.invoice_ok
    flags[incomplete] |= np.uint32(bit(Code.INCOMPLETE))

    v = {k: c.cols[k] for k in ("motor_type", "kw", "grade")}
    if refs.catalogue is not None:
        v = rules.catalogue_check(
            c.cols, valid, c.keys["manufacturer"], c.keys["model"], refs.catalogue, flags
        )
        give_back()  # the joined keys of the catalogue's lookup
    v |= rules.buyback_check(c.cols, c.keys, refs.buybacks, flags)
    if refs.last:
        refs.buybacks = None
    give_back()  # the lookup's hash table of the buy-back records

    digest = batch_digest(c)
    _done_with(c, STILL_READ)
    state = ledger.begin(batch_id, digest)
    try:
        serial_key = join_keys(pc.fill_null(c.keys["manufacturer"], ""), c.keys["serial"])
        active = c.cols["trade_in"] & present(c.keys["equipment"])
        equipment = pc.if_else(pa.array(active), c.keys["equipment"], pa.scalar(None, pa.string()))
        _done_with(c, STILL_READ - {"serial", "equipment", "trade_in"})
        prior_eq = ledger.prior_equipment(state, equipment, serial_key)
        dup_eq = rules.first_equipment(equipment, serial_key, active, prior_eq)
        flags[dup_eq] |= np.uint32(bit(Code.DUPLICATE_EQUIPMENT))
        v["trade_in"] = v["trade_in"] & ~dup_eq
        # read again by the duplicate claims and the ledger, not by the engine: they wait
        # in temporary files while it computes and the lines are settled
        waiting = {"serial_key": SpilledText(serial_key), "equipment": SpilledText(equipment)}
        del serial_key, equipment, active, prior_eq, dup_eq

        give_back()
        ent = entitlement(schemes, c, valid, v, flags)
        v = {k: v[k] for k in ("kw", "trade_in")}  # what settling reads of the verified facts
        _done_with(c, frozenset({"day", "qty"} | set(c.keys)))  # and of the typed columns
        give_back()
        result = _settle_batch(c, refs, schemes, ledger, state, waiting, flags, v, ent)
        result.eligibility, result.versions = ent.eligibility, ent.versions
        del ent  # its amounts [K, n], no longer read: freed before the ledger's rows are made
        _done_with(c, frozenset(RESULT_KEYS))  # the typed columns too: nothing reads them now
        v = {k: v[k] for k in ("trade_in", "quota_w", "quota_group", "quota_groups")}
        result.ledger = _record(c, ledger, state, digest, result, waiting, v)
    except BaseException:
        ledger.rollback()
        raise
    return result


def _sum_bounds(bound: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Sum of the bounds [fen] over the unknown components; -1 where one has no range
    (``bound`` and ``unknown`` of the same lines)."""
    missing = (unknown & (bound < 0)).any(axis=0)
    total = np.where(unknown, bound, 0).sum(axis=0)
    return np.where(missing, -1, total)


def _components(per_engine: np.ndarray, rows: list[int]) -> np.ndarray:
    """The claimed components' rows of a [K, n] array: the array itself (read only, not
    copied) when every engine component is claimed in the engine's order."""
    if rows == list(range(per_engine.shape[0])):
        return per_engine
    return np.ascontiguousarray(per_engine[rows])


def _settle_batch(c, refs, schemes, ledger, state, waiting, flags, v, ent: Entitlement):
    """Duplicates, quotas and settlement; returns a :class:`BatchResult` (no ledger yet)."""
    engine_fen = ent.fen
    engine = [comp.id for _, comp in schemes.components]
    manu = np.array([comp.payee == "manufacturer" for _, comp in schemes.components])
    total_mode = c.components == ("total",)
    if total_mode:
        entitled = engine_fen.sum(axis=0, keepdims=True)
        manu_claim = np.array([False])
        unknown_k = ent.unknown.copy()  # per engine component, until findings take some
    else:
        rows = [engine.index(x) for x in c.components]
        entitled = _components(engine_fen, rows)
        manu_claim = manu[rows]
        unknown = _components(ent.unknown, rows)
        low, high = _components(ent.low, rows), _components(ent.high, rows)
    claimed = rules.where_given(c.claimed_fen, c.claimed_given)
    claiming = c.claimed_given & (claimed > 0)
    serial_key = waiting["serial_key"].load()
    prior = ledger.prior_paid(state, serial_key, c.components)
    dup = rules.first_claims(serial_key, claiming, prior)
    del serial_key, prior
    flags[dup.any(axis=0)] |= np.uint32(bit(Code.DUPLICATE_SERIAL))
    allowed = np.where(dup, 0, entitled)

    watts = _watts(v["kw"], c.cols["qty"])
    v["quota_w"] = np.zeros(c.n, dtype=np.int64)
    v["quota_group"] = np.full(c.n, -1, dtype=np.int32)  # (manufacturer, year) of groups
    v["quota_groups"] = pa.array([], pa.string())
    exceeded = np.zeros(c.n, dtype=np.bool_)
    if refs.quotas is not None:
        line_ok = (flags & rules.LINE_REJECTING_MASK) == 0
        if total_mode:
            manu_fen = (engine_fen * manu[:, None]).sum(axis=0)
            manu_unknown = (ent.unknown & manu[:, None]).any(axis=0)
            counted = line_ok & claiming[0] & ~dup[0] & ((manu_fen > 0) | manu_unknown)
        else:
            paid_or_unknown = (allowed > 0) | (unknown & ~dup)
            counted = line_ok & (claiming & paid_or_unknown & manu_claim[:, None]).any(axis=0)
        group, groups = _quota_groups(c.keys.pop("manufacturer"), _years(c.cols["day"]))
        gq = rules.lookup(groups, refs.quotas.key)
        quota = np.full(len(groups), -1, dtype=np.int64)
        quota[gq >= 0] = refs.quotas.quota_w[gq[gq >= 0]]
        used = ledger.prior_quota(state, groups.to_pylist())
        exceeded = rules.quota_check(group, c.cols["day"], counted, watts, used, quota)
        flags[exceeded] |= np.uint32(bit(Code.QUOTA_EXCEEDED))
        if total_mode:
            allowed[0] = np.where(exceeded, allowed[0] - manu_fen, allowed[0])
        else:
            allowed[np.ix_(manu_claim, exceeded)] = 0
        v["quota_w"] = np.where(counted & ~exceeded, watts, 0)
        v["quota_group"], v["quota_groups"] = group.astype(np.int32), groups

    # a part of the claim a finding takes away is disallowed, whatever its rate
    if total_mode:
        unknown_k &= ~(manu[:, None] & exceeded[None, :])
        unknown_k &= ~dup[0][None, :]
        unknown = unknown_k.any(axis=0, keepdims=True)
        bounded = ent.bounded
        low = _sum_bounds(ent.low, unknown_k[:, bounded])[None, :]
        high = _sum_bounds(ent.high, unknown_k[:, bounded])[None, :]
    else:
        unknown = unknown & ~dup & ~(manu_claim[:, None] & exceeded[None, :])
    known = (flags & np.uint32(bit(Code.INVALID_RECORD))) == 0
    del watts  # the quota's watts are kept per line in v["quota_w"]
    approved, unverified, status = rules.settle(
        claimed, c.claimed_given, entitled, allowed, known, flags, unknown, low, high, ent.at,
        approved=allowed,  # the allowed amounts become the approved: one array fewer
    )  # fmt: skip
    return BatchResult(c, flags, np.zeros(0), entitled, claimed, approved, unverified, status, {})


def _paid(components: tuple[str, ...], approved: np.ndarray, unverified: np.ndarray, rows):
    """Per line of ``rows``, the ``;``-joined components with an approved (or unverified,
    still to be settled) amount > 0: a later claim of the same serial for them is a
    duplicate. Both amounts are ≥ 0, so a component is paid where either is > 0."""
    mask = None
    for ci in range(approved.shape[0]):  # a bit per component: a handful of components
        bit = ((approved[ci, rows] > 0) | (unverified[ci, rows] > 0)).astype(np.int32) << ci
        mask = bit if mask is None else mask | bit
    names = [
        ";".join(x for k, x in enumerate(components) if u >> k & 1)
        for u in range(1 << len(components))
    ]  # read as text (the digest, the ledger's rows): a code per line, not a string
    return pa.DictionaryArray.from_arrays(pa.array(mask), pa.array(names, pa.string()))


def _quota_used(group: np.ndarray, groups: pa.Array, used: np.ndarray) -> list[tuple]:
    """(quota key, watts) of each (manufacturer, year) group whose lines used watts, the
    groups in the order their first line comes (``group``: each line's, -1 for none)."""
    lines = np.flatnonzero(group >= 0)
    sums = np.zeros(len(groups), dtype=np.int64)
    np.add.at(sums, group[lines], used[lines])
    first = np.full(len(groups), len(group), dtype=np.int64)
    np.minimum.at(first, group[lines], lines)
    names = groups.to_pylist()
    return [(names[g], int(sums[g])) for g in np.argsort(first, kind="stable") if sums[g] > 0]


def _ledger_rows(seq: int, columns: tuple[pa.Array, ...], n: int):
    """The ledger's rows (seq, then one value of each column), made a slice at a time:
    Python holds one slice of the batch's accepted lines, not all of them."""
    for start in range(0, n, ROWS_AT_A_TIME):
        values = [col.slice(start, ROWS_AT_A_TIME).to_pylist() for col in columns]
        yield from zip(itertools.repeat(seq), *values)


def _record(c, ledger, state, digest, r: BatchResult, waiting, v) -> dict:
    """The batch's accepted lines into the ledger (one transaction); what was done."""
    serial_key, equipment = waiting["serial_key"].load(), waiting["equipment"].load()
    every = not (r.status == REJECTED).any()  # every line accepted: views, not copies
    acc = None if every else np.flatnonzero(r.status != REJECTED)
    n_acc = c.n if every else len(acc)
    take = None if every else pa.array(acc, pa.int64())
    rows = slice(None) if every else acc

    def accepted(arr: pa.Array) -> pa.Array:  # every line accepted: the array itself
        return arr if every else arr.take(take)

    eq = pc.if_else(
        pa.array(v["trade_in"][rows]), accepted(equipment), pa.scalar(None, pa.string())
    )
    rid, skey = accepted(c.keys["record_id"]), accepted(serial_key)
    paid = _paid(c.components, r.approved, r.unverified, rows)
    approved = r.approved[:, rows].sum(axis=0)
    columns = (rid, accepted(c.keys["claimant"]), skey, eq, paid, pa.array(approved))
    lines = _ledger_rows(state.new_seq, columns, n_acc)
    used = v["quota_w"][rows]
    quota: list[tuple] = []
    if used.any():
        quota = _quota_used(v["quota_group"][rows], v["quota_groups"], used)
    results = digest_arrays(
        digest_strings(rid, skey, eq, paid),
        approved,
        np.array(sorted(quota), dtype=object).astype(str),
    )
    totals = {
        "lines": c.n,
        "claimed_fen": int(r.claimed.sum()),
        "approved_fen": int(r.approved.sum()),
    }
    action = ledger.commit(state, digest, results, lines, quota, totals, accepted=n_acc)
    out = {"batch_id": state.batch_id, "lines": c.n, "accepted": n_acc, "ledger": action}
    if state.recorded:
        out["matches_ledger"] = state.result_digest == results
    return out
