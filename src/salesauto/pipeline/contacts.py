"""Loading a step's contacts: the stored rows, minus the suppressed and the unknown ones.

Every step goes through `contacts_for_step`, so the suppression list is checked before any
provider is paid, written to or asked to send — whoever enqueued the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import CONTACTS, LOOKUP_CHUNK, one_of
from salesauto.integrations.http.errors import (
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from salesauto.integrations.registry import Integrations, ProviderNotConfigured
from salesauto.jobs.context import JobContext
from salesauto.jobs.worker import PermanentJobError
from salesauto.pipeline.steps import StepReport
from salesauto.suppressions.repository import suppressed


async def contacts_for_step(
    conn: AsyncConnection, owner_id: str, emails: Sequence[str], report: StepReport
) -> dict[str, dict[str, Any]]:
    """The stored contacts among `emails` that may be worked on; the others are recorded
    in `report` as skipped (suppressed, or no longer stored: erased meanwhile)."""
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails if email.strip()))
    blocked = await suppressed(conn, owner_id, wanted)
    for email, reason in blocked.items():
        report.record(email, "skipped", f"suppressed: {reason}")
    allowed = [email for email in wanted if email not in blocked]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(allowed), LOOKUP_CHUNK):
        chunk = allowed[start : start + LOOKUP_CHUNK]
        rows = await conn.execute(
            sa.select(CONTACTS).where(
                CONTACTS.c.owner_id == owner_id, one_of(conn, CONTACTS.c.email, chunk)
            )
        )
        found.update({row.email: dict(row._mapping) for row in rows})
    for email in allowed:
        if email not in found:
            report.record(email, "skipped", "not a stored contact (erased or never imported)")
    return {email: found[email] for email in allowed if email in found}


def is_transient(error: Exception) -> bool:
    """An outage or a rate limit passes; a rejection or bad credentials do not."""
    return isinstance(error, ProviderUnavailable | ProviderRateLimited)


def describe(error: Exception) -> str:
    if isinstance(error, ProviderError):
        return f"{error.provider}: {error.message}"
    return f"{type(error).__name__}: {error}"


def integrations_of(context: JobContext) -> Integrations:
    integrations = getattr(context.services, "integrations", None)
    if not isinstance(integrations, Integrations):
        raise PermanentJobError("this worker was started without provider clients")
    return integrations


def provider_or_fail(integrations: Integrations, name: str) -> Any:
    """The named provider client, or a job error that says how to configure it."""
    try:
        return getattr(integrations, name)
    except ProviderNotConfigured as error:
        raise PermanentJobError(str(error)) from None
