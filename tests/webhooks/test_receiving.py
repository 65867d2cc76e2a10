"""Receiving deliveries: refused ones store nothing, accepted ones are stored, processed by the
worker, and processed once however often they arrive."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
import structlog

from salesauto.models.base import table_of
from salesauto.models.contacts import ImportedContact, Suppression
from tests.webhooks.conftest import (
    EVENTS,
    RECEIPTS,
    Api,
    activity,
    enroll,
    hubspot_body,
    lemlist_token,
    rows,
    running_api,
    signed_headers,
    wait_for_statuses,
    webhook_settings,
)

OPT_OUT = {
    "eventId": 101,
    "portalId": 62515,
    "subscriptionType": "contact.propertyChange",
    "objectId": 901,
    "propertyName": "hs_email_optout",
    "propertyValue": "true",
    "occurredAt": 1772443800000,
}
DELETED = {
    "eventId": 102,
    "portalId": 62515,
    "subscriptionType": "contact.deletion",
    "objectId": 902,
}
CREATED = {
    "eventId": 103,
    "portalId": 62515,
    "subscriptionType": "contact.creation",
    "objectId": 903,
}


async def test_wrong_lemlist_token_or_oversized_body_stores_nothing(api: Api) -> None:
    token = await lemlist_token(api.engine)
    body = activity("ada@acme.test")
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for path in (f"/webhooks/lemlist/{wrong}", "/webhooks/lemlist/short", "/webhooks/lemlist/"):
        response = await api.http.post(path, json=body)
        assert response.status_code in (404, 405), path
    huge = {**body, "padding": "x" * (300 * 1024)}
    response = await api.http.post(f"/webhooks/lemlist/{token}", json=huge)
    assert response.status_code == 413
    assert await rows(api.engine, RECEIPTS) == []


async def test_tampered_stale_or_unsigned_hubspot_deliveries_get_401_and_store_nothing(
    api: Api,
) -> None:
    body = hubspot_body(OPT_OUT)
    tampered = body.replace(b"901", b"907")
    attempts = [
        (tampered, signed_headers(body)),  # one changed byte
        (body, signed_headers(body, age_seconds=6 * 60)),  # older than 5 minutes
        (body, signed_headers(body, secret="another-app-secret")),
        (body, {"content-type": "application/json"}),  # no signature at all
    ]
    for content, headers in attempts:
        response = await api.http.post("/webhooks/hubspot", content=content, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["success"] is False
    # A signature over another URL (the query is part of what is signed) is refused too.
    response = await api.http.post(
        "/webhooks/hubspot?x=1", content=body, headers=signed_headers(body)
    )
    assert response.status_code == 401
    assert await rows(api.engine, RECEIPTS) == []


async def test_signed_hubspot_batch_is_stored_per_event_and_processed(api: Api) -> None:
    async with api.engine.begin() as conn:
        await conn.execute(
            sa.insert(table_of(ImportedContact)),
            [
                {"owner_id": "default", "email": "opt@acme.test", "source": "csv",
                 "hubspot_id": "901", "data": {}, "provenance": {}},
                {"owner_id": "default", "email": "gone@acme.test", "source": "csv",
                 "hubspot_id": "902", "data": {}, "provenance": {}},
            ],
        )  # fmt: skip
    body = hubspot_body(OPT_OUT, DELETED, CREATED)
    response = await api.http.post("/webhooks/hubspot", content=body, headers=signed_headers(body))
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True, "received": 3, "duplicates": 0}
    await wait_for_statuses(api.engine, ["processed"] * 3)

    suppressions = await rows(api.engine, table_of(Suppression))
    assert [(s.value, s.source) for s in suppressions] == [("opt@acme.test", "hubspot")]
    contacts = {c.email: c for c in await rows(api.engine, table_of(ImportedContact))}
    assert "hubspot_deleted_at" in contacts["gone@acme.test"].data
    reasons = {r.event_id: r.error for r in await rows(api.engine, RECEIPTS)}
    assert reasons["62515:103"].startswith("ignored: contact.creation")


async def test_the_same_delivery_twice_is_processed_once(api: Api) -> None:
    await enroll(api.engine, "ada@acme.test")
    token = await lemlist_token(api.engine)
    body = json.dumps(activity("ada@acme.test", activity_id="act_twice")).encode()
    answers = await asyncio.gather(
        *(api.http.post(f"/webhooks/lemlist/{token}", content=body) for _ in range(3))
    )
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sorted(a.json()["received"] for a in answers) == [0, 0, 1]
    await wait_for_statuses(api.engine, ["processed"])
    again = await api.http.post(f"/webhooks/lemlist/{token}", content=body)
    assert again.json() == {"success": True, "received": 0, "duplicates": 1}

    hubspot = hubspot_body(CREATED)
    for expected in (1, 0):
        response = await api.http.post(
            "/webhooks/hubspot", content=hubspot, headers=signed_headers(hubspot)
        )
        assert response.json()["received"] == expected
    await wait_for_statuses(api.engine, ["processed", "processed"])
    events = await rows(api.engine, EVENTS)
    assert [(e.provider_event_id, e.event_type) for e in events] == [("act_twice", "opened")]
    async with api.engine.connect() as conn:
        jobs = await conn.execute(
            sa.text("SELECT count(*) FROM jobs WHERE type = 'webhooks.process'")
        )
        assert jobs.scalar() == 2


async def test_the_hook_token_never_reaches_the_access_log(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = webhook_settings(database_url, log_level="INFO", log_json=True)
    try:
        async with running_api(settings) as api:
            token = await lemlist_token(api.engine)
            response = await api.http.post(
                f"/webhooks/lemlist/{token}", json=activity("log@acme.test")
            )
            assert response.status_code == 200
    finally:
        structlog.reset_defaults()
    logged = capsys.readouterr().err
    assert "/webhooks/lemlist/***" in logged and token not in logged
