"""``motorsub audit``: reconcile claim batches against the rules, the catalogue, buy-backs
and quotas, with a ledger across batches. Registered on the main group by ``motorsub.cli``.

Exit codes: 0 done (claim rows may have been rejected: see the rejects file and the
summary), 2 bad usage or input (a missing column, bad reference data, a batch already in
the ledger with different lines), 3 invalid scheme, 4 claim rows rejected under ``--strict``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from motorsub.cli.options import (
    aliases_option,
    closing_line,
    errors,
    headers_option,
    lang_option,
    schemes_option,
    sheet_option,
)

EPILOG = (
    "Exit codes: 0 done, 2 bad usage or input (missing column, bad catalogue / buy-backs / "
    "quotas, a changed batch already in the ledger), 3 invalid scheme, 4 claim rows "
    "rejected under --strict."
)


class Share(click.ParamType):
    """A share as a fraction (0.1) or a percentage (10%)."""

    name = "share"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        from motorsub import i18n

        _ = i18n.translator(ctx.params.get("lang") if ctx else None)  # --lang is eager
        text = str(value).strip()
        try:
            x = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            self.fail(
                _("{value!r} is not a share such as 0.1 or 10%").format(value=value), param, ctx
            )
        if not 0.0 <= x <= 1.0:
            self.fail(
                _("{value!r} is not between 0 and 1 (0% and 100%)").format(value=value), param, ctx
            )
        return x


_path = click.Path(path_type=Path)


@click.command(epilog=EPILOG)
@click.argument("claims_path", metavar="CLAIMS", type=_path)
@click.option(
    "--catalogue",
    "catalogue_path",
    required=True,
    type=_path,
    help="Approved models: manufacturer, model, motor_type, kw, listed_from, ...",
)
@click.option(
    "--buybacks",
    "buybacks_path",
    type=_path,
    help="Recyclers' buy-back lines: equipment_id, old_kw, old_qty, buyback_date, "
    "...; without it trade-ins are not checked.",
)
@click.option(
    "--quotas",
    "quotas_path",
    type=_path,
    help="kW a manufacturer may promote per year: manufacturer, year, quota_kw; "
    "without it quotas are not checked.",
)
@click.option(
    "-o",
    "--findings",
    "findings_path",
    required=True,
    type=_path,
    help="Lines with a finding, .csv, .parquet or .xlsx.",
)
@click.option(
    "--ledger",
    "ledger_path",
    type=_path,
    help="SQLite ledger of batches audited before (created if absent); default: none kept.",
)
@click.option("--report", "report_path", type=_path, help="A report to read, .md or .html.")
@click.option("--summary", "summary_path", type=_path, help="Write the summary as JSON.")
@click.option(
    "--sample",
    "sample_path",
    type=_path,
    help="The lines to inspect in the field, .csv, .parquet or .xlsx.",
)
@click.option(
    "--lines",
    "lines_path",
    type=_path,
    help="Every audited line (not only findings), .csv, .parquet or .xlsx.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=_path,
    help="Claim rows that cannot be audited (default: FINDINGS's name with .rejects.csv).",
)
@click.option(
    "--sample-value-share",
    default="10%",
    show_default=True,
    type=Share(),
    help="Share of the claimed value the inspection sample covers (0.1 or 10%).",
)
@click.option(
    "--high-value",
    default=50_000.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="A line claiming more [CNY] is always inspected.",
)
@click.option(
    "--seed", default=0, show_default=True, type=int, help="Seed of the inspection sample."
)
@schemes_option
@click.option("--strict", is_flag=True, help="Fail (exit 4) if any claim row cannot be audited.")
@click.option(
    "--encoding", help="Force the CSV encoding of every input (default: UTF-8, else GB18030)."
)
@sheet_option("CLAIMS")
@aliases_option
@headers_option("findings, rejects, sample and lines files")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress display (the audit shows none: accepted as on every command).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@lang_option
@errors
def audit(
    claims_path,
    catalogue_path,
    buybacks_path,
    quotas_path,
    findings_path,
    ledger_path,
    report_path,
    summary_path,
    sample_path,
    lines_path,
    rejects_path,
    sample_value_share,
    high_value,
    seed,
    scheme_paths,
    strict,
    encoding,
    sheet,
    aliases_path,
    headers,
    quiet,
    as_json,
    lang,
):
    """Audit the subsidy claims in CLAIMS (.csv, .parquet or .xlsx) line by line.

    Every line gets the entitlement recomputed by the engine, its variance to the claim, a
    status (approved, adjusted, rejected) and every reason code that applies; the summary
    reconciles claimed = approved + disallowed to the fen per claimant, per component and
    overall. With --ledger, accepted lines are recorded per batch: auditing a batch again
    changes nothing, and a serial or old motor paid in an earlier batch is caught.

    Every input may have Chinese column names and codes (申报单位, 批次号, 额定功率(kW),
    上海, 低压三相异步电动机, 是): the table motorsub/data/aliases.csv reads them, --aliases
    adds more; --sheet picks the sheet of a claims workbook (.xlsx).

    \b
    Examples:
      motorsub audit examples/audit/batch1.csv --catalogue examples/audit/catalogue.csv \\
          --buybacks examples/audit/buybacks.csv --quotas examples/audit/quotas.csv \\
          --ledger ledger.sqlite -o findings.csv --report report.md --summary summary.json
      motorsub audit claims.parquet --catalogue catalogue.parquet --buybacks buybacks.parquet \\
          -o findings.parquet --sample inspect.csv --sample-value-share 15% --seed 7
      motorsub audit claims.csv --catalogue catalogue.csv -o findings.csv \\
          --report 报告.html --lang zh -q
      motorsub audit 申报.xlsx --sheet 2014Q1 --catalogue 目录.xlsx --aliases 别名.csv \\
          -o 审核结果.xlsx --headers zh --lang zh
    """
    from motorsub import _jit, i18n, io
    from motorsub.cli import lean

    if lean.small(claims_path):  # a few thousand claims: plain-Python kernels, no compiling
        _jit.run_as_python()
    from motorsub.audit import audit_files, default_rejects_path
    from motorsub.render.audit import summary_text

    started = time.perf_counter()
    with i18n.speaking(lang):  # errors raised in the library speak the language asked for
        io.check_distinct(
            [claims_path, catalogue_path, buybacks_path, quotas_path],
            [findings_path, rejects_path or default_rejects_path(findings_path), summary_path,
             report_path, sample_path, lines_path, ledger_path],
        )  # fmt: skip
        summary = audit_files(
            claims_path,
            findings_path,
            catalogue=catalogue_path,
            buybacks=buybacks_path,
            quotas=quotas_path,
            rejects_path=rejects_path,
            summary_path=summary_path,
            report_path=report_path,
            sample_path=sample_path,
            lines_path=lines_path,
            schemes=list(scheme_paths) or None,
            ledger=ledger_path,
            sample_value_share=sample_value_share,
            high_value=high_value,
            seed=seed,
            strict=strict,
            encoding=encoding,
            aliases=aliases_path,
            sheet=sheet,
            headers=headers,
            lang=lang,
        )
    elapsed = time.perf_counter() - started
    click.echo(
        json.dumps(summary, indent=2, ensure_ascii=False)
        if as_json
        else summary_text(summary, lang)
    )
    rows = summary["rows"]
    _ = i18n.translator(lang)
    closing_line(
        _(
            "{rows} claim rows in {seconds} s ({speed} rows/s), {rejected} rejected; "
            "findings {findings}"
        ).format(
            rows=f"{rows['read']:,}",
            seconds=f"{elapsed:.1f}",
            speed=f"{rows['read'] / max(elapsed, 1e-9):,.0f}",
            rejected=f"{rows['rejected']:,}",
            findings=findings_path,
        )
    )
