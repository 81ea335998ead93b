"""Conversions of an input frame into Arrow, in one compiled pass.

:func:`first_codes` numbers the distinct 64-bit keys of a column in the order they first
occur, as ``pandas.factorize`` does, with a small open-addressing table: the keys a
DataFrame's object column is grouped by (the addresses of its objects, of which a column
of dates holds a few thousand) fit in the processor's cache, where a general hash table
of ten million rows spent a tenth of a second (:func:`motorsub.engine.frames._objects`).
"""

from __future__ import annotations

import numpy as np

from motorsub._jit import kernel

_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: 2**64 / golden ratio


@kernel()
def first_codes(keys, slots, bits, codes, first):
    """Number the distinct ``keys`` in the order they first occur: each row's number into
    ``codes``, the first row of each number into ``first``; returns how many there are,
    -1 when there are more than ``len(first)``, or -2 when more than half of the
    ``2**bits`` ``slots`` (each -1 on entry; a slot keeps a number) would fill."""
    shift = np.uint64(64 - bits)
    mask = len(slots) - 1
    m = 0
    for i in range(len(keys)):
        k = keys[i]
        s = np.int64((k * _SPREAD) >> shift)
        while True:
            c = slots[s]
            if c < 0:  # a key not seen before
                if m == len(first):
                    return -1
                if 2 * m >= len(slots):
                    return -2
                slots[s] = m
                first[m] = i
                c = m
                m += 1
                break
            if keys[first[c]] == k:
                break
            s = (s + 1) & mask
        codes[i] = c
    return m
