"""Resources and prompts: listed, read with the caller's scopes, and refused with a reason."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from salesauto.campaigns.schemas import TemplateCreate
from salesauto.campaigns.templates import TemplateService
from salesauto.platform import Platform
from tests.campaigns.api_support import TWO_STEPS
from tests.mcp_server.conftest import Connect, structured


async def read(client: Client, uri: str) -> Any:
    result = await client.read_resource(uri)
    return json.loads(getattr(result.contents[0], "text", ""))


async def test_resources_show_the_pipeline_the_tools_changed(
    connect: Connect, sandbox_platform: Platform
) -> None:
    template = await TemplateService(sandbox_platform.engine).create(
        "default", TemplateCreate.model_validate({"name": "Outbound Q3", "structure": TWO_STEPS})
    )
    async with connect(("all",)) as client:
        uris = {r.uri for r in (await client.list_resources()).resources}
        assert uris == {
            "salesauto://icp-profiles",
            "salesauto://suppressions",
            "salesauto://pipeline",
        }
        [stats_template] = (await client.list_resource_templates()).resource_templates
        assert stats_template.uri_template == "salesauto://campaigns/{campaign_id}/stats"

        structured(await client.call_tool("contacts_upsert", {"email": "ann@acme.com"}))
        structured(await client.call_tool("contacts_suppress", {"values": ["globex.com"]}))
        search = {"query": "fintech", "count": 5, "icp_profile": {"countries": ["de"]}}
        dry = structured(await client.call_tool("discovery_find_leads", search))
        found = structured(
            await client.call_tool(
                "discovery_find_leads", {**search, "confirm_token": dry["confirm_token"]}
            )
        )
        campaign = structured(
            await client.call_tool("campaigns_create", {"template_id": str(template.id)})
        )["campaign"]

        pipeline = await read(client, "salesauto://pipeline")
        assert pipeline["contacts"] == 1 and pipeline["contacts_by_stage"]["imported"] == 1
        suppressed = await read(client, "salesauto://suppressions")
        assert [s["value"] for s in suppressed["suppressions"]] == ["globex.com"]
        profiles = await read(client, "salesauto://icp-profiles")
        assert "51-200" in profiles["vocabulary"]["employee_ranges"]
        [recent] = profiles["recent_searches"]
        assert recent["job_id"] == found["job_id"]
        assert recent["icp_profile"]["countries"] == ["de"]
        stats = await read(client, f"salesauto://campaigns/{campaign['id']}/stats")
        assert stats["instance_id"] == campaign["id"]
        assert stats["funnel"][0]["count"] == 0

        with pytest.raises(MCPError, match="not found"):
            await client.read_resource(f"salesauto://campaigns/{uuid.uuid4()}/stats")
        with pytest.raises(MCPError, match="unknown resource 'salesauto://leads'"):
            await client.read_resource("salesauto://leads")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_prompts_are_listed_and_filled_in(connect: Connect) -> None:
    async with connect(("default",)) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert set(prompts) == {
            "find_leads_like_my_best_customers",
            "weekly_pipeline_review",
            "triage_replies",
        }
        assert {a.name for a in prompts["triage_replies"].arguments or []} == {
            "campaign_id",
            "limit",
        }
        leads = await client.get_prompt(
            "find_leads_like_my_best_customers",
            {"customers": "acme.com, globex.com", "count": "40"},
        )
        text = getattr(leads.messages[0].content, "text", "")
        assert "acme.com, globex.com" in text and "count=40" in text
        assert "discovery_find_leads" in text and "salesauto://icp-profiles" in text
        review = await client.get_prompt("weekly_pipeline_review", {})
        assert "last 7 days" in getattr(review.messages[0].content, "text", "")
        with pytest.raises(MCPError, match="count must be a whole number from 1 to 1000"):
            await client.get_prompt("find_leads_like_my_best_customers", {"count": "lots"})
