"""Fixtures of the plan tests (helpers: plan_helpers.py)."""

import pytest
from plan_helpers import EXAMPLES

from motorsub.plan import load_plan, project


@pytest.fixture(scope="session")
def fyp():
    """The Shanghai 12th Five-Year Plan example, projected once."""
    return project(load_plan(EXAMPLES / "shanghai-12th-fyp.toml"))
