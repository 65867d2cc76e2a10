"""schemathesis against the whole API: generated valid and invalid requests, authenticated,
never answered with a server error, and answers that match the documented schemas.

The app runs for real (lifespan, database, sandbox) on a local port per database; hypothesis
draws a few examples per operation (deterministic, so a failure reproduces).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from salesauto.app import create_app
from tests.conftest import AUTH, BACKENDS, make_settings
from tests.support.servers import free_port

SCHEMA = schemathesis.openapi.from_dict(
    create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
)


def no_unexplained_server_error(
    _ctx: object, response: Response, case: schemathesis.Case[Any]
) -> None:
    """Never a 500; a 502/503 (a provider down, a feature not configured) must say why."""
    assert response.status_code != 500, f"500 for {case.method} {case.formatted_path}"
    if response.status_code > 500:
        body = response.json()
        assert body.get("error") or body.get("checks"), f"{response.status_code} without a reason"


CHECKS = [no_unexplained_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module", params=BACKENDS)
def api_url(request: pytest.FixtureRequest) -> Iterator[str]:
    database_url: str = request.getfixturevalue(f"{request.param}_url")
    port = free_port()
    settings = make_settings(database_url, port=port)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, run_worker=False), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@SCHEMA.parametrize()
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_never_get_a_server_error(
    case: schemathesis.Case[Any], api_url: str
) -> None:
    case.call_and_validate(base_url=api_url, headers=AUTH, checks=CHECKS, timeout=30)
