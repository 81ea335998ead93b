"""The inspection sample: which claim lines to verify in the field.

Every high-risk line is in the sample: a rejected line, or one whose claimed total is over
a value threshold. The rest is a seeded, stratified random sample: within each stratum
(claimant × motor type, as claimed, × whether part of the claim is unverified), lines are
drawn in a random order fixed by the seed
and taken until the stratum's sampled claimed value — high-risk lines included — reaches
the asked share of the stratum's claimed value. Each stratum then holds at least that
share, so the whole sample does too; lines claiming nothing are drawn only as high-risk.

Unverified lines (part of the claim rests on a rate no source gives) are strata of their
own rather than all high-risk: the field inspection is the only check such a claim gets,
so the asked share of *their* value is inspected whatever the verified lines beside them
hold; yet where a whole programme year has no published rate (the national subsidy's
low-voltage cells from 2011), making every such line high-risk would send the whole batch
to the field. A line drawn from an unverified stratum is marked ``unverified``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motorsub._jit import kernel

#: Why a line is in the sample (0 = not sampled).
WHY: tuple[str, ...] = ("", "rejected", "high_value", "random", "unverified")
NOT, REJECTED, HIGH_VALUE, RANDOM, UNVERIFIED = 0, 1, 2, 3, 4
PPM = 1_000_000  # the share is read to one part per million


@dataclass
class Sample:
    """Per line: why it is sampled (index into :data:`WHY`); and the sample's figures."""

    why: np.ndarray  # uint8
    share_ppm: int
    seed: int
    high_value_fen: int

    @property
    def selected(self) -> np.ndarray:
        return self.why != NOT


@kernel(parallel=False)
def _draw(order, stratum, value, high, target, why):
    taken = np.zeros(target.shape[0], dtype=np.int64)
    for j in range(order.shape[0]):
        i = order[j]
        s = stratum[i]
        if high[i]:
            taken[s] += value[i]
        elif value[i] > 0 and taken[s] < target[s]:
            why[i] = RANDOM
            taken[s] += value[i]


def draw(
    value_fen: np.ndarray,
    stratum: np.ndarray,
    rejected: np.ndarray,
    *,
    unverified: np.ndarray | None = None,
    share: float,
    high_value_fen: int,
    seed: int,
) -> Sample:
    """Draw the inspection sample.

    Parameters
    ----------
    value_fen : array of int64
        Claimed total of each line [fen].
    stratum : array of int64
        Stratum code of each line, 0 … S−1 (claimant × motor type).
    rejected : array of bool
        Lines whose status is rejected.
    unverified : array of bool, optional
        Lines with an unverified amount: strata of their own, drawn lines marked
        ``unverified``.
    share : float
        Share of the claimed value to cover, 0–1 (0.10 = 10 %).
    high_value_fen : int
        A line claiming more than this [fen] is high-risk.
    seed : int
        Seed of the random order; the same inputs and seed give the same sample.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError("the value share lies between 0 and 1")
    share_ppm = round(share * PPM)
    n = len(value_fen)
    if unverified is not None and n:
        stratum = stratum.astype(np.int64) * 2 + unverified.astype(np.int64)
    why = np.zeros(n, dtype=np.uint8)
    why[value_fen > high_value_fen] = HIGH_VALUE
    why[rejected] = REJECTED
    if n:
        n_strata = int(stratum.max()) + 1
        totals = np.zeros(n_strata, dtype=np.int64)
        np.add.at(totals, stratum, value_fen)
        # ceil(total × share) in exact integers (Python ints: no int64 overflow)
        target = np.array([-(-int(t) * share_ppm // PPM) for t in totals], dtype=np.int64)
        u = np.random.default_rng(seed).random(n)
        high = why != NOT
        order = np.lexsort((u, ~high, stratum))
        _draw(order, stratum.astype(np.int64), value_fen, high, target, why)
        if unverified is not None:
            why[(why == RANDOM) & unverified] = UNVERIFIED
    return Sample(why=why, share_ppm=share_ppm, seed=seed, high_value_fen=high_value_fen)
