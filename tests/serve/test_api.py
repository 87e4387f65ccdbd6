"""The JSON API against a real server: each endpoint, its results cross-checked with the library,
and bad input (unknown names, out-of-range parameters, oversized bodies and uploads, paths where
names are expected) answered 4xx with a located message, never a traceback."""

from __future__ import annotations

import concurrent.futures
import subprocess

import numpy as np
import pytest

import forecast
from forecast.library import scenarios_dir
from forecast.scenario.parameters import SCHEMA, coerce, iter_params

from .conftest import WORKERS, free_port, serve_command

CAP = "policy.resident.benefits.inpatient.annual_cap"
RATIO = "policy.resident.benefits.inpatient.tier3.reimbursement_ratio"


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def baseline():
    return forecast.run("baseline")


def _message(response) -> str:
    return " ".join(e["message"] for e in response.json()["errors"])


def test_regions_offer_the_shipped_bundles_with_their_figures_and_sources(client):
    names = [r["name"] for r in client.get("/api/regions").json()]
    assert names[0] == "china" and {"wenzhou", "lhasa"} <= set(names)
    facts = client.get("/api/regions/china").json()
    region = forecast.load_region(forecast.default_region_path())
    assert facts["population"]["persons"] == pytest.approx(float(region.base_population.sum()))
    employee = next(p for p in facts["insured"]["pools"] if p["pool"] == "employee")
    assert employee["persons"] == pytest.approx(37_948.34e4)  # 2024 bulletin: 37,948.34万 employee insured
    assert facts["fund_base_year"] == 2024 and not facts["illustration"]
    assert (
        all(pool["sources"] for pool in facts["accounts"]["pools"])
        and facts["population"]["sources"][0]["id"] == "CENSUS2020_T15"
    )
    assert client.get("/api/regions/lhasa").json()["illustration"] is True


def test_scenarios_and_parameters_come_from_the_library_and_the_schema(client):
    scenarios = {s["name"]: s for s in client.get("/api/scenarios").json()}
    assert scenarios["baseline"]["title"] == forecast.load_scenario("baseline").title
    parameters = {p["path"]: p for p in client.get("/api/parameters").json()}
    assert set(parameters) == {path for path, _ in iter_params(SCHEMA)}
    assert parameters[CAP]["unit"] == "yuan" and parameters[RATIO]["high"] == 1.0


def test_openapi_describes_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/regions", "/api/scenarios", "/api/run", "/api/compare", "/api/solve", "/api/runs/{id}"} <= set(paths)


def test_a_run_reproduces_the_library_with_units_provenance_and_a_permalink(client, baseline):
    body = client.post("/api/run", json={"scenario": "baseline"}).json()
    assert body["status"] == "done"
    result = body["result"]
    for pool in result["pools"]:
        expected = baseline.fund.first_deficit_year().sel(pool=pool["pool"]).item()
        assert pool["first_deficit_year"] == (None if np.isnan(expected) else int(expected))
    reserve = result["series"]["reserve"]
    assert reserve["units"] == "yuan" and result["series"]["months_covered"]["units"] == "months"
    np.testing.assert_allclose(
        reserve["values"]["resident"], baseline["reserve"].sel(pool="resident").values, rtol=1e-9
    )
    assert (
        result["provenance"]["forecast_version"] == forecast.__version__
        and result["provenance"]["scenario_hash"] == baseline.attrs["scenario_hash"]
    )
    assert body["permalink"] == f"/run?region=china&scenario=baseline&version={forecast.__version__}"
    assert client.get(f"/api/runs/{body['id']}").json()["result"]["years"] == result["years"]


def test_a_repeated_request_is_answered_from_the_cache(client):
    first = client.post("/api/run", json={"scenario": "baseline"}).json()
    computed = client.get("/api/status").json()["computed"]
    again = client.post("/api/run", json={"scenario": "baseline"})
    assert again.json()["cached"] is True and again.json()["id"] == first["id"]
    assert client.get("/api/status").json()["computed"] == computed


