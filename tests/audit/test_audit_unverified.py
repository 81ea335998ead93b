"""A component whose rate no source gives is unverified, never disallowed as an over-claim.

Worked from the rule text: 财建〔2011〕62号 (in force 2011-03-19 to 2013-09-11) gives for new
low-voltage motors only the range 26-100 CNY/kW, so a national claim on a listed lv_async
30 kW grade-2 motor sold 2012-05-01 cannot be verified:

- claimed 900.00 (30 CNY/kW, inside the range): unverified 900.00, nothing approved or
  disallowed, status ``unverified``, ``RATE_UNKNOWN``;
- claimed 3,300.00 (110 CNY/kW): above the top, 100 × 30 = 3,000.00; 300.00 disallowed
  (``RATE_OUT_OF_RANGE``), 3,000.00 unverified;
- claimed 600.00 (20 CNY/kW): below the bottom, 26 × 30 = 780.00; ``RATE_OUT_OF_RANGE``,
  nothing taken, 600.00 unverified;
- with a scheme file that gives 30 CNY/kW for the cell, 900.00 is approved.
"""

from __future__ import annotations

import json

import pytest
from audit_helpers import catalogue, claims, codes, run
from click.testing import CliRunner

from motorsub.audit import audit
from motorsub.cli.audit import audit as audit_cli
from motorsub.errors import SchemeError
from motorsub.model.schemes import default_scheme_dir, load_schemes, parse_scheme

MODEL_30 = {
    "manufacturer": "Maker A",
    "model": "YE2-30-2",
    "motor_type": "lv_async",
    "kw": "30",
    "grade": "2",
    "listed_from": "2010-01-01",
    "delisted_from": "",
}
SALE = {"model": "YE2-30-2", "kw": "30", "sale_date": "2012-05-01", "invoice_date": "2012-05-02"}


def _line(rid: str, serial: str, amount: str, **extra) -> dict:
    return SALE | {"record_id": rid, "serial": serial, "claimed_national": amount} | extra


def _cat():
    return catalogue([MODEL_30])


def _scheme_with_rate(folder, cny_per_kw: int = 30):
    """The shipped national scheme, with a rate for the 2011 low-voltage cell."""
    text = (default_scheme_dir() / "cn_national.toml").read_text(encoding="utf-8")
    cell = (
        'motor_type = "lv_async"\nkw = "[0.55, 315]"\ngrades = [1, 2]\nsource = "财建〔2011〕62号'
    )
    assert text.count(cell) == 1
    text = text.replace(
        cell, cell.replace("grades = [1, 2]\n", f"grades = [1, 2]\ncny_per_kw = {cny_per_kw}\n")
    )
    folder.mkdir(exist_ok=True)
    (folder / "cn_national.toml").write_text(text, encoding="utf-8")
    return folder


def test_the_issue_claim_is_unverified_not_an_over_claim():
    res, df = run(claims(_line("L1", "SN1", "900.00")), cat=_cat())
    row = df.loc["L1"]
    assert row["status"] == "unverified"
    assert {"RATE_UNKNOWN", "NO_RATE"} <= codes(row)
    assert "OVER_CLAIM" not in codes(row) and "RATE_OUT_OF_RANGE" not in codes(row)
    assert (row["approved_total"], row["disallowed_total"], row["unverified_total"]) == (
        0.0,
        0.0,
        900.0,
    )
    assert row["primary_reason"] == ""
    t = res.summary["totals_cny"]
    assert (t["claimed"], t["approved"], t["disallowed"], t["unverified"]) == (900, 0, 0, 900)
    assert res.summary["by_status"]["unverified"]["lines"] == 1
    assert res.summary["reconciliation"]["reconciles"]


@pytest.mark.parametrize(
    ("amount", "disallowed", "unverified"),
    [("3300.00", 300.0, 3000.0), ("600.00", 0.0, 600.0), ("3000.00", 0.0, 3000.0)],
)
def test_a_claim_is_checked_against_the_notice_range(amount, disallowed, unverified):
    _, df = run(claims(_line("L1", "SN1", amount)), cat=_cat())
    row = df.loc["L1"]
    out_of_range = amount != "3000.00"  # 100 CNY/kW x 30 kW is the top itself: inside
    assert ("RATE_OUT_OF_RANGE" in codes(row)) is out_of_range
    assert row["status"] == "unverified"
    assert row["disallowed_total"] == disallowed
    assert row["unverified_total"] == unverified
    assert row["approved_total"] == 0.0
    assert row["primary_reason"] == ("RATE_OUT_OF_RANGE" if disallowed else "")


def test_with_the_rate_given_the_same_line_is_audited_normally(tmp_path):
    folder = _scheme_with_rate(tmp_path / "schemes")
    lines = claims(_line("L1", "SN1", "900.00"), _line("L2", "SN2", "1000.00"))
    _, df = run(lines, cat=_cat(), schemes=[folder])
    assert df.loc["L1", "status"] == "approved" and df.loc["L1", "approved_total"] == 900.0
    assert df.loc["L1", "unverified_total"] == 0.0
    assert "RATE_UNKNOWN" not in codes(df.loc["L1"])
    # 1,000.00 claimed against 30 x 30 = 900.00: an ordinary over-claim now
    assert df.loc["L2", "status"] == "adjusted"
    assert {"OVER_CLAIM"} <= codes(df.loc["L2"])
    assert df.loc["L2", "disallowed_total"] == 100.0


