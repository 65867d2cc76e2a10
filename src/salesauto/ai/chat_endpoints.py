"""`/api/chat`: conversations with an AI agent that answers with the workspace's tools."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from salesauto.ai.chat_run import answer_message
from salesauto.ai.chat_schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationPage,
    ConversationView,
    MessageCreate,
)
from salesauto.ai.chat_service import ChatService
from salesauto.jobs.endpoints import Owner
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped

router = APIRouter(prefix="/api/chat", tags=["chat"], dependencies=[scoped("ai")])
ConversationId = Annotated[str, Path(min_length=1, max_length=64)]


def _service(request: Request) -> ChatService:
    return ChatService(request.app.state.platform.engine)


Service = Annotated[ChatService, Depends(_service)]


@router.post(
    "/conversations",
    status_code=201,
    response_model=ConversationView,
    response_model_by_alias=True,
)
async def create_conversation(
    body: ConversationCreate, service: Service, owner: Owner
) -> ConversationView:
    """Start a conversation (`title` optional; `agent` defaults to chat_assistant)."""
    return await service.create(owner, body)


@router.get("/conversations", response_model=ConversationPage, response_model_by_alias=True)
async def list_conversations(
    service: Service,
    owner: Owner,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ConversationPage:
    """This workspace's conversations, newest first; pass `nextCursor` back for more."""
    items, next_cursor = await service.page(owner, cursor, limit)
    return ConversationPage(conversations=items, next_cursor=next_cursor)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationDetail,
    response_model_by_alias=True,
)
async def get_conversation(
    conversation_id: ConversationId, service: Service, owner: Owner
) -> ConversationDetail:
    """A conversation with every message: questions, answers, tool calls and errors."""
    return await service.detail(owner, conversation_id)


@router.delete("/conversations/{conversation_id}", status_code=204)
async def delete_conversation(
    conversation_id: ConversationId, service: Service, owner: Owner
) -> Response:
    """Delete a conversation and its messages."""
    await service.delete(owner, conversation_id)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/messages")
async def send_message(
    conversation_id: ConversationId, body: MessageCreate, request: Request, service: Service
) -> StreamingResponse:
    """Ask the conversation's agent; the answer streams as server-sent events.

    Events: `text_delta` (the model's text as it is written, a few tokens each), `text` (a
    model turn's text once it ends: its `text_delta`s joined, cut at 4,000 characters),
    `tool_call` (a tool it runs, with arguments), `tool_result` (the result or error), then
    `done` (status, reason, the final text, usage and cost) or `error` (why it failed; text
    already streamed stays, and is never streamed twice). Every turn and tool call is stored
    (answers whole) and read back with `GET /api/chat/conversations/{id}`. Without a model
    key the offline planner answers (its text in one `text_delta`) and says so. The agent's
    tools are limited to your key's scopes.
    """
    caller = current_principal(request)
    found = await service.get(caller.workspace, conversation_id)  # 404 before streaming
    stream = answer_message(
        request.app.state.platform, service, caller, found.id, found.agent, body.content
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
