"""`build_mcp_server`: every selected registry tool as an MCP tool, called through
`ToolRegistry.call` with the caller's principal, plus our resources and prompts.

The low-level SDK server, not `MCPServer`: the registry already has the schemas, and
`tools/list` must depend on who asks (tools a key's scopes do not allow are hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mcp_types as types
from mcp.server import Server, ServerRequestContext

from salesauto import __version__
from salesauto.mcp_server.progress import follow_job, started_job, with_job_state
from salesauto.mcp_server.prompts import PROMPTS, get_prompt
from salesauto.mcp_server.resources import McpResources
from salesauto.mcp_server.settings import ToolSelection
from salesauto.mcp_server.tools import call_result, mcp_tool
from salesauto.platform import Platform
from salesauto.security.principal import Principal
from salesauto.security.secrets import derived_key
from salesauto.tools.endpoints import CONFIRM_PURPOSE
from salesauto.tools.spec import ToolContext
from salesauto.tools.toolsets import platform_registry

RequestContext = ServerRequestContext[Any, Any]
# Who is calling: a fixed principal over stdio, the request's API key over HTTP.
PrincipalSource = Callable[[RequestContext], Principal]

INSTRUCTIONS = (
    "salesauto runs the user's sales pipeline: contacts, discovery, enrichment, HubSpot, "
    "lemlist, Explorium and Apollo, campaigns and jobs. Tools are named <toolset>_<action>. "
    "Tools that delete, send outreach or spend credits answer a dry run first with a "
    "confirm_token: show the user what it would do, and only with their agreement call the "
    "tool again with the same arguments and that confirm_token. Long work (imports, "
    "discovery, enrichment, syncs) returns a job id; with a progress token the call reports "
    "the job's progress until it ends (up to a minute), else follow it with jobs_get. "
    "Resources: "
    "salesauto://pipeline, salesauto://suppressions, salesauto://icp-profiles, "
    "salesauto://campaigns/{id}/stats."
)


def build_mcp_server(
    platform: Platform, principal_source: PrincipalSource, selection: ToolSelection
) -> Server[Any]:
    """An MCP server of `selection`'s tools; an unknown toolset or tool raises `InvalidInput`."""
    catalogue = platform_registry()
    registry = selection.apply(catalogue)
    # Built once: a schema per tool is the costly part of a listing.
    tools = {spec.name: mcp_tool(spec) for spec in registry.specs}
    secret = derived_key(platform.settings, CONFIRM_PURPOSE)
    resources = McpResources(catalogue)

    def context(request: RequestContext) -> ToolContext:
        return ToolContext(platform, principal_source(request), secret)

    async def list_tools(
        request: RequestContext, _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        visible = registry.visible_to(principal_source(request))
        return types.ListToolsResult(tools=[tools[spec.name] for spec in visible])

    async def call_tool(
        request: RequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        ctx = context(request)
        outcome = await registry.call(params.name, params.arguments, ctx)
        meta: dict[str, Any] = dict(request.meta or {})
        job_id = started_job(outcome)
        # The caller asked for progress (JSON-RPC carries its token in `_meta`).
        if job_id is not None and ("progressToken" in meta or "progress_token" in meta):

            async def report(progress: float, total: float, message: str) -> None:
                await request.session.report_progress(progress, total, message)

            job = await follow_job(platform.jobs, ctx.workspace, job_id, report)
            outcome = with_job_state(outcome, job)
        return call_result(outcome)

    async def list_resources(
        request: RequestContext, _params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=resources.listed(context(request)))

    async def list_resource_templates(
        request: RequestContext, _params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=resources.templates(context(request))
        )

    async def read_resource(
        request: RequestContext, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        return await resources.read(params.uri, context(request))

    async def list_prompts(
        _request: RequestContext, _params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[p.listing() for p in PROMPTS.values()])

    async def prompt(
        _request: RequestContext, params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        return get_prompt(params.name, params.arguments)

    def input_schema(name: str) -> dict[str, Any] | None:
        tool = tools.get(name)
        return tool.input_schema if tool is not None else None

    return Server(
        "salesauto",
        version=__version__,
        title="salesauto",
        instructions=INSTRUCTIONS,
        get_tool_input_schema=input_schema,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=prompt,
    )
