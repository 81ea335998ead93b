"""Dense codes of text keys, read in place from an Arrow string array.

The audit numbers its keys (serials, equipment ids, record ids, quota groups) to find the
first claim of each: code 0 for the first distinct key met, 1 for the next, -1 for a
missing key, as pyarrow's ``dictionary_encode`` numbers them. ``dictionary_encode`` keeps a
copy of every distinct key; ten million serials are about all distinct, so it copied
about 300 MB of text and built a hash table over it beside the keys themselves. Here the
table holds the code of a key per slot and, per code, the key's hash and the first row that
had it; a key is compared with that row byte by byte, in the Arrow buffers: no text is
copied, and two keys are the same key only when their bytes are (a shared hash is no
match).

A key may be qualified by an integer per row (``within``): the key "X" of manufacturer 3
and "X" of manufacturer 5 are two keys, without joining them into new text.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import _jit
from motorsub._jit import kernel

#: Rows whose distinct keys set the size of the table (see :func:`dense_codes`).
SAMPLE_ROWS = 1 << 14
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_HIGH = np.uint64(0xFFFFFFFF00000000)  # a slot: the hash's high half | the key's code
_LOW = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  # no code is 2**32 - 1 (rows < 2**31)


@kernel(inline=True)
def _hash(data, a, b, w):
    """64-bit hash of the bytes ``data[a:b]`` qualified by ``w`` (FNV-1a, then mixed so
    that the low bits, which choose the slot, depend on every byte)."""
    h = _FNV_OFFSET ^ (np.uint64(w) * _GOLDEN)
    for j in range(a, b):
        h = (h ^ np.uint64(data[j])) * _FNV_PRIME
    h = (h ^ (h >> _S30)) * _MIX1
    h = (h ^ (h >> _S27)) * _MIX2
    return h ^ (h >> _S31)


@kernel(inline=True)
def _same(data, a, b, c, d):
    """``data[a:b]`` and ``data[c:d]`` hold the same bytes."""
    if b - a != d - c:
        return False
    for j in range(b - a):
        if data[a + j] != data[c + j]:
            return False
    return True


@kernel(inline=True)
def _larger(values, most):
    """``values`` in an array twice as long (at most ``most``)."""
    out = np.empty(min(2 * values.shape[0], most), dtype=values.dtype)
    out[: values.shape[0]] = values
    return out


@kernel()
def _dense_codes(offsets, data, valid, within, codes, expect):
    """Code every row (in order); returns the row where each distinct key first comes.

    The table is made for ``expect`` distinct keys and doubles when three quarters of its
    slots are taken, so that a column of a few distinct keys (claimants, batches) needs a
    few kilobytes, and one of ten million distinct keys about 32 bytes a key. A slot holds
    a key's code and the high half of its hash (one read tells most keys apart); per code,
    the whole hash (to place it again when the table doubles) and its first row.
    """
    n = codes.shape[0]
    size = 64
    while 3 * size < 4 * expect:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, _EMPTY, dtype=np.uint64)
    hashes = np.empty(min(max(expect, 64), n), dtype=np.uint64)
    first = np.empty(min(max(expect, 64), n), dtype=np.int64)
    distinct = 0
    for i in range(n):
        if not valid[i]:
            codes[i] = -1
            continue
        a, b = offsets[i], offsets[i + 1]
        w = within[i] if within.shape[0] else 0
        h = _hash(data, a, b, w)
        tag = h & _HIGH
        s = h & mask
        k = -1
        while slots[s] != _EMPTY:
            if slots[s] & _HIGH == tag:
                k = np.int64(slots[s] & _LOW)
                r = first[k]
                if (not within.shape[0] or within[r] == w) and _same(
                    data, a, b, offsets[r], offsets[r + 1]
                ):
                    break
                k = -1
            s = (s + np.uint64(1)) & mask
        if k >= 0:
            codes[i] = k
            continue
        if distinct == first.shape[0]:
            first = _larger(first, n)
            hashes = _larger(hashes, n)
        slots[s] = tag | np.uint64(distinct)
        hashes[distinct] = h
        first[distinct] = i
        codes[i] = distinct
        distinct += 1
        if 4 * distinct > 3 * size:  # the table twice as large, every key placed again
            size *= 2
            mask = np.uint64(size - 1)
            slots = np.full(size, _EMPTY, dtype=np.uint64)
            for c in range(distinct):
                s = hashes[c] & mask
                while slots[s] != _EMPTY:
                    s = (s + np.uint64(1)) & mask
                slots[s] = (hashes[c] & _HIGH) | np.uint64(c)
    return first[:distinct].copy()


def dense_codes(
    keys: pa.Array | pa.ChunkedArray, within: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``keys`` in the order keys first come (-1 = null) and the row of each
    distinct key's first occurrence (so ``keys.take(first)`` are the distinct keys).

    ``keys`` is a string or large string array (a chunked one is joined first);
    ``within`` (int64 per row, ≥ 0), when given, qualifies each key: two rows have the
    same code only if their keys and their ``within`` are equal.
    """
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks() if keys.num_chunks != 1 else keys.chunk(0)
    if not (pa.types.is_string(keys.type) or pa.types.is_large_string(keys.type)):
        keys = pc.cast(keys, pa.large_string())
    n = len(keys)
    if n >= 2**31:
        raise ValueError("dense_codes numbers at most 2**31 - 1 rows at a time")
    codes = np.empty(n, dtype=np.int64)
    if n == 0:
        return codes, np.empty(0, dtype=np.int64)
    if _jit.python():  # a small job run as plain Python: a loop per byte would cost seconds
        return numpy_codes(keys, within)
    _, off_buf, data_buf = keys.buffers()
    width = np.int64 if pa.types.is_large_string(keys.type) else np.int32
    offsets = np.frombuffer(off_buf, dtype=width)[keys.offset : keys.offset + n + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    if keys.null_count:
        valid = pc.is_valid(keys).to_numpy(zero_copy_only=False)
    else:
        valid = np.ones(n, dtype=np.bool_)
    if within is None:
        within = np.zeros(0, dtype=np.int64)
    within = np.ascontiguousarray(within, np.int64)
    with np.errstate(over="ignore"):  # the hash wraps around on purpose (plain Python too)
        # the table's size guessed from the keys of the first rows: a column of mostly
        # distinct keys gets one for all its rows at once, not one doubled twenty times
        m = min(n, SAMPLE_ROWS)
        some = _dense_codes(offsets[: m + 1], data, valid[:m], within[:m], codes[:m], 64)
        if m == n:  # the sample was every row
            return codes, some
        first = _dense_codes(offsets, data, valid, within, codes, len(some) * n // m + 1)
    return codes, first


def numpy_codes(keys: pa.Array, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`dense_codes` gives, by ``dictionary_encode`` and ``np.unique``: for kernels
    run as plain Python (small jobs), where its memory does not matter; and a second,
    independent form the kernel is tested against."""
    n = len(keys)
    key = pc.fill_null(pc.dictionary_encode(keys).indices, -1).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(key >= 0)
    pair = key[rows].astype(np.int64)
    if within is not None and len(rows):
        w = np.asarray(within, np.int64)[rows]
        pair = pair * (int(w.max()) + 1) + w  # one integer per (key, within)
    _, at, inverse = np.unique(pair, return_index=True, return_inverse=True)
    order = np.argsort(at)  # the pairs in the order they first come
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    codes = np.full(n, -1, np.int64)
    codes[rows] = rank[inverse.reshape(-1)]
    return codes, rows[at[order]].astype(np.int64)
