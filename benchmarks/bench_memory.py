"""Memory bandwidth (STREAM triad) and the bytes each motorsub kernel must move per row.

The triad ``a = b + s × c`` on float64 arrays counts 24 bytes per element (two reads, one
write; STREAM's convention, which ignores the write-allocate read). It runs with numpy
(one thread, two passes through ``out=``, as numpy cannot fuse the expression), with a
serial numba loop, and with a numba ``prange`` loop on every core. The best of several
runs is kept.

A kernel's *bandwidth floor* is the time it would take if it did nothing but read its
input arrays and write its output arrays once at the parallel triad's bandwidth::

    floor [s] = bytes per row × rows / bandwidth

with bytes per row the sum of the itemsizes of the arrays the kernel reads and writes
(from the arrays themselves, so it follows the kernels' dtypes).
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from benchmarks import _common as C

TRIAD_ELEMENTS = 100_000_000
BYTES_PER_ELEMENT = 24  # STREAM triad: read b, read c, write a


@numba.njit(parallel=True, fastmath=False, cache=False)
def _triad_parallel(a, b, c, s):
    for i in numba.prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


@numba.njit(parallel=False, fastmath=False, cache=False)
def _triad_serial(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


def _numpy_triad(a, b, c, s):
    np.multiply(c, s, out=a)
    np.add(a, b, out=a)


def triad(n: int = TRIAD_ELEMENTS, repeats: int = 5) -> dict:
    """Best triad bandwidth [GB/s, 1e9 bytes] of numpy, numba serial and numba parallel."""
    a = np.zeros(n)
    b = np.full(n, 1.0)
    c = np.full(n, 2.0)
    s = 3.0
    out = {"elements": n, "array_mb": round(a.nbytes / 1e6), "repeats": repeats}
    for name, fn in (
        ("numpy", _numpy_triad),
        ("numba_serial", _triad_serial),
        ("numba_parallel", _triad_parallel),
    ):
        fn(a[:1000], b[:1000], c[:1000], s)  # compile
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn(a, b, c, s)
            best = min(best, time.perf_counter() - t0)
        assert a[0] == 7.0 and a[-1] == 7.0
        out[name] = {"seconds": best, "gb_per_s": BYTES_PER_ELEMENT * n / best / 1e9}
    del a, b, c
    return out


# --------------------------------------------------------------------------- kernel bytes
#: Columns each kernel reads, as its wrapper passes them (motorsub/kernels/subsidy.py, savings.py).
SUBSIDY_INPUTS = (
    "day", "region", "motor_type", "kind", "grade", "trade_in", "kw", "qty", "old_kw",
    "old_qty",
)  # fmt: skip
SAVINGS_INPUTS = (
    "day", "motor_type", "grade", "poles", "speed_rpm", "kw", "qty", "efficiency",
    "trade_in", "old_kw", "old_qty", "old_efficiency", "old_series", "old_poles", "hours",
    "load", "region",
)  # fmt: skip


def _result_bytes(result) -> int:
    """Bytes of a kernel result's arrays (a NamedTuple of arrays)."""
    return sum(v.nbytes for v in result if isinstance(v, np.ndarray))


def kernel_bytes(n: int = 10_000) -> dict:
    """Bytes read and written per row by ``subsidies``, ``savings`` and both together."""
    from motorsub.kernels.savings import savings
    from motorsub.kernels.subsidy import compiled_schemes, subsidies
    from motorsub.model.profile import settings
    from motorsub.model.schemes import load_schemes

    cols = C.columns(n)
    rows = len(cols["day"])
    sub = subsidies(compiled_schemes(load_schemes()), cols)
    sav = savings(cols, settings(hours=4000, load=0.75))

    def read(names):
        return sum(cols[k].dtype.itemsize for k in names)

    out = {}
    for name, inputs, written in (
        ("subsidies", SUBSIDY_INPUTS, _result_bytes(sub) / rows),
        ("savings", SAVINGS_INPUTS, _result_bytes(sav) / rows),
        (
            "subsidies+savings",
            tuple(dict.fromkeys(SUBSIDY_INPUTS + SAVINGS_INPUTS)),
            (_result_bytes(sub) + _result_bytes(sav)) / rows,
        ),
    ):
        r = read(inputs)
        out[name] = {"read": r, "written": written, "bytes_per_row": r + written}
    return out


def floor_seconds(bytes_per_row: float, rows: int, gb_per_s: float) -> float:
    """Time to move ``bytes_per_row × rows`` bytes once at ``gb_per_s`` [s]."""
    return bytes_per_row * rows / (gb_per_s * 1e9)


def run(quick: bool = False, elements: int | None = None) -> dict:
    n = elements or (20_000_000 if quick else TRIAD_ELEMENTS)
    res = {"triad": triad(n), "kernels": kernel_bytes()}
    res["bandwidth_gb_per_s"] = res["triad"]["numba_parallel"]["gb_per_s"]
    return res


def markdown(res: dict) -> str:
    t = res["triad"]
    rows = [
        [name.replace("_", " "), C.fmt_s(t[name]["seconds"]), f"{t[name]['gb_per_s']:.1f}"]
        for name in ("numpy", "numba_serial", "numba_parallel")
    ]
    out = [
        f"STREAM triad, {t['elements']:,} float64 elements ({t['array_mb']} MB per array), "
        f"best of {t['repeats']}:",
        "",
        C.table(["triad", "time", "GB/s"], rows),
        "",
        "Bytes per row each kernel must read and write (the floor uses the parallel triad's "
        f"{res['bandwidth_gb_per_s']:.1f} GB/s):",
        "",
        C.table(
            ["kernel", "read B/row", "written B/row", "total B/row"],
            [
                [k, f"{v['read']:.0f}", f"{v['written']:.0f}", f"{v['bytes_per_row']:.0f}"]
                for k, v in res["kernels"].items()
            ],
        ),
    ]
    return "\n".join(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--elements", type=float, default=TRIAD_ELEMENTS)
    args = p.parse_args()
    print(markdown(run(elements=int(args.elements))))
