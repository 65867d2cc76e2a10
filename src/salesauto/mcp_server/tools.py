"""Registry tools as MCP tools: the definition a client lists, and a call's outcome as a
`CallToolResult` (structured content on success, `isError` with the message otherwise)."""

from __future__ import annotations

from typing import Any

import mcp_types as types

from salesauto.tools.spec import ToolOutcome, ToolSpec


def tool_title(name: str) -> str:
    """`contacts_get_company` → `Contacts: get company` (what a client shows a person)."""
    toolset, _, action = name.partition("_")
    return f"{toolset.capitalize()}: {action.replace('_', ' ')}"


def mcp_tool(spec: ToolSpec[Any, Any]) -> types.Tool:
    flags = spec.flags
    return types.Tool(
        name=spec.name,
        title=tool_title(spec.name),
        description=spec.description,
        input_schema=spec.input_schema(),
        output_schema=spec.output_schema(),
        annotations=types.ToolAnnotations(
            title=tool_title(spec.name),
            read_only_hint=flags.read_only,
            # Explicit even when read-only: the SDK's default for a missing hint is true.
            destructive_hint=flags.destructive,
            idempotent_hint=flags.idempotent,
            open_world_hint=flags.open_world,
        ),
        _meta={"toolset": spec.toolset, "scope": spec.scope},
    )


def call_result(outcome: ToolOutcome) -> types.CallToolResult:
    """A failed call is a tool error the model reads (not a protocol error it never sees)."""
    return types.CallToolResult(
        content=[types.TextContent(text=outcome.text)],
        structured_content=outcome.structured_content,
        is_error=outcome.is_error,
    )
