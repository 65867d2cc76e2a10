"""How `ProviderHttp` talks to Apollo: `x-api-key`, per-endpoint limits, error shapes."""

from __future__ import annotations

import httpx

from salesauto.config import Settings
from salesauto.integrations.http.client import ProviderProfile
from salesauto.integrations.http.limiter import RateLimit
from salesauto.integrations.providers import ProviderTarget

# Apollo gives bulk enrichment endpoints a tenth of the single endpoints' limit; each has its
# own group so a burst of bulk calls waits here instead of earning a 429.
BULK_GROUPS = ("people_bulk_match", "organizations_bulk_enrich")


def error_message(response: httpx.Response) -> str:
    """One sentence from Apollo's errors: 401 plain text, 422 `{error}`, 400
    `{error_code, error_message}`, 429 `{message}`."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        code = body.get("error_code")
        for key in ("error_message", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return f"{code}: {value}" if isinstance(code, str) and code else value
    return str(body)[:300]


def wait_hint(response: httpx.Response) -> float | None:
    """A 429 without `retry-after`: wait out the window its message names."""
    text = response.text.lower()
    if "per minute" in text:
        return 60.0
    if "per hour" in text:
        return 3600.0
    return None


def apollo_profile(target: ProviderTarget, settings: Settings) -> ProviderProfile:
    """Apollo's profile for `target` at `settings.apollo_requests_per_minute` (your plan)."""
    per_minute = settings.apollo_requests_per_minute
    bulk = max(1, per_minute // 10)
    return ProviderProfile(
        name="apollo",
        display_name="Apollo",
        base_url=target.base_url,
        headers={
            "x-api-key": target.credential,
            "accept": "application/json",
            "cache-control": "no-cache",
        },
        limits=[
            RateLimit(per_minute, 60),
            RateLimit(settings.apollo_requests_per_hour, 3600),
            *(RateLimit(bulk, 60, group) for group in BULK_GROUPS),
        ],
        credential=target.credential,
        wait_hint=wait_hint,
        error_message=error_message,
    )
