"""What the fake LLM answers: a queue of scripted replies per vendor, in vendor-neutral terms,
rendered as each vendor's JSON (or as an HTTP error) when a request arrives."""

from __future__ import annotations

import base64
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Vendor = Literal["anthropic", "gemini"]
ERROR_TYPES = {
    400: ("invalid_request_error", "INVALID_ARGUMENT"),
    401: ("authentication_error", "UNAUTHENTICATED"),
    429: ("rate_limit_error", "RESOURCE_EXHAUSTED"),
    500: ("api_error", "INTERNAL"),
    503: ("api_error", "UNAVAILABLE"),
    529: ("overloaded_error", "UNAVAILABLE"),
}
# Gemini 3 sends an opaque signature with a function call and wants it back unchanged.
THOUGHT_SIGNATURE = base64.b64encode(b"fake-thought-signature").decode()


class Scripted(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScriptedCall(Scripted):
    id: str | None = None
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ScriptedUsage(Scripted):
    input_tokens: int = 10
    output_tokens: int = 5
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0


class ScriptedReply(Scripted):
    text: str = ""
    tool_calls: list[ScriptedCall] = Field(default_factory=list)
    stop_reason: str | None = Field(
        None, description="The vendor's own value (end_turn, pause_turn, MAX_TOKENS…)."
    )
    usage: ScriptedUsage = Field(default_factory=ScriptedUsage)
    error: int | None = Field(None, description="Answer this HTTP status instead.")
    retry_after_ms: int | None = Field(10, description="Sent with an error; None: no header.")
    stream_error: int | None = Field(
        None,
        description="Streamed requests only: after the first text piece, fail the stream with "
        "this status's error (as an API does once a response has begun); needs `text`.",
    )
    delay_ms: int = Field(0, ge=0, le=60_000)


class Script(Scripted):
    anthropic: list[ScriptedReply] = Field(default_factory=list)
    gemini: list[ScriptedReply] = Field(default_factory=list)


def anthropic_message(reply: ScriptedReply, model: str, turn: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for index, call in enumerate(reply.tool_calls):
        content.append(
            {
                "type": "tool_use",
                "id": call.id or f"toolu_{turn}_{index}",
                "name": call.name,
                "input": call.arguments,
            }
        )
    usage = reply.usage
    return {
        "id": f"msg_fake_{turn}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reply.stop_reason or ("tool_use" if reply.tool_calls else "end_turn"),
        "stop_sequence": None,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_creation_input_tokens": usage.cache_creation_tokens,
            "cache_read_input_tokens": usage.cache_read_tokens,
        },
    }


def gemini_response(reply: ScriptedReply, model: str, turn: int) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if reply.text:
        parts.append({"text": reply.text})
    for index, call in enumerate(reply.tool_calls):
        part: dict[str, Any] = {
            "functionCall": {
                "id": call.id or f"call_{turn}_{index}",
                "name": call.name,
                "args": call.arguments,
            }
        }
        if index == 0:
            part["thoughtSignature"] = THOUGHT_SIGNATURE
        parts.append(part)
    usage = reply.usage
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": parts},
                "finishReason": reply.stop_reason or "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": usage.input_tokens + usage.cache_read_tokens,
            "candidatesTokenCount": usage.output_tokens,
            "cachedContentTokenCount": usage.cache_read_tokens,
            "totalTokenCount": usage.input_tokens + usage.cache_read_tokens + usage.output_tokens,
        },
        "modelVersion": model,
        "responseId": f"fake_{turn}",
    }


def error_body(vendor: Vendor, status: int) -> dict[str, Any]:
    kind, google_status = ERROR_TYPES.get(status, ("api_error", "UNKNOWN"))
    message = f"scripted {status} from the fake LLM"
    if vendor == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"code": status, "message": message, "status": google_status}}
