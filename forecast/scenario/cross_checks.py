"""The checks between fields of a validated scenario: caps above deductibles, shares that add up,
verdict thresholds and financing bands in order, retirement ages that do not fall."""

from __future__ import annotations

from .dated import DatedValue
from .dated_fields import from_later_file

__all__ = ["cross_checks"]


def cross_checks(reader, p: dict, at, files):
    """Checks between fields: caps above deductibles, shares that add up, retirement ages."""

    def values(path):
        v = p.get(path)
        return [] if v is None else ([x for _, x in v.points] if isinstance(v, DatedValue) else [v])

    for pool in ("employee", "resident"):
        base = f"policy.{pool}.benefits."
        for service, levels in (
            ("inpatient", ("tier3", "tier2", "tier1")),
            ("outpatient", ("",)),
            ("outpatient_special", ("",)),
        ):
            cap = values(f"{base}{service}.annual_cap")
            for level in levels:
                ded_path = f"{base}{service}.{level + '.' if level else ''}deductible"
                deductibles = values(ded_path)
                if cap and deductibles and min(cap) <= max(deductibles):
                    cap_path = f"{base}{service}.annual_cap"
                    where, field = (
                        (at(ded_path), ded_path)
                        if from_later_file(at(ded_path), at(cap_path), files)
                        else (at(cap_path), cap_path)
                    )
                    reader.fail(
                        where,
                        field,
                        (
                            f"the annual cap ({min(cap):g} yuan, {cap_path}) is not above the deductible "
                            f"({max(deductibles):g} yuan, {ded_path})"
                        ),
                        "raise the cap or lower the deductible; a cap must exceed the deductible",
                    )
    for group in ("care_mix",):
        shares = [values(f"policy.ltci.{group}.{k}") for k in ("home_care", "institutional_care")]
        if all(shares) and abs(shares[0][0] + shares[1][0] - 1) > 1e-9:
            reader.fail(
                at(f"policy.ltci.{group}"),
                f"policy.ltci.{group}",
                f"home_care + institutional_care must be 1 (found {shares[0][0] + shares[1][0]:g})",
                "make the two shares add up to 1",
            )
    fin = [values(f"policy.ltci.financing_shares.{k}") for k in ("employee_pooled_fund", "individual", "fiscal")]
    if all(fin) and abs(sum(f[0] for f in fin) - 1) > 1e-9:
        reader.fail(
            at("policy.ltci.financing_shares"),
            "policy.ltci.financing_shares",
            f"the financing shares add up to {sum(f[0] for f in fin):g}, not 1",
            "make employee_pooled_fund + individual + fiscal = 1",
        )
    groups = ("tekun", "dibao", "near_dibao", "at_risk", "illness_poor")
    total = sum(max(values(f"policy.medical_assistance.groups.{g}.population_share") or [0]) for g in groups)
    if total > 1:
        reader.fail(
            at("policy.medical_assistance.groups"),
            "policy.medical_assistance.groups",
            f"the groups' population shares add up to {total:g}, more than 1",
            "the groups are disjoint shares of the population: make them add up to at most 1",
        )
    order = ("critical_months", "low_months", "high_months", "excess_months")
    for lower, upper in zip(order, order[1:]):
        a, b = p.get(f"verdict.{lower}"), p.get(f"verdict.{upper}")
        if a is not None and b is not None and a >= b:
            later = (
                f"verdict.{upper}"
                if from_later_file(at(f"verdict.{upper}"), at(f"verdict.{lower}"), files)
                else f"verdict.{lower}"
            )
            what = (
                f"out of order: {lower} ({a:g}) is above {upper} ({b:g})"
                if a > b
                else f"a band of zero width: {lower} and {upper} are both {a:g}, so no reserve is judged between them"
            )
            reader.fail(
                at(later),
                later,
                f"the verdict thresholds are {what}",
                "give critical_months < low_months < high_months < excess_months (defaults 3, 6, 9, 15)",
            )
            break
    for pool in ("employee", "resident", "ltci"):
        rule = f"policy.{pool}.financing_rule"
        low, high = p.get(f"{rule}.low_months"), p.get(f"{rule}.high_months")
        if low is not None and high is not None and low >= high:
            reader.fail(
                at(f"{rule}.high_months"),
                f"{rule}.high_months",
                f"the band's upper edge ({high:g} months) is not above its lower edge ({low:g})",
                "give low_months < high_months, e.g. 6 and 9",
            )
    for who in ("male", "female_worker", "female_cadre"):  # ages themselves are bounded by the schema (40..70)
        base = f"policy.employee.retirement_age.{who}"
        start, end = p.get(f"{base}.from"), p.get(f"{base}.to")
        if start is not None and end is not None and end < start:
            reader.fail(
                at(f"{base}.to"),
                f"{base}.to",
                f"the reform lowers the retirement age ({start:g} -> {end:g})",
                "give 'to' at least 'from' (write to = from for no reform)",
            )
