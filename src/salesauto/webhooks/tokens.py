"""The secret path token of a lemlist hook (lemlist signs nothing, so the URL is the secret).

A token is 32 random bytes (`secrets.token_urlsafe`, 43 characters). Only its SHA-256 and
its first 8 characters are stored. A fast hash is right here, unlike for passwords: 256 random
bits cannot be guessed or brute-forced from the digest, so a slow hash (Argon2, bcrypt) would
only add latency to every delivery (ASVS 5.0 6.5.2: a standard hash suffices from 112 bits of
entropy). Candidates are found by prefix and compared with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from typing import Any

PREFIX_LENGTH = 8
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[:PREFIX_LENGTH]


def plausible_token(token: str) -> bool:
    """Junk (wrong length or characters) is refused before any database work."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def masked_url(url_with_token: str, token: str) -> str:
    """The hook URL as stored and shown: the token cut to its prefix."""
    return url_with_token.replace(token, f"{token_prefix(token)}…")


def matching_row(token: str, candidates: Iterable[Any]) -> Any | None:
    """The candidate row (with a `token_hash`) whose hash is the token's, compared in
    constant time; every candidate is compared so timing does not say which one matched."""
    digest = token_digest(token).encode()
    found = None
    for row in candidates:
        if hmac.compare_digest(digest, str(row.token_hash).encode()):
            found = row
    return found
