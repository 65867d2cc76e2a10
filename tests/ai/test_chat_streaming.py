"""A chat answer streams the model's text token by token (`text_delta`), and what is stored is
the whole text those pieces add up to."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from tests.ai.conftest import FakeLlmServer
from tests.ai.live import live_api
from tests.ai.test_agent_job import agent_settings
from tests.ai.test_chat import Event, ask, new_conversation

SEARCHING = "Let me search your contacts for Acme first."
ANSWER = "No Acme contacts yet, but I can find leads at Acme for you."


def turn_texts(events: list[Event]) -> list[str]:
    """Each turn's `text_delta`s joined, checked against the `text` event closing it."""
    texts: list[str] = []
    pieces: list[str] = []
    for name, data in events:
        if name == "text_delta":
            pieces.append(data["text"])
        elif name == "text":
            assert "".join(pieces) == data["text"]
            texts.append(data["text"])
            pieces = []
    assert pieces == []
    return texts


async def test_the_answer_streams_in_pieces_that_add_up_to_the_stored_message(
    database_url: str, fake_llm: FakeLlmServer
) -> None:
    settings = agent_settings(
        database_url,
        anthropic_api_key=SecretStr("test-key"),
        anthropic_base_url=fake_llm.url,
        llm_max_retries=0,
    )
    search = {"id": "s1", "name": "contacts_search", "arguments": {"q": "acme"}}
    await fake_llm.script(anthropic=[{"text": SEARCHING, "tool_calls": [search]}, {"text": ANSWER}])
    async with live_api(settings) as client:
        conversation_id = await new_conversation(client)
        events = await ask(client, conversation_id, "Any Acme leads?")
        stored = (await client.get(f"/api/chat/conversations/{conversation_id}")).json()

    names = [name for name, _ in events]
    first_text, call, second_text = names.index("text"), names.index("tool_call"), len(names) - 2
    # Several pieces per turn, each turn's before its `text`; the tool ran between the turns.
    assert names[:first_text].count("text_delta") == first_text > 3
    assert names[first_text:][:3] == ["text", "tool_call", "tool_result"]
    assert set(names[call + 2 : second_text]) == {"text_delta"} and second_text - call - 2 > 3
    assert names[-2:] == ["text", "done"]
    assert turn_texts(events) == [SEARCHING, ANSWER]
    result = events[call + 1][1]
    assert (result["name"], result["isError"]) == ("contacts_search", False)
    assert '"contacts":[]' in result["content"]
    assert events[-1][1]["text"] == ANSWER

    messages = [(m["role"], m["content"]) for m in stored["messages"]]
    assert [role for role, _ in messages] == ["user", "assistant", "tool", "assistant"]
    assert messages[1] == ("assistant", SEARCHING) and messages[3] == ("assistant", ANSWER)
    # The model was asked to stream.
    assert all(r["body"]["stream"] is True for r in await fake_llm.received())


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_long_gemini_answer_streams_and_is_stored_whole(
    database_url: str, fake_llm: FakeLlmServer
) -> None:
    settings = agent_settings(
        database_url,
        gemini_api_key=SecretStr("test-key"),
        gemini_base_url=fake_llm.url,
        llm_provider="gemini",
        llm_max_retries=0,
    )
    long_answer = " ".join(f"Lead {n} works at Acme." for n in range(300))  # > 4,000 chars
    await fake_llm.script(gemini=[{"text": long_answer}])
    async with live_api(settings) as client:
        conversation_id = await new_conversation(client)
        events = await ask(client, conversation_id, "List the Acme leads")
        stored = (await client.get(f"/api/chat/conversations/{conversation_id}")).json()

    deltas: list[dict[str, Any]] = [data for name, data in events if name == "text_delta"]
    assert len(deltas) > 1000 and all(d["conversationId"] == conversation_id for d in deltas)
    assert "".join(d["text"] for d in deltas) == long_answer
    # The `text` event is cut for watching; the stored message and the outcome are whole.
    (text,) = [data["text"] for name, data in events if name == "text"]
    assert text == long_answer[:4000]
    assert stored["messages"][-1]["content"] == events[-1][1]["text"] == long_answer
    assert (await fake_llm.received())[0]["path"].endswith(":streamGenerateContent")
