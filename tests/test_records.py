"""Bad input: every row-level reason, accepted spellings, encodings, and nothing lost."""

import csv
import io as stdio

import numpy as np
import pyarrow as pa
import pytest

from motorsub.backends.local import compute_file
from motorsub.engine import records
from motorsub.engine.batch import run
from motorsub.errors import InputError, RejectedRowsError

GOOD = {
    "record_id": "r1",
    "sale_date": "2010-09-01",
    "region": "CN-JS",
    "motor_type": "lv_async",
    "kw": "15",
    "grade": "2",
}


def _table(rows: list[dict]) -> pa.Table:
    names = sorted({k for r in rows for k in r}, key=lambda k: (k not in GOOD, k))
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


def _problems(**changes) -> list[str]:
    row = {**GOOD, **changes}
    recs = records.validate(_table([row]))
    return records.problem_names(recs.reject[0])


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"record_id": ""}, ["MISSING_RECORD_ID"]),
        ({"sale_date": None}, ["MISSING_SALE_DATE"]),
        ({"sale_date": "2010-13-01"}, ["BAD_SALE_DATE"]),
        ({"sale_date": "01/09/2010"}, ["BAD_SALE_DATE"]),
        ({"sale_date": "yesterday"}, ["BAD_SALE_DATE"]),
        ({"sale_date": "2012-02-30"}, ["BAD_SALE_DATE"]),  # no such day: not rolled over
        ({"sale_date": "2011-02-29"}, ["BAD_SALE_DATE"]),
        ({"region": ""}, ["MISSING_REGION"]),
        ({"region": "Shanghai"}, ["BAD_REGION"]),
        ({"motor_type": None}, ["MISSING_MOTOR_TYPE"]),
        ({"motor_type": "dc"}, ["BAD_MOTOR_TYPE"]),
        ({"kw": ""}, ["MISSING_KW"]),
        ({"kw": "abc"}, ["BAD_KW"]),
        ({"kw": "15 kW"}, ["BAD_KW"]),
        ({"kw": "0"}, ["BAD_KW"]),
        ({"kw": "-7.5"}, ["BAD_KW"]),
        ({"kw": "250000.001"}, ["BAD_KW"]),  # 10 x 25,000 kW, the largest scope (hv_async)
        ({"kw": "nan"}, ["BAD_KW"]),
        ({"qty": "0"}, ["BAD_QTY"]),
        ({"qty": "1.5"}, ["BAD_QTY"]),
        ({"qty": "two"}, ["BAD_QTY"]),
        ({"grade": ""}, ["MISSING_GRADE"]),
        ({"grade": "4"}, ["BAD_GRADE"]),
        ({"grade": "0"}, ["BAD_GRADE"]),
        ({"poles": "3"}, ["BAD_POLES"]),
        ({"speed_rpm": "-1450"}, ["BAD_SPEED_RPM"]),
        ({"efficiency": "0"}, ["BAD_EFFICIENCY"]),
        ({"efficiency": "100.1"}, ["BAD_EFFICIENCY"]),
        ({"kind": "used"}, ["BAD_KIND"]),
        ({"trade_in": "maybe"}, ["BAD_TRADE_IN"]),
        ({"trade_in": "yes"}, ["MISSING_OLD_KW"]),
        ({"trade_in": "yes", "old_kw": "0"}, ["BAD_OLD_KW"]),
        ({"old_qty": "0"}, ["BAD_OLD_QTY"]),
        ({"old_efficiency": "101"}, ["BAD_OLD_EFFICIENCY"]),
        ({"old_poles": "5"}, ["BAD_OLD_POLES"]),
        ({"hours": "8785"}, ["BAD_HOURS"]),
        ({"hours": "-1"}, ["BAD_HOURS"]),
        ({"load": "1.51"}, ["BAD_LOAD"]),
        ({"load": "151%"}, ["BAD_LOAD"]),
        ({"efficiency": "100"}, ["BAD_EFFICIENCY"]),  # no motor reaches 100 %
        ({"efficiency": "39.9"}, ["BAD_EFFICIENCY"]),
        ({"efficiency": "0.925"}, ["BAD_EFFICIENCY"]),  # a fraction, not a percentage
        ({"old_efficiency": "0.876"}, ["BAD_OLD_EFFICIENCY"]),
        ({"efficiency": "%"}, ["BAD_EFFICIENCY"]),
        ({"kw": "15%"}, ["BAD_KW"]),
        ({"kw": "-0"}, ["BAD_KW"]),
        ({"kw": "1e-400"}, ["BAD_KW"]),  # reads as 0
        ({"kw": "1e308"}, ["BAD_KW"]),
        ({"load": "-0.1"}, ["BAD_LOAD"]),
        ({"price": "-1"}, ["BAD_PRICE"]),
        ({"kw": "x", "region": "", "grade": "9"}, ["MISSING_REGION", "BAD_KW", "BAD_GRADE"]),
    ],
)
def test_row_reasons(changes, expected):
    assert sorted(_problems(**changes)) == sorted(expected)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"sale_date": "2010/09/01"},
        {"sale_date": "2012-02-29"},
        {"sale_date": "2010/9/1"},
        {"region": " cn-js "},
        {"motor_type": "LV_ASYNC"},
        {"motor_type": "hv_async", "grade": "", "kw": "400"},  # grade only for lv_async
        {"trade_in": "是", "old_kw": "15"},
        {"trade_in": "否"},
        {"trade_in": "Y", "old_kw": "15"},
        {"trade_in": "0"},
        {"trade_in": "TRUE", "old_kw": "7.5", "old_qty": "2"},
        {"kw": "1.5e1"},
        {"hours": "8784", "load": "1.5", "efficiency": "99.99"},
        {"kw": "250000", "motor_type": "hv_async", "grade": ""},
        {"efficiency": "40", "old_efficiency": "40%"},
        {"load": "75%", "efficiency": "92.5 %"},
        {"hours": "0", "load": "0"},
        {"poles": "8", "old_poles": "2", "qty": "3.0"},
    ],
)
def test_accepted_spellings(changes):
    assert _problems(**changes) == []