def test_compare_gives_the_impact_whose_windows_add_up_the_years(client):
    body = client.post(
        "/api/compare",
        json={"base": {"scenario": "baseline"}, "alt": {"scenario": "baseline", "reform": {CAP: "40万"}}},
    ).json()
    comparison = body["result"]["comparison"]
    resident = next(p for p in comparison["pools"] if p["pool"] == "resident")
    assert resident["changed"] and resident["years"][0]["expenditure_change"] > 0  # a higher cap pays more
    by_year = {(r["year"], r["pool"], r["quantity"]): r["value"] for r in comparison["difference"]}
    window = resident["windows"][0]
    assert window["expenditure_change"] == pytest.approx(
        sum(by_year[(y, "resident", "expenditure")] for y in range(window["from"], window["to"] + 1))
    )
    assert not next(p for p in comparison["pools"] if p["pool"] == "ltci")["changed"]


def test_a_reform_exports_as_an_overlay_the_cli_runs_and_imports_back(client, tmp_path):
    exported = client.get("/reform.yaml", params={"region": "china", "scenario": "baseline", CAP: "40万"})
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    assert "forecast run baseline+reform.yaml" in exported.text
    overlay = tmp_path / "reform.yaml"
    overlay.write_bytes(exported.content)
    scenario = forecast.load_scenario([scenarios_dir() / "baseline.yaml", overlay])
    assert dict(scenario[CAP].points) == {2024: 200_000.0, 2025: 400_000.0}  # the baseline's 2024, the reform from 2025
    imported = client.post(
        "/scenarios/import",
        data={"region": "china", "scenario": "baseline"},
        files={"file": ("reform.yaml", exported.content, "application/yaml")},
        follow_redirects=False,
    )
    assert imported.status_code == 303
    form = client.get(imported.headers["location"])
    assert form.status_code == 200 and 'value="2024: 200000, 2025: 40万"' in form.text


def test_an_imported_file_that_is_not_an_overlay_is_refused_with_its_name(client):
    response = client.post(
        "/scenarios/import",
        data={"region": "china"},
        files={
            "file": (
                "mine.yaml",
                b"policy:\n  resident: {benefits: {inpatient: {annual_cap: -1}}}\n",
                "application/yaml",
            )
        },
    )
    assert response.status_code == 422 and "mine.yaml" in response.text and "annual_cap" in response.text
    response = client.post(
        "/scenarios/import",
        data={"region": "china"},
        files={"file": ("evil.yaml", b"a: !!python/object/apply:os.system ['true']\n", "application/yaml")},
    )
    assert response.status_code == 422 and "YAML tags" in response.text


def test_the_pages_switch_to_english(client):
    response = client.get("/?lang=en")
    assert "Choose a region bundle" in response.text and "lang=en" in response.headers["set-cookie"]
    assert "选择地区数据包" in client.get("/?lang=zh").text


def test_unknown_region_and_scenario_answer_404_naming_the_choices(client):
    response = client.post("/api/run", json={"region": "atlantis"})
    assert (
        response.status_code == 404
        and "unknown region 'atlantis'" in _message(response)
        and "china" in _message(response)
    )
    assert client.get("/api/regions/atlantis").status_code == 404
    response = client.post("/api/run", json={"scenario": "basline"})
    assert response.status_code == 404 and "did you mean 'baseline'" in _message(response)


@pytest.mark.parametrize("value", [70, "70亿", -1])
def test_an_out_of_range_parameter_gets_the_clis_message_by_field(client, value):
    response = client.post("/api/run", json={"reform": {RATIO: value}})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == RATIO and "reform.yaml, line" in error["message"]
    assert coerce(value, dict(iter_params())[RATIO])[1] in error["message"]  # the loader's own words


