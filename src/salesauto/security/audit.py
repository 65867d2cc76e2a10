"""The audit log: security-relevant and destructive actions, readable at `/api/audit`.

An entry names the actor by key id (never the key), the action, its target and details
without secrets. Writing one never fails the action it records: a failed write is logged.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from salesauto.kit.db import retry_locked
from salesauto.models.base import table_of
from salesauto.models.security import AuditEvent
from salesauto.security.principal import Principal, principal_of

log = structlog.get_logger(__name__)
AUDIT = table_of(AuditEvent)
SYSTEM_ACTOR = "system"


async def record(
    engine: AsyncEngine,
    owner_id: str,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> None:
    async def insert() -> None:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(AUDIT).values(
                    owner_id=owner_id,
                    actor=actor[:64],
                    action=action,
                    target=target[:255] if target else None,
                    details=details or {},
                    request_id=request_id,
                )
            )

    try:
        await retry_locked(insert)
    except Exception as error:
        log.error("audit.not_written", action=action, error=type(error).__name__)


async def record_request(
    engine: AsyncEngine,
    scope: Scope,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit an action taken by the request's caller, in the caller's workspace."""
    principal: Principal | None = principal_of(scope)
    state = scope.get("state", {})
    await record(
        engine,
        principal.workspace if principal else "default",
        principal.key_id if principal else SYSTEM_ACTOR,
        action,
        target,
        details,
        state.get("request_id"),
    )


async def page(
    engine: AsyncEngine, owner_id: str, *, before: int | None, limit: int, action: str | None
) -> list[AuditEvent]:
    query = sa.select(AUDIT).where(AUDIT.c.owner_id == owner_id)
    if before is not None:
        query = query.where(AUDIT.c.id < before)
    if action is not None:
        query = query.where(AUDIT.c.action == action)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(AUDIT.c.id.desc()).limit(limit))).all()
    return [AuditEvent(**row._mapping) for row in rows]
