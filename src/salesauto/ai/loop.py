"""The tool-use loop: generate → run every tool call concurrently, each with a timeout →
return all results in one turn → repeat, until the model is done or a cap ends the run.

Every way out is a clean `AgentOutcome` with a status and a sentence saying why; provider
outages are the exception (`LlmUnavailable`), so the job queue can retry them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from salesauto.ai.messages import (
    LlmProvider,
    Message,
    ModelTurn,
    OnText,
    ToolCall,
    ToolDefinition,
    ToolResult,
    TurnRequest,
    Usage,
    UserMessage,
)
from salesauto.ai.offline import NAME as OFFLINE
from salesauto.ai.pricing import turn_cost
from salesauto.ai.settings import ModelPrice
from salesauto.ai.transcript import Transcript

RunStatus = Literal[
    "completed",
    "max_tokens",
    "refusal",
    "context_window_exceeded",
    "paused",
    "malformed_tool_call",
    "model_stopped",
    "iteration_limit",
    "token_budget",
    "cost_budget",
    "cancelled",
]
RunTool = Callable[[ToolCall], Awaitable[ToolResult]]
OnStep = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True)
class LoopLimits:
    max_iterations: int
    max_tokens: int
    max_cost_usd: float
    tool_timeout_seconds: float = 60.0
    max_output_tokens: int = 4096


class AgentOutcome(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    status: RunStatus
    reason: str = Field(description="Why the run ended, in a sentence.")
    text: str = Field(description="The model's last answer.")
    iterations: int
    tool_calls: int
    usage: Usage
    cost_usd: float
    provider: str
    model: str
    offline: bool


@dataclass
class AgentLoop:
    provider: LlmProvider
    system: str
    tools: list[ToolDefinition]
    run_tool: RunTool
    limits: LoopLimits
    prices: Mapping[str, ModelPrice]
    transcript: Transcript
    cancelled: Callable[[], bool] = lambda: False
    on_step: OnStep | None = None
    # Given: every model turn is streamed and its text passed on as it arrives (the chat);
    # jobs leave it out and get whole turns.
    on_text: OnText | None = None

    async def run(self, goal: str, history: Sequence[Message] = ()) -> AgentOutcome:
        """Work towards `goal`; `history` is the conversation before it (a chat's earlier
        questions and answers, alternating user and assistant)."""
        messages: list[Message] = [*history, UserMessage(text=goal)]
        usage, cost, calls, text = Usage(), 0.0, 0, ""
        limits = self.limits

        def end(status: RunStatus, reason: str, iterations: int) -> AgentOutcome:
            return AgentOutcome(
                status=status,
                reason=reason,
                text=text,
                iterations=iterations,
                tool_calls=calls,
                usage=usage,
                cost_usd=round(cost, 8),
                provider=self.provider.name,
                model=self.provider.model,
                offline=self.provider.name == OFFLINE,
            )

        for iteration in range(1, limits.max_iterations + 1):
            if self.cancelled():
                return end("cancelled", _cancelled(iteration - 1), iteration - 1)
            turn = await self.provider.generate(
                TurnRequest(
                    system=self.system,
                    messages=messages,
                    tools=self.tools,
                    max_output_tokens=limits.max_output_tokens,
                ),
                self.on_text,
            )
            turn_dollars = turn_cost(self.prices, turn.model, turn.usage)
            usage, cost = usage + turn.usage, cost + turn_dollars
            text = turn.text or text
            await self.transcript.model_turn(turn, turn_dollars)
            messages.append(turn.as_message())
            if turn.stop_reason != "tool_use" or not turn.tool_calls:
                return end(*_finished(turn, limits), iteration)
            if usage.total > limits.max_tokens:
                return end(
                    "token_budget",
                    f"stopped: {usage.total:,} tokens used of the agent's budget of "
                    f"{limits.max_tokens:,}; raise budget_tokens or narrow the request",
                    iteration,
                )
            if cost > limits.max_cost_usd:
                return end(
                    "cost_budget",
                    f"stopped: ${cost:.4f} spent of the agent's budget of "
                    f"${limits.max_cost_usd:.2f}; raise budget_usd or narrow the request",
                    iteration,
                )
            if self.cancelled():
                return end("cancelled", _cancelled(iteration), iteration)
            if self.on_step is not None:
                names = ", ".join(c.name for c in turn.tool_calls)
                await self.on_step(iteration, f"turn {iteration}: calling {names}")
            results = await asyncio.gather(*(self._call(turn, c) for c in turn.tool_calls))
            calls += len(results)
            messages.append(UserMessage(tool_results=list(results)))
        return end(
            "iteration_limit",
            f"stopped after {limits.max_iterations} model turns (the agent's max_iterations) "
            "with tool calls still pending; the work may be incomplete",
            limits.max_iterations,
        )

    async def _call(self, turn: ModelTurn, call: ToolCall) -> ToolResult:
        started = time.monotonic()
        timeout = self.limits.tool_timeout_seconds
        try:
            result = await asyncio.wait_for(self.run_tool(call), timeout)
        except TimeoutError:
            result = ToolResult(
                call_id=call.id,
                name=call.name,
                is_error=True,
                content=f"{call.name} did not finish within {timeout:g} seconds and was "
                "stopped; it may have done part of its work. Check with a read tool before "
                "calling it again, or ask for less at once.",
            )
        duration_ms = int((time.monotonic() - started) * 1000)
        await self.transcript.tool_call(turn, call, result, duration_ms)
        return result


def _cancelled(iterations: int) -> str:
    return f"cancelled on request after {iterations} model turn(s)"


def _finished(turn: ModelTurn, limits: LoopLimits) -> tuple[RunStatus, str]:
    raw = turn.raw_stop_reason or turn.stop_reason
    match turn.stop_reason:
        case "end_turn" | "tool_use":
            return "completed", "the agent finished"
        case "max_tokens":
            return "max_tokens", (
                f"the model's answer was cut off at {limits.max_output_tokens:,} tokens; raise "
                "llm_max_output_tokens or narrow the request"
            )
        case "refusal":
            return "refusal", f"the model declined the request ({raw})"
        case "context_window_exceeded":
            return "context_window_exceeded", (
                "the conversation outgrew the model's context window; narrow the request or "
                "lower the agent's max_iterations"
            )
        case "paused":
            return "paused", "the model paused its turn repeatedly; run the job again"
        case "malformed_tool_call":
            return "malformed_tool_call", (
                f"the model produced a tool call it could not complete ({raw}); run the job "
                "again or use the strong model tier"
            )
        case _:
            return "model_stopped", f"the model stopped ({raw})"
