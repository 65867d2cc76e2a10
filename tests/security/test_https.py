"""HTTPS required: API calls over HTTP are refused, browser pages redirected, probes pass."""

from __future__ import annotations

import json
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Message
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from salesauto.security.https import HttpsOnly

KEY = {"Authorization": "Bearer sap_key_would_travel_in_clear"}


def inner_app() -> FastAPI:
    app = FastAPI()

    @app.api_route("/api/contacts", methods=["GET", "POST"])
    async def contacts() -> dict[str, bool]:
        return {"ok": True}

    for path in ("/", "/dashboard/", "/dashboard/contacts", "/health", "/health/ready", "/metrics"):
        app.add_api_route(path, lambda: {"ok": True})
    return app


def behind_proxy(app: ASGIApp, trusted: str) -> ASGIApp:
    """The app as uvicorn serves it: scheme and client taken from trusted proxies only."""
    # uvicorn types ASGI with its own TypedDicts; the protocol is the same.
    proxy = ProxyHeadersMiddleware(app, trusted_hosts=[trusted])  # type: ignore[arg-type]
    return cast(ASGIApp, proxy)


def client_for(app: ASGIApp, scheme: str = "http", peer: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url=f"{scheme}://app.example.com")


@pytest.mark.parametrize("path", ["/api/contacts", "/webhooks/lemlist/x", "/mcp", "/ws/events"])
async def test_api_calls_over_http_are_refused_never_redirected(path: str) -> None:
    async with client_for(HttpsOnly(inner_app(), enabled=True)) as client:
        response = await client.post(path, headers=KEY, json={"a": 1})
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": f"HTTPS is required: call https://app.example.com{path} "
        "(plain HTTP would expose your key)",
    }
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/dashboard/contacts?tab=open", "https://app.example.com/dashboard/contacts?tab=open"),
        ("/", "https://app.example.com/"),
        ("/docs", "https://app.example.com/docs"),
    ],
)
async def test_browser_pages_are_redirected_to_https(path: str, location: str) -> None:
    async with client_for(HttpsOnly(inner_app(), enabled=True)) as client:
        response = await client.get(path)
    assert response.status_code == 308
    assert response.headers["location"] == location


@pytest.mark.parametrize("path", ["/health", "/health/ready", "/metrics"])
async def test_load_balancer_probes_pass_over_http(path: str) -> None:
    async with client_for(HttpsOnly(inner_app(), enabled=True)) as client:
        assert (await client.get(path)).status_code == 200


async def test_https_calls_and_a_disabled_guard_pass() -> None:
    async with client_for(HttpsOnly(inner_app(), enabled=True), scheme="https") as client:
        assert (await client.get("/api/contacts", headers=KEY)).status_code == 200
    async with client_for(HttpsOnly(inner_app(), enabled=False)) as client:
        assert (await client.get("/api/contacts", headers=KEY)).status_code == 200


async def test_a_spoofed_forwarded_proto_from_an_untrusted_peer_is_ignored() -> None:
    app = behind_proxy(HttpsOnly(inner_app(), enabled=True), "10.0.0.1")
    spoofed = {**KEY, "X-Forwarded-Proto": "https"}
    async with client_for(app, peer="203.0.113.7") as client:
        assert (await client.get("/api/contacts", headers=spoofed)).status_code == 400
    async with client_for(app, peer="10.0.0.1") as proxy:
        assert (await proxy.get("/api/contacts", headers=spoofed)).status_code == 200


async def test_a_malformed_host_is_never_put_in_a_redirect() -> None:
    async with client_for(HttpsOnly(inner_app(), enabled=True)) as client:
        response = await client.get("/dashboard/", headers={"Host": "evil.example/?x="})
    assert response.status_code == 400
    assert "evil" not in response.text


async def test_a_websocket_over_ws_is_refused_before_the_handshake() -> None:
    async def never_called(*_: object) -> None:
        raise AssertionError("the WebSocket route must not run")

    scope = {
        "type": "websocket",
        "scheme": "ws",
        "path": "/ws/events",
        "headers": [(b"host", b"app.example.com")],
    }
    cases: list[tuple[dict[str, object], int]] = [
        ({"websocket.http.response": {}}, 400),
        ({}, 1008),
    ]
    for extensions, expected in cases:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "websocket.connect"}

        async def send(message: Message, sent: list[Message] = sent) -> None:
            sent.append(message)

        guard = HttpsOnly(never_called, enabled=True)
        await guard({**scope, "extensions": extensions}, receive, send)
        if expected == 400:
            assert sent[0]["type"] == "websocket.http.response.start"
            assert sent[0]["status"] == 400
            assert "HTTPS is required" in json.loads(sent[1]["body"])["error"]
        else:
            assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]
