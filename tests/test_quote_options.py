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


def test_a_missing_price_is_named_for_the_option_it_is_missing_for():
    """``--price`` given, ``--reman-price`` not: the note names the remanufactured motor and
    its option, not "no list price given" for all."""
    res = invoke(*BASE, "--trade-in", "--old-kw", "11", "--compare")
    assert res.exit_code == 0, res.output
    assert (
        "note: no list price given for the remanufactured motor (--reman-price): its net "
        "price and payback unknown"
    ) in res.output
    assert "new motor and" not in res.output


def test_a_chinese_quote_says_kind_efficiency_sources_and_reasons_in_chinese():
    """``--lang zh``: the kind, where each efficiency comes from and why a component pays
    nothing in the words the counter page uses; the English quote keeps the engine's codes
    and explanations (unchanged)."""
    args = ("--motor-type lv_async --kw 15 --grade 2 --region CN-SH --date 2012-05-10 "
            "--trade-in --old-kw 15 --price 3800").split()  # fmt: skip
    zh = invoke(*args, "--lang", "zh").output
    assert "，新电机，数量 1" in zh
    assert "（GB 18613-2006 2 级能效限值）" in zh
    assert "sh_reman: NOT_APPLICABLE — 与本笔交易无关" in zh
    assert "national: NO_RATE — 此处不计" in zh
    en = invoke(*args).output
    assert ", new, qty 1" in en and "(GB 18613-2006 grade 2 minimum)" in en
    assert "sh_reman: NOT_APPLICABLE — applies only to lines with kind reman" in en


def test_compare_in_chinese_uses_the_counter_pages_words():
    res = invoke(*BASE, "--old-kw", "11", "--old-efficiency", "87.6", "--compare",
                 "--repair-cost", "900", "--lang", "zh")  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "各方案按同样工况：1 × 11 kW，负载率 0.75，每年 4,000 小时，电价 0.8 元/kWh"
    assert [line.split()[0] for line in lines[3:6]] == ["新电机", "再制造电机", "继续使用旧电机"]
    assert "(铭牌/申报值)" in lines[5]  # the old motor's efficiency as declared
    assert "未填写标价：净价和回收期未知。" in lines  # no --reman-price
    assert "option" not in res.output and "unknown" not in res.output
