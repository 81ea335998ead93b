"""What the physics modules share: reading the packaged tables (``motorsub/data/efficiency``)
strictly, and shaping the inputs of their public vectorised functions."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from motorsub import data, vocab
from motorsub.errors import MotorsubError


class EfficiencyDataError(MotorsubError):
    """A packaged efficiency table is malformed; the message names the file and line."""


def read_rows(name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of one packaged CSV, after checking its columns."""
    path = data.path("efficiency", name)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    missing = set(columns) - set(reader.fieldnames or ())
    if missing:
        raise EfficiencyDataError(f"{name}: missing columns {sorted(missing)}")
    return [(reader.line_num, row) for row in reader]


def fail(name: str, line: int, what: str) -> EfficiencyDataError:
    return EfficiencyDataError(f"{name}, line {line}: {what}")


def number(name: str, line: int, row: dict[str, str], column: str) -> float:
    try:
        value = float(row[column])
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise fail(name, line, f"{column}={row[column]!r} is not a finite number")
    return value


def poles(name: str, line: int, row: dict[str, str], allowed=vocab.POLES) -> int:
    if not row["poles"].isdigit() or int(row["poles"]) not in allowed:
        raise fail(name, line, f"poles={row['poles']!r}, expected one of {allowed}")
    return int(row["poles"])


def floats(a) -> np.ndarray:
    """float64 array; missing or non-numeric entries (None, pd.NA, text) become NaN."""
    a = np.asarray(a)
    if a.dtype.kind == "O":
        import pandas as pd  # only for object input; keeps the engine's import light

        numbers = pd.to_numeric(pd.Series(a.ravel()), errors="coerce")
        return numbers.to_numpy(np.float64, na_value=np.nan).reshape(a.shape)
    return a.astype(np.float64)


def ints(a) -> np.ndarray:
    """int64 codes; missing or non-integral entries become -1."""
    a = np.asarray(a)
    if a.dtype.kind in "iub":
        return a.astype(np.int64)
    a = floats(a)
    return np.where(np.isfinite(a) & (a == np.round(a)), a, -1).astype(np.int64)


def names(a, known: tuple[str, ...]) -> np.ndarray:
    """Index of each name in ``known`` as int64; -1 for unknown or missing names."""
    import pandas as pd

    a = np.asarray(a, dtype=object)
    codes, uniques = pd.factorize(a.ravel(), use_na_sentinel=True)
    lookup = np.array([known.index(u) if u in known else -1 for u in uniques] + [-1])  # NA: -1
    return lookup[codes].astype(np.int64).reshape(a.shape)


def flat(*arrays):
    """Broadcast, then flatten to contiguous 1-D arrays; returns (arrays, shape)."""
    b = np.broadcast_arrays(*arrays)
    return [np.ascontiguousarray(a.ravel()) for a in b], b[0].shape
