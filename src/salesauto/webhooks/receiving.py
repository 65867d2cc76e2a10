"""Receiving a delivery: read the raw body (bounded), prove where it came from, store one
receipt per event and queue its processing in the same transaction. Nothing else happens on
the request path, so providers get their 2xx fast; a refused delivery stores nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.integrations.hubspot.signatures import verify_v3
from salesauto.jobs.queue import Queue
from salesauto.kit.errors import NotFound, SalesautoError
from salesauto.kit.time import utcnow
from salesauto.webhooks import tokens
from salesauto.webhooks.hook_cache import LEMLIST_HOOKS, CachedHook
from salesauto.webhooks.receipt_writer import Received, receipt_writer
from salesauto.webhooks.repository import NewReceipt, live_endpoints

HUBSPOT_PATH = "/webhooks/hubspot"
LEMLIST_PATH = "/webhooks/lemlist"
# Kept with each receipt for diagnosis; never the signature.
KEPT_HEADERS = ("content-type", "user-agent", "x-request-id", "x-hubspot-request-timestamp")


class PayloadTooLarge(SalesautoError):
    status_code = 413


class WebhookNotConfigured(SalesautoError):
    status_code = 503


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body exactly as sent, refused with 413 as soon as it passes `max_bytes`
    (a lying or absent Content-Length changes nothing: bytes are counted as they come)."""
    declared = request.headers.get("content-length", "")
    too_large = PayloadTooLarge(
        f"the webhook body is larger than {max_bytes // 1024} KB (SALESAUTO_WEBHOOK_MAX_BODY_KB)",
        limitBytes=max_bytes,
    )
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SalesautoError("the webhook body is not valid JSON") from None


def _kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name][:300] for name in KEPT_HEADERS if name in headers}


def lemlist_event_id(payload: dict[str, Any]) -> str:
    """The activity `_id`; without one, a digest of what identifies the activity."""
    activity_id = payload.get("_id")
    if isinstance(activity_id, str) and activity_id:
        return activity_id[:200]
    parts = [str(payload.get(key)) for key in ("type", "leadId", "campaignId", "createdAt")]
    return "sha256:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def hubspot_event_id(event: dict[str, Any]) -> str:
    """`portalId:eventId` (HubSpot does not promise event ids unique across portals)."""
    event_id = event.get("eventId")
    if event_id is None:
        canonical = json.dumps(event, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    return f"{event.get('portalId', '')}:{event_id}"[:200]


class WebhookReceiver:
    def __init__(self, engine: AsyncEngine, queue: Queue, settings: Settings) -> None:
        self.engine = engine
        self.queue = queue
        self.settings = settings

    @property
    def max_bytes(self) -> int:
        return self.settings.webhook_max_body_kb * 1024

    async def lemlist(
        self, endpoint: CachedHook, body: bytes, headers: Mapping[str, str]
    ) -> Received:
        """A lemlist activity posted to the hook URL of `endpoint` (see `lemlist_endpoint`)."""
        payload = _json(body)
        if not isinstance(payload, dict):
            raise SalesautoError("a lemlist webhook body must be a JSON object (one activity)")
        receipt = NewReceipt(
            provider="lemlist",
            event_id=lemlist_event_id(payload),
            owner_id=endpoint.owner_id,
            endpoint_id=endpoint.id,
            body=body.decode("utf-8", errors="replace"),
            headers=_kept_headers(headers),
            received_at=utcnow(),
        )
        return await self.store([receipt])

    async def lemlist_endpoint(self, token: str) -> CachedHook:
        """The live endpoint the path token belongs to; 404 for a wrong or revoked token.
        A hook found is remembered for a few seconds (see hook_cache.py)."""
        unknown = NotFound("not found")  # the same answer for junk, wrong and revoked tokens
        if not tokens.plausible_token(token):
            raise unknown
        digest = tokens.token_digest(token)
        cached = LEMLIST_HOOKS.get(digest)
        if cached is not None:
            return cached
        async with self.engine.connect() as conn:
            candidates = await live_endpoints(conn, "lemlist", tokens.token_prefix(token))
        endpoint = tokens.matching_row(token, candidates)
        if endpoint is None:
            raise unknown
        hook = CachedHook(int(endpoint.id), str(endpoint.owner_id))
        LEMLIST_HOOKS.put(digest, hook)
        return hook

    async def hubspot(
        self, body: bytes, path: str, query: str, headers: Mapping[str, str]
    ) -> Received:
        """A HubSpot batch, verified with signature v3 against the public URL from settings;
        one receipt per event."""
        secret = self.settings.hubspot_client_secret
        base = self.settings.public_base_url
        if secret is None or not secret.get_secret_value() or not base:
            raise WebhookNotConfigured(
                "HubSpot webhooks are not configured: set SALESAUTO_HUBSPOT_CLIENT_SECRET and "
                "SALESAUTO_PUBLIC_BASE_URL"
            )
        uri = base.rstrip("/") + path + (f"?{query}" if query else "")
        verify_v3(body, "POST", uri, headers, secret.get_secret_value())
        payload = _json(body)
        events = payload if isinstance(payload, list) else [payload]
        if not events or not all(isinstance(event, dict) for event in events):
            raise SalesautoError("a HubSpot webhook body must be a JSON array of event objects")
        now = utcnow()
        kept = _kept_headers(headers)
        receipts = [
            NewReceipt(
                provider="hubspot",
                event_id=hubspot_event_id(event),
                # One HubSpot app (one client secret) per deployment: its workspace.
                owner_id="default",
                body=json.dumps(event, separators=(",", ":")),
                headers=kept,
                received_at=now,
            )
            for event in events
        ]
        return await self.store(receipts)

    async def store(self, receipts: list[NewReceipt]) -> Received:
        """Store new receipts and queue their processing (webhook deliveries and polled
        lemlist activities alike), together with the deliveries arriving at the same time
        (see receipt_writer.py); duplicates are only counted."""
        return await receipt_writer(self.queue).store(receipts)
