"""Reading, exporting and erasing contacts and companies."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.config import ENRICHMENT_SOURCES
from salesauto.contacts.repository import COMPANIES, CONTACTS, ERASURE_SOURCE
from salesauto.contacts.schemas import CompanyView, ContactView
from salesauto.imports.cells import neutralise_cell, normalise_domain, normalise_email
from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob
from salesauto.kit.errors import InvalidInput, NotFound
from salesauto.kit.pagination import (
    decode_cursor,
    decode_key_cursor,
    encode_cursor,
    encode_key_cursor,
)
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment
from salesauto.models.contacts import CONTACT_STAGES
from salesauto.pipeline.enrichment_cache import CACHE, cache_key
from salesauto.suppressions.repository import add_suppressions

ENROLLMENTS = table_of(CampaignEnrollment)
EXPORT_PAGE = 1000
EXPORT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "company_name",
    "company_domain",
    "phone",
    "linkedin_url",
    "status",
    "source",
    "score",
    "hubspot_id",
    "imported_at",
    "updated_at",
)


def contact_view(row: Any) -> ContactView:
    values = dict(row._mapping)
    values["stage"] = values.pop("status")
    return ContactView.model_validate(values)


class ContactService:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def _filtered(
        self,
        owner_id: str,
        *,
        stage: str | None,
        source: str | None,
        company_domain: str | None,
        q: str | None,
    ) -> sa.Select[Any]:
        query = sa.select(CONTACTS).where(CONTACTS.c.owner_id == owner_id)
        if stage is not None:
            if stage not in CONTACT_STAGES:
                raise InvalidInput(
                    f"unknown stage {stage!r}; use one of {', '.join(CONTACT_STAGES)}",
                    field="stage",
                )
            query = query.where(CONTACTS.c.status == stage)
        if source is not None:
            query = query.where(CONTACTS.c.source == source)
        if company_domain is not None:
            query = query.where(
                CONTACTS.c.company_domain == (normalise_domain(company_domain) or company_domain)
            )
        if q:
            pattern = f"%{q.strip().lower()}%"
            query = query.where(
                sa.or_(
                    CONTACTS.c.email.like(pattern),
                    sa.func.lower(CONTACTS.c.first_name).like(pattern),
                    sa.func.lower(CONTACTS.c.last_name).like(pattern),
                    sa.func.lower(CONTACTS.c.company_name).like(pattern),
                )
            )
        return query

    async def page(
        self,
        owner_id: str,
        *,
        stage: str | None = None,
        source: str | None = None,
        company_domain: str | None = None,
        q: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> tuple[list[ContactView], str | None]:
        """Contacts in email order (stable paging), filtered."""
        query = self._filtered(
            owner_id, stage=stage, source=source, company_domain=company_domain, q=q
        )
        if cursor is not None:
            query = query.where(CONTACTS.c.email > decode_key_cursor(cursor))
        query = query.order_by(CONTACTS.c.email).limit(limit + 1)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        page = rows[:limit]
        next_cursor = encode_key_cursor(page[-1].email) if len(rows) > limit else None
        return [contact_view(row) for row in page], next_cursor

    async def get(self, owner_id: str, email: str) -> ContactView:
        key = normalise_email(email) or email
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(CONTACTS).where(
                        CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == key
                    )
                )
            ).first()
        if row is None:
            raise NotFound(f"no contact with email {key!r}")
        return contact_view(row)

    async def erase(self, owner_id: str, email: str, *, queue: Queue) -> int:
        """Delete the contact here with what else we keep about the person (campaign
        enrollments and their events, providers' cached profiles), suppress the address so no
        import or discovery brings it back, and queue the erasure at the providers — in one
        transaction (outbox). Returns the provider job's id."""
        key = normalise_email(email) or email
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    sa.delete(CONTACTS)
                    .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == key)
                    .returning(CONTACTS.c.hubspot_id)
                )
            ).first()
            if row is None:
                raise NotFound(f"no contact with email {key!r}")
            await _forget_person(conn, owner_id, key)
            await add_suppressions(
                conn,
                owner_id,
                [("email", key, "erased on request")],
                source=ERASURE_SOURCE,
                at=utcnow(),
            )
            enqueued = await queue.enqueue(
                NewJob(
                    type="contacts.erase_at_providers",
                    parameters={"email": key, "hubspot_id": row.hubspot_id},
                    owner_id=owner_id,
                ),
                conn,
            )
        return enqueued.job_id

    def export_csv(
        self,
        owner_id: str,
        *,
        stage: str | None = None,
        source: str | None = None,
        company_domain: str | None = None,
        q: str | None = None,
    ) -> AsyncIterator[str]:
        """CSV text in pages; cells that a spreadsheet would run as formulas are neutralised.

        The filters are checked here, before the first byte: a bad one is a 422, not a
        download that breaks off."""
        query = self._filtered(
            owner_id, stage=stage, source=source, company_domain=company_domain, q=q
        ).order_by(CONTACTS.c.email)
        return self._csv_pages(query)

    async def _csv_pages(self, query: sa.Select[Any]) -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        yield buffer.getvalue()
        after: str | None = None
        while True:
            # One short connection per page: a slow download must not hold SQLite's only
            # pooled connection (or a PostgreSQL one) for its whole length.
            page = query if after is None else query.where(CONTACTS.c.email > after)
            async with self.engine.connect() as conn:
                rows = (await conn.execute(page.limit(EXPORT_PAGE))).all()
            buffer.seek(0)
            buffer.truncate()
            for row in rows:
                values = row._mapping
                writer.writerow(
                    neutralise_cell("" if values[c] is None else str(values[c]))
                    for c in EXPORT_COLUMNS
                )
            if rows:
                yield buffer.getvalue()
            if len(rows) < EXPORT_PAGE:
                return
            after = rows[-1].email


