"""`build_explorium_emulator`: Explorium's v1 API over the synthetic universe.

Auth is the `api_key` header (any non-empty key; the literal `invalid-key` is refused). Every
response carries `X-RateLimit-Limit/-Remaining/-Reset` from a 200-per-60-s sliding window per
key; over it, the documented 429 JSON with `Retry-After`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response

from salesauto.integrations.sandbox.explorium.autocomplete import autocomplete_router
from salesauto.integrations.sandbox.explorium.businesses import businesses_router
from salesauto.integrations.sandbox.explorium.prospect_events import prospect_events_router
from salesauto.integrations.sandbox.explorium.prospects import prospects_router
from salesauto.integrations.sandbox.explorium.state import ExploriumState
from salesauto.integrations.sandbox.kit import CONTROL_PREFIX, Decision, SandboxConfig, SandboxKit
from salesauto.integrations.sandbox.universe import universe

INVALID_KEY = "invalid-key"


def rate_limit_response(retry_after: float, reset_at: float, limit: int) -> JSONResponse:
    """Explorium's documented 429."""
    seconds = max(math.ceil(retry_after), 1)
    return JSONResponse(
        {
            "error": "rate_limit_exceeded",
            "message": f"API rate limit exceeded. Please retry after {seconds} seconds.",
            "retry_after": seconds,
        },
        status_code=429,
        headers={
            "Retry-After": str(seconds),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(math.ceil(reset_at)),
        },
    )


def error_response(status: int, message: str, retry_after: float | None) -> Response:
    """Errors in Explorium's shapes, for the kit's injected faults."""
    if status == 429:
        wait = retry_after if retry_after is not None else 60.0
        return rate_limit_response(wait, time.time() + wait, 200)
    return JSONResponse({"detail": message}, status_code=status)


def _limit_headers(response: Response, decision: Decision) -> None:
    response.headers["X-RateLimit-Limit"] = str(decision.limit)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    response.headers["X-RateLimit-Reset"] = str(math.ceil(decision.reset_at))


def build_explorium_emulator(config: SandboxConfig) -> FastAPI:
    """The Explorium emulator for `config.seed`'s universe, with its own state and counters."""
    state = ExploriumState(universe(config.seed))
    kit = SandboxKit("explorium", error_response)
    kit.on_reset.append(state.reset)
    app = FastAPI(
        title="Explorium sandbox",
        description="Emulator of the Explorium AgentSource API v1 (businesses and prospects).",
    )

    @app.middleware("http")
    async def authenticate_and_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.scope["path"].removeprefix(request.scope.get("root_path", ""))
        if not path.startswith("/v1/"):
            return await call_next(request)
        key = request.headers.get("api_key") or request.headers.get("api-key")
        if not key or key == INVALID_KEY:
            return JSONResponse({"detail": "Invalid or missing API key"}, status_code=401)
        decision = state.window.hit(key)
        if not decision.allowed:
            kit.record_throttled()
            return rate_limit_response(decision.retry_after, decision.reset_at, decision.limit)
        response = await call_next(request)
        _limit_headers(response, decision)
        return response

    app.include_router(autocomplete_router(state))  # before any `/v1/businesses/{…}` route
    app.include_router(businesses_router(state))
    app.include_router(prospect_events_router(state))
    app.include_router(prospects_router(state))

    @app.get(f"{CONTROL_PREFIX}/calls", include_in_schema=False)
    async def calls() -> dict[str, Any]:
        """Which endpoint got how many items per call (tests prove batch splitting with it)."""
        return {"calls": [{"path": c.path, "items": c.items} for c in state.calls]}

    kit.install(app)
    app.state.sandbox_kit = kit
    return app
