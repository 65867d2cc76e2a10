"""Enrollment records (`campaign_enrollments`): reserved under the daily cap, then completed.

The cap is enforced by reserving before calling the provider. In one transaction that holds
the campaign instance's lock (see `campaigns.lock_campaign_instance`), a job counts the
instance's enrollments since UTC midnight and inserts a `pending` row for each contact it may
enroll. Two jobs for the same campaign therefore never both see room for the same slot, and
the slow provider calls happen after the lock is released.

A `pending` row holds its slot until the provider answers: it becomes `enrolled` (or
`unsubscribed`, a lead lemlist keeps but never contacts), or is deleted when the provider
refused the contact, which frees the slot. A provider outage leaves it pending; the retry
job, or any later run for that contact, tries it again without needing a new slot that day.
A row still pending from an earlier day takes a slot of the day it is retried (its
`enrolled_at` moves there), so retries never push a day past its cap. A crash after the
provider call is harmless too: lemlist then answers "already in the campaign".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.merge import later_stage, provenance_stamp
from salesauto.contacts.repository import CONTACTS, LOOKUP_CHUNK, one_of
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment
from salesauto.pipeline.campaigns import INSTANCES, lock_campaign_instance

ENROLLMENTS = table_of(CampaignEnrollment)
PENDING = "pending"  # slot reserved, the provider has not confirmed yet
ENROLLED = "enrolled"
UNSUBSCRIBED = "unsubscribed"  # in the provider's campaign, but it will never contact them


@dataclass
class Reservation:
    """What a step may do with each of its contacts in one campaign today."""

    cap: int
    known: dict[str, str] = field(default_factory=dict)  # email → status, settled earlier
    to_enroll: list[str] = field(default_factory=list)  # holding a slot: call the provider
    deferred: list[str] = field(default_factory=list)  # over today's cap


@dataclass(frozen=True)
class EnrollmentRecord:
    """What the provider did with one contact (a lead it holds, under `lead_id`)."""

    email: str
    status: str  # ENROLLED or UNSUBSCRIBED
    lead_id: str | None
    variables: dict[str, str]


async def _existing(
    conn: AsyncConnection, instance_id: uuid.UUID, emails: Sequence[str]
) -> dict[str, tuple[str, datetime]]:
    """(status, enrolled_at) of the contacts' rows in the instance, by email."""
    found: dict[str, tuple[str, datetime]] = {}
    for start in range(0, len(emails), LOOKUP_CHUNK):
        chunk = emails[start : start + LOOKUP_CHUNK]
        rows = await conn.execute(
            sa.select(
                ENROLLMENTS.c.contact_email, ENROLLMENTS.c.status, ENROLLMENTS.c.enrolled_at
            ).where(
                ENROLLMENTS.c.instance_id == instance_id,
                one_of(conn, ENROLLMENTS.c.contact_email, chunk),
            )
        )
        found.update({row.contact_email: (row.status, row.enrolled_at) for row in rows})
    return found


async def reserve_enrollments(
    conn: AsyncConnection,
    *,
    instance_id: uuid.UUID,
    owner_id: str,
    emails: Sequence[str],
    cap: int,
    since: datetime,
    now: datetime,
) -> Reservation:
    """Sort `emails` into settled, to enroll (a slot reserved) and deferred, in input order.

    Run it in the transaction that creates nothing else: it locks the instance for the rest
    of that transaction.
    """
    await lock_campaign_instance(conn, instance_id)
    existing = await _existing(conn, instance_id, emails)
    used = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(ENROLLMENTS)
            .where(ENROLLMENTS.c.instance_id == instance_id, ENROLLMENTS.c.enrolled_at >= since)
        )
    ).scalar_one()
    reservation = Reservation(cap=cap)
    new_rows: list[dict[str, Any]] = []
    carried_over: list[str] = []
    for email in emails:
        status, reserved_at = existing.get(email, (None, None))
        if status == PENDING and reserved_at is not None and reserved_at >= since:
            reservation.to_enroll.append(email)  # its slot was taken today, when reserved
        elif status == PENDING:
            # Reserved on an earlier day and not enrolled then (an outage): enrolled today,
            # it uses a slot of today's cap, or waits for the next day's.
            if used < cap:
                used += 1
                reservation.to_enroll.append(email)
                carried_over.append(email)
            else:
                reservation.deferred.append(email)
        elif status is not None:
            reservation.known[email] = status
        elif used < cap:
            used += 1
            reservation.to_enroll.append(email)
            new_rows.append(
                {
                    "id": uuid.uuid4(),
                    "instance_id": instance_id,
                    "owner_id": owner_id,
                    "contact_email": email,
                    "status": PENDING,
                    "current_step": 0,
                    "variables": {},
                    "enrolled_at": now,
                }
            )
        else:
            reservation.deferred.append(email)
    for start in range(0, len(new_rows), 500):
        await conn.execute(sa.insert(ENROLLMENTS), new_rows[start : start + 500])
    for start in range(0, len(carried_over), LOOKUP_CHUNK):
        # Dated today, so today's count (this job's and the next one's) includes it.
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(
                ENROLLMENTS.c.instance_id == instance_id,
                one_of(
                    conn, ENROLLMENTS.c.contact_email, carried_over[start : start + LOOKUP_CHUNK]
                ),
            )
            .values(enrolled_at=now)
        )
    return reservation


