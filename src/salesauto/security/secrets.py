"""The server secret: signs sessions, CSRF tokens, WebSocket tickets and confirm tokens.

Production must set `SALESAUTO_SECRET_KEY` (every process of a deployment shares it). In
development one random secret is kept in `<data_dir>/secret.key` (mode 0600), so processes
sharing the data folder agree and a restart does not sign everybody out.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from salesauto.config import Settings
from salesauto.kit.errors import SalesautoError

SECRET_FILE = "secret.key"
MIN_SECRET_LENGTH = 32


class MissingSecret(SalesautoError):
    pass


def server_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        if len(value) < MIN_SECRET_LENGTH:
            raise MissingSecret(
                f"SALESAUTO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters; generate "
                "one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value.encode()
    if settings.environment == "production":
        raise MissingSecret(
            "SALESAUTO_SECRET_KEY is required in production; generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return _local_secret(settings.data_dir.resolve())


@lru_cache
def _local_secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once keep whichever secret was written first.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A separate key per purpose, so a token of one kind never verifies as another."""
    return hmac.new(server_secret(settings), purpose.encode(), hashlib.sha256).digest()
