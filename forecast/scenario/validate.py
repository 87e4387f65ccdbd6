"""Validating a merged scenario against the parameter schema: dated values, the walk over
:data:`~forecast.scenario.parameters.SCHEMA`, and the checks between fields."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from types import MappingProxyType

from ..inputs.files import read_bytes
from ..inputs.yamlfile import LineDict
from ..limits import MAX_YAML_BYTES
from .dated import CONTINUATION_ALIASES, CONTINUATIONS, INTERPOLATIONS, DatedValue
from .demography import DEMOGRAPHY, DEMOGRAPHY_KEYS, demography
from .param import default_value
from .parameters import SCHEMA, Param, coerce, iter_params
from .reader import Reader, unknown_keys

__all__ = ["validate", "TOP_KEYS", "DATED_KEYS"]

TOP_KEYS = {"title", "description", "sources", "extends", "region", "horizon", "assumptions", "policy", "verdict"}
DATED_KEYS = {"values", "between", "after", "lag"}
#: the largest lag of a continuation (years)
MAX_LAG = 5


def _dated(reader, raw, param: Param, path: str, at, horizon: int):
    """A file value -> DatedValue (dated parameters) or a plain value; None after a problem."""
    where = at(path)
    if not param.dated or not isinstance(raw, dict):
        if isinstance(raw, dict):
            reader.fail(where, path, "takes one value, not dated values", f"write {param.bound_text()}")
            return None
        value, problem = coerce(raw, param)
        if problem:
            reader.fail(where, path, "not an allowed value", problem, raw)
            return None
        return DatedValue.constant(value, param.after, param.lag) if param.dated else value
    if not raw:
        reader.fail(where, path, "empty dated values ({})", f"give at least one year, e.g. '{{2025: ...}}', or one value: {param.bound_text()}")
        return None
    spec, located = raw, path
    between, after, lag = "step", param.after, param.lag
    explicit = False
    if set(raw) <= DATED_KEYS:
        located = f"{path}.values"
        if "values" not in raw or not isinstance(raw["values"], dict) or not raw["values"]:
            reader.fail(where, f"{path}.values", "the long form needs 'values'", "write e.g. 'values: {2024: 670, 2030: 850}'")
            return None
        spec, between, after = raw["values"], raw.get("between", "step"), raw.get("after", param.after)
        after = CONTINUATION_ALIASES.get(after, after) if isinstance(after, str) else after
        explicit = "after" in raw
        lag = raw.get("lag", param.lag)
        if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= MAX_LAG:
            reader.fail(at(f"{path}.lag"), f"{path}.lag", f"the lag is a whole number of years from 0 to {MAX_LAG}", "write e.g. 'lag: 1' (the value of year t grows with the series' growth of year t - 1)", lag)
            return None
        if between not in INTERPOLATIONS:
            reader.fail(at(f"{path}.between"), f"{path}.between", "unknown interpolation", f"use one of {', '.join(INTERPOLATIONS)}", between)
            return None
        if after not in CONTINUATIONS:
            close = difflib.get_close_matches(str(after), CONTINUATIONS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            reader.fail(at(f"{path}.after"), f"{path}.after", "unknown continuation rule", f"{hint}use one of {', '.join(CONTINUATIONS)}", after)
            return None
    points = []
    for year, value in spec.items():
        if isinstance(year, bool) or not isinstance(year, int):
            reader.fail(where, f"{path}.{year}", "dated values are keyed by year", "write e.g. '{2024: 670, 2030: 850}' or use the long form (values, between, after)", year)
            return None
        value_at = at(f"{located}.{year}") if isinstance(spec, LineDict) else where
        if year > horizon and _later(reader.horizon_at, value_at, reader.files):
            if not any(p.field == "horizon" for p in reader.problems):
                reader.fail(reader.horizon_at, "horizon", f"the horizon {horizon} comes before {year}, a year {Path(value_at[0]).name} gives for {path} (line {value_at[1]})", "the horizon is the last projected year: set it after the fund's base year (the last year of the bundle's fund history; 2024 for data/china), e.g. 'horizon: 2060'")
            return None
        if not 2000 <= year <= horizon:
            reader.fail(value_at, f"{path}.{year}", f"year outside 2000..{horizon} (the horizon)", f"give years up to the horizon {horizon}, or raise 'horizon'", year)
            return None
        number, problem = coerce(value, param)
        if problem:
            reader.fail(value_at, f"{path}.{year}", "not an allowed value", problem, value)
            return None
        points.append((year, number))
    if after == "mean_increment" and len(points) < 2 and not explicit:
        after = "hold"  # one given year has no increment: the default continuation holds it (a run lists it)
    value = DatedValue(tuple(sorted(points)), between, after, lag)
    if after == "mean_increment" and not _increment_ok(reader, value, param, path, at(f"{path}.after"), horizon):
        return None
    return value


def _increment_ok(reader, value: DatedValue, param, path: str, where, horizon: int) -> bool:
    """``after: mean_increment`` needs two given years, and must stay in the allowed range to the horizon."""
    if len(value.points) < 2:
        reader.fail(where, f"{path}.after", "mean_increment needs at least two given years (an increment)", "give the announced values of several years, e.g. '{2022: 350, 2023: 380, 2024: 400}', or use after: hold", "mean_increment")
        return False
    end = value.points[-1][1] + value.mean_increment() * (horizon - value.last_year)
    if param.low is not None and end < param.low:
        reader.fail(where, f"{path}.after", f"the mean increment ({value.mean_increment():g} a year) takes the value to {end:g} by {horizon}, below its lowest allowed value {param.low:g}", "give values up to the horizon, or use after: hold", "mean_increment")
        return False
    return True


def _under_another_pool(path: str) -> str | None:
    """The same key under another pool's section (policy.<pool>....), if the schema has it there."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "policy":
        return None
    for pool in ("employee", "resident", "critical_illness", "medical_assistance", "ltci"):
        other = ".".join(["policy", pool, *parts[2:]])
        if pool != parts[1] and any(p == other or p.startswith(other + ".") for p, _ in iter_params()):
            return ".".join(other.split(".")[:-1])
    return None


