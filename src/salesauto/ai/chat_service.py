"""Chat conversations of a workspace: create, list, read, delete, and the history a new
message is answered with."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.ai import chat_repository as repository
from salesauto.ai.chat_schemas import (
    ChatMessageView,
    ConversationCreate,
    ConversationDetail,
    ConversationView,
)
from salesauto.ai.messages import AssistantMessage, Message, UserMessage
from salesauto.kit.db import retry_locked
from salesauto.kit.errors import InvalidInput, NotFound
from salesauto.kit.time import utcnow

# Earlier exchanges a new message is answered with: enough for follow-up questions, bounded
# so a long conversation does not grow every turn's cost without end.
HISTORY_EXCHANGES = 20


def _view(row: Any) -> ConversationView:
    return ConversationView(
        id=row.id,
        title=row.title,
        agent=row.agent,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _message_view(row: Any) -> ChatMessageView:
    return ChatMessageView(
        id=row.id, role=row.role, content=row.content, data=row.data, created_at=row.created_at
    )


def encode_cursor(created_at: datetime, conversation_id: str) -> str:
    raw = f"{created_at.isoformat()}|{conversation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, conversation_id = raw.partition("|")
        return datetime.fromisoformat(moment), conversation_id
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput(
            "invalid cursor; pass the nextCursor value of the previous page unchanged",
            field="cursor",
        ) from None


def chat_history(rows: Sequence[Any]) -> list[Message]:
    """The earlier questions and their final answers, alternating user and assistant.

    Tool activity is left out (the model looks things up again when it needs them), and so
    are questions that got no answer (an error, a closed connection).
    """
    exchanges: list[tuple[str, str]] = []
    question: str | None = None
    answer = ""
    for row in rows:
        if row.role == "user":
            if question is not None and answer:
                exchanges.append((question, answer))
            question, answer = row.content, ""
        elif row.role == "assistant" and row.content:
            answer = row.content
    if question is not None and answer:
        exchanges.append((question, answer))
    history: list[Message] = []
    for asked, answered in exchanges[-HISTORY_EXCHANGES:]:
        history += [UserMessage(text=asked), AssistantMessage(text=answered)]
    return history


class ChatService:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def create(self, owner_id: str, body: ConversationCreate) -> ConversationView:
        conversation_id = f"conv_{uuid.uuid4().hex}"

        async def write() -> None:
            async with self.engine.begin() as conn:
                await repository.insert_conversation(
                    conn, conversation_id, owner_id, body.title, body.agent, utcnow()
                )

        await retry_locked(write)
        return await self.get(owner_id, conversation_id)

    async def get(self, owner_id: str, conversation_id: str) -> ConversationView:
        async with self.engine.connect() as conn:
            row = await repository.conversation(conn, owner_id, conversation_id)
        if row is None:
            raise NotFound(
                f"no conversation {conversation_id!r} in this workspace; list them at "
                "GET /api/chat/conversations",
                conversation_id=conversation_id,
            )
        return _view(row)

    async def detail(self, owner_id: str, conversation_id: str) -> ConversationDetail:
        found = await self.get(owner_id, conversation_id)
        async with self.engine.connect() as conn:
            rows = await repository.messages_of(conn, conversation_id)
        return ConversationDetail(
            **found.model_dump(), messages=[_message_view(row) for row in rows]
        )

    async def page(
        self, owner_id: str, cursor: str | None, limit: int
    ) -> tuple[list[ConversationView], str | None]:
        after = decode_cursor(cursor) if cursor else None
        async with self.engine.connect() as conn:
            rows = await repository.conversations_page(conn, owner_id, after, limit + 1)
        items = [_view(row) for row in rows[:limit]]
        more = len(rows) > limit
        return items, encode_cursor(items[-1].created_at, items[-1].id) if more else None

    async def delete(self, owner_id: str, conversation_id: str) -> None:
        async def write() -> bool:
            async with self.engine.begin() as conn:
                return await repository.delete_conversation(conn, owner_id, conversation_id)

        if not await retry_locked(write):
            raise NotFound(
                f"no conversation {conversation_id!r} in this workspace",
                conversation_id=conversation_id,
            )

    async def history(self, conversation_id: str) -> list[Message]:
        async with self.engine.connect() as conn:
            return chat_history(await repository.messages_of(conn, conversation_id))

    async def add_message(
        self, conversation_id: str, role: str, content: str, data: dict[str, Any] | None = None
    ) -> int:
        async def write() -> int:
            async with self.engine.begin() as conn:
                return await repository.insert_message(
                    conn, conversation_id, role, content, data, utcnow()
                )

        return await retry_locked(write)
