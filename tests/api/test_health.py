"""Health, readiness and metrics, as a load balancer and Prometheus see them."""

from __future__ import annotations

import httpx

from tests.api.conftest import client_for
from tests.conftest import make_settings
from tests.support.waiting import eventually


async def test_liveness(api_only_client: httpx.AsyncClient) -> None:
    response = await api_only_client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_not_ready_without_a_worker(api_only_client: httpx.AsyncClient) -> None:
    response = await api_only_client.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["worker"]["ok"] is False
    assert "salesauto worker" in checks["worker"]["hint"]


async def test_ready_with_the_in_process_worker(app_client: httpx.AsyncClient) -> None:
    response = await eventually(
        lambda: app_client.get("/health/ready"), lambda r: r.status_code == 200
    )
    assert response.json()["status"] == "ready"


async def test_metrics_show_queue_depth_and_requests(api_only_client: httpx.AsyncClient) -> None:
    await api_only_client.post("/api/jobs", json={"type": "noop"})
    await api_only_client.post("/api/jobs", json={"type": "noop"})
    text = (await api_only_client.get("/metrics")).text
    assert 'salesauto_queue_jobs{status="queued",type="noop"} 2.0' in text
    assert 'salesauto_queue_jobs{status="failed",type="all"} 0.0' in text
    assert 'salesauto_http_requests_total{method="POST",route="/api/jobs",status="202"}' in text


async def test_responses_carry_a_request_id(api_only_client: httpx.AsyncClient) -> None:
    response = await api_only_client.get("/health", headers={"x-request-id": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    generated = await api_only_client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32


async def test_readiness_checks_redis_when_configured(database_url: str) -> None:
    for redis_url, expected in (
        ("redis://127.0.0.1:6379/0", True),
        ("redis://127.0.0.1:1/0", False),
    ):
        settings = make_settings(database_url, redis_url=redis_url)
        async with client_for(settings, run_worker=True) as client:
            response = await eventually(
                lambda client=client: client.get("/health/ready"),
                lambda r: r.json()["checks"]["worker"]["ok"],
            )
        assert response.json()["checks"]["redis"]["ok"] is expected
        assert response.status_code == (200 if expected else 503)
