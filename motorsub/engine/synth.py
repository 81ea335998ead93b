"""``synth``: realistic synthetic sale lines, deterministic by seed, written in chunks.

The mix is illustrative, not statistics: ratings weighted toward small motors, several
regions with Shanghai the largest, trade-ins mostly in Shanghai, some remanufactured lines,
and some lines out of scope (too small, too large, outside the programme's dates). It
exists to exercise and benchmark the engine, never to estimate anything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import io

CHUNK_ROWS = 1_000_000

# standard IEC ratings [kW]; 0.37 and above 315 fall outside the low-voltage scope
LV_RATINGS = np.array(
    [
        0.37,
        0.55,
        0.75,
        1.1,
        1.5,
        2.2,
        3,
        4,
        5.5,
        7.5,
        11,
        15,
        18.5,
        22,
        30,
        37,
        45,
        55,
        75,
        90,
        110,
        132,
        160,
        200,
        250,
        315,
        355,
        400,
    ]
)
HV_RATINGS = np.array(
    [
        250,
        355,
        400,
        450,
        500,
        560,
        630,
        710,
        800,
        1000,
        1250,
        1600,
        2000,
        2500,
        3150,
        4000,
        5600,
        8000,
        12500,
        25000,
        28000,
    ]
)
REGIONS = np.array(
    ["CN-SH", "CN-JS", "CN-ZJ", "CN-GD", "CN-SD", "CN-AH", "CN-HB", "CN-BJ", "CN-SC", "CN-LN"]
)
REGION_WEIGHTS = np.array([30, 15, 12, 10, 8, 6, 6, 5, 4, 4], dtype=float)
SPEEDS = {2: 2950.0, 4: 1460.0, 6: 970.0, 8: 735.0}
SERIES = np.array(["Y", "Y2", "JO2"])
MAKERS = np.array([f"Maker {i:02d}" for i in range(1, 41)])
FIRST_DAY = dt.date(2009, 6, 1)
LAST_DAY = dt.date(2017, 12, 31)


def _weights_small_first(ratings: np.ndarray) -> np.ndarray:
    w = 1.0 / np.sqrt(ratings)
    return w / w.sum()


def _pick(rng, values, n, p=None):
    return values[rng.choice(len(values), size=n, p=None if p is None else p / p.sum())]


def _nullable(values, mask) -> pa.Array:
    return pa.array(values, mask=mask)


def chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    """``n`` synthetic records numbered from ``start``."""
    first = (FIRST_DAY - dt.date(1970, 1, 1)).days
    days = rng.integers(first, first + (LAST_DAY - FIRST_DAY).days + 1, n).astype(np.int32)
    region = _pick(rng, REGIONS, n, REGION_WEIGHTS)
    shanghai = region == "CN-SH"
    mt = rng.choice(3, size=n, p=[0.88, 0.05, 0.07])  # lv, hv, pm
    lv = _pick(rng, LV_RATINGS, n, _weights_small_first(LV_RATINGS))
    hv = _pick(rng, HV_RATINGS, n, _weights_small_first(HV_RATINGS))
    kw = np.where(mt == 1, hv, lv)
    qty = np.where(rng.random(n) < 0.8, 1, rng.integers(2, 20, n))
    grade = rng.choice([1, 2, 3], size=n, p=[0.15, 0.65, 0.20])
    grade_missing = mt == 1
    poles = rng.choice([2, 4, 6, 8], size=n, p=[0.25, 0.5, 0.2, 0.05])
    by_speed = rng.random(n) < 0.3
    speed = np.select([poles == p for p in SPEEDS], list(SPEEDS.values()))
    reman = rng.random(n) < np.where(shanghai, 0.15, 0.02)
    trade = rng.random(n) < np.where(shanghai, 0.45, 0.05)
    trade |= reman & shanghai & (rng.random(n) < 0.8)
    split = trade & (rng.random(n) < 0.1) & (kw >= 1.1)
    old_kw = np.where(split, np.round(kw / 2, 2), kw)
    old_qty = np.where(split, 2 * qty, qty)
    eff_given = rng.random(n) < 0.2
    efficiency = np.round(rng.uniform(85.0, 96.5, n), 1)
    old_eff_given = trade & (rng.random(n) < 0.3)
    old_eff = np.round(rng.uniform(78.0, 90.0, n), 1)
    series_missing = ~trade | (rng.random(n) < 0.3)
    hours_given = rng.random(n) < 0.6
    hours = np.round(rng.uniform(2000, 8000, n), 0)
    load = np.round(rng.uniform(0.4, 1.0, n), 2)
    price = np.round(kw * rng.uniform(300, 600, n), 2)
    ids = pc.cast(pa.array(np.arange(start + 1, start + n + 1)), pa.string())
    no = np.zeros(n, dtype=bool)
    return pa.table(
        {
            "record_id": pc.binary_join_element_wise("R", pc.utf8_lpad(ids, 9, "0"), ""),
            "sale_date": pa.array(days, pa.date32()),
            "region": pa.array(region),
            "motor_type": pa.array(np.array(["lv_async", "hv_async", "pm_sync"])[mt]),
            "kw": pa.array(kw),
            "qty": pa.array(qty),
            "grade": _nullable(grade, grade_missing),
            "poles": _nullable(poles, by_speed),
            "speed_rpm": _nullable(speed, ~by_speed),
            "efficiency": _nullable(efficiency, ~eff_given),
            "kind": pa.array(np.where(reman, "reman", "new")),
            "trade_in": pa.array(trade),
            "old_kw": _nullable(old_kw, ~trade),
            "old_qty": _nullable(old_qty, ~trade),
            "old_efficiency": _nullable(old_eff, ~old_eff_given),
            "old_series": _nullable(_pick(rng, SERIES, n), series_missing),
            "hours": _nullable(hours, ~hours_given),
            "load": _nullable(load, ~hours_given),
            "price": _nullable(price, no),
            "manufacturer": pa.array(_pick(rng, MAKERS, n)),
            "serial": pc.binary_join_element_wise("SN", pc.utf8_lpad(ids, 10, "0"), ""),
        }
    )


def synth(rows: int, seed: int, path: str | Path, progress=None) -> None:
    """Write ``rows`` synthetic records to ``path`` (CSV or Parquet), deterministic by seed.

    ``progress``, if given, is called with the number of rows of each chunk written.
    """
    fmt = io.writer_format(path)
    rng = np.random.default_rng(seed)
    schema = chunk(np.random.default_rng(0), 0, 0).schema
    with io.atomic_path(path) as tmp:
        writer = fmt.Sink(tmp, schema, plain=frozenset())
        try:
            for start in range(0, rows, CHUNK_ROWS):
                table = chunk(rng, start, min(CHUNK_ROWS, rows - start))
                writer.write(table)
                if progress:
                    progress(table.num_rows)
        finally:
            writer.close()
