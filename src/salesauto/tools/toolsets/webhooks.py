"""webhooks: the provider webhooks of the workspace, registering them, the events received."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import Field

from salesauto.kit.pagination import decode_cursor, encode_cursor
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    READ,
    PageInput,
    ToolContext,
    ToolFlags,
    ToolInput,
    ToolOutput,
)
from salesauto.webhooks.receiving import HUBSPOT_PATH
from salesauto.webhooks.registration import HUBSPOT_SUBSCRIPTIONS, WebhookRegistrar
from salesauto.webhooks.repository import RECEIPTS, live_endpoint_of
from salesauto.webhooks.schemas import RegistrationView

PROVIDERS = ("lemlist", "hubspot")


class NoArguments(ToolInput):
    pass


class WebhookView(ToolOutput):
    provider: str
    registered: bool
    target_url: str | None = Field(None, description="Secret token masked.")
    registered_at: datetime | None = None
    last_delivery_at: datetime | None = None
    subscriptions: list[str] = Field(default_factory=list)


class WebhookList(ToolOutput):
    webhooks: list[WebhookView]


@tool(toolset="webhooks", scope="webhooks:read", flags=READ)
async def webhooks_list(ctx: ToolContext, args: NoArguments) -> WebhookList:
    """The workspace's provider webhooks: lemlist's hook (registered or not, its masked URL)
    and HubSpot's target URL, each with when the last delivery arrived. A webhook with no
    recent delivery explains missing replies or opt-outs. Free."""
    settings = ctx.platform.settings
    async with ctx.platform.engine.connect() as conn:
        lemlist = await live_endpoint_of(conn, "lemlist", ctx.workspace)
        last = dict(
            (
                await conn.execute(
                    sa.select(RECEIPTS.c.provider, sa.func.max(RECEIPTS.c.received_at))
                    .where(RECEIPTS.c.owner_id == ctx.workspace)
                    .group_by(RECEIPTS.c.provider)
                )
            ).all()
        )
    base = (settings.public_base_url or "").rstrip("/")
    return WebhookList(
        webhooks=[
            WebhookView(
                provider="lemlist",
                registered=lemlist is not None,
                target_url=lemlist.target_url if lemlist is not None else None,
                registered_at=lemlist.created_at if lemlist is not None else None,
                last_delivery_at=last.get("lemlist"),
            ),
            WebhookView(
                provider="hubspot",
                # HubSpot's subscriptions live in the HubSpot app; we only know the URL.
                registered=bool(base),
                target_url=f"{base}{HUBSPOT_PATH}" if base else None,
                last_delivery_at=last.get("hubspot"),
                subscriptions=list(HUBSPOT_SUBSCRIPTIONS),
            ),
        ]
    )


class Registration(ToolOutput):
    registration: RegistrationView


@tool(
    toolset="webhooks",
    scope="webhooks:write",
    flags=ToolFlags(destructive=True, idempotent=True, open_world=True),
)
async def webhooks_register(ctx: ToolContext, args: NoArguments) -> Registration:
    """(Re)register the workspace's lemlist webhook at SALESAUTO_PUBLIC_BASE_URL (unchanged
    when it still exists there) and give the URL to enter in the HubSpot app's webhooks.
    Needs the public base URL set. Safe to repeat."""
    platform = ctx.platform
    registrar = WebhookRegistrar(platform.engine, platform.settings, platform.integrations)
    return Registration(registration=RegistrationView.of(await registrar.register(ctx.workspace)))


class EventFilter(PageInput):
    provider: Literal["lemlist", "hubspot"] | None = None
    status: Literal["received", "processed", "orphaned", "dead", "failed"] | None = Field(
        None, description="orphaned: waiting for its enrollment; dead: moved to dead letters."
    )


class ReceivedEvent(ToolOutput):
    id: int
    provider: str
    event_id: str
    status: str
    attempts: int
    received_at: datetime
    processed_at: datetime | None
    error: str | None


class EventPage(ToolOutput):
    events: list[ReceivedEvent]
    next_cursor: str | None = None


@tool(toolset="webhooks", scope="webhooks:read", flags=READ)
async def webhooks_list_events(ctx: ToolContext, args: EventFilter) -> EventPage:
    """Webhook deliveries received from lemlist and HubSpot, newest first, with how each was
    processed (and the error when it failed). Failed ones end in dead letters. Free."""
    query = sa.select(
        RECEIPTS.c.id,
        RECEIPTS.c.provider,
        RECEIPTS.c.event_id,
        RECEIPTS.c.status,
        RECEIPTS.c.attempts,
        RECEIPTS.c.received_at,
        RECEIPTS.c.processed_at,
        RECEIPTS.c.error,
    ).where(RECEIPTS.c.owner_id == ctx.workspace)
    if args.provider is not None:
        query = query.where(RECEIPTS.c.provider == args.provider)
    if args.status is not None:
        query = query.where(RECEIPTS.c.status == args.status)
    if args.cursor is not None:
        query = query.where(RECEIPTS.c.id < decode_cursor(args.cursor))
    query = query.order_by(RECEIPTS.c.id.desc()).limit(args.limit + 1)
    async with ctx.platform.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    page = rows[: args.limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > args.limit else None
    return EventPage(
        events=[ReceivedEvent.model_validate(dict(row._mapping)) for row in page],
        next_cursor=next_cursor,
    )
