"""`/api/chat`: conversations a workspace keeps to itself, answered by the chat agent with the
workspace's tools, streamed as server-sent events and stored message by message."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from salesauto.ai.offline import OFFLINE_NOTE
from tests.ai.conftest import FakeLlmServer
from tests.ai.live import live_api, platform_of
from tests.ai.test_agent_job import agent_settings

Event = tuple[str, dict[str, Any]]


def parse_sse(body: str) -> list[Event]:
    events: list[Event] = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


async def ask(client: httpx.AsyncClient, conversation_id: str, content: str) -> list[Event]:
    answer = await client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"content": content}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    return parse_sse(answer.text)


async def new_conversation(client: httpx.AsyncClient, **body: Any) -> str:
    created = await client.post("/api/chat/conversations", json=body)
    assert created.status_code == 201, created.text
    conversation_id: str = created.json()["id"]
    return conversation_id


@pytest.fixture
async def offline_chat(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with live_api(agent_settings(database_url)) as client:
        yield client


@pytest.fixture
async def claude_chat(
    database_url: str, fake_llm: FakeLlmServer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = agent_settings(
        database_url,
        anthropic_api_key=SecretStr("test-key"),
        anthropic_base_url=fake_llm.url,
        llm_max_retries=0,
    )
    async with live_api(settings) as client:
        yield client


async def test_an_answer_streams_its_tool_calls_is_stored_and_followed_up(
    claude_chat: httpx.AsyncClient, fake_llm: FakeLlmServer
) -> None:
    await fake_llm.script(
        anthropic=[
            {
                "tool_calls": [{"id": "s1", "name": "contacts_search", "arguments": {"q": "acme"}}],
                "usage": {"input_tokens": 1000, "output_tokens": 50},
            },
            {"text": "No Acme contacts yet.", "usage": {"input_tokens": 1200, "output_tokens": 20}},
            {"text": "Then none at Globex either."},
        ]
    )
    conversation_id = await new_conversation(claude_chat, title="Acme")
    events = await ask(claude_chat, conversation_id, "Any Acme leads?")

    # The text's token pieces (`text_delta`) are tested in test_chat_streaming.py.
    events = [(name, data) for name, data in events if name != "text_delta"]
    assert [name for name, _ in events] == ["tool_call", "tool_result", "text", "done"]
    call, result, text, done = (data for _, data in events)
    assert (call["name"], call["arguments"]) == ("contacts_search", {"q": "acme"})
    assert (result["name"], result["isError"]) == ("contacts_search", False)
    assert '"contacts":[]' in result["content"]
    assert text["text"] == "No Acme contacts yet."
    assert (done["status"], done["offline"], done["text"]) == (
        "completed",
        False,
        "No Acme contacts yet.",
    )
    assert done["usage"]["inputTokens"] == 2200 and done["usage"]["outputTokens"] == 70

    stored = (await claude_chat.get(f"/api/chat/conversations/{conversation_id}")).json()
    assert stored["title"] == "Acme" and stored["agent"] == "chat_assistant"
    messages = [(m["role"], m["content"]) for m in stored["messages"]]
    assert messages[0] == ("user", "Any Acme leads?")
    assert messages[1] == ("assistant", "")
    assert messages[2][0] == "tool" and '"contacts":[]' in messages[2][1]
    assert messages[3] == ("assistant", "No Acme contacts yet.")
    tool = stored["messages"][2]["data"]
    assert (tool["name"], tool["arguments"], tool["isError"]) == (
        "contacts_search",
        {"q": "acme"},
        False,
    )
    assert stored["messages"][1]["data"]["toolCalls"] == [{"id": "s1", "name": "contacts_search"}]

    # A follow-up is answered with the earlier question and answer (not its tool calls).
    await ask(claude_chat, conversation_id, "And Globex?")
    follow_up = (await fake_llm.received())[2]["body"]["messages"]
    said = [(m["role"], json.dumps(m["content"])) for m in follow_up]
    assert [role for role, _ in said] == ["user", "assistant", "user"]
    assert "Any Acme leads?" in said[0][1] and "No Acme contacts yet." in said[1][1]
    assert "And Globex?" in said[2][1]


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_agent_only_gets_the_tools_the_callers_key_allows(
    claude_chat: httpx.AsyncClient, fake_llm: FakeLlmServer
) -> None:
    await fake_llm.script(anthropic=[{"text": "Hi."}])
    platform = platform_of(claude_chat)
    reader = await platform.keys.create("default", "reader", ["ai:write", "contacts:read"])
    headers = {"Authorization": f"Bearer {reader.plain}"}
    created = await claude_chat.post("/api/chat/conversations", json={}, headers=headers)
    await claude_chat.post(
        f"/api/chat/conversations/{created.json()['id']}/messages",
        json={"content": "hello"},
        headers=headers,
    )
    offered = {tool["name"] for tool in (await fake_llm.received())[0]["body"]["tools"]}
    assert "contacts_search" in offered and "admin_whoami" in offered
    assert not {"campaigns_enroll", "jobs_cancel", "contacts_delete"} & offered


async def test_offline_the_planner_answers_says_so_and_keeps_it_in_the_workspace(
    offline_chat: httpx.AsyncClient,
) -> None:
    conversation_id = await new_conversation(offline_chat)
    events = await ask(offline_chat, conversation_id, "Who am I?")

    names = [name for name, _ in events]
    # The planner's text comes whole, as one piece.
    assert names[:3] == ["text_delta", "text", "tool_call"] and names[-1] == "done"
    assert events[0][1]["text"] == events[1][1]["text"]
    assert events[2][1]["name"] == "admin_whoami"
    done = events[-1][1]
    assert (done["offline"], done["provider"], done["costUsd"]) == (True, "offline", 0)
    assert done["text"].startswith(OFFLINE_NOTE)
    stored = (await offline_chat.get(f"/api/chat/conversations/{conversation_id}")).json()
    assert stored["messages"][-1]["content"].startswith(OFFLINE_NOTE)

    # Another workspace can neither see nor use it.
    other = await platform_of(offline_chat).keys.create("other-team", "t", ["ai:write"])
    headers = {"Authorization": f"Bearer {other.plain}"}
    path = f"/api/chat/conversations/{conversation_id}"
    assert (await offline_chat.get(path, headers=headers)).status_code == 404
    sent = await offline_chat.post(f"{path}/messages", json={"content": "hi"}, headers=headers)
    assert sent.status_code == 404
    assert (await offline_chat.delete(path, headers=headers)).status_code == 404
    listed = (await offline_chat.get("/api/chat/conversations", headers=headers)).json()
    assert listed["conversations"] == []
    assert len((await offline_chat.get(path)).json()["messages"]) == len(stored["messages"])


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_model_error_is_streamed_and_recorded(
    claude_chat: httpx.AsyncClient, fake_llm: FakeLlmServer
) -> None:
    await fake_llm.script(anthropic=[{"error": 401}])
    conversation_id = await new_conversation(claude_chat)
    events = await ask(claude_chat, conversation_id, "hello")

    assert [name for name, _ in events] == ["error"]
    assert "anthropic" in events[0][1]["error"].lower()
    stored = (await claude_chat.get(f"/api/chat/conversations/{conversation_id}")).json()
    assert [m["role"] for m in stored["messages"]] == ["user", "error"]


async def test_conversations_are_listed_newest_first_by_page_and_deleted(
    offline_chat: httpx.AsyncClient,
) -> None:
    made = [await new_conversation(offline_chat, title=f"c{i}") for i in range(3)]
    first = (await offline_chat.get("/api/chat/conversations?limit=2")).json()
    rest = (
        await offline_chat.get(f"/api/chat/conversations?limit=2&cursor={first['nextCursor']}")
    ).json()
    listed = [c["id"] for c in first["conversations"] + rest["conversations"]]
    assert listed == made[::-1] and rest["nextCursor"] is None

    assert (await offline_chat.delete(f"/api/chat/conversations/{made[0]}")).status_code == 204
    assert (await offline_chat.get(f"/api/chat/conversations/{made[0]}")).status_code == 404


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_bad_input_is_refused_with_what_to_fix(offline_chat: httpx.AsyncClient) -> None:
    conversation = f"/api/chat/conversations/{await new_conversation(offline_chat)}"
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/api/chat/conversations", {"agent": "nope"}, "unknown agent 'nope'"),
        ("/api/chat/conversations", {"title": "x", "owner": "y"}, "owner: Extra inputs"),
        (f"{conversation}/messages", {"content": "x" * 8001}, "at most 8000 characters"),
        (f"{conversation}/messages", {"content": "  "}, "the message is blank"),
        (f"{conversation}/messages", {"content": "hi", "role": "system"}, "role: Extra inputs"),
    ]
    for path, body, problem in cases:
        answer = await offline_chat.post(path, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert problem in answer.json()["error"], (body, answer.text)


# Dialect-independent: one backend is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_gemini_answers_a_follow_up_with_the_earlier_exchange(
    database_url: str, fake_llm: FakeLlmServer
) -> None:
    settings = agent_settings(
        database_url,
        gemini_api_key=SecretStr("test-key"),
        gemini_base_url=fake_llm.url,
        llm_provider="gemini",
        llm_max_retries=0,
    )
    await fake_llm.script(gemini=[{"text": "Three campaigns."}, {"text": "Two of them run."}])
    async with live_api(settings) as client:
        conversation_id = await new_conversation(client)
        first = await ask(client, conversation_id, "How many campaigns?")
        second = await ask(client, conversation_id, "How many run?")

    assert first[-1][1]["provider"] == "gemini" and second[-1][1]["text"] == "Two of them run."
    contents = (await fake_llm.received())[1]["body"]["contents"]
    assert [(c["role"], c["parts"][0]["text"]) for c in contents] == [
        ("user", "How many campaigns?"),
        ("model", "Three campaigns."),
        ("user", "How many run?"),
    ]