def _walk(reader, data: dict, tree: dict, prefix: str, origins: dict, at, horizon: int, out: dict):
    """Validate ``data`` against the schema ``tree``; resolved values go to ``out`` by path."""
    if not isinstance(data, dict):
        reader.fail(at(prefix.rstrip(".")), prefix.rstrip("."), "must be a mapping of keys to values", "see scenarios/baseline.yaml", data)
        data = {}
    allowed = set(tree) | ({"demography"} if prefix == "assumptions." else set())
    unknown_keys(reader, data, allowed, prefix, origins, elsewhere=_under_another_pool)
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if isinstance(node, Param):
            if key in data:
                out[path] = _dated(reader, data[key], node, path, at, horizon)
            elif node.default_from:  # left out: the rules take the flat rule's value when they resolve
                origins.pop(path, None)
            elif node.default is not None:
                out[path] = default_value(node)
                origins.pop(path, None)
            else:
                out[path] = None
                reader.fail(at(prefix.rstrip(".")) if prefix else at(path), path, "missing", f"give {node.bound_text()} here or in the baseline: {node.description}")
        else:
            _walk(reader, data.get(key) or {}, node, path + ".", origins, at, horizon, out)


def _later(a, b, files) -> bool:
    """True when origin ``a`` comes from a later file of the chain than origin ``b``."""
    order = {f: i for i, f in enumerate(files)}
    return order.get(a[0], -1) > order.get(b[0], -1)


