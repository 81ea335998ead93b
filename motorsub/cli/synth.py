"""``motorsub synth``: realistic synthetic sale lines."""

from __future__ import annotations

import time

import click

from motorsub.cli.options import EPILOG, errors, output_option


@click.command(epilog=EPILOG)
@click.option("--rows", required=True, type=click.IntRange(min=0), help="Number of lines.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@output_option
@errors
def synth(rows, seed, output_path):
    """Write realistic synthetic sale lines, the same for the same seed.

    \b
    Example:
      motorsub synth --rows 10000000 --seed 1 -o records.parquet
    """
    from motorsub.engine.synth import synth as make

    started = time.perf_counter()
    make(rows, seed, output_path)
    click.echo(
        f"{rows:,} rows written to {output_path} in {time.perf_counter() - started:.1f} s", err=True
    )
