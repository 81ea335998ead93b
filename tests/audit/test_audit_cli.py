"""``motorsub audit`` through click: the shipped examples, outputs, exit codes."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
from audit_helpers import EXAMPLES
from click.testing import CliRunner
from make_examples import build

from motorsub.cli.audit import audit

REF = (
    "--catalogue",
    EXAMPLES / "catalogue.csv",
    "--buybacks",
    EXAMPLES / "buybacks.csv",
    "--quotas",
    EXAMPLES / "quotas.csv",
)


def invoke(*args, lang="en"):
    argv = [str(a) for a in args] + (["--lang", lang] if lang else [])
    return CliRunner().invoke(audit, argv, catch_exceptions=False)


def _rows(con: sqlite3.Connection) -> list:
    return con.execute("SELECT * FROM lines ORDER BY seq, record_id").fetchall()


def test_done_when(tmp_path):
    """The issue's test of done: batch 1 reconciles and writes findings and a report;
    batch 1 again changes nothing; batch 2 against the same ledger flags the re-claims."""
    ledger = tmp_path / "ledger.sqlite"

    def batch(name, tag):
        return invoke(
            EXAMPLES / f"{name}.csv",
            *REF,
            "--ledger",
            ledger,
            "-o",
            tmp_path / f"{tag}.findings.csv",
            "--report",
            tmp_path / f"{tag}.md",
            "--summary",
            tmp_path / f"{tag}.json",
        )

    first = batch("batch1", "one")
    assert first.exit_code == 0, first.output
    assert (
        "claimed 270,498.25 = approved 250,456.75 + disallowed 14,401.50 + unverified "
        "5,640.00 CNY  (reconciles to the fen per claimant, component, status and overall)"
    ) in first.output
    summary = json.loads((tmp_path / "one.json").read_text())
    assert summary["reconciliation"]["reconciles"]
    report = (tmp_path / "one.md").read_text()
    assert "## Claimants by disallowed amount" in report
    assert "| QUOTA_EXCEEDED | 1 | 10,400.00 |" in report
    # every primary reason, DUPLICATE_SERIAL's 22.00 included, and the total row
    assert "| DUPLICATE_SERIAL | 1 | 22.00 |" in report
    assert "| total | 15 | 14,401.50 |" in report
    f1 = pd.read_csv(tmp_path / "one.findings.csv")
    assert len(f1) == summary["findings"] == 17
    assert (tmp_path / "one.findings.rejects.csv").exists()

    with sqlite3.connect(ledger) as con:
        before = _rows(con)
    again = batch("batch1", "again")
    assert again.exit_code == 0
    assert "ledger unchanged" in again.output
    with sqlite3.connect(ledger) as con:
        assert _rows(con) == before
    assert pd.read_csv(tmp_path / "again.findings.csv").equals(f1)

    second = batch("batch2", "two")
    assert second.exit_code == 0
    f2 = pd.read_csv(tmp_path / "two.findings.csv")
    assert set(f2["record_id"]) == {"2014Q2-R01", "2014Q2-R02", "2014Q2-R03"}
    assert set(f2["primary_reason"]) == {"DUPLICATE_SERIAL"}


def test_html_report_sample_lines_and_json(tmp_path):
    res = invoke(
        EXAMPLES / "batch1.csv",
        *REF,
        "-o",
        tmp_path / "f.parquet",
        "--report",
        tmp_path / "r.html",
        "--sample",
        tmp_path / "s.csv",
        "--lines",
        tmp_path / "all.parquet",
        "--sample-value-share",
        "25%",
        "--seed",
        "3",
        "--json",
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.output[: res.output.rindex("}") + 1])
    assert s["sample"]["target_share"] == 0.25
    assert s["sample"]["share_of_claimed"] >= 0.25
    html = (tmp_path / "r.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    sample = pd.read_csv(tmp_path / "s.csv")
    assert sample["inspect"].all()
    assert len(pd.read_parquet(tmp_path / "all.parquet")) == 60


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--report", "r.pdf"), 2, "unknown report format '.pdf'"),
        (("--sample-value-share", "150%"), 2, "is not between 0 and 1"),
        (("--strict",), 4, "2 claim row(s) cannot be audited under --strict"),
        (("--schemes", "SCHEME"), 3, "motorsub: error:"),
    ],
)
def test_exit_codes(tmp_path, args, code, message):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nunknown_key = 1\n')
    args = tuple(
        str(bad) if a == "SCHEME" else str(tmp_path / a) if a == "r.pdf" else a for a in args
    )
    res = CliRunner().invoke(
        audit, [str(EXAMPLES / "batch1.csv"), *map(str, REF), "-o", str(tmp_path / "f.csv"), *args]
    )
    assert res.exit_code == code, res.output
    assert message in res.output
    assert not (tmp_path / "f.csv").exists()


def test_missing_catalogue_option(tmp_path):
    res = CliRunner().invoke(audit, [str(EXAMPLES / "batch1.csv"), "-o", str(tmp_path / "f.csv")])
    assert res.exit_code == 2
    assert "--catalogue" in res.output


def test_help_has_examples():
    res = invoke("--help")
    assert "motorsub audit examples/audit/batch1.csv" in res.output
    assert "Exit codes: 0 done, 2" in res.output


def test_shipped_examples_are_what_the_generator_writes():
    for name, df in build().items():
        shipped = pd.read_csv(
            EXAMPLES / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        assert shipped.equals(df.astype(str).reset_index(drop=True)), name


def test_common_options_and_no_ledger(tmp_path):
    """-q is accepted as on compute; without --ledger the report says none is kept; the
    report lists the flagged lines, largest disallowed first, and says where the rest are."""
    res = invoke(
        EXAMPLES / "batch1.csv", *REF, "-o", tmp_path / "f.csv", "--report", tmp_path / "r.md", "-q"
    )
    assert res.exit_code == 0, res.output
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "ledger: none (this run only)" in report and ":memory:" not in report
    flagged = report.split("## Flagged lines")[1].split("##")[0]
    rows = [r for r in flagged.splitlines() if r.startswith("| ") and not r.startswith("| row")]
    assert len(rows) == 17
    first = [c.strip() for c in rows[0].strip("|").split("|")]
    assert first[1:5] == ["壬电机有限公司", "2014Q1-0000021", "rejected", "QUOTA_EXCEEDED"]
    assert first[-2:] == ["10,400.00", "0.00"]


def test_report_and_summary_in_chinese(tmp_path):
    res = invoke(
        EXAMPLES / "batch1.csv",
        *REF,
        "-o",
        tmp_path / "f.csv",
        "--report",
        tmp_path / "r.html",
        lang="zh",
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html
    assert "审计报告" in html and "QUOTA_EXCEEDED" in html
    assert "待核实" in res.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sample_line_says_how_to_write_the_sample(tmp_path, lang):
    """The inspection sample is drawn on every audit; without --sample the summary says
    how to write it, with --sample it lists the file among those written."""
    hint = {"en": "; --sample FILE writes it", "zh": "；用 --sample 文件 写出样本"}[lang]
    target = {"en": "(target 10.0%)", "zh": "（目标 10.0%）"}[lang]
    res = invoke(EXAMPLES / "batch1.csv", *REF, "-o", tmp_path / "f.csv", lang=lang)
    assert res.exit_code == 0, res.output
    (line,) = [ln for ln in res.output.splitlines() if target in ln]
    assert line.endswith(target + hint)
    res = invoke(
        EXAMPLES / "batch1.csv", *REF, "-o", tmp_path / "g.csv", "--sample", tmp_path / "s.csv",
        lang=lang,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    (line,) = [ln for ln in res.output.splitlines() if target in ln]
    assert line.endswith(target) and str(tmp_path / "s.csv") in res.output
