"""A Chinese office's files, fed to ``motorsub audit`` unchanged: Chinese headings and
codes in the claims workbook and in every reference file, ``--sheet``, ``--aliases``,
``--headers zh`` and errors in Chinese.

Expected headers and messages are written by hand from the catalogue's words
(motorsub/data/locale) and the alias table (motorsub/data/aliases.csv); the Chinese files
must give the findings the English files give.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from audit_helpers import EXAMPLES
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from motorsub.audit import inputs
from motorsub.cli import main
from motorsub.engine import records

ALIASES = Path(__file__).resolve().parents[2] / "motorsub" / "data" / "aliases.csv"

#: How an office heads each file (spellings of the alias table), claimed amounts included.
HEADINGS = {
    "record_id": "记录编号", "batch_id": "申报批次", "claimant": "申请单位",
    "manufacturer": "生产企业", "model": "规格型号", "serial": "出厂编号",
    "invoice_no": "发票号码", "invoice_date": "开票日期", "contract_no": "合同编号",
    "sale_date": "销售日期", "region": "地区", "motor_type": "电机类型",
    "kw": "额定功率（ｋＷ）", "qty": "台数", "grade": "能效等级", "kind": "类别",
    "trade_in": "以旧换新", "old_kw": "旧电机功率(kW)", "old_qty": "旧电机数量",
    "old_equipment_id": "旧电机设备编号",
    "claimed_national": "申报中央补贴", "claimed_sh_buyback": "申报回收补贴(元)",
    "claimed_sh_reman": "申报 sh_reman(元)",
    "listed_from": "列入日期", "delisted_from": "移出日期", "poles": "极数",
    "efficiency": "效率(%)", "equipment_id": "设备编号", "recycler": "回收单位",
    "old_model": "旧电机型号", "buyback_date": "回收日期", "new_serial": "新电机出厂编号",
    "year": "年份", "quota_kw": "推广配额(kW)",
}  # fmt: skip
#: Chinese codes: one spelling per code in a file, as an office's drop-down list gives.
CODES = {
    "region": {"CN-AH": "安徽省", "CN-BJ": "北京", "CN-GD": "广东省", "CN-HB": "湖北",
               "CN-JS": "江苏省", "CN-SD": "山东", "CN-SH": "上海市", "CN-ZJ": "浙江"},
    "motor_type": {"lv_async": "低压三相异步电动机", "hv_async": "高压三相异步电动机"},
    "grade": {"1": "一级", "2": "2级", "3": "三级"},
    "kind": {"new": "新品", "reman": "再制造"},
    "trade_in": {"true": "是", "false": "否"},
}  # fmt: skip
DATES = ("sale_date", "invoice_date", "listed_from", "delisted_from", "buyback_date")
NUMBERS = ("claimed_national", "claimed_sh_buyback", "claimed_sh_reman", "kw", "quota_kw")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def english(name: str) -> list[dict]:
    with (EXAMPLES / f"{name}.csv").open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def office_date(text: str, n: int) -> str:
    """A date as offices write it, in turn: 2012年5月1日, 2012.05.01, 20120501."""
    d = dt.date.fromisoformat(text)
    forms = (f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y.%m.%d"), d.strftime("%Y%m%d"))
    return forms[n % 3]


def office_number(text: str) -> str:
    """A number with a thousands separator, full-width in part (NFKC reads both)."""
    if not text or "." in text or len(text) < 4:
        return text
    head, tail = text[:-3], text[-3:]
    return f"{head},{tail}".replace("0", "０")


def office_rows(name: str, dates_as_text: bool = True) -> list[list]:
    """``examples/audit/NAME.csv`` as an office writes it: Chinese headings and codes,
    office dates and numbers. The first row is the header."""
    rows = english(name)
    names = list(rows[0])
    out: list[list] = [[HEADINGS.get(n, n) for n in names]]
    for i, r in enumerate(rows):
        line: list = []
        for n in names:
            v = CODES.get(n, {}).get(r[n], r[n])
            if n in DATES and v:
                v = office_date(v, i) if dates_as_text else dt.date.fromisoformat(v)
            elif n in NUMBERS:
                v = office_number(v)
            line.append(v if v != "" else None)
        out.append(line)
    return out


def write_csv(path: Path, rows: list[list], encoding: str = "gbk") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in rows])
    return path


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "yyyy/m/d"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date)
                elif v is not None:
                    sheet.write_string(r, c, str(v))
    book.close()
    return path


def office_files(tmp_path: Path) -> dict[str, Path]:
    """The claims as a workbook whose claims are on the sheet 申报 (the first sheet is a
    note), the reference files as GBK CSV, all headed and coded in Chinese."""
    note = [["说明"], ["本工作簿第二页为2014年第一季度申报明细"]]
    return {
        "claims": write_workbook(
            tmp_path / "申报.xlsx", {"说明": note, "申报": office_rows("batch1", False)}
        ),
        "catalogue": write_csv(tmp_path / "目录.csv", office_rows("catalogue")),
        "buybacks": write_csv(tmp_path / "回收.csv", office_rows("buybacks")),
        "quotas": write_csv(tmp_path / "配额.csv", office_rows("quotas")),
    }


def read_back(path: Path) -> list[list]:
    if path.suffix == ".xlsx":
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def fails(res, code: int, message: str) -> None:
    """The command ended with exit ``code`` and printed ``message``, no traceback."""
    assert res.exit_code == code, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def run_english(out: Path, *extra) -> dict:
    res = invoke(
        "audit", EXAMPLES / "batch1.csv", "--catalogue", EXAMPLES / "catalogue.csv",
        "--buybacks", EXAMPLES / "buybacks.csv", "--quotas", EXAMPLES / "quotas.csv",
        "-o", out, "--json", "-q", "--lang", "en", *extra,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def run_office(files: dict[str, Path], out: Path, *extra):
    return invoke(
        "audit", files["claims"], "--sheet", "申报", "--catalogue", files["catalogue"],
        "--buybacks", files["buybacks"], "--quotas", files["quotas"], "-o", out,
        "--json", "-q", *extra,
    )  # fmt: skip


#: Findings columns the audit computes (the echoed originals differ: they are Chinese).
def computed(rows: list[list]) -> list[list]:
    head = rows[0]
    keep = [
        i for i, n in enumerate(head)
        if n in ("source_row", "batch_id", "record_id", "claimant", "status", "finding",
                 "primary_reason", "reasons", "inspect", "inspect_reason")
        or n.split("_")[0] in ("claimed", "entitled", "approved", "disallowed", "unverified",
                               "variance", "version")
    ]  # fmt: skip
    return [[r[i] for i in keep] for r in rows]


# ------------------------------------------------------------------------------------


def test_an_office_workbook_and_chinese_reference_files_give_the_english_findings(tmp_path):
    files = office_files(tmp_path)
    en = run_english(tmp_path / "en.csv", "--sample", tmp_path / "en-sample.csv")
    res = run_office(files, tmp_path / "zh.csv", "--sample", tmp_path / "zh-sample.csv")
    assert res.exit_code == 0, res.output
    zh = json.loads(res.stdout)
    skip = ("inputs", "files")
    assert {k: v for k, v in zh.items() if k not in skip} == {
        k: v for k, v in en.items() if k not in skip
    }
    assert "columns_not_read" not in zh  # every Chinese heading was read
    for name in ("", "-sample"):
        en_rows = computed(read_back(tmp_path / f"en{name}.csv"))
        zh_rows = computed(read_back(tmp_path / f"zh{name}.csv"))
        assert zh_rows == en_rows
    assert len(read_back(tmp_path / "en.csv")) > 2  # the example has findings to compare
    # the echoed originals are the office's own spellings
    zh_head, *zh_body = read_back(tmp_path / "zh.csv")
    assert {r[zh_head.index("motor_type")] for r in zh_body} <= set(CODES["motor_type"].values())


def test_sheet_picks_the_claims_sheet_and_an_unknown_sheet_is_named(tmp_path):
    files = office_files(tmp_path)
    without = invoke(
        "audit", files["claims"], "--catalogue", files["catalogue"], "-o", tmp_path / "f.csv",
        "-q", "--lang", "en",
    )  # fmt: skip
    assert without.exit_code == 2  # the first sheet is the note: no claim columns
    assert "claims: missing required columns" in without.output
    res = invoke(
        "audit", files["claims"], "--sheet", "二季度", "--catalogue", files["catalogue"],
        "-o", tmp_path / "f.csv", "-q", "--lang", "en",
    )  # fmt: skip
    fails(res, 2, f"{files['claims']}: no sheet named '二季度'")
    assert "'说明', '申报'" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "f.csv").exists()


def test_headers_zh_on_findings_rejects_and_sample(tmp_path):
    files = office_files(tmp_path)
    for suffix in (".csv", ".xlsx"):
        out, sample = tmp_path / f"审核{suffix}", tmp_path / f"抽查{suffix}"
        res = run_office(files, out, "--headers", "zh", "--sample", sample, "--lang", "zh")
        assert res.exit_code == 0, res.output
        head, *body = read_back(out)
        assert head[:8] == [
            "原文件行号", "批次号", "编号", "申报单位", "审核结论", "有审核发现", "主要原因",
            "原因代码",
        ]  # fmt: skip
        for words in ("申报 national(元)", "应得 sh_buyback(元)", "核准 sh_reman(元)",
                      "核减 national(元)", "待核实 national(元)", "申报金额(元)",
                      "核准合计(元)", "核减合计(元)", "申报与应得差额(元)", "现场抽查",
                      "抽查原因", "适用版本：cn_national", "生产企业", "发票号码", "开票日期",
                      "旧设备编号", "合同编号"):  # fmt: skip
            assert words in head, words
        statuses = {r[head.index("审核结论")] for r in body}
        assert statuses <= {"approved", "adjusted", "rejected", "unverified"}  # ids stay
        assert read_back(sample)[0] == head
    rejects = read_back(tmp_path / "审核.rejects.csv")[0]
    assert rejects[:2] == ["原文件行号", "原因代码"]


def test_headers_zh_of_claim_columns_read_back_as_those_columns():
    """An office may correct a rejects file and send it again: its headers read back."""
    claim_columns = [c for c in inputs.CLAIM_COLUMNS if c not in records.PASSTHROUGH] + [
        "claimed_national", "claimed_sh_buyback", "claimed_sh_reman",
    ]  # fmt: skip
    table = pa.table({c: ["x"] for c in claim_columns})
    from motorsub.engine import columns

    zh = columns.with_headers(table, "zh")
    assert zh.column_names == [
        "申报单位", "批次号", "发票号码", "开票日期", "旧设备编号", "合同编号", "申报金额(元)",
        "申报 national(元)", "申报 sh_buyback(元)", "申报 sh_reman(元)",
    ]  # fmt: skip
    assert inputs.load(zh, "claims")[0].column_names == claim_columns


def _alias_rows(column_of) -> list[dict]:
    with ALIASES.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["what"] == "column" and column_of(r["value"])]


@pytest.mark.parametrize(
    "row",
    _alias_rows(lambda v: v not in records.COLUMNS and v not in records.PASSTHROUGH),
    ids=lambda r: r["alias"],
)
def test_every_alias_of_an_audit_column_is_read_by_the_audit(row):
    table, _ = inputs.load(pa.table({row["alias"]: ["x"], "备注": ["y"]}), "claims")
    assert table.column_names == [row["value"], "备注"]


def test_more_spellings_with_aliases_reach_the_claims_and_every_reference_file(tmp_path):
    extra = tmp_path / "别名.csv"
    extra.write_text(
        "what,alias,value,note\n"
        "column,机型,model,this office's heading\n"
        "column,中央补贴申请额,claimed_national,this office's heading\n"
        "column,回收台数,old_qty,this office's heading\n"
        "column,配额年度,year,this office's heading\n"
        "motor_type,低压电机,lv_async,this office's word\n"
        "grade,Ⅱ级,2,this office's word\n",
        encoding="utf-8",
    )
    files = office_files(tmp_path)
    own = {"规格型号": "机型", "申报中央补贴": "中央补贴申请额", "旧电机数量": "回收台数",
           "年份": "配额年度"}  # fmt: skip
    words = {"低压三相异步电动机": "低压电机", "2级": "Ⅱ级"}
    for name, what in (("catalogue", "catalogue"), ("buybacks", "buybacks"), ("quotas", "quotas")):
        rows = office_rows(name)
        rows = [[own.get(h, h) for h in rows[0]]] + [[words.get(v, v) for v in r] for r in rows[1:]]
        files[what] = write_csv(tmp_path / f"{name}-own.csv", rows, "utf-8-sig")
    rows = office_rows("batch1", False)
    rows = [[own.get(h, h) for h in rows[0]]] + [[words.get(v, v) for v in r] for r in rows[1:]]
    files["claims"] = write_workbook(tmp_path / "own.xlsx", {"申报": rows})

    en = run_english(tmp_path / "en.csv")
    without = run_office(files, tmp_path / "x.csv", "--lang", "en")
    assert without.exit_code == 2  # 机型 is no packaged spelling of model
    assert "missing required column" in without.output
    res = run_office(files, tmp_path / "zh.csv", "--aliases", extra, "--lang", "en")
    assert res.exit_code == 0, res.output
    zh = json.loads(res.stdout)
    assert zh["totals_cny"] == en["totals_cny"]
    assert zh["by_status"] == en["by_status"]
    assert computed(read_back(tmp_path / "zh.csv")) == computed(read_back(tmp_path / "en.csv"))


def test_headings_nothing_reads_are_listed_and_two_for_one_column_are_refused(tmp_path):
    files = office_files(tmp_path)
    rows = office_rows("catalogue")
    rows[0].append("备注")
    rows[1:] = [[*r, "ok"] for r in rows[1:]]
    files["catalogue"] = write_csv(tmp_path / "目录.csv", rows)
    claims = office_rows("batch1", False)
    claims[0][claims[0].index("合同编号")] = "合同编码"  # misspelt: not read
    claims[0].append("经办人")
    claims[1:] = [[*r, "张三"] for r in claims[1:]]
    files["claims"] = write_workbook(tmp_path / "申报.xlsx", {"申报": claims})
    res = run_office(files, tmp_path / "f.csv", "--lang", "zh")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["columns_not_read"] == {"claims": ["合同编码", "经办人"], "catalogue": ["备注"]}
    text = invoke(
        "audit", files["claims"], "--sheet", "申报", "--catalogue", files["catalogue"],
        "-o", tmp_path / "g.csv", "-q", "--lang", "zh", "--report", tmp_path / "r.md",
    ).output  # fmt: skip
    said = "未读取的列（列名是否写错？）：申报：合同编码, 经办人; 目录：备注"
    assert said in text
    assert said in (tmp_path / "r.md").read_text(encoding="utf-8")

    both = office_rows("quotas")
    both[0].append("manufacturer")  # 生产企业 and manufacturer: one column twice
    both[1:] = [[*r, r[0]] for r in both[1:]]
    files["quotas"] = write_csv(tmp_path / "配额.csv", both)
    res = run_office(files, tmp_path / "f.csv", "--lang", "en")
    twice = "column 'manufacturer' appears twice (as '生产企业' and 'manufacturer'); keep one"
    fails(res, 2, f"{files['quotas']}: {twice}")


def test_errors_of_the_audit_speak_chinese(tmp_path):
    files = office_files(tmp_path)
    rows = office_rows("catalogue")
    rows[2][rows[0].index("额定功率（ｋＷ）")] = "十五"
    files["catalogue"] = write_csv(tmp_path / "目录.csv", rows)
    res = run_office(files, tmp_path / "f.csv", "--lang", "zh")
    bad = "1 个错误值：\n  第 3 行，列 kw：'十五'（不是大于 0 的功率）"
    fails(res, 2, f"{files['catalogue']}：目录：{bad}")
    rows = [r[:-1] for r in office_rows("quotas")]  # no 推广配额(kW)
    files["quotas"] = write_csv(tmp_path / "配额.csv", rows)
    files["catalogue"] = write_csv(tmp_path / "目录.csv", office_rows("catalogue"))
    res = run_office(files, tmp_path / "f.csv", "--lang", "zh")
    missing = (
        "缺少必需的列 quota_kw；必需：manufacturer, year, quota_kw（现有：manufacturer, year）"
    )
    fails(res, 2, f"{files['quotas']}：配额：{missing}")
    res = run_office(files, tmp_path / "f.csv", "--lang", "zh", "--sample-value-share", "150%")
    fails(res, 2, "'150%' 不在 0 与 1（0% 与 100%）之间")


def test_strict_and_report_errors_speak_chinese(tmp_path):
    files = office_files(tmp_path)
    res = run_office(files, tmp_path / "f.csv", "--lang", "zh", "--report", tmp_path / "r.pdf")
    fails(res, 2, f"{tmp_path / 'r.pdf'}：未知的报告格式 '.pdf'；可用：.md, .markdown, .html, .htm")
    claims = office_rows("batch1", False)
    claims[2][claims[0].index("申请单位")] = None  # the second claim line: spreadsheet row 3
    files["claims"] = write_workbook(tmp_path / "申报.xlsx", {"申报": claims})
    res = run_office(files, tmp_path / "f.csv", "--lang", "zh", "--strict")
    # rows 40 and 41 of the example: no claimant, and 12.345 CNY (not a whole fen)
    rows = "\n".join(
        [
            "  第 3 行：MISSING_CLAIMANT",
            "  第 40 行：MISSING_CLAIMANT",
            "  第 41 行：BAD_CLAIMED_NATIONAL",
        ]
    )
    fails(res, 4, f"{files['claims']}：3 行申报无法审核（--strict 下不允许）：\n{rows}")


def test_a_claims_line_with_the_wrong_number_of_values_is_a_bad_line_reject(tmp_path):
    lines = (EXAMPLES / "batch1.csv").read_text(encoding="utf-8-sig").splitlines()
    broken = "2014Q1-X,2014Q1,甲电机有限公司,YE-3-2,ASN9"  # 5 values, the header has 23
    claims = tmp_path / "claims.csv"
    claims.write_text("\n".join([lines[0], broken, *lines[1:]]) + "\n", encoding="utf-8")
    en = run_english(tmp_path / "en.csv")
    res = invoke(
        "audit", claims, "--catalogue", EXAMPLES / "catalogue.csv", "--buybacks",
        EXAMPLES / "buybacks.csv", "--quotas", EXAMPLES / "quotas.csv", "-o",
        tmp_path / "f.csv", "--json", "-q", "--lang", "en",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    # 62 lines of the example + the broken one; its 2 rejected rows (40, 41) move down one
    assert summary["rows"]["read"] == 63
    assert summary["rows"]["rejected"] == 3
    assert summary["rows"]["audited"] == en["rows"]["audited"] == 60
    assert summary["rejects"] == {"BAD_CLAIMED_NATIONAL": 1, "BAD_LINE": 1, "MISSING_CLAIMANT": 1}
    assert summary["totals_cny"] == en["totals_cny"]
    head, *rows = read_back(tmp_path / "f.rejects.csv")
    assert head[:3] == ["source_row", "reasons", "raw_line"]
    assert [r[:3] for r in rows] == [
        ["2", "BAD_LINE", broken],
        ["41", "MISSING_CLAIMANT", ""],
        ["42", "BAD_CLAIMED_NATIONAL", ""],
    ]
    assert rows[1][head.index("record_id")] == "2014Q1-0000039"
    res = invoke(
        "audit", claims, "--catalogue", EXAMPLES / "catalogue.csv", "-o", tmp_path / "g.csv",
        "-q", "--strict", "--lang", "zh",
    )  # fmt: skip
    fails(res, 4, f"{claims}：3 行申报无法审核（--strict 下不允许）：\n  第 2 行：BAD_LINE\n")
