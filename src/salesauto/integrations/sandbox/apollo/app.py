"""`build_apollo_emulator`: Apollo's people and organization APIs over the synthetic universe.

Auth: `x-api-key` (or `Authorization: Bearer`); missing or `invalid-key` → Apollo's 401 text.
Limits: per key, per endpoint, in fixed windows of a minute and an hour that open at the first
request; bulk enrichment endpoints get a tenth. Every response carries Apollo's
`x-rate-limit-*`, `x-*-requests-left` and `x-*-usage` headers; over a limit, the documented 429
`message` with `retry-after`.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from salesauto.integrations.sandbox.apollo.organizations import organizations_router
from salesauto.integrations.sandbox.apollo.params import ApolloError
from salesauto.integrations.sandbox.apollo.people import people_router
from salesauto.integrations.sandbox.apollo.state import ApolloState, Verdict
from salesauto.integrations.sandbox.apollo.workspace import Workspace
from salesauto.integrations.sandbox.apollo.workspace_routes import workspace_router
from salesauto.integrations.sandbox.kit import CONTROL_PREFIX, SandboxConfig, SandboxKit
from salesauto.integrations.sandbox.universe import universe

INVALID_KEY = "invalid-key"
UNAUTHORIZED = (
    "Invalid API key. See https://docs.apollo.io/reference/authentication for how to authenticate."
)
UPGRADE = "Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."


def limit_message(endpoint: str, amount: int, period: str) -> str:
    return (
        f"The maximum number of api calls allowed for api/v1/{endpoint} is {amount} times "
        f"per {period}. {UPGRADE}"
    )


def error_response(status: int, message: str, retry_after: float | None) -> Response:
    """Errors in Apollo's shapes, for the kit's injected faults."""
    if status == 429:
        seconds = max(math.ceil(retry_after if retry_after is not None else 60.0), 1)
        return JSONResponse(
            {"message": message}, status_code=429, headers={"retry-after": str(seconds)}
        )
    return JSONResponse({"error": message}, status_code=status)


def _credential(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _headers(response: Response, verdict: Verdict) -> None:
    minute = verdict.minute
    response.headers["x-rate-limit-minute"] = str(minute.limit)
    response.headers["x-minute-requests-left"] = str(minute.remaining)
    response.headers["x-minute-usage"] = str(minute.limit - minute.remaining)
    if verdict.hour is not None:
        hour = verdict.hour
        response.headers["x-rate-limit-hourly"] = str(hour.limit)
        response.headers["x-hourly-requests-left"] = str(hour.remaining)
        response.headers["x-hourly-usage"] = str(hour.limit - hour.remaining)


def _throttled(verdict: Verdict) -> Response:
    blocked, period = (
        (verdict.minute, "minute") if not verdict.minute.allowed else (verdict.hour, "hour")
    )
    assert blocked is not None
    seconds = max(math.ceil(blocked.retry_after), 1)
    response = JSONResponse(
        {"message": limit_message(verdict.endpoint, blocked.limit, period)},
        status_code=429,
        headers={"retry-after": str(seconds)},
    )
    _headers(response, verdict)
    return response


def build_apollo_emulator(config: SandboxConfig, *, minute_seconds: float = 60.0) -> FastAPI:
    """The Apollo emulator for `config.seed`'s universe, limited to
    `config.apollo_requests_per_minute` per endpoint. `minute_seconds` shortens the "minute"
    (and the hour, 60 of them) so tests can watch a window end."""
    state = ApolloState(
        universe(config.seed),
        config.apollo_requests_per_minute,
        minute_seconds=minute_seconds,
        per_hour=config.apollo_requests_per_hour,
    )
    workspace = Workspace(config.seed)
    kit = SandboxKit("apollo", error_response)
    kit.on_reset.append(state.reset)
    kit.on_reset.append(workspace.reset)
    app = FastAPI(
        title="Apollo sandbox",
        description="Emulator of the Apollo.io API (people search and enrichment, organizations).",
    )

    @app.exception_handler(ApolloError)
    async def apollo_error(_request: Request, error: ApolloError) -> Response:
        return JSONResponse(error.body, status_code=error.status)

    @app.middleware("http")
    async def authenticate_and_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.scope["path"].removeprefix(request.scope.get("root_path", ""))
        if path.startswith(CONTROL_PREFIX) or path.startswith(("/docs", "/openapi.json")):
            return await call_next(request)
        key = _credential(request)
        if not key or key == INVALID_KEY:
            return PlainTextResponse(UNAUTHORIZED, status_code=401)
        verdict = state.hit(key, path.strip("/"))
        if not verdict.allowed:
            kit.record_throttled()
            return _throttled(verdict)
        response = await call_next(request)
        _headers(response, verdict)
        return response

    app.include_router(people_router(state))
    app.include_router(organizations_router(state))
    app.include_router(workspace_router(state, workspace))

    @app.get(f"{CONTROL_PREFIX}/calls", include_in_schema=False)
    async def calls() -> dict[str, Any]:
        """Which endpoint got how many items per call (tests prove batch splitting with it)."""
        return {"calls": [{"path": path, "items": items} for path, items in state.calls]}

    kit.install(app)
    app.state.sandbox_kit = kit
    return app
