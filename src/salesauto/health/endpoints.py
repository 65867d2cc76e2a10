"""`/health` (liveness), `/health/ready` (dependencies) and `/metrics` (Prometheus)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from salesauto.jobs.workers_table import last_worker_heartbeat
from salesauto.kit.time import utcnow
from salesauto.models.jobs import JOB_STATUSES
from salesauto.observability import metrics
from salesauto.platform import Platform
from salesauto.security.principal import ADMIN, principal_of
from salesauto.webhooks.backlog import read_backlog, refresh_backlog_metrics

router = APIRouter(tags=["health"])


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


@router.get("/health")
async def liveness() -> dict[str, str]:
    """The process is up and serving requests."""
    return {"status": "ok"}


@router.get("/health/ready")
async def readiness(request: Request) -> JSONResponse:
    """Ready when the database answers, Redis (if configured) answers and a worker is alive."""
    platform = _platform(request)
    checks: dict[str, Any] = {}
    ready = True
    try:
        async with platform.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            heartbeat = await last_worker_heartbeat(conn)
        checks["database"] = {"ok": True, "dialect": platform.engine.dialect.name}
        stale_after = timedelta(seconds=max(60.0, platform.settings.job_lease_seconds * 2))
        alive = heartbeat is not None and utcnow() - heartbeat < stale_after
        checks["worker"] = {
            "ok": alive,
            "lastHeartbeat": heartbeat.isoformat() if heartbeat else None,
            **(
                {} if alive else {"hint": "start `salesauto worker` or `serve` without --no-worker"}
            ),
        }
        ready &= alive
    except Exception as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
        ready = False
    # Reported, not gating: a provider outage must not take the API out of the load balancer.
    checks["providers"] = platform.integrations.snapshot()
    if platform.settings.redis_url is not None:
        checks["redis"] = await _redis_check(platform.settings.redis_url.get_secret_value())
        ready &= checks["redis"]["ok"]
    degraded = False
    if checks["database"]["ok"]:
        # Reported, not gating: a webhook backlog past its threshold says "degraded".
        checks["webhooks"] = (await read_backlog(platform.engine)).report(platform.settings)
        degraded = not checks["webhooks"]["ok"]
    status = ("degraded" if degraded else "ready") if ready else "not ready"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


async def _redis_check(url: str) -> dict[str, Any]:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    finally:
        await client.aclose()


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus text format; queue depth is counted from the database at scrape time."""
    platform = _platform(request)
    if platform.settings.metrics_require_key:
        principal = principal_of(request.scope)
        if principal is None or not principal.allows(ADMIN):
            return JSONResponse(
                {"success": False, "error": "/metrics needs a key with the admin scope"}, 403
            )
    metrics.QUEUE_DEPTH.clear()
    for status in JOB_STATUSES:
        metrics.QUEUE_DEPTH.labels(status, "all").set(0)
    totals: dict[str, int] = {}
    for status, job_type, count in await platform.jobs.counts_by_status_and_type():
        metrics.QUEUE_DEPTH.labels(status, job_type).set(count)
        totals[status] = totals.get(status, 0) + count
    for status, count in totals.items():
        metrics.QUEUE_DEPTH.labels(status, "all").set(count)
    await refresh_backlog_metrics(platform.engine)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
