"""Provider tools whose vendor endpoints the sandbox emulators serve since they were added for
them: each answers from the emulator instead of "the sandbox does not emulate …"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from salesauto.integrations.sandbox.apollo.workspace import job_postings
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.integrations.sandbox.universe import universe
from salesauto.platform import Platform
from salesauto.tools.registry import ToolRegistry
from tests.conftest import make_settings
from tests.support.servers import serve_app
from tests.tools.conftest import Caller

CONFIG = SandboxConfig(time_scale=0.0)  # lemlist's clock stopped: nothing sent behind our back


@pytest.fixture
async def providers(registry: ToolRegistry, database_url: str) -> AsyncIterator[Caller]:
    async with serve_app(build_sandbox_app(CONFIG)) as url:
        platform = Platform.build(make_settings(database_url, sandbox_url=url))
        await platform.start()
        try:
            yield Caller(registry, platform)
        finally:
            await platform.stop()


async def test_hubspot_portal_properties_schema_and_segments(providers: Caller) -> None:
    tools = providers
    account = await tools.ok("hubspot_get_account")
    assert isinstance(account["details"]["portalId"], int)
    assert account["details"]["uiDomain"] == "app.hubspot.com"

    emails = await tools.ok("hubspot_search_properties", object_type="contacts", keyword="email")
    assert [p["name"] for p in emails["properties"]] == ["email", "hs_email_domain"]
    assert emails["total_matching"] == 2 and emails["properties"][0]["type"] == "string"
    status = await tools.ok("hubspot_search_properties", object_type="tasks", keyword="status")
    assert "COMPLETED" in status["properties"][0]["options"]
    unknown = await tools.call("hubspot_search_properties", object_type="widgets")
    assert unknown.is_error and "widgets" in unknown.text

    schema = await tools.ok("hubspot_describe_schema", include_custom_objects=True)
    assert schema["custom_objects"] == []
    # describe_schema reaches pipelines only with deals, whose association labels the sandbox
    # lacks; the pipeline route itself answers HubSpot's default deal pipeline.
    hubspot = tools.platform.integrations.hubspot
    pipelines = (await hubspot.http.request("GET", "/crm/v3/pipelines/deals")).json()
    assert "closedwon" in [stage["id"] for stage in pipelines["results"][0]["stages"]]

    written = await tools.ok(
        "hubspot_upsert_objects",
        object_type="contacts",
        records=[{"properties": {"email": "ann@acme.com"}}],
    )
    contact_id = written["created"][0]["id"]
    created = await tools.confirmed(
        "hubspot_manage_segment", action="create", list_name="Fair leads", record_ids=[contact_id]
    )
    list_id = created["list_id"]
    await tools.confirmed("hubspot_manage_segment", action="create", list_name="Other")
    found = await tools.ok("hubspot_list_segments", query="fair")
    assert [(s["listId"], s["size"]) for s in found["segments"]] == [(list_id, 1)]
    assert found["total"] == 1 and found["next_cursor"] is None
    first = await tools.ok("hubspot_list_segments", limit=1)
    assert len(first["segments"]) == 1 and first["next_cursor"] == "1"

    removed = await tools.confirmed(
        "hubspot_manage_segment",
        action="remove",
        list_id=list_id,
        record_ids=[contact_id, "999999"],
    )
    assert removed["removed"] == [contact_id] and removed["missing"] == ["999999"]
    members = await hubspot.lists.list_members_page(list_id)
    assert members.results == []


async def test_lemlist_team_and_lead_states(providers: Caller) -> None:
    tools = providers
    lemlist = tools.platform.integrations.lemlist
    team = await tools.ok("lemlist_get_team")
    assert team["team"]["_id"].startswith("tea_") and len(team["team"]["userIds"]) == 1

    created = await tools.ok(
        "lemlist_create_campaign",
        campaign_name="Fair follow-up",
        steps=[{"subject": "Hi {{firstName}}", "message": "Good to meet you."}],
    )
    campaign_id = created["id"]
    await tools.confirmed(
        "lemlist_upsert_leads", campaign_id=campaign_id, leads=[{"email": "ann@acme.com"}]
    )

    async def ann_in_campaign() -> tuple[bool, str | None]:
        memberships = await lemlist.get_lead_memberships("ann@acme.com")
        return memberships[0].is_paused, memberships[0].state

    lead = {"campaign_id": campaign_id, "lead": "ann@acme.com"}
    paused = await tools.confirmed("lemlist_set_lead_state", **lead, state="pause")
    assert paused["answer"]["result"][0]["isPaused"] is True
    assert (await ann_in_campaign())[0] is True
    await tools.confirmed("lemlist_set_lead_state", **lead, state="resume")
    assert (await ann_in_campaign())[0] is False
    await tools.confirmed("lemlist_set_lead_state", **lead, state="interested")
    assert (await ann_in_campaign())[1] == "interested"
    await tools.confirmed("lemlist_set_lead_state", **lead, state="not_interested")
    assert (await ann_in_campaign())[1] == "notInterested"
    stranger = await tools.call(
        "lemlist_set_lead_state",
        campaign_id=campaign_id,
        lead="nobody@acme.com",
        state="interested",
        confirm_token=(
            await tools.ok(
                "lemlist_set_lead_state",
                campaign_id=campaign_id,
                lead="nobody@acme.com",
                state="interested",
            )
        )["confirm_token"],
    )
    assert stranger.is_error and "Lead not found" in stranger.text


async def test_explorium_autocomplete_suggests_values_a_search_accepts(providers: Caller) -> None:
    tools = providers
    industry = universe(CONFIG.seed).companies[0].industry
    word = industry.split()[0][:4].lower()
    found = await tools.ok("explorium_autocomplete", field="linkedin_category", query=word)
    values = [row["value"] for row in found["values"]]
    assert industry in values and all(word in value.lower() for value in values)
    titles = await tools.ok(
        "explorium_autocomplete", entity="prospects", field="job_title", query="sales"
    )
    assert titles["values"] and all("sales" in r["value"].lower() for r in titles["values"])
    wrong = await tools.call("explorium_autocomplete", field="favourite_colour", query="red")
    assert wrong.is_error and "favourite_colour" in wrong.text


async def test_apollo_jobs_sequences_and_contacts(providers: Caller) -> None:
    tools = providers
    hiring = next(c for c in universe(CONFIG.seed).companies if job_postings(c))
    jobs = await tools.ok("apollo_get_company_jobs", organization_id=hiring.apollo_id)
    assert [j["title"] for j in jobs["jobs"]] == [j["title"] for j in job_postings(hiring)]

    sequences = await tools.ok("apollo_list_sequences")
    assert len(sequences["sequences"]) == 2 and len(sequences["email_accounts"]) == 1
    sequence = next(s for s in sequences["sequences"] if s["active"])
    mailbox = sequences["email_accounts"][0]["id"]
    only = await tools.ok("apollo_list_sequences", sequence_name="event")
    assert [s["name"] for s in only["sequences"]] == ["Event follow-up"]

    person = {"email": "ann@acme.com", "first_name": "Ann", "organization_name": "Acme"}
    added = await tools.confirmed(
        "apollo_add_to_sequence",
        sequence_id=sequence["id"],
        email_account_id=mailbox,
        people=[person],
    )
    again = await tools.confirmed(
        "apollo_add_to_sequence",
        sequence_id=sequence["id"],
        email_account_id=mailbox,
        people=[person],
    )
    assert len(added["contact_ids"]) == 1 and again["contact_ids"] == added["contact_ids"]
    saved = await tools.ok("apollo_search_contacts", keywords="acme")
    assert saved["total"] == 1
    assert saved["contacts"][0]["emailer_campaign_ids"] == [sequence["id"]]
    none = await tools.ok("apollo_search_contacts", keywords="globex")
    assert none == {"total": 0, "contacts": []}
