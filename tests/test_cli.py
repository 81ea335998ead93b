"""The command line: quote's hand-worked answers, exit codes, and one real subprocess run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from motorsub.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "records.csv"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def quote_json(*args):
    res = invoke("quote", "--json", *args)
    assert res.exit_code == 0, res.output
    q = json.loads(res.output)
    return q, {c["component"]: c for c in q["components"]}


LV15 = ("--motor-type", "lv_async", "--kw", "15", "--grade", "2")
SH_TRADE = ("--region", "CN-SH", "--date", "2012-05-10", "--trade-in", "--old-kw", "15")


def test_quote_jiangsu_2010():
    # 35 CNY/kW × 15 kW
    q, c = quote_json(*LV15, "--region", "CN-JS", "--date", "2010-09-01")
    assert c["national"]["amount"] == 525.00
    assert c["national"]["rate_cny_per_kw"] == 35
    assert c["national"]["payee"] == "manufacturer"
    assert q["total"] == 525.00


def test_quote_shanghai_trade_in_new():
    # buy-back 20 CNY/kW × 15 kW; the 2011 national rate for lv_async is not known
    q, c = quote_json(*LV15, *SH_TRADE)
    assert c["sh_buyback"]["amount"] == 300.00
    assert c["sh_buyback"]["payee"] == "recycler"
    assert c["national"]["amount"] == 0
    assert c["national"]["reason"] == "NO_RATE"
    assert q["total"] == 300.00


def test_quote_shanghai_trade_in_reman():
    # 20 × 15 + 45 × 15 = 300 + 675
    q, c = quote_json(*LV15, *SH_TRADE, "--kind", "reman")
    assert c["sh_buyback"]["amount"] == 300.00
    assert c["sh_reman"]["amount"] == 675.00
    assert c["national"]["reason"] == "REMAN_NO_NATIONAL"
    assert q["total"] == 975.00


def test_quote_hv_trade_in_two_old_motors():
    # national 26 × 400 (inferred); buy-back 20 × 200 × 2
    q, c = quote_json(
        "--motor-type",
        "hv_async",
        "--kw",
        "400",
        "--region",
        "CN-SH",
        "--date",
        "2012-05-10",
        "--trade-in",
        "--old-kw",
        "200",
        "--old-qty",
        "2",
    )
    assert c["national"]["amount"] == 10400.00
    assert c["national"]["rate_status"] == "inferred"
    assert c["sh_buyback"]["amount"] == 8000.00
    assert (c["sh_buyback"]["basis_kw"], c["sh_buyback"]["units"]) == (200, 2)
    assert q["total"] == 18400.00


def test_quote_unknown_rate_says_so():
    _, c = quote_json(
        "--motor-type",
        "lv_async",
        "--kw",
        "30",
        "--grade",
        "2",
        "--region",
        "CN-JS",
        "--date",
        "2010-09-01",
    )
    assert c["national"]["amount"] == 0
    assert c["national"]["reason"] == "NO_RATE"
    assert c["national"]["rate_cny_per_kw"] is None
    assert "15-40" in c["national"]["explanation"]
    text = invoke(
        "quote",
        "--motor-type",
        "lv_async",
        "--kw",
        "30",
        "--grade",
        "2",
        "--region",
        "CN-JS",
        "--date",
        "2010-09-01",
    ).output
    assert "national: NO_RATE" in text


def test_quote_net_price():
    # 2 motors × 4200 − 2 × 15 × 35 = 8400 − 1050
    q, _ = quote_json(
        *LV15, "--qty", "2", "--region", "CN-JS", "--date", "2010-09-01", "--price", "4200"
    )
    assert q["net_price"] == 7350.00


def test_quote_bad_value_exit_2():
    res = invoke(
        "quote",
        "--motor-type",
        "lv_async",
        "--kw",
        "15",
        "--region",
        "CN-JS",
        "--date",
        "2010-09-01",
    )
    assert res.exit_code == 2
    assert "--grade is required for lv_async" in res.output


def test_compute_exit_codes(tmp_path):
    res = invoke("compute", EXAMPLE, "-o", tmp_path / "out.csv", "--summary", tmp_path / "s.json")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["rows"]["read"] == summary["rows"]["computed"] + summary["rows"]["rejected"]
    assert summary["rows"]["rejected"] == 2  # the two faulty lines of the example
    # --strict with rejects: exit 4 and no output
    res = invoke("compute", EXAMPLE, "-o", tmp_path / "strict.csv", "--strict")
    assert res.exit_code == 4
    assert "row 7, column sale_date: '2012/13/01' (BAD_SALE_DATE)" in res.output
    assert not (tmp_path / "strict.csv").exists()
    # missing input: exit 2
    res = invoke("compute", tmp_path / "none.csv", "-o", tmp_path / "o.csv")
    assert res.exit_code == 2
    # missing required column: exit 2, names the file and column
    (tmp_path / "cols.csv").write_text("record_id,sale_date\n1,2010-01-01\n")
    res = invoke("compute", tmp_path / "cols.csv", "-o", tmp_path / "o.csv")
    assert res.exit_code == 2
    assert "cols.csv: missing required columns region, motor_type, kw" in res.output
    assert not (tmp_path / "o.csv").exists()
    # invalid scheme: exit 3
    res = invoke(
        "compute",
        EXAMPLE,
        "-o",
        tmp_path / "o.csv",
        "--schemes",
        ROOT / "tests" / "schemes" / "broken" / "negative_rate.toml",
    )
    assert res.exit_code == 3
    assert "negative_rate.toml: versions[0].rates[0].cny_per_kw" in res.output
    # usage error: exit 2
    assert invoke("compute", EXAMPLE).exit_code == 2


def test_schemes_show_prints_every_rate_with_source_and_status():
    text = invoke("schemes", "show", "cn_national").output
    for needle in (
        "40.00",
        "35.00",
        "12.00",
        "26.00",
        "inferred",
        "reported",
        "财建〔2010〕232号",
        "NO RATE",
        "cells with no rate",
    ):
        assert needle in text
    text = invoke("schemes", "show", "cn_sh_tradein").output
    assert "20.00" in text and "45.00" in text and "沪府办发〔2011〕62号" in text
    assert invoke("schemes", "show", "nope").exit_code == 2  # an unknown id: a usage error


def test_schemes_list_and_validate():
    res = invoke("schemes", "list")
    assert "cn_national" in res.output and "cn_sh_tradein" in res.output
    res = invoke("schemes", "validate", ROOT / "schemes")
    assert res.exit_code == 0 and res.output.count("ok ") == 2
    res = invoke("schemes", "validate", ROOT / "tests" / "schemes" / "broken" / "versions_gap.toml")
    assert res.exit_code == 3


def test_synth_is_deterministic(tmp_path):
    for name in ("a.csv", "b.csv"):
        assert invoke("synth", "--rows", "500", "--seed", "3", "-o", tmp_path / name).exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    invoke("synth", "--rows", "500", "--seed", "4", "-o", tmp_path / "c.csv")
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_real_subprocess_uses_the_installed_package(tmp_path):
    """``python -m motorsub`` from another folder finds the schemes where it is installed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "motorsub",
            "compute",
            str(EXAMPLE),
            "-o",
            str(tmp_path / "o.parquet"),
            "--json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["rows"]["reconciles"] is True
    assert (tmp_path / "o.parquet").exists()
    assert (tmp_path / "o.rejects.csv").exists()


