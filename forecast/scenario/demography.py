"""The demography section of a scenario (``assumptions.demography``): mortality method and its
settings, fertility, the sex ratio at birth, migration and the stochastic settings, validated into
a :class:`~forecast.model.population.PopulationAssumptions` with located problems.

Its values are structured (per sex, age bands, dated pairs), so it is checked here rather than by
the generic walk over :data:`~forecast.scenario.parameters.SCHEMA`; its dated TFR path is reported
by a run like any other dated value extended beyond its last given year.
"""

from __future__ import annotations

import datetime as dt
import difflib

from ..inputs.labels import parse_age, parse_period
from ..inputs.yamlfile import LineDict
from ..vocabulary import SEXES
from .population import MORTALITY_METHODS, PopulationAssumptions
from .reader import number, section, unknown_keys

__all__ = ["demography", "extended_demography", "DEMOGRAPHY", "DEMOGRAPHY_KEYS", "TFR_RANGE", "E0_RANGE"]

DEMOGRAPHY = "assumptions.demography."
POPULATION_KEYS = {"mortality", "fertility", "sex_ratio_at_birth", "migration", "stochastic"}
MORTALITY_KEYS = {"method", "fit_years", "improvement_rate", "e0_targets"}
FERTILITY_KEYS = {"tfr", "continuation"}
STOCHASTIC_KEYS = {"tfr_volatility"}
#: plausible total fertility and life-expectancy targets: outside them a value is a slip (a TFR
#: of 0.3 is far below any recorded for a country or province; a life expectancy of 40 far below
#: China's since the 1960s), and at 0 the projection's births and life table have no meaning
TFR_RANGE = (0.3, 8.0)
E0_RANGE = (40.0, 100.0)
#: PopulationAssumptions field -> key path in the file
DEMOGRAPHY_KEYS = {
    "mortality_method": "mortality.method",
    "fit_years": "mortality.fit_years",
    "improvement_rate": "mortality.improvement_rate",
    "e0_targets": "mortality.e0_targets",
    "tfr": "fertility.tfr",
    "tfr_volatility": "stochastic.tfr_volatility",
}


def improvement_rates(reader, rate, at, field):
    """0.015 | {male: .., female: ..} | {male: {0-64: .., 65+: ..}, ...} -> {sex: ((start, end, rate), ...)}."""
    per_sex = rate if isinstance(rate, dict) else {s: rate for s in SEXES}
    bad = [k for k in per_sex if k not in SEXES]
    if bad:
        reader.fail(at(field), f"{field}.{bad[0]}", f"unknown sex '{bad[0]}'", "give rates for male and female")
        return None
    out = {}
    for sex in SEXES:
        if sex not in per_sex:
            reader.fail(at(field), field, f"no rate for {sex}", "give one rate, or one per sex (male, female)")
            return None
        spec = per_sex[sex]
        where = at(f"{field}.{sex}") if isinstance(per_sex, LineDict) else at(field)
        if not isinstance(spec, dict):
            value = number(reader, spec, where, f"{field}.{sex}", -0.05, 0.10, "ratio")
            if value is None:
                return None
            out[sex] = ((0, None, value),)
            continue
        bands = []
        for label, value in spec.items():
            age = parse_age(str(label))
            v = number(reader, value, at(f"{field}.{sex}.{label}"), f"{field}.{sex}.{label}", -0.05, 0.10, "ratio")
            if age is None:
                reader.fail(
                    at(f"{field}.{sex}.{label}"),
                    f"{field}.{sex}.{label}",
                    "not an age band",
                    "write bands such as 0-64 and 65+",
                    label,
                )
                return None
            if v is None:
                return None
            bands.append((age[0], age[1], v))
        bands.sort()
        covers = (
            bands[0][0] == 0
            and bands[-1][1] is None
            and all(b[1] is not None and b[1] + 1 == n[0] for b, n in zip(bands, bands[1:]))
        )
        if not covers:
            reader.fail(
                where,
                f"{field}.{sex}",
                "the age bands must cover ages 0 to the open group without gaps or overlaps",
                "write e.g. {0-64: 0.02, 65+: 0.01}",
            )
            return None
        out[sex] = tuple(bands)
    return out