def test_missing_required_column_names_file_and_column():
    table = _table([GOOD]).drop(["kw"])
    with pytest.raises(InputError, match=r"records.csv: missing required column kw") as info:
        records.validate(table, "records.csv")
    assert info.value.exit_code == 2


def _write_csv(path, rows, encoding="utf-8"):
    out = stdio.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def test_rejects_file_keeps_row_number_values_and_reasons(tmp_path):
    rows = [
        GOOD,
        {**GOOD, "record_id": "r2", "kw": "fifteen", "region": "XX"},
        {**GOOD, "record_id": "r3"},
    ]
    _write_csv(tmp_path / "in.csv", rows)
    summary = compute_file(tmp_path / "in.csv", tmp_path / "out.csv")
    assert summary["rows"] == {
        "read": 3,
        "computed": 2,
        "rejected": 1,
        "blank": 0,
        "reconciles": True,
    }
    with open(tmp_path / "out.rejects.csv", encoding="utf-8-sig") as f:
        rej = list(csv.DictReader(f))
    assert rej == [
        {
            "source_row": "3",
            "reasons": "BAD_REGION;BAD_KW",
            "message": "region: 'XX' is not a province code such as CN-SH or CN-JS; "
            "kw: 'fifteen' is not a positive number",
            "raw_line": "",
            "record_id": "r2",
            "sale_date": "2010-09-01",
            "region": "XX",
            "motor_type": "lv_async",
            "kw": "fifteen",
            "grade": "2",
        }
    ]
    with open(tmp_path / "out.csv", encoding="utf-8-sig") as f:
        assert [r["record_id"] for r in csv.DictReader(f)] == ["r1", "r3"]


