"""keys (and admin_audit_log): the workspace's API keys, masked, revoking one, and the audit
log of security-relevant actions. All need the admin scope."""

from __future__ import annotations

import uuid

from pydantic import Field

from salesauto.integrations.providers import CREDENTIAL_ENV
from salesauto.kit.errors import InvalidInput
from salesauto.security import audit
from salesauto.security.endpoints import key_view
from salesauto.security.schemas import AuditView, KeyView
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    DELETE,
    READ,
    PageInput,
    Preview,
    ToolContext,
    ToolInput,
    ToolOutput,
)


class KeyListing(ToolInput):
    include_revoked: bool = False


class ProviderCredential(ToolOutput):
    provider: str
    mode: str = Field(description="live (own credential), sandbox (emulator) or off.")
    credential_set: bool = Field(description="Whether a key is configured; never the key.")
    setting: str = Field(description="The environment variable holding it.")


class KeyList(ToolOutput):
    keys: list[KeyView] = Field(description="Newest first; only the public prefix is shown.")
    providers: list[ProviderCredential]


@tool(toolset="keys", scope="admin", flags=READ)
async def keys_list(ctx: ToolContext, args: KeyListing) -> KeyList:
    """The workspace's API keys — name, public prefix, scopes, expiry, last use, revoked —
    and which provider credentials are configured (never the secrets themselves). Use it to
    find a key to revoke or to explain why a provider runs in the sandbox. Free."""
    rows = await ctx.platform.keys.page(ctx.workspace, include_revoked=args.include_revoked)
    targets = ctx.platform.integrations.targets
    return KeyList(
        keys=[key_view(row) for row in rows],
        providers=[
            ProviderCredential(
                provider=name,
                mode=target.mode,
                credential_set=target.mode == "live",
                setting=f"SALESAUTO_{CREDENTIAL_ENV[name]}",
            )
            for name, target in targets.items()
        ],
    )


class KeyRef(ToolInput):
    key_id: uuid.UUID = Field(description="The key's id from keys_list.")


class KeyRevoked(ToolOutput):
    key: KeyView


def _not_own_key(ctx: ToolContext, key_id: uuid.UUID) -> None:
    if str(key_id) == ctx.principal.key_id:
        raise InvalidInput(
            "this is the key this session uses; revoke it with another admin key or "
            "`salesauto keys revoke`",
            field="key_id",
        )


async def _revoke_preview(ctx: ToolContext, args: KeyRef) -> Preview:
    _not_own_key(ctx, args.key_id)
    key = key_view(await ctx.platform.keys.get(ctx.workspace, args.key_id))
    state = " (already revoked)" if key.revoked else ""
    return Preview(
        summary=f"revoke API key {key.name!r} ({key.prefix}…, scopes {', '.join(key.scopes)})"
        f"{state}: every call with it is refused from then on",
        details={"key": key.model_dump(mode="json", by_alias=False)},
    )


@tool(toolset="keys", scope="admin", flags=DELETE, preview=_revoke_preview)
async def keys_revoke(ctx: ToolContext, args: KeyRef) -> KeyRevoked:
    """Revoke one API key of the workspace for good (it cannot be restored; create a new
    key instead). Use it for a leaked or unused key. The first call is a dry run returning
    a confirm_token; the revocation is recorded in the audit log. Free."""
    _not_own_key(ctx, args.key_id)
    row = await ctx.platform.keys.revoke(ctx.workspace, args.key_id)
    await audit.record(
        ctx.platform.engine,
        ctx.workspace,
        ctx.principal.key_id,
        "key.revoked",
        str(args.key_id),
        {"via": "tool"},
    )
    return KeyRevoked(key=key_view(row))


class AuditSearch(PageInput):
    action: str | None = Field(
        None, max_length=64, pattern=r"^[a-z_.]+$", description="e.g. key.revoked"
    )


class AuditLog(ToolOutput):
    events: list[AuditView]
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for older events.")


@tool(toolset="admin", scope="admin", flags=READ)
async def admin_audit_log(ctx: ToolContext, args: AuditSearch) -> AuditLog:
    """Security-relevant and destructive actions in the workspace, newest first: keys
    created, revoked or rotated, erasures, settings changes — who (key id) did what to
    what. Filter by action. Free."""
    if args.cursor is not None and not args.cursor.isdigit():
        raise InvalidInput("cursor must be the next_cursor of a previous page", field="cursor")
    before = int(args.cursor) if args.cursor else None
    rows = await audit.page(
        ctx.platform.engine, ctx.workspace, before=before, limit=args.limit, action=args.action
    )
    return AuditLog(
        events=[AuditView.model_validate(row.__dict__) for row in rows],
        next_cursor=str(rows[-1].id) if len(rows) == args.limit else None,
    )
