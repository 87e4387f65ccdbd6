"""The engine: the stages wired together, and nothing else (:mod:`.run`, :mod:`.plan`, :mod:`.funds`, :mod:`.draws`).

    region bundle + scenario
      -> population   (model.population: chunks of draws, streamed)
      -> enrollment   (model.enrollment: insured persons by status, sex and age)
      -> benefits     (model.benefits: payment per claim, once per year, shared by all draws)
      -> calibration  (model.calibration: the base year's factors, per draw)
      -> income, expenditure, assistance, ltci (arrays over year and draw)
      -> fund         (model.fund: the reserve roll-forward, the only loop over years)
      -> the result Dataset (results.dataset), checked finite (results.finite)

:func:`run` is ``forecast.run``; :func:`project` is what the back-test calls with a bundle cut at a
past year. Every flow is an array over (year, draw); a deterministic run is one draw, dropped at
the end. Several regions (``regions=``) give a ``region`` dimension.
"""

from __future__ import annotations

from .funds import project_funds
from .plan import make_plan, resolved_rules, run_plan
from .run import project, run
from .variants import project_variants

__all__ = ["run", "project", "project_funds", "make_plan", "resolved_rules", "run_plan", "project_variants"]
