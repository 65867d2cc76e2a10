"""How `ProviderHttp` talks to Explorium: `api_key` header, 200 requests/min, error shapes."""

from __future__ import annotations

import httpx

from salesauto.config import Settings
from salesauto.integrations.http.client import ProviderProfile
from salesauto.integrations.http.limiter import RateLimit
from salesauto.integrations.providers import ProviderTarget

REQUESTS_PER_MINUTE = 200


def error_message(response: httpx.Response) -> str:
    """One sentence from Explorium's error bodies: FastAPI `detail` (a string or a list of
    `{loc, msg}`), the 429 `{error, message}`, or plain text."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, list):
            parts = []
            for item in detail[:5]:
                if isinstance(item, dict):
                    loc = ".".join(str(part) for part in item.get("loc", []) if part != "body")
                    parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg")))
            return "; ".join(parts) or str(detail)[:300]
        if isinstance(detail, str):
            return detail
        for key in ("message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return str(body)[:300]


def wait_hint(response: httpx.Response) -> float | None:
    """A 429 without `Retry-After` still says how long in its body's `retry_after`."""
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("retry_after") if isinstance(body, dict) else None
    return float(value) if isinstance(value, int | float) else None


def explorium_profile(target: ProviderTarget, settings: Settings) -> ProviderProfile:
    """Explorium's profile for `target` (live or sandbox; only base URL and key differ)."""
    del settings  # Explorium's limit is the same on every plan
    return ProviderProfile(
        name="explorium",
        display_name="Explorium",
        base_url=target.base_url,
        headers={"api_key": target.credential, "accept": "application/json"},
        limits=[RateLimit(REQUESTS_PER_MINUTE, 60)],
        credential=target.credential,
        wait_hint=wait_hint,
        error_message=error_message,
    )
