"""Chat queries: a workspace's conversations and the messages of one, in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.models.base import table_of
from salesauto.models.chat import ChatConversation, ChatMessage

CONVERSATIONS = table_of(ChatConversation)
MESSAGES = table_of(ChatMessage)


async def insert_conversation(
    conn: AsyncConnection,
    conversation_id: str,
    owner_id: str,
    title: str | None,
    agent: str,
    at: datetime,
) -> None:
    await conn.execute(
        sa.insert(CONVERSATIONS).values(
            id=conversation_id, owner_id=owner_id, title=title, agent=agent, created_at=at
        )
    )


async def conversation(
    conn: AsyncConnection, owner_id: str, conversation_id: str
) -> sa.Row[Any] | None:
    query = sa.select(CONVERSATIONS).where(
        CONVERSATIONS.c.id == conversation_id, CONVERSATIONS.c.owner_id == owner_id
    )
    return (await conn.execute(query)).first()


async def conversations_page(
    conn: AsyncConnection, owner_id: str, after: tuple[datetime, str] | None, limit: int
) -> list[sa.Row[Any]]:
    """Newest first; `after` is the (created_at, id) of the last one of the previous page."""
    query = sa.select(CONVERSATIONS).where(CONVERSATIONS.c.owner_id == owner_id)
    if after is not None:
        created_at, conversation_id = after
        query = query.where(
            sa.or_(
                CONVERSATIONS.c.created_at < created_at,
                sa.and_(
                    CONVERSATIONS.c.created_at == created_at,
                    CONVERSATIONS.c.id < conversation_id,
                ),
            )
        )
    query = query.order_by(CONVERSATIONS.c.created_at.desc(), CONVERSATIONS.c.id.desc())
    return list((await conn.execute(query.limit(limit))).all())


async def delete_conversation(conn: AsyncConnection, owner_id: str, conversation_id: str) -> bool:
    """Deletes it and (by the foreign key's cascade) its messages; False if not the owner's."""
    deleted = await conn.execute(
        sa.delete(CONVERSATIONS).where(
            CONVERSATIONS.c.id == conversation_id, CONVERSATIONS.c.owner_id == owner_id
        )
    )
    return bool(deleted.rowcount)


async def insert_message(
    conn: AsyncConnection,
    conversation_id: str,
    role: str,
    content: str,
    data: dict[str, Any] | None,
    at: datetime,
) -> int:
    inserted = await conn.execute(
        sa.insert(MESSAGES)
        .values(
            conversation_id=conversation_id, role=role, content=content, data=data, created_at=at
        )
        .returning(MESSAGES.c.id)
    )
    await conn.execute(
        sa.update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id).values(updated_at=at)
    )
    return int(inserted.scalar_one())


async def messages_of(conn: AsyncConnection, conversation_id: str) -> list[sa.Row[Any]]:
    query = (
        sa.select(MESSAGES)
        .where(MESSAGES.c.conversation_id == conversation_id)
        .order_by(MESSAGES.c.id)
    )
    return list((await conn.execute(query)).all())
