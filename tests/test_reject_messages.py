"""The rejects file's messages for values a person writes the office's way: a number with
its unit, and a date in the right form that names no day. Words written by hand here."""

import pytest

from motorsub.engine.messages import problem_message


@pytest.mark.parametrize(
    ("problem", "value", "en", "zh"),
    [
        ("BAD_KW", "11 kW", "kw: '11 kW' has text after the number: write the number alone (11)",
         "kw: '11 kW' 数字后面带有文字：只填数字（11）"),
        ("BAD_QTY", "5台", "qty: '5台' has text after the number: write the number alone (5)",
         "qty: '5台' 数字后面带有文字：只填数字（5）"),
        ("BAD_SALE_DATE", "2013-02-30",
         "sale_date: '2013-02-30' is written as a date, but that day does not exist",
         "sale_date: '2013-02-30' 按日期格式书写，但该日并不存在"),
        # not a number followed by a unit, nor a date's form: the general words
        ("BAD_KW", "1e3x", "kw: '1e3x' is not a positive number", "kw: '1e3x' 不是正数"),
        ("BAD_KW", "-15", "kw: '-15' is not a positive number", "kw: '-15' 不是正数"),
        ("BAD_SALE_DATE", "next May",
         "sale_date: 'next May' is not a date that exists, written YYYY-MM-DD",
         "sale_date: 'next May' 不是存在的日期，应写作 YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_messages_say_what_to_write(problem, value, en, zh):
    assert problem_message(problem, value) == en
    assert problem_message(problem, value, "zh") == zh


def test_the_summary_says_when_a_row_counts_under_several_reasons():
    """Two rows rejected, each for its kW and for a day that does not exist: four reasons
    counted for two rows, and the summary says why; with one reason a row it does not."""
    from motorsub.engine import batch
    from motorsub.render.summary import summary_text

    res = batch.run(_table(["x", "-1", "2"], ["2013-02-30", "2013-02-30", "2013-02-01"]))
    text = summary_text(res.summary)
    assert "rows read 3 = computed 1 + rejected 2" in text
    assert "(a row rejected for several reasons counts under each)" in text
    assert "（一行有多个拒绝原因时，每个原因各计一次）" in summary_text(res.summary, "zh")
    res = batch.run(_table(["x", "-1", "2"], ["2013-02-01"] * 3))
    assert "rows read 3 = computed 1 + rejected 2" in summary_text(res.summary)
    assert "several reasons" not in summary_text(res.summary)


def _table(kw: list[str], dates: list[str]):
    import pyarrow as pa

    n = len(kw)
    return pa.table({
        "record_id": [f"r{i}" for i in range(n)], "sale_date": dates, "region": ["CN-JS"] * n,
        "motor_type": ["lv_async"] * n, "kw": kw, "grade": ["2"] * n,
    })  # fmt: skip