async def _forget_person(conn: AsyncConnection, owner_id: str, email: str) -> None:
    """Delete the workspace's enrollments of the address (their variables are the person's
    data; their events go with them) and the providers' cached profiles of it. The cache is
    shared by every workspace, but it holds this person's data all the same."""
    await conn.execute(
        sa.delete(ENROLLMENTS).where(
            ENROLLMENTS.c.owner_id == owner_id, ENROLLMENTS.c.contact_email == email
        )
    )
    keys = [cache_key(source, "person", email) for source in ENRICHMENT_SOURCES]
    await conn.execute(sa.delete(CACHE).where(CACHE.c.key.in_(keys)))


class CompanyService:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def _query(self, owner_id: str) -> sa.Select[Any]:
        contact_count = (
            sa.select(sa.func.count())
            .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.company_id == COMPANIES.c.id)
            .scalar_subquery()
        )
        return sa.select(COMPANIES, contact_count.label("contacts")).where(
            COMPANIES.c.owner_id == owner_id
        )

    async def page(
        self, owner_id: str, *, q: str | None = None, cursor: str | None = None, limit: int = 100
    ) -> tuple[list[CompanyView], str | None]:
        query = self._query(owner_id)
        if q:
            pattern = f"%{q.strip().lower()}%"
            query = query.where(
                sa.or_(
                    COMPANIES.c.domain.like(pattern), sa.func.lower(COMPANIES.c.name).like(pattern)
                )
            )
        if cursor is not None:
            query = query.where(COMPANIES.c.id > decode_cursor(cursor))
        query = query.order_by(COMPANIES.c.id).limit(limit + 1)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        page = rows[:limit]
        views = [CompanyView.model_validate(dict(row._mapping)) for row in page]
        return views, encode_cursor(page[-1].id) if len(rows) > limit else None

    async def get(self, owner_id: str, domain: str) -> CompanyView:
        key = normalise_domain(domain) or domain
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(self._query(owner_id).where(COMPANIES.c.domain == key))
            ).first()
        if row is None:
            raise NotFound(f"no company with domain {key!r}")
        return CompanyView.model_validate(dict(row._mapping))
