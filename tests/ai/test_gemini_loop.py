"""The loop with the real `google-genai` SDK against the scripted fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from salesauto.ai.errors import LlmUnavailable
from salesauto.ai.gemini_provider import GeminiProvider
from salesauto.ai.transcript import MemoryTranscript
from salesauto.integrations.sandbox.llm.script import THOUGHT_SIGNATURE
from tests.ai.conftest import FakeLlmServer, demo_loop, demo_registry

MODEL = "gemini-2.5-flash"


@pytest.fixture
async def gemini(fake_llm: FakeLlmServer) -> AsyncIterator[GeminiProvider]:
    provider = GeminiProvider(
        api_key="test-key",
        model=MODEL,
        base_url=fake_llm.url,
        timeout_seconds=5,
        max_retries=2,
        retry_initial_seconds=0.01,
    )
    yield provider
    await provider.aclose()


def call(name: str, id: str, **arguments: Any) -> dict[str, Any]:
    return {"id": id, "name": name, "arguments": arguments}


async def test_parallel_calls_errors_and_timeouts_go_back_in_one_turn(
    fake_llm: FakeLlmServer, gemini: GeminiProvider
) -> None:
    await fake_llm.script(
        gemini=[
            {
                "tool_calls": [
                    call("demo_barrier", "c1"),
                    call("demo_barrier", "c2"),
                    call("demo_lookup", "c3", company="Acme"),
                    call("demo_fail", "c4"),
                ]
            },
            {"tool_calls": [call("demo_slow", "c5")]},
            {"text": "Acme has 42 employees."},
        ]
    )
    registry, state = demo_registry()
    outcome = await demo_loop(
        gemini, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("How big is Acme?")

    assert (outcome.status, outcome.text, outcome.tool_calls) == (
        "completed",
        "Acme has 42 employees.",
        5,
    )
    received = await fake_llm.received()
    assert received[0]["path"] == f"/v1/models/{MODEL}:generateContent"
    first, second, third = [r["body"] for r in received]
    declarations = first["tools"][0]["functionDeclarations"]
    assert {d["name"] for d in declarations} >= {"demo_lookup", "demo_fail"}
    lookup = next(d for d in declarations if d["name"] == "demo_lookup")
    # The SDK sends the schema as given (the API reads both spellings).
    assert lookup["parameters_json_schema"]["required"] == ["company"]
    assert first["systemInstruction"]["parts"][0]["text"] == "You are a test agent."
    # The model's content went back unchanged, thought signature included…
    model_turn = second["contents"][-2]
    assert model_turn["role"] == "model"
    assert model_turn["parts"][0]["thoughtSignature"] == THOUGHT_SIGNATURE
    # …then every function response in one turn, each echoing its call's id.
    answers = [part["functionResponse"] for part in second["contents"][-1]["parts"]]
    assert [(a["id"], a["name"]) for a in answers] == [
        ("c1", "demo_barrier"),
        ("c2", "demo_barrier"),
        ("c3", "demo_lookup"),
        ("c4", "demo_fail"),
    ]
    assert answers[2]["response"] == {"output": {"company": "Acme", "employees": 42}}
    assert "use demo_lookup instead" in answers[3]["response"]["error"]
    timed_out = third["contents"][-1]["parts"][0]["functionResponse"]
    assert "did not finish within 0.5 seconds" in timed_out["response"]["error"]


@pytest.mark.parametrize(
    ("finish_reason", "status"), [("MAX_TOKENS", "max_tokens"), ("SAFETY", "refusal")]
)
async def test_finish_reasons_end_the_run(
    fake_llm: FakeLlmServer, gemini: GeminiProvider, finish_reason: str, status: str
) -> None:
    await fake_llm.script(gemini=[{"text": "Partial", "stop_reason": finish_reason}])
    registry, state = demo_registry()
    outcome = await demo_loop(
        gemini, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Go")
    assert (outcome.status, outcome.text) == (status, "Partial")


async def test_429_and_503_are_retried_then_reported(
    fake_llm: FakeLlmServer, gemini: GeminiProvider
) -> None:
    await fake_llm.script(gemini=[{"error": 429}, {"error": 503}, {"text": "Hello"}])
    registry, state = demo_registry()
    outcome = await demo_loop(
        gemini, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Hi")
    assert outcome.text == "Hello"
    assert len(await fake_llm.received()) == 3

    await fake_llm.script(gemini=[{"error": 503}] * 3)
    with pytest.raises(LlmUnavailable, match="Gemini is unavailable"):
        await demo_loop(gemini, registry=registry, state=state, transcript=MemoryTranscript()).run(
            "Hi"
        )


async def test_cost_budget_and_cancellation(
    fake_llm: FakeLlmServer, gemini: GeminiProvider
) -> None:
    usage = {"input_tokens": 20_000, "output_tokens": 2_000, "cache_read_tokens": 50_000}
    lookup = [call("demo_lookup", "x", company="Acme")]
    await fake_llm.script(gemini=[{"tool_calls": lookup, "usage": usage}])
    registry, state = demo_registry()
    outcome = await demo_loop(
        gemini, registry=registry, state=state, transcript=MemoryTranscript(), max_cost_usd=0.005
    ).run("Go")
    # gemini-2.5-flash: $0.30 in, $2.50 out, $0.03 cached per million tokens.
    expected = (20_000 * 0.3 + 2_000 * 2.5 + 50_000 * 0.03) / 1_000_000
    assert outcome.status == "cost_budget"
    assert outcome.cost_usd == pytest.approx(expected)
    assert (outcome.usage.input_tokens, outcome.usage.cache_read_tokens) == (20_000, 50_000)

    await fake_llm.script(gemini=[{"tool_calls": [call("demo_stop", "s")]}])
    registry, state = demo_registry()
    stopped = await demo_loop(
        gemini, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Go")
    assert stopped.status == "cancelled"
