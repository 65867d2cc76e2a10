"""The MCP server through the official client in memory: one tool of every toolset against
the sandbox, dry run then confirm, tool errors, read-only mode and scopes."""

from __future__ import annotations

from typing import Any

from salesauto.security.principal import Principal
from salesauto.tools.toolsets import platform_registry
from tests.mcp_server.conftest import Connect, error_text, names, structured

CSV = "Email,First Name,Company\nann@acme.com,Ann,Acme\n"
# One call per toolset: (tool, arguments, a key of its structured content).
ONE_PER_TOOLSET: dict[str, tuple[str, dict[str, Any], str]] = {
    "admin": ("admin_whoami", {}, "workspace"),
    # A dry run naming the model (offline here) and the budget before any token is spent.
    "agent": ("agent_run", {"agent": "enricher", "goal": "Enrich ann@acme.com"}, "confirm_token"),
    "analytics": ("analytics_funnel", {}, "contacts_by_stage"),
    "apollo": ("apollo_search_people", {"person_titles": ["CEO"], "per_page": 2}, "people"),
    "campaigns": ("campaigns_list_templates", {}, "templates"),
    "contacts": ("contacts_search", {"q": "acme"}, "contacts"),
    "crm": ("crm_sync_contacts", {"contacts": {"emails": ["ann@acme.com"]}}, "job_ids"),
    "deadletter": ("deadletter_list", {}, "dead_letters"),
    "discovery": ("discovery_find_leads", {"query": "fintech", "count": 5}, "confirm_token"),
    "enrichment": (
        "enrichment_enrich_contacts",
        {"contacts": {"emails": ["ann@acme.com"]}},
        "confirm_token",
    ),
    # A dry run that asks the emulator how many businesses match (the cost).
    "explorium": ("explorium_search_businesses", {"filters": {}, "page_size": 2}, "details"),
    "hubspot": ("hubspot_list_owners", {}, "owners"),
    "imports": ("imports_preview_csv", {"csv": CSV}, "preview"),
    "jobs": ("jobs_list_types", {}, "types"),
    "keys": ("keys_list", {}, "keys"),
    "lemlist": ("lemlist_list_campaigns", {}, "campaigns"),
    "webhooks": ("webhooks_list", {}, "webhooks"),
}


async def test_one_tool_of_each_toolset_against_the_sandbox(connect: Connect) -> None:
    assert set(ONE_PER_TOOLSET) == set(platform_registry().toolsets())
    async with connect(("all",)) as client:
        structured(await client.call_tool("contacts_upsert", {"email": "ann@acme.com"}))
        for toolset, (name, arguments, key) in ONE_PER_TOOLSET.items():
            content = structured(await client.call_tool(name, arguments))
            assert key in content, (toolset, content)
        found = structured(await client.call_tool("contacts_search", {"q": "acme"}))
        assert [c["email"] for c in found["contacts"]] == ["ann@acme.com"]
        people = structured(await client.call_tool("apollo_search_people", {"per_page": 2}))
        assert len(people["people"]) == 2


async def test_a_dry_run_then_the_confirmed_call(connect: Connect) -> None:
    async with connect(("contacts",)) as client:
        structured(await client.call_tool("contacts_upsert", {"email": "ann@acme.com"}))
        dry = await client.call_tool("contacts_delete", {"email": "ann@acme.com"})
        preview = structured(dry)
        assert preview["dry_run"] is True and "ann@acme.com" in preview["summary"]
        assert getattr(dry.content[0], "text", "").startswith("DRY RUN, nothing done")
        assert structured(await client.call_tool("contacts_get", {"email": "ann@acme.com"}))

        forged = await client.call_tool(
            "contacts_delete", {"email": "bob@acme.com", "confirm_token": preview["confirm_token"]}
        )
        assert "issued for other arguments" in error_text(forged)
        assert "without confirm_token for a fresh dry run" in error_text(forged)

        done = await client.call_tool(
            "contacts_delete", {"email": "ann@acme.com", "confirm_token": preview["confirm_token"]}
        )
        assert "dry_run" not in structured(done)
        gone = await client.call_tool("contacts_get", {"email": "ann@acme.com"})
        assert "ann@acme.com" in error_text(gone)


async def test_tool_errors_say_what_failed_and_what_to_do(connect: Connect) -> None:
    async with connect(("contacts",)) as client:
        invalid = await client.call_tool("contacts_get", {"emial": "ann@acme.com"})
        assert error_text(invalid).startswith("invalid arguments for contacts_get: ")
        assert "email: Field required" in error_text(invalid)
        unknown = await client.call_tool("contacts_serch", {})
        assert "did you mean contacts_search" in error_text(unknown)


async def test_read_only_hides_every_tool_that_writes(connect: Connect) -> None:
    async with connect(("all",), tools=("contacts_upsert",), read_only=True) as client:
        tools = (await client.list_tools()).tools
        assert tools and all(t.annotations and t.annotations.read_only_hint for t in tools)
        listed = {t.name for t in tools}
        assert {"contacts_search", "jobs_get", "hubspot_search_objects"} <= listed
        assert not {"contacts_upsert", "contacts_delete", "campaigns_launch"} & listed
        refused = await client.call_tool("contacts_upsert", {"email": "ann@acme.com"})
        assert "read-only" in error_text(refused)


async def test_scopes_hide_tools_the_key_may_not_use(connect: Connect) -> None:
    reader = Principal(workspace="default", key_id="r", scopes=frozenset({"contacts:read"}))
    async with connect(("all",), principal=reader) as client:
        listed = await names(client)
        assert {"contacts_search", "contacts_get", "analytics_funnel", "admin_whoami"} <= listed
        assert not {"contacts_upsert", "jobs_get", "keys_list", "hubspot_list_owners"} & listed
        refused = await client.call_tool("contacts_upsert", {"email": "ann@acme.com"})
        assert "needs the 'contacts:write' scope" in error_text(refused)
        templates = (await client.list_resource_templates()).resource_templates
        assert templates == []
