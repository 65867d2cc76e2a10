"""The catalogue itself: every tool well declared, selection by toolsets and read-only mode,
confirm tokens. No database needed."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from salesauto.kit.errors import InvalidInput
from salesauto.security.principal import SCOPES, Principal
from salesauto.tools.confirm import ConfirmRefused, issue_token, verify_token
from salesauto.tools.registry import DEFAULT_TOOLSETS, ToolRegistry
from salesauto.tools.spec import NAME
from salesauto.tools.toolsets.admin import MASK, masked_settings

READ_VERBS = ("list", "get", "search", "preview")


def test_every_tool_is_declared_for_a_model(registry: ToolRegistry) -> None:
    assert len(registry.specs) >= 35
    for spec in registry.specs:
        assert NAME.match(spec.name), spec.name
        assert spec.name.startswith(f"{spec.toolset}_"), spec.name
        assert len(spec.description) > 80, f"{spec.name}: describe purpose, use and cost"
        assert spec.input_model.model_config.get("extra") == "forbid", spec.name
        assert issubclass(spec.output_model, BaseModel), spec.name
        assert spec.scope is None or spec.scope in SCOPES, spec.name
        assert spec.input_schema()["type"] == "object"
        assert spec.output_schema()["type"] == "object"
        verb = spec.name.split("_")[1]
        if verb in READ_VERBS:
            assert spec.flags.read_only, f"{spec.name} reads: flag it read-only"
        if spec.flags.read_only:
            assert not (spec.flags.destructive or spec.flags.sends_outreach), spec.name
        if spec.flags.needs_confirm:
            assert spec.preview is not None, f"{spec.name} needs a dry-run preview"
            assert "confirm_token" in spec.input_schema()["properties"]
        if spec.recipients is not None:
            assert spec.recipients in spec.input_model.model_fields, spec.name
            assert "suppressed" in spec.output_model.model_fields, spec.name


def test_tools_that_delete_send_or_spend_need_confirmation(registry: ToolRegistry) -> None:
    confirmed = {spec.name for spec in registry.specs if spec.flags.needs_confirm}
    assert {
        "contacts_delete",
        "campaigns_launch",
        "campaigns_enroll",
        "discovery_find_leads",
        "enrichment_enrich_contacts",
        "deadletter_discard",
        "jobs_cancel",
    } <= confirmed
    assert "contacts_search" not in confirmed


def test_selection_by_toolsets_names_and_read_only(registry: ToolRegistry) -> None:
    default = registry.select()
    assert {spec.toolset for spec in default.specs} == set(DEFAULT_TOOLSETS)
    picked = registry.select(toolsets=["contacts"], tools=["jobs_get"], exclude=["contacts_delete"])
    names = {spec.name for spec in picked.specs}
    assert "jobs_get" in names and "contacts_search" in names
    assert "contacts_delete" not in names and "campaigns_list" not in names
    read_only = registry.select(toolsets=["all"], read_only=True)
    assert read_only.specs and all(spec.flags.read_only for spec in read_only.specs)
    assert read_only.get("contacts_upsert") is None
    assert "read-only" in read_only.missing_message("contacts_upsert")
    with pytest.raises(InvalidInput, match="unknown toolset 'contact'"):
        registry.select(toolsets=["contact"])


def test_listing_hides_tools_a_key_may_not_use(registry: ToolRegistry) -> None:
    reader = Principal(workspace="w", key_id="k", scopes=frozenset({"contacts:read"}))
    names = {spec.name for spec in registry.visible_to(reader)}
    assert {"contacts_search", "contacts_get", "admin_whoami"} <= names
    assert "contacts_delete" not in names and "jobs_list" not in names


def test_a_confirm_token_signs_tool_arguments_and_workspace() -> None:
    secret = b"k" * 32
    token, _ = issue_token(secret, "contacts_delete", {"email": "a@x.com"}, "w1")
    verify_token(secret, token, "contacts_delete", {"email": "a@x.com"}, "w1")
    for tool, arguments, workspace in (
        ("contacts_delete", {"email": "b@x.com"}, "w1"),
        ("jobs_cancel", {"email": "a@x.com"}, "w1"),
        ("contacts_delete", {"email": "a@x.com"}, "w2"),
    ):
        with pytest.raises(ConfirmRefused, match="other arguments"):
            verify_token(secret, token, tool, arguments, workspace)
    expiry, _, signature = token.partition(".")
    with pytest.raises(ConfirmRefused, match="other arguments"):
        verify_token(
            secret,
            f"{int(expiry) + 600}.{signature}",
            "contacts_delete",
            {"email": "a@x.com"},
            "w1",
        )
    with pytest.raises(ConfirmRefused, match="malformed"):
        verify_token(secret, "nonsense", "contacts_delete", {"email": "a@x.com"}, "w1")


def test_settings_shown_to_tools_mask_credentials() -> None:
    from pydantic import SecretStr

    shown = masked_settings(
        {
            "lemlist_api_key": SecretStr("real-key"),
            "hubspot_access_token": None,
            "database_url": "postgresql+asyncpg://app:hunter2@db:5432/sales",
            "redis_key_prefix": "salesauto",
            "auto_enrich": True,
        }
    )
    assert shown["lemlist_api_key"] == MASK
    assert shown["hubspot_access_token"] is None
    assert "hunter2" not in shown["database_url"] and "db:5432" in shown["database_url"]
    assert shown["redis_key_prefix"] == "salesauto"
    assert shown["auto_enrich"] is True
