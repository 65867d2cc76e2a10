"""The provider toolsets against the sandbox emulators: what a call leaves at the provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.platform import Platform
from salesauto.security.principal import Principal
from salesauto.tools.registry import ToolRegistry
from tests.conftest import make_settings
from tests.support.servers import serve_app
from tests.tools.conftest import Caller


@pytest.fixture
async def providers(registry: ToolRegistry, database_url: str) -> AsyncIterator[Caller]:
    """A caller whose platform reaches all four emulators on a real port (lemlist's clock
    stopped, so nothing is sent behind the test's back)."""
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0))
    async with serve_app(sandbox) as url:
        platform = Platform.build(make_settings(database_url, sandbox_url=url))
        await platform.start()
        try:
            yield Caller(registry, platform)
        finally:
            await platform.stop()


async def test_hubspot_records_links_engagements_and_lists(providers: Caller) -> None:
    tools = providers
    written = await tools.ok(
        "hubspot_upsert_objects",
        object_type="contacts",
        records=[
            {"id": "ann@acme.com", "id_property": "email", "properties": {"firstname": "Ann"}}
        ],
    )
    assert [r["properties"]["email"] for r in written["created"]] == ["ann@acme.com"]
    company = await tools.ok(
        "hubspot_upsert_objects",
        object_type="companies",
        records=[{"properties": {"name": "Acme", "domain": "acme.com"}}],
    )
    contact_id, company_id = written["created"][0]["id"], company["created"][0]["id"]

    found = await tools.ok(
        "hubspot_search_objects",
        object_type="contacts",
        filter_groups=[
            {"filters": [{"property_name": "email", "operator": "EQ", "value": "ann@acme.com"}]}
        ],
        properties=["email", "firstname"],
    )
    assert found["total"] == 1 and found["records"][0]["properties"]["firstname"] == "Ann"
    by_domain = await tools.ok(
        "hubspot_get_objects", object_type="companies", ids=["acme.com", "nope.io"],
        id_property="domain",
    )  # fmt: skip
    assert [r["id"] for r in by_domain["records"]] == [company_id]
    assert by_domain["missing"] == ["nope.io"]
    by_email = await tools.ok(
        "hubspot_get_objects", object_type="contacts", ids=["ANN@acme.com", "x@y.io"],
        id_property="email",
    )  # fmt: skip
    assert [r["id"] for r in by_email["records"]] == [contact_id]
    assert by_email["missing"] == ["x@y.io"]

    linked = await tools.ok(
        "hubspot_associate",
        from_object_type="contacts",
        to_object_type="companies",
        links=[{"from_id": contact_id, "to_id": company_id}],
    )
    assert linked == {"written": 1, "errors": []}
    listed = await tools.ok(
        "hubspot_list_associations",
        object_type="companies",
        object_id=company_id,
        to_object_type="contacts",
    )
    assert [x["id"] for x in listed["linked"]] == [contact_id]

    note = await tools.ok(
        "hubspot_log_engagement",
        kind="note",
        body="Met at the fair",
        on=[{"object_type": "contacts", "id": contact_id}],
    )
    notes = await tools.platform.integrations.hubspot.associations.list_page(
        "contacts", contact_id, "notes"
    )
    assert [n.to_object_id for n in notes.results] == [note["id"]]

    segment = await tools.confirmed(
        "hubspot_manage_segment", action="create", list_name="Fair leads", record_ids=[contact_id]
    )
    assert segment["added"] == [contact_id]
    members = await tools.platform.integrations.hubspot.lists.list_members_page(segment["list_id"])
    assert [m.record_id for m in members.results] == [contact_id]
    schema = await tools.ok("hubspot_describe_schema")
    labels = schema["association_labels"]["contacts->companies"]
    assert any(label["typeId"] == 279 for label in labels)


async def test_lemlist_draft_leads_start_and_remove(providers: Caller) -> None:
    tools = providers
    lemlist = tools.platform.integrations.lemlist
    created = await tools.ok(
        "lemlist_create_campaign",
        campaign_name="Fair follow-up",
        steps=[{"subject": "Hi {{firstName}}", "message": "Good to meet you."}],
    )
    assert len(created["step_ids"]) == 1
    campaign_id = created["id"]
    unready = await tools.ok("lemlist_validate_campaign", campaign_id=campaign_id)
    assert not unready["ready"] and any("no leads" in p for p in unready["problems"])
    refused = await tools.call(
        "lemlist_set_campaign_state",
        campaign_id=campaign_id,
        state="start",
        confirm_token=(
            await tools.ok("lemlist_set_campaign_state", campaign_id=campaign_id, state="start")
        )["confirm_token"],
    )
    assert refused.is_error and "no leads" in refused.text

    await tools.ok("contacts_suppress", values=["optout.com"], reason="asked to stop")
    leads: dict[str, Any] = {
        "campaign_id": campaign_id,
        "leads": [
            {"email": "ann@acme.com", "first_name": "Ann", "variables": {"fair": "Berlin"}},
            {"email": "joe@optout.com"},
        ],
    }
    dry = await tools.ok("lemlist_upsert_leads", **leads)
    assert dry["dry_run"] and "add or update 1 lead(s)" in dry["summary"]
    assert await lemlist.get_lead_memberships("ann@acme.com") == []
    added = await tools.ok("lemlist_upsert_leads", **leads, confirm_token=dry["confirm_token"])
    assert [a["email"] for a in added["added"]] == ["ann@acme.com"]
    assert [s["email"] for s in added["suppressed"]] == ["joe@optout.com"]
    memberships = await lemlist.get_lead_memberships("ann@acme.com")
    assert [m.campaign.id for m in memberships if m.campaign] == [campaign_id]
    assert memberships[0].variables.get("fair") == "Berlin"
    assert await lemlist.get_lead_memberships("joe@optout.com") == []
    leads["leads"][0]["variables"] = {"fair": "Paris"}
    again = await tools.confirmed("lemlist_upsert_leads", **leads)
    assert again["added"] == [] and [u["email"] for u in again["updated"]] == ["ann@acme.com"]
    updated = await lemlist.get_lead_memberships("ann@acme.com")
    assert updated[0].variables.get("fair") == "Paris"

    started = await tools.confirmed(
        "lemlist_set_campaign_state", campaign_id=campaign_id, state="start"
    )
    assert started["state"] == "running"
    assert (await lemlist.get_campaign(campaign_id)).status == "running"
    await tools.confirmed(
        "lemlist_set_lead_state", campaign_id=campaign_id, lead="ann@acme.com", state="remove"
    )
    assert await lemlist.get_lead_memberships("ann@acme.com") == []