@pytest.mark.parametrize(
    "cmd", [[], ["compute"], ["quote"], ["schemes"], ["synth"], ["audit"], ["project"]]
)
def test_help_has_examples(cmd):
    res = invoke(*cmd, "--help")
    assert res.exit_code == 0
    assert "Example" in res.output  # every command shows how it is used
    assert "Exit codes" in res.output


def test_cli_batch_default_is_the_back_end_s():
    from motorsub.backends import DEFAULT_BATCH_ROWS
    from motorsub.cli.compute import compute

    (option,) = [p for p in compute.params if p.name == "batch_rows"]
    assert option.default == DEFAULT_BATCH_ROWS == 250_000


def test_quote_savings_worked_by_hand():
    # 11 kW × 0.75 × 4000 h × (100/87.6 − 100/91.4); η_new = GB 18613-2012 grade 2 = IE3 91.4
    q, _ = quote_json(
        "--motor-type", "lv_async", "--kw", "11", "--poles", "4", "--grade", "2",
        "--trade-in", "--old-kw", "11", "--old-efficiency", "87.6", "--region", "CN-SH",
        "--date", "2013-06-01", "--hours", "4000", "--load", "0.75", "--tariff", "0.8",
        "--price", "3800",
    )  # fmt: skip
    kwh = 11 * 0.75 * 4000 * (100 / 87.6 - 100 / 91.4)
    s = q["savings"]
    assert s["eta_new"] == 91.4 and s["eta_old"] == 87.6
    assert s["kwh_per_year"] == pytest.approx(kwh, rel=1e-9)
    assert s["tce_per_year"] == pytest.approx(kwh * 0.300 / 1000, rel=1e-9)
    assert s["tco2_per_year"] == pytest.approx(kwh * 0.7035 / 1000, rel=1e-9)
    assert s["bill_saving_per_year"] == pytest.approx(kwh * 0.8, rel=1e-9)
    assert q["net_price"] == 3800 - 220  # buy-back 20 CNY/kW × 11 kW
    assert s["payback_years"] == pytest.approx(3580 / (kwh * 0.8), rel=1e-9)