def _cross_checks(reader, p: dict, at, files):
    """Checks between fields: caps above deductibles, shares that add up, retirement ages."""

    def values(path):
        v = p.get(path)
        return [] if v is None else ([x for _, x in v.points] if isinstance(v, DatedValue) else [v])

    for pool in ("employee", "resident"):
        base = f"policy.{pool}.benefits."
        for service, levels in (("inpatient", ("tier3", "tier2", "tier1")), ("outpatient", ("",)), ("outpatient_special", ("",))):
            cap = values(f"{base}{service}.annual_cap")
            for level in levels:
                ded_path = f"{base}{service}.{level + '.' if level else ''}deductible"
                deductibles = values(ded_path)
                if cap and deductibles and min(cap) <= max(deductibles):
                    cap_path = f"{base}{service}.annual_cap"
                    where, field = (at(ded_path), ded_path) if _later(at(ded_path), at(cap_path), files) else (at(cap_path), cap_path)
                    reader.fail(where, field, f"the annual cap ({min(cap):g} yuan, {cap_path}) is not above the deductible ({max(deductibles):g} yuan, {ded_path})", "raise the cap or lower the deductible; a cap must exceed the deductible")
    for group in ("care_mix",):
        shares = [values(f"policy.ltci.{group}.{k}") for k in ("home_care", "institutional_care")]
        if all(shares) and abs(shares[0][0] + shares[1][0] - 1) > 1e-9:
            reader.fail(at(f"policy.ltci.{group}"), f"policy.ltci.{group}", f"home_care + institutional_care must be 1 (found {shares[0][0] + shares[1][0]:g})", "make the two shares add up to 1")
    fin = [values(f"policy.ltci.financing_shares.{k}") for k in ("employee_pooled_fund", "individual", "fiscal")]
    if all(fin) and abs(sum(f[0] for f in fin) - 1) > 1e-9:
        reader.fail(at("policy.ltci.financing_shares"), "policy.ltci.financing_shares", f"the financing shares add up to {sum(f[0] for f in fin):g}, not 1", "make employee_pooled_fund + individual + fiscal = 1")
    groups = ("tekun", "dibao", "near_dibao", "at_risk", "illness_poor")
    total = sum(max(values(f"policy.medical_assistance.groups.{g}.population_share") or [0]) for g in groups)
    if total > 1:
        reader.fail(at("policy.medical_assistance.groups"), "policy.medical_assistance.groups", f"the groups' population shares add up to {total:g}, more than 1", "the groups are disjoint shares of the population: make them add up to at most 1")
    order = ("critical_months", "low_months", "high_months", "excess_months")
    for lower, upper in zip(order, order[1:]):
        a, b = p.get(f"verdict.{lower}"), p.get(f"verdict.{upper}")
        if a is not None and b is not None and a >= b:
            later = f"verdict.{upper}" if _later(at(f"verdict.{upper}"), at(f"verdict.{lower}"), files) else f"verdict.{lower}"
            what = f"out of order: {lower} ({a:g}) is above {upper} ({b:g})" if a > b else f"a band of zero width: {lower} and {upper} are both {a:g}, so no reserve is judged between them"
            reader.fail(at(later), later, f"the verdict thresholds are {what}", "give critical_months < low_months < high_months < excess_months (defaults 3, 6, 9, 15)")
            break
    for pool in ("employee", "resident", "ltci"):
        rule = f"policy.{pool}.financing_rule"
        low, high = p.get(f"{rule}.low_months"), p.get(f"{rule}.high_months")
        if low is not None and high is not None and low >= high:
            reader.fail(at(f"{rule}.high_months"), f"{rule}.high_months", f"the band's upper edge ({high:g} months) is not above its lower edge ({low:g})", "give low_months < high_months, e.g. 6 and 9")
    for who in ("male", "female_worker", "female_cadre"):  # ages themselves are bounded by the schema (40..70)
        base = f"policy.employee.retirement_age.{who}"
        start, end = p.get(f"{base}.from"), p.get(f"{base}.to")
        if start is not None and end is not None and end < start:
            reader.fail(at(f"{base}.to"), f"{base}.to", f"the reform lowers the retirement age ({start:g} -> {end:g})", "give 'to' at least 'from' (write to = from for no reform)")


def validate(data: dict, origins: dict, files: list[Path], reader: Reader) -> dict:
    """The fields of a :class:`~forecast.scenario.load.Scenario` from the merged ``data``; every
    problem goes to ``reader``."""
    last = files[-1]
    at = lambda key: origins.get(key, (last, None))  # noqa: E731
    reader.files, reader.horizon_at = files, at("horizon")
    unknown_keys(reader, data, TOP_KEYS, "", origins)
    for key in ("title", "region"):
        if key not in data:
            reader.fail((last, None), key, f"missing '{key}'", f"add '{key}:' to the scenario or to the file it extends")
    region_path = None
    if "region" in data:
        file = origins["region"][0]
        try:
            region_path = (file.parent / str(data["region"])).resolve()
        except (OSError, RuntimeError):  # a symbolic-link loop (RuntimeError in Python 3.11)
            region_path = file.parent / str(data["region"])
        if not (region_path / "region.yaml").is_file():
            reader.fail(at("region"), "region", "no region bundle (region.yaml) in that folder", "give the bundle folder relative to the scenario file, e.g. ../data/china", data["region"])
    sources = data.get("sources", [])
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        reader.fail(at("sources"), "sources", "must be a list of documents", "write e.g. 'sources: [温政办〔2022〕98号]'", sources)
        sources = []
    params: dict = {}
    horizon_param = SCHEMA["horizon"]
    raw_horizon = data.get("horizon", horizon_param.default)
    if isinstance(raw_horizon, bool) or not isinstance(raw_horizon, int):
        reader.fail(at("horizon"), "horizon", "must be a whole year", "write e.g. 'horizon: 2060'", raw_horizon)
        horizon = horizon_param.default
    else:
        horizon = _dated(reader, raw_horizon, horizon_param, "horizon", at, 2300)
        horizon = int(horizon) if horizon is not None else horizon_param.default
    params["horizon"] = horizon
    population = demography(reader, data, at, origins)
    for section in ("assumptions", "policy", "verdict"):
        _walk(reader, data.get(section) or {}, SCHEMA[section], section + ".", origins, at, horizon, params)
    _cross_checks(reader, params, at, files)
    digest = hashlib.sha256()
    for f in files:
        digest.update(read_bytes(f, "a scenario file", MAX_YAML_BYTES))
    return dict(
        files=tuple(files),
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        sources=tuple(sources),
        region_path=region_path if region_path is not None else Path("."),
        horizon=horizon,
        population=population,
        params=MappingProxyType(params),
        origins=MappingProxyType({k: origins.get(k) for k in (*params, *(DEMOGRAPHY + v for v in DEMOGRAPHY_KEYS.values()))}),
        content_hash=digest.hexdigest(),
    )
