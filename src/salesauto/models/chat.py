"""AI chat conversations and their messages (seed §5), one workspace's each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from salesauto.kit.types import BigId, JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column


class ChatConversation(Base):
    __tablename__ = "chat_conversations"
    # Listing a workspace's conversations, newest first.
    __table_args__ = (
        sa.Index("ix_chat_conversations_owner_listing", "owner_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    title: Mapped[str | None] = mapped_column(sa.String(200))
    # The agent definition that answers (its toolsets, model tier and limits).
    agent: Mapped[str] = mapped_column(sa.String(50), server_default="chat_assistant")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ChatMessage(Base):
    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))  # user | assistant | tool | error
    content: Mapped[str] = mapped_column(sa.Text)
    # tool: name, callId, arguments, result, isError; assistant: usage, cost, stop reason.
    data: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = created_at_column()
