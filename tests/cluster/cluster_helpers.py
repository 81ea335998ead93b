"""Helpers of the cluster tests: synthetic lines with rows made invalid by construction."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FILES, ROWS_PER_FILE, ROW_GROUP = 3, 3000, 500
BAD_KW_EVERY, BAD_REGION_EVERY = 97, 89  # rows (counted across the dataset) made invalid


def bad_rows(n: int) -> set[int]:
    """The rows made invalid, by construction."""
    return {i for i in range(n) if i % BAD_KW_EVERY == 0 or i % BAD_REGION_EVERY == 0}


def synthetic(start: int, n: int, seed: int) -> pa.Table:
    """``n`` synthetic lines, rows ``start`` .. of the dataset, some made invalid."""
    from motorsub.engine.synth import chunk

    t = chunk(np.random.default_rng(seed), start, n)
    i = np.arange(start, start + n)
    kw = pc.if_else(pa.array(i % BAD_KW_EVERY == 0), -1.0, t.column("kw"))
    region = pc.if_else(pa.array(i % BAD_REGION_EVERY == 0), "ZZ", t.column("region"))
    t = t.set_column(t.schema.get_field_index("kw"), "kw", kw)
    return t.set_column(t.schema.get_field_index("region"), "region", region)
