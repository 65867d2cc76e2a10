"""What an event does beyond its enrollment: the contact's stage and email status, global
suppression, stopping the contact's other enrollments, and a reply to a step that does not
stop the sequence (`stopOnReply: false`, sequences.py).

Lock order, the same in every event so two never wait on each other: enrollments (by
email, then id: a batch of events holds several contacts' at once), then the contact, then
the suppression list, then the instance (its counters, written last: a batch of events
holds each instance row only until its commit; settling enrollments,
pipeline/enrollments.py, also takes contacts before the instance).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns.funnel import FINISHED, later_status
from salesauto.campaigns.sequences import stops_on_reply
from salesauto.campaigns.tables import ENROLLMENTS, INSTANCES
from salesauto.contacts.merge import later_stage, provenance_stamp
from salesauto.contacts.repository import CONTACTS
from salesauto.suppressions.repository import add_suppressions

# The contact's stage an event proves (`imported_contacts.status` only moves forward).
CONTACT_STAGE = {
    "sent": "enrolled",
    "delivered": "enrolled",
    "opened": "enrolled",
    "clicked": "enrolled",
    "replied": "replied",
}
# A bounce sets `imported_contacts.data["email_status"]` (the enrichment's field) to this.
INVALID_EMAIL = "invalid"
STOP_REASON_MAX = 200  # campaign_enrollments.stop_reason
LOCK_CHUNK = 1000


async def lock_contact_enrollments(conn: AsyncConnection, owner_id: str, email: str) -> list[Any]:
    """Every enrollment of the contact in the workspace, locked in id order."""
    rows = await conn.execute(
        sa.select(ENROLLMENTS)
        .where(ENROLLMENTS.c.owner_id == owner_id, ENROLLMENTS.c.contact_email == email)
        .order_by(ENROLLMENTS.c.id)
        .with_for_update()
    )
    return list(rows)


async def stop_other_enrollments(
    conn: AsyncConnection,
    enrollments: list[Any],
    *,
    keep: uuid.UUID,
    reason: str,
    at: datetime,
) -> int:
    """Stop the contact's enrollments other than `keep` that are still running."""
    running = [row.id for row in enrollments if row.id != keep and row.status not in FINISHED]
    if not running:
        return 0
    await conn.execute(
        sa.update(ENROLLMENTS)
        .where(ENROLLMENTS.c.id.in_(running))
        .values(
            status="stopped",
            stop_reason=reason,
            completed_at=sa.func.coalesce(ENROLLMENTS.c.completed_at, at),
            paused_until=None,
        )
    )
    return len(running)


async def instance_structures(
    conn: AsyncConnection, instance_ids: set[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any] | None]:
    """The step structure each instance was spawned with (None without one)."""
    if not instance_ids:
        return {}
    rows = await conn.execute(
        sa.select(INSTANCES.c.id, INSTANCES.c.structure).where(
            INSTANCES.c.id.in_(sorted(instance_ids))
        )
    )
    found: dict[uuid.UUID, dict[str, Any] | None] = dict.fromkeys(instance_ids)
    found.update({row.id: row.structure for row in rows})
    return found


def keep_running_after_reply(
    structure: dict[str, Any] | None, enrollment: Any, step: int | None, values: dict[str, Any]
) -> None:
    """A reply about to end the enrollment (`values` proposes `replied`) leaves it active
    when its step says `stopOnReply: false` in the instance's `structure`. The
    reply's mark, text and counter stay."""
    if values.get("status") != "replied":
        return
    if stops_on_reply(structure, enrollment.current_step if step is None else step):
        return
    values.pop("completed_at", None)
    status = later_status(enrollment.status, "active")
    if status == enrollment.status:
        # Unchanged (e.g. still paused out of office): its return date stays too.
        values.pop("status")
        values.pop("paused_until", None)
    else:
        values["status"] = status


def contact_changes(row: Any, *, event_type: str, provider: str, at: datetime) -> dict[str, Any]:
    """What an event changes on its contact `row`: the stage moves forward; a bounce marks
    the email invalid."""
    stage = CONTACT_STAGE.get(event_type)
    values: dict[str, Any] = {}
    if stage is not None and later_stage(row.status, stage) != row.status:
        values["status"] = stage
    data = dict(row.data or {})
    if event_type == "bounced" and data.get("email_status") != INVALID_EMAIL:
        data["email_status"] = INVALID_EMAIL
        provenance = dict(row.provenance or {})
        provenance["data.email_status"] = provenance_stamp(provider, at)
        values.update(data=data, provenance=provenance)
    return values


