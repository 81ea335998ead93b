"""The checks of a typed number column, in one pass per column.

A column that arrives typed (a float or integer Arrow column: Parquet, a DataFrame) needs
no parsing; what :func:`motorsub.engine.records.validate` does with it is to read nulls as
missing, test each value against the column's bounds, set the row's reject bits and give
the typed values. Done with numpy, that is half a dozen passes over the column and as
many temporaries; these kernels do it in one pass, reading the Arrow buffers as they are
(values and validity bitmap) and touching a row's reject mask only when it has a problem.

The rules are those of ``validate`` (docs/rules.md section 1), which keeps the numpy form
for the other columns and as the reference these kernels are tested against
(``tests/properties/test_typed_checks.py``): a null or NaN value is missing (a problem
only where the column is required); a present value outside the bounds is bad; a
whole-number column also rejects a value with a fraction or outside its allowed set.
"""

from __future__ import annotations

import numpy as np

from motorsub._jit import kernel

#: The bits of the NaN that numpy writes for ``np.nan``, as an int64.
NAN_BITS = np.array([np.nan]).view(np.int64)[0]


# Each kernel gives the typed values of a column and counts its rows with a problem,
# without a branch per row: nulls and values fall anywhere in a column, and a branch on
# them is mispredicted (a float chosen by a condition is a branch too; an integer, not:
# a null's NaN is written by its bits). A column with a problem, rare, is then checked
# again by ``validate``'s numpy form, which sets each row's reject bits: the kernels never
# write a reject mask. ``valid`` (the row has a value: the Arrow validity bitmap,
# unpacked) and ``need`` (a missing value is a problem there) are given per row; a loop
# reading some arguments per row and some once was not vectorised.


@kernel()
def bounded(data, bits, valid, lo, hi, lo_open, hi_open, need, values):
    """Rows with a problem in a float column with bounds ``lo``..``hi`` (each open or
    closed): missing where ``need``, or outside the bounds. ``bits`` is ``data`` read as
    int64; the values go into ``values`` (int64 too; NaN where null) unless it is empty."""
    n = 0
    write = len(values) > 0
    for i in range(len(data)):
        v = valid[i]
        if write:
            values[i] = bits[i] if v else NAN_BITS
        x = data[i]
        below = (x < lo) | (lo_open & (x == lo))
        above = (x > hi) | (hi_open & (x == hi))  # NaN: neither
        n += (v & (below | above)) | ((~v | (x != x)) & need[i])
    return n


@kernel()
def whole(data, valid, lo, hi, allowed, need, fill, out):
    """Rows with a problem in a whole-number column in ``lo``..``hi`` (closed) and, unless
    ``allowed`` is 0, among the numbers 0..63 whose bits are set in ``allowed``: missing
    where ``need``, a fraction, outside the bounds or not allowed. Each value goes into
    ``out``, ``fill`` where missing or bad."""
    n = 0
    anything = allowed == 0
    for i in range(len(data)):
        v = valid[i]
        x = data[i]
        small = (x >= 0) & (x <= 63)
        bit = np.uint64(np.int64(x) if small else 0)  # a set bit only where small
        among = anything | (small & (((allowed >> bit) & np.uint64(1)) == 1))
        ok = v & (np.floor(x) == x) & (x >= lo) & (x <= hi) & among  # False for NaN
        out[i] = np.int64(x) if ok else fill
        missing = ~v | (x != x)
        n += (~missing & ~ok) | (missing & need[i])
    return n


@kernel()
def coded(index, valid, value, problem, out):
    """Rows with a problem in a coded column read by a look-up of its known texts:
    ``index`` is each row's entry among them (not ``valid``: the row is null, the last
    entry), ``value`` each entry's code and ``problem`` whether it is a problem (bad, or
    missing where that is one). The rows' codes go into ``out``."""
    null = len(value) - 1
    n = 0
    for i in range(len(index)):
        k = index[i] if valid[i] else null
        out[i] = value[k]
        n += problem[k]
    return n


@kernel()
def plain_edges(offsets, data, valid):
    """Whether every valid, non-empty value of an Arrow text array (``offsets``, ``data``)
    starts and ends with a printable ASCII character other than a space."""
    bad = 0
    for i in range(len(offsets) - 1):
        a, b = offsets[i], offsets[i + 1]
        given = valid[i] & (b > a)
        first = data[a if given else 0]
        last = data[b - 1 if given else 0]
        plain = (first > 0x20) & (first < 0x7F) & (last > 0x20) & (last < 0x7F)
        bad += given & ~plain
    return bad == 0
