"""The ``motorsub`` command line: parse options, call one library function, map errors.

Exit codes: 0 done (rows may have been rejected), 2 usage error or unreadable input or a
missing required column, 3 invalid scheme, 4 rejected rows under ``--strict``.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import ClassVar

import click

from motorsub.errors import MotorsubError

DEFAULT_BATCH_ROWS = 250_000  # the engine's default (motorsub.engine), without importing it
EPILOG = "Exit codes: 0 done, 2 bad usage or input, 3 invalid scheme, 4 rejects under --strict."


def _errors(func):
    """Turn motorsub's own errors into a message on stderr and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MotorsubError as exc:
            click.echo(f"motorsub: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


schemes_option = click.option(
    "--schemes",
    "scheme_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A folder of *.toml scheme files (or one file) that adds to or overrides the "
    "shipped schemes; repeatable.",
)


output_option = click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Output file, .csv or .parquet.",
)


def savings_options(func):
    """The options that set the savings assumptions, shared by compute and quote."""
    options = [
        click.option(
            "--profile",
            "profile_path",
            type=click.Path(exists=True, path_type=Path),
            help="A savings profile TOML replacing the shipped one.",
        ),
        click.option(
            "--hours", type=float, help="Operating hours per year for lines without their own [h]."
        ),
        click.option(
            "--load", type=float, help="Mean load (fraction of rating) for lines without their own."
        ),
        click.option(
            "--coal-factor",
            help="Coal factor by name (equivalent, calorific, "
            "thermal_2010, thermal_2011) or in kgce/kWh [default: equivalent].",
        ),
        click.option(
            "--grid-factor",
            help="Grid CO2 factor by name (e.g. shanghai) or in "
            "kgCO2/kWh [default: each region's grid].",
        ),
        click.option(
            "--part-load", is_flag=True, help="Take both motors' efficiencies at their actual load."
        ),
        click.option(
            "--tariff", type=float, help="Electricity price [CNY/kWh]: bill saving and payback."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(
    profile_path, hours, load, coal_factor, grid_factor, part_load, tariff, life_years=None
):
    from motorsub.profile import settings

    return settings(
        profile_path,
        hours=hours,
        load=load,
        coal_factor=coal_factor,
        grid_factor=grid_factor,
        part_load=part_load,
        tariff=tariff,
        life_years=life_years,
    )


class _LazyGroup(click.Group):
    """A group whose larger commands are imported only when asked for (click's pattern)."""

    lazy: ClassVar[dict[str, str]] = {
        "audit": "motorsub.cli_audit:audit",
        "project": "motorsub.cli_project:project",
    }

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx, name):
        if name in self.lazy:
            from importlib import import_module

            module, attr = self.lazy[name].split(":")
            return getattr(import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(
    cls=_LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="motorsub")
def main():
    """Price, project and audit China's high-efficiency motor subsidies.

    \b
    Examples:
      motorsub compute examples/records.csv -o results.csv
      motorsub quote --motor-type lv_async --kw 15 --grade 2 --region CN-JS --date 2010-09-01
      motorsub schemes show cn_national
      motorsub synth --rows 1000000 --seed 1 -o records.parquet
    """


@main.command(epilog=EPILOG)
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@output_option
@schemes_option
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path),
    help="Rejected rows (default: OUTPUT's name with .rejects.csv).",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(path_type=Path),
    help="Write the summary as JSON to this file.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 4) if any row is rejected.")
