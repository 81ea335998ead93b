"""The counter through FastAPI's TestClient: the README's quote in Chinese and English,
every bad field, escaping, size limits, the token, and a batch round trip.

Expected figures are worked by hand (the README's quote): 11 kW × 0.75 × 4000 h ×
(1/0.876 − 1/0.914) = 1,566.2 kWh a year; × 0.8 CNY/kWh = 1,252.96 CNY; buy-back 20 CNY/kW
× 11 kW = 220.00 CNY; (3,800 − 220) / 1,252.96 = 2.86 years.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")
from click.testing import CliRunner
from fastapi.testclient import TestClient

from motorsub.cli import main
from motorsub.web.app import Config, create_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "records.csv"
README_FIELDS = {
    "motor_type": "lv_async", "kw": 11, "poles": 4, "grade": 2, "trade_in": True,
    "old_kw": 11, "old_efficiency": 87.6, "region": "CN-SH", "date": "2013-06-01",
    "hours": 4000, "load": 0.75, "tariff": 0.8, "price": 3800,
}  # fmt: skip
README_QUERY = (
    "motor_type=lv_async&kw=11&poles=4&grade=2&trade_in=true&old_kw=11&old_efficiency=87.6"
    "&region=CN-SH&date=2013-06-01&hours=4000&load=0.75&tariff=0.8&price=3800"
)
README_CLI = (
    "--motor-type lv_async --kw 11 --poles 4 --grade 2 --trade-in --old-kw 11 "
    "--old-efficiency 87.6 --region CN-SH --date 2013-06-01 --hours 4000 --load 0.75 "
    "--tariff 0.8 --price 3800"
).split()


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def cli_json(*args):
    res = CliRunner().invoke(main, ["quote", "--json", *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_readme_quote_through_the_api_equals_the_cli(client, lang):
    r = client.post(f"/api/quote?lang={lang}", json=README_FIELDS)
    assert r.status_code == 200, r.text
    q = r.json()
    assert q["total"] == 220.00
    paid = {c["component"]: c["amount"] for c in q["components"]}
    assert paid == {"national": 0.0, "sh_buyback": 220.00, "sh_reman": 0.0}
    s = q["savings"]
    assert s["eta_new"] == pytest.approx(91.40)
    assert round(s["kwh_per_year"], 1) == 1566.2
    assert s["bill_saving_per_year"] == pytest.approx(1252.96, abs=0.005)
    assert s["payback_years"] == pytest.approx(3580 / 1252.96, rel=1e-4)
    assert q["net_price"] == 3580.00
    assert q == cli_json(*README_CLI)  # the same JSON as `motorsub quote --json`


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["补贴合计", "上海旧电机回收补贴", "此截止日期为推断", "负载率 75 %",
                "没有公开文件给出", "t (区域电网, 0.7035 kgCO2/kWh)"]),
        ("en", ["Total subsidies", "Shanghai buy-back subsidy", "this end date is inferred",
                "at 75 % load", "no published source gives the rate",
                "t (regional grid, 0.7035 kgCO2/kWh)"]),
    ],
)  # fmt: skip
def test_readme_quote_on_the_page(client, lang, words):
    r = client.get(f"/quote?{README_QUERY}&lang={lang}")
    assert r.status_code == 200
    html = r.text
    assert '<td class="num" id="total">220.00</td>' in html
    assert '<td class="num" id="eta-new">91.40 %</td>' in html
    assert '<td class="num" id="kwh">1,566.2</td>' in html
    assert '<td class="num" id="net-price">3,580.00</td>' in html
    assert '<td class="num" id="payback">2.86</td>' in html
    for w in words:
        assert w in html, w
    assert 'value="87.6"' in html  # the form comes back filled
    assert r.cookies.get("motorsub_lang") == lang


def test_chinese_is_the_default_and_english_is_remembered():
    with TestClient(create_app()) as c:
        assert "以旧换新报价" in c.get("/quote").text
        assert "Price a trade-in" in c.get("/quote?lang=en").text
        assert "Price a trade-in" in c.get("/quote").text  # the cookie remembers


BAD = [
    ("kw", "abc", "kw", "大于 0、不超过 100,000 的数"),
    ("kw", "-1", "kw", "大于 0、不超过 100,000 的数"),
    ("grade", "5", "grade", "1, 2, 3"),
    ("region", "CN-XX", "region", "省级地区代码"),
    ("date", "2012-02-30", "date", "日期，如 2013-06-01"),
    ("qty", "0", "qty", "1 至 1,000,000 的整数"),
    ("qty", "1.5", "qty", "1 至 1,000,000 的整数"),
    ("poles", "5", "poles", "2, 4, 6, 8"),
    ("efficiency", "101", "efficiency", "大于 0、不超过 100 的数"),
    ("hours", "9000", "hours", "0 至 8,784 的数"),
    ("load", "2", "load", "0 至 1.25 的数"),
    ("price", "-5", "price", "不小于 0 的数"),
    ("tariff", "-0.1", "tariff", "不小于 0 的数"),
    ("tariff", "cheap", "tariff", "不小于 0 的数"),
    ("trade_in", "maybe", "trade_in", "是或否"),
    ("kind", "used", "kind", "new, reman"),
    ("motor_type", "diesel", "motor_type", "lv_async, hv_async, pm_sync"),
    ("old_series", "Y2", "old_series", "已知系列：Y, US_STANDARD, EFF1, EFF2"),
    ("old_efficiency", "0", "old_efficiency", "大于 0、不超过 100 的数"),
]


@pytest.mark.parametrize(("name", "value", "field", "reason"), BAD)
def test_each_bad_field_is_a_422_naming_field_and_reason(client, name, value, field, reason):
    r = client.post("/api/quote", json=README_FIELDS | {name: value})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert [d["field"] for d in detail] == [field]
    assert reason in detail[0]["reason"]
    page = client.get(f"/quote?{README_QUERY}&{name}={value}&lang=zh")
    assert page.status_code == 200 and reason in page.text


def test_a_bad_field_in_english(client):
    r = client.post("/api/quote?lang=en", json=README_FIELDS | {"kw": "abc"})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"field": "kw", "label": "Rated power [kW]", "value": "abc", "code": "BAD_KW",
         "reason": "not accepted; give a number above 0, at most 100,000"}
    ]  # fmt: skip
    r = client.post("/api/quote", json={"kw": 1}, headers={"Accept-Language": "en-US"})
    assert {d["field"] for d in r.json()["detail"]} == {"motor_type", "region", "date"}
    assert "required" in r.json()["detail"][0]["reason"]


def test_old_motor_values_need_a_trade_in(client):
    r = client.post("/api/quote", json=README_FIELDS | {"trade_in": False})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert {(d["field"], d["code"]) for d in detail} == {
        ("old_kw", "OLD_WITHOUT_TRADE_IN"), ("old_efficiency", "OLD_WITHOUT_TRADE_IN")
    }  # fmt: skip
    assert "请勾选“以旧换新”" in detail[0]["reason"]


@pytest.mark.parametrize(
    "body", [b"[1, 2", b"[1]", b'"text"', b"", b'{"kw": {"a": 1}}', b"\xff\xfe"]
)
def test_a_body_that_is_not_a_quote_is_a_422_never_a_500(client, body):
    r = client.post("/api/quote", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["reason"]


def test_user_text_comes_back_escaped(client):
    evil = "<script>alert(1)</script>"
    r = client.get("/quote", params={"region": evil, "kw": "11", "motor_type": "lv_async"})
    assert r.status_code == 200
    assert evil not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    r = client.post("/api/quote", json=README_FIELDS | {"region": evil})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "region"


def test_security_headers(client):
    r = client.get("/quote")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_compare_by_hand(client):
    body = README_FIELDS | {"repair_cost": 900, "reman_price": 2600}
    r = client.post("/api/compare", json=body)
    assert r.status_code == 200, r.text
    o = {x["option"]: x for x in r.json()["options"]}
    # new: 220 buy-back; reman: 220 + 45 CNY/kW × 11 kW = 715
    assert (o["new"]["subsidy_total"], o["reman"]["subsidy_total"]) == (220.0, 715.0)
    assert (o["new"]["net_price"], o["reman"]["net_price"], o["keep"]["net_price"]) == (
        3580.0, 1885.0, 900.0
    )  # fmt: skip
    # 11 kW × 0.75 × 4000 h = 33,000 kWh at the shaft; / 0.876 and / 0.914; × 0.8 CNY/kWh
    assert o["keep"]["kwh_per_year"] == pytest.approx(33000 / 0.876)
    assert o["keep"]["bill_per_year"] == pytest.approx(33000 / 0.876 * 0.8)
    assert o["new"]["bill_per_year"] == pytest.approx(33000 / 0.914 * 0.8)
    assert o["new"]["bill_saving_vs_keep"] == pytest.approx(1252.96, abs=0.005)
    assert o["new"]["payback_years"] == pytest.approx((3580 - 900) / 1252.96, rel=1e-4)
    assert o["reman"]["payback_years"] == pytest.approx((1885 - 900) / 1252.96, rel=1e-4)
    assert o["keep"]["subsidy_total"] == 0 and "REWIND_ETA_UNCHANGED" in o["keep"]["notes"]
    res = CliRunner().invoke(
        main,
        ["quote", *README_CLI, "--compare", "--repair-cost", "900", "--reman-price", "2600",
         "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == r.json()
    r = client.post("/api/compare", json=body | {"repair_cost": "-3"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "repair_cost"
    page = client.get(f"/quote?{README_QUERY}&repair_cost=900&reman_price=2600&lang=zh")
    assert "方案对比" in page.text and "继续使用旧电机" in page.text


def test_schemes_page_and_api(client):
    html = client.get("/schemes?lang=zh").text
    for needle in ("沪府办发〔2011〕62号", "20.00", "45.00", "标准未知", "推断"):
        assert needle in html
    schemes = client.get("/api/schemes").json()
    assert {s["id"] for s in schemes} == {"cn_national", "cn_sh_tradein"}
    assert client.get("/docs").status_code == 200
    assert "/api/quote" in client.get("/openapi.json").json()["paths"]


def test_print_sheet(client):
    html = client.get(f"/quote/print?{README_QUERY}&lang=zh").text
    for needle in ("电机以旧换新报价单", "报价单号", "有效期至", "220.00", "3,580.00",
                   "折标煤系数", "0.3 kgce/kWh", "客户签字", "旧电机"):  # fmt: skip
        assert needle in html, needle


def test_a_token_protected_instance():
    with TestClient(create_app(Config(token="s3cret"))) as c:
        r = c.get("/quote")
        assert r.status_code == 401 and "X-Motorsub-Token" in r.text
        assert c.post("/api/quote", json=README_FIELDS).status_code == 401
        assert c.get("/quote", headers={"X-Motorsub-Token": "wrong"}).status_code == 401
        ok = c.post("/api/quote", json=README_FIELDS, headers={"X-Motorsub-Token": "s3cret"})
        assert ok.status_code == 200 and ok.json()["total"] == 220.0
        assert c.get("/quote?token=s3cret").status_code == 200  # sets the cookie
        assert c.get("/quote").status_code == 200


def test_an_oversized_upload_is_refused_with_a_clear_message():
    with TestClient(create_app(Config(max_upload=1 << 20))) as c:
        big = b"record_id,sale_date\n" + b"x" * (2 << 20)
        r = c.post("/api/compute", files={"file": ("big.csv", big, "text/csv")})
        assert r.status_code == 413
        assert r.json()["detail"][0]["reason"] == "文件过大：最多 1 MB。"
        r = c.post("/batch?lang=en", files={"file": ("big.csv", big, "text/csv")})
        assert r.status_code == 413 and "at most 1 MB" in r.text
        r = c.post("/api/quote", content=b"{" + b" " * (2 << 20) + b"}")
        assert r.status_code == 413


def test_an_upload_of_an_unknown_kind_is_refused(client):
    r = client.post("/api/compute", files={"file": ("ledger.exe", b"MZ", "application/x")})
    assert r.status_code == 422 and ".csv" in r.json()["detail"][0]["reason"]


def _wait_done(client, url):
    for _ in range(600):
        r = client.get(url)
        if 'data-status="done"' in r.text or 'data-status="failed"' in r.text:
            return r
        time.sleep(0.1)
    raise AssertionError("the job did not finish in 60 s")


def test_batch_upload_round_trip(client, tmp_path):
    from motorsub.backends.local import compute_file

    data = EXAMPLE.read_bytes()
    r = client.post(
        "/batch",
        files={"file": ("../../etc/账本.csv", data, "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"]
    job_id = url.rsplit("/", 1)[1]
    page = _wait_done(client, url)
    expected = compute_file(
        EXAMPLE,
        tmp_path / "r.csv",
        rejects_path=tmp_path / "j.csv",
        summary_path=tmp_path / "s.json",
        lang="zh",  # the page's language: the rejects file explains itself in Chinese
    )
    rows = expected["rows"]
    assert (
        f"读入 {rows['read']} 行，计算 {rows['computed']} 行，拒绝 {rows['rejected']} 行"
        in page.text
    )
    results = client.get(f"/batch/{job_id}/results")
    assert results.status_code == 200 and results.content == (tmp_path / "r.csv").read_bytes()
    assert client.get(f"/batch/{job_id}/rejects").content == (tmp_path / "j.csv").read_bytes()
    summary = client.get(f"/batch/{job_id}/summary").json()
    assert summary["rows"] == rows and summary["totals_cny"] == expected["totals_cny"]
    assert "files" not in summary  # no server path goes back to the client
    # the server named every file itself: nothing of the client's name reached the disk
    jobs = client.app.state.jobs
    names = {p.name for p in (jobs.root / job_id).iterdir()}
    assert names <= {"results.csv", "rejects.csv", "summary.json", "progress.json"}
    assert client.get(f"/batch/{job_id}/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/batch/nope/results").status_code == 404
    # the API: the summary and links
    r = client.post("/api/compute", files={"file": ("x.csv", data, "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "done" and body["summary"]["rows"] == rows
    assert client.get(body["files"]["results"]).content == (tmp_path / "r.csv").read_bytes()


def test_an_unreadable_upload_fails_with_a_message(client):
    r = client.post("/api/compute", files={"file": ("cols.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 200
    assert r.json()["status"] == "failed"
    # the page's language (Chinese by default): the columns it lacks, named
    assert "缺少必需的列 record_id, sale_date, region, motor_type, kw" in r.json()["error"]
    assert "/tmp" not in r.json()["error"]
    r = client.post("/api/compute?lang=en", files={"file": ("cols.csv", b"a,b\n1,2\n", "text/csv")})
    assert "missing required columns record_id, sale_date" in r.json()["error"]


def test_job_folders_are_removed_after_an_hour(client):
    jobs = client.app.state.jobs
    job_id, folder = jobs.new_folder()
    jobs.sweep(now=time.time() + 3601)
    assert not folder.exists() and jobs.get(job_id) is None


def test_serve_refuses_a_non_loopback_host_without_a_token(monkeypatch):
    from motorsub.cli.serve import _loopback

    monkeypatch.delenv("MOTORSUB_TOKEN", raising=False)
    res = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert res.exit_code == 2
    assert "--token" in res.output and "MOTORSUB_TOKEN" in res.output
    assert all(map(_loopback, ("127.0.0.1", "::1", "localhost", "127.0.0.2")))
    assert not any(map(_loopback, ("0.0.0.0", "192.168.1.5", "::", "example.org")))
    assert "127.0.0.1" in CliRunner().invoke(main, ["serve", "--help"]).output


def test_an_inferred_condition_is_said_next_to_the_subsidy(client):
    # a remanufactured high-voltage motor: the Shanghai scope for it is inferred
    q = "motor_type=hv_async&kw=400&kind=reman&trade_in=true&old_kw=400&region=CN-SH"
    html = client.get(f"/quote?{q}&date=2013-06-01&lang=zh").text
    assert "这台电机是否符合条件取决于一项推断的条件" in html
    body = {"motor_type": "hv_async", "kw": 400, "kind": "reman", "trade_in": True,
            "old_kw": 400, "region": "CN-SH", "date": "2013-06-01"}  # fmt: skip
    c = {x["component"]: x for x in client.post("/api/quote", json=body).json()["components"]}
    # 45 CNY/kW × 400 kW, on an inferred scope and an inferred end date
    assert c["sh_reman"]["amount"] == 18000.0
    assert (c["sh_reman"]["scope_status"], c["sh_reman"]["version_status"]) == (
        "inferred", "inferred"
    )  # fmt: skip


def test_sources_in_chinese_are_the_documents_and_in_english_the_notes(client):
    zh = client.get(f"/quote?{README_QUERY}&lang=zh").text
    en = client.get(f"/quote?{README_QUERY}&lang=en").text
    # the national rate rests on 财建〔2011〕62号; its note is an English gloss of the range
    assert '<div class="source">财建〔2011〕62号</div>' in zh
    assert "split unknown" not in zh
    assert "财建〔2011〕62号: rates in the range 26-100 CNY/kW across types, split unknown" in en
    # the inferred end of Shanghai's window: said in Chinese, with the notice it rests on
    assert "此截止日期为推断，并非公开发布（沪府办发〔2011〕62号）" in zh
