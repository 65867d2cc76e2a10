"""lemlist's People and Companies database through the tool registry against the sandbox:
the filter catalogue, searches that match the universe, the search allowance, and 400s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.lemlist import build_lemlist_emulator
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.integrations.sandbox.universe import universe
from salesauto.platform import Platform
from salesauto.tools.registry import ToolRegistry
from tests.conftest import make_settings
from tests.support.servers import serve_app
from tests.tools.conftest import Caller

WORLD = universe(42)


@pytest.fixture
async def lemlist(registry: ToolRegistry, database_url: str) -> AsyncIterator[tuple[Caller, str]]:
    """A caller whose platform reaches the lemlist emulator, and the emulator's URL."""
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_app(sandbox) as url:
        platform = Platform.build(make_settings(database_url, sandbox_url=url))
        await platform.start()
        try:
            yield Caller(registry, platform), f"{url}/lemlist"
        finally:
            await platform.stop()


async def received(url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        searches: list[dict[str, Any]] = (
            await http.get(f"{url}/_sandbox/lemlist/database/searches")
        ).json()
    return searches


async def test_people_search_by_country_seniority_and_department(
    lemlist: tuple[Caller, str],
) -> None:
    tools, url = lemlist
    catalogue = await tools.ok("lemlist_database_filters")
    seniority = next(f for f in catalogue["filters"] if f["filter_id"] == "seniority")
    assert "CxO" in seniority["values"] and seniority["applies_to"] == ["leads"]

    filters = [
        {"filter_id": "country", "include": ["France"]},
        {"filter_id": "seniority", "include": ["CxO"]},
        {"filter_id": "department", "include": ["Sales"]},
    ]
    found = await tools.ok("lemlist_search_people", filters=filters, size=5)
    expected = [
        p
        for p in WORLD.people
        if p.company.country == "france" and p.seniority == "c_suite" and p.department == "sales"
    ]
    assert found["total"] == len(expected) > 5 and found["searches_left"] == 1999
    assert [r["full_name"] for r in found["results"]] == [p.full_name for p in expected[:5]]
    assert all("email" not in row for row in found["results"])

    second = await tools.ok("lemlist_search_people", filters=filters, size=5, page=2)
    assert second["searches_left"] == 1998
    assert [r["full_name"] for r in second["results"]] == [p.full_name for p in expected[5:10]]
    sent = await received(url)
    assert sent[0] == {
        "kind": "leads",
        "body": {
            "filters": [
                {"filterId": "country", "in": ["France"], "out": []},
                {"filterId": "seniority", "in": ["CxO"], "out": []},
                {"filterId": "department", "in": ["Sales"], "out": []},
            ],
            "page": 1,
            "size": 5,
        },
    }


async def test_company_search_by_size_industry_and_title_exclusion(
    lemlist: tuple[Caller, str],
) -> None:
    tools, _ = lemlist
    found = await tools.ok(
        "lemlist_search_companies",
        filters=[
            {"filter_id": "currentCompanyHeadcount", "include": ["51-200", "201-500"]},
            {"filter_id": "currentCompanyIndustry", "include": ["software development"]},
            {"filter_id": "currentCompanyCountry", "exclude": ["United States"]},
        ],
        size=50,
    )
    expected = [
        c
        for c in WORLD.companies
        if c.employee_range in ("51-200", "201-500")
        and c.industry == "software development"
        and c.country != "united states"
    ]
    assert found["total"] == len(expected) > 0
    assert [r["company_domain"] for r in found["results"]] == [c.domain for c in expected[:50]]

    company = found["results"][0]
    people = await tools.ok(
        "lemlist_search_people",
        filters=[
            {"filter_id": "currentCompanyByIds", "include": [company["_id"]]},
            {"filter_id": "currentTitle", "include": ["engineer"]},
        ],
    )
    at_company = WORLD.by_domain[company["company_domain"]].people
    assert people["total"] == sum(1 for p in at_company if "engineer" in p.title.lower())


async def test_bad_filters_are_refused_with_what_to_fix(lemlist: tuple[Caller, str]) -> None:
    tools, _ = lemlist
    unknown = await tools.call(
        "lemlist_search_people", filters=[{"filter_id": "shoeSize", "include": ["42"]}]
    )
    assert unknown.is_error and "Parameter filters is invalid" in unknown.text
    assert "shoeSize" in unknown.text
    too_big = await tools.call(
        "lemlist_search_companies", filters=[{"filter_id": "country"}], size=101
    )
    assert too_big.is_error and "size" in too_big.text


async def test_the_emulator_answers_lemlists_400s_and_counts_searches() -> None:
    async with (
        serve_app(build_lemlist_emulator(SandboxConfig(time_scale=0.0))) as url,
        httpx.AsyncClient(base_url=url, auth=("", "key")) as http,
    ):
        no_filters = await http.post("/database/people", json={"page": 1})
        assert no_filters.status_code == 400 and no_filters.text == "Parameter filters is invalid"
        big = await http.post("/database/people", json={"filters": [], "size": 101})
        assert big.status_code == 400 and big.text.startswith("Parameter size is invalid")
        wrong_value = await http.post(
            "/database/people",
            json={"filters": [{"filterId": "seniority", "in": ["Boss"], "out": []}]},
        )
        assert wrong_value.status_code == 400 and "no value Boss" in wrong_value.text
        companies_only = await http.post(
            "/database/people", json={"filters": [{"filterId": "companiesByIds", "in": ["1"]}]}
        )
        assert companies_only.status_code == 400
        ok = await http.post("/database/companies", json={"filters": [], "size": 500})
        assert ok.status_code == 200 and len(ok.json()["results"]) == 500
        assert ok.json()["limitation"] == 1999  # refused searches use no allowance
        assert ok.headers["X-RateLimit-Limit"] == "20"
