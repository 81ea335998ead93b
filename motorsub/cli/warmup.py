"""Compile every numba kernel once (``motorsub warmup``), filling numba's on-disk cache."""

from __future__ import annotations

import time
import warnings

import click
import pyarrow as pa

from motorsub.cli.options import EPILOG, errors


def warm_all() -> None:
    """Run the engine on a few lines that reach every kernel, with and without part load."""
    from motorsub.engine.batch import run
    from motorsub.model.profile import settings

    table = warm_lines()
    for part_load in (False, True):
        run(table, savings=settings(hours=4000, load=0.75, part_load=part_load, tariff=0.8))
    _warm_typed(table)
    _warm_rest()


def warm_lines() -> pa.Table:
    """Three lines that reach every kernel: a national one, a Shanghai trade-in, a
    remanufactured motor with an old series."""
    return pa.table(
        {
            "record_id": ["a", "b", "c"],
            "sale_date": ["2010-09-01", "2012-05-10", "2013-06-01"],
            "region": ["CN-JS", "CN-SH", "CN-SH"],
            "motor_type": ["lv_async", "hv_async", "lv_async"],
            "kw": ["15", "400", "11"],
            "grade": ["2", None, "2"],
            "kind": ["new", "new", "reman"],
            "trade_in": ["false", "true", "true"],
            "old_kw": [None, "200", "11"],
            "old_qty": [None, "2", None],
            "speed_rpm": ["1460", None, None],
            "old_series": [None, None, "Y"],
        }
    )


def _warm_rest() -> None:
    """The quote, the efficiency look-ups, the projection and the audit's kernels."""
    from motorsub.engine.quote import quote

    quote(motor_type="lv_async", kw=15, grade=2, region="CN-JS", date="2010-09-01")
    from motorsub.physics import efficiency as ef

    ef.min_efficiency(1, 2, 4, 11.0)
    ef.ie_efficiency(3, 4, 11.0)
    ef.baseline_efficiency("Y", 4, 11.0)
    from motorsub.physics.partload import partload_ratio

    partload_ratio("PREMIUM", 4, 11.0, 0.75)
    ef.ie_polynomial(3, 4, 11.0)
    from motorsub.plan import montecarlo

    montecarlo.warm()
    _warm_audit()


def _warm_typed(table: pa.Table) -> None:
    """The same lines with typed columns (as Parquet and DataFrames give them), through
    ``motorsub.compute`` on a pandas frame long enough for its column conversions: the
    one-pass checks of number columns and the grouping of date objects are compiled too."""
    import datetime as dt

    import pandas as pd

    from motorsub.engine.frames import OBJECT_ROWS, compute
    from motorsub.errors import CompilingNotice

    typed = table.set_column(1, "sale_date", pa.array(
        [dt.date.fromisoformat(d) for d in table.column("sale_date").to_pylist()]
    ))  # fmt: skip
    for name, kind in (("kw", pa.float64()), ("grade", pa.int64()), ("old_kw", pa.float64()),
                       ("old_qty", pa.int64()), ("speed_rpm", pa.float64())):  # fmt: skip
        at = typed.column_names.index(name)
        typed = typed.set_column(at, name, typed.column(name).cast(kind))
    typed = typed.set_column(
        typed.column_names.index("trade_in"), "trade_in", pa.array([False, True, True])
    )
    frame = typed.to_pandas()
    frame = pd.concat([frame] * (OBJECT_ROWS // len(frame) + 1), ignore_index=True)
    frame["record_id"] = [f"w{i}" for i in range(len(frame))]
    with warnings.catch_warnings():  # warmup compiles on purpose and says so itself
        warnings.simplefilter("ignore", CompilingNotice)
        compute(frame)


def _warm_audit() -> None:
    """Audit one trade-in claim against a one-model catalogue, buy-back and quota."""
    from motorsub.audit import audit
    from motorsub.kernels.keys import dense_codes

    claims = pa.table({
        "record_id": ["w1"], "batch_id": ["warmup"], "claimant": ["M"], "manufacturer": ["M"],
        "model": ["X"], "serial": ["S1"], "invoice_no": ["I1"], "invoice_date": ["2012-05-10"],
        "sale_date": ["2012-05-10"], "region": ["CN-SH"], "motor_type": ["lv_async"],
        "kw": ["15"], "qty": ["1"], "grade": ["2"], "kind": ["new"], "trade_in": ["true"],
        "old_kw": ["15"], "old_qty": ["1"], "old_equipment_id": ["E1"],
        "claimed_national": ["0"], "claimed_sh_buyback": ["300"], "claimed_sh_reman": ["0"],
    })  # fmt: skip
    catalogue = pa.table({
        "manufacturer": ["M"], "model": ["X"], "motor_type": ["lv_async"], "kw": ["15"],
        "grade": ["2"], "poles": [None], "efficiency": [None], "listed_from": ["2010-01-01"],
        "delisted_from": [None],
    })  # fmt: skip
    buybacks = pa.table({
        "equipment_id": ["E1"], "recycler": ["R"], "old_model": ["Y"], "old_kw": ["15"],
        "old_qty": ["1"], "buyback_date": ["2012-05-10"], "contract_no": ["C1"],
        "new_serial": ["S1"],
    })  # fmt: skip
    quotas = pa.table({"manufacturer": ["M"], "year": ["2012"], "quota_kw": ["100"]})
    audit(claims, catalogue, buybacks, quotas)
    for text in (pa.string(), pa.large_string()):  # keys as either kind of Arrow text
        dense_codes(pa.array(["k"], text))


@click.command(epilog=EPILOG)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list each kernel compiled, with the seconds it took (wall and CPU).",
)
@errors
def warmup(verbose: bool):
    """Compile and cache every numba kernel now, so that the first real run starts fast.

    Run it once after installing; later runs load the cached machine code in a fraction
    of a second.

    \b
    Example:
      motorsub warmup --verbose
    """
    from motorsub import _jit

    started = time.perf_counter()
    with _jit.compile_log() as log:
        warm_all()
    if verbose:
        for line in compile_report(log):
            click.echo(line, err=True)
    click.echo(f"kernels compiled and cached in {time.perf_counter() - started:.1f} s", err=True)


def compile_report(log) -> list[str]:
    """One line per kernel compiled (:class:`motorsub._jit.Compiled`), slowest first:
    wall and CPU seconds, and how many signatures; numba's own helpers in one line."""
    per: dict[str, list] = {}
    for c in log:
        name = c.name if c.name.startswith("motorsub.") else "numba's own helpers"
        acc = per.setdefault(name, [0.0, 0.0, 0])
        acc[0] += c.seconds
        acc[1] += c.cpu_seconds
        acc[2] += 1
    lines = [f"{'wall s':>8} {'CPU s':>8} {'sigs':>4}  kernel"]
    for name, (wall, cpu, n) in sorted(per.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"{wall:8.2f} {cpu:8.2f} {n:4d}  {name}")
    wall, cpu = sum(c.seconds for c in log), sum(c.cpu_seconds for c in log)
    lines.append(f"{wall:8.2f} {cpu:8.2f} {len(log):4d}  (all compiled)")
    return lines
