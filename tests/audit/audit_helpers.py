"""Helpers of the audit tests: small hand-written inputs and a runner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from motorsub.audit import audit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "audit"

#: Every column of a claim line, with defaults; tests override what they need.
LINE = {
    "record_id": "L1",
    "batch_id": "Q1",
    "claimant": "Maker A",
    "manufacturer": "Maker A",
    "model": "YE2-15-2",
    "serial": "SN1",
    "invoice_no": "FP1",
    "invoice_date": "2010-09-02",
    "contract_no": "",
    "sale_date": "2010-09-01",
    "region": "CN-JS",
    "motor_type": "lv_async",
    "kw": "15",
    "qty": "1",
    "grade": "2",
    "kind": "new",
    "trade_in": "false",
    "old_kw": "",
    "old_qty": "",
    "old_equipment_id": "",
    "claimed_national": "",
    "claimed_sh_buyback": "",
    "claimed_sh_reman": "",
}

#: The catalogue the hand-written lines refer to.
MODELS = [
    ("Maker A", "YE2-15-2", "lv_async", "15", "2"),
    ("Maker A", "YE3-15-1", "lv_async", "15", "1"),
    ("Maker A", "YE2-18.5-2", "lv_async", "18.5", "2"),
    ("Maker A", "YKK-400", "hv_async", "400", ""),
    ("Maker A", "YKK-500", "hv_async", "500", ""),
    ("Maker A", "YKK-710", "hv_async", "710", ""),
    ("Reman B", "YR-15-2", "lv_async", "15", "2"),
]


def claims(*lines: dict) -> pd.DataFrame:
    """Claim lines as text, each the :data:`LINE` defaults updated with its own values."""
    return pd.DataFrame([LINE | line for line in lines])


def catalogue(extra: list[dict] | None = None) -> pd.DataFrame:
    rows = [
        {
            "manufacturer": m,
            "model": mo,
            "motor_type": t,
            "kw": kw,
            "grade": g,
            "listed_from": "2010-01-01",
            "delisted_from": "",
        }
        for m, mo, t, kw, g in MODELS
    ]
    return pd.DataFrame(rows + (extra or []))


def buybacks(*rows: dict) -> pd.DataFrame:
    base = {
        "equipment_id": "",
        "old_kw": "",
        "old_qty": "1",
        "buyback_date": "2012-05-10",
        "contract_no": "",
        "new_serial": "",
    }
    return pd.DataFrame(
        [base | r for r in rows] or [base | {"equipment_id": "UNUSED", "old_kw": "1"}]
    )


def run(lines: pd.DataFrame, *, bb=None, quotas=None, cat=None, **kw):
    """Audit; return the result and the lines indexed by record id."""
    res = audit(
        lines, catalogue() if cat is None else cat, buybacks() if bb is None else bb, quotas, **kw
    )
    return res, res.lines.to_pandas().set_index("record_id")


def codes(row) -> set[str]:
    return set(filter(None, row["reasons"].split(";")))
