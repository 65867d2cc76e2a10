"""API shapes of the chat: conversations, their messages, and what a new message sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from salesauto.ai.definitions import known_agent
from salesauto.kit.schemas import ApiModel

# A question, not a document: long inputs belong in an import or a job's input.
MAX_MESSAGE_CHARS = 8_000
DEFAULT_AGENT = "chat_assistant"
ChatRole = Literal["user", "assistant", "tool", "error"]


class ConversationCreate(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=200)
    agent: str = Field(
        DEFAULT_AGENT, max_length=50, description="The agent that answers (its tools, model)."
    )

    @field_validator("agent")
    @classmethod
    def _known_agent(cls, name: str) -> str:
        return known_agent(name)


class MessageCreate(ApiModel):
    content: str = Field(..., min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("content")
    @classmethod
    def _not_blank(cls, content: str) -> str:
        if not content.strip():
            raise ValueError("write a question; the message is blank")
        return content


class ConversationView(ApiModel):
    id: str
    title: str | None
    agent: str
    created_at: datetime
    updated_at: datetime | None


class ChatMessageView(ApiModel):
    id: int
    role: ChatRole
    content: str = Field(description="user/assistant: the text; tool: the result; error: why.")
    data: dict[str, Any] | None = Field(
        None,
        description="tool: name, callId, arguments, isError, durationMs; assistant: provider, "
        "model, stopReason, toolCalls, usage, costUsd.",
    )
    created_at: datetime


class ConversationDetail(ConversationView):
    messages: list[ChatMessageView]


class ConversationPage(ApiModel):
    conversations: list[ConversationView]
    next_cursor: str | None = None
