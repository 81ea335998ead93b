"""Random and adversarial files through ``compute``, ``audit``, and the scheme, profile and
plan loaders: every run ends with exit 0, 2, 3 or 4 and a one-line message, never a
traceback; a completed compute has rows read = computed + rejected + blank.

The number of cases each property tries is :data:`EXAMPLES_PER_PROPERTY` (the README's
"Reliability" table counts them)."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile_helpers import (
    AUDIT,
    GOOD,
    HEADER,
    PLANS,
    PROFILE,
    SCHEMES,
    compute,
    csv_text,
    good_csv,
    invoke,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: A message printed as "Exception ignored in ..." is a traceback too.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

EXAMPLES_PER_PROPERTY = 250
fuzz = settings(
    max_examples=EXAMPLES_PER_PROPERTY,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Snippets an office's files (or a broken disk) put into a CSV.
NASTY = [
    b"\x00", b'"', b",", b"\n", b"\r\n", b"\n\n", b"\t", b",,,,,,\n", b"\xff", b"\x8a",
    "Müller".encode("latin-1"), "上海电机".encode("gbk"), "上海电机".encode(),
    b"\xef\xbb\xbf", b"\xff\xfe", b"=cmd|' /C calc'!A0", b"1,5", b'"never closed',
]  # fmt: skip
#: Values that are not what a column expects, or only just are.
VALUES = [
    "", " ", "0000-00-00", "2012-02-30", "2011-02-29", "1e308", "-1e308", "NaN", "nan", "inf",
    "-0", "1e-400", "-5", "0", "0.925", "92.5%", "75%", "%", "=1+1", "@SUM(A1)", "+1", "-1",
    "15 kW", "１５", "是", "true", "CN-SH", "cn-js", "XX", "lv_async", "pm_sync", "reman",
    "x" * 300, "\x00", "1,5", "上海", "2010/9/1", "9999-12-31", "1.5", "8784", "8785",
]  # fmt: skip
COLUMNS = (
    "record_id", "sale_date", "region", "motor_type", "kw", "qty", "grade", "poles",
    "efficiency", "old_efficiency", "trade_in", "old_kw", "hours", "load", "price", "kind",
)  # fmt: skip


@st.composite
def spoiled(draw, base: bytes) -> bytes:
    """``base`` with a few bytes flipped, snippets inserted, a slice cut or the end lost."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "cut", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.slow
@fuzz
@given(data=st.binary(max_size=3000))
def test_random_bytes_through_compute(tmp_path_factory, data):
    compute(tmp_path_factory.mktemp("c"), data)


@pytest.mark.slow
@fuzz
@given(data=spoiled(good_csv(6)))
def test_spoiled_csv_through_compute(tmp_path_factory, data):
    compute(tmp_path_factory.mktemp("c"), data)


@pytest.mark.slow
@fuzz
@given(
    rows=st.lists(
        st.fixed_dictionaries({c: st.sampled_from(VALUES) for c in COLUMNS}), max_size=12
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]),
)
def test_adversarial_values_every_line_accounted_for(tmp_path_factory, rows, encoding):
    sep = "\t" if encoding == "utf-16" else ","
    text = csv_text([[r[c] for c in COLUMNS] for r in rows], COLUMNS, sep)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _result, s = compute(tmp_path_factory.mktemp("v"), data)
    if s is not None:
        assert s["rows"]["read"] == len(rows)
        blank = sum(all(r[c].strip("\x00") == "" and r[c] == "" for c in COLUMNS) for r in rows)
        assert s["rows"]["blank"] == blank


