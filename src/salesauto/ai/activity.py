"""What an agent is doing, as it happens: each piece of text as the model writes it (when the
turns are streamed), each model turn, tool call, tool result and the end of the run, reported
to a listener — a job's event stream (`agent.*` over `/ws`) or a chat's server-sent events.
The loop stays unaware: it sees a transcript, a tool runner and a text callback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from salesauto.ai.loop import AgentOutcome, RunTool
from salesauto.ai.messages import ModelTurn, OnText, ToolCall, ToolResult
from salesauto.ai.transcript import Transcript

ActivityKind = Literal["text_delta", "turn", "tool_call", "tool_result", "finished"]
Report = Callable[[ActivityKind, dict[str, Any]], Awaitable[None]]
# Events are for watching; the transcript keeps the whole text.
MAX_REPORTED_TEXT = 4_000


def turn_data(turn: ModelTurn, cost_usd: float) -> dict[str, Any]:
    return {
        "provider": turn.provider,
        "model": turn.model,
        "text": turn.text[:MAX_REPORTED_TEXT],
        "toolCalls": [{"id": c.id, "name": c.name} for c in turn.tool_calls],
        "stopReason": turn.stop_reason,
        "usage": turn.usage.model_dump(by_alias=True),
        "costUsd": cost_usd,
    }


def text_reporter(report: Report) -> OnText:
    """Reports each streamed piece of a turn's text; the turn itself follows when it ends."""

    async def report_text(delta: str) -> None:
        await report("text_delta", {"text": delta})

    return report_text


def call_data(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "name": call.name, "arguments": call.arguments}


def result_data(call: ToolCall, result: ToolResult, duration_ms: int) -> dict[str, Any]:
    return {
        "id": call.id,
        "name": call.name,
        "isError": result.is_error,
        "content": result.content[:MAX_REPORTED_TEXT],
        "durationMs": duration_ms,
    }


def finished_data(outcome: AgentOutcome) -> dict[str, Any]:
    return outcome.model_dump(mode="json", by_alias=True)


@dataclass
class ReportingTranscript:
    """Records like `inner`, then reports the turn or the tool's result."""

    inner: Transcript
    report: Report

    async def model_turn(self, turn: ModelTurn, cost_usd: float) -> None:
        await self.inner.model_turn(turn, cost_usd)
        await self.report("turn", turn_data(turn, cost_usd))

    async def tool_call(
        self, turn: ModelTurn, call: ToolCall, result: ToolResult, duration_ms: int
    ) -> None:
        await self.inner.tool_call(turn, call, result, duration_ms)
        await self.report("tool_result", result_data(call, result, duration_ms))


def reporting_runner(run_tool: RunTool, report: Report) -> RunTool:
    """Reports each call as it starts (its result comes through the transcript)."""

    async def run_reported(call: ToolCall) -> ToolResult:
        await report("tool_call", call_data(call))
        return await run_tool(call)

    return run_reported
