"""Migration 0014: instances spawned before it take their template's structure (both
databases, each a fresh database migrated to 0013 first)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from salesauto.kit.db import create_engine
from salesauto.kit.migrate import upgrade_to, upgrade_to_head
from tests.conftest import BACKENDS, PG_ADMIN_DSN

STRUCTURE = {"steps": [{"channel": "email", "conditions": {"stopOnReply": False}}]}


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'salesauto.db'}"
        return
    name = f"salesauto_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _spawned_before(url: str) -> uuid.UUID:
    """A template and an instance as revision 0013 stored them (no instance structure)."""
    template_id, instance_id = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO campaign_templates (id, owner_id, name, provider, status, "
                    "structure, default_variables, created_at) VALUES (:id, 'default', "
                    "'Outbound Q3', 'lemlist', 'active', :structure, '{}', CURRENT_TIMESTAMP)"
                ).bindparams(
                    sa.bindparam("id", type_=sa.Uuid),
                    sa.bindparam("structure", type_=sa.JSON),
                ),
                {"id": template_id, "structure": STRUCTURE},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO campaign_instances (id, owner_id, template_id, name, status, "
                    "total_enrolled, total_sent, total_delivered, total_opened, total_clicked, "
                    "total_replied, created_at) VALUES (:id, 'default', :template_id, "
                    "'Outbound Q3', 'running', 0, 0, 0, 0, 0, 0, CURRENT_TIMESTAMP)"
                ).bindparams(
                    sa.bindparam("id", type_=sa.Uuid),
                    sa.bindparam("template_id", type_=sa.Uuid),
                ),
                {"id": instance_id, "template_id": template_id},
            )
    finally:
        await engine.dispose()
    return instance_id


async def _structure_of(url: str, instance_id: uuid.UUID) -> object:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            stored = (
                await conn.execute(
                    sa.text("SELECT structure FROM campaign_instances WHERE id = :id").bindparams(
                        sa.bindparam("id", type_=sa.Uuid)
                    ),
                    {"id": instance_id},
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    return json.loads(stored) if isinstance(stored, str) else stored


def test_instances_spawned_before_take_their_templates_structure(empty_database: str) -> None:
    upgrade_to(empty_database, "0013")
    instance_id = asyncio.run(_spawned_before(empty_database))
    upgrade_to_head(empty_database)
    assert asyncio.run(_structure_of(empty_database, instance_id)) == STRUCTURE
