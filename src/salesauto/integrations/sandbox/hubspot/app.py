"""`build_hubspot_emulator`: a local HubSpot CRM v3/v4 that speaks the real API.

Routes (relative, so the app also works mounted under `/sandbox/hubspot`):
- `/crm/v3/objects/{contacts|companies|tasks|notes}` CRUD, list, `batch/*`, `search`
- `/crm/v4/objects/.../associations/...` and `/crm/v4/associations/.../batch/*`
- `/crm/v3/owners`
- `/crm/v3/lists` (MANUAL and SNAPSHOT lists: create, fetch, search, add/remove/page members)
- `/account-info/v3/details`, `/crm/v3/properties/{type}`, `/crm/v3/pipelines/{type}`,
  `/crm/v3/schemas` (the portal's description)
- `/_sandbox/stats|faults|reset` (the kit's control routes)

Any bearer token is accepted except a missing one or the literal `invalid-key` (401), so tests
can exercise auth failures. Rate limits are per token, as HubSpot counts them.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.integrations.sandbox.hubspot.errors import (
    HubSpotApiError,
    rate_limit_response,
    sandbox_error_response,
)
from salesauto.integrations.sandbox.hubspot.limits import HubSpotLimits
from salesauto.integrations.sandbox.hubspot.lists import ListStore
from salesauto.integrations.sandbox.hubspot.routes.associations import associations_router
from salesauto.integrations.sandbox.hubspot.routes.batch import batch_router
from salesauto.integrations.sandbox.hubspot.routes.list_search import list_search_router
from salesauto.integrations.sandbox.hubspot.routes.lists import lists_router
from salesauto.integrations.sandbox.hubspot.routes.objects import objects_router
from salesauto.integrations.sandbox.hubspot.routes.owners import owners_router
from salesauto.integrations.sandbox.hubspot.routes.portal import portal_router
from salesauto.integrations.sandbox.hubspot.routes.search import search_router
from salesauto.integrations.sandbox.hubspot.state import HubSpotState
from salesauto.integrations.sandbox.kit import CONTROL_PREFIX, SandboxConfig, SandboxKit

INVALID_KEY = "invalid-key"
# Free/Starter private apps get 250,000 calls per account per day (API_CONTRACTS §1.10).
DAILY_LIMIT = 250_000


def build_hubspot_emulator(config: SandboxConfig, *, daily_limit: int = DAILY_LIMIT) -> FastAPI:
    """A fresh emulator with its own empty CRM (plus a few seeded owners).

    `daily_limit` exists for tests of the DAILY policy; the burst limit comes from
    `config.hubspot_requests_per_10s`.
    """
    state = HubSpotState(config.seed)
    lists = ListStore(state)
    limits = HubSpotLimits(config.hubspot_requests_per_10s, daily_limit)
    kit = SandboxKit("hubspot", sandbox_error_response)
    app = FastAPI(
        title="HubSpot sandbox",
        description="Local emulator of HubSpot CRM v3 objects, search, lists and v4 associations.",
    )
    app.state.hubspot = state
    app.state.hubspot_lists = lists
    app.state.kit = kit
    # Search routes first: `/{type}/search` must not be taken for `/{type}/{id}`.
    for router in (
        search_router(state),
        batch_router(state),
        objects_router(state),
        associations_router(state),
        owners_router(state),
        lists_router(lists),
        list_search_router(lists),
        portal_router(state),
    ):
        app.include_router(router)

    @app.exception_handler(HubSpotApiError)
    async def hubspot_error(_request: Request, error: HubSpotApiError) -> Response:
        return error.response()

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg', '')}"
            for item in error.errors()
        )
        return HubSpotApiError(400, f"Invalid input JSON: {problems}").response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> Response:
        return HubSpotApiError(error.status_code, str(error.detail)).response()

    def reset_state() -> None:
        state.clear()
        lists.clear()
        limits.reset()

    kit.on_reset.append(reset_state)
    app.add_middleware(_AuthAndLimits, limits=limits, kit=kit)
    kit.install(app)  # outermost: counts every arrival, injects faults
    return app


class _AuthAndLimits:
    """401 without a usable bearer token; per-token HubSpot rate limits and their headers."""

    def __init__(self, app: ASGIApp, limits: HubSpotLimits, kit: SandboxKit) -> None:
        self.app = app
        self.limits = limits
        self.kit = kit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        local = path.removeprefix(scope.get("root_path", ""))
        if scope["type"] != "http" or local.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        authorization = Headers(scope=scope).get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or token == INVALID_KEY:
            await _unauthorized(bool(token))(scope, receive, send)
            return
        # Only CRM search has its own per-second bucket; list search counts as a plain call.
        is_search = (
            scope.get("method") == "POST"
            and local.rstrip("/").endswith("/search")
            and not local.startswith("/crm/v3/lists/")
        )
        verdict = self.limits.check(token, is_search=is_search)
        if verdict.policy is not None:
            self.kit.record_throttled()
            await rate_limit_response(verdict.policy, verdict.headers)(scope, receive, send)
            return
        if not verdict.headers:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(verdict.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _unauthorized(token_given: bool) -> Response:
    # Never echo the token back: the message is the same whatever was sent.
    message = (
        "The access token provided is invalid, expired or revoked."
        if token_given
        else "Authentication credentials not found. This API supports OAuth 2.0 authentication "
        "and you can find more details at https://developers.hubspot.com/docs/methods/auth/"
        "oauth-overview"
    )
    return HubSpotApiError(401, message, "INVALID_AUTHENTICATION").response()
