"""Command-line runs without pandas, and small ones without numba.

A quote, or a file of a few thousand lines, is computed in a tenth of a second; what a
command-line run of it costs is start-up: importing numba (0.35 s), loading its cached
machine code (0.5 s) and importing pandas (0.35 s), which pyarrow does the first time it
checks whether an object it is handed is a pandas one. :func:`start` avoids all three;
a compute on a larger input keeps numba and avoids pandas only (:func:`without_pandas`):

- the kernels run as plain Python (:func:`motorsub._jit.run_as_python`), the same source
  and the same arithmetic as the compiled kernels (``fastmath`` is off), so the figures are
  the same to the bit;
- pyarrow is told once, while pandas cannot be imported, that there is no pandas: its
  checks "is this a pandas object?" then answer no without importing it. Nothing in such a
  process is a pandas object; a conversion that does need pandas still imports it then.
  Arrays reach numpy through :func:`motorsub._arrow.to_numpy`, which does not ask pandas.
"""

from __future__ import annotations

import importlib.abc
import sys

SMALL_ROWS = 5_000
"""Inputs up to about this many lines run lean: at 0.1 s per thousand lines as plain
Python, that is where the kernels' 0.9 s of start-up would start to pay for itself."""


XLSX_BYTES_PER_LINE = 80
"""About what a sale line takes in an .xlsx workbook (compressed XML); fewer bytes a line
only makes a workbook judged small run lean a little longer."""


class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not imported by a lean motorsub run")
        return None


def without_pandas() -> None:
    """Tell pyarrow, if nothing has imported pandas yet, that this process has none.

    For command-line runs that hand pyarrow no pandas objects (compute and quote, of
    any size): it saves them importing pandas.
    """
    if "pandas" in sys.modules:
        return
    import numpy as np
    import pyarrow as pa

    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array(np.empty(0))  # pyarrow asks whether pandas exists, and remembers
    finally:
        sys.meta_path.remove(finder)


def start() -> bool:
    """Make this process lean, if nothing has imported the kernels or pandas yet.

    Returns True if kernels now run as plain Python.
    """
    from motorsub import _jit

    without_pandas()
    return _jit.run_as_python()


def small(path) -> bool:
    """Whether an input has at most about :data:`SMALL_ROWS` lines.

    A CSV file is judged by its size and the bytes per line of the lines after the
    header in its first 64 KiB (exact when that is the whole file), a Parquet file by
    the row count in its footer, a workbook by its size; a folder (a dataset) is never
    small. Anything unreadable is not small: the engine then reports what is wrong with it.
    """
    from pathlib import Path

    from motorsub.errors import InputError
    from motorsub.io import file_format

    p = Path(path)
    try:
        if not p.is_file():
            return False
        if file_format(p) == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(p).metadata.num_rows <= SMALL_ROWS
        size = p.stat().st_size
        if file_format(p) == "xlsx":  # compressed: judged by its size alone
            import zipfile

            return zipfile.is_zipfile(p) and size <= SMALL_ROWS * XLSX_BYTES_PER_LINE
        with p.open("rb") as f:
            head = f.read(1 << 16)
        first = head.find(b"\n") + 1  # past the header
        end = head.rfind(b"\n") + 1  # past the sample's last whole line
        lines = head.count(b"\n", first, end)
        if lines == 0:  # a header alone, or lines longer than the sample
            return size == len(head)
        return (size - first) * lines / (end - first) <= SMALL_ROWS
    except (OSError, ValueError, InputError):  # the engine then says what is wrong
        return False
