"""The members of the published years by age (:func:`~forecast.model.enrollment.members.pool_age_index`'s
enrollment): each year's population enrolled with that year's own calibration, all years at once on
bare arrays. The formulas are :func:`~forecast.model.enrollment.members.calibrate_enrollment`'s and
:func:`~forecast.model.enrollment.members.project_enrollment`'s with the coverage indices at 1 and no
flexible workers, in the same order of operations (the same numbers to the last bit or two)."""

from __future__ import annotations

import numpy as np

__all__ = ["past_members"]


def past_members(
    pop: np.ndarray, ret: np.ndarray, years: np.ndarray, ages: np.ndarray, counts: np.ndarray, working_age: int
) -> tuple[np.ndarray, np.ndarray]:
    """The employee pool's and the residents' members (year, sex, age) of the population ``pop``
    (year, sex, age) of whom ``ret`` have passed retirement age, calibrated to each year's published
    ``counts`` (year, 3: in-service, retirees, residents), persons.

    - in-service = c_w × the working (aged ``working_age``+, not retired), c_w = in-service ÷ Σ working;
    - retirees = the retired × (k_r = retirees ÷ Σ retired for the cohorts retiring in the year, else c_w);
    - residents = c_r × (population − in-service − retirees)+, c_r = residents ÷ Σ (population − c_w ×
      working − k_r × retired).
    """
    in_service, retirees, residents = (counts[:, i, None, None] for i in range(3))
    working = pop * (1 - ret) * (ages >= working_age)
    c_w = in_service / working.sum(axis=(1, 2), keepdims=True)
    k_r = retirees / (pop * ret).sum(axis=(1, 2), keepdims=True)
    c_r = residents / (pop - (c_w * working + k_r * pop * ret)).sum(axis=(1, 2), keepdims=True)
    first_retired = np.where(ret > 0, ages, np.inf).min(axis=2, keepdims=True)  # inf: no one retired yet
    old = (years[:, None, None] - ages) <= years[:, None, None] - first_retired  # cohorts retiring in the year
    in_service_members = working * c_w
    retired_members = np.where(old, k_r, c_w) * pop * ret
    resident_members = np.maximum(np.maximum(pop - in_service_members - retired_members, 0.0) * c_r, 0.0)
    return in_service_members + retired_members, resident_members
