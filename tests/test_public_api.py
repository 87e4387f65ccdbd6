"""The public API is a contract (docs/architecture.md, "The public contract"): this test pins its names."""

import forecast


def test_public_names_are_pinned():
    assert sorted(forecast.__all__) == sorted(
        [
            "InputError",
            "POOLS",
            "Problem",
            "Region",
            "SEXES",
            "Scenario",
            "__version__",
            "compare",
            "default_region_path",
            "load_region",
            "load_scenario",
            "run",
        ]
    )
    for name in forecast.__all__:
        assert hasattr(forecast, name), name


def test_pools_follow_the_design():
    assert forecast.POOLS == ("employee", "resident", "critical_illness", "medical_assistance", "ltci")


def test_console_script_is_declared():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["forecast"] == "forecast.cli:console"


def test_the_docs_schema_table_matches_the_code():
    from pathlib import Path

    from forecast.inputs.schema import schema_markdown

    readme = (Path(__file__).parents[1] / "docs" / "reference" / "bundle.md").read_text(encoding="utf-8")
    block = readme.split("<!-- schema:start -->")[1].split("<!-- schema:end -->")[0].strip()
    assert block == schema_markdown()


def test_population_stage_names_are_pinned():
    from forecast.model import population

    assert sorted(population.__all__) == sorted(
        [
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
    )
