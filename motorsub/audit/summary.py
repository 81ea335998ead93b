"""The audit's results: the per-line table and a summary that reconciles to the fen.

Money is summed in int64 fen and shown in CNY. For every claimant, every claimed
component, every status and overall, ``claimed = approved + disallowed + unverified`` is
checked on the integer sums and the summary says whether it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from motorsub.audit import codes
from motorsub.audit.codes import STATUSES, Code
from motorsub.audit.inputs import Claims
from motorsub.audit.memory import give_back
from motorsub.audit.pipeline import RESULT_KEYS, BatchResult
from motorsub.audit.rules import PART_LINES, group_sum
from motorsub.audit.sample import WHY, Sample
from motorsub.engine import records
from motorsub.reasons import Reason

#: Original claim columns repeated in the per-line output, when present.
ECHO = (
    "manufacturer",
    "model",
    "serial",
    "invoice_no",
    "invoice_date",
    "sale_date",
    "region",
    "motor_type",
    "kind",
    "kw",
    "qty",
    "grade",
    "trade_in",
    "old_equipment_id",
    "old_kw",
    "old_qty",
    "contract_no",
)


#: The claim keys the results read (the others are done with once the batches are audited).
KEYS = RESULT_KEYS  # the keys every line keeps


def cny(fen) -> float:
    """Fen as CNY, exactly as the integer reads (e.g. 52500 → 525.0)."""
    return int(fen) / 100


@dataclass
class Lines:
    """Every audited line of a run, in input order."""

    table: pa.Table  # original values
    source_row: np.ndarray
    keys: dict[str, pa.Array]
    components: tuple[str, ...]
    flags: np.ndarray
    eligibility: np.ndarray
    reject: np.ndarray
    status: np.ndarray
    entitled: np.ndarray
    claimed: np.ndarray
    given: np.ndarray
    approved: np.ndarray
    unverified: np.ndarray
    versions: dict[str, pa.Array]
    _combos: tuple | None = None

    @property
    def disallowed(self) -> np.ndarray:
        """Disallowed fen [C, n]: claimed − approved − unverified (settling makes them add
        up exactly), made when asked for, not kept beside the other amounts."""
        return self.claimed - self.approved - self.unverified

    @property
    def n(self) -> int:
        return len(self.source_row)

    @property
    def finding(self) -> np.ndarray:
        """A line with a finding: not approved as claimed, or any audit code."""
        return (self.status != codes.APPROVED) | (self.flags != 0)

    def totals(self, what: str) -> np.ndarray:
        """Per line total of ``claimed``/``approved``/``disallowed``/``unverified``;
        ``entitled`` counts only the components the line claims."""
        if what == "disallowed":  # the identity per line: no [C, n] array of them
            return self.totals("claimed") - self.totals("approved") - self.totals("unverified")
        if what != "entitled":
            return getattr(self, what).sum(axis=0)
        out = np.empty(self.n, dtype=self.entitled.dtype)
        for start in range(0, self.n, PART_LINES):  # no temporary as large as the amounts
            part = slice(start, start + PART_LINES)
            out[part] = np.where(self.given[:, part], self.entitled[:, part], 0).sum(axis=0)
        return out


def combine(results: list[BatchResult], components: tuple[str, ...], empty: Claims) -> Lines:
    """The batches' lines as one set, in input order."""
    parts = [r.claims for r in results] or [empty]

    def cat(get, axis=0):
        arrays = [get(r) for r in results]
        if len(arrays) == 1:  # one batch: its arrays as they are (no copy)
            return arrays[0]
        return np.concatenate(arrays, axis=axis) if arrays else None

    source_row = np.concatenate([p.source_row for p in parts])
    order = np.argsort(source_row, kind="stable")
    identity = bool(np.array_equal(order, np.arange(len(order))))
    take = pa.array(order, pa.int64())

    def reorder(x):
        return x if identity else x.take(take)

    n_c = len(components)
    zeros2 = np.zeros((n_c, 0), dtype=np.int64)

    def mat(get):
        m = cat(get, axis=1)
        m = zeros2 if m is None else m
        return m if identity else m[:, order]

    def vec(get, dtype):
        v = cat(get)
        v = np.zeros(0, dtype) if v is None else v
        return v if identity else v[order]

    versions: dict[str, pa.Array] = {}
    if results:
        for name in results[0].versions:
            versions[name] = reorder(_joined([r.versions[name] for r in results]))
    return Lines(
        table=reorder(pa.concat_tables([p.table for p in parts])),
        source_row=source_row if identity else source_row[order],
        keys={k: reorder(_joined([p.keys[k] for p in parts])) for k in KEYS},
        components=components,
        flags=vec(lambda r: r.flags, np.uint32),
        eligibility=vec(lambda r: r.eligibility, np.uint32),
        reject=vec(lambda r: r.claims.reject, np.uint64),
        status=vec(lambda r: r.status, np.uint8),
        entitled=mat(lambda r: r.entitled),
        claimed=mat(lambda r: r.claimed),
        given=mat(lambda r: r.claims.claimed_given).astype(np.bool_),
        approved=mat(lambda r: r.approved),
        unverified=mat(lambda r: r.unverified),
        versions=versions,
    )