def test_the_rate_given_through_the_command_line(tmp_path):
    folder = _scheme_with_rate(tmp_path / "schemes")
    claims(_line("L1", "SN1", "900.00")).to_csv(tmp_path / "c.csv", index=False)
    _cat().to_csv(tmp_path / "cat.csv", index=False)
    common = [str(tmp_path / "c.csv"), "--catalogue", str(tmp_path / "cat.csv"), "--json"]
    before = CliRunner().invoke(audit_cli, [*common, "-o", str(tmp_path / "a.csv")])
    after = CliRunner().invoke(
        audit_cli, [*common, "-o", str(tmp_path / "b.csv"), "--schemes", str(folder)]
    )
    assert before.exit_code == 0 and after.exit_code == 0, after.output
    s0 = json.loads(before.output[: before.output.rindex("}") + 1])
    s1 = json.loads(after.output[: after.output.rindex("}") + 1])
    assert s0["totals_cny"]["unverified"] == 900.0 and s0["totals_cny"]["approved"] == 0.0
    assert s1["totals_cny"]["unverified"] == 0.0 and s1["totals_cny"]["approved"] == 900.0


def test_claimed_total_only_is_unverified_too():
    line = _line("L1", "SN1", "")
    lines = claims(line).drop(
        columns=["claimed_national", "claimed_sh_buyback", "claimed_sh_reman"]
    )
    lines["claimed_total"] = "900.00"
    _, df = run(lines, cat=_cat())
    row = df.loc["L1"]
    assert row["status"] == "unverified" and row["unverified_total"] == 900.0
    assert row["disallowed_total"] == 0.0


def test_a_finding_that_does_not_depend_on_the_rate_still_disallows():
    # the same serial claimed twice for the national subsidy: the second is a duplicate,
    # whatever the rate; the first stays unverified
    _, df = run(claims(_line("L1", "SN1", "900.00"), _line("L2", "SN1", "900.00")), cat=_cat())
    assert df.loc["L1", "status"] == "unverified"
    assert df.loc["L2", "status"] == "rejected"
    assert df.loc["L2", "disallowed_total"] == 900.0 and df.loc["L2", "unverified_total"] == 0.0
    assert df.loc["L2", "primary_reason"] == "DUPLICATE_SERIAL"


def test_an_unverified_claim_counts_in_the_ledger(tmp_path):
    ledger = tmp_path / "l.sqlite"
    audit(claims(_line("L1", "SN1", "900.00")), _cat(), ledger=ledger)
    later = claims(_line("L9", "SN1", "900.00", batch_id="Q2"))
    res = audit(later, _cat(), ledger=ledger)
    row = res.lines.to_pandas().set_index("record_id").loc["L9"]
    assert row["status"] == "rejected" and "DUPLICATE_SERIAL" in row["reasons"]


def test_unverified_lines_are_sampled_in_strata_of_their_own():
    # one claimant, one motor type: 20 verified lines of 525.00 (15 kW x 35, 2010) and
    # 5 unverified lines of 900.00; 10 % of each group's value must be inspected
    verified = [
        {"record_id": f"V{i}", "serial": f"SV{i}", "claimed_national": "525.00"} for i in range(20)
    ]
    unverified = [_line(f"U{i}", f"SU{i}", "900.00") for i in range(5)]
    res, df = run(claims(*verified, *unverified), cat=_cat(), sample_value_share=0.10)
    u = df[df["status"] == "unverified"]
    assert len(u) == 5
    assert u.loc[u["inspect"], "claimed_total"].sum() >= 0.10 * u["claimed_total"].sum()
    assert set(u.loc[u["inspect"], "inspect_reason"]) == {"unverified"}
    v = df[df["status"] == "approved"]
    assert v.loc[v["inspect"], "claimed_total"].sum() >= 0.10 * v["claimed_total"].sum()
    assert res.summary["sample"]["by_why"]["unverified"] >= 1


def _range_scheme(low, high, rate=None) -> dict:
    import tomllib

    text = (default_scheme_dir() / "cn_national.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    cell = data["versions"][1]["rates"][0]
    cell["cny_per_kw_range"] = {"low": low, "high": high, "source": "test", "status": "official"}
    if rate is not None:
        cell["cny_per_kw"] = rate
    return data


@pytest.mark.parametrize(
    ("low", "high", "rate", "message"),
    [
        (100, 26, None, "versions[1].rates[0].cny_per_kw_range.high: 26 is below low = 100"),
        (26.001, 100, None, "whole numbers of fen"),
        (26, 100, 120, "versions[1].rates[0].cny_per_kw: 120 lies outside the cell's range"),
    ],
)
def test_a_bad_range_is_a_scheme_error_naming_the_key(low, high, rate, message):
    with pytest.raises(SchemeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_scheme(_range_scheme(low, high, rate), "x.toml")


def test_the_shipped_ranges_are_those_the_notices_give():
    s = load_schemes(None).scheme("cn_national")
    ranges = {
        (v.id, r.motor_type, str(r.kw)): (r.cny_per_kw_range.low, r.cny_per_kw_range.high)
        for v in s.versions
        for r in v.rates
        if r.cny_per_kw_range is not None
    }
    assert ranges == {
        ("2010-06-01", "lv_async", "(22, 315]"): (15, 40),
        ("2010-06-01", "pm_sync", "[0.55, 315]"): (40, 60),
        ("2011-03-19", "lv_async", "[0.55, 315]"): (26, 100),
        ("2011-03-19", "pm_sync", "[0.55, 315]"): (26, 100),
    }
