"""The registry declares every pool, item and claim type once, and everything reads it (issue 22).

The worked example of docs/architecture.md ("Adding a benefit") is run for real: one registry
entry and one formula, in a fresh interpreter, and the new item shows in the scenario schema, the
result Dataset and the budget table, with nothing else edited.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import forecast
from forecast import registry
from forecast.model.benefits.curves import age_curves
from forecast.vocabulary import CLAIM_TYPES, EXPENDITURE_ITEMS, INCOME_ITEMS, POOLS, SERVICES


def test_each_name_is_declared_once():
    names = [i.name for i in (*registry.ITEM_ENTRIES, *registry.PENDING)]
    assert len(names) == len(set(names))
    assert [p.name for p in registry.POOL_ENTRIES] == list(POOLS)
    for item in registry.ITEMS.values():
        assert item.side in ("income", "expenditure") and item.zh and item.en and item.form
        assert set(item.pools) <= set(POOLS), item


def test_the_closed_lists_are_the_registry_s():
    assert INCOME_ITEMS == tuple(i.name for i in registry.items_of("income"))
    assert EXPENDITURE_ITEMS == tuple(i.name for i in registry.items_of("expenditure"))
    assert CLAIM_TYPES == tuple(c.name for c in registry.CLAIM_TYPE_ENTRIES)


def test_every_claim_type_has_a_curve_a_service_and_an_item(china):
    curves = age_curves(china)
    for claim in registry.CLAIM_TYPE_ENTRIES:
        assert claim.item in EXPENDITURE_ITEMS
        assert claim.service in SERVICES
        assert claim.curve in curves


def test_a_run_labels_its_items_in_the_registry_s_order():
    ds = forecast.run("baseline")
    assert list(ds["income_item"].values) == list(INCOME_ITEMS)
    assert list(ds["expenditure_item"].values) == list(EXPENDITURE_ITEMS)


def test_the_budget_form_knows_every_item_by_its_names():
    keys = registry.line_keys()
    for item in registry.ITEMS.values():
        assert keys[item.form] in (item.name, "contributions")
        assert keys[item.zh] == item.name


EXAMPLE = textwrap.dedent(
    """
    import json, sys
    from forecast import registry
    # 1. the registry entry (forecast/registry.py)
    family_doctor = registry.Item(
        "family_doctor", "expenditure", "家庭医生签约服务费支出", "benefits: family-doctor contracts",
        "家庭医生签约服务", "benefits", ("resident",),
        params={
            "family_doctor.fee": dict(
                unit="yuan/person/year",
                description="家庭医生签约服务费 paid by the fund per signed resident",
                default=0.0,
                after="wage_growth",
            ),
            "family_doctor.signed_share": dict(
                unit="ratio", description="share of residents with a family-doctor contract", default=0.0
            ),
        },
    )
    registry.ITEM_ENTRIES = (*registry.ITEM_ENTRIES, family_doctor)
    registry.ITEMS["family_doctor"] = family_doctor

    # 2. the formula (forecast/model/pools/resident.py)
    from forecast.model.pools.base import formula

    @formula("resident", "family_doctor")
    def family_doctor_spending(ctx):
        doctor = ctx.rules.resident.family_doctor
        return ctx.count("resident") * doctor.signed_share * doctor.fee

    import forecast
    from forecast.apps.budget import budget_table
    base = forecast.run("baseline")
    ds = forecast.run(sys.argv[1])
    spent = ds["expenditure_items"].sel(pool="resident", expenditure_item="family_doctor")
    residents = ds["insured"].sel(pool="resident")
    table = budget_table(ds, 2025)
    from forecast.engine import resolved_rules
    scenario = forecast.load_scenario(sys.argv[1])
    rules = resolved_rules(
        scenario, forecast.load_region(scenario.region_path), dict(scenario.params), dict(scenario.root_params),
        scenario.horizon,
    )
    print(json.dumps({
        "per_resident_2025": float(spent.sel(year=2025) / residents.sel(year=2025)),
        "wage_2025": float(1 + rules["assumptions.economy.wage_growth"][1]),
        "per_resident_2035": float(spent.sel(year=2035) / residents.sel(year=2035)),
        "baseline_item": float(base["expenditure_items"].sel(expenditure_item="family_doctor").sum()),
        "extra_spending_2025": float(
            ds["expenditure"].sel(pool="resident", year=2025) - base["expenditure"].sel(pool="resident", year=2025)
        ),
        "budget_lines": table.query("pool == 'resident'")["line_zh"].tolist(),
    }))
    """
)


@pytest.mark.slow
def test_a_benefit_is_one_registry_entry_and_one_formula(tmp_path):
    """The contributor guide's example, run as written: the scenario key exists (validated with its
    unit), the item is booked on the resident pool and grows with wages, the baseline (its default
    0) pays nothing, and the budget table shows its line."""
    overlay = tmp_path / "family_doctor.yaml"
    overlay.write_text(
        "title: 家庭医生签约\npolicy:\n  resident:\n    family_doctor: {fee: 120, signed_share: 0.4}\n",
        encoding="utf-8",
    )
    script = tmp_path / "example.py"
    script.write_text(EXAMPLE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), f"baseline+{overlay}"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert abs(out["per_resident_2025"] - 0.4 * 120 * out["wage_2025"]) < 1e-6 * 48
    assert out["per_resident_2035"] > out["per_resident_2025"] * 1.2  # the fee follows wages (its rule)
    assert out["baseline_item"] == 0.0
    assert out["extra_spending_2025"] > 0  # booked in the pool's expenditure
    assert "家庭医生签约服务费支出" in out["budget_lines"]
