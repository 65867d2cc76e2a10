"""`SALESAUTO_MCP_*`: the selection `/mcp` serves, written like the CLI flags."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from salesauto.kit.errors import InvalidInput
from salesauto.mcp_server.settings import McpSettings, ToolSelection
from salesauto.tools.toolsets import platform_registry


class EnvSettings(McpSettings, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SALESAUTO_")


def test_comma_separated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESAUTO_MCP_TOOLSETS", "contacts, jobs")
    monkeypatch.setenv("SALESAUTO_MCP_EXCLUDE_TOOLS", "contacts_delete")
    monkeypatch.setenv("SALESAUTO_MCP_READ_ONLY", "true")
    selection = ToolSelection.from_settings(EnvSettings())
    assert selection == ToolSelection(("contacts", "jobs"), (), ("contacts_delete",), True)
    chosen = {spec.name for spec in selection.apply(platform_registry()).specs}
    assert "contacts_search" in chosen and "jobs_get" in chosen
    assert not {"contacts_upsert", "contacts_delete", "jobs_submit"} & chosen


def test_settings_without_mcp_fields_serve_the_default_toolsets() -> None:
    assert ToolSelection.from_settings(McpSettings()) == ToolSelection(("default",))
    with pytest.raises(InvalidInput, match="unknown toolset 'crmm'"):
        ToolSelection.of(["crmm"]).apply(platform_registry())
