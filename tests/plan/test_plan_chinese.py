"""A records mix with Chinese headings and codes, in every format a records file may have."""

import pyarrow as pa
import pytest
from plan_helpers import MINIMAL, make_plan, minimal_data, years

from motorsub import io
from motorsub.plan import project
from motorsub.plan.load import parse_plan

# 3 × 10 kW at grade 1 (40 CNY/kW) and 1 × 20 kW at grade 2 (35 CNY/kW) in Jiangsu in 2010:
# shares 30/50 = 0.6 and 20/50 = 0.4 of 1,000,000 kW promoted
EXPECTED_FEN = round(100 * 1_000_000 * (0.6 * 40 + 0.4 * 35))

CHINESE = pa.table(
    {
        "编号": ["甲-1", "甲-2"],
        "地区": ["江苏省", "江苏"],
        "电机类型": ["低压三相异步电动机", "低压三相异步电动机"],
        "额定功率(kW)": ["10", "20"],
        "台数": ["3", "1"],
        "能效等级": ["一级", "2级"],
        "备注": ["not read", "not read"],
    }
)


def chinese_plan(tmp_path, name: str):
    io.write_table(CHINESE, tmp_path / name)
    data = minimal_data()
    data["mix"] = {"records": name, "source": "test", "status": "inferred"}
    data["promotion"]["years"] = years(1_000_000, first=2010)
    data["factors"]["coal"][0]["from"] = 2010
    data["until"] = 2010
    return parse_plan(data, str(tmp_path / "plan.toml"), tmp_path)


@pytest.mark.parametrize("name", ["mix.parquet", "mix.csv", "mix.xlsx"])
def test_records_mix_with_chinese_headings_is_read(tmp_path, name):
    c = project(chinese_plan(tmp_path, name)).columns
    assert c["outlay_national_fen"][0] == EXPECTED_FEN


# ---------------------------------------------------------------------------------------
# the plot's words


def figure_texts(fig) -> set[str]:
    from matplotlib.text import Text

    return {t.get_text() for t in fig.findobj(Text) if t.get_text()}


def test_plot_in_chinese_with_a_chinese_font():
    pytest.importorskip("matplotlib")
    from matplotlib import font_manager as fm
    from matplotlib.ft2font import FT2Font

    from motorsub.plan import plot

    font = plot.cjk_font()
    if font is None:
        pytest.skip("no Chinese font installed here (Debian: apt install fonts-noto-cjk)")
    texts = figure_texts(plot.figure(project(make_plan()), lang="zh"))
    assert {"每年节约电量", "推广电机存量", "年末在用", "当年节约", "年份"} <= texts
    assert "electricity saved per year" not in texts
    # the font found draws every character of these words (no empty boxes)
    path = fm.findfont(fm.FontProperties(family=font), fallback_to_default=False)
    face = FT2Font(path)
    assert all(face.get_char_index(ord(ch)) for ch in "每年节约电量推广电机存量年末在用当年份")


def test_plot_without_a_chinese_font_keeps_english_and_warns(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from click.testing import CliRunner

    from motorsub.cli.project import project as project_command
    from motorsub.plan import plot

    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    texts = figure_texts(plot.figure(project(make_plan()), lang="zh"))
    assert {"electricity saved per year", "stock of promoted motors", "year"} <= texts
    assert "每年节约电量" not in texts
    png = tmp_path / "plan.png"
    res = CliRunner().invoke(project_command, [str(MINIMAL), "--plot", str(png), "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    warnings = [line for line in res.stderr.splitlines() if "fonts-noto-cjk" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("motorsub：警告：未找到含中文字符的字体，图表仍以英文标注")
    # English words need no Chinese font: no warning
    res = CliRunner().invoke(project_command, [str(MINIMAL), "--plot", str(png), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "fonts-noto-cjk" not in res.output


def test_plot_in_english_says_nothing_of_fonts(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from motorsub.plan import plot

    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    assert plot.font_warning("en") is None
    assert plot.font_warning("zh").endswith("（sudo apt install fonts-noto-cjk）")
