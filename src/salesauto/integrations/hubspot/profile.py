"""How the resilient HTTP layer talks to HubSpot: auth, limits, 423/429 waits, error text."""

from __future__ import annotations

import time

import httpx

from salesauto.config import Settings
from salesauto.integrations.http.client import ProviderProfile
from salesauto.integrations.http.limiter import RateLimit
from salesauto.integrations.providers import ProviderTarget

SEARCH_GROUP = "search"
SEARCH_PER_SECOND = 5
LOCKED_WAIT_SECONDS = 2.0
DEFAULT_INTERVAL_SECONDS = 10.0
MIN_DAILY_WAIT_SECONDS = 3600.0


def hubspot_profile(target: ProviderTarget, settings: Settings) -> ProviderProfile:
    """Bearer auth; the burst limit of the app's tier per 10 s on every call, plus CRM
    search's own 5 per second; 423 Locked is retried like a 429."""
    credential = target.credential

    def error_message(response: httpx.Response) -> str:
        text = hubspot_error_message(response)
        # HubSpot never echoes the token, but a proxy in front of it might.
        return text.replace(credential, "***") if credential else text

    return ProviderProfile(
        name="hubspot",
        display_name="HubSpot",
        base_url=target.base_url,
        headers={"Authorization": f"Bearer {credential}", "Accept": "application/json"},
        limits=[
            RateLimit(settings.hubspot_requests_per_10s, 10),
            RateLimit(SEARCH_PER_SECOND, 1, SEARCH_GROUP),
        ],
        credential=credential,
        extra_retry_statuses=frozenset({423}),
        wait_hint=hubspot_wait_hint,
        error_message=error_message,
    )


def hubspot_wait_hint(response: httpx.Response) -> float | None:
    """Seconds to wait on a 429 (HubSpot sends no `Retry-After` on REST calls) or a 423.

    - `SECONDLY` (search): 1 s.
    - `TEN_SECONDLY_ROLLING`: the rolling window's length (`X-HubSpot-RateLimit-Interval-
      Milliseconds`, 10 s by default): we cannot tell when the oldest call leaves it.
    - `DAILY`: until the next UTC midnight and at least an hour (the real reset is midnight in
      the account's time zone), which exceeds any acceptable retry wait, so the layer raises
      `ProviderRateLimited` instead of sleeping.
    """
    if response.status_code == 423:
        return LOCKED_WAIT_SECONDS
    policy = _policy(response)
    if policy == "SECONDLY":
        return 1.0
    if policy == "DAILY":
        until_midnight = 86_400 - time.time() % 86_400
        return max(until_midnight, MIN_DAILY_WAIT_SECONDS)
    if policy == "TEN_SECONDLY_ROLLING":
        interval = response.headers.get("x-hubspot-ratelimit-interval-milliseconds")
        try:
            return float(interval) / 1000 if interval else DEFAULT_INTERVAL_SECONDS
        except ValueError:
            return DEFAULT_INTERVAL_SECONDS
    return None


def _policy(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    policy = body.get("policyName")
    if isinstance(policy, str) and policy:
        return policy.upper()
    # Newer answers: `"category": "RATE_LIMITS"` and the policy only in the message.
    message = str(body.get("message", "")).lower()
    for name in ("ten_secondly_rolling", "secondly", "daily"):
        if f"your {name} limit" in message:
            return name.upper()
    return None


def hubspot_error_message(response: httpx.Response) -> str:
    """`message (CATEGORY)` from HubSpot's error body, or the start of a non-JSON body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip() or f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return str(body)[:300]
    message = str(body.get("message") or "").strip()[:500] or f"HTTP {response.status_code}"
    category = body.get("category") or body.get("errorType")
    return f"{message} ({category})" if category else message
