"""Streamed model turns through the real SDKs against the fake LLM server: the text arrives in
pieces, and the turn they add up to is the one the unstreamed request returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from salesauto.ai.anthropic_provider import AnthropicProvider
from salesauto.ai.errors import LlmUnavailable
from salesauto.ai.gemini_provider import GeminiProvider
from salesauto.ai.messages import LlmProvider, ToolDefinition, TurnRequest, UserMessage
from salesauto.ai.selector import FallbackProvider
from salesauto.ai.transcript import MemoryTranscript
from salesauto.integrations.sandbox.llm.script import THOUGHT_SIGNATURE
from tests.ai.conftest import FakeLlmServer, demo_loop, demo_registry

REQUEST = TurnRequest(
    system="You are a test agent.",
    messages=[UserMessage(text="How big is Acme?")],
    tools=[
        ToolDefinition(
            name="demo_lookup",
            description="Look a company up.",
            input_schema={"type": "object", "properties": {"company": {"type": "string"}}},
        )
    ],
)
ANSWER = "Acme is a mid-sized company; let me look up its headcount."
REPLY: dict[str, Any] = {
    "text": ANSWER,
    "tool_calls": [{"id": "c1", "name": "demo_lookup", "arguments": {"company": "Acme Corp"}}],
    "usage": {
        "input_tokens": 1200,
        "output_tokens": 80,
        "cache_creation_tokens": 300,
        "cache_read_tokens": 4000,
    },
}


class Collected:
    def __init__(self) -> None:
        self.deltas: list[str] = []

    async def __call__(self, delta: str) -> None:
        self.deltas.append(delta)


@pytest.fixture
async def claude(fake_llm: FakeLlmServer) -> AsyncIterator[AnthropicProvider]:
    provider = AnthropicProvider(
        api_key="test-key",
        model="claude-haiku-4-5",
        base_url=fake_llm.url,
        timeout_seconds=5,
        max_retries=2,
    )
    yield provider
    await provider.aclose()


@pytest.fixture
async def gemini(fake_llm: FakeLlmServer) -> AsyncIterator[GeminiProvider]:
    provider = GeminiProvider(
        api_key="test-key",
        model="gemini-2.5-flash",
        base_url=fake_llm.url,
        timeout_seconds=5,
        max_retries=2,
        retry_initial_seconds=0.01,
    )
    yield provider
    await provider.aclose()


async def test_a_streamed_claude_turn_equals_the_unstreamed_one(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(anthropic=[REPLY, REPLY])
    whole = await claude.generate(REQUEST)
    text = Collected()
    streamed = await claude.generate(REQUEST, on_text=text)

    assert len(text.deltas) > 5 and "".join(text.deltas) == ANSWER
    assert streamed == whole
    assert streamed.text == ANSWER and streamed.stop_reason == "tool_use"
    assert [(c.id, c.name, c.arguments) for c in streamed.tool_calls] == [
        ("c1", "demo_lookup", {"company": "Acme Corp"})
    ]
    assert (streamed.usage.input_tokens, streamed.usage.output_tokens) == (1200, 80)
    assert (streamed.usage.cache_creation_tokens, streamed.usage.cache_read_tokens) == (300, 4000)
    first, second = [r["body"] for r in await fake_llm.received()]
    assert "stream" not in first and second["stream"] is True


async def test_a_streamed_gemini_turn_equals_the_unstreamed_one(
    fake_llm: FakeLlmServer, gemini: GeminiProvider
) -> None:
    await fake_llm.script(gemini=[REPLY, REPLY])
    whole = await gemini.generate(REQUEST)
    text = Collected()
    streamed = await gemini.generate(REQUEST, on_text=text)

    assert len(text.deltas) > 5 and "".join(text.deltas) == ANSWER
    assert streamed == whole
    assert [(c.id, c.name, c.arguments) for c in streamed.tool_calls] == [
        ("c1", "demo_lookup", {"company": "Acme Corp"})
    ]
    assert (streamed.usage.input_tokens, streamed.usage.output_tokens) == (1200, 80)
    assert streamed.usage.cache_read_tokens == 4000
    # The thought signature came through, to go back with the call.
    assert streamed.native["parts"][1]["thought_signature"] == THOUGHT_SIGNATURE
    paths = [r["path"] for r in await fake_llm.received()]
    assert paths == [
        "/v1/models/gemini-2.5-flash:generateContent",
        "/v1/models/gemini-2.5-flash:streamGenerateContent",
    ]


@pytest.mark.parametrize("vendor", ["anthropic", "gemini"])
async def test_errors_before_the_stream_are_retried_without_repeating_text(
    fake_llm: FakeLlmServer, claude: AnthropicProvider, gemini: GeminiProvider, vendor: str
) -> None:
    overloaded = 529 if vendor == "anthropic" else 503
    await fake_llm.script(**{vendor: [{"error": 429}, {"error": overloaded}, {"text": ANSWER}]})
    provider: LlmProvider = claude if vendor == "anthropic" else gemini
    text = Collected()
    turn = await provider.generate(REQUEST, on_text=text)
    assert "".join(text.deltas) == turn.text == ANSWER
    assert len(await fake_llm.received()) == 3


@pytest.mark.parametrize("vendor", ["anthropic", "gemini"])
async def test_a_stream_failing_midway_raises_and_is_not_restarted_elsewhere(
    fake_llm: FakeLlmServer, claude: AnthropicProvider, gemini: GeminiProvider, vendor: str
) -> None:
    primary, standby = (claude, gemini) if vendor == "anthropic" else (gemini, claude)
    other = "gemini" if vendor == "anthropic" else "anthropic"
    await fake_llm.script(**{vendor: [{"text": ANSWER, "stream_error": 529}], other: [REPLY]})
    text = Collected()
    with pytest.raises(LlmUnavailable, match="unavailable"):
        await FallbackProvider(primary, standby).generate(REQUEST, on_text=text)
    # The first words were sent; the standby vendor was not asked to say them again.
    assert text.deltas == ["Acme"]
    assert [r["vendor"] for r in await fake_llm.received()] == [vendor]


async def test_an_outage_before_any_text_falls_back_and_streams_once(
    fake_llm: FakeLlmServer, claude: AnthropicProvider, gemini: GeminiProvider
) -> None:
    await fake_llm.script(anthropic=[{"error": 529}] * 3, gemini=[{"text": ANSWER}])
    fallback = FallbackProvider(claude, gemini)
    text = Collected()
    turn = await fallback.generate(REQUEST, on_text=text)
    assert (turn.provider, turn.text, "".join(text.deltas)) == ("gemini", ANSWER, ANSWER)


async def test_a_streamed_turn_with_a_tool_call_runs_the_tool(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(anthropic=[REPLY, {"text": "Acme has 42 employees."}])
    registry, state = demo_registry()
    loop = demo_loop(claude, registry=registry, state=state, transcript=MemoryTranscript())
    text = Collected()
    loop.on_text = text
    outcome = await loop.run("How big is Acme?")

    assert (outcome.status, outcome.text, outcome.tool_calls) == (
        "completed",
        "Acme has 42 employees.",
        1,
    )
    assert state["calls"] == ["demo_lookup"]
    assert "".join(text.deltas) == ANSWER + "Acme has 42 employees."
    second = (await fake_llm.received())[1]["body"]
    # The streamed assistant turn went back as the API sent it, then the tool's result.
    assert second["messages"][-2]["content"] == [
        {"type": "text", "text": ANSWER},
        {"type": "tool_use", "id": "c1", "name": "demo_lookup", "input": {"company": "Acme Corp"}},
    ]
    assert '"employees":42' in second["messages"][-1]["content"][0]["content"]
