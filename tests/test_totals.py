"""The summary's sums of a batch (:meth:`motorsub.kernels.totals.Totals.add_arrays`) equal
the summary rules applied line after line: money and line counts exactly, and each energy
sum to the bit, its additions made in line order."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motorsub import vocab
from motorsub.kernels.savings import SavingsResult
from motorsub.kernels.subsidy import SubsidyResult
from motorsub.kernels.totals import Totals
from motorsub.reasons import NOT_APPLICABLE, PAID, Reason, component_code

NO_RATE = component_code(Reason.NO_RATE)


def _batch(rng, totals: Totals, n: int, paid_share: float, nan_share: float):
    """``n`` computed lines of random codes, amounts, versions, reasons and savings."""
    sm = totals.sums
    (n_r, n_c), n_t = sm.region_fen.shape, sm.mtype_lines.shape[0]
    n_s, n_v = sm.version_lines.shape[0], sm.version_fen.shape[0] - 1
    n_cells = len(totals._cell_status)
    code = rng.choice(
        np.array([PAID, NOT_APPLICABLE, NO_RATE, component_code(Reason.OUTSIDE_WINDOW)],
                 np.uint8),
        size=(n_c, n), p=[paid_share, (1 - paid_share) / 3, (1 - paid_share) / 3,
                          (1 - paid_share) / 3],
    )  # fmt: skip
    fen = np.where(code == PAID, rng.integers(0, 10**9, (n_c, n)), 0).astype(np.int64)
    cell = np.where(code == PAID, rng.integers(0, n_cells, (n_c, n)), -1).astype(np.int32)
    res = SubsidyResult(
        fen=fen,
        code=code,
        cell=cell,
        version=rng.integers(-1, n_v, (n_s, n)).astype(np.int16),
        reasons=rng.integers(0, 2**32, n, dtype=np.uint32),
    )
    energy = [rng.normal(0, 1e6, n) * 10.0 ** rng.integers(-3, 12, n) for _ in range(3)]
    for e in energy:
        e[rng.random(n) < nan_share] = np.nan
    sav = SavingsResult(
        *(np.full(n, np.nan) for _ in range(2)),
        *(np.zeros(n, np.uint8) for _ in range(2)),
        *energy,
        rng.integers(0, 2**32, n, dtype=np.uint32),
    )
    region = rng.integers(0, n_r, n).astype(np.int16)
    mtype = rng.integers(0, n_t, n).astype(np.int8)
    return region, mtype, res, sav


def _line_by_line(totals: Totals, region, mtype, res, sav) -> dict:
    """The sums by the rules, in Python, one line after the other (floats as Python
    floats: IEEE double additions in line order)."""
    sm = totals.sums
    n_c = sm.region_fen.shape[1]
    out = {name: np.zeros_like(a).tolist() for name, a in zip(sm._fields, sm)}
    n_none = sm.version_fen.shape[0] - 1
    for i in range(len(region)):
        r, t = int(region[i]), int(mtype[i])
        out["region_lines"][r] += 1
        out["mtype_lines"][t] += 1
        versions = [int(v) if v >= 0 else n_none for v in res.version[:, i]]
        for k, v in enumerate(versions):
            out["version_lines"][k][v] += 1
        energy = [float(sav.kwh_per_year[i]), float(sav.tce_per_year[i]),
                  float(sav.tco2_per_year[i])]  # fmt: skip
        for c in range(n_c):
            f, code = int(res.fen[c, i]), int(res.code[c, i])
            out["region_fen"][r][c] += f
            out["mtype_fen"][t][c] += f
            out["version_fen"][versions[totals._comp_scheme[c]]][c] += f
            if code == PAID:
                out["status_fen"][totals._cell_status[res.cell[c, i]]][c] += f
            if code == NO_RATE:
                out["no_rate"][c] += 1
            for k, e in enumerate(energy):
                if f > 0 and e == e:
                    out["energy_comp"][c][k] += e
        for k, e in enumerate(energy):
            if e == e:
                out["savings_lines"][k] += 1
                out["energy_region"][r][k] += e
                out["energy_mtype"][t][k] += e
        mask = int(res.reasons[i]) | int(sav.reasons[i])
        for b in range(4):
            out["reason_bytes"][b][(mask >> (8 * b)) & 255] += 1
    return out


def _assert_same(totals: Totals, expected: dict) -> None:
    for name, got in zip(totals.sums._fields, totals.sums):
        want = np.array(expected[name], dtype=got.dtype)
        # floats to the bit: the same additions in the same order
        assert got.tobytes() == want.tobytes(), name


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    paid_share=st.sampled_from([0.0, 0.05, 0.5, 1.0]),
    nan_share=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_a_batch_adds_what_the_rules_add_line_by_line(shipped, seed, n, paid_share, nan_share):
    rng = np.random.default_rng(seed)
    totals = Totals(shipped)
    region, mtype, res, sav = _batch(rng, totals, n, paid_share, nan_share)
    totals.add_arrays(np.zeros(n, np.uint64), region, mtype, res, sav)
    _assert_same(totals, _line_by_line(totals, region, mtype, res, sav))
    assert totals.computed == n


def test_energy_sums_follow_line_order_and_skip_unknown_figures(shipped):
    # five lines of one region and motor type, the first four paid by the first
    # component: 1e17 + 1 = 1e17 (1 is less than half the last digit's 16), - 1e17 = 0.0,
    # then an unknown kWh (NaN) adds nothing and is not counted, then + 5 = 5.0; the 1
    # added last would give 6.0. The fifth line's amount is 0: it adds nothing to the
    # component's sum, whose four lines add to 0.0.
    totals = Totals(shipped)
    n_c, n_s = totals.sums.region_fen.shape[1], totals.sums.version_lines.shape[0]
    kwh = np.array([1e17, 1.0, -1e17, np.nan, 5.0])
    fen = np.zeros((n_c, 5), np.int64)
    fen[0, :4] = 100
    code = np.full((n_c, 5), NOT_APPLICABLE, np.uint8)
    code[0, :4] = PAID
    cell = np.where(code == PAID, 0, -1).astype(np.int32)
    res = SubsidyResult(fen, code, cell, np.full((n_s, 5), -1, np.int16), np.zeros(5, np.uint32))
    nan = np.full(5, np.nan)
    sav = SavingsResult(nan, nan, np.zeros(5, np.uint8), np.zeros(5, np.uint8),
                        kwh, nan, nan, np.zeros(5, np.uint32))  # fmt: skip
    region, mtype = np.full(5, 3, np.int16), np.zeros(5, np.int8)
    totals.add_arrays(np.zeros(5, np.uint64), region, mtype, res, sav)
    sm = totals.sums
    assert sm.energy_region[3, 0] == 5.0
    assert sm.energy_mtype[0, 0] == 5.0
    assert sm.energy_comp[0, 0] == 0.0
    assert sm.savings_lines.tolist() == [4, 0, 0]
    assert sm.region_fen[3, 0] == 400 and sm.region_lines[3] == 5
    assert sm.version_lines[:, -1].tolist() == [5] * n_s  # no version in force
    # paid in rate cell 0: 400 fen under its status, nothing under the others
    status = int(totals._cell_status[0])
    assert sm.status_fen[:, 0].tolist() == [400 if k == status else 0
                                            for k in range(len(vocab.STATUSES))]  # fmt: skip


@pytest.mark.parametrize("batches", [1, 3])
def test_batches_in_turn_add_as_one(shipped, batches):
    rng = np.random.default_rng(7)
    whole = Totals(shipped)
    region, mtype, res, sav = _batch(rng, whole, 500, 0.3, 0.2)
    cuts = np.linspace(0, 500, batches + 1).astype(int)
    for a, b in itertools.pairwise(cuts):
        part = (
            SubsidyResult(*(np.ascontiguousarray(x[..., a:b]) for x in res)),
            SavingsResult(*(x[a:b] for x in sav)),
        )
        whole.add_arrays(np.zeros(b - a, np.uint64), region[a:b], mtype[a:b], *part)
    _assert_same(whole, _line_by_line(whole, region, mtype, res, sav))
