"""Helpers of the plan tests: the minimal plan file and a way to vary it in memory."""

import copy
import tomllib
from pathlib import Path

from motorsub.plan.load import _merge, parse_plan

HERE = Path(__file__).parent
MINIMAL = HERE / "plans" / "minimal.toml"
ROOT = HERE.parent.parent
EXAMPLES = ROOT / "examples" / "plans"


def minimal_data() -> dict:
    """The minimal plan as a dict (100 kW a year 2020-2022, life 2 yr, 1000 kWh/kW)."""
    return tomllib.loads(MINIMAL.read_text(encoding="utf-8"))


def years(*kw, first=2020):
    """``[[promotion.years]]`` rows from kW figures."""
    return [
        {"year": first + i, "kw": k, "source": "test", "status": "inferred"}
        for i, k in enumerate(kw)
    ]


def line(share=1.0, **kw):
    """A ``[[mix.lines]]`` row: an 11 kW lv_async grade 2 motor unless told otherwise."""
    row = {"share": share, "motor_type": "lv_async", "kw": 11, "grade": 2}
    row.update(kw)
    return row | {"source": "test", "status": "inferred"}


def make_plan(over: dict | None = None, folder: Path | None = None, **top):
    """The minimal plan with ``over`` merged on top (tables by key, lists replaced)."""
    data = _merge(minimal_data(), copy.deepcopy(over or {}))
    data.update(top)
    return parse_plan(data, "<test plan>", folder)
