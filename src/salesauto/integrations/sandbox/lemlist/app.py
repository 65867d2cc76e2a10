"""`build_lemlist_emulator(config)`: lemlist's API (`https://api.lemlist.com/api`) as a local app.

Routes, shapes, plain-text errors, Basic auth (or `?access_token=`), 20 requests per 2 s per key
with lemlist's headers, and an engagement simulation that fills `/activities` and posts to
registered webhooks. Mountable under a prefix: all routing is relative.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from salesauto.integrations.sandbox.kit import SandboxConfig, SandboxKit, SlidingWindow
from salesauto.integrations.sandbox.lemlist.activities import activities_router
from salesauto.integrations.sandbox.lemlist.campaigns import campaigns_router
from salesauto.integrations.sandbox.lemlist.control import control_router
from salesauto.integrations.sandbox.lemlist.database import database_router
from salesauto.integrations.sandbox.lemlist.gate import (
    RATE_LIMIT,
    RATE_WINDOW_SECONDS,
    LemlistError,
    LemlistGate,
    text_error,
)
from salesauto.integrations.sandbox.lemlist.hooks import hooks_router
from salesauto.integrations.sandbox.lemlist.lead_states import lead_states_router
from salesauto.integrations.sandbox.lemlist.leads import leads_router
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime
from salesauto.integrations.sandbox.lemlist.team import team_router
from salesauto.integrations.sandbox.lemlist.unsubscribes import unsubscribes_router


def build_lemlist_emulator(config: SandboxConfig) -> FastAPI:
    """A fresh lemlist account (3 seeded campaigns, one running) with its own state."""
    runtime = LemlistRuntime(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.ensure_started()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="lemlist sandbox",
        description="Local emulator of the lemlist API v2 for salesauto.",
        lifespan=lifespan,
    )
    app.state.lemlist = runtime

    @app.exception_handler(LemlistError)
    async def lemlist_error(_request: Request, error: LemlistError) -> Response:
        return text_error(error.status, error.message)

    @app.exception_handler(RequestValidationError)
    async def bad_params(_request: Request, error: RequestValidationError) -> Response:
        fields = ", ".join(str(item["loc"][-1]) for item in error.errors())
        return text_error(400, f"Bad params: {fields}")

    for router in (
        campaigns_router(runtime),
        leads_router(runtime),
        lead_states_router(runtime),
        team_router(runtime),
        activities_router(runtime),
        hooks_router(runtime),
        unsubscribes_router(runtime),
        database_router(runtime),
        control_router(runtime),
    ):
        app.include_router(router)

    kit = SandboxKit("lemlist", text_error)
    kit.on_reset.append(runtime.reset)
    app.add_middleware(
        LemlistGate,
        runtime=runtime,
        kit=kit,
        window=SlidingWindow(RATE_LIMIT, RATE_WINDOW_SECONDS),
    )
    kit.install(app)  # outermost: counts every arrival, injects faults before the gate
    return app
