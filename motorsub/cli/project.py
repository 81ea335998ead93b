"""``motorsub project``: project a promotion plan year by year (registered by motorsub.cli)."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import click

from motorsub.cli.options import EPILOG, closing_line, errors, lang_option, schemes_option

PROJECT_EPILOG = EPILOG + " An invalid plan file exits 3 too."
OUTPUT_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")


def _check_paths(output_path: Path | None, plot_path: Path | None) -> None:
    """Refuse an unknown output or plot type before any work is done."""
    from motorsub import i18n
    from motorsub.errors import InputError
    from motorsub.plan.plot import SUFFIXES

    _ = i18n.translator()
    if output_path is not None and output_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(
            _("{path}: unknown output format; accepted: {accepted}").format(
                path=output_path, accepted=", ".join(OUTPUT_SUFFIXES)
            )
        )
    if plot_path is not None and plot_path.suffix.lower() not in SUFFIXES:
        raise InputError(
            _("{path}: --plot writes {suffixes}").format(
                path=plot_path, suffixes=", ".join(SUFFIXES)
            )
        )


def _write(path: Path, table, payload: dict) -> None:
    from motorsub import io

    if path.suffix.lower() == ".json":
        with io.atomic_path(path) as tmp:
            tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    else:
        io.write_table(table, path)


@contextlib.contextmanager
def _samples_map(spec: str | None, samples: int):
    """A cluster's mapper for the Monte-Carlo blocks under ``--cluster``, else None."""
    if spec is None or not samples:
        yield None
        return
    from motorsub import cluster, i18n

    with cluster.connect(spec) as client:
        link = cluster.dashboard_link(client)
        _ = i18n.translator()
        click.echo(
            _("cluster {spec}: dashboard {link}").format(spec=spec, link=link or _("not served")),
            err=True,
        )
        yield cluster.mapper(client)


@click.command("project", epilog=PROJECT_EPILOG)
@click.argument("plan_path", metavar="PLAN", type=click.Path(path_type=Path))
@click.option(
    "--compare",
    "compare_path",
    metavar="PLAN_B",
    type=click.Path(path_type=Path),
    help="A second plan: print the year-by-year difference PLAN_B - PLAN.",
)
@click.option(
    "--samples",
    type=click.IntRange(0, 1_000_000),
    default=0,
    show_default=True,
    help="Monte-Carlo draws of the plan's uncertain assumptions: P10/P50/P90 per year.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws.")
@click.option(
    "--cluster",
    metavar="SPEC",
    help="Spread the --samples over a Dask cluster (local, local:N, tcp://HOST:PORT or a "
    "scheduler .json file): the same results as one process for the same seed.",
)
@click.option(
    "-o",
    "--output",
    "output_path",
    type=click.Path(path_type=Path),
    help="Write the year table (.csv, .parquet, .xlsx) or everything (.json); with --compare, "
    "the difference table.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path),
    help="Draw savings, stock and budget per year (.png, .svg, .pdf; needs matplotlib).",
)
@schemes_option
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(path_type=Path),
    help="Write the summary (totals, budgets, what the subsidy buys) as JSON to this file.",
)
@click.option(
    "--encoding", help="Force the encoding of a CSV records mix (default: UTF-8, else GB18030)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display (project shows none).")
@lang_option
@errors
def project(
    plan_path, compare_path, samples, seed, cluster, output_path, plot_path, scheme_paths,
    as_json, summary_path, encoding, quiet, lang,
):  # fmt: skip
    """Project a promotion PLAN (TOML): stock, savings, budget and their uncertainty.

    Per year: kW promoted, in service and retired; savings in kWh, tce and tCO2, and
    cumulated; subsidy outlay per component, payee and budget (from the schemes, run on
    the plan's mix); then the published figures beside the projection, what the savings
    intensity implies in hours x load x efficiency gain, and, with --samples, the
    P10/P50/P90 band. The plan format: motorsub/plan/README.md.

    \b
    Examples:
      motorsub project examples/plans/shanghai-12th-fyp.toml --plot plan.png
      motorsub project examples/plans/shanghai-12th-fyp.toml --samples 10000 --seed 1 -o plan.csv
      motorsub project examples/plans/shanghai-12th-fyp.toml \\
          --compare examples/plans/shanghai-12th-fyp-no-reman-subsidy.toml
      motorsub project examples/plans/national-2013-2015.toml --json
      motorsub project examples/plans/national-2013-2015.toml --samples 200000 --cluster local:2
    """
    from motorsub import i18n, io
    from motorsub.plan import compare, load_plan
    from motorsub.plan import project as run_project
    from motorsub.render.plan import compare_text, projection_text

    started = time.perf_counter()
    _check_paths(output_path, plot_path)
    io.check_distinct([plan_path, compare_path], [output_path, plot_path, summary_path])
    extra = list(scheme_paths) or None
    options = dict(samples=samples, seed=seed, schemes=extra, encoding=encoding)
    with _samples_map(cluster, samples) as spread:
        a = run_project(load_plan(plan_path), **options, map=spread)
        b = diff = None
        if compare_path is not None:
            b = run_project(load_plan(compare_path), **options, map=spread)
            diff = compare(a, b)
    if output_path is not None:
        if diff is None:
            _write(output_path, a.table(), a.to_dict())
        else:
            from motorsub.plan.compare import as_table

            table = as_table(diff)
            payload = {"a": a.to_dict(), "b": b.to_dict(), "difference": table.to_pylist()}
            _write(output_path, table, payload)
    if summary_path is not None:
        summary = a.summary if b is None else {"a": a.summary, "b": b.summary}
        from motorsub import io

        with io.atomic_path(summary_path) as tmp:
            tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if plot_path is not None:
        from motorsub.plan.plot import plot

        warning = plot(a, plot_path, other=b, lang=lang)
        if warning:
            _ = i18n.translator(lang)
            click.echo(_("motorsub: warning: {what}").format(what=warning), err=True)
    if as_json:
        payload = a.to_dict() if b is None else {"a": a.to_dict(), "b": b.to_dict()}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    elif b is None:
        click.echo(projection_text(a, lang))
    else:
        click.echo(compare_text(a, b, diff, lang))
    _ = i18n.translator(lang)
    closing_line(
        _("projected in {seconds} s").format(seconds=f"{time.perf_counter() - started:.1f}")
        + (_("; output {path}").format(path=output_path) if output_path else "")
        + (_("; plot {path}").format(path=plot_path) if plot_path else "")
    )