@pytest.mark.slow
@fuzz
@given(data=st.one_of(st.binary(max_size=2000), st.integers(0, 4000)))
def test_random_and_truncated_parquet_through_compute(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("p")
    if isinstance(data, int):  # a good file cut short
        table = pa.table({h: [g] * 50 for h, g in zip(HEADER, GOOD)})
        pq.write_table(table, tmp / "good.parquet")
        data = (tmp / "good.parquet").read_bytes()[:data]
    compute(tmp, data, "in.parquet")


@pytest.mark.slow
@fuzz
@given(
    which=st.sampled_from(["claims", "catalogue", "buybacks", "quotas"]),
    data=st.one_of(st.binary(max_size=1500), spoiled((AUDIT / "batch1.csv").read_bytes())),
)
def test_spoiled_audit_files(tmp_path_factory, which, data):
    tmp = tmp_path_factory.mktemp("a")
    files = {
        "claims": AUDIT / "batch1.csv",
        "catalogue": AUDIT / "catalogue.csv",
        "buybacks": AUDIT / "buybacks.csv",
        "quotas": AUDIT / "quotas.csv",
    }
    files[which] = tmp / f"{which}.csv"
    files[which].write_bytes(data)
    invoke(
        "audit", files["claims"], "--catalogue", files["catalogue"], "--buybacks",
        files["buybacks"], "--quotas", files["quotas"], "-o", tmp / "findings.csv",
        "--ledger", tmp / "ledger.sqlite",
    )  # fmt: skip


toml_junk = st.one_of(
    st.text(max_size=400),
    st.binary(max_size=400).map(lambda b: b.decode("latin-1")),
)


@pytest.mark.slow
@fuzz
@given(
    data=st.one_of(toml_junk.map(str.encode), spoiled((SCHEMES / "cn_national.toml").read_bytes()))
)
def test_spoiled_scheme_files(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("s")
    (tmp / "x.toml").write_bytes(data)
    invoke("schemes", "validate", tmp / "x.toml")
    (tmp / "in.csv").write_bytes(good_csv(2))
    invoke("compute", tmp / "in.csv", "-o", tmp / "o.csv", "--schemes", tmp / "x.toml", "-q")


@pytest.mark.slow
@fuzz
@given(data=st.one_of(toml_junk.map(str.encode), spoiled(PROFILE.read_bytes())))
def test_spoiled_profile_files(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("f")
    (tmp / "p.toml").write_bytes(data)
    (tmp / "in.csv").write_bytes(good_csv(2))
    invoke("compute", tmp / "in.csv", "-o", tmp / "o.csv", "--profile", tmp / "p.toml", "-q")


@pytest.mark.slow
@fuzz
@given(
    data=st.one_of(
        toml_junk.map(str.encode), spoiled((PLANS / "shanghai-12th-fyp.toml").read_bytes())
    )
)
def test_spoiled_plan_files(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("l")
    (tmp / "plan.toml").write_bytes(data)
    invoke("project", tmp / "plan.toml")


def test_reader_shapes_named_in_the_issue(tmp_path):
    """10,000 columns, duplicate headers, NUL bytes, a quote never closed: a message or a
    result, each line accounted for."""
    wide = ",".join(f"c{i}" for i in range(10_000))
    cases = {
        "wide": (wide + "\n" + ",".join("1" * 10_000) + "\n").encode(),
        "duplicate": csv_text([GOOD], (*HEADER[:-1], "kw")).encode(),
        "nul": good_csv(3).replace(b"CN-JS", b"CN-\x00JS", 1),
        "quote": good_csv(3) + b'r9,"2010-09-01,CN-JS,lv_async,15,2,x\n' + good_csv(2)[60:],
    }
    codes = {}
    for name, data in cases.items():
        result, _ = compute(tmp_path, data)
        codes[name] = result.exit_code
    assert codes == {"wide": 2, "duplicate": 2, "nul": 0, "quote": 0}


def test_ten_megabyte_field_is_read(tmp_path):
    rows = [(f"r{i}", *GOOD[1:]) for i in range(3)]
    rows[1] = (*rows[1][:-1], "x" * (10 << 20))  # a 10 MB manufacturer, longer than a block
    result, s = compute(tmp_path, csv_text(rows).encode())
    assert result.exit_code == 0
    assert s["rows"] == {"read": 3, "computed": 3, "rejected": 0, "blank": 0, "reconciles": True}
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as f:
        csv.field_size_limit(1 << 30)
        out = list(csv.DictReader(f))
    assert len(out[1]["manufacturer"]) == 10 << 20


def test_csv_text_round_trips(tmp_path):
    """The helper's CSV has the header and rows it was given (a check on the harness)."""
    text = csv_text([GOOD])
    assert list(csv.reader(io.StringIO(text))) == [list(HEADER), list(GOOD)]
