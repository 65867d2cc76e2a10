"""Listing, replaying and discarding dead letters.

A replay applies the stored event again, exactly as the webhook job would: when its
enrollment exists now it is applied and the row is marked `replayed` with its time (and its
receipt `processed`); otherwise it stays pending with the reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.deadletter.repository import (
    DEAD_LETTERS,
    DeadLetterFilter,
    lock_dead_letter,
)
from salesauto.deadletter.schemas import (
    DeadLetterDetail,
    DeadLetterView,
    ReplayResult,
    ReplaySummary,
)
from salesauto.integrations.registry import Integrations
from salesauto.kit.db import retry_locked
from salesauto.kit.errors import Conflict, InvalidInput, NotFound
from salesauto.kit.pagination import decode_key_cursor, encode_key_cursor
from salesauto.kit.time import utcnow
from salesauto.webhooks.events import apply_prepared, prepare_event
from salesauto.webhooks.repository import update_receipt


def _view(row: Any) -> DeadLetterView:
    return DeadLetterView(
        id=str(row.id),
        provider=row.provider,
        provider_event_id=row.provider_event_id,
        event_type=row.event_type,
        email=row.email,
        status=row.status,
        retry_count=row.retry_count,
        last_error=row.last_error,
        created_at=row.created_at,
        replayed_at=row.replayed_at,
        discarded_at=row.discarded_at,
        receipt_id=str(row.receipt_id) if row.receipt_id is not None else None,
    )


def parse_id(letter_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(letter_id)
    except ValueError:
        raise NotFound(f"dead letter {letter_id!r} not found") from None


def _cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    moment, _, key = decode_key_cursor(cursor).partition("|")
    try:
        return datetime.fromisoformat(moment), uuid.UUID(key)
    except ValueError:
        raise InvalidInput(
            "invalid cursor; pass nextCursor back unchanged", field="cursor"
        ) from None


class DeadLetterService:
    def __init__(self, engine: AsyncEngine, integrations: Integrations | None) -> None:
        self.engine = engine
        self.integrations = integrations

    async def page(
        self, owner_id: str, selection: DeadLetterFilter, *, cursor: str | None, limit: int
    ) -> tuple[list[DeadLetterView], str | None]:
        """Newest first."""
        query = sa.select(DEAD_LETTERS).where(*selection.where(owner_id))
        if cursor is not None:
            moment, key = _cursor(cursor)
            query = query.where(
                sa.or_(
                    DEAD_LETTERS.c.created_at < moment,
                    sa.and_(DEAD_LETTERS.c.created_at == moment, DEAD_LETTERS.c.id < key),
                )
            )
        query = query.order_by(DEAD_LETTERS.c.created_at.desc(), DEAD_LETTERS.c.id.desc())
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.limit(limit + 1))).all()
        page = rows[:limit]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = encode_key_cursor(f"{page[-1].created_at.isoformat()}|{page[-1].id}")
        return [_view(row) for row in page], next_cursor

    async def get(self, owner_id: str, letter_id: str) -> DeadLetterDetail:
        row = await self._row(owner_id, parse_id(letter_id))
        return DeadLetterDetail(**_view(row).model_dump(), payload=row.event_data or {})

    async def _row(self, owner_id: str, key: uuid.UUID) -> Any:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(DEAD_LETTERS).where(
                        DEAD_LETTERS.c.owner_id == owner_id, DEAD_LETTERS.c.id == key
                    )
                )
            ).first()
        if row is None:
            raise NotFound(f"dead letter {key} not found")
        return row

    async def replay(self, owner_id: str, letter_id: str) -> ReplayResult:
        """Replay one pending dead letter (409 when it is not pending)."""
        row = await self._row(owner_id, parse_id(letter_id))
        if row.status != "pending":
            raise Conflict(f"dead letter {row.id} is {row.status}; only pending ones are replayed")
        return await self._replay_row(row)

    async def replay_many(
        self, owner_id: str, selection: DeadLetterFilter, limit: int
    ) -> ReplaySummary:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(DEAD_LETTERS)
                    .where(*selection.where(owner_id))
                    .order_by(DEAD_LETTERS.c.created_at, DEAD_LETTERS.c.id)
                    .limit(limit)
                )
            ).all()
        results = []
        for row in rows:
            try:
                results.append(await self._replay_row(row))
            except Exception as error:  # one bad event must not stop the others; reported
                results.append(
                    ReplayResult(id=str(row.id), outcome="failed", error=_describe(error))
                )
                await self._note_error(row.id, _describe(error))
        counts = {outcome: 0 for outcome in ("replayed", "still_orphaned", "failed")}
        for result in results:
            if result.outcome in counts:
                counts[result.outcome] += 1
        return ReplaySummary(
            replayed=counts["replayed"],
            still_orphaned=counts["still_orphaned"],
            failed=counts["failed"],
            remaining=await self.count(owner_id, selection),
            results=results,
        )

    async def _replay_row(self, row: Any) -> ReplayResult:
        prepared = await prepare_event(
            self.engine,
            self.integrations,
            provider=row.provider or "",
            owner_id=row.owner_id,
            payload=row.event_data,
            received_at=row.created_at,
        )

        async def write() -> ReplayResult:
            now = utcnow()
            async with self.engine.begin() as conn:
                locked = await lock_dead_letter(conn, row.owner_id, row.id)
                if locked is None or locked.status != "pending":
                    return ReplayResult(id=str(row.id), outcome="not_pending")
                applied = await apply_prepared(conn, prepared)
                where = DEAD_LETTERS.c.id == row.id
                if applied.outcome == "orphan":
                    await conn.execute(
                        sa.update(DEAD_LETTERS)
                        .where(where)
                        .values(retry_count=locked.retry_count + 1, last_error=applied.note)
                    )
                    return ReplayResult(
                        id=str(row.id), outcome="still_orphaned", error=applied.note
                    )
                await conn.execute(
                    sa.update(DEAD_LETTERS)
                    .where(where)
                    .values(status="replayed", replayed_at=now, retry_count=locked.retry_count + 1)
                )
                if locked.receipt_id is not None:
                    await update_receipt(
                        conn, locked.receipt_id, status="processed", processed_at=now
                    )
                return ReplayResult(id=str(row.id), outcome="replayed")

        return await retry_locked(write)

    async def _note_error(self, key: uuid.UUID, error: str) -> None:
        async def write() -> None:
            async with self.engine.begin() as conn:
                await conn.execute(
                    sa.update(DEAD_LETTERS).where(DEAD_LETTERS.c.id == key).values(last_error=error)
                )

        await retry_locked(write)

    async def discard(self, owner_id: str, letter_id: str) -> DeadLetterView:
        key = parse_id(letter_id)
        row = await self._row(owner_id, key)
        if row.status != "pending":
            raise Conflict(f"dead letter {row.id} is {row.status}; only pending ones are discarded")
        await self._discard(owner_id, [DEAD_LETTERS.c.id == key])
        return _view(await self._row(owner_id, key))

    async def discard_many(self, owner_id: str, selection: DeadLetterFilter, limit: int) -> int:
        ids = (
            sa.select(DEAD_LETTERS.c.id)
            .where(*selection.where(owner_id))
            .order_by(DEAD_LETTERS.c.created_at)
            .limit(limit)
            .scalar_subquery()
        )
        return await self._discard(owner_id, [DEAD_LETTERS.c.id.in_(ids)])

    async def _discard(self, owner_id: str, where: list[Any]) -> int:
        async def write() -> int:
            async with self.engine.begin() as conn:
                result = await conn.execute(
                    sa.update(DEAD_LETTERS)
                    .where(
                        DEAD_LETTERS.c.owner_id == owner_id,
                        DEAD_LETTERS.c.status == "pending",
                        *where,
                    )
                    .values(status="discarded", discarded_at=utcnow())
                )
                return result.rowcount or 0

        return await retry_locked(write)

    async def count(self, owner_id: str, selection: DeadLetterFilter) -> int:
        query = sa.select(sa.func.count()).select_from(DEAD_LETTERS)
        async with self.engine.connect() as conn:
            total = await conn.execute(query.where(*selection.where(owner_id)))
        return int(total.scalar_one())


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