def changes_contact(event_type: str) -> bool:
    return event_type in CONTACT_STAGE or event_type == "bounced"


async def update_contact(
    conn: AsyncConnection,
    owner_id: str,
    email: str,
    *,
    event_type: str,
    provider: str,
    at: datetime,
) -> None:
    """Move the contact's stage forward; a bounce marks its email invalid."""
    if not changes_contact(event_type):
        return
    row = (
        await conn.execute(
            sa.select(CONTACTS.c.status, CONTACTS.c.data, CONTACTS.c.provenance)
            .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == email)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        return
    values = contact_changes(row, event_type=event_type, provider=provider, at=at)
    if values:
        await conn.execute(
            sa.update(CONTACTS)
            .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == email)
            .values(**values, updated_at=at)
        )


async def suppress_unsubscribed(
    conn: AsyncConnection, owner_id: str, email: str, *, provider: str, at: datetime
) -> None:
    await add_suppressions(
        conn,
        owner_id,
        [("email", email, f"unsubscribed through {provider}")],
        source=provider,
        at=at,
    )


def running_enrollments(owner_id: str) -> sa.Select[Any]:
    """Ids of the workspace's enrollments the provider may still contact. A `pending` row is
    left alone: the step that reserved it re-checks the suppression list before its next
    provider call and frees the slot (see pipeline/enrollments.py)."""
    return sa.select(ENROLLMENTS.c.id).where(
        ENROLLMENTS.c.owner_id == owner_id,
        ENROLLMENTS.c.status.not_in(sorted(FINISHED | {"pending"})),
    )


def email_at_domain(domain: str) -> Any:
    """The enrollment's address is at `domain` exactly (as the suppression check matches:
    not at its subdomains)."""
    return ENROLLMENTS.c.contact_email.endswith(f"@{domain}", autoescape=True)


async def stop_enrollments(
    conn: AsyncConnection, reasons: Mapping[uuid.UUID, str], *, at: datetime
) -> int:
    """Stop these enrollments (id → stop reason) if still running; locked by (email, id), in
    one pass whatever their contacts, so the lock order above holds."""
    stopped: dict[str, list[uuid.UUID]] = {}
    ids = sorted(reasons)
    keys: list[tuple[str, uuid.UUID]] = []
    for start in range(0, len(ids), LOCK_CHUNK):
        found = await conn.execute(
            sa.select(ENROLLMENTS.c.contact_email, ENROLLMENTS.c.id).where(
                ENROLLMENTS.c.id.in_(ids[start : start + LOCK_CHUNK])
            )
        )
        keys.extend((row.contact_email, row.id) for row in found)
    ordered = [enrollment_id for _, enrollment_id in sorted(keys)]
    for start in range(0, len(ordered), LOCK_CHUNK):
        rows = await conn.execute(
            sa.select(ENROLLMENTS.c.id, ENROLLMENTS.c.status)
            .where(ENROLLMENTS.c.id.in_(ordered[start : start + LOCK_CHUNK]))
            .order_by(ENROLLMENTS.c.contact_email, ENROLLMENTS.c.id)
            .with_for_update()
        )
        for row in rows:
            if row.status not in FINISHED and row.status != "pending":
                stopped.setdefault(reasons[row.id][:STOP_REASON_MAX], []).append(row.id)
    for reason, chunk in stopped.items():
        for start in range(0, len(chunk), LOCK_CHUNK):
            await conn.execute(
                sa.update(ENROLLMENTS)
                .where(ENROLLMENTS.c.id.in_(chunk[start : start + LOCK_CHUNK]))
                .values(
                    status="stopped",
                    stop_reason=reason,
                    completed_at=sa.func.coalesce(ENROLLMENTS.c.completed_at, at),
                    paused_until=None,
                )
            )
    return sum(len(chunk) for chunk in stopped.values())


async def stop_contact_enrollments(
    conn: AsyncConnection, owner_id: str, email: str, *, reason: str, at: datetime
) -> int:
    """Stop every running enrollment of the address in the workspace; how many stopped."""
    query = running_enrollments(owner_id).where(ENROLLMENTS.c.contact_email == email)
    ids = (await conn.execute(query)).scalars()
    return await stop_enrollments(conn, dict.fromkeys(ids, reason), at=at)


async def stop_domain_enrollments(
    conn: AsyncConnection, owner_id: str, domain: str, *, reason: str, at: datetime
) -> int:
    """Stop every running enrollment of an address at the domain; how many stopped."""
    query = running_enrollments(owner_id).where(email_at_domain(domain))
    ids = (await conn.execute(query)).scalars()
    return await stop_enrollments(conn, dict.fromkeys(ids, reason), at=at)
