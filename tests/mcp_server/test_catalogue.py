"""Every registry tool reaches MCP complete: a description, schemas, all four annotations as
the registry's flags say, and its toolset in `_meta`."""

from __future__ import annotations

import pytest

from salesauto.tools.toolsets import platform_registry
from tests.mcp_server.conftest import Connect

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_every_registry_tool_is_listed_with_annotations(connect: Connect) -> None:
    async with connect(("all",)) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    catalogue = platform_registry().specs
    assert len(listed) >= 80
    missing = sorted({spec.name for spec in catalogue} - set(listed))
    assert missing == [], f"registry tools missing from MCP: {missing}"
    for spec in catalogue:
        tool = listed[spec.name]
        assert tool.description and len(tool.description) >= 40, spec.name
        assert tool.input_schema["type"] == "object", spec.name
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        hints = tool.annotations
        assert hints is not None, spec.name
        assert (
            hints.read_only_hint,
            hints.destructive_hint,
            hints.idempotent_hint,
            hints.open_world_hint,
        ) == (
            spec.flags.read_only,
            spec.flags.destructive,
            spec.flags.idempotent,
            spec.flags.open_world,
        ), spec.name
        assert tool.meta is not None and tool.meta["toolset"] == spec.toolset
        if spec.flags.needs_confirm:
            assert "confirm_token" in tool.input_schema["properties"], spec.name


async def test_toolset_selection_like_the_flags(connect: Connect) -> None:
    async with connect(("default",), tools=("hubspot_list_owners",)) as client:
        toolsets = {t.meta["toolset"] for t in (await client.list_tools()).tools if t.meta}
        assert toolsets == {
            "admin",
            "keys",
            "contacts",
            "campaigns",
            "jobs",
            "analytics",
            "hubspot",
        }
        hidden = await client.call_tool("hubspot_search_objects", {"object_type": "contacts"})
        assert hidden.is_error
        assert "enable the 'hubspot' toolset" in getattr(hidden.content[0], "text", "")
    async with connect(("contacts", "jobs"), exclude_tools=("contacts_delete",)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "contacts_search" in names and "jobs_get" in names
        assert "contacts_delete" not in names and "admin_whoami" not in names
