"""The loop with the real `anthropic` SDK against the scripted fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from salesauto.ai.anthropic_provider import AnthropicProvider
from salesauto.ai.errors import LlmRateLimited
from salesauto.ai.transcript import MemoryTranscript
from tests.ai.conftest import FakeLlmServer, demo_loop, demo_registry

MODEL = "claude-haiku-4-5"


@pytest.fixture
async def claude(fake_llm: FakeLlmServer) -> AsyncIterator[AnthropicProvider]:
    provider = AnthropicProvider(
        api_key="test-key", model=MODEL, base_url=fake_llm.url, timeout_seconds=5, max_retries=2
    )
    yield provider
    await provider.aclose()


def call(name: str, id: str, **arguments: Any) -> dict[str, Any]:
    return {"id": id, "name": name, "arguments": arguments}


async def test_parallel_calls_errors_and_timeouts_go_back_in_one_turn(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(
        anthropic=[
            {
                "text": "Looking both up.",
                "tool_calls": [
                    call("demo_barrier", "t1"),
                    call("demo_barrier", "t2"),
                    call("demo_lookup", "t3", company="Acme"),
                    call("demo_fail", "t4"),
                ],
            },
            {"tool_calls": [call("demo_slow", "t5"), call("demo_lookup", "t6")]},
            {"text": "Acme has 42 employees."},
        ]
    )
    registry, state = demo_registry()
    transcript = MemoryTranscript()
    outcome = await demo_loop(claude, registry=registry, state=state, transcript=transcript).run(
        "How big is Acme?"
    )

    assert (outcome.status, outcome.text, outcome.iterations) == (
        "completed",
        "Acme has 42 employees.",
        3,
    )
    assert outcome.tool_calls == 6
    first, second, third = [r["body"] for r in await fake_llm.received()]
    # Tool definitions and the system prompt carry the cache breakpoints.
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in t for t in first["tools"][:-1])
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    goal = {"role": "user", "content": [{"type": "text", "text": "How big is Acme?"}]}
    assert first["messages"] == [goal]
    # Every result of the first turn came back in one user message, in call order; the two
    # barrier calls finished, so they ran at the same time.
    results = second["messages"][-1]
    assert results["role"] == "user"
    by_id = {block["tool_use_id"]: block for block in results["content"]}
    assert list(by_id) == ["t1", "t2", "t3", "t4"]
    assert [by_id[i]["is_error"] for i in by_id] == [False, False, False, True]
    assert '"employees":42' in by_id["t3"]["content"]
    assert "use demo_lookup instead" in by_id["t4"]["content"]
    # The assistant turn went back unchanged before the results.
    assert second["messages"][-2]["content"][0] == {"type": "text", "text": "Looking both up."}
    timed_out, invalid = third["messages"][-1]["content"]
    assert timed_out["is_error"] and "did not finish within 0.5 seconds" in timed_out["content"]
    assert invalid["is_error"] and "company: Field required" in invalid["content"]
    tool_rows = [r for r in transcript.rows if r["role"] == "tool"]
    assert sorted(r["tool_call_id"] for r in tool_rows) == ["t1", "t2", "t3", "t4", "t5", "t6"]


@pytest.mark.parametrize(
    ("stop_reason", "status", "reason"),
    [
        ("max_tokens", "max_tokens", "cut off at 256 tokens"),
        ("refusal", "refusal", "declined the request (refusal)"),
        ("model_context_window_exceeded", "context_window_exceeded", "context window"),
    ],
)
async def test_stops_end_the_run_with_a_reason(
    fake_llm: FakeLlmServer, claude: AnthropicProvider, stop_reason: str, status: str, reason: str
) -> None:
    await fake_llm.script(
        anthropic=[{"text": "Partial", "stop_reason": stop_reason, "tool_calls": []}]
    )
    registry, state = demo_registry()
    outcome = await demo_loop(
        claude, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Go")
    assert (outcome.status, outcome.text) == (status, "Partial")
    assert reason in outcome.reason
    assert state["calls"] == []


async def test_a_paused_turn_is_resent_and_merged(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(
        anthropic=[
            {"text": "Working… ", "stop_reason": "pause_turn"},
            {"text": "done.", "usage": {"input_tokens": 30, "output_tokens": 7}},
        ]
    )
    registry, state = demo_registry()
    outcome = await demo_loop(
        claude, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Go")
    assert (outcome.status, outcome.text, outcome.iterations) == ("completed", "Working… done.", 1)
    assert outcome.usage.input_tokens == 40
    resent = (await fake_llm.received())[1]["body"]["messages"][-1]
    assert resent == {"role": "assistant", "content": [{"type": "text", "text": "Working… "}]}


async def test_429_and_529_are_retried_by_the_sdk(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(anthropic=[{"error": 429}, {"error": 529}, {"text": "Hello"}])
    registry, state = demo_registry()
    outcome = await demo_loop(
        claude, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Hi")
    assert outcome.text == "Hello"
    assert len(await fake_llm.received()) == 3


async def test_rate_limits_beyond_the_retries_raise_for_the_queue(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(anthropic=[{"error": 429}] * 3)
    registry, state = demo_registry()
    with pytest.raises(LlmRateLimited, match="rate limiting"):
        await demo_loop(claude, registry=registry, state=state, transcript=MemoryTranscript()).run(
            "Hi"
        )


async def test_cost_is_counted_from_the_scripted_usage_and_caps_the_run(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    usage = {
        "input_tokens": 1000,
        "output_tokens": 200,
        "cache_creation_tokens": 4000,
        "cache_read_tokens": 10_000,
    }
    lookup = [call("demo_lookup", "x", company="Acme")]
    await fake_llm.script(anthropic=[{"tool_calls": lookup, "usage": usage}] * 3)
    registry, state = demo_registry()
    transcript = MemoryTranscript()
    # Haiku 4.5: $1 in, $5 out, $1.25 cache write, $0.10 cache read per million tokens.
    per_turn = (1000 * 1.0 + 200 * 5.0 + 4000 * 1.25 + 10_000 * 0.1) / 1_000_000
    outcome = await demo_loop(
        claude, registry=registry, state=state, transcript=transcript, max_cost_usd=0.015
    ).run("Go")
    assert outcome.status == "cost_budget"
    assert outcome.iterations == 2 and outcome.tool_calls == 1
    assert outcome.cost_usd == pytest.approx(2 * per_turn)
    assert "$0.0160 spent of the agent's budget of $0.01" in outcome.reason
    model_rows = [r for r in transcript.rows if r["role"] == "assistant"]
    assert [r["cost_usd"] for r in model_rows] == [pytest.approx(per_turn)] * 2
    assert model_rows[0]["cache_read_tokens"] == 10_000


async def test_token_budget_and_iteration_cap(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    lookup = [call("demo_lookup", "x", company="Acme")]
    heavy = {"input_tokens": 600, "output_tokens": 100}
    await fake_llm.script(anthropic=[{"tool_calls": lookup, "usage": heavy}] * 2)
    registry, state = demo_registry()
    outcome = await demo_loop(
        claude, registry=registry, state=state, transcript=MemoryTranscript(), max_tokens=1000
    ).run("Go")
    assert (outcome.status, outcome.usage.total) == ("token_budget", 1400)
    assert "1,400 tokens used of the agent's budget of 1,000" in outcome.reason

    await fake_llm.script(anthropic=[{"tool_calls": lookup}] * 2)
    registry, state = demo_registry()
    capped = await demo_loop(
        claude, registry=registry, state=state, transcript=MemoryTranscript(), max_iterations=2
    ).run("Go")
    assert (capped.status, capped.iterations, capped.tool_calls) == ("iteration_limit", 2, 2)


async def test_cancellation_is_honoured_between_steps(
    fake_llm: FakeLlmServer, claude: AnthropicProvider
) -> None:
    await fake_llm.script(
        anthropic=[{"tool_calls": [call("demo_stop", "s1")]}, {"text": "never asked"}]
    )
    registry, state = demo_registry()
    outcome = await demo_loop(
        claude, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Go")
    assert outcome.status == "cancelled"
    assert "after 1 model turn" in outcome.reason
    assert len(await fake_llm.received()) == 1
