"""Arrow to numpy without pandas.

pyarrow's ``to_numpy`` goes through its pandas conversion layer, and the first call
imports pandas (0.3-0.4 s), which a small command-line job otherwise never needs.
:func:`to_numpy` reads a fixed-width or boolean array's buffers directly instead, with the
same results: a read-only view where pyarrow gives one (no nulls), a fresh array where
pyarrow copies (booleans, nulls), and NaN for the nulls of a float array.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def _dtype(t: pa.DataType) -> np.dtype:
    if pa.types.is_boolean(t):
        return np.dtype(np.bool_)
    if pa.types.is_date32(t):
        return np.dtype(np.int32)
    if pa.types.is_floating(t):
        return np.dtype(f"f{t.bit_width // 8}")
    if pa.types.is_integer(t):
        return np.dtype(f"{'u' if pa.types.is_unsigned_integer(t) else 'i'}{t.bit_width // 8}")
    raise TypeError(f"no numpy view of an arrow {t} array")


def _bits(buf: pa.Buffer, offset: int, n: int) -> np.ndarray:
    """``n`` bits of an arrow bitmap from bit ``offset``, as a new bool array."""
    bits = np.unpackbits(np.frombuffer(buf, np.uint8), count=offset + n, bitorder="little")
    return bits[offset:].view(np.bool_)


def to_numpy(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a fixed-width or boolean arrow array as numpy.

    Nulls become NaN in a float array; in any other type they are an error (fill them
    first, as ``pc.fill_null`` does).
    """
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 1:
            return to_numpy(arr.chunk(0))
        if arr.num_chunks == 0:
            return np.empty(0, _dtype(arr.type))
        return np.concatenate([to_numpy(c) for c in arr.chunks])
    dtype, n, offset = _dtype(arr.type), len(arr), arr.offset
    if n == 0:
        return np.empty(0, dtype)
    validity, data = arr.buffers()[:2]
    if dtype == np.bool_:
        out = _bits(data, offset, n)
    else:
        out = np.frombuffer(data, dtype, count=n, offset=offset * dtype.itemsize)
    if arr.null_count:
        if dtype.kind != "f":
            raise ValueError(f"an arrow {arr.type} array with nulls has no numpy view")
        out = np.where(_bits(validity, offset, n), out, np.nan)  # one pass, a fresh array
    return out
