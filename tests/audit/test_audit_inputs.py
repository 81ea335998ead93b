"""Bad inputs: each gets a clear message naming the file, the row or the column."""

from __future__ import annotations

import pandas as pd
import pytest
from audit_helpers import EXAMPLES, buybacks, catalogue, claims, run

from motorsub.audit import audit
from motorsub.errors import InputError, RejectedRowsError


def test_claims_missing_columns():
    c = claims({"claimed_national": "525"}).drop(columns=["claimant", "invoice_no"])
    with pytest.raises(
        InputError,
        match=r"<claims>: claims: missing required columns claimant, "
        r"invoice_no; required: .*\(found: ",
    ):
        run(c)


def test_claims_missing_equipment_column_with_trade_in():
    c = claims({"claimed_national": "525"}).drop(columns=["old_equipment_id"])
    with pytest.raises(InputError, match="missing required column old_equipment_id"):
        run(c)


def test_claims_without_any_claimed_column():
    c = claims({}).drop(columns=["claimed_national", "claimed_sh_buyback", "claimed_sh_reman"])
    with pytest.raises(InputError, match="no claimed amount column; give claimed_<component>"):
        run(c)


def test_claims_unknown_claimed_column():
    c = claims({"claimed_national": "525"})
    c["claimed_bonus"] = "1"
    with pytest.raises(
        InputError, match=r"unknown claimed column.*claimed_bonus; accepted: claimed_national"
    ):
        run(c)


def test_catalogue_duplicate_models():
    cat = catalogue(
        [
            {
                "manufacturer": " maker a ",
                "model": "ye2-15-2",
                "motor_type": "lv_async",
                "kw": "15",
                "grade": "2",
                "listed_from": "2010-01-01",
            }
        ]
    )
    with pytest.raises(
        InputError,
        match=r"catalogue: 1 duplicate model \(manufacturer / model\)"
        r"\(s\); each must appear once:\n  MAKER A / YE2-15-2: "
        r"rows 2, 9",
    ):
        run(claims({"claimed_national": "525"}), cat=cat)


def test_catalogue_bad_values_named_by_row_and_column():
    cat = catalogue(
        [
            {
                "manufacturer": "Maker A",
                "model": "X1",
                "motor_type": "dc",
                "kw": "-3",
                "grade": "",
                "listed_from": "2010-02-30",
            }
        ]
    )
    with pytest.raises(InputError) as e:
        run(claims({"claimed_national": "525"}), cat=cat)
    msg = str(e.value)
    assert "catalogue: 3 bad value(s)" in msg
    assert "row 9, column motor_type: 'dc' (not one of lv_async, hv_async, pm_sync)" in msg
    assert "row 9, column kw: '-3' (not a power > 0)" in msg
    assert "row 9, column listed_from: '2010-02-30' (not a date YYYY-MM-DD)" in msg


def test_catalogue_missing_column():
    with pytest.raises(InputError, match="catalogue: missing required column listed_from"):
        run(claims({"claimed_national": "525"}), cat=catalogue().drop(columns=["listed_from"]))


def test_quotas_for_unknown_manufacturers():
    q = pd.DataFrame(
        [
            {"manufacturer": "Maker A", "year": 2012, "quota_kw": 100},
            {"manufacturer": "Ghost Motors", "year": 2012, "quota_kw": 100},
        ]
    )
    with pytest.raises(
        InputError,
        match=r"<quotas>: quotas: 1 unknown manufacturer\(s\) "
        r"'GHOST MOTORS' \(rows 3\): not in the catalogue",
    ):
        run(claims({"claimed_national": "525"}), quotas=q)


def test_quotas_duplicate_year():
    q = pd.DataFrame([{"manufacturer": "Maker A", "year": 2012, "quota_kw": 100}] * 2)
    with pytest.raises(InputError, match=r"duplicate quota \(manufacturer / year\)"):
        run(claims({"claimed_national": "525"}), quotas=q)


def test_buybacks_duplicate_equipment():
    bb = buybacks({"equipment_id": "EQ1", "old_kw": "15"}, {"equipment_id": "eq1 ", "old_kw": "11"})
    with pytest.raises(
        InputError, match=r"(?s)buy-backs: 1 duplicate equipment id.*EQ1: rows 2, 3"
    ):
        run(claims({"claimed_national": "525"}), bb=bb)


