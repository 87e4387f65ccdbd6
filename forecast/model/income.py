"""Income: contributions, fiscal subsidies, transfers and interest, per pool and year.

Each function computes one quantity for one year (scalars or arrays over year), in yuan.

- Employee (国发〔1998〕44号; 国办发〔2021〕14号): contributions = contributors × contribution base
  × (employer + employee + maternity rate); the base is the base year's collected base per
  in-service member (calibrated) grown with wages and scaled by compliance; flexible workers
  pay on ``flexible_base_ratio`` of it. In-service accounts receive ``in_service_rate`` of the
  base; retirees' accounts a fixed yearly credit paid out of the pooled contributions.
- Resident: enrollees × (individual contribution + fiscal subsidy) × the base year's
  realisation ratio (actual income per enrollee over the national minimum standard, which
  captures local top-ups).
- Interest (all pools with a reserve): rate × (opening reserve + half the year's balance
  before interest), none on a negative amount: contributions arrive through the year.
"""

from __future__ import annotations

__all__ = ["contribution_base", "employee_contributions", "individual_account_credits", "resident_contributions", "interest_income"]


def contribution_base(base_year_base: float, wage_index, compliance):
    """Collected contribution base per in-service member (yuan/person/year)."""
    return base_year_base * wage_index * compliance


def employee_contributions(in_service, flexible, retired, base, rates: float, flexible_base_ratio, retiree_rate, retiree_base_ratio):
    """All employee-pool contributions (pooled fund + accounts), yuan a year."""
    return (in_service + flexible * flexible_base_ratio) * base * rates + retired * base * retiree_base_ratio * retiree_rate


def individual_account_credits(in_service, retired, base, in_service_rate, retiree_credit):
    """Credits to individual accounts: the employee's share for in-service members, a fixed sum for retirees."""
    return in_service * base * in_service_rate + retired * retiree_credit


def resident_contributions(residents, individual_contribution, fiscal_subsidy, realisation: float):
    """Resident-pool financing (individual contributions + fiscal subsidies), yuan a year."""
    return residents * (individual_contribution + fiscal_subsidy) * realisation


def interest_income(opening_reserve: float, balance_before_interest: float, rate: float) -> float:
    """Interest on the average reserve of the year (mid-year convention), never negative."""
    return max(opening_reserve + balance_before_interest / 2, 0.0) * rate