def demography(reader, data, at, origins) -> PopulationAssumptions:
    """The ``assumptions.demography`` section as :class:`PopulationAssumptions`."""
    assumptions = data.get("assumptions") if isinstance(data.get("assumptions"), dict) else {}
    pop = section(reader, assumptions.get("demography"), "assumptions.demography", at, "mortality: {method: schedule}")
    unknown_keys(reader, pop, POPULATION_KEYS, DEMOGRAPHY, origins)
    kwargs: dict = {}
    mort = section(reader, pop.get("mortality"), DEMOGRAPHY + "mortality", at, "mortality: {method: lee_carter}")
    unknown_keys(reader, mort, MORTALITY_KEYS, DEMOGRAPHY + "mortality.", origins)
    method = mort.get("method", "schedule")
    field = DEMOGRAPHY + "mortality.method"
    if method not in MORTALITY_METHODS:
        close = difflib.get_close_matches(str(method), MORTALITY_METHODS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        reader.fail(
            at(field), field, "unknown mortality method", f"{hint}use one of {', '.join(MORTALITY_METHODS)}", method
        )
    else:
        kwargs["mortality_method"] = method
    if "fit_years" in mort:
        field = DEMOGRAPHY + "mortality.fit_years"
        span = parse_period(str(mort["fit_years"]))
        if span is None or span[0] == span[1]:
            reader.fail(at(field), field, "must be a range of years", "write e.g. 1990-2019", mort["fit_years"])
        elif span[1] > dt.date.today().year:
            reader.fail(
                at(field),
                field,
                f"the fitting window ends in {span[1]}, in the future: Lee–Carter is fitted to death rates already "
                "observed (the bundle's later periods are projections)",
                "end the window by the bundle's base year, e.g. 1990-2019",
                mort["fit_years"],
            )
        else:
            kwargs["fit_years"] = span
    if "improvement_rate" in mort:
        bands = improvement_rates(reader, mort["improvement_rate"], at, DEMOGRAPHY + "mortality.improvement_rate")
        if bands is not None:
            kwargs["improvement_rate"] = bands
    if method == "improvement" and "improvement_rate" not in mort:
        reader.fail(
            at(DEMOGRAPHY + "mortality.method"),
            DEMOGRAPHY + "mortality.improvement_rate",
            "the improvement method needs improvement_rate",
            "add e.g. 'improvement_rate: 0.015'",
        )
    if "e0_targets" in mort or method == "e0_target":
        targets = mort.get("e0_targets")
        field = DEMOGRAPHY + "mortality.e0_targets"
        if not isinstance(targets, dict) or not targets:
            reader.fail(
                at(field),
                field,
                "the e0_target method needs dated targets",
                "write e.g. 'e0_targets: {2035: {male: 79, female: 84}}'",
            )
        else:
            clean = {}
            for year, pair in targets.items():
                if not isinstance(year, int) or not isinstance(pair, dict) or set(pair) != set(SEXES):
                    reader.fail(
                        at(field),
                        f"{field}.{year}",
                        "each target is a year with a male and a female e0",
                        "write e.g. '2035: {male: 79, female: 84}'",
                        pair,
                    )
                    continue
                vals = {
                    s: number(reader, pair[s], at(f"{field}.{year}"), f"{field}.{year}.{s}", *E0_RANGE, "year")
                    for s in SEXES
                }
                if None not in vals.values():
                    clean[year] = vals
            kwargs["e0_targets"] = clean
    fert = section(reader, pop.get("fertility"), DEMOGRAPHY + "fertility", at, "fertility: {tfr: {2025: 1.0}}")
    unknown_keys(reader, fert, FERTILITY_KEYS, DEMOGRAPHY + "fertility.", origins)
    if fert.get("continuation", "hold") != "hold":
        field = DEMOGRAPHY + "fertility.continuation"
        reader.fail(
            at(field),
            field,
            "only 'hold' is supported",
            "write 'continuation: hold' (the last dated value holds)",
            fert.get("continuation"),
        )
    tfr = fert.get("tfr", "bundle")
    if tfr != "bundle":
        field = DEMOGRAPHY + "fertility.tfr"
        if not isinstance(tfr, dict) or not tfr:
            reader.fail(
                at(field), field, "must be 'bundle' or dated values", "write e.g. 'tfr: {2025: 1.0, 2035: 1.1}'", tfr
            )
        else:
            clean = {}
            for year, value in tfr.items():
                if not isinstance(year, int) or not 1950 <= year <= 2300:
                    reader.fail(at(field), f"{field}.{year}", "dates must be years", "write e.g. '2030: 1.1'", year)
                    continue
                v = number(reader, value, at(f"{field}.{year}"), f"{field}.{year}", *TFR_RANGE, "births/woman")
                if v is not None:
                    clean[year] = v
            kwargs["tfr"] = clean
    srb = pop.get("sex_ratio_at_birth", "bundle")
    if srb != "bundle":
        field = DEMOGRAPHY + "sex_ratio_at_birth"
        v = number(reader, srb, at(field), field, 0.9, 1.3, "male births per female birth")
        if v is not None:
            kwargs["sex_ratio_at_birth"] = v
    if "migration" in pop:
        field = DEMOGRAPHY + "migration"
        if not isinstance(pop["migration"], bool):
            reader.fail(
                at(field),
                field,
                "must be true or false",
                "write 'migration: true' to use the bundle's migration table",
                pop["migration"],
            )
        else:
            kwargs["migration"] = pop["migration"]
    stoch = section(reader, pop.get("stochastic"), DEMOGRAPHY + "stochastic", at, "stochastic: {tfr_volatility: 0.05}")
    unknown_keys(reader, stoch, STOCHASTIC_KEYS, DEMOGRAPHY + "stochastic.", origins)
    if "tfr_volatility" in stoch:
        field = DEMOGRAPHY + "stochastic.tfr_volatility"
        v = number(reader, stoch["tfr_volatility"], at(field), field, 0.0, 1.0, "births/woman per year")
        if v is not None:
            kwargs["tfr_volatility"] = v
    return PopulationAssumptions(**kwargs)


def extended_demography(assumptions: PopulationAssumptions, horizon: int) -> dict:
    """The demography's dated values a run holds beyond their last given year (path -> how), as
    :attr:`~forecast.scenario.rules.Rules.extended` lists the other parameters' (``--strict``
    refuses both)."""
    out = {}
    if assumptions.tfr and max(assumptions.tfr) < horizon:
        last = max(assumptions.tfr)
        out[DEMOGRAPHY + "fertility.tfr"] = (
            f"hold from {last + 1} to {horizon} (last given {last}: {assumptions.tfr[last]:g})"
        )
    if assumptions.mortality_method == "e0_target" and assumptions.e0_targets and max(assumptions.e0_targets) < horizon:
        last = max(assumptions.e0_targets)
        out[DEMOGRAPHY + "mortality.e0_targets"] = f"hold from {last + 1} to {horizon} (last given {last})"
    return out
