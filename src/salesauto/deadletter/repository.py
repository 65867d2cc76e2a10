"""Dead-letter queries: events that never found their enrollment, or kept failing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs.repository import dialect_insert
from salesauto.models.base import table_of
from salesauto.models.campaigns import DeadLetterEvent

DEAD_LETTERS = table_of(DeadLetterEvent)
DEAD_LETTER_STATUSES = ("pending", "replayed", "discarded")


@dataclass(frozen=True)
class NewDeadLetter:
    owner_id: str
    provider: str
    provider_event_id: str
    event_type: str
    email: str | None
    payload: dict[str, Any]
    error: str
    attempts: int
    receipt_id: int | None
    at: datetime


async def insert_dead_letter(conn: AsyncConnection, letter: NewDeadLetter) -> None:
    """Keep the event; a second copy of the same provider event changes nothing."""
    statement = (
        dialect_insert(conn)(DEAD_LETTERS)
        .values(
            id=uuid.uuid4(),
            owner_id=letter.owner_id,
            provider=letter.provider,
            provider_event_id=letter.provider_event_id,
            event_type=letter.event_type[:50],
            email=letter.email,
            status="pending",
            retry_count=letter.attempts,
            last_error=letter.error,
            receipt_id=letter.receipt_id,
            event_data=letter.payload,
            created_at=letter.at,
        )
        .on_conflict_do_nothing(index_elements=["provider", "provider_event_id"])
    )
    await conn.execute(statement)


@dataclass(frozen=True)
class DeadLetterFilter:
    status: str | None = "pending"
    provider: str | None = None
    event_type: str | None = None
    email: str | None = None

    def where(self, owner_id: str) -> list[Any]:
        clauses: list[Any] = [DEAD_LETTERS.c.owner_id == owner_id]
        if self.status is not None:
            clauses.append(DEAD_LETTERS.c.status == self.status)
        if self.provider is not None:
            clauses.append(DEAD_LETTERS.c.provider == self.provider)
        if self.event_type is not None:
            clauses.append(DEAD_LETTERS.c.event_type == self.event_type)
        if self.email is not None:
            clauses.append(DEAD_LETTERS.c.email == self.email.strip().lower())
        return clauses


async def lock_dead_letter(
    conn: AsyncConnection, owner_id: str, letter_id: uuid.UUID
) -> Any | None:
    query = sa.select(DEAD_LETTERS).where(
        DEAD_LETTERS.c.owner_id == owner_id, DEAD_LETTERS.c.id == letter_id
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def pending_dead_letters(conn: AsyncConnection) -> int:
    query = sa.select(sa.func.count()).where(DEAD_LETTERS.c.status == "pending")
    return int((await conn.execute(query)).scalar_one())