@click.option("--encoding", help="Force the CSV encoding (default: UTF-8, else GB18030).")
@savings_options
@click.option(
    "--life-years",
    type=click.FloatRange(min=0),
    help="Also write lifetime savings over this many years.",
)
@click.option(
    "--batch-rows",
    type=click.IntRange(min=1000),
    default=DEFAULT_BATCH_ROWS,
    show_default=True,
    help="Lines per batch; memory grows with it, not with the input.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_errors
def compute(
    input_path,
    output_path,
    scheme_paths,
    rejects_path,
    summary_path,
    strict,
    encoding,
    profile_path,
    hours,
    load,
    coal_factor,
    grid_factor,
    part_load,
    tariff,
    life_years,
    batch_rows,
    quiet,
    as_json,
):
    """Compute the subsidies of every sale line in INPUT (.csv or .parquet).

    \b
    Examples:
      motorsub compute examples/records.csv -o results.csv --summary summary.json
      motorsub compute records.parquet -o results.parquet --hours 4000 --load 0.75 --tariff 0.8
    """
    from motorsub import _lean

    if _lean.small(input_path):
        _lean.start()
    else:
        _lean.without_pandas()
    from motorsub.engine import compute_file
    from motorsub.progress import Progress

    started = time.perf_counter()
    st = _settings(
        profile_path, hours, load, coal_factor, grid_factor, part_load, tariff, life_years
    )
    with Progress(enabled=not quiet) as bar:
        summary = compute_file(
            input_path, output_path, list(scheme_paths) or None, rejects_path=rejects_path,
            summary_path=summary_path, strict=strict, encoding=encoding,
            batch_rows=batch_rows, progress=bar.update, savings=st,
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        from motorsub.report import summary_text

        click.echo(summary_text(summary))
    rows = summary["rows"]
    click.echo(
        f"{rows['read']:,} rows in {elapsed:.1f} s "
        f"({rows['read'] / max(elapsed, 1e-9):,.0f} rows/s), "
        f"{rows['rejected']:,} rejected; output {output_path}",
        err=True,
    )


@main.command(epilog=EPILOG)
@click.option("--motor-type", required=True, type=click.Choice(["lv_async", "hv_async", "pm_sync"]))
@click.option("--kw", required=True, type=float, help="Rated output of one motor [kW].")
@click.option(
    "--grade", type=click.IntRange(1, 3), help="GB 18613 grade (1 best); lv_async needs it."
)
@click.option("--kind", type=click.Choice(["new", "reman"]), default="new", show_default=True)
@click.option("--qty", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--trade-in/--no-trade-in",
    default=False,
    show_default=True,
    help="An old motor is handed to an authorised recycler.",
)
@click.option("--old-kw", type=float, help="Rated output of one old motor [kW].")
@click.option(
    "--old-qty", type=click.IntRange(min=1), help="Old motors handed in (default: --qty)."
)
@click.option("--region", required=True, help="ISO 3166-2 code of the place of use, e.g. CN-SH.")
@click.option("--date", "sale_date", required=True, help="Invoice date, YYYY-MM-DD.")
@click.option("--price", type=float, help="List price of one new motor [CNY].")
@click.option("--poles", type=click.Choice(["2", "4", "6", "8"]), help="Poles of the new motor.")
@click.option("--efficiency", type=float, help="Declared efficiency of the new motor [%].")
@click.option("--old-efficiency", type=float, help="Efficiency of the old motor [%].")
@click.option("--old-series", help="Series of the old motor (e.g. Y) for its baseline.")
@click.option(
    "--old-poles", type=click.Choice(["2", "4", "6", "8"]), help="Poles of the old motor."
)
@schemes_option
@savings_options
@click.option("--json", "as_json", is_flag=True, help="Print the quote as JSON.")
@_errors
def quote(
    motor_type,
    kw,
    grade,
    kind,
    qty,
    trade_in,
    old_kw,
    old_qty,
    region,
    sale_date,
    price,
    poles,
    efficiency,
    old_efficiency,
    old_series,
    old_poles,
    scheme_paths,
    profile_path,
    hours,
    load,
    coal_factor,
    grid_factor,
    part_load,
    tariff,
    as_json,
):
    """Price one sale line at the counter: every component, its rate and why.

    \b
    Examples:
      motorsub quote --motor-type lv_async --kw 15 --grade 2 --region CN-JS --date 2010-09-01
      motorsub quote --motor-type lv_async --kw 11 --poles 4 --grade 2 --trade-in \\
          --old-kw 11 --old-efficiency 87.6 --region CN-SH --date 2013-06-01 \\
          --hours 4000 --load 0.75 --tariff 0.8 --price 3800
    """
    from motorsub import _lean

    _lean.start()
    from motorsub.quoting import quote as make_quote
    from motorsub.quoting import render

    q = make_quote(
        motor_type=motor_type, kw=kw, grade=grade, kind=kind, qty=qty, trade_in=trade_in,
        old_kw=old_kw, old_qty=old_qty, region=region, date=sale_date, price=price,
        poles=poles, efficiency=efficiency, old_efficiency=old_efficiency,
        old_series=old_series, old_poles=old_poles, hours=hours, load=load,
        schemes=list(scheme_paths) or None,
        savings=_settings(profile_path, None, None, coal_factor, grid_factor, part_load,
                          tariff),
    )  # fmt: skip
    click.echo(json.dumps(q.to_dict(), indent=2, ensure_ascii=False) if as_json else render(q))


@main.group(epilog=EPILOG)
def schemes():
    """List, show and validate subsidy schemes.

    \b
    Examples:
      motorsub schemes list
      motorsub schemes show cn_sh_tradein
      motorsub schemes validate my_scheme.toml
    """


@schemes.command("list")
@schemes_option
@_errors
def schemes_list(scheme_paths):
    """List the schemes in force with their versions and components."""
    from motorsub.report import schemes_list_text
    from motorsub.schemes import load_schemes

    click.echo(schemes_list_text(load_schemes(list(scheme_paths) or None)))


@schemes.command("show")
@click.argument("scheme_id")
@schemes_option
@_errors
def schemes_show(scheme_id, scheme_paths):
    """Show every version, rate, source and status of SCHEME_ID, and the cells with no rate."""
    from motorsub.report import scheme_text
    from motorsub.schemes import load_schemes

    click.echo(scheme_text(load_schemes(list(scheme_paths) or None).scheme(scheme_id)))


@schemes.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_errors
def schemes_validate(paths):
    """Check scheme files (or folders of them); exit 3 with the file and key if one is invalid."""
    from motorsub.schemes import load_schemes

    loaded = load_schemes(list(paths), defaults=False)
    for s in loaded.schemes:
        click.echo(
            f"ok  {s.id}  ({s.source_file}): {len(s.versions)} version(s), "
            f"{len(s.components)} component(s)"
        )


@main.command(epilog=EPILOG)
@_errors
def warmup():
    """Compile and cache every numba kernel now, so that the first real run starts fast.

    Run it once after installing (it takes a minute); later runs load the cached
    machine code in a fraction of a second.
    """
    from motorsub.warm import warm_all

    started = time.perf_counter()
    warm_all()
    click.echo(f"kernels compiled and cached in {time.perf_counter() - started:.1f} s", err=True)


@main.command(epilog=EPILOG)
@click.option("--rows", required=True, type=click.IntRange(min=0), help="Number of lines.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@output_option
@_errors
def synth(rows, seed, output_path):
    """Write realistic synthetic sale lines, the same for the same seed.

    \b
    Example:
      motorsub synth --rows 10000000 --seed 1 -o records.parquet
    """
    from motorsub.synth import synth as make

    started = time.perf_counter()
    make(rows, seed, output_path)
    click.echo(
        f"{rows:,} rows written to {output_path} in {time.perf_counter() - started:.1f} s", err=True
    )
