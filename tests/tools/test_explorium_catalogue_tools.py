"""Every Explorium enrichment kind and both events feeds, through the tool registry against the
sandbox: what comes back, how the ids were batched upstream, and the emulator's 4xx answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import get_args

import httpx
import pytest

from salesauto.integrations.explorium.schemas import BusinessEnrichment
from salesauto.integrations.sandbox.explorium import build_explorium_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.integrations.sandbox.universe import universe
from salesauto.platform import Platform
from salesauto.tools.registry import ToolRegistry
from tests.conftest import make_settings
from tests.support.emulators import calls
from tests.support.servers import serve_app
from tests.tools.conftest import Caller

WORLD = universe(42)
SIGNALS = ["new_funding_round", "new_product", "hiring_in_sales_department"]


@pytest.fixture
async def explorium(registry: ToolRegistry, database_url: str) -> AsyncIterator[tuple[Caller, str]]:
    """A caller whose platform reaches the sandbox, and the Explorium emulator's own URL."""
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["explorium"])
    async with serve_app(sandbox) as url:
        platform = Platform.build(make_settings(database_url, sandbox_url=url))
        await platform.start()
        try:
            yield Caller(registry, platform), f"{url}/explorium"
        finally:
            await platform.stop()


async def test_enrichment_of_60_businesses_is_a_dry_run_then_two_calls_per_kind(
    explorium: tuple[Caller, str],
) -> None:
    tools, url = explorium
    companies = WORLD.companies[:60]
    ids = [c.business_id for c in companies]
    args = {"business_ids": ids, "kinds": ["workforce_trends", "lookalikes"]}
    dry = await tools.ok("explorium_enrich_businesses", **args)
    assert dry["dry_run"] and "120 Explorium credit(s)" in dry["summary"]
    assert dry["details"]["explorium_calls"] == 4
    assert await calls(url, "businesses/workforce_trends/bulk_enrich") == []  # nothing spent

    done = await tools.ok("explorium_enrich_businesses", **args, confirm_token=dry["confirm_token"])
    assert await calls(url, "businesses/workforce_trends/bulk_enrich") == [50, 10]
    assert await calls(url, "businesses/lookalikes/bulk_enrich") == [50, 10]
    first = done["data"][ids[0]]
    sales = sum(1 for p in companies[0].people if p.department == "sales")
    assert first["workforce_trends"]["perc_sales_roles"] == round(
        100 * sales / len(companies[0].people)
    )
    for lookalike in first["lookalikes"]:
        peer = WORLD.by_business_id[lookalike["lookalike_business_id"]]
        assert peer.industry == companies[0].industry and peer != companies[0]


async def test_every_business_and_prospect_kind_comes_back(explorium: tuple[Caller, str]) -> None:
    tools, _ = explorium
    company = next(c for c in WORLD.companies if c.events and c.funding)
    kinds = list(get_args(BusinessEnrichment))
    done = await tools.confirmed(
        "explorium_enrich_businesses", business_ids=[company.business_id], kinds=kinds
    )
    found = done["data"][company.business_id]
    assert sorted(found) == sorted(kinds)
    assert found["firmographics"]["name"] == company.name
    assert found["webstack"]["technologies_used_by_company_website"] == list(company.technologies)
    assert found["website_changes"][0]["date"] == company.events[0].day.isoformat()
    assert found["pc_strategy_10k"]["form_type"] == "10-K"

    person = company.people[0]
    people = await tools.confirmed(
        "explorium_enrich_prospects",
        prospect_ids=[person.prospect_id, "f" * 40],
        kinds=["contacts_information", "profiles", "linkedin_posts"],
    )
    mine = people["data"][person.prospect_id]
    assert mine["contacts_information"]["professions_email"] == person.email
    assert mine["profiles"]["job_title"] == person.title
    assert len(mine["linkedin_posts"]) == 2 and people["not_found"] == ["f" * 40]

    wrong = await tools.call(
        "explorium_enrich_businesses", business_ids=[company.business_id], kinds=["gossip"]
    )
    assert wrong.is_error and "kinds.0" in wrong.text


async def test_business_events_of_60_businesses_in_calls_of_40(
    explorium: tuple[Caller, str],
) -> None:
    tools, url = explorium
    companies = WORLD.companies[:60]
    since = datetime(2026, 6, 1, tzinfo=UTC)
    found = await tools.ok(
        "explorium_business_events",
        business_ids=[c.business_id for c in companies],
        event_types=SIGNALS,
        since=since.isoformat(),
    )
    assert await calls(url, "businesses/events") == [40, 20]
    expected = sorted(
        e.event_id
        for c in companies
        for e in c.events
        if e.type in SIGNALS and e.day >= since.date()
    )
    assert expected and sorted(e["event_id"] for e in found["events"]) == expected

    unknown = await tools.call(
        "explorium_business_events", business_ids=[companies[0].business_id], event_types=["x"]
    )
    assert unknown.is_error and "unknown event types x" in unknown.text


async def test_prospect_events_are_job_moves_within_the_window(
    explorium: tuple[Caller, str],
) -> None:
    tools, url = explorium
    people = WORLD.people[:60]
    moved = await tools.ok(
        "explorium_prospect_events",
        prospect_ids=[p.prospect_id for p in people],
        event_types=["prospect_changed_company", "prospect_changed_role"],
    )
    assert await calls(url, "prospects/events") == [40, 20]
    # One move per person: to the company they are at now, with the title they hold now.
    assert sorted(e["prospect_id"] for e in moved["events"]) == sorted(
        p.prospect_id for p in people
    )
    by_id = {p.prospect_id: p for p in people}
    for event in moved["events"]:
        person = by_id[event["prospect_id"]]
        assert event["data"]["current_company_id"] == person.company.business_id
        assert event["data"]["current_job_title"] == person.title
    changed_company = [e for e in moved["events"] if e["type"] == "prospect_changed_company"]
    assert changed_company and all(e["data"]["previous_company_name"] for e in changed_company)

    recent = await tools.ok(
        "explorium_prospect_events",
        prospect_ids=[p.prospect_id for p in people],
        event_types=["prospect_changed_role", "prospect_changed_company"],
        since="2026-07-01T00:00:00Z",
    )
    assert all(e["occurred_at"] >= "2026-07-01" for e in recent["events"])
    assert len(recent["events"]) < len(moved["events"])


async def test_the_emulator_refuses_what_explorium_refuses() -> None:
    async with (
        serve_app(build_explorium_emulator(SandboxConfig(seed=42))) as url,
        httpx.AsyncClient(base_url=url, headers={"api_key": "k"}) as http,
    ):
        ids = [c.business_id for c in WORLD.companies[:51]]
        too_many = await http.post(
            "/v1/businesses/webstack/bulk_enrich", json={"business_ids": ids}
        )
        assert too_many.status_code == 422
        assert too_many.json()["detail"][0]["loc"] == ["body", "business_ids"]
        prospects = [p.prospect_id for p in WORLD.people[:41]]
        events = await http.post(
            "/v1/prospects/events",
            json={"event_types": ["prospect_changed_role"], "prospect_ids": prospects},
        )
        assert events.status_code == 422 and events.json()["detail"][0]["loc"][-1] == "prospect_ids"
        bad_type = await http.post(
            "/v1/prospects/events",
            json={"event_types": ["promoted"], "prospect_ids": prospects[:1]},
        )
        assert bad_type.status_code == 422 and "unknown event types" in bad_type.text
        unknown_kind = await http.post(
            "/v1/businesses/gossip/bulk_enrich", json={"business_ids": ids[:1]}
        )
        assert unknown_kind.status_code == 404
