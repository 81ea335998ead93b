"""The summary's totals, accumulated batch by batch in exact integers, and their merge.

:class:`Totals` adds one batch's kernel results with :func:`_add_batch` (one compiled pass,
money in int64 fen) and :meth:`Totals.merge` adds another accumulator's figures, so that
batches computed anywhere (threads, processes, machines) sum to the same summary as one
pass over the whole input: integer sums do not depend on their order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from motorsub import vocab
from motorsub._jit import kernel
from motorsub.kernels.savings import SavingsResult
from motorsub.kernels.subsidy import SubsidyResult, compiled_schemes
from motorsub.model.schemes import SchemeSet
from motorsub.reasons import PAID, Reason, component_code


class Sums(NamedTuple):
    """The summary's arrays, which :meth:`Totals.add` adds each batch into.

    Money in int64 fen per component (last axis); line counts in int64; energy in float64
    as (kWh, tce, tCO2) per year.
    """

    region_fen: np.ndarray  # [region, component]
    region_lines: np.ndarray  # [region]
    mtype_fen: np.ndarray  # [motor type, component]
    mtype_lines: np.ndarray  # [motor type]
    status_fen: np.ndarray  # [rate status, component]: paid amounts by the rate's status
    version_fen: np.ndarray  # [version + 1, component]; last row: no version in force
    version_lines: np.ndarray  # [scheme, version + 1]
    no_rate: np.ndarray  # [component]: eligible lines whose rate no source gives
    reason_bytes: np.ndarray  # [4, 256]: how often each byte value of the reason masks occurs
    energy_region: np.ndarray  # [region, 3]
    energy_mtype: np.ndarray  # [motor type, 3]
    energy_comp: np.ndarray  # [component, 3]: savings of lines the component pays on
    savings_lines: np.ndarray  # [3]: lines with kWh, tce, tCO2 known


@kernel()
def _add_batch(
    region, mtype, version, reasons_a, reasons_b, kwh, tce, tco2, fen, code, cell,
    n_t, comp_scheme, status_of, no_rate_code,
    lines, version_lines, reason_bytes, energy_region, energy_mtype,
    fen_by, no_rate, energy_comp,
):  # fmt: skip
    """Add one batch into the sums: lines per (region, motor type) group ``region × n_t
    + mtype`` (``lines``) and per scheme version; how often each byte value of the reason
    masks ``reasons_a | reasons_b`` occurs; the energy sums per region, motor type and
    component paying on the line (amount > 0); lines without a rate; and each
    component's amounts into ``fen_by[c]``, by (group, version of the component's scheme
    in force, status row of the paid rate cell) in one index, from which the caller sums
    the amounts per region, motor type, version and rate status. Returns the lines with
    kWh, tce and tCO2 known.

    The energy sums are float64, whose value depends on the order of the additions: each
    receives them in line order, as one pass over the lines gives. An unknown figure
    (NaN) adds +0.0 instead, which leaves any sum as it was (sums start at +0.0, and a
    sum of additions never becomes -0.0, the one value adding +0.0 changes): so no line
    jumps around an addition, whichever figure it lacks. Integer sums do not depend on
    their order.

    The components pay on a few lines in a hundred, and an amount of 0 adds nothing: a
    line's amounts are added only where one of them is not 0, a jump seldom taken. An
    amount whose code is not PAID goes to the spare status row ``status_of[0]``. The
    line counter is unsigned, so no index needs numba's negative-index fix-up.
    """
    n_c = fen.shape[0]
    for c in range(n_c):  # lines without a rate: a count over each row of codes
        oc, n = code[c], 0
        for i in range(np.uint64(oc.shape[0])):
            n += oc[i] == no_rate_code
        no_rate[c] += n
    n_none = version.dtype.type(version_lines.shape[1] - 1)  # no version in force
    n_v = np.uint64(version_lines.shape[1])
    n_st = np.uint64(fen_by.shape[1] // (lines.shape[0] * version_lines.shape[1]))
    n0 = n1 = n2 = 0
    for i in range(np.uint64(region.shape[0])):
        r, t = np.uint64(region[i]), np.uint64(mtype[i])
        g = r * n_t + t
        lines[g] += 1
        for k in range(version.shape[0]):
            v = version[k, i]
            version_lines[k, v if v >= 0 else n_none] += 1
        m = reasons_a[i] | reasons_b[i]
        reason_bytes[0, m & 255] += 1
        reason_bytes[1, (m >> 8) & 255] += 1
        reason_bytes[2, (m >> 16) & 255] += 1
        reason_bytes[3, (m >> 24) & 255] += 1
        e0, e1, e2 = kwh[i], tce[i], tco2[i]
        k0, k1, k2 = e0 == e0, e1 == e1, e2 == e2
        n0, n1, n2 = n0 + k0, n1 + k1, n2 + k2
        e0, e1, e2 = e0 if k0 else 0.0, e1 if k1 else 0.0, e2 if k2 else 0.0
        energy_region[r, 0] += e0
        energy_region[r, 1] += e1
        energy_region[r, 2] += e2
        energy_mtype[t, 0] += e0
        energy_mtype[t, 1] += e1
        energy_mtype[t, 2] += e2
        paid = 0
        for c in range(n_c):
            paid |= fen[c, i]
        if paid != 0:
            for c in range(n_c):
                f, v = fen[c, i], version[comp_scheme[c], i]
                j = np.uint64(cell[c, i] + 1) if code[c, i] == PAID else np.uint64(0)
                key = (g * n_v + np.uint64(v if v >= 0 else n_none)) * n_st + status_of[j]
                fen_by[c, key] += f
                paying = f > 0
                energy_comp[c, 0] += e0 if paying else 0.0
                energy_comp[c, 1] += e1 if paying else 0.0
                energy_comp[c, 2] += e2 if paying else 0.0
    return n0, n1, n2


def _money(fen) -> float:
    return round(int(fen) / 100.0, 2)


class Totals:
    """The summary's figures, accumulated batch by batch in exact integers."""

    def __init__(self, schemes: SchemeSet):
        self.schemes = schemes
        compiled = compiled_schemes(schemes)
        n_c, n_v = compiled.n_components, len(compiled.versions)
        n_r, n_t = len(vocab.regions()), len(vocab.MOTOR_TYPES)
        self.read = self.computed = self.rejected = self.blank = 0
        self.sums = Sums(
            region_fen=np.zeros((n_r, n_c), dtype=np.int64),
            region_lines=np.zeros(n_r, dtype=np.int64),
            mtype_fen=np.zeros((n_t, n_c), dtype=np.int64),
            mtype_lines=np.zeros(n_t, dtype=np.int64),
            status_fen=np.zeros((len(vocab.STATUSES), n_c), dtype=np.int64),
            version_fen=np.zeros((n_v + 1, n_c), dtype=np.int64),
            version_lines=np.zeros((compiled.n_schemes, n_v + 1), dtype=np.int64),
            no_rate=np.zeros(n_c, dtype=np.int64),
            reason_bytes=np.zeros((4, 256), dtype=np.int64),
            energy_region=np.zeros((n_r, 3)),
            energy_mtype=np.zeros((n_t, 3)),
            energy_comp=np.zeros((n_c, 3)),
            savings_lines=np.zeros(3, dtype=np.int64),
        )
        self.rejects = np.zeros(len(vocab.PROBLEMS), dtype=np.int64)  # rows per problem bit
        self.columns_not_read: list[str] = []  # input columns nothing reads, first seen first
        cells = compiled.cells
        self._cell_status = np.array(
            [vocab.STATUSES.index(c.rate.status) for c in cells] or [0], dtype=np.int64
        )
        self._comp_scheme = compiled.arrays.comp_scheme
        # rate cell + 1 -> its status row; 0 (no cell, or not paid) -> the spare row
        self._status_of = np.append(len(vocab.STATUSES), self._cell_status).astype(np.uint64)

    def add(self, batch) -> None:
        """Count one batch (a :class:`motorsub.engine.result.BatchResult`: its kernels'
        results, reject masks, lines set aside, empty lines and columns not read)."""
        self.add_arrays(
            batch.reject, batch.cols["region"], batch.cols["motor_type"], batch.subsidy,
            batch.savings,
        )  # fmt: skip
        lines, blank = len(batch.bad_lines), batch.blank
        self.read += lines + blank
        self.rejected += lines
        self.blank += blank
        if lines:
            self.rejects[vocab.PROBLEMS.index("BAD_LINE")] += lines
        self._unread(batch.columns_not_read)

    def _unread(self, names) -> None:
        self.columns_not_read += [n for n in names if n not in self.columns_not_read]

    def add_arrays(
        self,
        reject: np.ndarray,
        region: np.ndarray,
        mtype: np.ndarray,
        res: SubsidyResult,
        sav: SavingsResult,
    ) -> None:
        """Count one batch: ``reject`` holds the reject masks of every row read, the other
        arrays describe the computed rows."""
        self.read += reject.shape[0]
        self.computed += res.reasons.shape[0]
        self.rejected += int(np.count_nonzero(reject))
        self._add_kernels(region, mtype, res, sav)
        bad = reject[reject != 0]
        if bad.size:
            self.rejects += _bit_counts(bad, len(vocab.PROBLEMS))

    def _add_kernels(self, region, mtype, res: SubsidyResult, sav: SavingsResult) -> None:
        """Add the computed lines' kernel results into the sums (:func:`_add_batch`)."""
        sm = self.sums
        (n_r, n_c), n_t = sm.region_fen.shape, sm.mtype_lines.shape[0]
        n_v, n_st = sm.version_fen.shape[0], sm.status_fen.shape[0]
        lines = np.zeros(n_r * n_t, np.int64)
        by = np.zeros((n_c, n_r * n_t * n_v * (n_st + 1)), np.int64)  # last status: not paid
        sm.savings_lines[:] += _add_batch(
            region, mtype, res.version, res.reasons, sav.reasons,
            sav.kwh_per_year, sav.tce_per_year, sav.tco2_per_year, res.fen, res.code, res.cell,
            np.uint64(n_t), self._comp_scheme, self._status_of, component_code(Reason.NO_RATE),
            lines, sm.version_lines, sm.reason_bytes, sm.energy_region, sm.energy_mtype,
            by, sm.no_rate, sm.energy_comp,
        )  # fmt: skip
        sm.region_lines[:] += lines.reshape(n_r, n_t).sum(axis=1)
        sm.mtype_lines[:] += lines.reshape(n_r, n_t).sum(axis=0)
        by = by.reshape(n_c, n_r, n_t, n_v, n_st + 1)
        sm.region_fen[:] += by.sum(axis=(2, 3, 4)).T
        sm.mtype_fen[:] += by.sum(axis=(1, 3, 4)).T
        sm.version_fen[:] += by.sum(axis=(1, 2, 4)).T
        sm.status_fen[:] += by.sum(axis=(1, 2, 3))[:, :n_st].T

    def merge(self, other: Totals) -> Totals:
        """Add another accumulator's figures (of the same schemes) into this one.

        Money and counts are integers, so merging is exact and independent of order; the
        energy sums are float64 and may differ from one pass in their last bits.
        """
        if other.schemes is not self.schemes and [s.id for s in other.schemes.schemes] != [
            s.id for s in self.schemes.schemes
        ]:
            raise ValueError("totals of different schemes cannot be merged")
        self.read += other.read
        self.computed += other.computed
        self.rejected += other.rejected
        self.blank += other.blank
        for mine, theirs in zip(self.sums, other.sums):
            mine += theirs
        self.rejects += other.rejects
        self._unread(other.columns_not_read)
        return self

    @property
    def reasons(self) -> np.ndarray:
        """Lines per Reason bit, from how often each byte value of the masks occurred."""
        has = (np.arange(256)[:, None] >> np.arange(8)) & 1  # [byte value, bit]: set?
        return (self.sums.reason_bytes @ has).reshape(-1)[: len(Reason)]  # byte-major: bit order

    def summary(self) -> dict:
        """The summary of docs/rules.md section 5; every total is an exact sum of line amounts."""
        schemes, compiled = self.schemes, compiled_schemes(self.schemes)
        sm = self.sums
        comps = [c for _, c in schemes.components]
        per_comp = sm.region_fen.sum(axis=0)
        out: dict = {
            "rows": {
                "read": self.read,
                "computed": self.computed,
                "rejected": self.rejected,
                "blank": self.blank,
                "reconciles": self.read == self.computed + self.rejected + self.blank,
            },
            "totals_cny": {c.id: _money(f) for c, f in zip(comps, per_comp)}
            | {"total": _money(per_comp.sum())},
        }
        for key, attr, names in (
            ("by_payee", "payee", vocab.PAYEES),
            ("by_budget", "budget", vocab.BUDGETS),
        ):
            out[key] = {
                name: _money(
                    sum(int(f) for c, f in zip(comps, per_comp) if getattr(c, attr) == name)
                )
                for name in names
                if any(getattr(c, attr) == name for c in comps)
            }
        for key, sums, lines, names in (
            ("by_region", sm.region_fen, sm.region_lines, vocab.regions()),
            ("by_motor_type", sm.mtype_fen, sm.mtype_lines, vocab.MOTOR_TYPES),
        ):
            out[key] = {
                names[g]: {"lines": int(lines[g])}
                | {c.id: _money(sums[g, ci]) for ci, c in enumerate(comps)}
                | {"total": _money(sums[g].sum())}
                for g in range(len(names))
                if lines[g]
            }
        out["by_rate_status"] = {
            c.id: {
                s: _money(sm.status_fen[k, ci])
                for k, s in enumerate(vocab.STATUSES)
                if sm.status_fen[k, ci]
            }
            for ci, c in enumerate(comps)
        }
        version_names = [v.id for _, v in compiled.versions] + ["none"]
        out["by_scheme_version"] = {}
        for si, s in enumerate(schemes.schemes):
            mine = [ci for ci, (cs, _) in enumerate(schemes.components) if cs is s]
            out["by_scheme_version"][s.id] = {
                version_names[v]: {
                    "lines": int(sm.version_lines[si, v]),
                    "total": _money(sm.version_fen[v, mine].sum()),
                }
                for v in range(len(version_names))
                if sm.version_lines[si, v]
            }
        out["no_rate_lines"] = {c.id: int(sm.no_rate[ci]) for ci, c in enumerate(comps)}
        out["savings_per_year"] = _energy(sm.energy_region.sum(axis=0)) | {
            "lines_with_kwh": int(sm.savings_lines[0]),
            "lines_with_tco2": int(sm.savings_lines[2]),
            "by_region": {
                vocab.regions()[g]: _energy(sm.energy_region[g])
                for g in range(len(sm.region_lines))
                if sm.region_lines[g]
            },
            "by_motor_type": {
                vocab.MOTOR_TYPES[g]: _energy(sm.energy_mtype[g])
                for g in range(len(sm.mtype_lines))
                if sm.mtype_lines[g]
            },
            "by_component": {c.id: _energy(sm.energy_comp[ci]) for ci, c in enumerate(comps)},
        }
        lines = self.reasons
        out["reasons"] = {r.name: int(lines[r]) for r in Reason if lines[r]}
        out["rejects"] = {p: int(n) for p, n in zip(vocab.PROBLEMS, self.rejects) if n}
        out["schemes"] = [{"id": s.id, "file": s.source_file} for s in schemes.schemes]
        out["columns_not_read"] = list(self.columns_not_read)
        return out


def _energy(v: np.ndarray) -> dict:
    return {
        "kwh": round(float(v[0]), 3),
        "tce": round(float(v[1]), 6),
        "tco2": round(float(v[2]), 6),
    }


def _bit_counts(masks: np.ndarray, n_bits: int) -> np.ndarray:
    """How many of ``masks`` have each bit set, through their unique values."""
    uniques, counts = np.unique(masks, return_counts=True)
    out = np.zeros(n_bits, dtype=np.int64)
    for u, k in zip(uniques.tolist(), counts.tolist()):
        for b in range(n_bits):
            if u >> b & 1:
                out[b] += k
    return out
