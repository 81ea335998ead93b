"""``motorsub quote``'s own checks: old-motor values need a trade-in, an unknown old series
is an error, the savings heading names the load, the epilog lists quote's exit codes, and
``--compare`` sets the three options side by side."""

from __future__ import annotations

import json

from click.testing import CliRunner

from motorsub.cli import main

BASE = (
    "--motor-type lv_async --kw 11 --poles 4 --grade 2 --region CN-SH --date 2013-06-01 "
    "--hours 4000 --load 0.75 --tariff 0.8 --price 3800"
).split()


def invoke(*args):
    return CliRunner().invoke(main, ["quote", *args], catch_exceptions=False)


def test_old_kw_without_trade_in_is_an_error_that_says_to_add_it():
    res = invoke(*BASE, "--old-kw", "11")
    assert res.exit_code == 2
    assert "--old-kw describes the old motor" in res.output and "add --trade-in" in res.output


def test_an_unknown_old_series_lists_the_known_ones():
    res = invoke(*BASE, "--trade-in", "--old-kw", "11", "--old-series", "JO2")
    assert res.exit_code == 2
    assert "--old-series 'JO2' has no baseline table" in res.output
    assert "Y, US_STANDARD, EFF1, EFF2" in res.output
    # a known series in any case is taken: Y's baseline, not the default's flag
    res = invoke(*BASE, "--trade-in", "--old-kw", "11", "--old-series", "y", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["savings"]["eta_old_code"] == "series_baseline"


def test_the_savings_heading_names_the_load():
    res = invoke(*BASE, "--trade-in", "--old-kw", "11", "--old-efficiency", "87.6")
    assert "savings (at 75 % load, efficiencies at rated load):" in res.output


def test_the_epilog_lists_only_the_exit_codes_quote_returns():
    text = invoke("--help").output
    assert "Exit codes: 0 done, 2 bad usage or input, 3 invalid scheme." in text
    assert "4" not in text.split("Exit codes:")[1]


def test_compare_sets_the_options_side_by_side():
    res = invoke(*BASE, "--old-kw", "11", "--old-efficiency", "87.6", "--compare",
                 "--repair-cost", "900", "--reman-price", "2600")  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = {ln.split("  ")[0]: ln for ln in res.output.splitlines()}
    # new: 220 buy-back, 3,800 − 220; reman: 220 + 45 × 11 = 715, 2,600 − 715;
    # keep: the repair, 33,000 kWh / 0.876 × 0.8 CNY/kWh = 30,136.99 CNY a year
    assert "220.00" in lines["new motor"] and "3,580.00" in lines["new motor"]
    assert "715.00" in lines["remanufactured motor"] and "1,885.00" in lines["remanufactured motor"]
    assert "900.00" in lines["keep the old motor"] and "30,136.99" in lines["keep the old motor"]
    assert "no source in hand gives the change" in res.output
    res = invoke(*BASE, "--repair-cost", "900")
    assert res.exit_code == 2 and "go with --compare" in res.output
