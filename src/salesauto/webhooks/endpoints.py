"""Webhook routes. `/webhooks/*` is public: each delivery proves itself (HubSpot by its v3
signature, lemlist by the secret token in its URL). The body is read raw (no pydantic body
parameter) so the signature is checked over the exact bytes sent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from salesauto.jobs.endpoints import Owner
from salesauto.platform import Platform
from salesauto.security.scopes import scoped
from salesauto.webhooks.receipt_writer import Received
from salesauto.webhooks.receiving import WebhookReceiver, read_body
from salesauto.webhooks.registration import WebhookRegistrar
from salesauto.webhooks.schemas import RegistrationView, WebhookAck

public_router = APIRouter(prefix="/webhooks", tags=["webhooks"])
router = APIRouter(prefix="/api/webhooks", tags=["webhooks"], dependencies=[scoped("webhooks")])


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _receiver(request: Request) -> WebhookReceiver:
    # Built in the handler, not as a dependency: on the busiest route of the API, FastAPI's
    # dependency solving (and the thread pool a plain `def` dependency runs in) is overhead.
    platform = _platform(request)
    return WebhookReceiver(platform.engine, platform.queue, platform.settings)


def _ack(received: Received) -> Response:
    """The `WebhookAck` body, written directly (no response-model validation per delivery)."""
    body = f'{{"success":true,"received":{received.stored},"duplicates":{received.duplicates}}}'
    return Response(body, media_type="application/json")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "The HubSpot signature is missing, wrong or older than 5 minutes."},
    404: {"description": "No live lemlist hook has this token."},
    413: {"description": "The body is over SALESAUTO_WEBHOOK_MAX_BODY_KB."},
}


@public_router.post(
    "/lemlist/{token}", response_model=WebhookAck, response_model_by_alias=True, responses=ERRORS
)
async def receive_lemlist(token: str, request: Request) -> Response:
    """A lemlist activity (one per POST) for the hook that owns `token`. Stored, then
    processed by a job; a delivery already received answers 200 and is not processed again."""
    receiver = _receiver(request)
    endpoint = await receiver.lemlist_endpoint(token)
    body = await read_body(request, receiver.max_bytes)
    return _ack(await receiver.lemlist(endpoint, body, request.headers))


@public_router.post(
    "/hubspot", response_model=WebhookAck, response_model_by_alias=True, responses=ERRORS
)
async def receive_hubspot(request: Request) -> Response:
    """A batch of HubSpot events signed with signature v3 over this URL as configured in
    SALESAUTO_PUBLIC_BASE_URL. One receipt per event; duplicates are not processed again."""
    receiver = _receiver(request)
    body = await read_body(request, receiver.max_bytes)
    query = request.scope.get("query_string", b"").decode("latin-1")
    return _ack(await receiver.hubspot(body, request.scope["path"], query, request.headers))


@router.post("/register", response_model=RegistrationView, response_model_by_alias=True)
async def register_webhooks(request: Request, owner: Owner) -> RegistrationView:
    """Create this workspace's lemlist hook for SALESAUTO_PUBLIC_BASE_URL (kept as it is when
    it still exists at lemlist) and give the URL to enter in the HubSpot app's webhooks."""
    platform = _platform(request)
    registrar = WebhookRegistrar(platform.engine, platform.settings, platform.integrations)
    return RegistrationView.of(await registrar.register(owner))
