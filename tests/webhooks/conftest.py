"""Fixtures of the webhook tests: the real app (worker running) on both databases, with a
public base URL and a HubSpot client secret, and quick orphan retries."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.integrations.hubspot.signatures import sign_v3
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.campaigns import CampaignEnrollment, CampaignEvent, DeadLetterEvent
from salesauto.models.webhooks import WebhookEndpoint, WebhookReceipt
from salesauto.pipeline.campaigns import ensure_campaign_instance
from salesauto.platform import Platform
from salesauto.webhooks import tokens
from tests.conftest import AUTH, make_settings
from tests.support.waiting import eventually

BASE_URL = "https://sales.example.test"
HUBSPOT_SECRET = "hubspot-app-client-secret-for-tests"
CAMPAIGN = "cam_webhooks"
RECEIPTS = table_of(WebhookReceipt)
EVENTS = table_of(CampaignEvent)
DEAD_LETTERS = table_of(DeadLetterEvent)
ENROLLMENTS = table_of(CampaignEnrollment)


def webhook_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "public_base_url": BASE_URL,
        "hubspot_client_secret": HUBSPOT_SECRET,
        "sandbox_enabled": False,
        "webhook_orphan_base_delay_seconds": 0.2,
        "webhook_orphan_max_attempts": 4,
        "webhook_orphan_degraded_depth": 0,
    }
    values.update(overrides)
    return make_settings(database_url, **values)


@dataclass
class Api:
    http: httpx.AsyncClient
    platform: Platform

    @property
    def engine(self) -> AsyncEngine:
        return self.platform.engine


@asynccontextmanager
async def running_api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings, run_worker=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=AUTH) as http:
            yield Api(http, app.state.platform)


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    async with running_api(webhook_settings(database_url)) as running:
        yield running


async def lemlist_token(engine: AsyncEngine, owner_id: str = "default") -> str:
    """A live lemlist endpoint, as `webhooks register` stores it; returns its token."""
    token = tokens.new_token()
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(table_of(WebhookEndpoint)).values(
                provider="lemlist",
                owner_id=owner_id,
                token_hash=tokens.token_digest(token),
                token_prefix=tokens.token_prefix(token),
                provider_hook_id="hoo_test",
                target_url=f"{BASE_URL}/webhooks/lemlist/{tokens.token_prefix(token)}…",
                created_at=utcnow(),
            )
        )
    return token


def activity(
    email: str, kind: str = "emailsOpened", *, activity_id: str | None = None
) -> dict[str, Any]:
    """A lemlist webhook body (the activity record)."""
    return {
        "_id": activity_id or f"act_{uuid.uuid4().hex[:16]}",
        "type": kind,
        "createdAt": "2026-03-02T09:30:00.000Z",
        "campaignId": CAMPAIGN,
        "campaignName": "Webhooks",
        "leadId": f"lea_{email.split('@')[0]}",
        "leadEmail": email,
        "sequenceStep": 0,
    }


def signed_headers(
    body: bytes, *, age_seconds: float = 0.0, secret: str = HUBSPOT_SECRET
) -> dict[str, str]:
    timestamp = str(int((time.time() - age_seconds) * 1000))
    signature = sign_v3(body, "POST", f"{BASE_URL}/webhooks/hubspot", timestamp, secret)
    return {
        "content-type": "application/json",
        "x-hubspot-signature-v3": signature,
        "x-hubspot-request-timestamp": timestamp,
    }


def hubspot_body(*events: dict[str, Any]) -> bytes:
    return json.dumps(list(events)).encode()


async def enroll(engine: AsyncEngine, email: str, campaign_id: str = CAMPAIGN) -> None:
    """The enrollment a lemlist event for `email` in the campaign is about."""
    async with engine.begin() as conn:
        ref = await ensure_campaign_instance(
            conn, "default", provider="lemlist", provider_campaign_id=campaign_id,
            name="Webhooks", status="running",
        )  # fmt: skip
        await merge_contacts(
            conn, "default", [ContactFacts(email=email)], source="csv", at=utcnow()
        )
        await conn.execute(
            sa.insert(ENROLLMENTS).values(
                id=uuid.uuid4(),
                instance_id=ref.instance_id,
                owner_id="default",
                contact_email=email,
                provider_lead_id=f"lea_{email.split('@')[0]}",
                status="enrolled",
                current_step=0,
                variables={},
                enrolled_at=utcnow(),
            )
        )


async def rows(engine: AsyncEngine, table: sa.Table) -> list[Any]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(table)))


async def receipt_statuses(engine: AsyncEngine) -> list[str]:
    return sorted(row.status for row in await rows(engine, RECEIPTS))


async def wait_for_statuses(engine: AsyncEngine, expected: list[str], timeout: float = 20) -> None:
    await eventually(lambda: receipt_statuses(engine), lambda found: found == expected, timeout)
