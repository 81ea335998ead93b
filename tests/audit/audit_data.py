"""Generated audit inputs: a clean claims set whose amounts are worked out by hand, and
planted faults of every kind with the codes each must get.

The clean set only uses sale lines whose rates the shipped schemes give and the domain
notes state, so that every claimed amount here comes from the rule text, not from the
engine (amount = rate [fen/kW] × kW × units, rounded half-up to the fen, in integers):

- ``A`` national, lv_async new, grade 1 / 2, 0.55–22 kW, sold 2010-06-01 – 2011-03-18:
  40 / 35 CNY/kW (财建〔2010〕232号), claimed by the manufacturer;
- ``B`` national, hv_async new, 355 kW and up, sold 2011-03-19 – 2013-09-11: 26 CNY/kW;
- ``C`` Shanghai buy-back, lv_async new grade 1 / 2 traded in, 2012–2015: 20 CNY/kW of
  the old motor, claimed by the recycler (the national rate of those years is unknown);
- ``D`` Shanghai remanufacture: 45 CNY/kW of the reman motor (remanufacturer's line) and
  20 CNY/kW of the old motor (recycler's line, same serial and equipment id);
- ``E`` hv_async new traded in in Shanghai, 2012-01-01 – 2013-09-11: 26 CNY/kW national
  (manufacturer) and 20 CNY/kW buy-back (recycler).

Used by the tests, by ``make_examples.py`` (the shipped examples) and by the benchmark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LV = np.array([0.55, 0.75, 1.1, 1.5, 2.2, 3, 4, 5.5, 7.5, 11, 15, 18.5, 22])
LV_BIG = np.array([30, 37, 45, 55, 75, 90, 110, 132, 160, 200, 250, 315])
HV = np.array([355, 400, 450, 500, 560, 630, 710, 800, 1000, 1250, 1600, 2000, 2500])
REGIONS = np.array(["CN-JS", "CN-ZJ", "CN-GD", "CN-SD", "CN-AH", "CN-HB", "CN-BJ"])
KINDS = np.array(["A", "B", "C", "D", "E"])
COMPONENTS = ("national", "sh_buyback", "sh_reman")
FEN_PER_KW = {"A1": 4000, "A2": 3500, "B": 2600, "buyback": 2000, "reman": 4500}
WINDOWS = {
    "A": ("2010-06-01", "2011-03-18"),
    "B": ("2011-03-19", "2013-09-11"),
    "C": ("2012-01-01", "2015-12-31"),
    "D": ("2012-01-01", "2015-12-31"),
    "E": ("2012-01-01", "2013-09-11"),
}


def amount_fen(rate_fen: np.ndarray, kw: np.ndarray, units: np.ndarray) -> np.ndarray:
    """rate [fen/kW] × kW × units, half-up to the fen, in exact integers (kW to 1 W)."""
    watts = np.round(np.asarray(kw, dtype=float) * 1000).astype(np.int64)
    return (np.asarray(rate_fen, np.int64) * watts * np.asarray(units, np.int64) + 500) // 1000


def _days(rng, kind: np.ndarray) -> np.ndarray:
    out = np.empty(len(kind), dtype="datetime64[D]")
    for k, (a, b) in WINDOWS.items():
        m = kind == k
        lo, hi = np.datetime64(a), np.datetime64(b)
        out[m] = lo + rng.integers(0, (hi - lo).astype(int) + 1, m.sum())
    return out


def _fmt(kw: np.ndarray) -> np.ndarray:
    return np.array([f"{x:g}" for x in kw], dtype=object)


def generate(
    n_lines: int,
    seed: int = 0,
    *,
    batch: str = "Q1",
    prefix: str = "",
    makers: int = 6,
    recyclers: int = 3,
    catalogue_size: int | None = None,
    buyback_size: int | None = None,
    weights=(0.45, 0.05, 0.28, 0.17, 0.05),
) -> dict[str, pd.DataFrame]:
    """A clean claims batch and the catalogue, buy-backs and quotas that back it.

    Parameters
    ----------
    n_lines : int
        Claim lines (a D or E sale gives two lines; the last sale may be cut to one).
    prefix : str
        Prepended to serials, equipment ids, contracts and invoices, so that batches
        generated with different prefixes share none.
    catalogue_size, buyback_size : int, optional
        Pad the catalogue / buy-backs with unrelated entries up to this size.
    """
    rng = np.random.default_rng(seed)
    m = n_lines  # sales; lines are cut to n_lines below
    kind = KINDS[rng.choice(5, size=m, p=np.array(weights) / sum(weights))]
    day = _days(rng, kind)
    hv = (kind == "B") | (kind == "E")
    kw = np.where(hv, HV[rng.integers(0, len(HV), m)], LV[rng.integers(0, len(LV), m)])
    big = (kind == "C") & (rng.random(m) < 0.2)
    kw = np.where(big, LV_BIG[rng.integers(0, len(LV_BIG), m)], kw)
    qty = np.where(rng.random(m) < 0.8, 1, rng.integers(2, 6, m))
    qty = np.where(hv, 1, qty)
    grade = np.where(kind == "D", rng.integers(1, 4, m), rng.integers(1, 3, m))
    grade_s = np.where(hv, "", grade.astype(str))
    trade = np.isin(kind, ["C", "D", "E"])
    split = trade & (kind != "E") & (rng.random(m) < 0.15) & (kw >= 1.1)
    old_kw = np.where(split, kw / 2, kw)
    old_qty = np.where(split, 2 * qty, qty)
    region = np.where(trade, "CN-SH", REGIONS[rng.integers(0, len(REGIONS), m)])
    maker_i = rng.integers(1, makers + 1, m)
    manufacturer = np.where(
        kind == "D",
        np.char.add("Reman ", np.char.zfill(maker_i.astype(str), 2)),
        np.char.add("Maker ", np.char.zfill(maker_i.astype(str), 2)),
    )
    recycler = np.char.add(
        "Recycler ", np.char.zfill(rng.integers(1, recyclers + 1, m).astype(str), 2)
    )
    mtype = np.where(hv, "hv_async", "lv_async")
    series = np.where(hv, "YKK-", np.where(kind == "D", "YR-", "YE-"))
    model = np.char.add(
        np.char.add(series, _fmt(kw).astype(str)), np.where(hv, "", np.char.add("-", grade_s))
    )
    sale = np.arange(m)
    serial = np.char.add(f"{prefix}SN", np.char.zfill(sale.astype(str), 9))
    equipment = np.where(trade, np.char.add(f"{prefix}EQ", np.char.zfill(sale.astype(str), 9)), "")
    contract = np.where(trade, np.char.add(f"{prefix}HT", np.char.zfill(sale.astype(str), 9)), "")
    national = np.where(kind == "A", amount_fen(np.where(grade == 1, 4000, 3500), kw, qty), 0)
    national = np.where(hv, amount_fen(np.full(m, 2600), kw, qty), national)
    buyback = np.where(trade, amount_fen(np.full(m, 2000), old_kw, old_qty), 0)
    reman = np.where(kind == "D", amount_fen(np.full(m, 4500), kw, qty), 0)

    # one or two claim lines per sale: (sale, claimant role)
    first = np.where(
        np.isin(kind, ["A", "B", "E"]), 0, np.where(kind == "C", 1, 2)
    )  # 0 maker, 1 recycler, 2 reman
    second = np.isin(kind, ["D", "E"])
    sale_of = np.concatenate([sale, sale[second]])
    role = np.concatenate([first, np.ones(second.sum(), dtype=np.int64)])
    order = np.lexsort((role, sale_of))[:n_lines]
    s, r = sale_of[order], role[order]
    n = len(s)
    nan = np.full(n, np.nan)
    dates = np.datetime_as_string(day[s])
    claims = pd.DataFrame(
        {
            "record_id": [f"{batch}-{i:07d}" for i in range(1, n + 1)],
            "batch_id": batch,
            "claimant": np.where(r == 1, recycler[s], manufacturer[s]),
            "manufacturer": manufacturer[s],
            "model": model[s],
            "serial": serial[s],
            "invoice_no": np.char.add(f"{prefix}FP", np.char.zfill(s.astype(str), 9)),
            "invoice_date": dates,
            "contract_no": contract[s],
            "sale_date": dates,
            "region": region[s],
            "motor_type": mtype[s],
            "kw": kw[s],
            "qty": qty[s],
            "grade": grade_s[s],
            "kind": np.where(kind[s] == "D", "reman", "new"),
            "trade_in": np.where(trade[s], "true", "false"),
            "old_kw": np.where(trade[s], old_kw[s], nan),
            "old_qty": np.where(trade[s], old_qty[s].astype(float), nan),
            "old_equipment_id": equipment[s],
            "claimed_national": np.where(r == 0, national[s] / 100, nan),
            "claimed_sh_buyback": np.where(r == 1, buyback[s] / 100, nan),
            "claimed_sh_reman": np.where(r == 2, reman[s] / 100, nan),
        }
    )
    used = np.unique(s)
    cat = pd.DataFrame(
        {
            "manufacturer": manufacturer[used],
            "model": model[used],
            "motor_type": mtype[used],
            "kw": kw[used],
            "grade": grade_s[used],
        }
    ).drop_duplicates(["manufacturer", "model"])
    if catalogue_size and catalogue_size > len(cat):
        k = catalogue_size - len(cat)
        cat = pd.concat(
            [
                cat,
                pd.DataFrame(
                    {
                        "manufacturer": [f"Listed {i % 500:03d}" for i in range(k)],
                        "model": [f"YE4-{i:06d}" for i in range(k)],
                        "motor_type": "lv_async",
                        "kw": LV[np.arange(k) % len(LV)],
                        "grade": "2",
                    }
                ),
            ]
        )
    cat["poles"] = ""
    cat["efficiency"] = ""
    cat["listed_from"] = "2010-01-01"
    cat["delisted_from"] = ""
    t = used[trade[used]]
    bb = pd.DataFrame(
        {
            "equipment_id": equipment[t],
            "recycler": recycler[t],
            "old_model": np.char.add("Y-", _fmt(old_kw[t]).astype(str)),
            "old_kw": old_kw[t],
            "old_qty": old_qty[t],
            "buyback_date": np.datetime_as_string(day[t]),
            "contract_no": contract[t],
            "new_serial": serial[t],
        }
    )
    if buyback_size and buyback_size > len(bb):
        k = buyback_size - len(bb)
        bb = pd.concat(
            [
                bb,
                pd.DataFrame(
                    {
                        "equipment_id": [f"{prefix}OLD{i:09d}" for i in range(k)],
                        "recycler": "Recycler 01",
                        "old_model": "Y-15",
                        "old_kw": 15.0,
                        "old_qty": 1,
                        "buyback_date": "2013-01-01",
                        "contract_no": "",
                        "new_serial": "",
                    }
                ),
            ]
        )
    maker_lines = claims[claims["claimed_national"].notna()]
    year = maker_lines["sale_date"].str[:4]
    used_kw = (
        (maker_lines["kw"] * maker_lines["qty"]).groupby([maker_lines["manufacturer"], year]).sum()
    )
    quotas = pd.DataFrame(
        {
            "manufacturer": [k[0] for k in used_kw.index],
            "year": [int(k[1]) for k in used_kw.index],
            "quota_kw": np.ceil(used_kw.to_numpy() * 2 + 1000),
        }
    )
    return {
        "claims": claims,
        "catalogue": cat.reset_index(drop=True),
        "buybacks": bb.reset_index(drop=True),
        "quotas": quotas,
    }


# ------------------------------------------------------------------------------------
# planted faults


def _pick(claims: pd.DataFrame, taken: set, where) -> int:
    for i in np.flatnonzero(where(claims).to_numpy()):
        if i not in taken and claims.at[i, "serial"] not in {claims.at[j, "serial"] for j in taken}:
            taken.add(i)
            return int(i)
    raise LookupError("no clean line of the kind needed to plant a fault; generate more lines")


def plant(data: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], dict[str, dict]]:
    """Plant one fault of every kind in a clean set.

    Returns the new inputs and, per planted record id, the expected ``codes`` (the audit
    codes and engine eligibility codes of its ``reasons``), ``status`` and, where the
    fault leaves an amount, the expected ``approved`` total [CNY] worked out by hand.
    Input rows that cannot be audited are expected under ``"rejects"``.
    """
    c = data["claims"].astype(object)
    cat, bb, quotas = data["catalogue"].copy(), data["buybacks"].copy(), data["quotas"].copy()
    taken: set[int] = set()
    exp: dict[str, dict] = {}

    def lv_a(d):  # kind A: national on a new lv motor
        return (
            (d["kind"] == "new") & (d["motor_type"] == "lv_async") & d["claimed_national"].notna()
        )

    def c_line(d):  # kind C: the recycler's buy-back of a new lv motor's trade-in
        return (
            d["claimed_sh_buyback"].notna() & (d["kind"] == "new") & (d["motor_type"] == "lv_async")
        )

    def hv_a(d):  # kind B: national on a new hv motor, no trade-in
        return (
            (d["motor_type"] == "hv_async")
            & d["claimed_national"].notna()
            & (d["trade_in"] == "false")
        )

    extra = []

    def new_id(tag):
        return f"{c.at[0, 'batch_id']}-X{tag}"

    # DUPLICATE_SERIAL: the same line claimed again under a new record id
    i = _pick(c, taken, lv_a)
    row = c.loc[i].copy()
    row["record_id"] = new_id("DUPSER")
    extra.append(row)
    exp[row["record_id"]] = {"codes": {"DUPLICATE_SERIAL"}, "status": "rejected", "approved": 0.0}
    # DUPLICATE_EQUIPMENT: another new motor's trade-in cites the same old motor
    i = _pick(c, taken, c_line)
    row = c.loc[i].copy()
    row["record_id"], row["serial"] = new_id("DUPEQ"), row["serial"] + "-B"
    row["invoice_no"] = row["invoice_no"] + "-B"
    extra.append(row)
    exp[row["record_id"]] = {
        "codes": {"DUPLICATE_EQUIPMENT", "BUYBACK_MISMATCH", "OVER_CLAIM"},
        "status": "rejected",
        "approved": 0.0,
    }
    # NOT_IN_CATALOGUE
    i = _pick(c, taken, lv_a)
    c.at[i, "model"] = "NO-SUCH-MODEL"
    exp[c.at[i, "record_id"]] = {
        "codes": {"NOT_IN_CATALOGUE"},
        "status": "rejected",
        "approved": 0.0,
    }
    # CATALOGUE_MISMATCH: claimed as grade 1 (40 CNY/kW) where the model is listed grade 2 (35)
    i = _pick(c, taken, lambda d: lv_a(d) & (d["grade"] == "2"))
    kw, qty = float(c.at[i, "kw"]), int(c.at[i, "qty"])
    c.at[i, "grade"] = "1"
    c.at[i, "claimed_national"] = amount_fen(4000, kw, qty) / 100
    exp[c.at[i, "record_id"]] = {
        "codes": {"CATALOGUE_MISMATCH", "OVER_CLAIM"},
        "status": "adjusted",
        "approved": amount_fen(3500, kw, qty) / 100,
    }
    # DELISTED: a model delisted before the sale
    i = _pick(c, taken, lv_a)
    c.at[i, "model"] = "YE-DELISTED"
    cat.loc[len(cat)] = {
        "manufacturer": c.at[i, "manufacturer"],
        "model": "YE-DELISTED",
        "motor_type": "lv_async",
        "kw": c.at[i, "kw"],
        "grade": c.at[i, "grade"],
        "poles": "",
        "efficiency": "",
        "listed_from": "2009-01-01",
        "delisted_from": "2010-05-01",
    }
    exp[c.at[i, "record_id"]] = {"codes": {"DELISTED"}, "status": "rejected", "approved": 0.0}
    # OVER_CLAIM and UNDER_CLAIM
    i = _pick(c, taken, lv_a)
    right = float(c.at[i, "claimed_national"])
    c.at[i, "claimed_national"] = round(right + 100.0, 2)
    exp[c.at[i, "record_id"]] = {"codes": {"OVER_CLAIM"}, "status": "adjusted", "approved": right}
    i = _pick(c, taken, lambda d: lv_a(d) & (d["claimed_national"] > 20))
    claimed = round(float(c.at[i, "claimed_national"]) - 10.0, 2)
    c.at[i, "claimed_national"] = claimed
    exp[c.at[i, "record_id"]] = {
        "codes": {"UNDER_CLAIM"},
        "status": "approved",
        "approved": claimed,
    }
    # NO_BUYBACK_RECORD: the equipment id is in no recycler's record
    i = _pick(c, taken, c_line)
    c.at[i, "old_equipment_id"] = "EQ-NOT-BOUGHT-BACK"
    exp[c.at[i, "record_id"]] = {
        "codes": {"NO_BUYBACK_RECORD", "OVER_CLAIM"},
        "status": "rejected",
        "approved": 0.0,
    }
    # BUYBACK_MISMATCH: the claim's old motor is bigger than the recycler recorded
    i = _pick(c, taken, lambda d: c_line(d) & (d["old_qty"] == d["qty"]) & (d["old_kw"] == d["kw"]))
    old_kw, old_qty = float(c.at[i, "old_kw"]), int(c.at[i, "old_qty"])
    c.at[i, "old_kw"] = old_kw * 2
    c.at[i, "claimed_sh_buyback"] = amount_fen(2000, old_kw * 2, old_qty) / 100
    exp[c.at[i, "record_id"]] = {
        "codes": {"BUYBACK_MISMATCH", "OVER_CLAIM"},
        "status": "adjusted",
        "approved": amount_fen(2000, old_kw, old_qty) / 100,
    }
    # QUOTA_EXCEEDED: three hv lines of one manufacturer-year; the quota holds the first
    # two by sale date; the line sold last comes first in the file
    picks = [_pick(c, taken, hv_a) for _ in range(3)]
    for k, (i, d) in enumerate(zip(picks, ("2012-03-01", "2012-04-01", "2012-05-01"), strict=True)):
        c.at[i, "manufacturer"] = c.at[i, "claimant"] = "Quota Works"
        c.at[i, "model"] = f"YKK-Q{k}"
        c.at[i, "sale_date"] = c.at[i, "invoice_date"] = d
        cat.loc[len(cat)] = {
            "manufacturer": "Quota Works",
            "model": f"YKK-Q{k}",
            "motor_type": "hv_async",
            "kw": c.at[i, "kw"],
            "grade": "",
            "poles": "",
            "efficiency": "",
            "listed_from": "2010-01-01",
            "delisted_from": "",
        }
    kws = [float(c.at[i, "kw"]) * int(c.at[i, "qty"]) for i in picks]
    quotas.loc[len(quotas)] = {
        "manufacturer": "Quota Works",
        "year": 2012,
        "quota_kw": kws[0] + kws[1],
    }
    later = picks[2]  # moved to the top of the file at the end
    for i in picks[:2]:
        exp[c.at[i, "record_id"]] = {
            "codes": set(),
            "status": "approved",
            "approved": float(c.at[i, "claimed_national"]),
        }
    exp[c.at[later, "record_id"]] = {
        "codes": {"QUOTA_EXCEEDED"},
        "status": "rejected",
        "approved": 0.0,
    }
    # INCOMPLETE: no invoice number; no serial; a trade-in without the old motor's id
    for col, where in (("invoice_no", lv_a), ("serial", lv_a), ("old_equipment_id", c_line)):
        i = _pick(c, taken, where)
        c.at[i, col] = ""
        # a trade-in without its equipment id is not recognised: the buy-back is over-claimed
        found = {"INCOMPLETE", "OVER_CLAIM"} if col == "old_equipment_id" else {"INCOMPLETE"}
        exp[c.at[i, "record_id"]] = {"codes": found, "status": "rejected", "approved": 0.0}
    # an engine eligibility code: a grade-3 motor claims the national subsidy
    i = _pick(c, taken, lv_a)
    c.at[i, "grade"] = "3"
    c.at[i, "model"] = "YE-G3"
    cat.loc[len(cat)] = {
        "manufacturer": c.at[i, "manufacturer"],
        "model": "YE-G3",
        "motor_type": "lv_async",
        "kw": c.at[i, "kw"],
        "grade": "3",
        "poles": "",
        "efficiency": "",
        "listed_from": "2010-01-01",
        "delisted_from": "",
    }
    exp[c.at[i, "record_id"]] = {
        "codes": {"GRADE_NOT_ELIGIBLE", "OVER_CLAIM"},
        "status": "rejected",
        "approved": 0.0,
    }
    # RATE_UNKNOWN: a national claim in 2012, when no source gives the low-voltage rate
    # (财建〔2011〕62号: only the range 26-100 CNY/kW): claimed at 30 CNY/kW, inside the range,
    # the whole claim is unverified; claimed at 110 CNY/kW, the part above 100 CNY/kW is
    # disallowed (RATE_OUT_OF_RANGE) and 100 CNY/kW × kW × units stays unverified.
    for tag, fen_per_kw in (("RATE", 3000), ("RANGE", 11000)):
        i = _pick(c, taken, lv_a)
        kw, qty = float(c.at[i, "kw"]), int(c.at[i, "qty"])
        c.at[i, "sale_date"] = c.at[i, "invoice_date"] = "2012-05-01"
        c.at[i, "claimed_national"] = amount_fen(fen_per_kw, kw, qty) / 100
        found = {"RATE_UNKNOWN", "NO_RATE"} | ({"RATE_OUT_OF_RANGE"} if tag == "RANGE" else set())
        exp[c.at[i, "record_id"]] = {
            "codes": found,
            "status": "unverified",
            "approved": 0.0,
            "unverified": amount_fen(min(fen_per_kw, 10000), kw, qty) / 100,
        }
    # a bad sale-line value: audited and rejected, with the records' own code
    i = _pick(c, taken, lv_a)
    c.at[i, "kw"] = "fifteen"
    exp[c.at[i, "record_id"]] = {"codes": {"BAD_KW"}, "status": "rejected", "approved": 0.0}
    # rows that cannot be audited at all
    rejects = {}
    i = _pick(c, taken, lv_a)
    c.at[i, "claimant"] = ""
    rejects[c.at[i, "record_id"]] = "MISSING_CLAIMANT"
    i = _pick(c, taken, lv_a)
    c.at[i, "claimed_national"] = "12.345"
    rejects[c.at[i, "record_id"]] = "BAD_CLAIMED_NATIONAL"
    c = pd.concat([c.loc[[later]], c.drop(index=later), pd.DataFrame(extra)], ignore_index=True)
    exp["rejects"] = rejects
    return {
        "claims": as_text(c.reset_index(drop=True)),
        "catalogue": as_text(cat),
        "buybacks": as_text(bb),
        "quotas": as_text(quotas),
    }, exp


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text a CSV file would hold (empty for a missing value)."""

    def cell(x):
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return ""
        if isinstance(x, float) and x.is_integer():
            return str(int(x)) if abs(x) < 1e15 else str(x)
        return str(x)

    return df.apply(lambda col: col.map(cell)).astype(object)
