"""`LlmProvider` over the official `google-genai` SDK, with declared functions only.

Functions are declarations (never Python callables) and automatic calling is off, so every
call comes back to our loop. The model's content is appended unchanged — Gemini 3 rejects a
history without its thought signatures — and all function responses go back in one turn,
each echoing its call's id.
"""

from __future__ import annotations

import json
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

    async def generate(self, request: TurnRequest) -> ModelTurn:
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
            response = await self.client.aio.models.generate_content(
                model=self._model, contents=contents, config=config
            )
        except genai_errors.APIError as error:
            raise _error(error) from error
        except httpx2.TransportError as error:
            raise LlmUnavailable(
                f"Gemini could not be reached ({error}); the job retries later", provider=NAME
            ) from error
        return _turn(response, self._model)


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
