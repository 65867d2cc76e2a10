"""create_app(settings): the FastAPI application, its middleware, routers and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from salesauto import __version__
from salesauto.ai.chat_endpoints import router as chat_router
from salesauto.ai.endpoints import router as agent_router
from salesauto.ai.run_endpoints import router as agent_run_router
from salesauto.campaigns.endpoints import router as campaigns_router
from salesauto.config import Settings, get_settings
from salesauto.contacts.endpoints import router as contacts_router
from salesauto.deadletter.endpoints import router as dead_letter_router
from salesauto.events.endpoints import router as events_router
from salesauto.health.endpoints import router as health_router
from salesauto.imports.endpoints import router as imports_router
from salesauto.imports.uploads import UploadSizeLimit
from salesauto.integrations.endpoints import router as integrations_router
from salesauto.integrations.sandbox.server import (
    build_sandbox_app,
    sandbox_config,
    vendors_needing_sandbox,
)
from salesauto.jobs.endpoints import router as jobs_router
from salesauto.kit.errors import SalesautoError
from salesauto.mcp_server.http import McpEndpoint
from salesauto.mcp_server.settings import ToolSelection
from salesauto.observability.logging import configure_logging
from salesauto.pipeline.endpoints import router as pipeline_router
from salesauto.platform import Platform
from salesauto.security.endpoints import router as keys_router
from salesauto.security.pipeline import install_request_pipeline
from salesauto.security.secrets import server_secret
from salesauto.security.session_endpoints import router as sessions_router
from salesauto.suppressions.endpoints import router as suppressions_router
from salesauto.tools.endpoints import router as tools_router
from salesauto.webhooks.endpoints import public_router as webhooks_public_router
from salesauto.webhooks.endpoints import router as webhooks_router

log = structlog.get_logger(__name__)
SANDBOX_PATH = "/sandbox"


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    with_worker = settings.worker_in_process if run_worker is None else run_worker

    sandbox = mounted_sandbox(settings)
    mcp = McpEndpoint(ToolSelection.from_settings(settings))
    server_secret(settings)  # production refuses to start without SALESAUTO_SECRET_KEY

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if sandbox is not None:
                # Starlette skips a mounted app's lifespan; lemlist's clock runs in it.
                await stack.enter_async_context(sandbox.router.lifespan_context(sandbox))
            if limiter is not None:
                stack.push_async_callback(limiter.aclose)
            stack.push_async_callback(app.state.browser_auth.aclose)
            platform = Platform.build(settings)
            app.state.platform = platform
            await platform.start()
            stack.push_async_callback(platform.stop)
            await stack.enter_async_context(mcp.serving(platform))
            if with_worker:
                platform.start_worker()
            log.info(
                "api.started",
                database=platform.engine.dialect.name,
                worker=with_worker,
                sandbox=platform.integrations.sandboxed(),
            )
            yield

    app = FastAPI(
        title="salesauto",
        version=__version__,
        description="Self-hosted sales automation: jobs, leads, campaigns and events.",
        lifespan=lifespan,
    )
    app.add_middleware(UploadSizeLimit, max_bytes=settings.import_max_upload_mb * 1024 * 1024)
    limiter = install_request_pipeline(app, settings)
    # First: routes are matched in order, and providers post webhooks by the thousand.
    app.include_router(webhooks_public_router)
    app.include_router(health_router)
    app.include_router(jobs_router)
    app.include_router(integrations_router)
    app.include_router(contacts_router)
    app.include_router(imports_router)
    app.include_router(suppressions_router)
    app.include_router(pipeline_router)
    app.include_router(campaigns_router)
    app.include_router(events_router)
    app.include_router(webhooks_router)
    app.include_router(dead_letter_router)
    app.include_router(keys_router)
    app.include_router(sessions_router)
    app.include_router(tools_router)
    app.include_router(agent_router)
    app.router.routes.append(mcp.route())
    app.include_router(agent_run_router)
    app.include_router(chat_router)
    if sandbox is not None:
        app.mount(SANDBOX_PATH, sandbox)
    _install_error_handlers(app)
    return app


def mounted_sandbox(settings: Settings) -> FastAPI | None:
    """The emulators of every provider without credentials, unless a standalone one is used."""
    vendors = vendors_needing_sandbox(settings)
    return build_sandbox_app(sandbox_config(settings), vendors) if vendors else None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SalesautoError)
    async def domain_error(_request: Request, error: SalesautoError) -> JSONResponse:
        retry_after = error.details.get("retryAfter")
        headers = {}
        if isinstance(retry_after, int | float) and retry_after > 0:
            headers["Retry-After"] = str(max(1, round(retry_after)))
        return JSONResponse(
            {"success": False, "error": error.message, **error.details},
            status_code=error.status_code,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body") or "body",
                "message": e["msg"],
            }
            for e in error.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSONResponse(
            {"success": False, "error": f"invalid request: {summary}", "errors": problems},
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        request_id = request.scope.get("state", {}).get("request_id")
        log.error("api.unhandled_error", error=repr(error), request_id=request_id, exc_info=error)
        return JSONResponse(
            {
                "success": False,
                "error": "internal error; the log has details",
                "requestId": request_id,
            },
            status_code=500,
        )
