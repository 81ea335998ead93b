"""Write the shipped audit examples (``examples/audit/``), reproducibly.

- ``batch1.csv`` — batch ``2014Q1``: a clean batch with one planted fault of every kind
  (see :func:`audit_data.plant`), including two rows that cannot be audited;
- ``batch2.csv`` — batch ``2014Q2``: clean lines, plus lines that re-claim lines paid in
  ``2014Q1`` (record ids ``2014Q2-R..``: the same serial and component claimed again, one
  of each component). Audited alone it has no finding; audited after ``2014Q1`` against
  the same ledger, exactly the re-claims are flagged;
- ``catalogue.csv``, ``buybacks.csv``, ``quotas.csv`` — the reference data of both.

Usage: ``python tests/audit/make_examples.py [OUT_DIR]`` (default ``examples/audit``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_data import as_text, generate, plant

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = (0.40, 0.12, 0.25, 0.15, 0.08)
#: Placeholder names, plainly fictional ("Jia/Yi/Bing Motor Co."), to show Chinese text.
NAMES = {
    "Maker 01": "甲电机有限公司",
    "Maker 02": "乙电机有限公司",
    "Maker 03": "丙电机有限公司",
    "Reman 01": "丁再制造有限公司",
    "Reman 02": "戊再制造有限公司",
    "Reman 03": "己再制造有限公司",
    "Recycler 01": "庚回收有限公司",
    "Recycler 02": "辛回收有限公司",
    "Quota Works": "壬电机有限公司",
}


def _rename(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in ("manufacturer", "claimant", "recycler"):
        if col in df.columns:
            df[col] = df[col].map(lambda x: NAMES.get(x, x))
    return df


def build() -> dict[str, pd.DataFrame]:
    """The example files, as text tables."""
    one, planted = plant(
        generate(60, 11, batch="2014Q1", prefix="A", makers=3, recyclers=2, weights=WEIGHTS)
    )
    two = {
        k: as_text(v)
        for k, v in generate(
            30, 12, batch="2014Q2", prefix="B", makers=3, recyclers=2, weights=WEIGHTS
        ).items()
    }
    c1 = one["claims"]
    faulty = set(planted) | set(planted["rejects"])
    clean = c1[~c1["record_id"].isin(faulty)]
    reclaims = []
    for col, kind in (
        ("claimed_national", "new"),
        ("claimed_sh_buyback", "new"),
        ("claimed_sh_reman", "reman"),
    ):
        reclaims.append(clean[(clean[col] != "") & (clean["kind"] == kind)].iloc[-1])
    again = pd.DataFrame(reclaims).reset_index(drop=True)
    again["batch_id"] = "2014Q2"
    again["record_id"] = [f"2014Q2-R{k:02d}" for k in range(1, len(again) + 1)]
    c2 = pd.concat([two["claims"], again], ignore_index=True)
    cat = pd.concat([one["catalogue"], two["catalogue"]]).drop_duplicates(["manufacturer", "model"])
    bb = pd.concat([one["buybacks"], two["buybacks"]]).drop_duplicates("equipment_id")
    q = pd.concat([one["quotas"], two["quotas"]])
    q["quota_kw"] = q["quota_kw"].astype(float)
    q = q.groupby(["manufacturer", "year"], as_index=False, sort=True)["quota_kw"].sum()
    return {
        "batch1": _rename(c1),
        "batch2": _rename(c2),
        "catalogue": _rename(as_text(cat.reset_index(drop=True))),
        "buybacks": _rename(as_text(bb.reset_index(drop=True))),
        "quotas": _rename(as_text(q)),
    }


def write(out: Path) -> list[Path]:
    """Write the examples as UTF-8 CSV (with BOM, as Excel wants) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in build().items():
        path = out / f"{name}.csv"
        df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "audit"
    for p in write(target):
        print(p)
