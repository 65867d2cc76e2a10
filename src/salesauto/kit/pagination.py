"""Opaque cursors for keyset pagination (stable under inserts, unlike offsets)."""

from __future__ import annotations

import base64

from salesauto.kit.errors import InvalidInput


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "invalid cursor; pass the nextCursor value of the previous page unchanged",
            field="cursor",
        ) from None


def encode_key_cursor(last_key: str) -> str:
    """A cursor after a text key (contacts page by email)."""
    return base64.urlsafe_b64encode(f"key:{last_key}".encode()).decode().rstrip("=")


def decode_key_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if kind != "key":
            raise ValueError(kind)
        return value
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "invalid cursor; pass the nextCursor value of the previous page unchanged",
            field="cursor",
        ) from None