async def record_enrollments(
    conn: AsyncConnection,
    *,
    instance_id: uuid.UUID,
    owner_id: str,
    records: Sequence[EnrollmentRecord],
    released: Sequence[str],
    at: datetime,
) -> None:
    """Complete the pending rows the provider answered; free the slots of `released` ones.

    Enrolled contacts get their lemlist lead id and move to the `enrolled` stage (never back).
    Rows are locked in email order, so two jobs settling the same contacts cannot deadlock.
    """
    records = sorted(records, key=lambda record: record.email)
    if records:
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(
                ENROLLMENTS.c.instance_id == instance_id,
                ENROLLMENTS.c.contact_email == sa.bindparam("b_email"),
            )
            .values(
                status=sa.bindparam("b_status"),
                provider_lead_id=sa.bindparam("b_lead_id"),
                variables=sa.bindparam("b_variables", type_=ENROLLMENTS.c.variables.type),
            ),
            [
                {
                    "b_email": record.email,
                    "b_status": record.status,
                    "b_lead_id": record.lead_id,
                    "b_variables": record.variables,
                }
                for record in records
            ],
        )
    enrolled = {record.email: record.lead_id for record in records if record.status == ENROLLED}
    if enrolled:
        await _mark_contacts_enrolled(conn, owner_id, enrolled, at)
    if released:
        for start in range(0, len(released), LOOKUP_CHUNK):
            chunk = released[start : start + LOOKUP_CHUNK]
            await conn.execute(
                sa.delete(ENROLLMENTS).where(
                    ENROLLMENTS.c.instance_id == instance_id,
                    ENROLLMENTS.c.status == PENDING,
                    one_of(conn, ENROLLMENTS.c.contact_email, chunk),
                )
            )
    if records:
        # Recounted rather than incremented: exact even when two jobs settled the same lead.
        settled = (
            sa.select(sa.func.count())
            .select_from(ENROLLMENTS)
            .where(ENROLLMENTS.c.instance_id == instance_id, ENROLLMENTS.c.status != PENDING)
            .scalar_subquery()
        )
        await conn.execute(
            sa.update(INSTANCES).where(INSTANCES.c.id == instance_id).values(total_enrolled=settled)
        )


async def _mark_contacts_enrolled(
    conn: AsyncConnection, owner_id: str, lead_ids: dict[str, str | None], at: datetime
) -> None:
    emails = sorted(lead_ids)
    updates: list[dict[str, Any]] = []
    for start in range(0, len(emails), LOOKUP_CHUNK):
        rows = await conn.execute(
            sa.select(
                CONTACTS.c.email,
                CONTACTS.c.status,
                CONTACTS.c.lemlist_lead_id,
                CONTACTS.c.provenance,
            )
            .where(
                CONTACTS.c.owner_id == owner_id,
                one_of(conn, CONTACTS.c.email, emails[start : start + LOOKUP_CHUNK]),
            )
            .order_by(CONTACTS.c.email)
            # Other steps merge into the same provenance document: read it under a row lock.
            .with_for_update()
        )
        for row in rows:
            lead_id = lead_ids[row.email] or row.lemlist_lead_id
            stage = later_stage(row.status, ENROLLED)
            if stage == row.status and lead_id == row.lemlist_lead_id:
                continue
            provenance = dict(row.provenance or {})
            if lead_id != row.lemlist_lead_id:
                provenance["lemlist_lead_id"] = provenance_stamp("lemlist", at)
            updates.append(
                {
                    "b_email": row.email,
                    "b_status": stage,
                    "b_lead_id": lead_id,
                    "b_provenance": provenance,
                    "b_at": at,
                }
            )
    if not updates:
        return
    await conn.execute(
        sa.update(CONTACTS)
        .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == sa.bindparam("b_email"))
        .values(
            status=sa.bindparam("b_status"),
            lemlist_lead_id=sa.bindparam("b_lead_id"),
            provenance=sa.bindparam("b_provenance", type_=CONTACTS.c.provenance.type),
            updated_at=sa.bindparam("b_at", type_=CONTACTS.c.updated_at.type),
        ),
        updates,
    )
