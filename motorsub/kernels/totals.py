"""The summary's totals, accumulated batch by batch in exact integers, and their merge.

:class:`Totals` adds one batch's kernel results with :func:`_accumulate` (one compiled pass,
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
    """The summary's arrays, which :func:`_accumulate` adds one batch into.

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


class TotalsInputs(NamedTuple):
    """What :func:`_accumulate` reads of one batch, per computed line."""

    region: np.ndarray  # int16 code
    mtype: np.ndarray  # int8 code
    fen: np.ndarray  # int64 [component, line]
    code: np.ndarray  # uint8 [component, line]: PAID, NOT_APPLICABLE or 1 + a Reason
    cell: np.ndarray  # int32 [component, line]
    version: np.ndarray  # int16 [scheme, line]
    reasons: np.ndarray  # uint32 Reason bits
    kwh: np.ndarray
    tce: np.ndarray
    tco2: np.ndarray


@kernel()
def _accumulate(b, comp_scheme, cell_status, no_rate_code, s):
    """One pass over a batch ``b`` (:class:`TotalsInputs`) adding into every sum of ``s``
    (:class:`Sums`); money in int64."""
    n_none = s.version_fen.shape[0] - 1
    for i in range(b.region.shape[0]):
        r, t = b.region[i], b.mtype[i]
        s.region_lines[r] += 1
        s.mtype_lines[t] += 1
        for k in range(b.version.shape[0]):
            v = b.version[k, i]
            s.version_lines[k, v if v >= 0 else n_none] += 1
        e0, e1, e2 = b.kwh[i], b.tce[i], b.tco2[i]
        for c in range(b.fen.shape[0]):
            f = b.fen[c, i]
            s.region_fen[r, c] += f
            s.mtype_fen[t, c] += f
            v = b.version[comp_scheme[c], i]
            s.version_fen[v if v >= 0 else n_none, c] += f
            if b.code[c, i] == PAID:
                s.status_fen[cell_status[b.cell[c, i]], c] += f
            elif b.code[c, i] == no_rate_code:
                s.no_rate[c] += 1
            if f > 0:
                if e0 == e0:
                    s.energy_comp[c, 0] += e0
                if e1 == e1:
                    s.energy_comp[c, 1] += e1
                if e2 == e2:
                    s.energy_comp[c, 2] += e2
        for k, e in enumerate((e0, e1, e2)):
            if e == e:
                s.savings_lines[k] += 1
                s.energy_region[r, k] += e
                s.energy_mtype[t, k] += e
        # how often each byte value of the mask occurs: four counts, not one per bit
        m = b.reasons[i]
        s.reason_bytes[0, m & 255] += 1
        s.reason_bytes[1, (m >> 8) & 255] += 1
        s.reason_bytes[2, (m >> 16) & 255] += 1
        s.reason_bytes[3, (m >> 24) & 255] += 1


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
        inputs = TotalsInputs(
            region, mtype, res.fen, res.code, res.cell, res.version, res.reasons | sav.reasons,
            sav.kwh_per_year, sav.tce_per_year, sav.tco2_per_year,
        )  # fmt: skip
        _accumulate(
            inputs, self._comp_scheme, self._cell_status, component_code(Reason.NO_RATE),
            self.sums,
        )  # fmt: skip
        bad = reject[reject != 0]
        if bad.size:
            self.rejects += _bit_counts(bad, len(vocab.PROBLEMS))

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
