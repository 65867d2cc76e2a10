"""Migration 0014: instances spawned before it take their template's structure (both
databases, each a fresh database migrated to 0013 first)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from salesauto.campaigns.tables import INSTANCES, TEMPLATES
from salesauto.kit.db import create_engine
from salesauto.kit.migrate import upgrade_to, upgrade_to_head
from salesauto.kit.time import utcnow
from tests.conftest import BACKENDS, PG_ADMIN_DSN, pg_admin

STRUCTURE = {"steps": [{"channel": "email", "conditions": {"stopOnReply": False}}]}


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'salesauto.db'}"
        return
    name = f"salesauto_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _spawned_before(url: str) -> uuid.UUID:
    """A template and an instance as revision 0013 stored them (no instance structure)."""
    template_id, instance_id = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(TEMPLATES).values(
                    id=template_id, name="Outbound Q3", provider="lemlist", structure=STRUCTURE
                )
            )
            # Only the columns 0013 had: the new `structure` is left out of the INSERT.
            await conn.execute(
                sa.insert(INSTANCES).values(
                    id=instance_id,
                    template_id=template_id,
                    name="Outbound Q3",
                    status="running",
                    created_at=utcnow(),
                )
            )
    finally:
        await engine.dispose()
    return instance_id


async def _structure_of(url: str, instance_id: uuid.UUID) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            query = sa.select(INSTANCES.c.structure).where(INSTANCES.c.id == instance_id)
            return (await conn.execute(query)).scalar_one()
    finally:
        await engine.dispose()


def test_instances_spawned_before_take_their_templates_structure(empty_database: str) -> None:
    upgrade_to(empty_database, "0013")
    instance_id = asyncio.run(_spawned_before(empty_database))
    upgrade_to_head(empty_database)
    assert asyncio.run(_structure_of(empty_database, instance_id)) == STRUCTURE
