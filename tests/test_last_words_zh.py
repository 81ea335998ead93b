"""The last English lines under ``--lang zh``: the ledger's errors, ``project``'s closing
line, the audit's list of written files, ``--cluster`` words, ``schemes list`` and
``schemes show``, the unknown headers and back end. The expected Chinese is written by
hand here, not taken from the program's output."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from motorsub import backends, cluster, i18n
from motorsub.audit.ledger import Ledger
from motorsub.cli.main import main
from motorsub.engine import columns
from motorsub.errors import InputError

EXAMPLES = Path(__file__).parents[1] / "examples"
AUDIT = EXAMPLES / "audit"
PLAN = EXAMPLES / "plans" / "shanghai-2011-2012.toml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="motorsub")


# ---------------------------------------------------------------------------------------
# 1. the ledger


def test_a_file_that_is_no_database_is_refused_in_chinese(tmp_path):
    bad = tmp_path / "ledger.sqlite"
    bad.write_text("not a database at all, " * 100)
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        Ledger(bad)
    assert str(err.value).startswith(f"{bad}：不是可用的 SQLite 台账：")


def test_a_database_that_is_no_ledger_is_refused_in_chinese(tmp_path):
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        Ledger(other)
    assert str(err.value) == f"{other}：不是 motorsub 台账（没有 meta 表）"
    with pytest.raises(InputError, match="not a motorsub ledger"):  # English stays
        Ledger(other)


def test_audit_with_a_broken_ledger_says_so_in_chinese(tmp_path):
    bad = tmp_path / "ledger.sqlite"
    bad.write_text("garbage " * 200)
    res = run(
        "audit", AUDIT / "batch1.csv", "--catalogue", AUDIT / "catalogue.csv",
        "--buybacks", AUDIT / "buybacks.csv", "--ledger", bad,
        "-o", tmp_path / "f.csv", "--lang", "zh",
    )  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr.startswith(f"motorsub：错误：{bad}：不是可用的 SQLite 台账：")
    assert "ledger" not in res.stderr.replace(str(bad), "")


# ---------------------------------------------------------------------------------------
# 2. project's closing line, the audit's written files


def test_project_closing_line_in_chinese(tmp_path):
    out = tmp_path / "p.csv"
    res = run("project", PLAN, "--lang", "zh", "-o", out)
    assert res.exit_code == 0, res.output
    last = res.stderr.splitlines()[-1]
    assert re.fullmatch(rf"预测用时 \d+\.\d 秒；输出 {re.escape(str(out))}", last), last


def test_project_closing_line_stays_english_in_english(tmp_path):
    res = run("project", PLAN, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert re.fullmatch(r"projected in \d+\.\d s", res.stderr.splitlines()[-1])


def test_audit_names_the_files_it_wrote_in_chinese(tmp_path):
    findings, summary = tmp_path / "f.csv", tmp_path / "s.json"
    res = run(
        "audit", AUDIT / "batch1.csv", "--catalogue", AUDIT / "catalogue.csv",
        "--buybacks", AUDIT / "buybacks.csv", "--quotas", AUDIT / "quotas.csv",
        "-o", findings, "--summary", summary, "--lang", "zh",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rejects = tmp_path / "f.rejects.csv"
    assert f"已写出：问题清单 {findings}, 拒收行 {rejects}, 汇总 {summary}" in res.stdout


def test_the_progress_bar_counts_rows_in_chinese():
    assert i18n.pgettext("zh", "progress", "rows") == "行"
    assert i18n.pgettext("en", "progress", "rows") == "rows"


# ---------------------------------------------------------------------------------------
# 3. --cluster (the lines of a running cluster are checked in tests/cluster)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("local:0", "--cluster local:0：local:N 中的 N 须为不小于 1 的整数"),
        ("nowhere", "--cluster nowhere：应为 local、local:N、tcp://主机:端口 或调度器 .json 文件"),
        ("gone.json", "--cluster gone.json：调度器文件不存在"),
    ],
)
def test_a_bad_cluster_spec_in_chinese(spec, expected):
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        cluster.parse(spec)
    assert str(err.value) == expected


def test_compute_cluster_outdir_exists_in_chinese(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("record_id,sale_date,region,motor_type,kw,qty,grade,kind\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    res = run("compute", src, "-o", outdir, "--cluster", "local:1", "--lang", "zh")
    assert res.exit_code == 2
    assert res.stderr.strip() == f"motorsub：错误：{outdir}：已存在；如需替换请加 --overwrite"


# ---------------------------------------------------------------------------------------
# 4. schemes list and show


def test_schemes_list_in_chinese():
    res = run("schemes", "list", "--lang", "zh")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["方案", "版本", "补贴项", "文件"]
    row = next(line for line in lines if line.startswith("cn_sh_tradein"))
    assert row.split()[:5] == ["cn_sh_tradein", "1", "(2012-01-01", "–", "2015-12-31)"]


def test_schemes_show_in_chinese():
    res = run("schemes", "show", "cn_sh_tradein", "--lang", "zh")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[1].startswith("发布机关：")
    assert lines[2].startswith("文件：") and lines[2].endswith("cn_sh_tradein.toml")
    assert "文件依据：" in lines and "补贴项：" in lines
    assert any(
        line.endswith("由 local 预算支付给 recycler，按 old_kw 的每千瓦计") for line in lines
    )
    assert "    条件：地区 CN-SH 且 以旧换新" in lines
    assert any(line.startswith("版本 2012-01-01：2012-01-01 – 2015-12-31  [") for line in lines)
    header = next(line for line in lines if "电机类型" in line)
    assert header.split() == [
        "补贴项",
        "电机类型",
        "功率段(kW)",
        "能效等级",
        "元/kW",
        "依据",
        "来源",
    ]
    rate = next(line for line in lines if line.strip().startswith("sh_buyback  "))
    assert rate.split()[:5] == ["sh_buyback", "全部", "(0,", "inf)", "全部"]
    assert "authority" not in res.stdout and "components:" not in res.stdout


def test_schemes_show_stays_english_without_lang(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    res = run("schemes", "show", "cn_sh_tradein")
    assert res.stdout.splitlines()[1].startswith("authority: ")
    assert "    requires region CN-SH and a trade-in" in res.stdout.splitlines()


# ---------------------------------------------------------------------------------------
# 5. unknown headers, unknown back end


def test_unknown_headers_in_chinese():
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        columns.header_names(["record_id"], "fr")
    assert str(err.value).startswith("未知的表头类型 'fr'；可用：")


def test_unknown_back_end_in_chinese():
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        backends.backend("spark")
    assert str(err.value) == "未知的后端 'spark'；可用：local, dask"
