"""The audit's rules: numba kernels over contiguous arrays, and thin wrappers that join.

Joins (claim → catalogue model, claim → buy-back record) are hash look-ups in pyarrow;
every rule then runs in a kernel that sees only numpy arrays of fixed dtypes:

- :func:`catalogue_check` — ``NOT_IN_CATALOGUE``, ``CATALOGUE_MISMATCH``, ``DELISTED``, and
  the listed motor type, kW and grade the entitlement is recomputed on;
- :func:`buyback_check` — ``NO_BUYBACK_RECORD``, ``BUYBACK_MISMATCH`` and the missing
  equipment id of ``INCOMPLETE``, and the old kW and quantity of the recycler's record;
- :func:`first_claims` and :func:`first_equipment` — ``DUPLICATE_SERIAL`` per component
  and ``DUPLICATE_EQUIPMENT``: the first claim (in the ledger, then in input order) stands;
- :func:`quota_check` — ``QUOTA_EXCEEDED``, counting paid kW in sale-date order;
- :func:`rate_bounds` — for a component whose rate no source gives, the amounts the
  notice's range allows (its ``cny_per_kw_range`` on the line's basis kW);
- :func:`settle` — approved and unverified fen per component (disallowed: the rest),
  ``OVER_CLAIM``, ``UNDER_CLAIM``, ``RATE_UNKNOWN``, ``RATE_OUT_OF_RANGE`` and the line's
  status.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub._jit import kernel
from motorsub.audit.codes import (
    ADJUSTED,
    APPROVED,
    LINE_REJECTING,
    REJECTED,
    UNVERIFIED,
    Code,
    bit,
)
from motorsub.audit.inputs import Buybacks, Catalogue, present
from motorsub.kernels.keys import dense_codes
from motorsub.kernels.subsidy import _amount_fen

#: Lines whose keys are taken from a reference file at a time.
PART_LINES = 1 << 20
KW_TOLERANCE = 1e-6  # kW: ratings agree when within a milliwatt
EFFICIENCY_TOLERANCE = 0.005  # %-points: efficiencies agree to two decimals

_NOT_IN_CATALOGUE = np.uint32(bit(Code.NOT_IN_CATALOGUE))
_MISMATCH = np.uint32(bit(Code.CATALOGUE_MISMATCH))
_DELISTED = np.uint32(bit(Code.DELISTED))
_INCOMPLETE = np.uint32(bit(Code.INCOMPLETE))
_NO_BUYBACK = np.uint32(bit(Code.NO_BUYBACK_RECORD))
_BUYBACK_MISMATCH = np.uint32(bit(Code.BUYBACK_MISMATCH))
_OVER = np.uint32(bit(Code.OVER_CLAIM))
_UNDER = np.uint32(bit(Code.UNDER_CLAIM))
_RATE_UNKNOWN = np.uint32(bit(Code.RATE_UNKNOWN))
_OUT_OF_RANGE = np.uint32(bit(Code.RATE_OUT_OF_RANGE))
LINE_REJECTING_MASK = np.uint32(sum(bit(c) for c in LINE_REJECTING))


def lookup(keys: pa.Array, value_set: pa.Array) -> np.ndarray:
    """Row of each key in ``value_set`` (a hash join); -1 where absent or null."""
    idx = pc.index_in(keys, value_set=value_set)
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def codes(keys: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dense integer codes of ``keys`` (-1 = null) in the order keys first come, and the
    distinct keys they index (for keys of few distinct values: the distinct keys of
    mostly distinct ones are a copy of them, see :func:`dense_codes`)."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    idx, first = dense_codes(keys)
    return idx, keys.take(pa.array(first))


# ------------------------------------------------------------------------------------
# catalogue


@kernel(parallel=False)
def _catalogue_kernel(
    cat,
    valid,
    mtype,
    kw,
    grade,
    poles,
    eff,
    day,
    c_mtype,
    c_kw,
    c_grade,
    c_poles,
    c_eff,
    c_from,
    c_until,
    flags,
    v_mtype,
    v_kw,
    v_grade,
):
    for i in range(cat.shape[0]):
        v_mtype[i], v_kw[i], v_grade[i] = mtype[i], kw[i], grade[i]
        j = cat[i]
        if j < 0:
            flags[i] |= _NOT_IN_CATALOGUE
            continue
        if not valid[i]:
            continue
        differ = c_mtype[j] != mtype[i] or abs(c_kw[j] - kw[i]) > KW_TOLERANCE
        differ = differ or (c_grade[j] > 0 and grade[i] > 0 and c_grade[j] != grade[i])
        differ = differ or (c_poles[j] > 0 and poles[i] > 0 and c_poles[j] != poles[i])
        if not (np.isnan(c_eff[j]) or np.isnan(eff[i])):
            differ = differ or abs(c_eff[j] - eff[i]) > EFFICIENCY_TOLERANCE
        if differ:
            flags[i] |= _MISMATCH
        if day[i] < c_from[j] or day[i] >= c_until[j]:
            flags[i] |= _DELISTED
        v_mtype[i], v_kw[i] = c_mtype[j], c_kw[j]
        if c_grade[j] > 0:
            v_grade[i] = c_grade[j]


def catalogue_check(
    cols: dict[str, np.ndarray],
    valid: np.ndarray,
    maker: pa.Array,
    model: pa.Array,
    catalogue: Catalogue,
    flags: np.ndarray,
) -> dict[str, np.ndarray]:
    """Check each line against its listed model; set flags in place.

    Returns the verified ``motor_type``, ``kw`` and ``grade`` (the listed model's where it
    is found, else the claim's).
    """
    from motorsub.audit.inputs import join_keys

    n = len(maker)
    cat = np.zeros(0, np.int64)
    if n:  # the joined keys made a part at a time (the catalogue's table is small)
        cat = np.concatenate(
            [
                lookup(join_keys(maker.slice(at, PART_LINES), model.slice(at, PART_LINES)),
                       catalogue.key)
                for at in range(0, n, PART_LINES)
            ]
        )  # fmt: skip
    out = {
        "motor_type": np.empty(n, np.int8),
        "kw": np.empty(n, np.float64),
        "grade": np.empty(n, np.int8),
    }
    _catalogue_kernel(
        cat,
        valid,
        cols["motor_type"],
        cols["kw"],
        cols["grade"],
        cols["poles"],
        cols["efficiency"],
        cols["day"],
        catalogue.motor_type,
        catalogue.kw,
        catalogue.grade,
        catalogue.poles,
        catalogue.efficiency,
        catalogue.listed_from,
        catalogue.delisted_from,
        flags,
        out["motor_type"],
        out["kw"],
        out["grade"],
    )
    return out


# ------------------------------------------------------------------------------------
# buy-backs


@kernel(parallel=False)
def _buyback_kernel(
    trade,
    has_eq,
    bb,
    link_ok,
    old_kw,
    old_qty,
    b_kw,
    b_qty,
    flags,
    recognised,
    v_old_kw,
    v_old_qty,
):
    for i in range(trade.shape[0]):
        v_old_kw[i], v_old_qty[i] = old_kw[i], old_qty[i]
        recognised[i] = trade[i]
        if not trade[i]:
            continue
        if not has_eq[i]:
            flags[i] |= _INCOMPLETE
            recognised[i] = False
            continue
        j = bb[i]
        if j < 0:
            flags[i] |= _NO_BUYBACK
            recognised[i] = False
            continue
        if abs(b_kw[j] - old_kw[i]) > KW_TOLERANCE or b_qty[j] != old_qty[i] or not link_ok[i]:
            flags[i] |= _BUYBACK_MISMATCH
        v_old_kw[i], v_old_qty[i] = b_kw[j], b_qty[j]


def _same_or_absent(a: pa.Array, b: pa.Array) -> np.ndarray:
    """True where ``a`` equals ``b`` or either is null."""
    eq = pc.fill_null(pc.equal(a, b), True)
    return np.asarray(eq.to_numpy(zero_copy_only=False), dtype=np.bool_)


def buyback_check(
    cols: dict[str, np.ndarray],
    keys: dict[str, pa.Array],
    buybacks: Buybacks | None,
    flags: np.ndarray,
) -> dict[str, np.ndarray]:
    """Match each trade-in to its buy-back record by equipment id; set flags in place.

    Returns ``trade_in`` (the trade-in is recognised), ``old_kw`` and ``old_qty`` (the
    recycler's record where found). Without buy-back records every claimed trade-in stands
    and only the checklist's equipment id is checked.
    """
    trade = cols["trade_in"]
    has_eq = present(keys["equipment"])
    n = len(trade)
    if buybacks is None:
        flags |= np.where(trade & ~has_eq, _INCOMPLETE, np.uint32(0))
        return {"trade_in": trade & has_eq, "old_kw": cols["old_kw"], "old_qty": cols["old_qty"]}
    bb = lookup(keys["equipment"], buybacks.key)
    found = bb >= 0
    link_ok = ~found
    for start in range(0, n, PART_LINES):  # the records' keys taken a part at a time
        part = slice(start, start + PART_LINES)
        at = pa.array(np.maximum(bb[part], 0), mask=~found[part])  # null where no record
        link_ok[part] |= _same_or_absent(
            buybacks.new_serial.take(at), keys["serial"].slice(start, PART_LINES)
        ) & _same_or_absent(buybacks.contract.take(at), keys["contract"].slice(start, PART_LINES))
    out = {
        "trade_in": np.empty(n, np.bool_),
        "old_kw": np.empty(n, np.float64),
        "old_qty": np.empty(n, np.int64),
    }
    _buyback_kernel(
        trade,
        has_eq,
        bb,
        link_ok,
        cols["old_kw"],
        cols["old_qty"],
        buybacks.old_kw,
        buybacks.old_qty,
        flags,
        out["trade_in"],
        out["old_kw"],
        out["old_qty"],
    )
    return out


# ------------------------------------------------------------------------------------
# duplicates


@kernel(parallel=False)
def _first_claims_kernel(serial, n_serials, claimed, prior, dup):
    seen = np.zeros((claimed.shape[0], n_serials), dtype=np.bool_)
    for i in range(serial.shape[0]):
        k = serial[i]
        if k < 0:
            continue
        for c in range(claimed.shape[0]):
            if claimed[c, i]:
                if prior[c, i] or seen[c, k]:
                    dup[c, i] = True
                else:
                    seen[c, k] = True


def first_claims(serial_key: pa.Array, claimed: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """``DUPLICATE_SERIAL`` per component: bool [C, n].

    A (manufacturer serial, component) claimed on a line is a duplicate when an earlier
    batch paid it (``prior``) or an earlier line of this batch claimed it, whatever became
    of that earlier line.
    """
    serial, distinct = dense_codes(serial_key)
    dup = np.zeros(claimed.shape, dtype=np.bool_)
    _first_claims_kernel(serial, len(distinct), np.ascontiguousarray(claimed), prior, dup)
    return dup


@kernel(parallel=False)
def _first_equipment_kernel(equipment, n_equipment, serial, active, prior_other, dup):
    owner = np.full(n_equipment, -2, dtype=np.int64)
    for i in range(equipment.shape[0]):
        e = equipment[i]
        if not active[i] or e < 0:
            continue
        if prior_other[i]:
            dup[i] = True
        elif owner[e] == -2:
            owner[e] = serial[i]
        elif owner[e] != serial[i] or serial[i] < 0:
            dup[i] = True


def first_equipment(
    equipment: pa.Array, serial_key: pa.Array, active: np.ndarray, prior_other: np.ndarray
) -> np.ndarray:
    """``DUPLICATE_EQUIPMENT``: bool [n].

    An old motor's equipment id backs one new motor (one serial). A trade-in line citing an
    equipment id that an earlier batch's paid line, or an earlier line of this batch,
    used for another serial is a duplicate. Lines of the same trade-in (same serial, e.g.
    the manufacturer's and the recycler's) are not.
    """
    eq, distinct = dense_codes(equipment)
    serial, _ = dense_codes(serial_key)
    dup = np.zeros(len(eq), dtype=np.bool_)
    _first_equipment_kernel(eq, len(distinct), serial, active, prior_other, dup)
    return dup


# ------------------------------------------------------------------------------------
# quotas


@kernel(parallel=False)
def _quota_kernel(order, group, counted, watts, used, quota, exceeded):
    for j in range(order.shape[0]):
        i = order[j]
        g = group[i]
        if not counted[i] or g < 0 or quota[g] < 0:
            continue
        if used[g] + watts[i] > quota[g]:
            exceeded[i] = True
        else:
            used[g] += watts[i]


def quota_check(
    group: np.ndarray,
    day: np.ndarray,
    counted: np.ndarray,
    watts: np.ndarray,
    used: np.ndarray,
    quota: np.ndarray,
) -> np.ndarray:
    """``QUOTA_EXCEEDED``: bool [n].

    Lines are taken in sale-date order (ties in input order) per (manufacturer, year)
    group, starting from the watts earlier batches paid (``used``); a counted line whose
    kW would take the group beyond its ``quota`` [W] (-1 = no quota) exceeds it and is not
    paid, so it uses none of the quota.
    """
    order = np.lexsort((day, group))
    exceeded = np.zeros(len(group), dtype=np.bool_)
    _quota_kernel(order, group, counted, watts, used.copy(), quota, exceeded)
    return exceeded


# ------------------------------------------------------------------------------------
# settlement


@kernel(parallel=False)
def _bounds_kernel(unknown, cell, lo_fen, hi_fen, old_basis, kw, qty, old_kw, old_qty, low, high):
    for c in range(unknown.shape[0]):
        for i in range(unknown.shape[1]):
            low[c, i] = -1
            high[c, i] = -1
            j = cell[c, i]
            if not unknown[c, i] or j < 0 or lo_fen[j] < 0:
                continue
            if old_basis[c]:
                low[c, i] = _amount_fen(lo_fen[j], old_kw[i], old_qty[i])
                high[c, i] = _amount_fen(hi_fen[j], old_kw[i], old_qty[i])
            else:
                low[c, i] = _amount_fen(lo_fen[j], kw[i], qty[i])
                high[c, i] = _amount_fen(hi_fen[j], kw[i], qty[i])


def rate_bounds(
    unknown: np.ndarray,
    cell: np.ndarray,
    lo_fen: np.ndarray,
    hi_fen: np.ndarray,
    old_basis: np.ndarray,
    cols: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest amount [fen] a notice's range allows, per component and line.

    ``unknown`` [K, n] marks the components whose rate no source gives, ``cell`` [K, n] the
    rate cell the engine found, ``lo_fen``/``hi_fen`` [cells] the ends of each cell's range
    [fen/kW] (-1: the cell gives no range), ``old_basis`` [K] the components paid on the old
    motor's kW. The amounts are worked as the engine works a rate (half-up to the fen); -1
    where no range is known.
    """
    k, n = unknown.shape
    low = np.empty((k, n), dtype=np.int64)
    high = np.empty((k, n), dtype=np.int64)
    old_kw = np.nan_to_num(cols["old_kw"])
    _bounds_kernel(
        np.ascontiguousarray(unknown),
        np.ascontiguousarray(cell),
        lo_fen,
        hi_fen,
        old_basis,
        cols["kw"],
        cols["qty"],
        old_kw,
        cols["old_qty"],
        low,
        high,
    )
    return low, high


@kernel(parallel=False)
def _settle_kernel(
    claimed,
    given,
    entitled,
    allowed,
    known,
    unknown,
    low,
    high,
    at,
    flags,
    approved,
    unverified,
    status,
):
    n_c = claimed.shape[0]
    for i in range(claimed.shape[1]):
        j = at[i]
        rejected = (flags[i] & LINE_REJECTING_MASK) != 0
        total_claimed = 0
        total_approved = 0
        total_unverified = 0
        for c in range(n_c):
            a = 0
            u = 0
            if given[c, i]:
                if known[i] and not unknown[c, i]:
                    if claimed[c, i] > entitled[c, i]:
                        flags[i] |= _OVER
                    elif claimed[c, i] < entitled[c, i]:
                        flags[i] |= _UNDER
                if not rejected:
                    a = min(claimed[c, i], max(allowed[c, i], 0))
                    rest = claimed[c, i] - a
                    if unknown[c, i] and rest > 0:
                        flags[i] |= _RATE_UNKNOWN
                        u = rest
                        if j >= 0 and high[c, j] >= 0:
                            if rest > high[c, j]:
                                flags[i] |= _OUT_OF_RANGE
                                u = high[c, j]
                            elif rest < low[c, j]:
                                flags[i] |= _OUT_OF_RANGE
            approved[c, i] = a
            unverified[c, i] = u
            total_claimed += claimed[c, i]
            total_approved += a
            total_unverified += u
        if rejected or (total_approved == 0 and total_unverified == 0 and total_claimed > 0):
            status[i] = REJECTED
        elif total_unverified > 0:
            status[i] = UNVERIFIED
        elif total_approved == total_claimed:
            status[i] = APPROVED
        else:
            status[i] = ADJUSTED


def where_given(claimed: np.ndarray, given: np.ndarray) -> np.ndarray:
    """``claimed`` with 0 where no amount is given: the array itself when it already is
    (as the claims reader makes it), else a copy."""
    if np.any(claimed, where=~given):  # no copy of the amounts not given
        return np.where(given, claimed, 0)
    return claimed


def settle(
    claimed: np.ndarray,
    given: np.ndarray,
    entitled: np.ndarray,
    allowed: np.ndarray,
    known: np.ndarray,
    flags: np.ndarray,
    unknown: np.ndarray | None = None,
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
    at: np.ndarray | None = None,
    approved: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Approved and unverified fen per component, and the line's status.

    Per claimed component: approved = min(claimed, allowed), nothing on a line that a
    line-rejecting code holds. Where part of the entitlement rests on a rate no source gives
    (``unknown``), the rest of the claim is *unverified* (``RATE_UNKNOWN``): neither approved
    nor disallowed, except the part above the highest amount the notice's range allows
    (``high``), which is disallowed (``RATE_OUT_OF_RANGE``, as is a rest below ``low``,
    which takes nothing; ``low`` and ``high`` [C, m] hold the lines of ``at``, the column of
    each line, -1 for none, or every line when ``at`` is not given).
    The disallowed amount is claimed − approved − unverified (not made here: whoever needs
    it works it out), so claimed = approved + disallowed + unverified holds exactly.
    ``OVER_CLAIM`` / ``UNDER_CLAIM`` compare the claim with the engine's ``entitled``
    amount where the sale line is valid (``known``) and the rate is known. ``approved``,
    when given, is the array the approved amounts are written into; it may be ``allowed``
    itself (each entry of ``allowed`` is read before that entry of ``approved`` is
    written), which saves an array as large as the amounts.
    """
    claimed = where_given(claimed, given)
    if unknown is None:
        unknown = np.zeros(claimed.shape, dtype=np.bool_)
    if low is None or high is None:
        low = high = np.zeros((claimed.shape[0], 0), dtype=np.int64)
        at = np.full(claimed.shape[1], -1, dtype=np.int32)
    elif at is None:
        at = np.arange(claimed.shape[1], dtype=np.int32)
    if approved is None:
        approved = np.empty_like(claimed)
    unverified = np.empty_like(claimed)
    status = np.empty(claimed.shape[1], dtype=np.uint8)
    _settle_kernel(
        claimed,
        given,
        entitled,
        allowed,
        known,
        np.ascontiguousarray(unknown),
        np.ascontiguousarray(low),
        np.ascontiguousarray(high),
        np.asarray(at, dtype=np.int32),
        flags,
        approved,
        unverified,
        status,
    )
    return approved, unverified, status


@kernel(parallel=False)
def group_sum(keys, n_groups, fen):
    """Exact int64 sums of ``fen[c, i]`` by ``keys[i]``: an array [n_groups, n_rows]."""
    out = np.zeros((n_groups, fen.shape[0]), dtype=np.int64)
    for i in range(keys.shape[0]):
        for c in range(fen.shape[0]):
            out[keys[i], c] += fen[c, i]
    return out
