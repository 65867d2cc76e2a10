"""Confirm tokens: a dry run signs exactly what it previewed, and only that may run.

The token is `<expiry>.<hmac>` over (tool, canonical JSON of the arguments, workspace,
expiry). Changing any argument, the tool or the workspace, or waiting past the expiry, makes
the confirmed call fail with a message telling the caller to run the dry run again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from salesauto.kit.errors import SalesautoError
from salesauto.kit.time import utcnow

TOKEN_LIFETIME = timedelta(minutes=10)


class ConfirmRefused(SalesautoError):
    status_code = 409


def canonical_arguments(arguments: dict[str, Any]) -> str:
    """Stable JSON: sorted keys, no spaces, so equal arguments always sign the same."""
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)


def _signature(secret: bytes, tool: str, arguments: str, workspace: str, expiry: int) -> str:
    message = "\n".join((tool, arguments, workspace, str(expiry))).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def issue_token(
    secret: bytes, tool: str, arguments: dict[str, Any], workspace: str
) -> tuple[str, datetime]:
    expires = utcnow() + TOKEN_LIFETIME
    expiry = int(expires.timestamp())
    signature = _signature(secret, tool, canonical_arguments(arguments), workspace, expiry)
    return f"{expiry}.{signature}", datetime.fromtimestamp(expiry, UTC)


def verify_token(
    secret: bytes, token: str, tool: str, arguments: dict[str, Any], workspace: str
) -> None:
    """Raise `ConfirmRefused` unless `token` was issued for these exact arguments."""
    again = f"call {tool} without confirm_token for a fresh dry run, then pass its token"
    expiry_text, _, signature = token.partition(".")
    if not expiry_text.isdigit() or not signature:
        raise ConfirmRefused(f"confirm_token is malformed; {again}")
    expected = _signature(secret, tool, canonical_arguments(arguments), workspace, int(expiry_text))
    if not hmac.compare_digest(expected, signature):
        raise ConfirmRefused(
            f"this confirm_token was issued for other arguments (or another tool or "
            f"workspace); {again}"
        )
    if int(expiry_text) < utcnow().timestamp():
        raise ConfirmRefused(f"this confirm_token has expired (tokens last 10 minutes); {again}")
