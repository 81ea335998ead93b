"""Why the parallel kernels take their outputs as separate arrays.

numba (0.68) compiles a ``prange`` loop that writes into an array taken out of a tuple
argument so that the writes land nowhere, while reading from such arrays works. The
subsidy and savings kernels therefore read NamedTuples and write separate arrays. This
test keeps the case: if numba mends it, the first assertion fails, and the kernels may
take their result NamedTuples whole.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from motorsub import _jit


class _Pair(NamedTuple):
    a: np.ndarray
    b: np.ndarray


@pytest.mark.skipif(_jit.python(), reason="a numba compilation case: kernels run as Python")
def test_a_parallel_loop_does_not_write_into_arrays_of_a_tuple():
    import numba

    @numba.njit(parallel=True)
    def into_tuple(x, out):
        a, b = out
        for i in numba.prange(x.shape[0]):
            a[i] = x[i] * 2.0
            b[i] = 1

    @numba.njit(parallel=True)
    def into_arrays(inp, a, b):
        x, _ = inp
        for i in numba.prange(x.shape[0]):
            a[i] = x[i] * 2.0
            b[i] = 1

    x = np.arange(5.0)
    out = _Pair(np.zeros(5), np.zeros(5, np.int64))
    into_tuple(x, out)
    assert not out.a.any(), "numba now writes through a tuple: kernels may take NamedTuples"
    into_arrays(_Pair(x, x), out.a, out.b)
    np.testing.assert_array_equal(out.a, 2.0 * x)
    np.testing.assert_array_equal(out.b, 1)
