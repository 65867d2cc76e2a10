"""Every route answers 401 without credentials unless it is on the public list.

Walks the real app's OpenAPI paths (every route a user can call), so a route added later
without authentication fails here.
"""

from __future__ import annotations

import re

import httpx
import pytest
import websockets
from starlette.routing import Mount

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.kit.serving import serve_in_background
from salesauto.security.authenticate import is_public
from tests.conftest import AUTH

PUBLIC = {"/health", "/health/ready", "/metrics", "/webhooks/lemlist/{token}", "/webhooks/hubspot"}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)


async def test_no_route_answers_without_a_key_unless_it_is_public(settings: Settings) -> None:
    app = create_app(settings, run_worker=False)
    checked = 0
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            for path, operations in app.openapi()["paths"].items():
                if path in PUBLIC:
                    assert is_public(path, metrics_public=True)
                    continue
                for method in operations:
                    response = await http.request(method.upper(), _concrete(path))
                    assert response.status_code == 401, (method, path)
                    assert response.headers["www-authenticate"].startswith("Bearer")
                    checked += 1
            mounts = [r.path for r in app.routes if isinstance(r, Mount)]
            assert mounts in ([], ["/sandbox"]), "a new mount needs its own authentication"
            for path in ("/docs", "/openapi.json", "/redoc", "/api/not-a-route"):
                assert (await http.get(path)).status_code == 401, path
    assert checked > 50


async def test_the_websocket_is_refused_before_it_is_accepted(settings: Settings) -> None:
    app = create_app(settings, run_worker=False)
    async with serve_in_background(app) as url:
        address = url.replace("http://", "ws://") + "/ws"
        for headers in ({}, {"Authorization": "Bearer sap_junk"}):
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(address, additional_headers=headers):
                    pass
            assert refused.value.response.status_code == 401
        async with websockets.connect(address, additional_headers=AUTH) as accepted:
            assert accepted.state is websockets.protocol.State.OPEN