def test_warmup_runs_every_kernel_once():
    res = invoke("warmup")
    assert res.exit_code == 0, res.output
    assert "kernels compiled and cached" in res.output


# In a fresh interpreter: warm every kernel, then run compute as users do (CSV and Parquet,
# options given as 4000 or 4000.0, part load on and off) and print every kernel whose
# compiled signatures grew, i.e. that warmup left to compile at the first real run.
WARM_THEN_RUN = """
import sys
from numba.core.registry import CPUDispatcher
from motorsub.cli import main
from motorsub.cli.warmup import warm_all

def dispatchers():
    return {f"{m}.{k}": v for m, mod in list(sys.modules.items()) if m.startswith("motorsub")
            for k, v in vars(mod).items() if isinstance(v, CPUDispatcher)}

warm_all()
before = {k: len(d.signatures) for k, d in dispatchers().items()}
for args in sys.argv[1:]:
    main(args.split(), standalone_mode=False)
print(sorted(k for k, d in dispatchers().items() if len(d.signatures) > before.get(k, 0)))
"""


def test_warmup_leaves_nothing_to_compile_for_compute(tmp_path):
    from motorsub.cli.lean import SMALL_ROWS
    from motorsub.engine.synth import synth

    csv_in, pq_in = tmp_path / "in.csv", tmp_path / "in.parquet"
    synth(SMALL_ROWS + 500, 5, csv_in)  # compiled kernels, not a lean run
    synth(SMALL_ROWS + 500, 6, pq_in)
    out = tmp_path / "out.parquet"
    runs = [
        f"compute {csv_in} -o {out} -q",
        f"compute {pq_in} -o {out} -q --hours 4000 --load 0.75 --tariff 0.8 --life-years 15",
        f"compute {csv_in} -o {out} -q --hours 4000.5 --load 1 --part-load",
        f"compute {pq_in} -o {out} -q --part-load",
    ]
    proc = subprocess.run(
        [sys.executable, "-c", WARM_THEN_RUN, *runs],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_control_characters_of_a_file_are_escaped_in_messages(tmp_path):
    """A form feed in a header (a line break to str.splitlines) is shown as \\x0c: the
    message stays one line and the terminal gets no control character."""
    src = tmp_path / "in.csv"
    src.write_bytes(
        b"rec\x0crd_id,sale_date,region,motor_type,kw\nr1,2010-09-01,CN-JS,lv_async,15\n"
    )
    res = CliRunner().invoke(main, ["compute", str(src), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "rec\\x0crd_id" in res.output and "\x0c" not in res.output
    assert len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("module", "extra"), [("uvicorn", "web"), ("distributed", "cluster"), ("fsspec", "cluster")]
)
def test_a_missing_optional_part_is_named_not_a_traceback(monkeypatch, tmp_path, module, extra):
    """Without motorsub[web] or motorsub[cluster] installed, the command says which to
    install (exit 2)."""
    import builtins

    real_import = builtins.__import__

    def no_such_module(name, *args, **kwargs):
        if name.split(".")[0] == module:
            raise ModuleNotFoundError(f"No module named {module!r}", name=module)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_such_module)
    for name in list(sys.modules):
        if name.split(".")[0] == module or name.startswith(("motorsub.web", "motorsub.cluster")):
            monkeypatch.delitem(sys.modules, name)
    records = Path(__file__).resolve().parents[1] / "examples" / "records.csv"
    cluster = ["compute", str(records), "-o", str(tmp_path / "out"), "--cluster", "local:1"]
    args = ["serve"] if extra == "web" else cluster
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "pip install" in res.output and f"motorsub[{extra}]" in res.output
    assert "Traceback" not in res.output


def test_compute_says_which_folder_it_made(tmp_path):
    """Writing into a folder that does not exist makes it, and says so (a mistyped folder
    would otherwise pass unseen); the outermost folder made is named once; an existing
    folder is not mentioned."""
    out = tmp_path / "new" / "deeper" / "o.csv"
    res = invoke("compute", EXAMPLE, "-o", out, "--summary", tmp_path / "new" / "s.json")
    assert res.exit_code == 0, res.output
    assert out.exists() and (tmp_path / "new" / "s.json").exists()
    said = [line for line in res.stderr.splitlines() if "made the folder" in line]
    assert said == [f"motorsub: made the folder {tmp_path / 'new'}, which did not exist"]
    res = invoke("compute", EXAMPLE, "-o", out)
    assert res.exit_code == 0 and "made the folder" not in res.stderr


def test_quote_names_both_reasons_a_component_pays_nothing():
    """Jiangsu, 2010, no trade-in: Shanghai's buy-back applies only to a trade-in, and its
    scheme (from 2012) is not in force on that date; the table shows the second, so the
    reason given says both."""
    res = invoke("quote", *LV15, "--region", "CN-JS", "--date", "2010-09-01")
    assert res.exit_code == 0, res.output
    assert (
        "  sh_buyback: NOT_APPLICABLE — applies only to lines with a trade-in; besides, "
        "cn_sh_tradein is not in force on that date" in res.output.splitlines()
    )
    zh = invoke("quote", *LV15, "--region", "CN-JS", "--date", "2010-09-01", "--lang", "zh")
    assert "只在交回旧电机（以旧换新）时支付；此外，cn_sh_tradein 在该日期不在有效期内" in zh.output


def test_warmup_does_not_warn_that_it_compiles(monkeypatch):
    """``motorsub.compute`` warns when it starts compiling; warmup, which compiles on
    purpose and says so itself, keeps that warning to itself."""
    import warnings

    from motorsub.cli import warmup
    from motorsub.engine import frames
    from motorsub.errors import CompilingNotice

    seen = []

    def compute(frame):  # as compute does on an empty cache
        seen.append(len(frame))
        warnings.warn("compiling", CompilingNotice, stacklevel=2)

    monkeypatch.setattr(frames, "compute", compute)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        warmup._warm_typed(warmup.warm_lines())
    assert seen and not [w for w in said if w.category is CompilingNotice]
