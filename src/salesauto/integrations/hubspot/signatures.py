"""Verify that a webhook request really comes from HubSpot (API_CONTRACTS §1.11).

- v1: `X-HubSpot-Signature` = hex SHA-256 of `client_secret + body` (a plain hash).
- v2: hex SHA-256 of `client_secret + method + uri + body`.
- v3: `X-HubSpot-Signature-v3` = base64 HMAC-SHA256 (key: client secret) of
  `method + uri + body + timestamp`, where `uri` is the full URL with HubSpot's listed
  percent-escapes decoded and `timestamp` is `X-HubSpot-Request-Timestamp` (ms); requests
  older than 5 minutes are refused, as are ones more than 5 minutes in the future (clock skew
  beyond that means a forged or replayed timestamp).

Always pass the raw body bytes exactly as received: re-serialised JSON gives other digests.
Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Literal

from salesauto.kit.errors import SalesautoError

MAX_AGE_SECONDS = 300
SIGNATURE = "x-hubspot-signature"
SIGNATURE_VERSION = "x-hubspot-signature-version"
SIGNATURE_V3 = "x-hubspot-signature-v3"
TIMESTAMP = "x-hubspot-request-timestamp"

SignatureVersion = Literal["v1", "v2", "v3"]
Reason = Literal[
    "missing_header", "unsupported_version", "bad_timestamp", "stale_timestamp", "mismatch"
]

# The escapes HubSpot decodes in the URI before signing (v3).
_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


class SignatureInvalid(SalesautoError):
    """The request is not provably from HubSpot; `reason` says why (never the secret)."""

    status_code = 401

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message, reason=reason)
        self.reason: Reason = reason


def sign_v1(body: bytes, client_secret: str) -> str:
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def sign_v2(body: bytes, method: str, uri: str, client_secret: str) -> str:
    source = client_secret.encode() + method.upper().encode() + uri.encode() + body
    return hashlib.sha256(source).hexdigest()


def sign_v3(body: bytes, method: str, uri: str, timestamp: str, client_secret: str) -> str:
    source = method.upper().encode() + decode_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def decode_uri(uri: str) -> str:
    """Decode exactly the escapes HubSpot decodes (either hex case); leave the rest."""
    out: list[str] = []
    index = 0
    while index < len(uri):
        chunk = uri[index : index + 3].upper()
        if uri[index] == "%" and chunk in _DECODED:
            out.append(_DECODED[chunk])
            index += 3
        else:
            out.append(uri[index])
            index += 1
    return "".join(out)


def verify_v1(body: bytes, headers: Mapping[str, str], client_secret: str) -> None:
    """Raise `SignatureInvalid` unless `X-HubSpot-Signature` is the v1 signature of `body`."""
    given = _header(headers, SIGNATURE)
    _compare(given, sign_v1(body, client_secret), "v1")


def verify_v2(
    body: bytes, method: str, uri: str, headers: Mapping[str, str], client_secret: str
) -> None:
    """Raise `SignatureInvalid` unless `X-HubSpot-Signature` is the v2 signature."""
    given = _header(headers, SIGNATURE)
    _compare(given, sign_v2(body, method, uri, client_secret), "v2")


def verify_v3(
    body: bytes,
    method: str,
    uri: str,
    headers: Mapping[str, str],
    client_secret: str,
    *,
    now: float | None = None,
) -> None:
    """Raise `SignatureInvalid` unless the v3 signature matches and its timestamp is within
    5 minutes of `now` (epoch seconds; the current time by default)."""
    given = _header(headers, SIGNATURE_V3)
    timestamp = _header(headers, TIMESTAMP)
    try:
        sent_ms = int(timestamp)
    except ValueError:
        raise SignatureInvalid(
            "bad_timestamp", "X-HubSpot-Request-Timestamp is not a millisecond timestamp."
        ) from None
    current = time.time() if now is None else now
    age = current - sent_ms / 1000
    if abs(age) > MAX_AGE_SECONDS:
        raise SignatureInvalid(
            "stale_timestamp",
            f"The webhook timestamp is {age:.0f} s from now (more than {MAX_AGE_SECONDS} s): "
            "refusing a possibly replayed request.",
        )
    _compare(given, sign_v3(body, method, uri, timestamp, client_secret), "v3")


def verify_request(
    body: bytes,
    method: str,
    uri: str,
    headers: Mapping[str, str],
    client_secret: str,
    *,
    now: float | None = None,
) -> SignatureVersion:
    """Verify with the newest scheme the request carries (v3, else v1/v2 as its
    `X-HubSpot-Signature-Version` says); returns the version that matched."""
    lowered = _lowered(headers)
    if SIGNATURE_V3 in lowered:
        verify_v3(body, method, uri, lowered, client_secret, now=now)
        return "v3"
    version = lowered.get(SIGNATURE_VERSION, "v1").strip().lower()
    if version == "v1":
        verify_v1(body, lowered, client_secret)
        return "v1"
    if version == "v2":
        verify_v2(body, method, uri, lowered, client_secret)
        return "v2"
    raise SignatureInvalid(
        "unsupported_version", f"Unsupported X-HubSpot-Signature-Version {version!r}."
    )


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _header(headers: Mapping[str, str], name: str) -> str:
    value = _lowered(headers).get(name, "").strip()
    if not value:
        raise SignatureInvalid("missing_header", f"The request has no {name} header.")
    return value


def _compare(given: str, expected: str, version: str) -> None:
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureInvalid(
            "mismatch", f"The HubSpot {version} signature does not match the request."
        )
