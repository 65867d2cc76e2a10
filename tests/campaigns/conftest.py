"""Fixtures of the campaign tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.kit.db import create_engine
from tests.api.conftest import client_for
from tests.campaigns.api_support import Api
from tests.conftest import make_settings
from tests.support.servers import serve_app


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine(database_url)
    try:
        yield built
    finally:
        await built.dispose()


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    """The API and a worker, whose lemlist is the emulator on a real port, its clock stopped."""
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_app(sandbox) as url:
        settings = make_settings(database_url, sandbox_url=url)
        async with client_for(settings, run_worker=True) as client:
            yield Api(client, f"{url}/lemlist")