def test_unknown_parameter_and_bad_shapes_are_refused_with_the_field(client):
    response = client.post("/api/run", json={"reform": {"policy.resident.benefits.inpatient.annual_capp": 1}})
    assert response.status_code == 422 and "unknown key 'annual_capp'" in _message(response)
    response = client.post("/api/run", json={"draws": 0})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "draws"
    response = client.post("/api/run", json={"draws": 10**9})
    assert response.status_code == 422 and "draws" in _message(response)
    assert (
        client.post("/api/run", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    )


@pytest.mark.parametrize("name", ["../../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc", "data/china"])
def test_paths_where_names_are_expected_are_refused(client, name):
    assert client.post("/api/run", json={"region": name}).status_code == 404
    assert client.post("/api/run", json={"scenario": name}).status_code == 404


def test_no_file_outside_a_runs_own_files_is_served(client):
    run = client.post("/api/run", json={"scenario": "baseline"}).json()["id"]
    for path in (
        f"/runs/{run}/files/job.json",
        f"/runs/{run}/files/..%2F..%2Fjob.json",
        "/runs/..%2F..%2Fetc/files/passwd",
        "/api/runs/../../etc/passwd",
        "/static/../pyproject.toml",
        f"/runs/{run}/chart/..%2Fresult.json",
    ):
        response = client.get(path)
        assert 400 <= response.status_code < 500, path
        assert "root:" not in response.text and "Traceback" not in response.text


def test_oversized_bodies_and_uploads_answer_413(client):
    response = client.post("/api/run", json={"scenario": "baseline", "title": "x" * 2_000_000})
    assert response.status_code == 413 and "at most" in _message(response)
    big = b"pool,month,income,expenditure,unit\n" + b"employee,5,1,1,\xe4\xb8\x87\xe5\x85\x83\n" * 300_000
    response = client.post("/execution", data={"region": "china"}, files={"actuals": ("actuals.csv", big, "text/csv")})
    assert response.status_code == 413 and "Traceback" not in response.text


def test_a_bad_actuals_file_is_named_as_uploaded(client):
    response = client.post(
        "/execution",
        data={"region": "china", "scenario": "baseline"},
        files={"actuals": ("my actuals.csv", b"pool,month,income\nemployee,5,1\n", "text/csv")},
        follow_redirects=True,
    )
    assert response.status_code == 422
    assert (
        "my actuals.csv" in response.text
        and "missing column(s) expenditure, unit" in response.text
        and "uploads" not in response.text
    )


def test_solve_with_an_unknown_lever_is_located(client):
    response = client.post("/api/solve", json={"pool": "resident", "lever": "magic"})
    assert response.status_code == 422 and "no lever 'magic'" in _message(response)


def test_twenty_concurrent_requests_complete_with_memory_bounded(client, server):
    def run(k):  # ten different runs, each asked for twice at once
        return client.post("/api/run", json={"scenario": "baseline", "draws": 5, "seed": 1000 + k % 10})

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(run, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    ids = [r.json()["id"] for r in responses]
    assert len(set(ids)) == 10 and ids[:10] == ids[10:]  # identical requests share one job
    status = client.get("/api/status").json()
    assert status["in_flight"] == 0 and len(status["worker_pids"]) <= WORKERS
    # each worker holds one run at a time: its peak stays that of one run of 5 draws, far below what
    # 20 runs at once would take (a deterministic run's process peaks at about 0.3 GiB: benchmarks/memory.py)
    assert all(peak < 1.5 * 2**30 for peak in status["memory"]["worker_peak_bytes"] if peak is not None)
    assert status["memory"]["server_peak_bytes"] < 1 * 2**30


def test_listening_beyond_the_machine_needs_a_token():
    done = subprocess.run(
        serve_command("--host", "0.0.0.0", "--port", str(free_port())), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--token" in done.stderr and "Traceback" not in done.stderr


def test_the_token_guard():
    import asyncio

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from forecast.apps.serve.guard import Guard

    app = Guard(Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))]), token="s3cret")

    async def check():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            assert (await c.get("/")).status_code == 401
            assert (await c.get("/", headers={"Authorization": "Bearer wrong"})).status_code == 401
            assert (await c.get("/", headers={"Authorization": "Bearer s3cret"})).text == "ok"
            first = await c.get("/?token=s3cret")
            assert first.status_code == 200 and "forecast_token" in first.headers["set-cookie"]
            assert (await c.get("/")).status_code == 200  # the cookie

    asyncio.run(check())
