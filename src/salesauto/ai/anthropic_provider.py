"""`LlmProvider` over the official `anthropic` SDK (Messages API with tool use).

Tools and the system prompt carry `cache_control` breakpoints, so an agent's stable prefix is
cached between turns. `pause_turn` is resent as the API asks; every other stop reason is
mapped to the neutral one the loop acts on.

Streamed turns (`on_text`, for the chat) use `messages.stream()`: the SDK retries 429/5xx
only before the response begins, so a delta is never sent twice; an `error` event after it
(an overload mid-answer) raises like the same status would, and the text sent stays sent.
"""

from __future__ import annotations

from typing import Any, cast

import anthropic
import httpx2

from salesauto.ai.errors import LlmRateLimited, LlmRejected, LlmUnavailable
from salesauto.ai.messages import (
    AssistantMessage,
    Message,
    ModelTurn,
    OnText,
    StopReason,
    ToolCall,
    TurnRequest,
    Usage,
)

NAME = "anthropic"
CACHE = {"type": "ephemeral"}
# A paused turn is resent this many times before the loop hears it paused.
MAX_RESENDS = 3
STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "stop_sequence": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "refusal": "refusal",
    "model_context_window_exceeded": "context_window_exceeded",
    "pause_turn": "paused",
}


class AnthropicProvider:
    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_seconds: float = 120.0,
        max_retries: int = 2,
    ) -> None:
        self._model = model
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=httpx2.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds)),
            max_retries=max_retries,
        )

    @property
    def name(self) -> str:
        return NAME

    @property
    def model(self) -> str:
        return self._model

    async def aclose(self) -> None:
        await self.client.close()

    async def generate(self, request: TurnRequest, on_text: OnText | None = None) -> ModelTurn:
        messages = [_message(m) for m in request.messages]
        content: list[dict[str, Any]] = []
        usage = Usage()
        for _ in range(MAX_RESENDS + 1):
            # A resent paused turn streams on: its text continues what was already sent.
            response = await self._create(request, messages, on_text)
            blocks = [b.model_dump(mode="json", exclude_none=True) for b in response.content]
            content += blocks
            usage += _usage(response.usage)
            if response.stop_reason != "pause_turn":
                break
            # The API continues a paused turn when given it back as the last assistant message.
            messages = [*messages, {"role": "assistant", "content": blocks}]
        raw = response.stop_reason or "end_turn"
        calls = [
            ToolCall(id=b["id"], name=b["name"], arguments=b.get("input") or {})
            for b in content
            if b.get("type") == "tool_use"
        ]
        return ModelTurn(
            provider=NAME,
            model=response.model or self._model,
            text="".join(b.get("text", "") for b in content if b.get("type") == "text"),
            tool_calls=calls,
            stop_reason=STOP_REASONS.get(raw, "other"),
            usage=usage,
            native=content,
            raw_stop_reason=raw,
        )

    async def _create(
        self, request: TurnRequest, messages: list[dict[str, Any]], on_text: OnText | None
    ) -> anthropic.types.Message:
        tools: list[dict[str, Any]] = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema}
            for t in request.tools
        ]
        if tools:
            # One breakpoint after the last tool caches every definition (the prefix order
            # is tools, system, messages); the system prompt gets the second.
            tools[-1] = {**tools[-1], "cache_control": CACHE}
        system = cast(Any, [{"type": "text", "text": request.system, "cache_control": CACHE}])
        offered = cast(Any, tools) if tools else anthropic.omit
        try:
            if on_text is None:
                return await self.client.messages.create(
                    model=self._model,
                    max_tokens=request.max_output_tokens,
                    system=system,
                    messages=cast(Any, messages),
                    tools=offered,
                )
            async with self.client.messages.stream(
                model=self._model,
                max_tokens=request.max_output_tokens,
                system=system,
                messages=cast(Any, messages),
                tools=offered,
            ) as stream:
                async for text in stream.text_stream:
                    await on_text(text)
                return await stream.get_final_message()
        except (
            anthropic.APIStatusError,
            anthropic.APIConnectionError,
            httpx2.TransportError,
        ) as error:
            raise _error(error) from error


def _error(error: Exception) -> Exception:
    if not isinstance(error, anthropic.APIStatusError):
        # No answer at all, or the connection broke mid-stream.
        detail = error.message if isinstance(error, anthropic.APIError) else str(error)
        return LlmUnavailable(
            f"Anthropic is unavailable ({detail}); the job retries later", provider=NAME
        )
    # An error event in a stream comes with the 200 of the response it interrupts; its type
    # says what it is.
    kind = _error_type(error.body)
    if isinstance(error, anthropic.RateLimitError) or kind == "rate_limit_error":
        return LlmRateLimited(
            f"Anthropic is rate limiting this key ({error.message}); the job retries later",
            provider=NAME,
        )
    if isinstance(error, anthropic.InternalServerError) or kind in {
        "overloaded_error",
        "api_error",
    }:
        return LlmUnavailable(
            f"Anthropic is unavailable ({error.message}); the job retries later", provider=NAME
        )
    return LlmRejected(
        f"Anthropic refused the request ({error.status_code}: {error.message}); check "
        "ANTHROPIC_API_KEY and the model names in the settings",
        provider=NAME,
    )


def _error_type(body: object) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        kind = body["error"].get("type")
        return kind if isinstance(kind, str) else None
    return None


def _message(message: Message) -> dict[str, Any]:
    if isinstance(message, AssistantMessage):
        if message.provider == NAME and message.native is not None:
            return {"role": "assistant", "content": message.native}
        content: list[dict[str, Any]] = []
        if message.text:
            content.append({"type": "text", "text": message.text})
        content += [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
            for c in message.tool_calls
        ]
        return {"role": "assistant", "content": content}
    # Tool results come first in the user turn, all of them in one message.
    parts: list[dict[str, Any]] = [
        {
            "type": "tool_result",
            "tool_use_id": r.call_id,
            "content": r.content,
            "is_error": r.is_error,
        }
        for r in message.tool_results
    ]
    if message.text:
        parts.append({"type": "text", "text": message.text})
    return {"role": "user", "content": parts}


def _usage(usage: anthropic.types.Usage) -> Usage:
    return Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_creation_tokens=usage.cache_creation_input_tokens or 0,
        cache_read_tokens=usage.cache_read_input_tokens or 0,
    )
