"""Chinese offices: Chinese headings, codes, numbers and dates; Excel workbooks in and out;
Chinese words on screen and in headers; no output cell a spreadsheet runs as a formula.

Expected values are worked by hand from docs/rules.md and the alias table's own rows.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from motorsub import io, vocab
from motorsub.backends.local import compute_file
from motorsub.cli import main
from motorsub.engine import aliases, columns, records
from motorsub.errors import InputError
from motorsub.io import xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "records.csv"
EXAMPLE_ZH = ROOT / "examples" / "records-zh.csv"
ALIASES = ROOT / "motorsub" / "data" / "aliases.csv"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def alias_rows() -> list[dict]:
    with ALIASES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def one_line(**values) -> pa.Table:
    """A valid Jiangsu lv_async line, with ``values`` (canonical names) replaced."""
    line = {"record_id": "a", "sale_date": "2010-09-01", "region": "CN-JS",
            "motor_type": "lv_async", "kw": "15", "grade": "2"} | values  # fmt: skip
    return pa.table({k: [v] for k, v in line.items()})


def validated(table: pa.Table) -> records.Records:
    return records.validate(records.normalise_names(table, "t"), "t")


def problems(table: pa.Table) -> list[str]:
    return records.problem_names(validated(table).reject[0])


# ------------------------------------------------------------------------------------
# the alias table


def test_every_alias_entry_has_a_note_and_a_known_meaning():
    rows = alias_rows()
    assert rows and all(r["note"].strip() for r in rows)
    for r in rows:
        assert r["what"] in aliases.WHATS, r


@pytest.mark.parametrize("row", alias_rows(), ids=lambda r: f"{r['what']}:{r['alias']}")
def test_every_alias_resolves(row):
    what, alias, value = row["what"], row["alias"], row["value"]
    if what == "column":
        if value in records.COLUMNS or value in records.PASSTHROUGH:
            renamed = records.normalise_names(pa.table({alias: ["x"]}), "t")
            assert renamed.column_names == [value]
        else:  # a column of the audit's inputs
            assert aliases.packaged().column(alias) == value
        return
    recs = validated(one_line(**{{"bool": "trade_in"}.get(what, what): alias, "old_kw": "15"}))
    if what == "region":
        if value in vocab.regions():
            assert recs.cols["region"][0] == vocab.regions().index(value)
        else:  # Taiwan, Hong Kong, Macao: no scheme covers them (regions.csv: mainland only)
            assert value in ("CN-TW", "CN-HK", "CN-MO")
            assert records.problem_names(recs.reject[0]) == ["BAD_REGION"]
        return
    assert recs.reject[0] == 0, records.problem_names(recs.reject[0])
    if what == "motor_type":
        assert recs.cols["motor_type"][0] == vocab.MOTOR_TYPES.index(value)
    elif what == "kind":
        assert recs.cols["kind"][0] == vocab.KINDS.index(value)
    elif what == "grade":
        assert recs.cols["grade"][0] == int(value)
    elif what == "bool":
        assert bool(recs.cols["trade_in"][0]) is (value == "true")


def test_all_34_provincial_divisions_by_full_and_short_name():
    rows = [r for r in alias_rows() if r["what"] == "region"]
    full = {r["value"] for r in rows if "full name" in r["note"]}
    short = {r["value"] for r in rows if "short name" in r["note"]}
    assert full == short
    assert len(full) == 34
    assert set(vocab.regions()) <= full  # the 31 codes of regions.csv, and TW, HK, MO


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("region", "上海", "CN-SH"), ("region", "上海市", "CN-SH"),
        ("region", "江苏省", "CN-JS"), ("region", "江苏", "CN-JS"),
        ("region", "内蒙古自治区", "CN-NM"), ("region", "广西", "CN-GX"),
        ("region", " 新疆 ", "CN-XJ"), ("region", "ｃｎ－ｓｈ", "CN-SH"),
    ],
)  # fmt: skip
def test_regions_from_the_issue(column, value, expected):
    assert validated(one_line(region=value)).cols["region"][0] == vocab.regions().index(expected)


def test_codes_of_the_issue_that_used_to_be_rejected():
    recs = validated(
        one_line(motor_type="低压异步", grade="2级", kind="新", price="5,200", region="上海")
    )
    assert recs.reject[0] == 0
    assert recs.cols["motor_type"][0] == 0 and recs.cols["grade"][0] == 2
    assert recs.cols["kind"][0] == 0 and recs.cols["price"][0] == 5200.0


@pytest.mark.parametrize("grade", ["IE1", "IE2", "IE3", "IE4", "ie3"])
def test_ie_classes_are_not_gb_grades(grade):
    assert problems(one_line(grade=grade)) == ["BAD_GRADE"]
    assert not any(r["alias"].upper().startswith("IE") for r in alias_rows())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5,200", 5200.0), ("５２００", 5200.0), ("５，２００", 5200.0), ("1,234,567.5", 1234567.5),
     ("-1,000", -1000.0), (" 4,200 ", 4200.0), ("0.55", 0.55), ("1,000.", 1000.0)],
)  # fmt: skip
def test_numbers_as_offices_write_them(text, expected):
    values, missing, bad = records._float(pa.chunked_array([[text]]))
    assert values[0] == expected and not missing[0] and not bad[0]


@pytest.mark.parametrize("text", ["5,2", "52,00", "5,200,0", "1.000,5", "5 200"])
def test_numbers_that_are_not_thousands_are_bad(text):
    assert problems(one_line(price=text)) == ["BAD_PRICE"]


@pytest.mark.parametrize(
    "text",
    ["2013年5月10日", "2013.05.10", "20130510", "2013/5/10 0:00", "2013-05-10 14:30:00",
     "２０１３年５月１０日", "2013/05/10", "2013-5-10"],
)  # fmt: skip
def test_date_forms(text):
    recs = validated(one_line(sale_date=text))
    assert recs.reject[0] == 0
    assert recs.cols["day"][0] == (dt.date(2013, 5, 10) - dt.date(1970, 1, 1)).days


@pytest.mark.parametrize("text", ["2013年2月30日", "20130230", "2013.13.01", "201305", "10/5/2013"])
def test_dates_that_do_not_exist_or_are_ambiguous_are_bad(text):
    assert problems(one_line(sale_date=text)) == ["BAD_SALE_DATE"]


def test_two_headings_for_one_column_name_both(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "编号,额定功率(kW),功率,销售日期,地区,电机类型\na,15,15,2010-09-01,江苏,低压异步\n"
    )
    res = invoke("compute", path, "-o", tmp_path / "out.csv", "-q")
    assert res.exit_code == 2
    assert "'额定功率(kW)'" in res.output and "'功率'" in res.output
    assert not (tmp_path / "out.csv").exists()


def test_a_heading_that_matches_nothing_is_listed_as_not_read(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("编号,销售日期,地区,电机类型,额定功率,能效等级,备注,Grdae\n"
                    "a,2010-09-01,江苏,低压异步,15,2,x,2\n", encoding="utf-8")  # fmt: skip
    res = invoke("compute", path, "-o", tmp_path / "out.csv", "-q", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "columns not read (passed through; a misspelt name?): 备注, grdae" in res.output
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        out = next(csv.DictReader(f))
    assert out["备注"] == "x" and out["subsidy_national"] == "525"  # 35 CNY/kW × 15 kW


def test_more_aliases_from_a_file(tmp_path):
    extra = tmp_path / "more.csv"
    extra.write_text("what,alias,value,note\ncolumn,电机编号,record_id,our ledger\n"
                     "region,沪,CN-SH,one-character short name\n", encoding="utf-8")  # fmt: skip
    path = tmp_path / "in.csv"
    path.write_text("电机编号,销售日期,地区,电机类型,额定功率,能效等级,以旧换新,旧电机功率\n"
                    "a,2012-05-10,沪,低压异步,15,2,是,15\n", encoding="utf-8")  # fmt: skip
    summary = compute_file(path, tmp_path / "out.csv", aliases=extra)
    assert summary["rows"]["rejected"] == 0
    assert summary["totals_cny"]["sh_buyback"] == 300.0  # 20 CNY/kW × 15 kW
    bad = tmp_path / "bad.csv"
    bad.write_text("what,alias,value,note\nmotor_type,异步,async,x\n", encoding="utf-8")
    res = invoke("compute", path, "-o", tmp_path / "o2.csv", "--aliases", bad, "-q")
    assert res.exit_code == 2
    assert "bad.csv: row 2, column value: 'async' is not lv_async or hv_async or pm_sync" in (
        res.output
    )


# ------------------------------------------------------------------------------------
# the Chinese example and a GBK file as Excel saves it


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_the_chinese_example_computes_as_the_english_one_line_by_line(tmp_path):
    raw = EXAMPLE_ZH.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").startswith("编号,销售日期,地区,电机类型,额定功率(kW)")
    compute_file(EXAMPLE, tmp_path / "en.csv")
    compute_file(EXAMPLE_ZH, tmp_path / "zh.csv")
    en, zh = _read_csv(tmp_path / "en.csv"), _read_csv(tmp_path / "zh.csv")
    assert len(en) == len(zh) > 300
    for a, b in zip(en, zh):
        computed = [k for k in a if k not in ("manufacturer", "model", "serial")]
        assert {k: a[k] for k in computed} == {k: b[k] for k in computed}
    rej_en, rej_zh = _read_csv(tmp_path / "en.rejects.csv"), _read_csv(tmp_path / "zh.rejects.csv")
    assert [(r["source_row"], r["reasons"]) for r in rej_en] == [
        (r["source_row"], r["reasons"]) for r in rej_zh
    ]


def test_a_gbk_file_as_excel_saves_it(tmp_path):
    # Excel on a Chinese Windows saves "CSV" as GBK, no BOM, CRLF, dates as it shows them
    # and numbers over 999 quoted with a thousands separator
    text = (
        "编号,销售日期,地区,电机类型,额定功率（kW）,台数,能效等级,类别,以旧换新,旧电机功率(kW),单价\r\n"
        '1,2012/5/10 0:00,上海市,低压三相异步电动机,15,2,二级,再制造,是,15,"4,200"\r\n'
        '2,2010/9/1,江苏省,低压三相异步电动机,15,1,2级,新品,否,,"3,000.50"\r\n'
    )
    path = tmp_path / "台账.csv"
    path.write_bytes(text.encode("gbk"))
    summary = compute_file(path, tmp_path / "out.csv")
    assert summary["rows"]["rejected"] == 0
    out = {r["record_id"]: r for r in _read_csv(tmp_path / "out.csv")}
    # line 1: Shanghai reman trade-in, 2 motors of 15 kW: buy-back 20 × 15 × 2, reman 45 × 15 × 2
    assert float(out["1"]["subsidy_sh_buyback"]) == 600.0
    assert float(out["1"]["subsidy_sh_reman"]) == 1350.0
    # line 2: Jiangsu 2010, 35 CNY/kW × 15 kW; net price 3,000.50 − 525
    assert float(out["2"]["subsidy_national"]) == 525.0
    assert float(out["2"]["net_price"]) == 2475.5


# ------------------------------------------------------------------------------------
# Excel workbooks


def _workbook(path: Path, rows: list[list], sheets=("台账",)) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "yyyy/m/d"})
    for name in sheets:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date)
                elif isinstance(v, str):
                    sheet.write_string(r, c, v)  # text, even when it starts with =
                elif v is not None:
                    sheet.write_number(r, c, v)
    book.close()


LEDGER = [
    [
        "编号",
        "销售日期",
        "地区",
        "电机类型",
        "额定功率(kW)",
        "数量",
        "能效等级",
        "备注",
        "生产企业",
    ],
    ["a", dt.date(2010, 9, 1), "江苏", "低压三相异步电动机", 15, 1, 2, None, "上海电机厂"],
    ["b", "2010年9月1日", "江苏省", "低压异步", 7.5, 2, "二级", "", '=HYPERLINK("x")'],
    ["c", dt.date(2012, 2, 29), "浙江", "低压异步", None, 1, 2, "无功率", "@SUM(1+1)"],
]


def test_xlsx_round_trip_with_dates_empty_cells_and_chinese(tmp_path):
    book = tmp_path / "ledger.xlsx"
    _workbook(book, LEDGER)
    summary = compute_file(book, tmp_path / "out.xlsx", headers="zh")
    assert summary["rows"] == summary["rows"] | {"read": 3, "computed": 2, "rejected": 1}
    sheet = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_index(0)
    head, *body = sheet.to_python()
    assert head[0] == "编号" and "补贴 national(元)" in head and "补贴合计(元)" in head
    by_id = {r[0]: dict(zip(head, r)) for r in body}
    assert by_id["a"]["补贴 national(元)"] == 525.0  # a number, not text: 35 × 15
    assert by_id["b"]["补贴 national(元)"] == 35 * 7.5 * 2
    assert by_id["a"]["生产企业"] == "上海电机厂"
    assert by_id["b"]["生产企业"] == '\'=HYPERLINK("x")'
    assert by_id["a"]["备注"] == ""  # empty stays empty
    rejects = _read_csv(tmp_path / "out.rejects.csv")
    assert [(r["原文件行号"], r["原因代码"], r["销售日期"]) for r in rejects] == [
        ("4", "MISSING_KW", "2012-02-29")
    ]
    assert list(rejects[0])[:4] == ["原文件行号", "原因代码", "问题说明", "原始行文本"]


def test_io_round_trip_keeps_types_dates_and_empty_cells(tmp_path):
    table = pa.table(
        {
            "名称": ["上海电机", None, "+cmd|' /C calc'!A0"],
            "kw": [15.0, None, -2.5],
            "day": pa.array([dt.date(2013, 5, 10), None, dt.date(2012, 2, 29)]),
            "n": pa.array([1, None, -3], pa.int64()),
        }
    )
    io.write_table(table, tmp_path / "t.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[0] == ["名称", "kw", "day", "n"]
    assert rows[1] == ["上海电机", 15.0, dt.date(2013, 5, 10), 1.0]
    assert rows[2] == ["", "", "", ""]
    assert rows[3] == ["'+cmd|' /C calc'!A0", -2.5, dt.date(2012, 2, 29), -3.0]
    back = io.read_table(tmp_path / "t.xlsx")
    assert back.column("day").to_pylist() == ["2013-05-10", None, "2012-02-29"]
    assert back.column("kw").to_pylist() == ["15", None, "-2.5"]


def test_a_sheet_by_name(tmp_path):
    book = tmp_path / "two.xlsx"
    _workbook(book, LEDGER[:2], sheets=("说明", "销售"))
    res = invoke("compute", book, "--sheet", "销售", "-o", tmp_path / "o.csv", "-q")
    assert res.exit_code == 0, res.output
    res = invoke("compute", book, "--sheet", "无此表", "-o", tmp_path / "o.csv", "-q")
    assert res.exit_code == 2
    assert "no sheet named '无此表'; the workbook has '说明', '销售'" in res.output


def test_more_rows_than_a_sheet_holds_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)  # a header and 3 rows
    lines = "\n".join(f"r{i},2010-09-01,CN-JS,lv_async,15,2" for i in range(4))
    (tmp_path / "in.csv").write_text("record_id,sale_date,region,motor_type,kw,grade\n" + lines)
    res = invoke("compute", tmp_path / "in.csv", "-o", tmp_path / "out.xlsx", "-q")
    assert res.exit_code == 2
    assert "4 rows do not fit in an Excel sheet (at most 3 rows under the header)" in res.output
    assert ".csv or .parquet" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    with pytest.raises(InputError, match="do not fit"):
        io.write_table(pa.table({"a": [1, 2, 3, 4]}), tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


# ------------------------------------------------------------------------------------
# no cell runs as a formula

LEADING = ["=1+2|cmd", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tx", "\rx"]


def _read_back(path: Path) -> list[list]:
    if path.suffix == ".xlsx":
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("how", ["write", "sink"])
def test_every_writer_neutralises_each_leading_character(tmp_path, suffix, how):
    table = pa.table(
        {
            "text": [*LEADING, "ok", "a=b"],
            "coded": pa.array([*LEADING, "ok", "a=b"]).dictionary_encode(),
            "number": pa.array([-1.5] * 8),
        }
    )
    path = tmp_path / f"t{suffix}"
    if how == "write":
        io.write_table(table, path)
    else:
        writer = io.batch_writer(path)
        writer.write(table.slice(0, 4))
        writer.write(table.slice(4))
        writer.commit()
    rows = _read_back(path)[1:]
    expected = [*("'" + v for v in LEADING), "ok", "a=b"]
    assert [r[0] for r in rows] == expected
    assert [r[1] for r in rows] == expected
    assert [float(r[2]) for r in rows] == [-1.5] * 8  # numbers stay numbers
    if suffix == ".xlsx":
        assert all(isinstance(r[2], float) for r in rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_results_and_rejects_of_compute_are_formula_safe(tmp_path, suffix):
    lines = [
        "record_id,sale_date,region,motor_type,kw,grade,manufacturer",
        "a,2010-09-01,CN-JS,lv_async,15,2,=1+2|cmd",
        '@b,2010-09-01,CN-JS,lv_async,-15,2,=HYPERLINK("http://x")',
    ]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    compute_file(tmp_path / "in.csv", tmp_path / f"out{suffix}")
    out = _read_back(tmp_path / f"out{suffix}")
    assert dict(zip(out[0], out[1]))["manufacturer"] == "'=1+2|cmd"
    rej = _read_back(tmp_path / "out.rejects.csv")
    rejected = dict(zip(rej[0], rej[1]))
    assert rejected["record_id"] == "'@b" and rejected["kw"] == "'-15"
    assert rejected["manufacturer"] == '\'=HYPERLINK("http://x")'


def test_markdown_report_escapes_html_in_user_text():
    from motorsub.render.audit import markdown

    md = markdown([("table", ("claimant", "lines"), [("<img src=x onerror=alert(1)>", "1")], {1})])
    assert "<img" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md


# ------------------------------------------------------------------------------------
# Chinese words


def test_quote_in_chinese():
    res = invoke(
        "quote", "--motor-type", "lv_async", "--kw", "15", "--grade", "2", "--region", "CN-JS",
        "--date", "2010-09-01", "--lang", "zh",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "lv_async 15 kW，2 级，新电机，数量 1；CN-JS，销售日期 2010-09-01"
    assert lines[2].split() == [
        "补贴项", "政策", "/", "版本", "领取方", "元/kW", "依据", "计补功率kW", "台数", "金额(元)"
    ]  # fmt: skip
    assert lines[3].split()[-1] == "525.00"
    assert lines[6].startswith("合计 ") and lines[6].endswith(" 525.00")
    # no hours or load given: the heading says the load is unknown (efficiencies at rating)
    assert "节能量（负载率未知，效率按额定负载）：" in lines
    assert "依据来源：" in lines
    # columns line up in a terminal: a Chinese character takes two columns
    from motorsub.render.table import width

    assert width(lines[2]) >= width(lines[3])


def test_quote_in_english_is_unchanged():
    res = invoke(
        "quote", "--motor-type", "lv_async", "--kw", "15", "--grade", "2", "--region", "CN-JS",
        "--date", "2010-09-01", "--lang", "en",
    )  # fmt: skip
    lines = res.output.splitlines()
    assert lines[0] == "lv_async 15 kW, grade 2, new, qty 1; CN-JS, sold 2010-09-01"
    assert lines[6].startswith("total ") and lines[6].endswith(" 525.00")


def test_compute_summary_and_errors_in_chinese(tmp_path):
    (tmp_path / "in.csv").write_text(
        "编号,销售日期,地区,电机类型,额定功率,能效等级\n"
        "a,2010-09-01,江苏,低压异步,15,2\nb,2010-09-01,江苏,低压异步,,2\n",
        encoding="utf-8",
    )
    res = invoke("compute", tmp_path / "in.csv", "-o", tmp_path / "out.csv", "-q", "--lang", "zh")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "读取 2 行 = 计算 1 行 + 拒绝 1 行"
    assert lines[2].split() == ["地区", "行数", "national", "sh_buyback", "sh_reman", "合计"]
    assert lines[3].split() == ["CN-JS", "1", "525.00", "0.00", "0.00", "525.00"]
    assert "按领取方：manufacturer 525.00, remanufacturer 0.00, recycler 0.00" in lines
    assert "按资金来源：central 525.00, local 0.00" in lines
    assert [ln.split() for ln in lines if ln.startswith("MISSING_KW")] == [["MISSING_KW", "1"]]
    assert any(ln.split() == ["拒绝原因", "行数"] for ln in lines)
    assert f"输出：{tmp_path / 'out.csv'}" in lines
    (tmp_path / "no.csv").write_text("编号,地区\na,上海\n", encoding="utf-8")
    res = invoke("compute", tmp_path / "no.csv", "-o", tmp_path / "o.csv", "-q", "--lang", "zh")
    assert res.exit_code == 2
    assert (
        f"{tmp_path / 'no.csv'}：缺少必需的列 sale_date, motor_type, kw；必需：record_id, "
        "sale_date, region, motor_type, kw（现有：record_id, region）"
    ) in res.output


def test_chinese_headers_of_input_columns_read_back_as_those_columns():
    names = [*records.COLUMNS, *records.PASSTHROUGH]
    zh = columns.header_names(names, "zh")
    assert all(h != n for h, n in zip(zh, names)), "every input column has a Chinese header"
    assert [aliases.packaged().column(h) for h in zh] == names
    assert columns.header_names(["record_id", "subsidy_national", "备注"], "zh") == [
        "编号", "补贴 national(元)", "备注"
    ]  # fmt: skip
    assert columns.header_names(["record_id"], "id") == ["record_id"]


def test_chinese_headers_are_unique_over_an_output():
    from motorsub.model.profile import settings
    from motorsub.model.schemes import load_schemes

    names = columns.output_names(load_schemes(), settings(life_years=15, tariff=0.8))
    every = list(dict.fromkeys([*names, *columns.REJECTS_LEAD, *records.COLUMNS]))
    zh = columns.header_names(every, "zh")
    assert len(set(zh)) == len(zh)
    assert np.all([isinstance(h, str) and h for h in zh])


# ------------------------------------------------------------------------------------
# the audit and the projection read and write workbooks

AUDIT = ROOT / "examples" / "audit"
#: How an office heads the audit's files (spellings of motorsub/data/aliases.csv).
ZH_HEADINGS = {
    "record_id": "编号", "batch_id": "批次号", "claimant": "申报单位", "manufacturer": "生产企业",
    "model": "型号", "serial": "出厂编号", "invoice_no": "发票号码", "invoice_date": "开票日期",
    "contract_no": "合同编号", "sale_date": "销售日期", "region": "地区", "motor_type": "电机类型",
    "kw": "额定功率(kW)", "qty": "数量", "grade": "能效等级", "kind": "类别",
    "trade_in": "以旧换新",
    "old_kw": "旧电机功率(kW)", "old_qty": "旧电机数量", "old_equipment_id": "旧设备编号",
    "listed_from": "列入日期", "delisted_from": "移出日期", "equipment_id": "设备编号",
    "buyback_date": "回收日期", "new_serial": "新电机出厂编号", "year": "年度",
    "quota_kw": "推广配额(kW)",
}  # fmt: skip
ZH_CODES = {
    "motor_type": {"lv_async": "低压三相异步电动机", "hv_async": "高压三相异步电动机",
                   "pm_sync": "稀土永磁同步电动机"},
    "kind": {"new": "新品", "reman": "再制造"},
    "trade_in": {"true": "是", "false": "否"},
    "region": {"CN-SH": "上海市", "CN-ZJ": "浙江", "CN-JS": "江苏省"},
}  # fmt: skip


def _as_office_workbook(src: Path, dest: Path) -> None:
    """``src`` (CSV) as an office's workbook: Chinese headings and codes, dates as dates."""
    with src.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    names = list(rows[0])
    out = [[ZH_HEADINGS.get(n, n) for n in names]]
    for r in rows:
        line = []
        for n in names:
            v = ZH_CODES.get(n, {}).get(r[n], r[n])
            if n.endswith("date") or n in ("listed_from", "delisted_from"):
                v = dt.date.fromisoformat(v) if v else None
            line.append(v if v != "" else None)
        out.append(line)
    _workbook(dest, out)


