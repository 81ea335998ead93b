"""``audit``: reconcile subsidy claims against the rules, the catalogue, buy-backs and quotas.

:func:`audit` takes the claims and the reference data (paths, pyarrow Tables or pandas
DataFrames) and returns an :class:`AuditResult`; :func:`audit_files` also writes the
findings, the rejects, the summary, the report and the inspection sample, as
``motorsub audit`` does. Inputs, reason codes, statuses and exit codes are documented in
``motorsub/audit/README.md``.

References
----------
财建〔2010〕232号 (the national programme: listed models, manufacturers' claims,
settlement after verification); 沪府办发〔2011〕62号 and its implementing rules (Shanghai's
trade-in records: contract, equipment number, buy-back date, new motor's serial).
"""

from __future__ import annotations

import json
from functools import cached_property, partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import i18n, io
from motorsub.audit.codes import N_, REJECTED
from motorsub.audit.inputs import (
    Source,
    Spellings,
    key,
    original_rows,
    read_buybacks,
    read_catalogue,
    read_claims,
    read_quotas,
    spellings,
)
from motorsub.audit.ledger import Ledger
from motorsub.audit.memory import arrow_from_malloc, give_back
from motorsub.audit.pipeline import References, audit_batch
from motorsub.audit.rules import codes as key_codes
from motorsub.audit.sample import Sample, draw
from motorsub.audit.summary import (
    Lines,
    code_legend,
    combine,
    flagged,
    summarise,
    table_parts,
)
from motorsub.engine.columns import with_headers
from motorsub.errors import RejectedRowsError
from motorsub.kernels.keys import dense_codes
from motorsub.model.schemes import SchemeSet, load_schemes
from motorsub.render import audit as report

__all__ = ["AuditResult", "audit", "audit_files"]

#: Defaults of the parameters (CLI options) — figures of the audit, not subsidy rates.
SAMPLE_VALUE_SHARE = 0.10  # share of the claimed value the inspection sample covers
HIGH_VALUE_CNY = 50_000.0  # a line claiming more is always inspected [CNY]
MAX_DETAILS = 20


class AuditResult:
    """What :func:`audit` produces: ``lines``, ``findings`` and ``sample`` (pyarrow tables,
    built when asked for), ``rejects`` and ``summary``."""

    def __init__(
        self, lines: Lines, sample: Sample, rejects: pa.Table, summary: dict, originals=None
    ):
        self._lines, self._sample, self._originals = lines, sample, originals
        self.rejects, self.summary = rejects, summary

    @cached_property
    def lines(self) -> pa.Table:
        """Every audited line, in input order."""
        return pa.concat_tables(self.parts("lines"))

    @property
    def findings(self) -> pa.Table:
        """The lines with a finding: status adjusted or rejected, or any audit code."""
        return pa.concat_tables(self.parts("findings"))

    @property
    def sample(self) -> pa.Table:
        """The lines to inspect, with why."""
        return pa.concat_tables(self.parts("sample"))

    def parts(self, which: str):
        """``lines``, ``findings`` or ``sample`` as tables of a bounded number of rows (at
        least one), in input order: written one after the other, they make the output."""
        mask = {
            "lines": None,
            "findings": self._lines.finding,
            "sample": self._sample.selected,
        }[which]
        return table_parts(self._lines, self._sample, mask, self._originals)


def _schemes(schemes) -> SchemeSet:
    return schemes if isinstance(schemes, SchemeSet) else load_schemes(schemes)


