"""Two projections year by year: what changes when plan B replaces plan A.

The years are the union of both plans'; a year outside one plan's projection has no value
there (NaN), so its difference is NaN too — except money: outlays [fen] are integers, and
a plan pays nothing outside its projection, so they count 0 there. A component one plan
pays and the other does not (``schemes.without``, other schemes) counts 0 in the plan that
does not pay it. Differences of money are exact integer differences in fen.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from motorsub import vocab
from motorsub.plan.project import Projection

#: Columns compared, in the order shown.
COMPARED = vocab.PLAN_COMPARED


def _outlay_columns(p: Projection) -> list[str]:
    return [f"outlay_{c['id']}_fen" for c in p.components] + [
        f"unpriced_kw_{c['id']}" for c in p.components
    ]


def compare(a: Projection, b: Projection) -> dict[str, np.ndarray]:
    """Columns ``<name>_a``, ``<name>_b`` and ``<name>_diff`` (B − A), per year.

    Parameters
    ----------
    a, b : Projection
        The base plan and the plan compared with it.

    Returns
    -------
    dict of arrays
        ``year``, then for every column of :data:`COMPARED` and every component's outlay
        and unpriced kW [CNY, kW, kWh, tce, tCO2 as in the year table], A, B and B − A.
    """
    years = np.union1d(a.years, b.years)
    out: dict[str, np.ndarray] = {"year": years}
    extra = [c for c in _outlay_columns(a) + _outlay_columns(b) if c not in COMPARED]
    names = list(COMPARED) + list(dict.fromkeys(extra))
    for name in names:
        va, vb = _aligned(a, name, years), _aligned(b, name, years)
        out[f"{name}_a"], out[f"{name}_b"], out[f"{name}_diff"] = va, vb, vb - va
    return out


def _aligned(p: Projection, name: str, years: np.ndarray) -> np.ndarray:
    at = np.searchsorted(years, p.years)
    col = p.columns.get(name)
    if name.endswith("_fen"):
        out = np.zeros(len(years), dtype=np.int64)
        if col is not None:
            out[at] = col
        return out
    out = np.full(len(years), np.nan)
    out[at] = 0.0 if col is None else col
    return out


def as_table(diff: dict[str, np.ndarray]) -> pa.Table:
    """The difference columns as a pyarrow Table (NaN written as null)."""
    return pa.table(
        {
            k: pa.array(v, mask=np.isnan(v)) if v.dtype.kind == "f" else pa.array(v)
            for k, v in diff.items()
        }
    )
