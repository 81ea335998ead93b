"""The audit reads claims, runs the engine, fills the ledger and writes its outputs a part
at a time: the results must not depend on where the parts end.

The same claims file (generated faults of every kind, plus a record id and a serial that
come back after many parts) is audited with the usual part sizes and with parts of seven
rows, so that every part boundary falls inside a duplicate's reach: findings, rejects,
lines, sample, summary and ledger must be the same, and the late repeats must be found.
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from audit_data import as_text, generate, plant

from motorsub.audit import audit_files, inputs, ledger, pipeline, rules, summary

TINY = 7
OUTPUTS = ("findings.csv", "findings.rejects.csv", "lines.csv", "sample.csv")


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory):
    data, expected = plant(generate(400, 11))
    claims = data["claims"].astype(object)
    clean = [i for i, r in enumerate(claims["record_id"]) if r not in expected]
    again_id = claims.iloc[[clean[0]]].copy()  # same batch and record id: rejected
    again_serial = claims.iloc[[clean[1]]].copy()  # same serial and components, new id
    again_serial["record_id"] = "LATE-SERIAL"
    claims = pd.concat([claims, again_id, again_serial], ignore_index=True)
    folder = tmp_path_factory.mktemp("parts")
    as_text(claims).to_csv(folder / "claims.csv", index=False)
    for name in ("catalogue", "buybacks", "quotas"):
        as_text(data[name]).to_csv(folder / f"{name}.csv", index=False)
    return folder, claims


def _run(folder, out, monkeypatch, part_rows=None):
    if part_rows:
        for module, name in (
            (inputs, "CLAIM_ROWS"),
            (inputs, "AGAIN_ROWS"),
            (pipeline, "ENGINE_ROWS"),
            (pipeline, "ROWS_AT_A_TIME"),
            (summary, "OUTPUT_ROWS"),
            (ledger, "CHUNK"),
        ):
            monkeypatch.setattr(module, name, part_rows)
    out.mkdir()
    s = audit_files(
        folder / "claims.csv",
        out / "findings.csv",
        catalogue=folder / "catalogue.csv",
        buybacks=folder / "buybacks.csv",
        quotas=folder / "quotas.csv",
        ledger=out / "ledger.sqlite",
        sample_path=out / "sample.csv",
        lines_path=out / "lines.csv",
    )
    s.pop("files")
    s["inputs"].pop("ledger")
    con = sqlite3.connect(out / "ledger.sqlite")
    rows = con.execute("SELECT * FROM lines ORDER BY rowid").fetchall()
    con.close()
    return s, rows


def test_part_boundaries_change_nothing(claims_file, tmp_path, monkeypatch):
    folder, _ = claims_file
    whole, whole_ledger = _run(folder, tmp_path / "whole", monkeypatch)
    parts, parts_ledger = _run(folder, tmp_path / "parts", monkeypatch, TINY)
    assert json.dumps(parts, sort_keys=True) == json.dumps(whole, sort_keys=True)
    assert parts_ledger == whole_ledger
    for name in OUTPUTS:
        assert (tmp_path / "parts" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()


def test_late_repeats_are_found_across_parts(claims_file, tmp_path, monkeypatch):
    folder, claims = claims_file
    s, _ = _run(folder, tmp_path / "parts", monkeypatch, TINY)
    n = len(claims)
    rejects = pd.read_csv(tmp_path / "parts" / "findings.rejects.csv", dtype=str)
    # the repeated record id is the second-last row: data row n - 1, spreadsheet row n
    late = rejects[rejects["source_row"] == str(n)]
    assert late["reasons"].tolist() == ["DUPLICATE_RECORD_ID"]
    assert late["record_id"].tolist() == [claims["record_id"].iloc[n - 2]]
    assert late["serial"].tolist() == [claims["serial"].iloc[n - 2]]
    lines = pd.read_csv(tmp_path / "parts" / "lines.csv", dtype=str).set_index("record_id")
    row = lines.loc["LATE-SERIAL"]
    assert "DUPLICATE_SERIAL" in row["reasons"].split(";")
    assert row["status"] == "rejected"
    assert row["source_row"] == str(n + 1)
    assert s["rows"] == {"read": n, "audited": n - len(rejects), "rejected": len(rejects),
                         "reconciles": True}  # fmt: skip


def test_ledger_indexes_made_at_once_hold_what_rows_one_by_one_make(
    claims_file, tmp_path, monkeypatch
):
    """A batch that outnumbers the ledger's lines has the indexes of ``lines`` made again
    after its rows are written: same rows, same indexes (same SQL, same entries)."""
    folder, _ = claims_file
    chosen = []
    outnumbers = ledger.Ledger._outnumbers

    def spy(self, rows):
        chosen.append(outnumbers(self, rows))
        return chosen[-1]

    monkeypatch.setattr(ledger.Ledger, "_outnumbers", spy)
    at_once = _run(folder, tmp_path / "at_once", monkeypatch)
    assert chosen == [True]  # an empty ledger: the indexes were made at once
    monkeypatch.setattr(ledger.Ledger, "_outnumbers", lambda self, rows: False)
    one_by_one = _run(folder, tmp_path / "one_by_one", monkeypatch)
    assert at_once == one_by_one

    def contents(path):
        con = sqlite3.connect(path)
        out = {
            "dump": list(con.iterdump()),
            "check": con.execute("PRAGMA integrity_check").fetchall(),
            "serial": con.execute(
                "SELECT serial_key, rowid FROM lines INDEXED BY lines_serial "
                "WHERE serial_key IS NOT NULL ORDER BY serial_key"
            ).fetchall(),
            "equipment": con.execute(
                "SELECT equipment_id, rowid FROM lines INDEXED BY lines_equipment "
                "WHERE equipment_id IS NOT NULL ORDER BY equipment_id"
            ).fetchall(),
        }
        con.close()
        return out

    a = contents(tmp_path / "at_once" / "ledger.sqlite")
    b = contents(tmp_path / "one_by_one" / "ledger.sqlite")
    assert a == b
    assert a["check"] == [("ok",)]
    assert sum("CREATE INDEX" in s for s in a["dump"]) == 2
    assert len(a["equipment"]) > 0 and len(a["serial"]) > len(a["equipment"])


def test_indexes_are_made_at_once_only_for_a_batch_that_outnumbers_the_ledger(tmp_path):
    book = ledger.Ledger(tmp_path / "ledger.sqlite")
    assert not book._outnumbers(0)  # nothing to write: nothing made again
    assert book._outnumbers(1)  # an empty ledger
    book.con.executemany(
        "INSERT INTO lines VALUES (1, ?, 'C', ?, NULL, 'national', 100)",
        [(f"R{i}", f"S{i}") for i in range(10)],
    )
    assert not book._outnumbers(9)
    assert book._outnumbers(10)
    book.close()


def test_repeats_marks_every_later_row_of_a_key():
    # keys numbered in the order they first come; -1 = no key
    code = np.array([0, 1, 0, -1, 2, 1, -1, 1], dtype=np.int32)
    assert inputs.repeats(code).tolist() == [False, False, True, False, False, True, False, True]
    assert inputs.repeats(np.zeros(0, np.int32)).tolist() == []
    assert inputs.repeats(np.array([-1, -1], np.int32)).tolist() == [False, False]


def test_claimed_amounts_are_not_copied_when_already_zero_where_not_given():
    given = np.array([[True, False], [False, True]])
    claimed = np.array([[10_000, 0], [0, 525]], dtype=np.int64)
    assert rules.where_given(claimed, given) is claimed
    stray = np.array([[10_000, 7], [0, 525]], dtype=np.int64)  # 7 fen where none is given
    out = rules.where_given(stray, given)
    assert out.tolist() == [[10_000, 0], [0, 525]]
    assert stray.tolist() == [[10_000, 7], [0, 525]]  # the input itself is left alone


def test_quota_used_per_group_in_the_order_its_first_line_comes():
    groups = pa.array(["M1\x1f2012", "M2\x1f2012", "M3\x1f2013"])
    group = np.array([1, -1, 0, 1, 0, 2])  # -1: a line without a quota key
    used = np.array([100, 50, 0, 30, 20, 0], dtype=np.int64)  # watts
    # M2 comes first (line 0): 100 + 30; then M1 (line 2): 0 + 20; M3 used none
    assert pipeline._quota_used(group, groups, used) == [("M2\x1f2012", 130), ("M1\x1f2012", 20)]
