"""``motorsub compute``: the subsidies and savings of every line of a file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from motorsub.cli.options import (
    DEFAULT_BATCH_ROWS,
    EPILOG,
    errors,
    lang_option,
    output_option,
    savings_options,
    schemes_option,
    settings_from,
)


@click.command(epilog=EPILOG)
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
@click.option(
    "--encoding",
    help="Force the CSV encoding, e.g. gb18030 (default: as a byte-order mark says, else "
    "UTF-8, else GB18030 when every character is common Chinese text).",
)
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
@lang_option
@errors
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
    lang,
):
    """Compute the subsidies of every sale line in INPUT (.csv or .parquet).

    \b
    Examples:
      motorsub compute examples/records.csv -o results.csv --summary summary.json
      motorsub compute records.parquet -o results.parquet --hours 4000 --load 0.75 --tariff 0.8
    """
    from motorsub.cli import lean as _lean

    if _lean.small(input_path):
        _lean.start()
    else:
        _lean.without_pandas()
    from motorsub.backends.local import compute_file
    from motorsub.cli.progress import Progress

    started = time.perf_counter()
    st = settings_from(
        profile_path, hours, load, coal_factor, grid_factor, part_load, tariff, life_years
    )
    with Progress(enabled=not quiet) as bar:
        summary = compute_file(
            input_path, output_path, list(scheme_paths) or None, rejects_path=rejects_path,
            summary_path=summary_path, strict=strict, encoding=encoding,
            batch_rows=batch_rows, progress=bar.update, savings=st, lang=lang,
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        from motorsub.render.summary import summary_text

        click.echo(summary_text(summary))
    rows = summary["rows"]
    click.echo(
        f"{rows['read']:,} rows in {elapsed:.1f} s "
        f"({rows['read'] / max(elapsed, 1e-9):,.0f} rows/s), "
        f"{rows['rejected']:,} rejected; output {output_path}",
        err=True,
    )
