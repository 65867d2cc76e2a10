"""Fixtures of the reply tests: the API with its worker on both databases, HubSpot and lemlist
emulated on a real port, and replies posted as lemlist `emailsReplied` webhooks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from salesauto.integrations.hubspot.schemas import HubSpotObject
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from tests.support.servers import serve_app
from tests.support.waiting import eventually
from tests.webhooks.conftest import (
    ENROLLMENTS,
    EVENTS,
    Api,
    activity,
    enroll,
    lemlist_token,
    running_api,
    webhook_settings,
)

JOBS = table_of(Job)
CLASSIFY = "campaigns.classify_reply"
TASK_PROPERTIES = ["hs_task_subject", "hs_task_body", "hs_task_priority", "hs_timestamp"]


@dataclass
class Replies:
    api: Api
    token: str

    async def lead(self, email: str) -> None:
        await enroll(self.api.engine, email)

    async def reply(self, email: str, text: str, *, at: str = "2026-03-02T09:30:00.000Z") -> None:
        """A reply delivered as lemlist's webhook delivers it; waits until it is classified."""
        body = activity(email, "emailsReplied") | {"text": text, "createdAt": at}
        response = await self.api.http.post(
            f"/webhooks/lemlist/{self.token}", content=json.dumps(body).encode()
        )
        assert response.status_code == 200, response.text
        await eventually(lambda: self.classify_jobs(email), _all_ended)

    async def classify_jobs(self, email: str) -> list[Any]:
        """The classification jobs of the lead's replies."""
        enrollment = await self.enrollment(email)
        async with self.api.engine.connect() as conn:
            jobs = await conn.execute(sa.select(JOBS).where(JOBS.c.type == CLASSIFY))
            return [j for j in jobs if j.parameters["enrollment_id"] == str(enrollment.id)]

    async def enrollment(self, email: str) -> Any:
        async with self.api.engine.connect() as conn:
            query = sa.select(ENROLLMENTS).where(ENROLLMENTS.c.contact_email == email)
            return (await conn.execute(query)).one()

    async def reply_event(self, email: str) -> Any:
        async with self.api.engine.connect() as conn:
            query = (
                sa.select(EVENTS)
                .join(ENROLLMENTS, ENROLLMENTS.c.id == EVENTS.c.enrollment_id)
                .where(ENROLLMENTS.c.contact_email == email, EVENTS.c.event_type == "replied")
            )
            return (await conn.execute(query)).one()

    async def hubspot_tasks(self) -> list[HubSpotObject]:
        """Every task the HubSpot emulator holds, with its contact associations."""
        tasks = self.api.platform.integrations.hubspot.tasks
        found = [record async for record in tasks.iterate()]
        return [
            await tasks.get(record.id, properties=TASK_PROPERTIES, associations=["contacts"])
            for record in found
        ]


def _all_ended(jobs: list[Any]) -> bool:
    return bool(jobs) and all(job.status in ("completed", "failed") for job in jobs)


@pytest.fixture
async def replies(database_url: str) -> AsyncIterator[Replies]:
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["hubspot", "lemlist"])
    async with serve_app(sandbox) as url:
        settings = webhook_settings(database_url, sandbox_enabled=True, sandbox_url=url)
        async with running_api(settings) as api:
            yield Replies(api, await lemlist_token(api.engine))
