"""A scripted reply as each vendor streams it, built from the same whole reply the
non-streaming routes answer, so a streamed turn adds up to exactly the unstreamed one.

- Anthropic (`"stream": true`): server-sent events `message_start`, `ping`, per content block
  `content_block_start` / `content_block_delta` (`text_delta` or `input_json_delta`) /
  `content_block_stop`, then `message_delta` (stop reason, cumulative usage) and
  `message_stop`.
- Gemini (`:streamGenerateContent?alt=sse`): `data: {GenerateContentResponse}` chunks, the text
  spread over several, function calls whole in one, the finish reason and full usage on the
  last.

Text is split at word boundaries (each piece keeps the spaces before its word), as models
send a few tokens at a time. A reply's `stream_error` ends the stream after its first text
piece with that error, as the APIs report a failure once the response has begun.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from salesauto.integrations.sandbox.llm.script import (
    ScriptedReply,
    anthropic_message,
    error_body,
    gemini_response,
)

# Tool input JSON arrives in pieces of about this many characters.
JSON_PIECE = 12


def text_pieces(text: str) -> list[str]:
    """`text` in word-sized pieces that join back to it exactly."""
    return re.findall(r"\s*\S+|\s+", text)


def _json_pieces(raw: str) -> list[str]:
    # The API's first input delta is often empty; the SDK must cope with it.
    return ["", *(raw[i : i + JSON_PIECE] for i in range(0, len(raw), JSON_PIECE))]


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def anthropic_stream(reply: ScriptedReply, model: str, turn: int) -> Iterator[str]:
    message = anthropic_message(reply, model, turn)
    usage = message["usage"]
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {**usage, "output_tokens": 1},
    }
    yield _event("message_start", {"type": "message_start", "message": start})
    yield _event("ping", {"type": "ping"})
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            opening: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in text_pieces(block["text"])]
        else:
            opening = {**block, "input": {}}
            raw = json.dumps(block["input"], separators=(",", ":"))
            deltas = [{"type": "input_json_delta", "partial_json": p} for p in _json_pieces(raw)]
        yield _event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": opening},
        )
        for delta in deltas:
            yield _event(
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": delta},
            )
            if reply.stream_error is not None and delta["type"] == "text_delta":
                yield _event("error", error_body("anthropic", reply.stream_error))
                return
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            # Cumulative totals, as the API sends them.
            "usage": usage,
        },
    )
    yield _event("message_stop", {"type": "message_stop"})


def gemini_stream(reply: ScriptedReply, model: str, turn: int) -> Iterator[str]:
    whole = gemini_response(reply, model, turn)
    candidate = whole["candidates"][0]
    parts: list[dict[str, Any]] = candidate["content"]["parts"]
    chunks: list[list[dict[str, Any]]] = []
    for part in parts:
        if "text" in part:
            chunks += [[{"text": piece}] for piece in text_pieces(part["text"])]
    calls = [part for part in parts if "functionCall" in part]
    if calls or not chunks:
        chunks.append(calls)
    usage = whole["usageMetadata"]
    prompt_only = {
        "promptTokenCount": usage["promptTokenCount"],
        "totalTokenCount": usage["promptTokenCount"],
    }
    for index, chunk_parts in enumerate(chunks):
        last = index == len(chunks) - 1
        streamed: dict[str, Any] = {"content": {"role": "model", "parts": chunk_parts}, "index": 0}
        if last:
            streamed["finishReason"] = candidate["finishReason"]
        data = {
            "candidates": [streamed],
            "usageMetadata": usage if last else prompt_only,
            "modelVersion": whole["modelVersion"],
            "responseId": whole["responseId"],
        }
        yield f"data: {json.dumps(data)}\r\n\r\n"
        if reply.stream_error is not None and "text" in (chunk_parts or [{}])[0]:
            yield f"data: {json.dumps(error_body('gemini', reply.stream_error))}\r\n\r\n"
            return
