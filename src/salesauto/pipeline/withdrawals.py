"""Contacts withdrawn while a step runs: suppressed or erased since the step loaded them.

`contacts_for_step` checks the suppression list when a step starts, but a step may then call
a provider chunk by chunk for minutes. An address suppressed or erased meanwhile (erasure
suppresses it and removes it at the providers) must not be sent afterwards, so steps that
write to a provider ask again just before each chunk's calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import CONTACTS, LOOKUP_CHUNK, one_of
from salesauto.suppressions.repository import suppressed

NOT_STORED = "not a stored contact (erased or never imported)"


async def withdrawn_contacts(
    conn: AsyncConnection, owner_id: str, emails: Sequence[str]
) -> dict[str, str]:
    """Which of these (normalised) emails may no longer be worked on → why, worded as
    `contacts_for_step` words it for the step's report."""
    withdrawn = {
        email: f"suppressed: {reason}"
        for email, reason in (await suppressed(conn, owner_id, emails)).items()
    }
    rest = [email for email in emails if email not in withdrawn]
    stored: set[str] = set()
    for start in range(0, len(rest), LOOKUP_CHUNK):
        rows = await conn.execute(
            sa.select(CONTACTS.c.email).where(
                CONTACTS.c.owner_id == owner_id,
                one_of(conn, CONTACTS.c.email, rest[start : start + LOOKUP_CHUNK]),
            )
        )
        stored.update(rows.scalars())
    withdrawn.update({email: NOT_STORED for email in rest if email not in stored})
    return withdrawn
