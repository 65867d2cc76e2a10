"""Adding, listing and removing suppressions; emails and domains normalised like contacts.

Adding one stops the running enrollments it covers and queues its push to lemlist's
unsubscribe list, in the same transaction (see propagation.py). Removing one queues its
removal from that list, when we put it there; the enrollments it stopped stay stopped.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.events.notifier import Notifier
from salesauto.imports.cells import email_problem, normalise_domain, normalise_email
from salesauto.kit.errors import Conflict, InvalidInput, NotFound
from salesauto.kit.pagination import decode_cursor, encode_cursor
from salesauto.kit.time import utcnow
from salesauto.suppressions.propagation import queue_lemlist_removal, suppress_everywhere
from salesauto.suppressions.repository import SUPPRESSIONS, suppressed
from salesauto.suppressions.schemas import (
    SuppressionAdded,
    SuppressionCreate,
    SuppressionKind,
    SuppressionView,
)


def classify(value: str) -> tuple[SuppressionKind, str]:
    """`jane@acme.com` → ("email", …); `acme.com`, `@acme.com`, a URL → ("domain", …)."""
    raw = value.strip()
    if "@" in raw and not raw.startswith("@"):
        email = normalise_email(raw)
        problem = email_problem(email) if email else "empty"
        if email is None or problem:
            raise InvalidInput(f"{value!r} is not a valid email address ({problem})")
        return "email", email
    domain = normalise_domain(raw.lstrip("@"))
    if domain is None:
        raise InvalidInput(f"{value!r} is neither an email address nor a domain like acme.com")
    return "domain", domain


class SuppressionService:
    def __init__(self, engine: AsyncEngine, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.notifier = notifier  # wakes workers for the lemlist push; they poll without it

    async def add(
        self, owner_id: str, entries: list[SuppressionCreate], *, source: str = "api"
    ) -> SuppressionAdded:
        """Add entries; invalid ones are reported, the rest go in; re-adding is a no-op.

        The enrollments they cover stop and the new entries are queued for lemlist's
        unsubscribe list, with the rows, in one transaction.
        """
        accepted: list[tuple[str, str, str]] = []
        rejected: list[dict[str, str]] = []
        for entry in entries:
            try:
                kind, value = classify(entry.value)
            except InvalidInput as error:
                rejected.append({"value": entry.value, "reason": error.message})
                continue
            accepted.append((kind, value, entry.reason))
        async with self.engine.begin() as conn:
            ids = await suppress_everywhere(conn, owner_id, accepted, source=source, at=utcnow())
            rows = (
                await conn.execute(
                    sa.select(SUPPRESSIONS).where(
                        SUPPRESSIONS.c.owner_id == owner_id, SUPPRESSIONS.c.id.in_(ids)
                    )
                )
            ).all()
        if ids and self.notifier is not None:
            self.notifier.jobs_available()
        added = [SuppressionView.model_validate(dict(row._mapping)) for row in rows]
        return SuppressionAdded(
            added=added, already_listed=len(accepted) - len(ids), rejected=rejected
        )

    async def page(
        self, owner_id: str, *, kind: str | None, cursor: str | None, limit: int
    ) -> tuple[list[SuppressionView], str | None]:
        query = sa.select(SUPPRESSIONS).where(SUPPRESSIONS.c.owner_id == owner_id)
        if kind is not None:
            query = query.where(SUPPRESSIONS.c.kind == kind)
        if cursor is not None:
            query = query.where(SUPPRESSIONS.c.id < decode_cursor(cursor))
        query = query.order_by(SUPPRESSIONS.c.id.desc()).limit(limit + 1)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        page = rows[:limit]
        views = [SuppressionView.model_validate(dict(row._mapping)) for row in page]
        return views, encode_cursor(page[-1].id) if len(rows) > limit else None

    async def remove(self, owner_id: str, suppression_id: int) -> None:
        """Delete the entry; an entry we pushed to lemlist's unsubscribe list is taken off it
        by a `suppressions.unpush` job queued in the same transaction (propagation.py)."""
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    sa.select(SUPPRESSIONS.c.kind, SUPPRESSIONS.c.value, SUPPRESSIONS.c.source)
                    .where(SUPPRESSIONS.c.owner_id == owner_id, SUPPRESSIONS.c.id == suppression_id)
                    .with_for_update()
                )
            ).one_or_none()
            if row is None:
                raise NotFound(f"suppression {suppression_id} not found")
            if row.source == "erasure":
                raise Conflict(
                    "this address was erased on request; its entry keeps it from coming back "
                    "and cannot be removed"
                )
            await conn.execute(
                sa.delete(SUPPRESSIONS).where(
                    SUPPRESSIONS.c.owner_id == owner_id, SUPPRESSIONS.c.id == suppression_id
                )
            )
            queued = await queue_lemlist_removal(conn, owner_id, row.kind, row.value, row.source)
        if queued is not None and self.notifier is not None:
            self.notifier.jobs_available()

    async def check(self, owner_id: str, emails: list[str]) -> dict[str, str]:
        """Suppressed emails among these → reason (by the email itself or its domain)."""
        normalised = [e for e in (normalise_email(x) for x in emails) if e]
        async with self.engine.connect() as conn:
            return await suppressed(conn, owner_id, normalised)
