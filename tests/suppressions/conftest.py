"""Fixtures of the suppression propagation tests: the real app (worker running) on both
databases, its lemlist the emulator on a real port, and webhooks verifiable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from tests.support.servers import serve_app
from tests.webhooks.conftest import Api, running_api, webhook_settings


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_app(sandbox) as url:
        settings = webhook_settings(database_url, sandbox_enabled=True, sandbox_url=url)
        async with running_api(settings) as running:
            yield running
