"""The ledger across batches: idempotence, catching re-claims, and crash safety."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from audit_helpers import EXAMPLES, ROOT, buybacks, claims, codes, run

from motorsub.audit import audit, audit_files
from motorsub.audit.ledger import Ledger
from motorsub.errors import InputError

REF = {
    "catalogue": EXAMPLES / "catalogue.csv",
    "buybacks": EXAMPLES / "buybacks.csv",
    "quotas": EXAMPLES / "quotas.csv",
}
RECLAIMS = {"2014Q2-R01", "2014Q2-R02", "2014Q2-R03"}


def dump(path: Path) -> dict:
    """Every table of a ledger, in a fixed order."""
    con = sqlite3.connect(path)
    out = {
        t: con.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall()
        for t, order in (
            ("batches", "seq"),
            ("lines", "seq, record_id"),
            ("quota_used", "seq, quota_key"),
            ("meta", "key"),
        )
    }
    con.close()
    return out


def audit_example(name: str, ledger: Path | None, **kw):
    return audit(EXAMPLES / f"{name}.csv", ledger=ledger, **REF, **kw)


def findings(res) -> dict:
    df = res.findings.to_pandas()
    return dict(zip(df["record_id"], df["reasons"], strict=True))


def test_same_batch_again_changes_nothing(tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    first = audit_example("batch1", ledger)
    before = dump(ledger)
    again = audit_example("batch1", ledger)
    assert dump(ledger) == before
    assert first.summary["batches"][0]["ledger"] == "recorded"
    assert again.summary["batches"][0] | {} == {
        "batch_id": "2014Q1",
        "lines": 60,
        "accepted": 49,
        "ledger": "unchanged",
        "matches_ledger": True,
    }
    assert first.lines.equals(again.lines)
    assert len(before["lines"]) == 49


def test_second_batch_flags_exactly_the_reclaims(tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    alone = audit_example("batch2", None)
    assert alone.summary["findings"] == 0
    audit_example("batch1", ledger)
    second = audit_example("batch2", ledger)
    found = findings(second)
    assert set(found) == RECLAIMS
    assert all(r == "DUPLICATE_SERIAL" or r.startswith("DUPLICATE_SERIAL;") for r in found.values())
    assert second.summary["by_status"]["rejected"]["lines"] == 3
    # auditing the first batch after the second still gives the first answer
    before = dump(ledger)
    first_again = audit_example("batch1", ledger)
    assert first_again.summary["batches"][0]["matches_ledger"]
    assert dump(ledger) == before
    assert findings(first_again) == findings(audit_example("batch1", None))


def test_changed_batch_is_refused(tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    audit_example("batch1", ledger)
    before = dump(ledger)
    c = pd.read_csv(EXAMPLES / "batch1.csv", dtype=str, keep_default_na=False)
    c.loc[5, "claimed_national"] = "1.00"
    with pytest.raises(InputError, match="batch '2014Q1' is already in the ledger with different"):
        audit(c, ledger=ledger, **REF)
    assert dump(ledger) == before


def test_equipment_and_quota_carry_across_batches(tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    sh = {
        "region": "CN-SH",
        "sale_date": "2012-05-10",
        "invoice_date": "2012-05-10",
        "trade_in": "true",
        "claimant": "Recycler C",
        "old_kw": "15",
        "old_qty": "1",
        "old_equipment_id": "EQ1",
        "claimed_sh_buyback": "300",
    }
    bb = buybacks({"equipment_id": "EQ1", "old_kw": "15"})  # records no new serial
    hv = {"motor_type": "hv_async", "grade": "", "region": "CN-ZJ", "sale_date": "2012-03-01"}
    q1 = claims(
        sh,
        hv
        | {
            "record_id": "H1",
            "serial": "H1",
            "model": "YKK-400",
            "kw": "400",
            "claimed_national": "10400",
        },
    )
    q2 = claims(
        sh | {"batch_id": "Q2", "record_id": "L9", "serial": "SN9"},
        hv
        | {
            "batch_id": "Q2",
            "record_id": "H2",
            "serial": "H2",
            "model": "YKK-710",
            "kw": "710",
            "claimed_national": "18460",
        },
    )
    quotas = pd.DataFrame([{"manufacturer": "Maker A", "year": 2012, "quota_kw": 1000}])
    _, alone = run(q2, bb=bb, quotas=quotas)
    assert not alone["finding"].any()
    run(q1, bb=bb, quotas=quotas, ledger=ledger)
    _, df = run(q2, bb=bb, quotas=quotas, ledger=ledger)
    assert "DUPLICATE_EQUIPMENT" in codes(df.loc["L9"])
    assert df.loc["L9", "approved_total"] == 0.0
    # 400 kW paid in Q1 + 710 kW > 1,000 kW
    assert codes(df.loc["H2"]) == {"QUOTA_EXCEEDED"}


def test_several_batches_in_one_file(tmp_path):
    both = pd.concat(
        [pd.read_csv(EXAMPLES / f"batch{k}.csv", dtype=str, keep_default_na=False) for k in (1, 2)]
    )
    res = audit(both, ledger=tmp_path / "l.sqlite", **REF)
    assert [b["batch_id"] for b in res.summary["batches"]] == ["2014Q1", "2014Q2"]
    f = findings(res)
    assert RECLAIMS <= set(f)
    assert len([r for r in f if r.startswith("2014Q2")]) == 3


def test_not_a_ledger(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="not a usable SQLite ledger"):
        Ledger(junk)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="not a motorsub ledger"):
        Ledger(other)


CRASH = textwrap.dedent(
    """
    import os, signal, sys
    import motorsub.audit.ledger as ledger

    real = ledger._insert
    def crash(con, sql, rows):
        if sql.startswith("INSERT INTO lines") and len(rows) > 2:
            con.executemany(sql, rows[: len(rows) // 2])  # half the batch, then killed
            os.kill(os.getpid(), signal.SIGKILL)
        real(con, sql, rows)
    ledger._insert = crash

    from motorsub.audit import audit_files
    claims, out, led = sys.argv[1:4]
    ex = {ex!r}
    audit_files(claims, out, catalogue=ex + "/catalogue.csv", buybacks=ex + "/buybacks.csv",
                quotas=ex + "/quotas.csv", ledger=led)
    """
).replace("{ex!r}", repr(str(EXAMPLES)))


def _files(name: str, tmp: Path, ledger: Path, **kw) -> dict:
    return audit_files(
        EXAMPLES / f"{name}.csv",
        tmp / f"{name}.findings.csv",
        ledger=ledger,
        summary_path=tmp / f"{name}.json",
        **REF,
        **kw,
    )


def test_killed_mid_batch_leaves_the_ledger_and_a_rerun_finishes(tmp_path):
    clean_ledger = tmp_path / "clean.sqlite"
    _files("batch1", tmp_path, clean_ledger)
    _files("batch2", tmp_path, clean_ledger)
    expected = dump(clean_ledger)

    ledger = tmp_path / "crash.sqlite"
    _files("batch1", tmp_path, ledger)
    after_first = dump(ledger)
    out = tmp_path / "crashed.findings.csv"
    proc = subprocess.run(
        [sys.executable, "-c", CRASH, str(EXAMPLES / "batch2.csv"), str(out), str(ledger)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -9, proc.stderr  # killed by SIGKILL half-way through the batch
    assert not out.exists()  # no output under its final name
    assert dump(ledger) == after_first  # the half-written batch rolled back
    summary = _files("batch2", tmp_path, ledger)  # the rerun finishes it
    assert summary["batches"][0]["ledger"] == "recorded"
    assert dump(ledger) == expected
    assert {r for r in pd.read_csv(tmp_path / "batch2.findings.csv")["record_id"]} == RECLAIMS


# ---------------------------------------------------------------- the digests' format
# A ledger records each batch's digest and compares it on a re-audit, so the bytes a digest
# covers must not change with how it is taken (whole columns or a part at a time).


@pytest.mark.parametrize("rows_at_a_time", [1, 2, 1 << 20])
def test_string_digest_is_lengths_then_bytes(monkeypatch, rows_at_a_time):
    import hashlib
    import struct

    import pyarrow as pa

    from motorsub.audit import ledger

    monkeypatch.setattr(ledger, "DIGEST_ROWS", rows_at_a_time)
    first = pa.array(["ab", None, ""])  # lengths 2, 1 (a null is NUL), 0
    second = pa.chunked_array([["电"], ["x", None]])  # 电 is three bytes in UTF-8
    want = hashlib.sha256(
        struct.pack("<3q", 2, 1, 0) + b"ab\x00"
        + struct.pack("<3q", 3, 1, 1) + "电".encode() + b"x\x00"
    ).hexdigest()  # fmt: skip
    assert ledger.digest_strings(first, second) == want
    assert (
        ledger.digest_strings(first.slice(1))
        == hashlib.sha256(struct.pack("<2q", 1, 0) + b"\x00").hexdigest()
    )


def test_array_digest_is_dtype_shape_and_bytes():
    import hashlib
    import struct

    import numpy as np

    from motorsub.audit.ledger import digest_arrays

    fen = np.array([[1, 2], [3, 4]], dtype=np.int64)[:, ::-1]  # not contiguous: read as 2 1 4 3
    want = hashlib.sha256(b"h")
    want.update(b"int64(2, 2)" + struct.pack("<4q", 2, 1, 4, 3))
    want.update(b"bool(2,)" + b"\x01\x00")
    assert digest_arrays("h", fen, np.array([True, False])) == want.hexdigest()
