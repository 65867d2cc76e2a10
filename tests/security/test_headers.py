"""Security headers on every response a browser or client can see, errors included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from salesauto.security.guards import BodyGuard
from salesauto.security.headers import API_CSP, SecurityHeaders

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def headed_app(hsts_seconds: int | None) -> FastAPI:
    app = FastAPI()

    @app.get("/api/contacts")
    async def list_contacts() -> dict[str, list[str]]:
        return {"items": []}

    @app.get("/api/export")
    async def export_with_own_headers() -> PlainTextResponse:
        return PlainTextResponse(
            "email\n",
            headers={
                "X-Frame-Options": "SAMEORIGIN",
                "Referrer-Policy": "strict-origin",
                "Content-Security-Policy": "default-src *",
                "X-Content-Type-Options": "sniff-please",
            },
        )

    @app.get("/api/slow-down")
    async def throttled() -> None:
        raise HTTPException(429, "slow down")

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("database password in this message")

    @app.post("/api/contacts")
    async def create_contact() -> dict[str, bool]:
        return {"created": True}

    @app.get("/dashboard/")
    async def dashboard() -> HTMLResponse:
        return HTMLResponse("<html><script src='/dashboard/app.js'></script></html>")

    # The same catch-all as create_app: it runs outside every user middleware.
    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _error: Exception) -> JSONResponse:
        return JSONResponse({"success": False, "error": "internal error"}, status_code=500)

    app.add_middleware(BodyGuard, max_body_bytes=16, max_depth=8, multipart_paths=("/api/import/",))
    # As create_app adds it: inside Starlette's ServerErrorMiddleware, which sends the 500.
    app.add_middleware(SecurityHeaders, hsts_seconds=hsts_seconds)
    return app


async def client_for(app: FastAPI) -> httpx.AsyncClient:
    # A raising route must still answer: the exception is re-raised after the 500 is sent.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(headed_app(hsts_seconds=31_536_000)) as client:
        yield client


def assert_hardened(response: httpx.Response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get_list(name) == [value], name
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/contacts", 200),
        ("GET", "/api/nowhere", 404),
        ("POST", "/api/contacts", 413),
        ("GET", "/api/slow-down", 429),
        ("GET", "/api/boom", 500),
    ],
)
async def test_every_api_response_carries_the_headers(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, json={"padding": "x" * 64})
    assert response.status_code == status
    assert_hardened(response)
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["cache-control"] == "no-store"


async def test_a_crash_answers_generic_json_with_the_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/boom")
    assert response.status_code == 500
    assert response.json()["success"] is False
    assert "password" not in response.text


async def test_the_dashboard_may_run_its_own_scripts_but_not_be_framed(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/dashboard/")
    assert_hardened(response)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "cache-control" not in response.headers


async def test_the_docs_page_keeps_working_under_its_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    # FastAPI's page loads Swagger UI from jsDelivr: the policy must allow what the page uses.
    assert "https://cdn.jsdelivr.net" in response.text and "https://cdn.jsdelivr.net" in csp


async def test_a_route_keeps_its_own_headers_but_cannot_weaken_csp_or_nosniff(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/export")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers.get_list("referrer-policy") == ["strict-origin"]
    assert response.headers.get_list("content-security-policy") == [API_CSP]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_no_hsts_without_https() -> None:
    async with await client_for(headed_app(hsts_seconds=None)) as client:
        response = await client.get("/api/contacts")
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
