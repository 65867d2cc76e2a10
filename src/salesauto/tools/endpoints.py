"""`/api/tools`: the tool registry over REST — list the tools, run one with the caller's key.

Runs go through `ToolRegistry.call`, so scopes, read-only mode, dry runs with confirm tokens
and the suppression list apply exactly as for the agent and MCP.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from salesauto.kit.errors import NotFound
from salesauto.kit.schemas import ApiModel
from salesauto.platform import Platform
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped
from salesauto.security.secrets import derived_key
from salesauto.tools.registry import ToolRegistry
from salesauto.tools.spec import CONFIRM_FIELD, ToolContext, ToolSpec
from salesauto.tools.toolsets import platform_registry

router = APIRouter(prefix="/api/tools", tags=["tools"], dependencies=[scoped("ai")])
CONFIRM_PURPOSE = "tool-confirm"


class ToolFlagsView(ApiModel):
    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool
    spends_credits: bool
    sends_outreach: bool
    needs_confirm: bool = Field(description="Runs as a dry run unless given a confirm token.")


class ToolView(ApiModel):
    name: str
    toolset: str
    description: str
    flags: ToolFlagsView
    scope: str | None = Field(description="The scope a key needs; null: any key.")
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


class ToolList(ApiModel):
    tools: list[ToolView]
    toolsets: list[str]


class ToolCall(ApiModel):
    arguments: dict[str, Any] = Field(default_factory=dict, description="The tool's input.")
    confirm_token: str | None = Field(
        None, max_length=200, description="From the dry run, to do it for real."
    )


def tool_view(spec: ToolSpec[Any, Any]) -> ToolView:
    flags = spec.flags
    return ToolView(
        name=spec.name,
        toolset=spec.toolset,
        description=spec.description,
        flags=ToolFlagsView(
            read_only=flags.read_only,
            destructive=flags.destructive,
            idempotent=flags.idempotent,
            open_world=flags.open_world,
            spends_credits=flags.spends_credits,
            sends_outreach=flags.sends_outreach,
            needs_confirm=flags.needs_confirm,
        ),
        scope=spec.scope,
        input_schema=spec.input_schema(),
        output_schema=spec.output_schema(),
    )


def _registry() -> ToolRegistry:
    return platform_registry().select(toolsets=["all"])


@router.get("", response_model=ToolList, response_model_by_alias=True)
async def list_tools(
    toolset: Annotated[
        str | None, Query(max_length=50, description="Only this toolset's tools.")
    ] = None,
) -> ToolList:
    """Every tool with its toolset, description, flags, required scope and the JSON schemas
    of its input and output (the same definitions the agent and MCP clients get)."""
    registry = _registry()
    if toolset is not None:
        registry = registry.select(toolsets=[toolset])
    return ToolList(tools=[tool_view(s) for s in registry.specs], toolsets=_registry().toolsets())


@router.post("/{name}")
async def call_tool(
    name: str, request: Request, body: Annotated[ToolCall | None, Body()] = None
) -> JSONResponse:
    """Run a tool as the caller's key. Tools that delete, send or spend answer a dry run
    whose `structuredContent.confirm_token` (tool content is snake_case) must come back as
    `confirmToken` with the same arguments to do it for real. A tool's failure is
    `isError: true` with a message (status 200, as in MCP); an unknown tool is a 404."""
    registry = _registry()
    if registry.get(name) is None:
        raise NotFound(registry.missing_message(name))
    body = body or ToolCall()
    arguments = dict(body.arguments)
    if body.confirm_token is not None:
        arguments[CONFIRM_FIELD] = body.confirm_token
    outcome = await registry.call(name, arguments, _context(request))
    return JSONResponse(outcome.model_dump(mode="json", by_alias=True))


def _context(request: Request) -> ToolContext:
    platform: Platform = request.app.state.platform
    return ToolContext(
        platform=platform,
        principal=current_principal(request),
        dry_run_secret=derived_key(platform.settings, CONFIRM_PURPOSE),
    )
