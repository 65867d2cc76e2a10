"""The HubSpot follow-up task for an interested reply or a referral, on the replying contact.

The contact's HubSpot id comes from the contact row (set by the CRM sync); a contact not
synced yet is upserted by email first and the id kept. A suppressed contact gets no task:
the suppression list keeps the address out of every provider.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.contacts.repository import CONTACTS
from salesauto.integrations.hubspot import HubSpotClient
from salesauto.integrations.models import CrmContact, CrmTask
from salesauto.kit.db import retry_locked
from salesauto.kit.time import utcnow
from salesauto.replies.cleaning import authored_part
from salesauto.replies.outcomes import StoredReply, acts_on
from salesauto.replies.schemas import Classification
from salesauto.suppressions.repository import suppressed

EXCERPT_MAX = 1500
FOLLOW_UP_AFTER = timedelta(days=1)


class ContactNotWritable(Exception):
    """HubSpot refused the contact the task would sit on; the message says why."""


def wants_task(found: Classification) -> bool:
    if not acts_on(found):
        return False
    if found.label == "interested":
        return True
    return found.label == "wrong_person" and found.referral is not None


def task_for(reply: StoredReply, found: Classification, contact_crm_id: str) -> CrmTask:
    # HubSpot renders a task body as HTML: the reply's text goes in as text, never markup.
    excerpt = html.escape((authored_part(reply.text) or reply.text)[:EXCERPT_MAX])
    priority: Literal["HIGH", "MEDIUM"] = "HIGH" if found.label == "interested" else "MEDIUM"
    if found.label == "interested":
        subject = f"Follow up: {reply.email} replied with interest"
    else:
        referral = found.referral
        who = " ".join(x for x in (referral.name, referral.email) if x) if referral else ""
        subject = f"Referral from {reply.email}: contact {who}"
    body = (
        f"Reply classified as {found.label} ({found.confidence:.0%}, {found.classifier}).\n\n"
        f"Their reply:\n{excerpt}"
    )
    return CrmTask(
        contact_crm_id=contact_crm_id,
        subject=subject[:250],
        body=body,
        due_at=reply.received_at + FOLLOW_UP_AFTER,
        priority=priority,
        task_type="EMAIL",
    )


async def _contact(engine: AsyncEngine, reply: StoredReply) -> tuple[Any | None, bool]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(CONTACTS).where(
                    CONTACTS.c.owner_id == reply.owner_id, CONTACTS.c.email == reply.email
                )
            )
        ).one_or_none()
        blocked = await suppressed(conn, reply.owner_id, [reply.email])
    return row, bool(blocked)


async def _contact_crm_id(
    engine: AsyncEngine, hubspot: HubSpotClient, reply: StoredReply, row: Any | None
) -> str:
    if row is not None and row.hubspot_id:
        return str(row.hubspot_id)
    contact = CrmContact(email=reply.email)
    if row is not None:
        contact = CrmContact(
            email=reply.email,
            first_name=row.first_name,
            last_name=row.last_name,
            job_title=row.title,
            company_name=row.company_name,
            company_domain=row.company_domain,
        )
    [written] = await hubspot.upsert_contacts([contact])
    if written.crm_id is None:
        raise ContactNotWritable(f"HubSpot refused contact {reply.email}: {written.error}")
    crm_id = written.crm_id

    async def keep() -> None:
        async with engine.begin() as conn:
            await conn.execute(
                sa.update(CONTACTS)
                .where(
                    CONTACTS.c.owner_id == reply.owner_id,
                    CONTACTS.c.email == reply.email,
                    CONTACTS.c.hubspot_id.is_(None),
                )
                .values(hubspot_id=crm_id)
            )

    await retry_locked(keep)
    return crm_id


async def create_follow_up(
    engine: AsyncEngine, hubspot: HubSpotClient, reply: StoredReply, found: Classification
) -> dict[str, Any]:
    """Create the task; `{"id": …}`, or `{"skipped": why}`. Provider errors propagate."""
    row, blocked = await _contact(engine, reply)
    if blocked:
        return {"skipped": "the contact is suppressed"}
    crm_id = await _contact_crm_id(engine, hubspot, reply, row)
    task_id = await hubspot.create_task(task_for(reply, found, crm_id))
    return {"id": task_id, "contactCrmId": crm_id, "at": utcnow().isoformat()}
