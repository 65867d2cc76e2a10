"""contacts, continued: the do-not-contact list — reading it, and taking an entry off it."""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import Field

from salesauto.kit.errors import NotFound
from salesauto.security import audit
from salesauto.suppressions.repository import SUPPRESSIONS
from salesauto.suppressions.schemas import SuppressionKind, SuppressionView
from salesauto.suppressions.service import SuppressionService
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


def _service(ctx: ToolContext) -> SuppressionService:
    return SuppressionService(ctx.platform.engine, ctx.platform.notifier)


class SuppressionFilter(PageInput):
    kind: SuppressionKind | None = Field(None, description="email or domain; both by default.")


class SuppressionPage(ToolOutput):
    suppressions: list[SuppressionView] = Field(
        description="Newest first: the address or domain, why, and what added it (api, "
        "reply, erasure, lemlist…)."
    )
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for more.")


@tool(toolset="contacts", scope="contacts:read", flags=READ)
async def contacts_list_suppressions(ctx: ToolContext, args: SuppressionFilter) -> SuppressionPage:
    """The do-not-contact list, newest first: emails and whole domains that are never
    enrolled or emailed, each with its reason and source (a person, an unsubscribe reply,
    an erasure, lemlist). Use it to explain why a contact was left out of a campaign.
    Free."""
    items, next_cursor = await _service(ctx).page(
        ctx.workspace, kind=args.kind, cursor=args.cursor, limit=args.limit
    )
    return SuppressionPage(suppressions=items, next_cursor=next_cursor)


class SuppressionRef(ToolInput):
    suppression_id: int = Field(
        ..., ge=1, le=2**63 - 1, description="An entry's id from contacts_list_suppressions."
    )


class Unsuppressed(ToolOutput):
    suppression_id: int
    removed: bool = True


async def _unsuppress_preview(ctx: ToolContext, args: SuppressionRef) -> Preview:
    async with ctx.platform.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(SUPPRESSIONS).where(
                    SUPPRESSIONS.c.owner_id == ctx.workspace,
                    SUPPRESSIONS.c.id == args.suppression_id,
                )
            )
        ).first()
    if row is None:
        raise NotFound(f"suppression {args.suppression_id} not found")
    entry = SuppressionView.model_validate(dict(row._mapping))
    return Preview(
        summary=f"take {entry.kind} {entry.value!r} off the do-not-contact list (added by "
        f"{entry.source}: {entry.reason}); campaigns may contact it again",
        details={"suppression": entry.model_dump(mode="json", by_alias=False)},
    )


@tool(toolset="contacts", scope="contacts:write", flags=DELETE, preview=_unsuppress_preview)
async def contacts_unsuppress(ctx: ToolContext, args: SuppressionRef) -> Unsuppressed:
    """Take one email or domain off the do-not-contact list, so campaigns may contact it
    again (only when the person agreed: an unsubscribe is a legal matter). Entries made by
    an erasure request cannot be removed. The first call is a dry run returning a
    confirm_token; the removal is recorded in the audit log. Free."""
    await _service(ctx).remove(ctx.workspace, args.suppression_id)
    await audit.record(
        ctx.platform.engine,
        ctx.workspace,
        ctx.principal.key_id,
        "suppression.removed",
        str(args.suppression_id),
        {"via": "tool"},
    )
    return Unsuppressed(suppression_id=args.suppression_id)