def test_buybacks_bad_quantity():
    bb = buybacks({"equipment_id": "EQ1", "old_kw": "15", "old_qty": "1.5"})
    with pytest.raises(InputError, match=r"row 2, column old_qty: '1.5' \(not a whole number"):
        run(claims({"claimed_national": "525"}), bb=bb)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        audit(tmp_path / "nope.csv", catalogue())
    odd = tmp_path / "claims.ods"
    odd.write_text("x")
    with pytest.raises(InputError, match=r"unknown input format '\.ods'"):
        audit(odd, catalogue())


def test_rows_that_cannot_be_audited_go_to_rejects():
    lines = claims(
        {"record_id": "OK", "claimed_national": "525"},
        {"record_id": "NEG", "serial": "S2", "claimed_national": "-5"},
        {"record_id": "FEN", "serial": "S3", "claimed_national": "1.005"},
        {"record_id": "NONE", "serial": "S4"},
        {"record_id": "OK", "serial": "S5", "claimed_national": "525"},
        {"record_id": "", "serial": "S6", "claimed_national": "525"},
    )
    res, _ = run(lines)
    rej = res.rejects.to_pandas()
    assert list(rej["source_row"]) == [3, 4, 5, 6, 7]
    assert list(rej["reasons"]) == [
        "BAD_CLAIMED_NATIONAL",
        "BAD_CLAIMED_NATIONAL",
        "MISSING_CLAIMED",
        "DUPLICATE_RECORD_ID",
        "MISSING_RECORD_ID",
    ]
    assert res.summary["rows"] == {"read": 6, "audited": 1, "rejected": 5, "reconciles": True}


def test_claimed_total_must_agree_with_components():
    lines = claims(
        {"claimed_national": "525"}, {"record_id": "L2", "serial": "S2", "claimed_national": "525"}
    )
    lines["claimed_total"] = ["525", "500"]
    res, df = run(lines)
    assert list(df.index) == ["L1"]
    assert res.rejects.column("reasons").to_pylist() == ["BAD_CLAIMED_TOTAL"]


def test_strict_fails_on_rows_that_cannot_be_audited():
    with pytest.raises(
        RejectedRowsError,
        match=r"1 claim row\(s\) cannot be audited under "
        r"--strict:\n  row 2: MISSING_CLAIMANT",
    ):
        run(claims({"claimant": "", "claimed_national": "525"}), strict=True)


def test_gbk_claims_file(tmp_path):
    c = pd.read_csv(EXAMPLES / "batch2.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "gbk.csv"
    c.to_csv(path, index=False, encoding="gb18030")
    res = audit(path, EXAMPLES / "catalogue.csv", EXAMPLES / "buybacks.csv")
    assert res.summary["findings"] == 0
    assert "丙电机有限公司" in res.summary["reconciliation"]["by_claimant"]


def test_parquet_inputs(tmp_path):
    paths = {}
    for name in ("batch2", "catalogue", "buybacks", "quotas"):
        df = pd.read_csv(EXAMPLES / f"{name}.csv", dtype=str, keep_default_na=False)
        paths[name] = tmp_path / f"{name}.parquet"
        df.to_parquet(paths[name], index=False)
    res = audit(paths["batch2"], paths["catalogue"], paths["buybacks"], paths["quotas"])
    assert res.summary["rows"]["audited"] == 33
    assert res.summary["findings"] == 0


def test_claim_rows_are_numbered_as_the_spreadsheet_numbers_them(tmp_path):
    """An empty line counts: the rejected claim after it is on spreadsheet row 5."""
    from motorsub.audit import audit_files

    lines = (EXAMPLES / "batch1.csv").read_text("utf-8-sig").splitlines()
    header, first, second, third = lines[:4]
    third = "," + third.split(",", 1)[1]  # no record_id: a rejected claim
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([header, first, "", second, third]) + "\n", "utf-8")
    summary = audit_files(path, tmp_path / "findings.csv", catalogue=EXAMPLES / "catalogue.csv")
    rejects = pd.read_csv(tmp_path / "findings.rejects.csv")
    assert rejects["source_row"].tolist() == [5]
    assert summary["rows"]["read"] == 3 and summary["rows"]["rejected"] == 1