def test_the_audit_reads_an_office_workbook_as_the_csv(tmp_path):
    from motorsub.audit import audit_files

    names = ("batch1", "catalogue", "buybacks", "quotas")
    for name in names:
        _as_office_workbook(AUDIT / f"{name}.csv", tmp_path / f"{name}.xlsx")
    results = {}
    for suffix, folder in ((".csv", AUDIT), (".xlsx", tmp_path)):
        out = tmp_path / f"findings{suffix}"
        files = [folder / f"{n}{suffix}" for n in names]
        results[suffix] = audit_files(
            files[0], out, catalogue=files[1], buybacks=files[2], quotas=files[3]
        )
    paths = ("inputs", "outputs", "files")
    assert {k: v for k, v in results[".csv"].items() if k not in paths} == {
        k: v for k, v in results[".xlsx"].items() if k not in paths
    }
    csv_rows = _read_back(tmp_path / "findings.csv")
    xlsx_rows = _read_back(tmp_path / "findings.xlsx")
    assert len(csv_rows) == len(xlsx_rows) > 1


def test_project_writes_a_workbook(tmp_path):
    res = invoke(
        "project",
        ROOT / "examples" / "plans" / "shanghai-2011-2012.toml",
        "-o",
        tmp_path / "p.xlsx",
    )
    assert res.exit_code == 0, res.output
    rows = _read_back(tmp_path / "p.xlsx")
    years = [r[0] for r in rows[1:]]
    assert rows[0][0] == "year" and years[0] == 2011.0  # numbers, not text
    assert years == [2011.0 + i for i in range(len(years))]


def test_a_broken_workbook_and_a_sheet_of_a_csv_are_clear_errors(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK not really a workbook")
    res = invoke("compute", tmp_path / "broken.xlsx", "-o", tmp_path / "o.csv", "-q")
    assert res.exit_code == 2
    assert f"{tmp_path / 'broken.xlsx'}: not a readable .xlsx workbook" in res.output
    (tmp_path / "in.csv").write_text("record_id,sale_date,region,motor_type,kw\n")
    res = invoke("compute", tmp_path / "in.csv", "--sheet", "x", "-o", tmp_path / "o.csv", "-q")
    assert res.exit_code == 2
    assert "--sheet is for an .xlsx workbook, not a csv" in res.output
    assert "Traceback" not in res.output
