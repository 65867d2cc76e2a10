"""What a HubSpot webhook event does here.

- A contact opting out of email (`hs_email_optout`, or a per-subscription
  `hs_email_optout_<id>`, set to true) → the address is suppressed in its workspace, its
  running enrollments stop and lemlist's unsubscribe list gets it (suppressions/propagation.py).
- A contact deleted in HubSpot (`contact.deletion`, `contact.privacyDeletion`) → a note on the
  local contact (`data.hubspot_deleted_at`); nothing is deleted here on HubSpot's word.
- Anything else is stored and marked processed with the reason it was ignored.

HubSpot events carry the contact's id, not its email: the local contact with that HubSpot id
answers first, else one read from HubSpot (outside any database transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.contacts.repository import CONTACTS
from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.registry import Integrations
from salesauto.suppressions.propagation import suppress_everywhere

OPT_OUT = "hs_email_optout"
DELETIONS = ("contact.deletion", "contact.privacyDeletion")
TRUE_VALUES = ("true", "1", "yes")
OPT_OUT_REASON = "opted out of email in HubSpot"


@dataclass(frozen=True)
class HubSpotChange:
    kind: Literal["opt_out", "deleted", "ignored"]
    object_id: str | None
    occurred_at: datetime
    reason: str


def hubspot_change(event: dict[str, Any], received_at: datetime) -> HubSpotChange:
    kind = str(event.get("subscriptionType") or "")
    object_id = str(event["objectId"]) if event.get("objectId") is not None else None
    occurred = event.get("occurredAt")
    at = (
        datetime.fromtimestamp(occurred / 1000, UTC)
        if isinstance(occurred, int | float) and not isinstance(occurred, bool)
        else received_at
    )
    prop = str(event.get("propertyName") or "")
    value = str(event.get("propertyValue") or "").strip().lower()
    if kind == "contact.propertyChange" and (prop == OPT_OUT or prop.startswith(f"{OPT_OUT}_")):
        if value in TRUE_VALUES and object_id:
            return HubSpotChange("opt_out", object_id, at, "suppressed: opted out in HubSpot")
        return HubSpotChange("ignored", object_id, at, f"ignored: {prop} set to {value!r}")
    if kind in DELETIONS and object_id:
        return HubSpotChange("deleted", object_id, at, "noted: contact deleted in HubSpot")
    detail = f"{kind} {prop}".strip() if prop else kind or "no subscriptionType"
    return HubSpotChange("ignored", object_id, at, f"ignored: {detail} is not acted on")


async def contact_email(
    engine: AsyncEngine, integrations: Integrations | None, owner_id: str, object_id: str
) -> str | None:
    """The email of HubSpot contact `object_id`: ours first, else HubSpot's (None if gone)."""
    async with engine.connect() as conn:
        local = await conn.execute(
            sa.select(CONTACTS.c.email).where(
                CONTACTS.c.owner_id == owner_id, CONTACTS.c.hubspot_id == object_id
            )
        )
        email = local.scalars().first()
    if email is not None or integrations is None or "hubspot" not in integrations.clients:
        return email
    try:
        record = await integrations.hubspot.contacts.get(object_id, properties=["email"])
    except ProviderRejected as error:
        if error.status == 404:
            return None
        raise
    found = record.prop("email")
    return found.strip().lower() if found and found.strip() else None


async def apply_hubspot_change(
    conn: AsyncConnection, owner_id: str, change: HubSpotChange, email: str | None
) -> str:
    """Apply inside the caller's transaction; returns what was done, for the receipt."""
    if change.kind == "opt_out":
        if email is None:
            return "ignored: opt-out of a contact whose email is unknown here and at HubSpot"
        await suppress_everywhere(
            conn,
            owner_id,
            [("email", email, OPT_OUT_REASON)],
            source="hubspot",
            at=change.occurred_at,
        )
        return change.reason
    if change.kind == "deleted":
        rows = await conn.execute(
            sa.select(CONTACTS.c.email, CONTACTS.c.data).where(
                CONTACTS.c.owner_id == owner_id, CONTACTS.c.hubspot_id == change.object_id
            )
        )
        noted = 0
        for row in rows.all():
            data = {**(row.data or {}), "hubspot_deleted_at": change.occurred_at.isoformat()}
            await conn.execute(
                sa.update(CONTACTS)
                .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == row.email)
                .values(data=data)
            )
            noted += 1
        return change.reason if noted else "ignored: deleted contact is not stored here"
    return change.reason
