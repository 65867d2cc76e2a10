"""Answering a chat message: the conversation's agent runs the tool-use loop as the caller
(scopes narrowed to the agent's), every turn and tool call is stored in `chat_messages`, and
the caller watches it happen as server-sent events: the model's text token by token
(`text_delta`), each finished turn's text, tool calls and results, then the outcome."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import structlog

from salesauto.ai.activity import (
    ActivityKind,
    Report,
    ReportingTranscript,
    call_data,
    finished_data,
    reporting_runner,
    text_reporter,
    turn_data,
)
from salesauto.ai.chat_service import ChatService
from salesauto.ai.definitions import builtin_agents
from salesauto.ai.loop import AgentLoop, AgentOutcome
from salesauto.ai.messages import Message, ModelTurn, ToolCall, ToolResult
from salesauto.ai.selector import ai_settings, select_provider
from salesauto.ai.tasks import (
    agent_tools,
    loop_limits,
    registry_runner,
    scopes_allowed,
    tool_definitions,
)
from salesauto.ai.transcript import MAX_STORED_RESULT
from salesauto.kit.errors import SalesautoError
from salesauto.platform import Platform
from salesauto.security.principal import Principal
from salesauto.security.secrets import derived_key
from salesauto.tools.endpoints import CONFIRM_PURPOSE
from salesauto.tools.spec import ToolContext

log = structlog.get_logger(__name__)
# Server-sent event names, by what the agent did.
SSE_EVENTS: dict[ActivityKind, str] = {
    "text_delta": "text_delta",
    "turn": "text",
    "tool_call": "tool_call",
    "tool_result": "tool_result",
    "finished": "done",
}


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


@dataclass
class ChatTranscript:
    """Stores each model turn and tool call of the answer as a chat message."""

    chat: ChatService
    conversation_id: str

    async def model_turn(self, turn: ModelTurn, cost_usd: float) -> None:
        data = turn_data(turn, cost_usd)
        del data["text"]  # cut for events; the message keeps all of it, as was streamed
        await self.chat.add_message(self.conversation_id, "assistant", turn.text, data)

    async def tool_call(
        self, turn: ModelTurn, call: ToolCall, result: ToolResult, duration_ms: int
    ) -> None:
        data = {
            **call_data(call),
            "isError": result.is_error,
            "durationMs": duration_ms,
        }
        content = result.content[:MAX_STORED_RESULT]
        await self.chat.add_message(self.conversation_id, "tool", content, data)


async def answer_message(
    platform: Platform,
    chat: ChatService,
    caller: Principal,
    conversation_id: str,
    agent_name: str,
    content: str,
) -> AsyncIterator[str]:
    """Runs the agent on `content` and yields its activity as server-sent events, ending
    with `done` (the outcome, with usage and cost) or `error` (what went wrong).

    A turn's `text_delta` events come as the model writes and add up to that turn's `text`
    event (the text stored). An error after some deltas ends the stream with `error`: no turn
    is restarted once its text has begun, so nothing is said twice."""
    history = await chat.history(conversation_id)
    await chat.add_message(conversation_id, "user", content)
    events: asyncio.Queue[str | None] = asyncio.Queue()

    async def report(kind: ActivityKind, data: dict[str, Any]) -> None:
        if kind == "turn" and not data["text"]:
            return  # a turn that only calls tools shows up as its tool_call events
        if kind == "turn":
            data = {"text": data["text"], "stopReason": data["stopReason"]}
        await events.put(sse(SSE_EVENTS[kind], {**data, "conversationId": conversation_id}))

    async def run() -> None:
        try:
            outcome = await _run_agent(
                platform, chat, caller, conversation_id, agent_name, content, history, report
            )
            await report("finished", finished_data(outcome))
        except SalesautoError as error:
            await chat.add_message(conversation_id, "error", error.message)
            await events.put(sse("error", {"error": error.message, **error.details}))
        except Exception as error:
            log.exception("chat.failed", conversation_id=conversation_id)
            message = "the assistant failed unexpectedly (the server log has details); try again"
            await chat.add_message(
                conversation_id, "error", message, {"type": type(error).__name__}
            )
            await events.put(sse("error", {"error": message}))
        finally:
            await events.put(None)

    task = asyncio.create_task(run(), name=f"chat-{conversation_id}")
    try:
        while (event := await events.get()) is not None:
            yield event
    finally:
        # The caller went away: stop the agent rather than spend on an answer nobody reads.
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _run_agent(
    platform: Platform,
    chat: ChatService,
    caller: Principal,
    conversation_id: str,
    agent_name: str,
    content: str,
    history: list[Message],
    report: Report,
) -> AgentOutcome:
    settings = ai_settings(platform.settings)
    agent = builtin_agents()[agent_name]
    tools = agent_tools(agent)
    principal = Principal(
        workspace=caller.workspace,
        key_id=caller.key_id,
        scopes=scopes_allowed(caller, tools),
        via=caller.via,
        session_id=caller.session_id,
    )
    ctx = ToolContext(
        platform=platform,
        principal=principal,
        dry_run_secret=derived_key(platform.settings, CONFIRM_PURPOSE),
    )
    provider = select_provider(settings, agent)
    try:
        loop = AgentLoop(
            provider=provider,
            system=agent.prompt,
            tools=tool_definitions(tools, principal),
            run_tool=reporting_runner(registry_runner(tools, ctx), report),
            limits=loop_limits(agent, settings),
            prices=settings.llm_prices,
            transcript=ReportingTranscript(ChatTranscript(chat, conversation_id), report),
            on_text=text_reporter(report),
        )
        return await loop.run(content, history)
    finally:
        await provider.aclose()
