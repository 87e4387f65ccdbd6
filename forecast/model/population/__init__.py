"""The population stage: cohort-component projection by single age and sex.

Modules: :mod:`.graduation` (age groups -> single ages), :mod:`.lifetable`, :mod:`.leecarter`,
:mod:`.rates` (bundle tables -> annual single-age rates), :mod:`.engine` (the annual step),
:mod:`.project` (inputs, the run, indicators), :mod:`.assumptions`.
"""

from ...scenario.population import MORTALITY_METHODS, PopulationAssumptions
from .graduation import graduate_counts, graduate_rates
from .leecarter import LeeCarter
from .lifetable import life_expectancy, life_table
from .project import project, project_region, project_scenario

__all__ = [
    "MORTALITY_METHODS",
    "LeeCarter",
    "PopulationAssumptions",
    "graduate_counts",
    "graduate_rates",
    "life_expectancy",
    "life_table",
    "project",
    "project_region",
    "project_scenario",
]