@arrow_from_malloc()  # see motorsub.audit.memory
def audit(
    claims: Source,
    catalogue: Source | None = None,
    buybacks: Source | None = None,
    quotas: Source | None = None,
    *,
    schemes: SchemeSet | str | Path | list | None = None,
    ledger: Ledger | str | Path | None = None,
    sample_value_share: float = SAMPLE_VALUE_SHARE,
    high_value: float = HIGH_VALUE_CNY,
    seed: int = 0,
    strict: bool = False,
    encoding: str | None = None,
    aliases: Spellings = None,
    sheet: str | None = None,
) -> AuditResult:
    """Audit claim lines, batch by batch, and record the accepted lines in a ledger.

    Parameters
    ----------
    claims : path, pyarrow.Table or pandas.DataFrame
        Sale lines (docs/rules.md section 1) with ``claimant``, ``batch_id``, the checklist
        columns and ``claimed_<component>`` [CNY] or ``claimed_total`` [CNY]. A file may
        hold several batches; they are audited in the order they first appear.
    catalogue, buybacks, quotas : path, Table or DataFrame, optional
        Approved models, recyclers' buy-back lines, yearly quotas [kW]. A check whose
        data is not given is not run (the summary lists the inputs used).
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    ledger : Ledger or path, optional
        SQLite ledger of earlier batches (created if absent); in memory by default.
    sample_value_share : float
        Share of the claimed value the inspection sample covers, 0–1.
    high_value : float
        A line claiming more than this [CNY] is always inspected.
    seed : int
        Seed of the inspection sample.
    strict : bool
        Raise :class:`~motorsub.errors.RejectedRowsError` if a claim row cannot be audited.
    encoding : str, optional
        Force the CSV encoding of every input.
    aliases : Aliases or path, optional
        Spellings of headings and codes of every input: the packaged table
        (``motorsub/data/aliases.csv``), with a CSV file of more added when given.
    sheet : str, optional
        The sheet of a claims workbook (default: its first).

    Returns
    -------
    AuditResult
        ``lines`` (one row per audited line: status, reasons, claimed / entitled /
        approved / disallowed per component and in total [CNY], inspection flag),
        ``rejects`` and ``summary``.

    Raises
    ------
    InputError
        A missing column, bad reference data, a changed batch already in the ledger.
    SchemeError
        An invalid scheme file.
    """
    give_back()  # what an earlier run in this process left with the allocators
    schemes = _schemes(schemes)
    engine = tuple(c.id for _, c in schemes.components)
    al = spellings(aliases)
    cat = read_catalogue(catalogue, encoding, aliases=al) if catalogue is not None else None
    refs = References(
        catalogue=cat,
        buybacks=read_buybacks(buybacks, encoding, aliases=al) if buybacks is not None else None,
        quotas=read_quotas(quotas, cat, encoding, aliases=al) if quotas is not None else None,
    )
    give_back()  # what reading the reference files freed
    # what the summary says of the reference files (the last batch drops the buy-backs)
    given = {"catalogue": cat, "buy-backs": refs.buybacks, "quotas": refs.quotas}
    sources = {k: v.source for k, v in given.items() if v is not None}
    ref_unread = {k: list(v.not_read) for k, v in given.items() if v is not None and v.not_read}
    del given
    table, rejects, n_read = read_claims(claims, engine, encoding, aliases=al, sheet=sheet)
    if strict and rejects.num_rows:
        raise RejectedRowsError(_describe_rejects(rejects, claims))
    empty = table.take(np.zeros(0, np.int64))
    own = not isinstance(ledger, Ledger)
    book = Ledger(ledger) if own else ledger
    try:
        batches, table = _batches(table), None  # each batch holds its own lines
        results = []
        while batches:
            name, part = batches.pop(0)
            refs.last = not batches
            results.append(audit_batch(part, refs, schemes, book, name))
            del part
            give_back()
    finally:
        if own:
            book.close()
    lines = combine(results, empty.components, empty)
    recorded = [r.ledger for r in results]
    del results[:]  # the batches' own arrays, once joined into ``lines``
    give_back()
    # the sample's strata: (claimant, claimed motor type), numbered without joining them
    motor_type, _ = dense_codes(pc.fill_null(key(lines.table, "motor_type"), ""))
    stratum, _ = dense_codes(lines.keys["claimant"], within=motor_type)
    del motor_type
    sample = draw(
        lines.totals("claimed"),
        np.maximum(stratum, 0),
        lines.status == REJECTED,
        unverified=lines.totals("unverified") > 0,
        share=sample_value_share,
        high_value_fen=round(high_value * 100),
        seed=seed,
    )
    summary = summarise(lines, sample, n_read, rejects.num_rows)
    summary["batches"] = recorded
    kept = book.path != ":memory:"
    if not kept:
        for b in summary["batches"]:
            b["ledger"] = N_("not kept (no ledger file)")
    summary["inputs"] = {
        "claims": _name(claims, "claims"),
        "catalogue": sources.get("catalogue", N_("not given: catalogue checks not run")),
        "buy-backs": sources.get("buy-backs", N_("not given: buy-back checks not run")),
        "quotas": sources.get("quotas", N_("not given: quota checks not run")),
        "ledger": book.path if kept else N_("none (this run only)"),
        "schemes": ", ".join(s.id for s in schemes.schemes),
    }
    unread = ({"claims": list(empty.not_read)} if empty.not_read else {}) | ref_unread
    if unread:
        summary["columns_not_read"] = unread
    if rejects.num_rows:
        summary["rejects"] = _count_rejects(rejects)
    summary["flagged"] = flagged(lines)
    again = partial(original_rows, claims, encoding=encoding, aliases=al, sheet=sheet)
    return AuditResult(lines, sample, rejects, summary, again)


