# The command line runs a small job lean (motorsub.cli.lean): kernels as plain Python, and
# pyarrow told there is no pandas. In this process that would hold for every test after
# the first small CLI test, so kernels are compiled and pandas imported up front; lean
# runs are tested in subprocesses (test_lean.py).
import pandas  # noqa: F401
import pytest

import motorsub.engine.batch  # noqa: F401
from motorsub import _jit
from motorsub.model.schemes import load_schemes

assert not _jit.python() or _jit.DISABLED


@pytest.fixture(scope="session")
def shipped():
    """The shipped schemes, loaded once."""
    return load_schemes()
