"""The neutral conversation every provider speaks: what goes into a model turn and what comes
out. Providers translate it to their SDK's shapes; the loop and the transcript only see this."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

# Why a model turn ended, across vendors.
StopReason = Literal[
    "end_turn",
    "tool_use",
    "max_tokens",
    "refusal",
    "context_window_exceeded",
    "paused",
    "malformed_tool_call",
    "other",
]


class Neutral(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolDefinition(Neutral):
    name: str
    description: str
    input_schema: dict[str, Any]


class ToolCall(Neutral):
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolResult(Neutral):
    call_id: str
    name: str
    # What the model reads back (JSON text or an error message).
    content: str
    is_error: bool = False
    # The tool's structured output, for the offline planner (providers send `content`).
    data: dict[str, Any] | None = None


class Usage(Neutral):
    # camelCase when dumped by alias (job results, API bodies), snake_case in code.
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0

    @property
    def total(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_creation_tokens
            + self.cache_read_tokens
        )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_tokens=self.cache_creation_tokens + other.cache_creation_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
        )


class UserMessage(Neutral):
    role: Literal["user"] = "user"
    text: str | None = None
    tool_results: list[ToolResult] = Field(default_factory=list)


class AssistantMessage(Neutral):
    role: Literal["assistant"] = "assistant"
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    # The vendor's own content, sent back unchanged to the same provider (Gemini's thought
    # signatures, Anthropic's thinking blocks); other providers rebuild it from the rest.
    provider: str | None = None
    native: Any = None


Message = UserMessage | AssistantMessage


class TurnRequest(Neutral):
    system: str
    messages: list[Message]
    tools: list[ToolDefinition] = Field(default_factory=list)
    max_output_tokens: int = 4096


class ModelTurn(Neutral):
    provider: str
    model: str
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    stop_reason: StopReason
    usage: Usage = Field(default_factory=Usage)
    native: Any = None
    # The vendor's own stop reason, for the transcript and error messages.
    raw_stop_reason: str | None = None

    def as_message(self) -> AssistantMessage:
        return AssistantMessage(
            text=self.text, tool_calls=self.tool_calls, provider=self.provider, native=self.native
        )


# Called with each piece of the model's text as it arrives (a streamed turn).
OnText = Callable[[str], Awaitable[None]]


class LlmProvider(Protocol):
    """One model of one vendor: answers a turn, or raises `LlmUnavailable`.

    With `on_text` the turn is streamed: each text delta is passed on as it arrives, and the
    turn returned is the same as unstreamed (its text is the deltas joined). Retries happen
    only before the first delta, so no text is ever sent twice; a failure after it raises.
    """

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    async def generate(self, request: TurnRequest, on_text: OnText | None = None) -> ModelTurn: ...

    async def aclose(self) -> None: ...