def _batches(claims):
    """(batch_id, lines) per batch, in the order batches first appear."""
    batch, names = key_codes(claims.keys["batch_id"])
    if len(names) == 1:
        return [(names[0].as_py(), claims)]
    order = np.argsort(batch, kind="stable")
    bounds = np.searchsorted(batch[order], np.arange(len(names) + 1))
    return [
        (name, claims.take(order[bounds[b] : bounds[b + 1]]))
        for b, name in enumerate(names.to_pylist())
    ]


def _name(source, what: str) -> str:
    return str(source) if isinstance(source, (str, Path)) else f"<{what}>"


def _count_rejects(rejects: pa.Table) -> dict:
    counts: dict[str, int] = {}
    for r in rejects.column("reasons").to_pylist():
        for p in r.split(";"):
            counts[p] = counts.get(p, 0) + 1
    return dict(sorted(counts.items()))


def _describe_rejects(rejects: pa.Table, source) -> str:
    _ = i18n.translator()
    lines = [
        _("{source}: {n} claim row(s) cannot be audited under --strict:").format(
            source=_name(source, "claims"), n=rejects.num_rows
        )
    ]
    rows = rejects.select(["source_row", "reasons"]).to_pylist()
    for r in rows[:MAX_DETAILS]:
        lines.append(_("  row {row}: {reasons}").format(row=r["source_row"], reasons=r["reasons"]))
    if len(rows) > MAX_DETAILS:
        lines.append(_("  ... and {more} more rows").format(more=len(rows) - MAX_DETAILS))
    return "\n".join(lines)


def default_rejects_path(findings: Path) -> Path:
    """``findings.csv`` → ``findings.rejects.csv``, beside the findings."""
    return findings.with_name(f"{findings.stem}.rejects.csv")


def _write_parts(parts, path: str | Path) -> None:
    """Tables one after the other into one output file, written under a temporary name
    and renamed into place (removed if writing fails): the output is never whole in
    memory."""
    out = io.batch_writer(path)
    try:
        for part in parts:
            out.write(part)
    except BaseException:
        out.abort()
        raise
    out.commit()


@arrow_from_malloc()
def audit_files(
    claims: str | Path,
    findings_path: str | Path,
    *,
    catalogue: str | Path | None = None,
    buybacks: str | Path | None = None,
    quotas: str | Path | None = None,
    rejects_path: str | Path | None = None,
    summary_path: str | Path | None = None,
    report_path: str | Path | None = None,
    sample_path: str | Path | None = None,
    lines_path: str | Path | None = None,
    lang: str | None = None,
    headers: str = "id",
    **options,
) -> dict:
    """Audit files and write the findings, rejects, summary, report and sample.

    Every output is written under a temporary name and renamed into place; nothing is
    written when an error is raised. ``lang`` is the report's language (``zh`` or ``en``;
    default: the locale's); ``headers`` the column headers of the tables written (``id``
    or ``zh``, :func:`motorsub.engine.columns.header_names`). ``options`` are those of
    :func:`audit`. Returns the summary.
    """
    findings_path = Path(findings_path)
    for p, what in ((findings_path, "findings"), (sample_path, "sample"), (lines_path, "lines")):
        if p:
            io.file_format(p, what=what)
    if report_path:
        report.check_path(report_path)
    res = audit(claims, catalogue, buybacks, quotas, **options)
    rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(findings_path)
    res.summary["files"] = {
        "findings": str(findings_path),
        "rejects": str(rejects_path),
        "summary": str(summary_path) if summary_path else None,
        "report": str(report_path) if report_path else None,
        "sample": str(sample_path) if sample_path else None,
        "lines": str(lines_path) if lines_path else None,
    }
    _write_parts((with_headers(t, headers) for t in res.parts("findings")), findings_path)
    io.write_table(with_headers(res.rejects, headers), rejects_path)
    if lines_path:
        _write_parts((with_headers(t, headers) for t in res.parts("lines")), lines_path)
    if sample_path:
        _write_parts((with_headers(t, headers) for t in res.parts("sample")), sample_path)
    if summary_path:
        with io.atomic_path(summary_path) as tmp:
            tmp.write_text(
                json.dumps(res.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
    if report_path:
        with io.atomic_path(report_path) as tmp:
            tmp.write_text(
                report.render(res.summary, report_path, code_legend(), lang), encoding="utf-8"
            )
    summary = res.summary
    del res  # the lines, once written: their memory given back before the caller goes on
    give_back()
    return summary
