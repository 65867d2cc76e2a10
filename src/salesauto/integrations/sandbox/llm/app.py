"""The fake LLM server: Anthropic `POST /v1/messages` (streamed with `"stream": true`) and
Gemini `POST /{version}/models/{model}:generateContent` (streamed as
`:streamGenerateContent?alt=sse`), answered from a script (`stream.py` renders the streams).

Control routes (tests drive them over HTTP):
- `POST /_sandbox/script` → `{"anthropic": [reply…], "gemini": [reply…]}` appended to the queues
- `GET  /_sandbox/received` → every model request received, in order (vendor, path, body)
- `POST /_sandbox/reset` → empty the queues and the record, answer delayed replies now

An empty queue answers 410 with `x-should-retry: false`, so a test missing a reply fails at
once instead of retrying. A scripted error is an HTTP status, streamed request or not (the APIs
refuse before a stream begins).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from salesauto.integrations.sandbox.llm.script import (
    Script,
    ScriptedReply,
    Vendor,
    anthropic_message,
    error_body,
    gemini_response,
)
from salesauto.integrations.sandbox.llm.stream import anthropic_stream, gemini_stream
from salesauto.kit.aio import wait_event

GENERATE = ":generateContent"
STREAM = ":streamGenerateContent"


@dataclass
class FakeLlm:
    queues: dict[Vendor, deque[ScriptedReply]] = field(
        default_factory=lambda: {"anthropic": deque(), "gemini": deque()}
    )
    received: list[dict[str, Any]] = field(default_factory=list)
    # Set by a reset: delayed replies answer at once, so a server can stop without waiting.
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self) -> None:
        for queue in self.queues.values():
            queue.clear()
        self.received.clear()
        self.released.set()
        self.released = asyncio.Event()

    async def answer(
        self, vendor: Vendor, request: Request, model: str, *, stream: bool = False
    ) -> Response:
        body = await request.json()
        self.received.append({"vendor": vendor, "path": request.url.path, "body": body})
        queue = self.queues[vendor]
        if not queue:
            return JSONResponse(
                {"error": f"the fake LLM has no scripted {vendor} reply left"},
                status_code=410,
                headers={"x-should-retry": "false"},
            )
        reply = queue.popleft()
        if reply.delay_ms:
            await wait_event(self.released, reply.delay_ms / 1000)
        if reply.error is not None:
            headers = {}
            if reply.retry_after_ms is not None:
                headers["retry-after-ms"] = str(reply.retry_after_ms)
                headers["retry-after"] = str(max(1, reply.retry_after_ms // 1000))
            return JSONResponse(
                error_body(vendor, reply.error), status_code=reply.error, headers=headers
            )
        turn = len(self.received)
        if stream:
            render = anthropic_stream if vendor == "anthropic" else gemini_stream
            return StreamingResponse(
                render(reply, model, turn),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        if vendor == "anthropic":
            return JSONResponse(anthropic_message(reply, model, turn))
        return JSONResponse(gemini_response(reply, model, turn))


def create_llm_app(fake: FakeLlm | None = None) -> FastAPI:
    state = fake or FakeLlm()
    app = FastAPI(title="salesauto fake LLM", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.fake = state

    @app.post("/v1/messages")
    async def anthropic_messages(request: Request) -> Response:
        body = await request.json()
        model, stream = str(body.get("model", "")), body.get("stream") is True
        return await state.answer("anthropic", request, model, stream=stream)

    @app.post("/{version}/models/{target}")
    async def gemini_generate(version: str, target: str, request: Request) -> Response:
        if target.endswith(STREAM):
            if request.query_params.get("alt") != "sse":
                return JSONResponse(
                    {"error": "the fake LLM streams only server-sent events; add ?alt=sse"},
                    status_code=400,
                )
            return await state.answer("gemini", request, target.removesuffix(STREAM), stream=True)
        if not target.endswith(GENERATE):
            return JSONResponse({"error": f"unsupported method {target!r}"}, status_code=404)
        return await state.answer("gemini", request, target.removesuffix(GENERATE))

    @app.post("/_sandbox/script")
    async def add_script(script: Script) -> dict[str, int]:
        state.queues["anthropic"].extend(script.anthropic)
        state.queues["gemini"].extend(script.gemini)
        return {vendor: len(queue) for vendor, queue in state.queues.items()}

    @app.get("/_sandbox/received")
    async def received() -> list[dict[str, Any]]:
        return state.received

    @app.post("/_sandbox/reset")
    async def reset() -> dict[str, bool]:
        state.reset()
        return {"reset": True}

    return app
