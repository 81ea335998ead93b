"""``motorsub project`` through click's CliRunner: the table, outputs, plot, exit codes."""

import json

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from plan_helpers import EXAMPLES, MINIMAL

from motorsub.cli.project import project

FYP = EXAMPLES / "shanghai-12th-fyp.toml"
NO_REMAN = EXAMPLES / "shanghai-12th-fyp-no-reman-subsidy.toml"
BROKEN = MINIMAL.parent.parent / "broken"


def invoke(*args, lang="en"):
    argv = [str(a) for a in args] + (["--lang", lang] if lang else [])
    return CliRunner().invoke(project, argv, catch_exceptions=False)


def test_done_criterion_table_published_figures_and_plot(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "plan.png"
    res = invoke(FYP, "--plot", png)
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())  # columns are aligned with runs of spaces
    assert "2015" in out and "run rate" in out
    # one house format: four significant figures, thousands separators, no exponent
    assert "kwh_per_year [kWh/yr] 4,700,000,000 4,700,000,000 1.000 official" in out
    assert "tce_per_year [tce/yr] 1,410,000 1,410,000 1.000 official" in out
    assert "coal 0.3000 kgce/kWh" in out
    assert "e+" not in out and "million" not in out.split(" 2011 ")[1]
    assert "more than the motor swap can deliver" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000


def test_samples_and_outputs(tmp_path):
    for suffix in ("csv", "parquet", "json"):
        path = tmp_path / f"plan.{suffix}"
        res = invoke(FYP, "--samples", 200, "--seed", 1, "-o", path)
        assert res.exit_code == 0, res.output
        assert "uncertainty: 200 samples, seed 1" in res.output
    table = pq.read_table(tmp_path / "plan.parquet")
    assert table.num_rows == 20
    assert {"kwh", "kwh_p10", "kwh_p50", "kwh_p90", "outlay_local_fen"} <= set(table.column_names)
    assert str(table.schema.field("outlay_local_fen").type) == "int64"
    csv = pacsv.read_csv(tmp_path / "plan.csv")
    assert csv.column("year").to_pylist()[0] == 2011
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert doc["samples"] == 200
    assert doc["years"][4]["kwh_run_rate"] == pytest.approx(4.7e9)


def test_compare_prints_the_difference(tmp_path):
    res = invoke(FYP, "--compare", NO_REMAN, "-o", tmp_path / "diff.csv")
    assert res.exit_code == 0, res.output
    assert "B - A" in res.output
    # 45 CNY/kW × 0.30 × 2 million kW in 2013, to the fen
    assert "-27,000,000.00" in res.output
    assert "B leaves out: sh_reman" in res.output
    assert "uptake held fixed" in res.output
    diff = pacsv.read_csv(tmp_path / "diff.csv")
    assert "outlay_sh_reman_fen_diff" in diff.column_names
    assert diff.column("outlay_sh_reman_fen_diff").to_pylist()[2] == -2_700_000_000


def test_json_to_stdout():
    res = invoke(EXAMPLES / "national-2013-2015.toml", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["summary"]["outlay_by_budget"]["central"]["status"] == "unknown"


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        ((BROKEN / "negative_kw.toml",), 3, "promotion.years[1].kw"),
        ((BROKEN / "no_such_plan.toml",), 2, "no such plan file"),
        ((MINIMAL, "-o", "plan.xlsx"), 2, "unknown output format"),
        ((MINIMAL, "--plot", "plan.gif"), 2, "--plot writes .png"),
    ],
)
def test_errors_and_exit_codes(tmp_path, monkeypatch, args, code, text):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(project, [str(a) for a in args])
    assert res.exit_code == code
    assert text in res.output
    assert not list(tmp_path.iterdir())  # no output file left behind


def test_help_shows_examples():
    res = invoke("--help")
    assert "motorsub project examples/plans/shanghai-12th-fyp.toml --plot plan.png" in res.output
    assert "Exit codes" in res.output


def test_common_options(tmp_path):
    """-q, --summary and --lang work as on the other commands."""
    res = invoke(FYP, "-q", "--summary", tmp_path / "s.json", lang="zh")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert summary["outlay_by_budget"]["local"]["fen"] == 18_550_000_000
    assert "推广量：保持不变" in res.stdout and "补贴的效果" in res.stdout
