"""Base-year calibration: the factors that make the model reproduce the last published year.

Calibration uses the *root baseline* of a scenario (the file that extends nothing) at the fund
base year: the factors describe what was observed under the rules then in force, and an overlay's
departures from those rules show up as differences from the bulletin. Each factor reproduces one
published figure (``forecast run`` prints the table); with a stochastic population each draw's
base-year population gets its own factors.

- ``contribution_base_``: collected base per in-service member — employee income net of interest;
- ``retiree_credit_``: the reformed yearly credit to a retiree's account (国办发〔2021〕14号; the
  base year's credit less the part of retirees not yet under the reform) — individual-account income;
- ``account_usage_``: the share of what the accounts hold (the year's credits and the balance
  brought forward) that members spend in a year — individual-account expenditure;
- ``resident_realisation_``: resident income per enrollee over the national minimum standard;
- ``outpatient_factor_`` per pool: scales the outpatient claims so that the pool's expenditure
  matches (the bulletin splits outpatient cost neither between general and special-disease care
  nor publishes outpatient deductibles nationally);
- ``maternity_per_birth_``: maternity spending per birth;
- ``assistance_factor_`` (or, with reduced claims, ``assistance_per_member_``): direct medical
  assistance scaled to the published total;
- ``ltci_financing_factor_``, ``ltci_take_up_``, ``ltci_cost_factor_``: LTCI income, beneficiaries
  and spending per beneficiary (0 when the base year has no LTCI figures: not projected);
- ``patient_share_``: the base year's out-of-pocket share per pool and claim type (induced demand).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...errors import InputError, Problem
from ...labelled import stack
from ...vocabulary import BASIC_POOLS, HOSPITAL_LEVELS
from ..pools import ltci
from ..pools import medical_assistance as assistance
from .base_year import interest_in_year, opening_reserves

__all__ = ["BaseYearCalibration", "OUTPATIENT"]

#: claim types whose number the outpatient factor scales
OUTPATIENT = ("outpatient_special", "outpatient")


def _value(rule) -> float:
    """A base-year rule as a plain number."""
    return float(np.asarray(rule).ravel()[0])


class BaseYearCalibration:
    """Fits the base-year factors (see the module) to ``figures``, the published base year
    (:func:`~forecast.model.calibration.base_year.base_year_figures`). Fitted attributes end in ``_``: numbers,
    or arrays over ``draw``."""

    def __init__(self, region, figures: dict):
        self.region = region
        self.figures = figures

    def fit(self, root, members: xr.Dataset, units: dict, payments: dict, births, population) -> BaseYearCalibration:
        """Fit to the base year: ``root`` the root baseline's rules of that year
        (:meth:`~forecast.scenario.rules.Rules.base_year`), ``members`` its insured persons
        (``count`` by status, ``weighted`` by pool and curve), ``units`` (pool -> claims by type)
        and ``payments`` (pool -> payments per claim) under the root rules, ``births`` and
        ``population`` the year's totals. Returns self."""
        f = self.figures
        self.patient_share_ = stack(
            [1 - payments[p]["basic"] / payments[p]["cost"] for p in BASIC_POOLS], "pool", BASIC_POOLS
        )
        self._fit_ltci(root, members["weighted"])
        self.maternity_per_birth_ = (
            f["maternity_expenditure"] / births if np.isfinite(f["maternity_expenditure"]) else 0.0
        )
        self._fit_outpatient(units, payments)
        self._fit_employee(root, members["count"], members["weighted"])
        self._fit_resident(root, members["count"])
        self._fit_assistance(
            root,
            units["resident"],
            payments["resident"],
            members["count"].sel(status="resident", drop=True),
            population,
        )
        for name, value in list(vars(self).items()):  # factors hold for every year: drop the base year's label
            if name.endswith("_") and isinstance(value, xr.DataArray) and "year" in value.dims:
                setattr(self, name, value.isel(year=0, drop=True))
        return self

    def _fit_ltci(self, root, weighted) -> None:
        f = self.figures
        covered = ltci.covered(
            root,
            weighted.sel(pool="employee", curve="count", drop=True),
            weighted.sel(pool="resident", curve="count", drop=True),
        )
        financing = ltci.financing(covered, root, 1.0)
        if np.isfinite(f["ltci_income"]) and np.isfinite(f["ltci_users"]):
            interest = interest_in_year(
                opening_reserves(f)["ltci"], f["ltci_income"], f["ltci_expenditure"], _value(root.economy.interest_rate)
            )
            self.ltci_financing_factor_ = xr.where(
                financing > 0, (f["ltci_income"] - interest) / financing.where(financing > 0, 1.0), 0.0
            )
        else:
            self.ltci_financing_factor_ = xr.zeros_like(
                financing
            )  # no LTCI figures in the base year: LTCI is not projected
        self.ltci_transfer_ = (
            ltci.employee_pooled_share(root, weighted.sel(pool="employee", curve="count", drop=True), covered)
            * financing
            * self.ltci_financing_factor_
        )
        disabled = ltci.covered(
            root,
            weighted.sel(pool="employee", curve="disability", drop=True),
            weighted.sel(pool="resident", curve="disability", drop=True),
        )
        users = f["ltci_users"]
        self.ltci_take_up_ = (
            xr.where(disabled > 0, users / disabled.where(disabled > 0, 1.0), 0.0)
            if np.isfinite(users)
            else xr.zeros_like(disabled)
        )
        per_user = _value(ltci.spending_per_beneficiary(root))
        self.ltci_cost_factor_ = (
            f["ltci_expenditure"] / (users * per_user)
            if np.isfinite(f["ltci_expenditure"]) and np.isfinite(users)
            else 1.0
        )

    def _fit_outpatient(self, units, payments) -> None:
        f = self.figures
        targets = {
            "employee": f["employee_pooled_expenditure"] - f["maternity_expenditure"] - self.ltci_transfer_,
            "resident": f["resident_expenditure"],
        }
        factors = []
        for pool in BASIC_POOLS:
            paid = units[pool] * (payments[pool]["basic"] + payments[pool]["critical_illness"])
            fixed = paid.sel(claim_type=list(HOSPITAL_LEVELS)).sum("claim_type")
            factor = (targets[pool] - fixed) / paid.sel(claim_type=list(OUTPATIENT)).sum("claim_type")
            if bool((factor <= 0).any()):
                raise InputError(
                    Problem(
                        self.region.path,
                        f"{pool}: the inpatient payments under the baseline rules "
                        f"({float(fixed.max()) / 1e8:,.0f} 亿元) "
                        f"exceed the pool's base-year expenditure ({float(np.min(targets[pool])) / 1e8:,.0f} 亿元)",
                        "check the baseline's inpatient deductibles and ratios, "
                        "or the bundle's inpatient use and cost figures",
                    )
                )
            factors.append(factor)
        self.outpatient_factor_ = stack(factors, "pool", BASIC_POOLS)

    def _fit_employee(self, root, count, weighted) -> None:
        f, e = self.figures, root.employee
        rate = _value(root.economy.interest_rate)
        interest_pooled = interest_in_year(
            f["employee_pooled_reserve_opening"], f["employee_pooled_income"], f["employee_pooled_expenditure"], rate
        )
        interest_accounts = interest_in_year(
            opening_reserves(f)["individual_account"],
            f["individual_account_income"],
            f["individual_account_expenditure"],
            rate,
        )
        contributions = (
            f["employee_pooled_income"] + f["individual_account_income"] - interest_pooled - interest_accounts
        )
        rates = _value(e.employer_rate) + _value(e.employee_rate) + _value(e.maternity_rate)
        in_service, flexible, retired = (count.sel(status=s, drop=True) for s in ("in_service", "flexible", "retired"))
        per_base = (in_service + flexible * _value(e.flexible_base_ratio)) * rates + retired * _value(
            e.retiree_base_ratio
        ) * _value(e.retiree_contribution_rate)
        self.contribution_base_ = contributions / per_base
        if f["accounts_folded"]:
            self.retiree_credit_ = xr.zeros_like(
                per_base
            )  # the accounts are folded into the pooled fund (no split published)
            self.account_usage_ = 0.0
            return
        accounts = e.individual_account
        credits = f["individual_account_income"] - interest_accounts
        in_service_credits = in_service * self.contribution_base_ * _value(accounts.in_service_rate)
        phase = _value(accounts.reform_share) + (1 - _value(accounts.reform_share)) * _value(
            accounts.legacy_credit_ratio
        )
        self.retiree_credit_ = (credits - in_service_credits) / retired / phase  # the reformed credit
        self.account_usage_ = f["individual_account_expenditure"] / (
            opening_reserves(f)["individual_account"] + credits
        )

    def _fit_resident(self, root, count) -> None:
        f = self.figures
        interest = interest_in_year(
            f["resident_reserve_opening"],
            f["resident_income"],
            f["resident_expenditure"],
            _value(root.economy.interest_rate),
        )
        standard = _value(root.resident.individual_contribution) + _value(root.resident.fiscal_subsidy)
        self.resident_realisation_ = (f["resident_income"] - interest) / (
            count.sel(status="resident", drop=True) * standard
        )

    def _fit_assistance(self, root, units, pay, residents, population) -> None:
        spent = self.figures["assistance_expenditure"]
        members = assistance.group_members(root, population)
        subsidies = assistance.contribution_subsidies(members, root)
        outpatient = xr.DataArray(
            [k in OUTPATIENT for k in units["claim_type"].values],
            dims="claim_type",
            coords={"claim_type": units["claim_type"]},
        )
        scaled = units * xr.where(outpatient, self.outpatient_factor_.sel(pool="resident"), 1.0)
        direct = assistance.direct_assistance(scaled, pay, members, residents)
        if not np.isfinite(spent):  # base_year_figures requires it: kept for partial bundles in tests
            self.assistance_factor_, self.assistance_per_member_ = 1.0, 0.0
            return
        self.assistance_factor_ = xr.where(direct > 0, (spent - subsidies) / direct.where(direct > 0, 1.0), 1.0)
        self.assistance_per_member_ = xr.where(direct == 0, (spent - subsidies).clip(min=0) / members.sum("group"), 0.0)

    def as_dict(self) -> dict:
        """The factors as plain numbers (the first draw's), for a result's attrs."""

        def nested(values, labels: list):  # a dict per dimension, numbers at the leaves
            if not labels:
                return float(values)
            return {str(k): nested(values[i], labels[1:]) for i, k in enumerate(labels[0])}

        def plain(value):
            if isinstance(value, xr.DataArray):
                value = value.isel({d: 0 for d in value.dims if d in ("draw", "year")}).squeeze()
                return nested(value.values, [value[d].values for d in value.dims])
            return float(value)

        return {name.rstrip("_"): plain(value) for name, value in vars(self).items() if name.endswith("_")}