def test_strict_names_file_row_column_and_writes_nothing(tmp_path):
    rows = [GOOD, {**GOOD, "kw": "abc"}]
    _write_csv(tmp_path / "in.csv", rows)
    with pytest.raises(RejectedRowsError) as info:
        compute_file(tmp_path / "in.csv", tmp_path / "out.csv", strict=True)
    assert f"{tmp_path / 'in.csv'}: row(s) rejected under --strict" in str(info.value)
    assert "row 3, column kw: 'abc' (BAD_KW)" in str(info.value)
    assert info.value.exit_code == 4
    assert not (tmp_path / "out.csv").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in.csv"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, encoding):
    rows = [{**GOOD, "manufacturer": "上海电机厂"}]
    _write_csv(tmp_path / "in.csv", rows, encoding)
    compute_file(tmp_path / "in.csv", tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig") as f:
        out = list(csv.DictReader(f))
    assert out[0]["manufacturer"] == "上海电机厂"
    assert float(out[0]["subsidy_national"]) == 525.0  # 35 CNY/kW × 15 kW


def test_forced_wrong_encoding_is_a_clear_error(tmp_path):
    _write_csv(tmp_path / "in.csv", [{**GOOD, "manufacturer": "上海电机厂"}], "gbk")
    with pytest.raises(
        InputError,
        match=r"in\.csv: line 2, byte offset \d+: bytes .* are not UTF-8.*give its --encoding",
    ):
        compute_file(tmp_path / "in.csv", tmp_path / "out.csv", encoding="utf-8")


def test_unknown_formats_and_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"unknown input format '\.ods'"):
        (tmp_path / "in.ods").write_text("x")
        compute_file(tmp_path / "in.ods", tmp_path / "out.csv")
    with pytest.raises(InputError, match=r"unknown output format '\.json'"):
        compute_file(tmp_path / "in.ods", tmp_path / "out.json")
    with pytest.raises(InputError, match="no such file"):
        compute_file(tmp_path / "nope.csv", tmp_path / "out.csv")


def test_parquet_roundtrip_with_typed_columns(tmp_path):
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "record_id": ["a", "b"],
            "sale_date": pa.array([14853, 14853], pa.int32()).cast(pa.date32()),  # 2010-09-01
            "region": ["CN-JS", "CN-JS"],
            "motor_type": ["lv_async", "lv_async"],
            "kw": [15.0, -1.0],
            "grade": [2, 2],
            "trade_in": [False, False],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    summary = compute_file(tmp_path / "in.parquet", tmp_path / "out.parquet")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.column("subsidy_national").to_pylist() == [525.0]
    assert summary["rows"]["rejected"] == 1
    assert summary["rejects"] == {"BAD_KW": 1}


def test_rows_read_equals_computed_plus_rejected_in_summary():
    rows = [GOOD, {**GOOD, "kw": "x"}, {**GOOD, "grade": ""}, {**GOOD, "record_id": "r9"}]
    res = run(_table(rows))
    assert res.summary["rows"] == {
        "read": 4,
        "computed": 2,
        "rejected": 2,
        "blank": 0,
        "reconciles": True,
    }
    assert res.output.num_rows + res.rejects.num_rows == 4


def test_take_returns_the_rows_asked_for_in_their_order():
    """Every row in order gives the columns as they are; any other index, even one as
    long as the batch (reversed, repeated), gives those rows in that order."""
    recs = records.validate(_table([{**GOOD, "kw": kw} for kw in ("11", "400", "7.5")]))
    kw = recs.cols["kw"]
    assert recs.take(np.arange(3))["kw"].tolist() == [11.0, 400.0, 7.5]
    assert recs.take(np.array([2, 1, 0]))["kw"].tolist() == [7.5, 400.0, 11.0]
    assert recs.take(np.array([0, 0, 2]))["kw"].tolist() == [11.0, 11.0, 7.5]
    assert recs.take(np.array([1]))["kw"].tolist() == [400.0]
    assert recs.take(np.arange(3))["kw"] is kw  # every row in order: not copied


def test_utf16_without_a_byte_order_mark_is_refused_with_the_way_out(tmp_path):
    path = tmp_path / "in.csv"
    text = "record_id,sale_date,region,motor_type,kw,grade\nr1,2010-09-01,CN-JS,lv_async,15,2\n"
    path.write_bytes(text.encode("utf-16-le"))
    with pytest.raises(InputError, match=r"in\.csv: line 1, byte offset 1: a NUL byte") as e:
        compute_file(path, tmp_path / "out.csv")
    assert "--encoding utf-16-le" in str(e.value) and e.value.exit_code == 2
    assert not (tmp_path / "out.csv").exists()
    # told the encoding, the same file computes: 15 kW × 35 CNY/kW = 525.00
    summary = compute_file(path, tmp_path / "out.csv", encoding="utf-16-le")
    assert summary["totals_cny"]["total"] == 525.0