def _joined(arrays: list) -> pa.Array:
    """Arrays end to end as one array (one array: itself, not a copy)."""
    arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
    return arrays[0] if len(arrays) == 1 else pa.concat_arrays(arrays)


def reason_combos(lines: Lines) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (audit, records, eligibility) masks [u, 3] and each line's index into them,
    the masks numbered in the order they first come.

    Hash-based (``pandas.factorize``) a part of the lines at a time, each part's few
    distinct masks numbered in one table as they first come (so the numbers are those of
    one pass); computed once per :class:`Lines`.
    """
    if lines._combos is None:
        number: dict[tuple[int, int], int] = {}  # (audit | eligibility << 32, records)
        inverse = np.empty(lines.n, dtype=np.int64)
        for start in range(0, lines.n, PART_LINES):
            part = slice(start, start + PART_LINES)
            first = lines.flags[part].astype(np.uint64) | (
                lines.eligibility[part].astype(np.uint64) << 32
            )
            c1, u1 = pd.factorize(first)
            c2, u2 = pd.factorize(lines.reject[part])
            width = max(len(u2), 1)
            local, uc = pd.factorize(c1.astype(np.int64) * width + c2)
            u1, u2 = np.asarray(u1, np.uint64), np.asarray(u2, np.uint64)
            pairs = zip(u1[uc // width].tolist(), u2[uc % width].tolist())
            glob = np.array([number.setdefault(p, len(number)) for p in pairs], dtype=np.int64)
            inverse[part] = glob[local]
        masks = np.array(list(number), dtype=np.uint64).reshape(-1, 2)
        uniq = np.stack([masks[:, 0] & np.uint64(0xFFFFFFFF), masks[:, 1], masks[:, 0] >> 32], 1)
        lines._combos = (uniq.reshape(-1, 3), inverse)
    return lines._combos


def combo_codes(audit: int, reject: int, eligibility: int) -> list[str]:
    """Every code of one combination, in output order."""
    return (
        codes.names(audit)
        + records.problem_names(reject)
        + [r.name for r in Reason if eligibility >> int(r) & 1]
    )


def subset(lines: Lines, rows: np.ndarray) -> Lines:
    """The lines at ``rows`` (positions, ascending), as a :class:`Lines` of their own."""
    take = pa.array(rows, pa.int64())
    return Lines(
        table=lines.table.take(take),
        source_row=lines.source_row[rows],
        keys={k: v.take(take) for k, v in lines.keys.items()},
        components=lines.components,
        flags=lines.flags[rows],
        eligibility=lines.eligibility[rows],
        reject=lines.reject[rows],
        status=lines.status[rows],
        entitled=lines.entitled[:, rows],
        claimed=lines.claimed[:, rows],
        given=lines.given[:, rows],
        approved=lines.approved[:, rows],
        unverified=lines.unverified[:, rows],
        versions={k: v.take(take) for k, v in lines.versions.items()},
    )


def primary_reasons(lines: Lines) -> np.ndarray:
    """Per line, its primary reason ('' where nothing is disallowed), as an object array."""
    uniq, inverse = reason_combos(lines)
    primary = np.array([codes.primary(int(a)) for a, _, _ in uniq] or [""], dtype=object)
    return np.where(lines.totals("disallowed") > 0, primary[inverse] if lines.n else "", "")


#: Lines turned into output rows at a time when an output is written part by part.
OUTPUT_ROWS = 1 << 18


def table_parts(lines: Lines, sample: Sample, which: np.ndarray | None = None, originals=None):
    """The per-line output of the lines where ``which`` holds (all when ``None``), in input
    order, as tables of a bounded number of rows (at least one, maybe empty): an output is
    written without holding the whole of it.

    ``originals(source_rows)``, when given, reads the original values of those rows again
    (:func:`motorsub.audit.inputs.original_rows`): (positions, rows) per part; else they
    come from ``lines.table``.
    """
    rows = np.arange(lines.n) if which is None else np.flatnonzero(which)
    if originals is None:
        for start in range(0, max(len(rows), 1), OUTPUT_ROWS):
            part = rows[start : start + OUTPUT_ROWS]
            yield lines_table(subset(lines, part), _sample_of(sample, part))
        return
    for at, echo in originals(lines.source_row[rows]):
        part = rows[at]
        yield lines_table(subset(lines, part), _sample_of(sample, part), echo)
        give_back()  # the part written


def _sample_of(sample: Sample, rows: np.ndarray) -> Sample:
    return Sample(sample.why[rows], sample.share_ppm, sample.seed, sample.high_value_fen)


def lines_table(lines: Lines, sample: Sample, echo: pa.Table | None = None) -> pa.Table:
    """The per-line output: identity, status, reasons, amounts [CNY], versions, originals
    (of ``echo``, the lines' original values, when given, else of ``lines.table``)."""
    uniq, inverse = reason_combos(lines)
    strings = [";".join(combo_codes(int(a), int(r), int(e))) for a, r, e in uniq]
    idx = pa.array(inverse.astype(np.int32))
    disallowed_total = lines.totals("disallowed")
    primary_line = primary_reasons(lines)
    out: dict[str, pa.Array] = {
        "source_row": pa.array(lines.source_row),
        "batch_id": lines.keys["batch_id"],
        "record_id": lines.keys["record_id"],
        "claimant": lines.keys["claimant"],
        "status": pa.array(STATUSES, pa.string()).take(pa.array(lines.status.astype(np.int32))),
        "finding": pa.array(lines.finding),
        "primary_reason": pa.array(primary_line.astype(str), pa.string()),
        "reasons": pa.array(strings, pa.string()).take(idx),
    }
    if lines.components != ("total",):
        for ci, c in enumerate(lines.components):
            out[f"claimed_{c}"] = pa.array(lines.claimed[ci] / 100, mask=~lines.given[ci])
            out[f"entitled_{c}"] = pa.array(lines.entitled[ci] / 100)
            out[f"approved_{c}"] = pa.array(lines.approved[ci] / 100)
            out[f"disallowed_{c}"] = pa.array(lines.disallowed[ci] / 100)
            out[f"unverified_{c}"] = pa.array(lines.unverified[ci] / 100)
    claimed, entitled = lines.totals("claimed"), lines.totals("entitled")
    out["claimed_total"] = pa.array(claimed / 100)
    out["entitled_total"] = pa.array(entitled / 100)
    out["approved_total"] = pa.array(lines.totals("approved") / 100)
    out["disallowed_total"] = pa.array(disallowed_total / 100)
    out["unverified_total"] = pa.array(lines.totals("unverified") / 100)
    out["variance_total"] = pa.array((claimed - entitled) / 100)
    out.update(lines.versions)
    out["inspect"] = pa.array(sample.selected)
    out["inspect_reason"] = pa.array(WHY, pa.string()).take(pa.array(sample.why.astype(np.int32)))
    echo = lines.table if echo is None else echo
    for name in ECHO:
        if name in echo.column_names and name not in out:
            out[name] = echo.column(name)
    return pa.table(out)


# ------------------------------------------------------------------------------------
# summary


def _money_block(claimed: int, approved: int, disallowed: int, unverified: int) -> dict:
    return {
        "claimed": cny(claimed),
        "approved": cny(approved),
        "disallowed": cny(disallowed),
        "unverified": cny(unverified),
        "reconciles": int(claimed) == int(approved) + int(disallowed) + int(unverified),
    }


def _under_over(lines: Lines) -> tuple[int, int]:
    """Fen claimed below and above the entitlement, where the rate is known (nothing
    unverified), summed over components and lines; a part of the lines at a time, so that
    no temporary is as large as the amounts."""
    under = over = 0
    for start in range(0, lines.n, PART_LINES):
        part = slice(start, start + PART_LINES)
        checked = lines.given[:, part] & (lines.unverified[:, part] == 0)
        gap = lines.entitled[:, part] - lines.claimed[:, part]
        under += int(np.where(checked, np.maximum(gap, 0), 0).sum())
        over += int(np.where(checked, np.maximum(-gap, 0), 0).sum())
    return under, over


def summarise(lines: Lines, sample: Sample, n_read: int, n_rejected: int) -> dict:
    """Counts and amounts by component, claimant, status and reason; every total exact."""
    comps = lines.components
    claimed, approved = lines.totals("claimed"), lines.totals("approved")
    disallowed, entitled = lines.totals("disallowed"), lines.totals("entitled")
    unverified = lines.totals("unverified")
    under, over = _under_over(lines)
    overall = _money_block(claimed.sum(), approved.sum(), disallowed.sum(), unverified.sum())
    by_component = {}
    for ci, c in enumerate(comps):
        fen = [int(a[ci].sum()) for a in (lines.claimed, lines.approved, lines.unverified)]
        by_component[c] = _money_block(fen[0], fen[1], fen[0] - fen[1] - fen[2], fen[2])
    by_claimant = _by_claimant(lines)
    reconciles = (
        overall["reconciles"]
        and all(v["reconciles"] for v in by_component.values())
        and all(v["reconciles"] for v in by_claimant.values())
        and int(claimed.sum()) == sum(int(lines.claimed[ci].sum()) for ci in range(len(comps)))
    )
    by_status = {}
    for k, s in enumerate(STATUSES):
        m = lines.status == k
        by_status[s] = {"lines": int(m.sum())} | _money_block(
            claimed[m].sum(), approved[m].sum(), disallowed[m].sum(), unverified[m].sum()
        )
    return {
        "rows": {
            "read": n_read,
            "audited": lines.n,
            "rejected": n_rejected,
            "reconciles": n_read == lines.n + n_rejected,
        },
        "components": list(comps),
        "totals_cny": {
            "claimed": cny(claimed.sum()),
            "entitled": cny(entitled.sum()),
            "approved": cny(approved.sum()),
            "disallowed": cny(disallowed.sum()),
            "unverified": cny(unverified.sum()),
            "over_claimed": cny(over),
            "under_claimed": cny(under),
        },
        "reconciliation": {
            "reconciles": bool(reconciles),
            "overall": overall,
            "by_component": by_component,
            "by_claimant": by_claimant,
        },
        "findings": int(lines.finding.sum()),
        "by_status": by_status,
        **_by_reason(lines, claimed, disallowed, unverified),
        "sample": _sample_summary(sample, claimed, lines.status),
    }


def _by_claimant(lines: Lines) -> dict:
    from motorsub.audit.rules import codes as dense

    key, names = dense(lines.keys["claimant"])
    n_c = len(lines.components)
    if not lines.n:
        return {}
    claimed, approved, unverified = (  # per amount, not over them stacked: no copy
        group_sum(key, len(names), np.ascontiguousarray(fen))
        for fen in (lines.claimed, lines.approved, lines.unverified)
    )
    sums = np.concatenate([claimed, approved, claimed - approved - unverified, unverified], 1)
    counts = np.bincount(key, minlength=len(names))
    out = {}
    for g, name in enumerate(names.to_pylist()):
        c, a = sums[g, :n_c], sums[g, n_c : 2 * n_c]
        d, u = sums[g, 2 * n_c : 3 * n_c], sums[g, 3 * n_c :]
        block = {"lines": int(counts[g])} | _money_block(c.sum(), a.sum(), d.sum(), u.sum())
        block["by_component"] = {
            comp: _money_block(c[k], a[k], d[k], u[k]) for k, comp in enumerate(lines.components)
        }
        block["reconciles"] = block["reconciles"] and all(
            v["reconciles"] for v in block["by_component"].values()
        )
        out[name] = block
    return dict(sorted(out.items(), key=lambda kv: (-kv[1]["disallowed"], kv[0])))


def _by_reason(
    lines: Lines, claimed: np.ndarray, disallowed: np.ndarray, unverified: np.ndarray
) -> dict:
    """Per code: lines, claimed, disallowed and unverified of the lines carrying it (codes
    overlap); per primary reason: lines and disallowed, additive (sums to the total
    disallowed)."""
    uniq, inverse = reason_combos(lines)
    if not lines.n:
        return {"by_reason": {}, "by_primary_reason": {}}
    sums = np.concatenate(  # each total by itself, not the three stacked: no copy of them
        [group_sum(inverse, len(uniq), t[None, :]) for t in (claimed, disallowed, unverified)],
        axis=1,
    )
    counts = np.bincount(inverse, minlength=len(uniq))
    by: dict[str, list[int]] = {}
    for u, (a, r, e) in enumerate(uniq):
        for name in combo_codes(int(a), int(r), int(e)):
            acc = by.setdefault(name, [0, 0, 0, 0])
            acc[0] += int(counts[u])
            acc[1] += int(sums[u, 0])
            acc[2] += int(sums[u, 1])
            acc[3] += int(sums[u, 2])
    by_reason = {
        k: {"lines": v[0], "claimed": cny(v[1]), "disallowed": cny(v[2]), "unverified": cny(v[3])}
        for k, v in sorted(by.items(), key=lambda kv: (-kv[1][2], -kv[1][0], kv[0]))
    }
    losing = np.bincount(inverse[disallowed > 0], minlength=len(uniq))
    primary: dict[str, list[int]] = {}
    for u, (a, _, _) in enumerate(uniq):
        if not losing[u]:
            continue
        acc = primary.setdefault(codes.primary(int(a)), [0, 0])
        acc[0] += int(losing[u])
        acc[1] += int(sums[u, 1])
    by_primary = {
        k: {"lines": v[0], "disallowed": cny(v[1])}
        for k, v in sorted(primary.items(), key=lambda kv: (-kv[1][1], kv[0]))
    }
    return {"by_reason": by_reason, "by_primary_reason": by_primary}


#: Flagged lines listed in the summary and the report, largest disallowed first.
FLAGGED_LIMIT = 50


def flagged(lines: Lines, limit: int = FLAGGED_LIMIT) -> dict:
    """The lines with a finding, largest disallowed first (then largest unverified, then in
    input order), up to ``limit``; with how many more there are."""
    idx = np.flatnonzero(lines.finding)
    d, u = lines.totals("disallowed"), lines.totals("unverified")
    order = idx[np.lexsort((lines.source_row[idx], -u[idx], -d[idx]))]
    shown = order[:limit]
    take = pa.array(shown, pa.int64())
    claimed, approved = lines.totals("claimed"), lines.totals("approved")
    status = [STATUSES[k] for k in lines.status[shown]]
    rows = [
        {
            "source_row": int(lines.source_row[i]),
            "claimant": who,
            "record_id": rid,
            "status": st,
            "primary_reason": why,
            "claimed": cny(claimed[i]),
            "approved": cny(approved[i]),
            "disallowed": cny(d[i]),
            "unverified": cny(u[i]),
        }
        for i, who, rid, st, why in zip(
            shown,
            lines.keys["claimant"].take(take).to_pylist(),
            lines.keys["record_id"].take(take).to_pylist(),
            status,
            [str(x) for x in primary_reasons(subset(lines, shown))],
        )
    ]
    return {"limit": limit, "lines": rows, "more": int(len(order) - len(shown))}


def _sample_summary(sample: Sample, claimed: np.ndarray, status: np.ndarray) -> dict:
    sel = sample.selected
    total = int(claimed.sum())
    value = int(claimed[sel].sum())
    return {
        "lines": int(sel.sum()),
        "claimed": cny(value),
        "share_of_claimed": (value / total) if total else 0.0,
        "target_share": sample.share_ppm / 1_000_000,
        "by_why": {w: int((sample.why == k).sum()) for k, w in enumerate(WHY) if k},
        "high_value_over_cny": cny(sample.high_value_fen),
        "seed": sample.seed,
        "strata": "claimant × motor_type × unverified",
        "rejected_lines_all_sampled": bool(sel[status == codes.REJECTED].all()),
    }


def code_legend() -> list[tuple[str, str, str]]:
    """(code, meaning, effect) of every audit code, for the report."""
    return [(c.name, codes.DESCRIPTION[c], codes.EFFECT[c]) for c in Code]
