"""Requests to the pipeline routes and what they queued, shared by the pipeline API tests."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import CONTACTS, merge_contacts
from salesauto.kit.time import utcnow
from salesauto.platform import Platform


def platform_of(client: httpx.AsyncClient) -> Platform:
    platform: Platform = client._transport.app.state.platform  # type: ignore[attr-defined]
    return platform


async def store(
    client: httpx.AsyncClient,
    emails: list[str],
    *,
    source: str = "csv",
    stage: str | None = None,
    score: int | None = None,
    domain: str | None = None,
) -> None:
    """Store contacts as an import (or a discovery) would, at a given stage and score."""
    facts = [
        ContactFacts(email=email, fields={"company_domain": domain} if domain else {})
        for email in emails
    ]
    async with platform_of(client).engine.begin() as conn:
        await merge_contacts(conn, "default", facts, source=source, at=utcnow())
        changes = {"status": stage} if stage else {}
        if score is not None:
            changes["score"] = score
        if changes:
            await conn.execute(sa.update(CONTACTS).where(CONTACTS.c.email.in_(emails)), changes)


async def accepted(response: httpx.Response, contacts: int) -> list[str]:
    """The ids of the jobs a 202 announced, after checking its body."""
    assert response.status_code == 202, response.text
    body = response.json()
    ids: list[str] = body["jobIds"]
    assert body == {
        "success": True,
        "jobId": ids[0],
        "jobIds": ids,
        "status": f"/api/jobs/{ids[0]}",
        "contacts": contacts,
        "via": "direct",
    }
    return ids


async def queued(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/jobs/{job_id}")
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    assert job["status"] == "queued"
    return job


async def only_job(
    client: httpx.AsyncClient, response: httpx.Response, contacts: int
) -> dict[str, Any]:
    (job_id,) = await accepted(response, contacts)
    return await queued(client, job_id)


async def queued_count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/api/jobs")).json()["items"])
