"""The cases the hostile-input issue names, one by one, with results worked out by hand."""

from __future__ import annotations

import csv
import io

from hostile_helpers import AUDIT, GOOD, HEADER, PLANS, compute, csv_text, good_csv, invoke

from motorsub.io import csv as csv_format


def _rejects(tmp) -> list[dict]:
    with open(tmp / "out.rejects.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _output(tmp) -> list[dict]:
    with open(tmp / "out.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_latin1_text_is_an_error_naming_line_and_byte_not_garbage(tmp_path):
    data = good_csv(2) + "r9,2010-09-01,CN-JS,lv_async,15,2,Müller\n".encode("latin-1")
    result, _ = compute(tmp_path, data)
    assert result.exit_code == 2
    offset = len(good_csv(2)) + len("r9,2010-09-01,CN-JS,lv_async,15,2,M")
    assert f"in.csv: line 4, byte offset {offset}: bytes fc are not UTF-8" in result.stderr
    assert "nor common Chinese text in GB18030" in result.stderr


def test_utf8_and_gbk_lines_mixed_are_an_error(tmp_path):
    first = csv_text([GOOD]).encode("gbk")  # a GBK file ...
    second = "r2,2010-09-01,CN-JS,lv_async,15,2,上海电机厂\n".encode()  # ... with a UTF-8 line
    result, _ = compute(tmp_path, first + second)
    assert result.exit_code == 2
    assert "in.csv: line 3, byte offset" in result.stderr
    assert "mix" in result.stderr


def test_gbk_file_reads_exactly(tmp_path):
    result, _s = compute(tmp_path, csv_text([GOOD]).encode("gbk"))
    assert result.exit_code == 0
    assert _output(tmp_path)[0]["manufacturer"] == "上海电机厂"


def test_random_bytes_give_line_and_offset(tmp_path):
    result, _ = compute(tmp_path, good_csv(1) + b"\x81\x20\xff\n")
    assert result.exit_code == 2
    assert "line 3, byte offset" in result.stderr


def test_excel_unicode_text_utf16_tab_separated_is_read(tmp_path):
    data = csv_text([GOOD, ("r2", *GOOD[1:])], sep="\t").encode("utf-16")
    assert data[:2] == b"\xff\xfe"
    result, _s = compute(tmp_path, data, "in.txt")
    assert result.exit_code == 0
    out = _output(tmp_path)
    assert [r["manufacturer"] for r in out] == ["上海电机厂", "上海电机厂"]
    assert float(out[0]["subsidy_national"]) == 525.0  # 35 CNY/kW (2010, grade 2) × 15 kW


def test_unknown_encoding_is_a_usage_error(tmp_path):
    result, _ = compute(tmp_path, good_csv(1), "in.csv", "--encoding", "foo")
    assert result.exit_code == 2
    assert "--encoding 'foo': unknown text encoding" in result.stderr
    result, _ = compute(tmp_path, good_csv(1), "in.csv", "--encoding", "base64")
    assert result.exit_code == 2


def test_blank_lines_are_counted_and_rows_keep_their_spreadsheet_numbers(tmp_path):
    lines = good_csv(2).decode().splitlines()  # header (row 1), r0 (row 2), r1 (row 3)
    lines[2:2] = ["", ",,,,,,"]  # rows 3 and 4 are empty: r1 is now row 5
    lines.append("r9,2010-09-01,CN-JS,lv_async,-15,2,x")  # row 6
    result, s = compute(tmp_path, ("\n".join(lines) + "\n").encode())
    assert s["rows"] == {"read": 5, "computed": 2, "rejected": 1, "blank": 2, "reconciles": True}
    (reject,) = _rejects(tmp_path)
    assert reject["source_row"] == "6"
    assert reject["message"] == "kw: '-15' is not a positive number"
    assert "blank lines skipped 2" in result.stdout


def test_an_extra_comma_is_a_bad_line_with_its_text_and_the_run_goes_on(tmp_path):
    data = good_csv(2) + b"r9,2010-09-01,CN-JS,lv_async,1,5,2,x\n" + good_csv(3)[len(good_csv(0)) :]
    _result, s = compute(tmp_path, data)
    assert s["rows"] == {"read": 6, "computed": 5, "rejected": 1, "blank": 0, "reconciles": True}
    (reject,) = _rejects(tmp_path)
    assert reject["source_row"] == "4" and reject["reasons"] == "BAD_LINE"
    assert reject["raw_line"] == "r9,2010-09-01,CN-JS,lv_async,1,5,2,x"
    assert reject["message"].startswith("8 values where the header has 7 columns")


def test_a_bad_line_under_strict_is_exit_4_naming_the_row(tmp_path):
    data = good_csv(1) + b"r9,2010-09-01,CN-JS,lv_async,1,5,2,x\n"
    result, _ = compute(tmp_path, data, "in.csv", "--strict")
    assert result.exit_code == 4
    assert "row 3: 8 values where the header has 7 columns (BAD_LINE)" in result.stderr


def test_efficiency_as_a_fraction_is_rejected_asking_for_percent(tmp_path):
    header = (*HEADER, "efficiency", "load", "hours")
    rows = [
        (*GOOD[:-1], "a", "0.925", "0.75", "4000"),
        (*GOOD[:-1], "b", "92.5%", "75%", "4000"),
        (*GOOD[:-1], "c", "92.5", "0.75", "4000"),
    ]
    _result, _s = compute(tmp_path, csv_text(rows, header).encode())
    (reject,) = _rejects(tmp_path)
    assert reject["manufacturer"] == "a" and reject["reasons"] == "BAD_EFFICIENCY"
    assert "give efficiency in percent" in reject["message"]
    b, c = _output(tmp_path)
    assert b["eta_new"] == c["eta_new"] == "92.5"
    assert b["kwh_per_year"] == c["kwh_per_year"]  # 75% is 0.75


def test_messages_follow_lang(tmp_path):
    rows = [(*GOOD[:4], "-15", *GOOD[5:])]
    _result, _ = compute(tmp_path, csv_text(rows).encode(), "in.csv", "--lang", "zh")
    (reject,) = _rejects(tmp_path)
    assert reject["message"] == "kw: '-15' 不是正数"


def test_outputs_never_overwrite_an_input_or_each_other(tmp_path):
    src = tmp_path / "same.csv"
    src.write_bytes(good_csv(2))
    before = src.read_bytes()
    for extra in (
        ("-o", src),
        ("-o", tmp_path / "o.csv", "--rejects", src),
        ("-o", tmp_path / "o.csv", "--summary", tmp_path / "sub" / ".." / "same.csv"),
        ("-o", tmp_path / "o.csv", "--rejects", tmp_path / "o.csv"),
    ):
        result = invoke("compute", src, *extra)
        assert result.exit_code == 2, extra
        assert "motorsub never writes over an input" in result.stderr
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.csv"]
    claims = tmp_path / "claims.csv"
    claims.write_bytes((AUDIT / "batch1.csv").read_bytes())
    result = invoke("audit", claims, "--catalogue", AUDIT / "catalogue.csv", "-o", claims)
    assert result.exit_code == 2 and claims.read_bytes() == (AUDIT / "batch1.csv").read_bytes()
    plan = tmp_path / "plan.toml"
    plan.write_bytes((PLANS / "shanghai-12th-fyp.toml").read_bytes())
    result = invoke("project", plan, "--plot", tmp_path / "p.png", "-o", tmp_path / "p.png")
    assert result.exit_code == 2


def test_row_numbers_count_the_lines_set_aside_before_them():
    import numpy as np

    # lines 4 and 5 set aside: kept rows 0..3 are lines 2, 3, 6, 7
    got = csv_format.row_numbers(0, 4, np.array([4, 5]))
    assert got.tolist() == [2, 3, 6, 7]
    assert csv_format.row_numbers(2, 2, np.array([4, 5])).tolist() == [6, 7]


def test_sniffing(tmp_path):
    for data, expected in (
        (b"\xef\xbb\xbfa,b\n", "utf-8"),
        ("a\tb\n".encode("utf-16"), "utf-16"),
        ("上海".encode("gbk"), "gb18030"),
        (b"\x80", "gb18030"),
        ("上海".encode(), "utf-8"),
    ):
        (tmp_path / "x.csv").write_bytes(data)
        assert csv_format.sniff_encoding(tmp_path / "x.csv") == expected, data


def test_header_of_a_tab_separated_file(tmp_path):
    (tmp_path / "x.txt").write_text("a\tb,c\td\n1\t2\t3\n", encoding="utf-8")
    assert csv_format.header(tmp_path / "x.txt", "utf-8") == ["a", "b,c", "d"]
    assert list(csv.reader(io.StringIO("a,b"))) == [["a", "b"]]
