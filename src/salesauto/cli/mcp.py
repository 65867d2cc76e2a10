"""`salesauto mcp`: the MCP server over stdio for Claude Desktop, Claude Code or any client.

stdout carries the protocol, so nothing else may print there: logs go to stderr, and errors
before the server starts are printed to stderr too.
"""

from __future__ import annotations

from typing import Annotated

import typer

from salesauto.cli.common import fail, with_platform
from salesauto.kit.errors import InvalidInput
from salesauto.mcp_server.settings import ToolSelection, split_names
from salesauto.platform import Platform
from salesauto.security.principal import SCOPES, Principal
from salesauto.tools.toolsets import platform_registry

LOCAL_KEY_ID = "mcp-stdio"


def _names(value: str | None, configured: tuple[str, ...]) -> tuple[str, ...]:
    """A flag's comma-separated names, or the settings' when the flag is not given."""
    return configured if value is None else tuple(split_names(value))


def _principal(workspace: str, scopes: str) -> Principal:
    wanted = frozenset(split_names(scopes))
    unknown = sorted(wanted - set(SCOPES))
    if not wanted or unknown:
        raise fail(
            f"unknown scope(s) {', '.join(unknown) or '(none given)'}",
            f"use any of: {', '.join(SCOPES)}",
        )
    return Principal(workspace=workspace, key_id=LOCAL_KEY_ID, scopes=wanted)


def mcp(
    toolsets: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated toolsets: default, all, or names (default: "
            "SALESAUTO_MCP_TOOLSETS, else default)."
        ),
    ] = None,
    tools: Annotated[
        str | None, typer.Option(help="Comma-separated single tools to add to the toolsets.")
    ] = None,
    exclude_tools: Annotated[
        str | None, typer.Option(help="Comma-separated tools never offered (always wins).")
    ] = None,
    read_only: Annotated[
        bool | None,
        typer.Option(
            "--read-only/--read-write", help="Offer only tools that change nothing (overrides all)."
        ),
    ] = None,
    workspace: Annotated[str, typer.Option(help="The workspace the tools act in.")] = "default",
    scopes: Annotated[
        str, typer.Option(help=f"Comma-separated scopes of the session: {', '.join(SCOPES)}.")
    ] = "admin",
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run queued jobs (imports, discovery, enrichment) in this process; use "
            "--no-worker when `salesauto serve` or `salesauto worker` runs them.",
        ),
    ] = True,
) -> None:
    """Serve the tool registry as an MCP server over stdio (logs on stderr)."""
    principal = _principal(workspace, scopes)

    # Imported here: the SDK costs every other command half a second at start-up.
    from salesauto.mcp_server.stdio import serve_stdio

    async def run(platform: Platform) -> None:
        configured = ToolSelection.from_settings(platform.settings)
        selection = ToolSelection.of(
            _names(toolsets, configured.toolsets),
            _names(tools, configured.tools),
            _names(exclude_tools, configured.exclude_tools),
            read_only=configured.read_only if read_only is None else read_only,
        )
        try:
            selection.apply(platform_registry())
        except InvalidInput as error:
            raise fail(error.message) from None
        if worker:
            # No scheduler: cron schedules belong to `serve` and `worker`, not to each session.
            platform.start_worker(scheduler=False)
        await serve_stdio(platform, principal, selection)

    with_platform(run)
