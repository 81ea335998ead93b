"""The typed batch result and what reads it: output names, the clash of an input column with
an output column, and the exact merge of the summary's totals."""

import numpy as np
import pytest
from click.testing import CliRunner

# the valid line and the table builder of the records tests
from test_records import GOOD, _table

from motorsub.cli import main
from motorsub.engine import columns
from motorsub.engine.batch import compute_batch, run
from motorsub.errors import InputError
from motorsub.kernels.totals import Totals
from motorsub.model.profile import settings


@pytest.mark.parametrize("name", ["subsidy_total", "reasons", "subsidy_national", "source_row"])
def test_an_input_column_named_like_an_output_column_is_refused(shipped, name):
    table = _table([{**GOOD, name: "999999"}])
    with pytest.raises(InputError, match=rf"ledger.csv: input column '{name}' has the name") as e:
        run(table, shipped, source="ledger.csv")
    assert e.value.exit_code == 2


def test_the_clash_is_refused_on_the_command_line_with_nothing_written(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("record_id,sale_date,region,motor_type,kw,grade,subsidy_total\n"
                   "a,2010-09-01,CN-JS,lv_async,15,2,999999\n")  # fmt: skip
    res = CliRunner().invoke(main, ["compute", str(src), "-o", str(tmp_path / "out.csv")])
    assert res.exit_code == 2
    assert "'subsidy_total' has the name of an output column" in res.output
    assert not (tmp_path / "out.csv").exists()


def test_lifetime_and_tariff_columns_are_output_names_only_when_asked_for(shipped):
    plain = columns.output_names(shipped, settings())
    asked = columns.output_names(shipped, settings(tariff=0.8, life_years=10))
    assert "payback_years" not in plain and "kwh_lifetime" not in plain
    assert {"payback_years", "bill_saving_per_year", "kwh_lifetime"} <= set(asked)
    # an input column of that name passes through when nothing is computed under it
    out = run(_table([{**GOOD, "payback_years": "3"}]), shipped).output
    assert out.column("payback_years").to_pylist() == ["3"]


def test_the_output_names_are_the_output_table_s_columns(shipped):
    st = settings(tariff=0.8, life_years=10)
    batch = compute_batch(_table([GOOD, {**GOOD, "kw": "x"}]), shipped, st, source="t")
    names = columns.output_table(batch, st).column_names
    assert tuple(names) == columns.output_names(shipped, st)
    # 15 kW × 35 CNY/kW (2010 lv_async grade 2, 0.55-22 kW) = 525.00 CNY = 52,500 fen
    assert batch.subsidy.fen[:, 0].tolist() == [52_500, 0, 0]
    assert batch.rows.tolist() == [0] and batch.rejected_rows.tolist() == [1]


def test_totals_merge_equals_one_pass(shipped):
    spec = [  # kW, region, type, grade, trade-in (old kW), kind, sale date
        ("15", "CN-JS", "lv_async", "2", None, "new", "2010-09-01"),
        ("11", "CN-SH", "lv_async", "2", "11", "new", "2013-06-01"),
        ("30", "CN-SH", "lv_async", "3", "30", "reman", "2013-06-01"),
        ("400", "CN-ZJ", "hv_async", None, None, "new", "2012-05-01"),
        ("-1", "CN-SH", "lv_async", "2", None, "new", "2013-06-01"),
        ("7.5", "XX", "lv_async", "2", None, "new", "2013-06-01"),
    ]
    rows = [
        {"record_id": f"r{i}", "sale_date": day, "region": region, "motor_type": mtype,
         "kw": kw, "grade": grade, "trade_in": "true" if old_kw else "false",
         "old_kw": old_kw, "kind": kind}
        for i, (kw, region, mtype, grade, old_kw, kind, day) in enumerate(spec)
    ]  # fmt: skip
    table = _table(rows)
    st = settings(hours=4000, load=0.75)
    whole = Totals(shipped)
    whole.add(compute_batch(table, shipped, st, source="t"))
    parts = [Totals(shipped) for _ in range(3)]
    for k, t in enumerate(parts):
        t.add(compute_batch(table.slice(2 * k, 2), shipped, st, source="t", offset=2 * k))
    merged = parts[2].merge(parts[0]).merge(parts[1])  # any order
    a, b = whole.summary(), merged.summary()
    assert (
        a["rows"]
        == b["rows"]
        == {"read": 6, "computed": 4, "rejected": 2, "blank": 0, "reconciles": True}
    )
    for key in (
        "totals_cny",
        "by_payee",
        "by_budget",
        "by_region",
        "by_motor_type",
        "by_rate_status",
        "by_scheme_version",
        "no_rate_lines",
        "reasons",
        "rejects",
    ):
        assert a[key] == b[key], key
    # 15 kW × 35 (2010 lv_async grade 2) = 525.00; 11 kW × 20 buy-back = 220.00 (its
    # national rate in 2013 is not known: 0); 30 kW × 20 buy-back = 600.00 and 30 kW × 45
    # reman = 1,350.00; hv_async 400 kW in 2012 × 26 (inferred) = 10,400.00
    assert a["totals_cny"]["total"] == 525.0 + 220.0 + 600.0 + 1350.0 + 10_400.0
    np.testing.assert_allclose(
        [a["savings_per_year"]["kwh"]], [b["savings_per_year"]["kwh"]], rtol=1e-12
    )


def test_totals_of_other_schemes_do_not_merge(shipped, tmp_path):
    from motorsub.model.schemes import load_schemes

    only = load_schemes([shipped.scheme("cn_national").source_file], defaults=False)
    with pytest.raises(ValueError, match="different schemes"):
        Totals(shipped).merge(Totals(only))
