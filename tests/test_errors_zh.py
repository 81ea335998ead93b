"""Errors in Chinese under ``--lang zh``: click's usage errors, the readers' messages, the
``--strict`` details, scheme files. The expected words are written by hand here."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from motorsub import i18n, io
from motorsub.cli.main import main
from motorsub.errors import InputError, SchemeError
from motorsub.model.schemes import load_scheme

BROKEN = Path(__file__).parent / "schemes" / "broken"
HEADER = "record_id,sale_date,region,motor_type,kw,qty,grade,kind"
GOOD = "H1,2010-09-01,CN-JS,lv_async,15,1,2,new"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="motorsub")


# ---------------------------------------------------------------------------------------
# click's usage errors


@pytest.mark.parametrize(
    "args",
    [("compute", "--lang", "zh", "--bogus"), ("compute", "--bogus", "--lang", "zh")],
)
def test_no_such_option_in_chinese(args):
    res = run(*args)
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert lines[0] == "用法：motorsub compute [OPTIONS] INPUT..."
    assert lines[-1].startswith("错误：没有选项 --bogus")
    assert "No such option" not in res.stderr


def test_missing_argument_and_option_in_chinese(tmp_path):
    res = run("compute", "--lang", "zh")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1] == "错误：缺少参数 INPUT..."
    res = run("compute", tmp_path / "in.csv", "--lang", "zh")
    assert res.stderr.splitlines()[-1] == "错误：缺少选项 -o / --output"


def test_invalid_choice_and_number_in_chinese():
    res = run("quote", "--lang", "zh", "--motor-type", "xx", "--kw", "3")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1] == (
        "错误：--motor-type：'xx' 不是以下之一：lv_async, hv_async, pm_sync"
    )
    res = run("project", "plan.toml", "--samples", "-3", "--lang=zh")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1] == "错误：--samples：'-3' 不是 0 至 1000000 之间的数"


def test_no_such_command_in_chinese():
    res = run("bogus", "--lang", "zh")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1].startswith(
        "错误：没有命令 'bogus'；可用命令：audit, compute"
    )


def test_usage_errors_stay_clicks_own_in_english():
    res = run("compute", "--bogus", "--lang", "en")
    assert res.exit_code == 2
    assert "Error: No such option" in res.stderr


# ---------------------------------------------------------------------------------------
# reading input


def test_unknown_encoding_in_chinese(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    res = run("compute", src, "-o", tmp_path / "out.csv", "--encoding", "nope", "--lang", "zh")
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "motorsub：错误：--encoding 'nope'：未知的文本编码；例如 utf-8、gb18030、utf-16、latin-1"
    )


def test_bytes_that_are_not_utf8_in_chinese(tmp_path):
    src = tmp_path / "in.csv"
    # the header (59 bytes and its line break) reads as UTF-8; byte 0xff in line 2 does not
    src.write_bytes(f"{HEADER}\n".encode() + b"H1\xff,2010-09-01\n")
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        io.read_table(src, encoding="utf-8")
    offset = len(HEADER) + 1 + 2
    assert str(err.value) == (
        f"{src}：第 2 行，字节偏移 {offset}：字节 ff 不是 UTF-8，而文件在此之前按 UTF-8 可读；"
        "请将文件另存为 UTF-8（Excel 中的“CSV UTF-8”），或用 --encoding 给出其编码"
    )


def test_wrong_field_count_in_chinese(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(f"{HEADER}\n{GOOD}\nH2,2010-09-01\n", encoding="utf-8")
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        io.read_table(src)
    assert str(err.value) == (
        f"{src}：第 3 行：此行有 2 个值，而表头有 8 列（'H2,2010-09-01'）；含逗号的值请加引号"
    )


def test_missing_sheet_in_chinese(tmp_path):
    import pyarrow as pa

    book = tmp_path / "in.xlsx"
    io.write_table(pa.table({"a": ["1"]}), book)
    with i18n.speaking("zh"), pytest.raises(InputError) as err:
        io.read_table(book, sheet="销售")
    assert str(err.value).startswith(f"{book}：没有名为 '销售' 的工作表；工作簿中有 ")


def test_strict_details_in_chinese(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(f"{HEADER}\n{GOOD}\nH2,2010-09-01,CN-JS,lv_async,-1,1,2,new\n", "utf-8")
    res = run("compute", src, "-o", tmp_path / "out.csv", "--strict", "-q", "--lang", "zh")
    assert res.exit_code == 4
    lines = res.stderr.splitlines()
    assert lines[0] == f"motorsub：错误：{src}：在 --strict 下有行被拒收，例如："
    assert lines[1] == "  第 3 行，kw 列：'-1'（BAD_KW）"


# ---------------------------------------------------------------------------------------
# scheme and plan files

PLANS = Path(__file__).parent / "plan" / "broken"


@pytest.mark.parametrize(
    "folder, name, key, text",
    [
        (BROKEN, "unknown_key", "versions[0].rates[0].rate", "不是此文件的键（拼写有误？）"),
        (BROKEN, "missing_source", "versions[0].rates[0].source", "必填，但缺少"),
        (BROKEN, "negative_rate", "versions[0].rates[0].cny_per_kw", "必须不小于 0"),
        (BROKEN, "bad_grade", "components[0].eligibility.scope[0].worst_grade", "必须不大于 3"),
        (BROKEN, "bad_status", "versions[1].status",
         "必须是以下之一：'official', 'reported', 'inferred'"),
        (BROKEN, "malformed_band", "versions[0].rates[0].kw", "'0.55 to 22' 不是区间"),
        (BROKEN, "until_before_from", "versions[0].until", "2019-12-31 早于 from = 2020-01-01"),
        (BROKEN, "overlapping_bands", "versions[0].rates[1].kw",
         "功率段 [20, 315] 与 rates[0] 的 [0.55, 22] 重叠"),
        (BROKEN, "reserved_component_id", "components[0].id",
         "'total' 为保留名：subsidy_total 是所有组成部分之和"),
        (PLANS, "shares_not_summing_to_one", "mix.lines", "份额合计为 0.9，而不是 1"),
        (PLANS, "years_gap", "promotion.years[1].year", "2020 与 2022 之间有空档"),
        (PLANS, "total_mismatch", "promotion.total.kw", "各年合计 300 kW，而非总量 400 kW"),
        (PLANS, "kw_outside_band", "mix.lines[0].kw", "30 kW 超出该行的功率段 [0.55, 22]"),
        (PLANS, "missing_source", "promotion.years[0].source", "必填，但缺少"),
    ],
)  # fmt: skip
def test_scheme_and_plan_errors_in_chinese(folder, name, key, text):
    from motorsub.plan import load_plan

    path = folder / f"{name}.toml"
    scheme = folder == BROKEN
    load, heading = (load_scheme, "补贴方案无效") if scheme else (load_plan, "推广计划无效")
    with i18n.speaking("zh"), pytest.raises(SchemeError) as err:  # a PlanError is one too
        load(path)
    lines = str(err.value).splitlines()
    assert lines[0] == heading
    assert any(line.strip().startswith(f"{path}: {key}: {text}") for line in lines[1:]), lines


def test_schemes_validate_in_chinese():
    path = BROKEN / "unknown_region.toml"
    res = run("schemes", "validate", path, "--lang", "zh")
    assert res.exit_code == 3
    assert res.stderr.splitlines()[0] == "motorsub：错误：补贴方案无效"
    assert (
        f"{path}: components[0].eligibility.regions: "
        "未知地区 'CN-XX'（应为 ISO 3166-2 代码，如 'CN-SH'）" in res.stderr
    )
    ok = run("schemes", "validate", BROKEN.parent / "valid_minimal.toml", "--lang", "zh")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("通过  ")


def test_a_quote_that_cannot_be_priced_says_every_problem_in_chinese():
    res = run(
        "quote", "--lang", "zh", "--motor-type", "lv_async", "--kw", "11", "--region", "CN-SH",
        "--date", "2013-13-01",
    )  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        "motorsub：错误：报价：这笔交易无法计价：",
        "  低压异步电动机（lv_async）必须填写 --grade（MISSING_GRADE）",
        "  --date '2013-13-01' 无法接受（BAD_SALE_DATE）",
    ]
    english = run(
        "quote", "--motor-type", "lv_async", "--kw", "11", "--region", "CN-SH",
        "--date", "2013-13-01",
    )  # fmt: skip
    assert "--grade is required for lv_async (MISSING_GRADE)" in english.stderr


EXAMPLE = Path(__file__).parents[1] / "examples" / "records.csv"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Error: -out: with one dash this reads as -o ut; write --output (two dashes), "
               "or -o and its value"),
        ("zh", "错误：-out：只有一个短横线时读作 -o ut；"
               "请写 --output（两个短横线），或写 -o 加它的值"),
    ],
)  # fmt: skip
def test_a_long_option_with_one_dash_is_named_not_misread(tmp_path, monkeypatch, lang, expected):
    """``-out x.csv`` is read by click as ``-o ut`` and a second input; it is refused with
    what to write instead, before anything is read or written."""
    monkeypatch.chdir(tmp_path)
    res = run("compute", EXAMPLE, "-out", "x.csv", "--lang", lang)
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    usage = "Usage: " if lang == "en" else "用法："
    assert lines[0] == usage + "motorsub compute [OPTIONS] INPUT..."
    assert lines[-1] == expected
    assert list(tmp_path.iterdir()) == []  # no file "ut", no x.csv


def test_a_short_option_with_its_value_glued_on_still_works(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("compute", EXAMPLE, "-oresults.csv")
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "results.csv").read_text(encoding="utf-8-sig").startswith('"record_id",')
