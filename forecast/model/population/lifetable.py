"""Single-age period life tables from central death rates.

Conventions (stated once, used everywhere):
- ages 0..ω where ω is the open group ω+; ``mx`` has age on its last axis;
- a_x = 0.5 for ages 1..ω-1; a_0 by Andreev & Kingkade (2015, Demographic Research 33:363),
  the formula adopted by the Human Mortality Database protocol v6; open group a_ω = 1/m_ω;
- q_x = m_x / (1 + (1 - a_x) m_x), q_ω = 1; l_0 = 1 (radix one);
- L_x = l_{x+1} + a_x d_x for x < ω and L_ω = l_ω / m_ω; T_x = Σ_{y≥x} L_y; e_x = T_x / l_x.
"""

from __future__ import annotations

import numpy as np

__all__ = ["infant_ax", "life_table", "life_expectancy", "projection_table"]


def infant_ax(m0, sex: str):
    """a_0 (mean years lived in the first year by infants who die) — Andreev & Kingkade 2015."""
    m0 = np.asarray(m0, dtype=float)
    if sex == "male":
        return np.where(m0 < 0.02300, 0.14929 - 1.99545 * m0, np.where(m0 < 0.08307, 0.02832 + 3.26201 * m0, 0.29915))
    if sex == "female":
        return np.where(m0 < 0.01724, 0.14903 - 2.05527 * m0, np.where(m0 < 0.06891, 0.04667 + 3.88089 * m0, 0.31411))
    raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")


def life_table(mx, a0) -> dict[str, np.ndarray]:
    """Columns qx, lx, dx, Lx, Tx, ex of the life table(s) for ``mx`` (age on the last axis).

    ``a0`` broadcasts against ``mx[..., 0]``. With a_x = 0.5, L_x = (l_x + l_{x+1}) / 2 for the
    ages between infancy and the open group.
    """
    mx = np.asarray(mx, dtype=float)
    a0 = np.asarray(a0, dtype=float)
    qx = mx / (1.0 + 0.5 * mx)
    qx[..., 0] = mx[..., 0] / (1.0 + (1.0 - a0) * mx[..., 0])
    np.minimum(qx, 1.0, out=qx)
    qx[..., -1] = 1.0
    lx = np.empty_like(mx)
    lx[..., 0] = 1.0
    np.cumprod(1.0 - qx[..., :-1], axis=-1, out=lx[..., 1:])
    dx = lx * qx
    Lx = np.empty_like(mx)
    Lx[..., 1:-1] = 0.5 * (lx[..., 1:-1] + lx[..., 2:])
    Lx[..., 0] = lx[..., 1] + a0 * dx[..., 0]
    Lx[..., -1] = lx[..., -1] / mx[..., -1]
    # T_x = Σ_{y>=x} L_y summed from the top age down (a forward "total - cumsum" would cancel
    # catastrophically at the oldest ages, where T is tiny)
    Tx = np.cumsum(Lx[..., ::-1], axis=-1)[..., ::-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ex = Tx / lx
    return {"qx": qx, "lx": lx, "dx": dx, "Lx": Lx, "Tx": Tx, "ex": ex}


def life_expectancy(mx, a0, age: int = 0):
    """e_x at ``age`` for each life table in ``mx``."""
    return life_table(mx, a0)["ex"][..., age]


def projection_table(mx, a0, expectancy_ages=(0, 60)) -> dict[str, np.ndarray]:
    """What a cohort-component projection needs of the life tables of ``mx`` (age on the last
    axis), without the columns it does not: ``Lx``; ``T_open`` and ``T_before_open`` (T at the
    open age and the age before, for the open group's survival); and ``ex`` at
    ``expectancy_ages`` (a dict age -> array). Same conventions and values as :func:`life_table`,
    computed in fewer passes over contiguous memory (many draws make these arrays large)."""
    mx = np.ascontiguousarray(mx, dtype=float)
    a0 = np.asarray(a0, dtype=float)
    qx = mx / (1.0 + 0.5 * mx)
    qx[..., 0] = mx[..., 0] / (1.0 + (1.0 - a0) * mx[..., 0])
    np.minimum(qx, 1.0, out=qx)
    np.subtract(1.0, qx, out=qx)  # px from here on
    lx = np.empty_like(mx)
    lx[..., 0] = 1.0
    np.cumprod(qx[..., :-1], axis=-1, out=lx[..., 1:])
    Lx = qx  # reuse the buffer
    Lx[..., 1:-1] = 0.5 * (lx[..., 1:-1] + lx[..., 2:])
    Lx[..., 0] = lx[..., 1] + a0 * (lx[..., 0] - lx[..., 1])
    Lx[..., -1] = lx[..., -1] / mx[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ex = {age: Lx[..., age:].sum(axis=-1) / lx[..., age] for age in expectancy_ages}
    return {"Lx": Lx, "T_open": Lx[..., -1], "T_before_open": Lx[..., -2] + Lx[..., -1], "ex": ex}
