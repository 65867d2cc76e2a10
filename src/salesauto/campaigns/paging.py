"""Keyset pages over (moment, uuid) keys, newest first: stable while rows are added."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from salesauto.kit.errors import InvalidInput
from salesauto.kit.pagination import decode_key_cursor, encode_key_cursor


def encode_moment_cursor(moment: datetime, row_id: uuid.UUID) -> str:
    return encode_key_cursor(f"{moment.isoformat()}|{row_id}")


def decode_moment_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    moment, _, row_id = decode_key_cursor(cursor).partition("|")
    try:
        return datetime.fromisoformat(moment), uuid.UUID(row_id)
    except ValueError:
        raise InvalidInput(
            "invalid cursor; pass the nextCursor value of the previous page unchanged",
            field="cursor",
        ) from None


def newest_first(
    query: sa.Select[Any], moment: Any, row_id: Any, cursor: str | None, limit: int
) -> sa.Select[Any]:
    """`query` ordered newest first, after the cursor's row, one row more than a page."""
    if cursor is not None:
        at, after = decode_moment_cursor(cursor)
        query = query.where(sa.or_(moment < at, sa.and_(moment == at, row_id < after)))
    return query.order_by(moment.desc(), row_id.desc()).limit(limit + 1)


def page_of(rows: list[Any], limit: int, moment: str) -> tuple[list[Any], str | None]:
    """The page and the cursor after it (None on the last page)."""
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    last = page[-1]
    return page, encode_moment_cursor(getattr(last, moment), last.id)
