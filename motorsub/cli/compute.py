"""``motorsub compute``: the subsidies and savings of every line of a file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from motorsub.cli.options import (
    DEFAULT_BATCH_ROWS,
    EPILOG,
    aliases_option,
    closing_line,
    errors,
    headers_option,
    lang_option,
    savings_options,
    schemes_option,
    settings_from,
    sheet_option,
)


@click.command(epilog=EPILOG)
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    help="Output file, .csv, .parquet or .xlsx; with --cluster, a folder OUTDIR (or a URL).",
)
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
@sheet_option()
@aliases_option
@headers_option()
@lang_option
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
@click.option(
    "--cluster",
    metavar="SPEC",
    help="Run on a Dask cluster: local (one worker per core), local:N, tcp://HOST:PORT "
    "or a scheduler .json file. INPUT may then be several files, a folder, a glob or "
    "URLs; OUTDIR gets results/ and rejects/ part files and summary.json.",
)
@click.option("--overwrite", is_flag=True, help="With --cluster: replace an existing OUTDIR.")
@click.option(
    "--compression",
    metavar="CODEC",
    help="Compression of a .parquet OUTPUT: zstd, snappy, lz4 or none [default: zstd, the "
    "smallest file for about the time of snappy; snappy or lz4 for older readers without "
    "zstd].",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@errors
def compute(
    inputs,
    output_path,
    scheme_paths,
    rejects_path,
    summary_path,
    strict,
    encoding,
    sheet,
    aliases_path,
    headers,
    lang,
    profile_path,
    hours,
    load,
    coal_factor,
    grid_factor,
    part_load,
    tariff,
    life_years,
    batch_rows,
    cluster,
    overwrite,
    compression,
    quiet,
    as_json,
):
    """Compute the subsidies of every sale line in INPUT (.csv, .parquet or .xlsx).

    Column names and codes may be written in Chinese (编号, 额定功率(kW), 上海, 低压三相异步电动机,
    一级, 是): the table motorsub/data/aliases.csv reads them, --aliases adds more.

    \b
    Examples:
      motorsub compute examples/records.csv -o results.csv --summary summary.json
      motorsub compute records.parquet -o results.parquet --hours 4000 --load 0.75 --tariff 0.8
      motorsub compute records.csv -o results.parquet --compression snappy
      motorsub compute examples/records-zh.csv -o 结果.xlsx --headers zh --lang zh
      motorsub compute 台账.xlsx --sheet 销售 -o results.csv
      motorsub compute sales/ -o out/ --cluster local:2 --summary summary.json
      motorsub compute 'sales/2013/*.parquet' -o out/ --cluster tcp://10.0.0.5:8786 --overwrite
    """
    from motorsub import i18n

    started = time.perf_counter()

    def assumptions():
        return settings_from(
            profile_path, hours, load, coal_factor, grid_factor, part_load, tariff, life_years
        )

    # errors raised in the library speak the language asked for
    made = _missing_folders(output_path, rejects_path, summary_path) if cluster is None else []
    with i18n.speaking(lang):
        if cluster is None:
            summary = _one_process(
                inputs, output_path, scheme_paths, rejects_path, summary_path, strict,
                encoding, batch_rows, quiet, assumptions,
                aliases=aliases_path, sheet=sheet, headers=headers, lang=lang,
                compression=compression,
            )  # fmt: skip
        else:
            if compression is not None:
                _ = i18n.translator()
                raise click.UsageError(_("--compression: a cluster writes zstd Parquet parts"))
            if rejects_path is not None:
                _ = i18n.translator()
                raise click.UsageError(
                    _("--rejects: with --cluster, rejects go to OUTDIR/rejects/")
                )
            if sheet is not None:
                _ = i18n.translator()
                raise click.UsageError(_("--sheet: a cluster reads Parquet and CSV, not workbooks"))
            summary = _on_cluster(
                inputs, output_path, cluster, overwrite, scheme_paths, summary_path, strict,
                encoding, batch_rows, quiet, assumptions(),
                aliases_path=aliases_path, headers=headers, lang=lang,
            )  # fmt: skip
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        from motorsub.render.summary import summary_text

        click.echo(summary_text(summary, lang))
    rows = summary["rows"]
    _ = i18n.translator(lang)
    for folder in made:  # a mistyped folder would otherwise pass unseen
        click.echo(_("motorsub: made the folder {folder}, which did not exist").format(
            folder=folder), err=True)  # fmt: skip
    closing_line(
        _("{read:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s), {rejected:,} rejected; "
          "output {output}").format(
            read=rows["read"], seconds=elapsed, rate=rows["read"] / max(elapsed, 1e-9),
            rejected=rows["rejected"], output=output_path,
        )
    )  # fmt: skip


def _missing_folders(*paths) -> list[Path]:
    """For each file to write whose folder does not exist yet, the outermost folder that
    writing it will make (``a`` for ``a/b/out.csv`` when neither exists)."""
    made: list[Path] = []
    for path in paths:
        if path is None or Path(path).parent.exists():
            continue
        folder = Path(path).parent
        while folder.parent != folder and not folder.parent.exists():
            folder = folder.parent
        if folder not in made:
            made.append(folder)
    return made


def _one_process(
    inputs, output_path, scheme_paths, rejects_path, summary_path, strict, encoding,
    batch_rows, quiet, assumptions, **options,
):  # fmt: skip
    """Today's run: one file in this process (small files as plain Python)."""
    from motorsub import i18n

    _ = i18n.translator()
    if len(inputs) > 1:
        raise click.UsageError(_("several inputs need --cluster (or give a folder of Parquet)"))
    input_path = Path(inputs[0])
    from motorsub.cli import lean as _lean

    if _lean.small(input_path):
        _lean.start()
    else:
        _lean.without_pandas()
    from motorsub.backends.local import compute_file
    from motorsub.cli.progress import Progress

    with Progress(enabled=not quiet, unit=i18n.pgettext(None, "progress", "rows")) as bar:
        return compute_file(
            input_path, Path(output_path), list(scheme_paths) or None, rejects_path=rejects_path,
            summary_path=summary_path, strict=strict, encoding=encoding,
            batch_rows=batch_rows, progress=bar.update, savings=assumptions(), **options,
        )  # fmt: skip


def _on_cluster(
    inputs, outdir, spec, overwrite, scheme_paths, summary_path, strict, encoding,
    batch_rows, quiet, st, **options,
):  # fmt: skip
    """The same run as Dask tasks, one per input fragment, into OUTDIR."""
    from motorsub import cluster, i18n
    from motorsub.cli.progress import Progress
    from motorsub.cluster.compute import check_outdir, compute_dataset
    from motorsub.io.fragments import files

    check_outdir(outdir, overwrite)  # before a cluster is started or reached
    files(inputs)
    with cluster.connect(spec) as client:
        link = cluster.dashboard_link(client)
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
        _ = i18n.translator()
        click.echo(
            _("cluster {spec}: {workers} workers; dashboard {link}").format(
                spec=spec, workers=workers, link=link or _("not served (install bokeh)")
            ),
            err=True,
        )
        with Progress(enabled=not quiet, unit=i18n.pgettext(None, "progress", "rows")) as bar:
            return compute_dataset(
                list(inputs), outdir, list(scheme_paths) or None, client=client,
                overwrite=overwrite, summary_path=summary_path, strict=strict,
                encoding=encoding, batch_rows=batch_rows, progress=bar.update, savings=st,
                **options,
            )  # fmt: skip
