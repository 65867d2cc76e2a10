"""Resources a client can attach to a conversation: the ICP vocabulary and past searches, the
suppression list, the pipeline funnel and a campaign's stats — read with the caller's scopes
through the services the REST API uses (the funnel through its registry tool)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from salesauto.campaigns.reporting import CampaignReports
from salesauto.discovery.profile import IcpProfile
from salesauto.integrations.models import EMPLOYEE_RANGES, REVENUE_RANGES, SENIORITIES
from salesauto.kit.errors import SalesautoError
from salesauto.suppressions.service import SuppressionService
from salesauto.tools.registry import ToolRegistry
from salesauto.tools.spec import ToolContext

JSON = "application/json"
RECENT_DISCOVERIES = 20
SUPPRESSIONS_SHOWN = 500
CAMPAIGN_STATS = re.compile(r"^salesauto://campaigns/(?P<id>[^/]+)/stats$")
CAMPAIGN_STATS_TEMPLATE = "salesauto://campaigns/{campaign_id}/stats"
Reader = Callable[[ToolContext], Awaitable[Any]]


def refused(message: str) -> MCPError:
    return MCPError(types.INVALID_PARAMS, message)


@dataclass(frozen=True)
class FixedResource:
    uri: str
    name: str
    description: str
    scope: str
    read: Reader

    def listing(self) -> types.Resource:
        return types.Resource(
            uri=self.uri, name=self.name, description=self.description, mime_type=JSON
        )


async def icp_profiles(ctx: ToolContext) -> dict[str, Any]:
    jobs, _ = await ctx.platform.jobs.list_jobs(
        ctx.workspace, type="pipeline.discover", limit=RECENT_DISCOVERIES
    )
    return {
        "vocabulary": {
            "employee_ranges": list(EMPLOYEE_RANGES),
            "revenue_ranges": list(REVENUE_RANGES),
            "seniorities": list(SENIORITIES),
        },
        "schema": IcpProfile.model_json_schema(by_alias=False),
        "recent_searches": [
            {
                "job_id": job.id,
                "status": job.status,
                "created_at": job.created_at.isoformat(),
                "query": job.parameters.get("query"),
                "icp_profile": job.parameters.get("icp"),
                "count": job.parameters.get("count"),
            }
            for job in jobs
        ],
    }


async def suppressions(ctx: ToolContext) -> dict[str, Any]:
    service = SuppressionService(ctx.platform.engine)
    items, next_cursor = await service.page(
        ctx.workspace, kind=None, cursor=None, limit=SUPPRESSIONS_SHOWN
    )
    return {
        "suppressions": [item.model_dump(mode="json", by_alias=False) for item in items],
        "truncated": next_cursor is not None,
    }


class McpResources:
    """The resources of one MCP server; `catalogue` is the whole registry (the funnel's tool
    answers even when the analytics toolset is not offered as tools)."""

    def __init__(self, catalogue: ToolRegistry) -> None:
        self.catalogue = catalogue
        self.fixed = {
            resource.uri: resource
            for resource in (
                FixedResource(
                    "salesauto://icp-profiles",
                    "ICP profiles",
                    "The ideal-customer-profile fields discovery_find_leads accepts, their "
                    "allowed values, and the profiles of the latest discoveries.",
                    "contacts:read",
                    icp_profiles,
                ),
                FixedResource(
                    "salesauto://suppressions",
                    "Suppression list",
                    f"The do-not-contact list (newest {SUPPRESSIONS_SHOWN} emails and "
                    "domains): never enrich, sync or email these.",
                    "contacts:read",
                    suppressions,
                ),
                FixedResource(
                    "salesauto://pipeline",
                    "Pipeline",
                    "Contacts per stage (imported → enriched → synced → enrolled → replied) "
                    "and campaign leads summed.",
                    "contacts:read",
                    self._funnel,
                ),
            )
        }

    def listed(self, ctx: ToolContext) -> list[types.Resource]:
        return [r.listing() for r in self.fixed.values() if ctx.principal.allows(r.scope)]

    def templates(self, ctx: ToolContext) -> list[types.ResourceTemplate]:
        if not ctx.principal.allows("campaigns:read"):
            return []
        return [
            types.ResourceTemplate(
                uri_template=CAMPAIGN_STATS_TEMPLATE,
                name="Campaign stats",
                description="One campaign's funnel (enrolled → sent → delivered → opened → "
                "clicked → replied), bounces, unsubscribes and rates; campaigns_list gives ids.",
                mime_type=JSON,
            )
        ]

    async def read(self, uri: str, ctx: ToolContext) -> types.ReadResourceResult:
        resource = self.fixed.get(uri)
        matched = CAMPAIGN_STATS.match(uri)
        if resource is not None:
            scope, reader = resource.scope, resource.read
        elif matched is not None:
            scope, reader = "campaigns:read", self._campaign_stats(matched["id"])
        else:
            known = ", ".join([*self.fixed, CAMPAIGN_STATS_TEMPLATE])
            raise refused(f"unknown resource {uri!r}; the resources are {known}")
        if not ctx.principal.allows(scope):
            raise refused(f"reading {uri} needs the {scope!r} scope and this key lacks it")
        try:
            data = await reader(ctx)
        except SalesautoError as error:
            raise refused(error.message) from None
        text = json.dumps(data, separators=(",", ":"), default=str)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type=JSON, text=text)]
        )

    async def _funnel(self, ctx: ToolContext) -> Any:
        outcome = await self.catalogue.call("analytics_funnel", {}, ctx)
        if outcome.is_error:
            raise refused(outcome.text)
        return outcome.structured_content

    @staticmethod
    def _campaign_stats(campaign_id: str) -> Reader:
        async def read(ctx: ToolContext) -> Any:
            try:
                instance_id = uuid.UUID(campaign_id)
            except ValueError:
                raise refused(
                    f"{campaign_id!r} is not a campaign id; campaigns_list gives the ids"
                ) from None
            stats = await CampaignReports(ctx.platform.engine).stats(ctx.workspace, instance_id)
            return stats.model_dump(mode="json", by_alias=False)

        return read
