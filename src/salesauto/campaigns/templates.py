"""Campaign templates: create, list, read, change and delete (not while instances use one)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesauto.campaigns.paging import newest_first, page_of
from salesauto.campaigns.schemas import TemplateCreate, TemplatePage, TemplateUpdate, TemplateView
from salesauto.campaigns.tables import INSTANCES, TEMPLATES
from salesauto.kit.errors import Conflict, NotFound
from salesauto.kit.time import utcnow


async def template_row(
    conn: AsyncConnection, owner_id: str, template_id: uuid.UUID, *, lock: bool = False
) -> Any:
    """The template, or NotFound. `lock` holds it until the transaction ends, so a delete
    and a new instance of the same template never cross."""
    query = sa.select(TEMPLATES).where(
        TEMPLATES.c.owner_id == owner_id, TEMPLATES.c.id == template_id
    )
    row = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise NotFound(f"campaign template {template_id} not found")
    return row


def _view(row: Any) -> TemplateView:
    return TemplateView.model_validate(dict(row._mapping))


class TemplateService:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create(self, owner_id: str, body: TemplateCreate) -> TemplateView:
        now = utcnow()
        template_id = uuid.uuid4()
        values = {
            "id": template_id,
            "owner_id": owner_id,
            "name": body.name,
            "description": body.description,
            "provider": body.provider,
            "status": body.status,
            "structure": body.structure.model_dump(mode="json", by_alias=True),
            "default_variables": body.default_variables,
            "created_at": now,
            "updated_at": now,
        }
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(TEMPLATES).values(values))
            return _view(await template_row(conn, owner_id, template_id))

    async def page(
        self, owner_id: str, *, status: str | None, cursor: str | None, limit: int
    ) -> TemplatePage:
        query = sa.select(TEMPLATES).where(TEMPLATES.c.owner_id == owner_id)
        if status is not None:
            query = query.where(TEMPLATES.c.status == status)
        query = newest_first(query, TEMPLATES.c.created_at, TEMPLATES.c.id, cursor, limit)
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query))
        page, next_cursor = page_of(rows, limit, "created_at")
        return TemplatePage(templates=[_view(row) for row in page], next_cursor=next_cursor)

    async def get(self, owner_id: str, template_id: uuid.UUID) -> TemplateView:
        async with self.engine.connect() as conn:
            return _view(await template_row(conn, owner_id, template_id))

    async def update(
        self, owner_id: str, template_id: uuid.UUID, body: TemplateUpdate
    ) -> TemplateView:
        """Change the fields sent. Instances already spawned keep the sequence they were
        created with (it lives at the provider)."""
        values: dict[str, Any] = {}
        sent = body.model_fields_set
        if "name" in sent and body.name is not None:
            values["name"] = body.name
        if "description" in sent:
            values["description"] = body.description
        if "status" in sent and body.status is not None:
            values["status"] = body.status
        if "structure" in sent and body.structure is not None:
            values["structure"] = body.structure.model_dump(mode="json", by_alias=True)
        if "default_variables" in sent and body.default_variables is not None:
            values["default_variables"] = body.default_variables
        async with self.engine.begin() as conn:
            await template_row(conn, owner_id, template_id)
            if values:
                await conn.execute(
                    sa.update(TEMPLATES)
                    .where(TEMPLATES.c.id == template_id)
                    .values(**values, updated_at=utcnow())
                )
            return _view(await template_row(conn, owner_id, template_id))

    async def delete(self, owner_id: str, template_id: uuid.UUID) -> None:
        async with self.engine.begin() as conn:
            await template_row(conn, owner_id, template_id, lock=True)
            used = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(INSTANCES)
                    .where(INSTANCES.c.template_id == template_id)
                )
            ).scalar_one()
            if used:
                raise Conflict(
                    f"campaign template {template_id} is used by {used} instance(s); "
                    "stop and delete them, or archive the template (status: archived)",
                    instances=used,
                )
            await conn.execute(sa.delete(TEMPLATES).where(TEMPLATES.c.id == template_id))
