"""Fixtures of the AI tests: the scripted fake LLM on a real port, and a small tool registry
whose tools succeed, fail, hang, or only finish when called concurrently."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import httpx
import pytest
from pydantic import Field

from salesauto.ai.loop import AgentLoop, LoopLimits
from salesauto.ai.messages import LlmProvider
from salesauto.ai.settings import default_prices
from salesauto.ai.tasks import registry_runner, tool_definitions
from salesauto.ai.transcript import MemoryTranscript
from salesauto.integrations.sandbox.llm.app import create_llm_app
from salesauto.kit.errors import InvalidInput
from salesauto.platform import Platform
from salesauto.security.principal import Principal
from salesauto.tools.registry import ToolRegistry
from salesauto.tools.spec import READ, ToolContext, ToolInput, ToolOutput
from tests.support.servers import serve_app

# A developer's real keys must never turn a test into a live call.
for _name in ("ANTHROPIC_API_KEY", "GEMINI_API_KEY", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL"):
    for _prefix in ("", "SALESAUTO_"):
        os.environ.pop(_prefix + _name, None)

PRINCIPAL = Principal(workspace="default", key_id="t", scopes=frozenset({"contacts:read"}))
TOOL_TIMEOUT = 0.5


@dataclass
class FakeLlmServer:
    url: str
    http: httpx.AsyncClient

    async def script(self, **replies: list[dict[str, Any]]) -> None:
        answer = await self.http.post("/_sandbox/script", json=replies)
        assert answer.status_code == 200, answer.text

    async def received(self) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = (await self.http.get("/_sandbox/received")).json()
        return requests


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLlmServer]:
    async with serve_app(create_llm_app()) as url, httpx.AsyncClient(base_url=url) as http:
        yield FakeLlmServer(url, http)
        await http.post("/_sandbox/reset")  # releases a reply still being delayed


class Lookup(ToolInput):
    company: str = Field(..., min_length=1)


class Found(ToolOutput):
    company: str
    employees: int


class Nothing(ToolInput):
    pass


class Done(ToolOutput):
    done: bool = True


def demo_registry(barrier_parties: int = 2) -> tuple[ToolRegistry, dict[str, Any]]:
    """Tools for loop tests; `state` counts calls and lets a tool request cancellation."""
    registry = ToolRegistry()
    state: dict[str, Any] = {"calls": [], "cancel": False}
    barrier = asyncio.Barrier(barrier_parties)

    @registry.tool(toolset="demo", scope="contacts:read", flags=READ)
    async def demo_lookup(ctx: ToolContext, args: Lookup) -> Found:
        """Look a company up."""
        state["calls"].append("demo_lookup")
        return Found(company=args.company, employees=42)

    @registry.tool(toolset="demo", scope="contacts:read", flags=READ)
    async def demo_fail(ctx: ToolContext, args: Nothing) -> Done:
        """Always fails with an actionable message."""
        state["calls"].append("demo_fail")
        raise InvalidInput("the demo source is closed; use demo_lookup instead")

    @registry.tool(toolset="demo", scope="contacts:read", flags=READ)
    async def demo_slow(ctx: ToolContext, args: Nothing) -> Done:
        """Never finishes in time."""
        state["calls"].append("demo_slow")
        await asyncio.sleep(30)
        return Done()

    @registry.tool(toolset="demo", scope="contacts:read", flags=READ)
    async def demo_barrier(ctx: ToolContext, args: Nothing) -> Done:
        """Finishes only when its sibling calls run at the same time."""
        state["calls"].append("demo_barrier")
        await barrier.wait()
        return Done()

    @registry.tool(toolset="demo", scope="contacts:read", flags=READ)
    async def demo_stop(ctx: ToolContext, args: Nothing) -> Done:
        """Asks for the run to be cancelled (as a user would, meanwhile)."""
        state["cancel"] = True
        return Done()

    return registry, state


def demo_loop(
    provider: LlmProvider,
    *,
    registry: ToolRegistry,
    state: dict[str, Any],
    transcript: MemoryTranscript,
    max_iterations: int = 6,
    max_tokens: int = 1_000_000,
    max_cost_usd: float = 10.0,
) -> AgentLoop:
    ctx = ToolContext(cast(Platform, None), PRINCIPAL, b"s" * 32)
    return AgentLoop(
        provider=provider,
        system="You are a test agent.",
        tools=tool_definitions(registry, PRINCIPAL),
        run_tool=registry_runner(registry, ctx),
        limits=LoopLimits(
            max_iterations=max_iterations,
            max_tokens=max_tokens,
            max_cost_usd=max_cost_usd,
            tool_timeout_seconds=TOOL_TIMEOUT,
            max_output_tokens=256,
        ),
        prices=default_prices(),
        transcript=transcript,
        cancelled=lambda: bool(state["cancel"]),
    )
