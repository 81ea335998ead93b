"""A records mix with Chinese headings and codes, in every format a records file may have."""

import pyarrow as pa
import pytest
from plan_helpers import minimal_data, years

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
