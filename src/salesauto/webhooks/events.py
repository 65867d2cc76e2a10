"""One stored event, whichever provider sent it: prepared outside any transaction (HubSpot may
need a provider call to learn the contact's email), then applied inside the caller's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.campaigns.applying import apply_provider_events
from salesauto.campaigns.counters import CounterDeltas
from salesauto.campaigns.events import EventOutcome, ProviderEvent
from salesauto.integrations.registry import Integrations
from salesauto.webhooks.hubspot_events import (
    HubSpotChange,
    apply_hubspot_change,
    contact_email,
    hubspot_change,
)
from salesauto.webhooks.lemlist_events import UntrackedEvent, lemlist_provider_event

ORPHAN_REASON = "no enrollment matches this event yet (campaign {campaign}, lead {lead})"


@dataclass(frozen=True)
class PreparedEvent:
    owner_id: str
    campaign_event: ProviderEvent | None = None
    hubspot: HubSpotChange | None = None
    email: str | None = None
    ignored: str | None = None  # why there is nothing to apply

    @property
    def email_hint(self) -> str | None:
        return self.campaign_event.email if self.campaign_event else self.email

    @property
    def event_type(self) -> str:
        if self.campaign_event is not None:
            return self.campaign_event.event_type
        return self.hubspot.kind if self.hubspot is not None else "ignored"


@dataclass(frozen=True)
class Applied:
    outcome: str  # processed | orphan
    note: str | None  # why it was ignored, or why it is an orphan


async def prepare_event(
    engine: AsyncEngine,
    integrations: Integrations | None,
    *,
    provider: str,
    owner_id: str,
    payload: Any,
    received_at: datetime,
) -> PreparedEvent:
    if not isinstance(payload, dict):
        return PreparedEvent(owner_id, ignored="ignored: the payload is not a JSON object")
    if provider == "lemlist":
        try:
            event = lemlist_provider_event(payload, owner_id=owner_id, received_at=received_at)
        except UntrackedEvent as untracked:
            return PreparedEvent(owner_id, ignored=str(untracked))
        return PreparedEvent(owner_id, campaign_event=event)
    if provider == "hubspot":
        change = hubspot_change(payload, received_at)
        email = None
        if change.kind == "opt_out" and change.object_id is not None:
            email = await contact_email(engine, integrations, owner_id, change.object_id)
        return PreparedEvent(owner_id, hubspot=change, email=email)
    return PreparedEvent(owner_id, ignored=f"ignored: unknown provider {provider!r}")


async def apply_prepared(conn: AsyncConnection, prepared: PreparedEvent) -> Applied:
    """Apply inside the caller's transaction. A campaign event whose enrollment is unknown
    comes back as an orphan and changes nothing."""
    (applied,) = await apply_prepared_many(conn, [prepared])
    return applied


async def apply_prepared_many(
    conn: AsyncConnection,
    prepared: Sequence[PreparedEvent],
    counters: CounterDeltas | None = None,
) -> list[Applied]:
    """`apply_prepared` for several, their campaign events applied together (see
    campaigns/applying.py); with `counters`, the caller writes the instance counters."""
    campaign = [item.campaign_event for item in prepared if item.campaign_event is not None]
    outcomes = iter(await apply_provider_events(conn, campaign, counters) if campaign else [])
    applied: list[Applied] = []
    for item in prepared:
        if item.campaign_event is not None:
            outcome = next(outcomes)
            event = item.campaign_event
            if outcome is EventOutcome.ORPHAN:
                reason = ORPHAN_REASON.format(
                    campaign=event.provider_campaign_id, lead=event.provider_lead_id or event.email
                )
                applied.append(Applied("orphan", reason))
            else:
                duplicate = outcome is EventOutcome.DUPLICATE
                applied.append(
                    Applied("processed", "duplicate: already applied" if duplicate else None)
                )
        elif item.hubspot is not None:
            note = await apply_hubspot_change(conn, item.owner_id, item.hubspot, item.email)
            applied.append(Applied("processed", note))
        else:
            applied.append(Applied("processed", item.ignored))
    return applied
