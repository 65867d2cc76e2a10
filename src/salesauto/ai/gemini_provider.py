"""`LlmProvider` over the official `google-genai` SDK, with declared functions only.

Functions are declarations (never Python callables) and automatic calling is off, so every
call comes back to our loop. The model's content is appended unchanged — Gemini 3 rejects a
history without its thought signatures — and all function responses go back in one turn,
each echoing its call's id.

Streamed turns (`on_text`, for the chat) use `generate_content_stream` and add the chunks up
into one response, so the turn is the same as unstreamed. The SDK retries only before the
stream begins, so a delta is never sent twice; an error chunk after it raises.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

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

NAME = "gemini"
REFUSALS = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE"}
MALFORMED = {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"}


class GeminiProvider:
    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_seconds: float = 120.0,
        max_retries: int = 2,
        retry_initial_seconds: float = 1.0,
    ) -> None:
        self._model = model
        self.client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                timeout=int(timeout_seconds * 1000),
                retry_options=types.HttpRetryOptions(
                    attempts=max_retries + 1,
                    initial_delay=retry_initial_seconds,
                    max_delay=retry_initial_seconds * 16,
                    jitter=retry_initial_seconds / 2,
                ),
            ),
        )

    @property
    def name(self) -> str:
        return NAME

    @property
    def model(self) -> str:
        return self._model

    async def aclose(self) -> None:
        await self.client.aio.aclose()

    async def generate(self, request: TurnRequest, on_text: OnText | None = None) -> ModelTurn:
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=request.max_output_tokens,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            tools=[
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(
                            name=t.name,
                            description=t.description,
                            parameters_json_schema=t.input_schema,
                        )
                        for t in request.tools
                    ]
                )
            ]
            if request.tools
            else None,
        )
        contents = [_content(m) for m in request.messages]
        try:
            if on_text is None:
                response = await self.client.aio.models.generate_content(
                    model=self._model, contents=contents, config=config
                )
            else:
                chunks = await self.client.aio.models.generate_content_stream(
                    model=self._model, contents=contents, config=config
                )
                response = await _gathered(chunks, on_text)
        except genai_errors.APIError as error:
            raise _error(error) from error
        except httpx2.TransportError as error:
            raise LlmUnavailable(
                f"Gemini could not be reached ({error}); the job retries later", provider=NAME
            ) from error
        return _turn(response, self._model)


async def _gathered(
    chunks: AsyncIterator[types.GenerateContentResponse], on_text: OnText
) -> types.GenerateContentResponse:
    """The streamed chunks as one response: parts in order with adjacent text joined, the
    last finish reason, usage and model version (each chunk's usage is a running total)."""
    parts: list[types.Part] = []
    last: types.GenerateContentResponse | None = None
    finish: types.FinishReason | None = None
    async for chunk in chunks:
        last = chunk
        candidate = chunk.candidates[0] if chunk.candidates else None
        if candidate is None:
            continue
        finish = candidate.finish_reason or finish
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.text and not part.thought:
                await on_text(part.text)
            _append(parts, part)
    if last is None:
        return types.GenerateContentResponse()
    if not parts and finish is None:
        return last  # the prompt was blocked: no candidates at all
    return types.GenerateContentResponse(
        candidates=[
            types.Candidate(
                content=types.Content(role="model", parts=parts),
                finish_reason=finish,
                index=0,
            )
        ],
        usage_metadata=last.usage_metadata,
        model_version=last.model_version,
        response_id=last.response_id,
        prompt_feedback=last.prompt_feedback,
    )


def _append(parts: list[types.Part], part: types.Part) -> None:
    """Joins a text piece to the text before it. A part with more than text (a thought
    signature, a function call) stays whole: it goes back to the model unchanged."""
    previous = parts[-1] if parts else None
    if (
        previous is not None
        and _plain_text(previous)
        and _plain_text(part)
        and bool(previous.thought) == bool(part.thought)
    ):
        parts[-1] = previous.model_copy(update={"text": f"{previous.text}{part.text}"})
    else:
        parts.append(part)


def _plain_text(part: types.Part) -> bool:
    return part.text is not None and set(part.model_dump(exclude_none=True)) <= {"text", "thought"}


def _turn(response: types.GenerateContentResponse, model: str) -> ModelTurn:
    usage = _usage(response.usage_metadata)
    if not response.candidates:
        blocked = response.prompt_feedback.block_reason if response.prompt_feedback else None
        return ModelTurn(
            provider=NAME,
            model=model,
            stop_reason="refusal",
            usage=usage,
            raw_stop_reason=f"prompt blocked: {blocked}" if blocked else "no candidates",
        )
    candidate = response.candidates[0]
    content = candidate.content or types.Content(role="model", parts=[])
    parts = content.parts or []
    calls = [
        ToolCall(
            id=p.function_call.id or f"call_{index}",
            name=p.function_call.name or "",
            arguments=p.function_call.args or {},
        )
        for index, p in enumerate(parts)
        if p.function_call is not None
    ]
    raw = candidate.finish_reason.value if candidate.finish_reason else "STOP"
    return ModelTurn(
        provider=NAME,
        model=response.model_version or model,
        text="".join(p.text for p in parts if p.text and not p.thought),
        tool_calls=calls,
        stop_reason=_stop_reason(raw, bool(calls)),
        usage=usage,
        native=content.model_dump(mode="json", exclude_none=True),
        raw_stop_reason=raw,
    )


def _stop_reason(raw: str, has_calls: bool) -> StopReason:
    if raw == "MAX_TOKENS":
        return "max_tokens"
    if raw in REFUSALS or raw.startswith("IMAGE_"):
        return "refusal"
    if raw in MALFORMED:
        return "malformed_tool_call"
    if raw in {"STOP", "FINISH_REASON_UNSPECIFIED"}:
        return "tool_use" if has_calls else "end_turn"
    return "other"


def _content(message: Message) -> types.Content:
    if isinstance(message, AssistantMessage):
        if message.provider == NAME and message.native is not None:
            return types.Content.model_validate(message.native)
        parts = [types.Part(text=message.text)] if message.text else []
        parts += [
            types.Part(function_call=types.FunctionCall(id=c.id, name=c.name, args=c.arguments))
            for c in message.tool_calls
        ]
        return types.Content(role="model", parts=parts)
    parts = [
        types.Part(
            function_response=types.FunctionResponse(
                id=r.call_id,
                name=r.name,
                response={"error": r.content} if r.is_error else {"output": _output(r.content)},
            )
        )
        for r in message.tool_results
    ]
    if message.text:
        parts.append(types.Part(text=message.text))
    return types.Content(role="user", parts=parts)


def _output(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _usage(metadata: types.GenerateContentResponseUsageMetadata | None) -> Usage:
    if metadata is None:
        return Usage()
    cached = metadata.cached_content_token_count or 0
    # The prompt count includes cached tokens; thoughts are billed as output.
    return Usage(
        input_tokens=(metadata.prompt_token_count or 0)
        - cached
        + (metadata.tool_use_prompt_token_count or 0),
        output_tokens=(metadata.candidates_token_count or 0) + (metadata.thoughts_token_count or 0),
        cache_read_tokens=cached,
    )


def _error(error: genai_errors.APIError) -> Exception:
    detail = error.message or error.status or str(error.code)
    if error.code == 429:
        return LlmRateLimited(
            f"Gemini is rate limiting this key ({detail}); the job retries later", provider=NAME
        )
    if error.code >= 500:
        return LlmUnavailable(
            f"Gemini is unavailable ({detail}); the job retries later", provider=NAME
        )
    return LlmRejected(
        f"Gemini refused the request ({error.code}: {detail}); check GEMINI_API_KEY and the "
        "model names in the settings",
        provider=NAME,
    )
