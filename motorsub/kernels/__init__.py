"""The compiled kernels: subsidies, savings and the summary accumulator, on named arrays.

A kernel sees only contiguous numpy arrays in NamedTuples, never pandas, pydantic, click or a
file; numba options are decided in :mod:`motorsub._jit`."""