async def test_explorium_search_match_enrich_and_events(providers: Caller) -> None:
    tools = providers
    dry = await tools.ok("explorium_search_businesses", filters={}, page_size=2)
    assert dry["dry_run"] and dry["details"]["total"] > 2
    page = await tools.ok(
        "explorium_search_businesses", filters={}, page_size=2, confirm_token=dry["confirm_token"]
    )
    assert len(page["businesses"]) == 2 and page["total"] == dry["details"]["total"]
    first = page["businesses"][0]
    matched = await tools.ok(
        "explorium_match_businesses", businesses=[{"domain": first["domain"]}, {"name": "Zz"}]
    )
    assert [m["business_id"] for m in matched["matches"]] == [first["business_id"], None]
    unknown = "0" * 32
    enriched = await tools.confirmed(
        "explorium_enrich_businesses", business_ids=[first["business_id"], unknown]
    )
    assert enriched["data"][first["business_id"]]["firmographics"]["name"] == first["name"]
    assert enriched["not_found"] == [unknown]
    malformed = await tools.call("explorium_enrich_businesses", business_ids=["acme"])
    assert malformed.is_error and "business_ids.0" in malformed.text
    people = await tools.confirmed(
        "explorium_search_prospects",
        filters={"business_id": {"values": [first["business_id"]]}},
        page_size=1,
    )
    prospect_id = people["prospects"][0]["prospect_id"]
    contacts = await tools.confirmed("explorium_enrich_prospects", prospect_ids=[prospect_id])
    assert "contacts_information" in contacts["data"][prospect_id]
    events = await tools.ok(
        "explorium_business_events",
        business_ids=[b["business_id"] for b in page["businesses"]],
        event_types=["new_funding_round", "new_product", "hiring_in_sales_department"],
    )
    assert all(e["type"] in {"new_funding_round", "new_product", "hiring_in_sales_department"}
               for e in events["events"])  # fmt: skip


async def test_apollo_free_search_then_paid_enrichment(providers: Caller) -> None:
    tools = providers
    people = await tools.ok("apollo_search_people", person_titles=["CEO"], per_page=2)
    assert "dry_run" not in people and len(people["people"]) == 2
    assert all("email" not in person for person in people["people"])
    person_id = people["people"][0]["id"]
    dry = await tools.ok("apollo_enrich_people", people=[{"id": person_id}])
    assert dry["dry_run"] and "1 credit" in dry["summary"]
    enriched = await tools.ok(
        "apollo_enrich_people", people=[{"id": person_id}], confirm_token=dry["confirm_token"]
    )
    assert enriched["people"][0]["id"] == person_id and "@" in enriched["people"][0]["email"]
    companies = await tools.confirmed("apollo_search_companies", per_page=2)
    domain = companies["companies"][0]["primary_domain"]
    profiles = await tools.confirmed("apollo_enrich_companies", domains=[domain, "nope.invalid"])
    assert list(profiles["companies"]) == [domain] and profiles["not_found"] == ["nope.invalid"]


async def test_provider_scopes_and_calls_the_sandbox_lacks(providers: Caller) -> None:
    reader = Principal(workspace="default", key_id="r", scopes=frozenset({"integrations:read"}))
    context = providers.context(reader)
    visible = {spec.name for spec in providers.registry.visible_to(reader)}
    assert {"hubspot_search_objects", "lemlist_list_campaigns", "apollo_search_people"} <= visible
    assert not {"hubspot_upsert_objects", "lemlist_upsert_leads"} & visible
    refused = await providers.registry.call(
        "lemlist_upsert_leads", {"campaign_id": "c", "leads": [{"email": "a@b.com"}]}, context
    )
    assert refused.is_error and "'campaigns:write' scope" in refused.text
    campaigns = await providers.registry.call("lemlist_list_campaigns", {}, context)
    assert not campaigns.is_error
    team = await providers.registry.call("lemlist_get_team", {}, context)
    assert not team.is_error, team.text
