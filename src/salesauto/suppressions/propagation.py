"""A suppression added anywhere is honoured everywhere.

In the transaction that adds it: the running enrollments of the address (or of every address
at the domain) stop, and a `suppressions.propagate` job is queued that puts the address (or
`@domain`) on lemlist's unsubscribe list, which stops every lemlist campaign at once.

Two sources are not pushed: `lemlist` (the suppression came from lemlist's own unsubscribe)
and `erasure` (the erase job removes the person's leads at lemlist; listing the address there
would keep the very data the erasure removes).

Removing a suppression we pushed queues a `suppressions.unpush` job, in the transaction that
deletes the row, which takes the address off lemlist's list. One that came from lemlist stays
listed there: the lead unsubscribed at lemlist, and only the user can overrule that, at lemlist.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns import effects
from salesauto.campaigns.tables import ENROLLMENTS
from salesauto.contacts.repository import ERASURE_SOURCE, one_of
from salesauto.jobs.repository import NewJob, insert_job_idempotent, insert_jobs
from salesauto.kit.time import utcnow
from salesauto.suppressions.repository import LOOKUP_CHUNK, add_suppressions

PROPAGATE_JOB = "suppressions.propagate"
UNPUSH_JOB = "suppressions.unpush"
PUSH_CHUNK = 100  # suppressions per job: one lemlist call each
PUSH_ATTEMPTS = 10  # lemlist outages are retried with the queue's capped backoff
NOT_PUSHED = frozenset({"lemlist", ERASURE_SOURCE})


def stop_reason(source: str, reason: str) -> str:
    return f"suppressed ({source}): {reason}"


async def stop_suppressed_enrollments(
    conn: AsyncConnection,
    owner_id: str,
    entries: Sequence[tuple[str, str, str]],
    *,
    source: str,
    at: datetime,
) -> int:
    """Stop the running enrollments these (kind, value, reason) entries cover; how many.

    Every matching enrollment is locked in one id-ordered pass (`effects.stop_enrollments`),
    so a batch keeps the lock order of provider events whatever its entries' order.
    """
    reasons: dict[uuid.UUID, str] = {}
    for kind, value, reason in entries:
        if kind == "domain":
            query = effects.running_enrollments(owner_id).where(effects.email_at_domain(value))
            for enrollment_id in (await conn.execute(query)).scalars():
                reasons.setdefault(enrollment_id, stop_reason(source, reason))
    by_email = {value: reason for kind, value, reason in entries if kind == "email"}
    emails = sorted(by_email)
    for start in range(0, len(emails), LOOKUP_CHUNK):
        query = (
            effects.running_enrollments(owner_id)
            .add_columns(ENROLLMENTS.c.contact_email)
            .where(one_of(conn, ENROLLMENTS.c.contact_email, emails[start : start + LOOKUP_CHUNK]))
        )
        for enrollment_id, email in await conn.execute(query):
            # The address's own reason says more than its domain's.
            reasons[enrollment_id] = stop_reason(source, by_email[email])
    if not reasons:
        return 0
    return await effects.stop_enrollments(conn, reasons, at=at)


async def queue_lemlist_push(
    conn: AsyncConnection, owner_id: str, suppression_ids: Sequence[int]
) -> list[int]:
    """Queue the jobs that list these suppressions at lemlist; their ids. Keyed by the first
    suppression id of each chunk, so queueing the same new rows twice queues nothing more."""
    ids = sorted(suppression_ids)
    job_ids: list[int] = []
    for start in range(0, len(ids), PUSH_CHUNK):
        chunk = ids[start : start + PUSH_CHUNK]
        job_id, _ = await insert_job_idempotent(
            conn,
            NewJob(
                type=PROPAGATE_JOB,
                parameters={"suppression_ids": chunk},
                idempotency_key=f"{PROPAGATE_JOB}:{chunk[0]}",
                max_attempts=PUSH_ATTEMPTS,
                owner_id=owner_id,
            ),
            utcnow(),
        )
        job_ids.append(job_id)
    return job_ids


async def queue_lemlist_removal(
    conn: AsyncConnection, owner_id: str, kind: str, value: str, source: str
) -> int | None:
    """Queue the job that takes a removed entry off lemlist's unsubscribe list; its id, or
    None when we never put it there (see NOT_PUSHED)."""
    if source in NOT_PUSHED:
        return None
    [job_id] = await insert_jobs(
        conn,
        [
            NewJob(
                type=UNPUSH_JOB,
                parameters={"kind": kind, "value": value},
                max_attempts=PUSH_ATTEMPTS,
                owner_id=owner_id,
            )
        ],
        utcnow(),
    )
    return job_id


async def suppress_everywhere(
    conn: AsyncConnection,
    owner_id: str,
    entries: Sequence[tuple[str, str, str]],
    *,
    source: str,
    at: datetime,
) -> list[int]:
    """`add_suppressions` that also stops the covered enrollments and, unless the source is
    lemlist or an erasure, queues the push to lemlist's unsubscribe list; the new ids.

    Enrollments are stopped before the suppression rows are written (the lock order in
    campaigns/effects.py). An entry already listed stops what still runs but is not pushed
    again: it was when it was added.
    """
    if not entries:
        return []
    await stop_suppressed_enrollments(conn, owner_id, entries, source=source, at=at)
    ids = await add_suppressions(conn, owner_id, entries, source=source, at=at)
    if ids and source not in NOT_PUSHED:
        await queue_lemlist_push(conn, owner_id, ids)
    return ids
