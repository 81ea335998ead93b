"""Reason codes: why a component pays nothing, and what was assumed for a line.

Each code is one bit of the ``reasons`` bitmask the kernels return; the names are stable
and documented in the README. Row-level reject codes (``MISSING_<COLUMN>``,
``BAD_<COLUMN>``) live in :mod:`motorsub.engine.records`.
"""

from __future__ import annotations

import enum
import functools

import numpy as np
import pyarrow as pa

from motorsub._arrow import to_numpy


class Reason(enum.IntEnum):
    """One bit each in the ``reasons`` bitmask (value = bit position)."""

    # eligibility: why a component pays nothing
    OUT_OF_SCOPE_KW = 0
    GRADE_NOT_ELIGIBLE = 1
    OUTSIDE_WINDOW = 2
    REGION_NOT_ELIGIBLE = 3
    NO_TRADE_IN = 4
    REMAN_NO_NATIONAL = 5
    NO_RATE = 6
    KIND_NOT_ELIGIBLE = 7
    TYPE_NOT_ELIGIBLE = 8
    # data: what was assumed or found on the line
    EFFICIENCY_BELOW_GRADE = 9
    ASSUMED_POLES = 10
    DEFAULT_HOURS = 11
    DEFAULT_LOAD = 12
    ASSUMED_ETA_NEW = 13
    ASSUMED_ETA_OLD = 14
    NEGATIVE_SAVINGS = 15
    UNVERIFIED_ETA = 16
    UNKNOWN_ETA = 17
    NO_HOURS = 18
    NO_LOAD = 19


#: What each code means, for the README, ``quote`` and the summary.
DESCRIPTION: dict[Reason, str] = {
    Reason.OUT_OF_SCOPE_KW: "the rated power lies outside the component's scope",
    Reason.GRADE_NOT_ELIGIBLE: "the GB 18613 grade is worse than the component allows",
    Reason.OUTSIDE_WINDOW: "the sale date lies outside every version of the scheme",
    Reason.REGION_NOT_ELIGIBLE: "the component is not paid in this region",
    Reason.NO_TRADE_IN: "the component requires a trade-in of an old motor",
    Reason.REMAN_NO_NATIONAL: "a remanufactured motor; the component pays new motors only",
    Reason.NO_RATE: "eligible, but no source gives the rate for this cell: paid 0",
    Reason.KIND_NOT_ELIGIBLE: "a new motor; the component pays remanufactured motors only",
    Reason.TYPE_NOT_ELIGIBLE: "the motor type is outside the component's scope",
    Reason.EFFICIENCY_BELOW_GRADE: "the declared efficiency is below its grade's minimum",
    Reason.ASSUMED_POLES: "poles neither given nor derivable from speed: 4 assumed",
    Reason.DEFAULT_HOURS: "operating hours from the savings profile",
    Reason.DEFAULT_LOAD: "load from the savings profile",
    Reason.ASSUMED_ETA_NEW: "new-motor efficiency from the grade's minimum, not declared",
    Reason.ASSUMED_ETA_OLD: "old-motor efficiency from a baseline, not declared",
    Reason.NEGATIVE_SAVINGS: "the new motor uses more energy than the baseline",
    Reason.UNVERIFIED_ETA: "an efficiency rests on an unverified table row or assumption",
    Reason.UNKNOWN_ETA: "an efficiency is unknown: savings left empty",
    Reason.NO_HOURS: "no operating hours on the line and none by default: savings left empty",
    Reason.NO_LOAD: "no load on the line and none by default: savings left empty",
}

#: Codes of the per-component outcome array (uint8): PAID, NOT_APPLICABLE, or 1 + a Reason.
PAID = 0
NOT_APPLICABLE = 255


def component_code(reason: Reason) -> int:
    """The per-component outcome code of ``reason``."""
    return int(reason) + 1


def reason_strings(bitmask: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``;``-joined reason names for a bitmask array, vectorised through its unique values.

    The distinct bitmasks are found by hashing (pyarrow's ``dictionary_encode``), in the
    order they first occur: sorting a batch of rows to find them, as ``np.unique`` does,
    took about a tenth of a second per million rows.

    Returns
    -------
    indices : array of int32
        Per row, the index of its string in ``dictionary``.
    dictionary : list of str
        One string per distinct bitmask ('' where no bit is set), in order of first
        occurrence.
    """
    encoded = pa.array(np.asarray(bitmask, dtype=np.uint32).reshape(-1)).dictionary_encode()
    dictionary = [names(int(u)) for u in to_numpy(encoded.dictionary)]
    return to_numpy(encoded.indices).astype(np.int32, copy=False), dictionary


@functools.lru_cache(maxsize=1 << 16)
def names(mask: int) -> str:
    """``;``-joined names of the bits set in ``mask``, in code order (remembered: a run
    meets the same few thousand combinations in every batch)."""
    return ";".join(r.name for r in Reason if mask >> int(r) & 1)
