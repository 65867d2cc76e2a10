"""How the HTTP layer talks to lemlist: Basic auth, 20 requests per 2 s, plain-text errors."""

from __future__ import annotations

import base64

import httpx

from salesauto.config import Settings
from salesauto.integrations.http import ProviderProfile, RateLimit
from salesauto.integrations.providers import ProviderTarget

# [doc] getting-started/rate-limits.mdx: 20 requests per 2 seconds per API key, on all routes.
LEMLIST_LIMITS = [RateLimit(20, 2)]


def basic_authorization(api_key: str) -> str:
    """lemlist wants HTTP Basic with an EMPTY username and the key as password (not Bearer)."""
    token = base64.b64encode(f":{api_key}".encode()).decode("ascii")
    return f"Basic {token}"


def lemlist_error_message(response: httpx.Response) -> str:
    """lemlist answers errors as text/plain (`Campaign not found`); a few proxies send JSON."""
    content_type = response.headers.get("content-type", "")
    if "json" in content_type:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            for key in ("message", "error", "errorMessage"):
                if isinstance(body.get(key), str):
                    return str(body[key])[:300]
    text = response.text.strip()
    return text[:300] if text else f"HTTP {response.status_code}"


def lemlist_profile(target: ProviderTarget, settings: Settings) -> ProviderProfile:
    """The lemlist profile for `target` (live API or sandbox); the key only travels in a header."""
    del settings  # lemlist's limit is fixed by the vendor, not configurable
    return ProviderProfile(
        name="lemlist",
        display_name="lemlist",
        base_url=target.base_url,
        headers={
            "Authorization": basic_authorization(target.credential),
            "Accept": "application/json",
        },
        limits=list(LEMLIST_LIMITS),
        credential=target.credential,
        error_message=lemlist_error_message,
    )
