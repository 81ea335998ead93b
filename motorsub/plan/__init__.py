"""Planning: multi-year promotion plans with savings, budgets, stock turnover and uncertainty.

:func:`load_plan` reads and strictly validates a plan file (TOML, format in
``motorsub/plan/README.md``); :func:`project` projects it year by year (kW promoted, in
service and retired; savings in kWh, tce and tCO2; subsidy outlay per component, payee
and budget, from the engine's own kernels on the plan's mix); :func:`compare` sets two
projections side by side. ``motorsub project`` is the command.

References
----------
Shanghai 12th Five-Year Plan for high-efficiency motors (8 million kW, 2011-2015);
national motor energy-efficiency plan 2013-2015 (170 million kW); 沪府办发〔2011〕62号;
财建〔2010〕232号.
"""

from __future__ import annotations

from motorsub.plan.compare import compare
from motorsub.plan.load import load_plan, parse_plan
from motorsub.plan.model import Plan, PlanError
from motorsub.plan.project import Projection, project

__all__ = ["Plan", "PlanError", "Projection", "compare", "load_plan", "parse_plan", "project"]
