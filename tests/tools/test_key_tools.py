"""The admin key tools: listing keys masked, revoking one after a dry run, the audit log."""

from __future__ import annotations

from salesauto.security.principal import Principal
from tests.tools.conftest import Caller


async def test_keys_listed_masked_revoked_after_dry_run_and_audited(tools: Caller) -> None:
    issued = await tools.platform.keys.create("default", "zapier", ["contacts:read"])
    listed = await tools.ok("keys_list")
    assert [(k["name"], k["prefix"]) for k in listed["keys"]] == [("zapier", issued.row.key_prefix)]
    assert issued.plain not in str(listed)
    assert {p["provider"] for p in listed["providers"]} == {
        "hubspot", "lemlist", "explorium", "apollo",
    }  # fmt: skip
    assert not any(p["credential_set"] for p in listed["providers"])

    key_id = str(issued.row.id)
    dry = await tools.ok("keys_revoke", key_id=key_id)
    assert dry["dry_run"] and "revoke API key 'zapier'" in dry["summary"]
    assert await tools.platform.keys.verify(issued.plain) is not None
    revoked = await tools.ok("keys_revoke", key_id=key_id, confirm_token=dry["confirm_token"])
    assert revoked["key"]["revoked"] is True
    assert await tools.platform.keys.verify(issued.plain) is None
    assert (await tools.ok("keys_list"))["keys"] == []
    assert len((await tools.ok("keys_list", include_revoked=True))["keys"]) == 1

    log = await tools.ok("admin_audit_log", action="key.revoked")
    assert [(e["actor"], e["target"]) for e in log["events"]] == [("t", key_id)]


async def test_a_session_cannot_revoke_its_own_key_and_needs_admin(tools: Caller) -> None:
    issued = await tools.platform.keys.create("default", "ops", ["admin"])
    own = Principal(workspace="default", key_id=str(issued.row.id), scopes=frozenset({"admin"}))
    refused = await tools.registry.call(
        "keys_revoke", {"key_id": str(issued.row.id)}, tools.context(own)
    )
    assert refused.is_error and "the key this session uses" in refused.text
    reader = Principal(workspace="default", key_id="r", scopes=frozenset({"contacts:write"}))
    hidden = await tools.registry.call("keys_list", {}, tools.context(reader))
    assert hidden.is_error and "'admin' scope" in hidden.text
    assert await tools.platform.keys.verify(issued.plain) is not None
