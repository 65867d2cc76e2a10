"""`ProviderHttp`: the one way a vendor client talks HTTP.

Every call goes: circuit breaker → rate limiter → request with a timeout → classify. 429 waits
for `Retry-After` (or the vendor's documented fallback) and retries; 502/503/504 and network
errors retry with exponential backoff and full jitter when the call is safe to repeat; any other
4xx raises at once with the provider's message. Logs carry method, path, status and latency —
never headers, keys or query strings.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import structlog
from redis.exceptions import RedisError

from salesauto.integrations.http.breaker import CircuitBreaker
from salesauto.integrations.http.errors import (
    ProviderAuthFailed,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)
from salesauto.integrations.http.limiter import LimitWaitTooLong, ProviderRateLimiter, RateLimit
from salesauto.integrations.http.metrics import (
    PROVIDER_LATENCY,
    PROVIDER_REQUESTS,
    PROVIDER_RETRIES,
    PROVIDER_THROTTLED_SECONDS,
)

log = structlog.get_logger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Logs carry the path only: query strings can hold keys (lemlist's `access_token`).


def _default_wait_hint(_response: httpx.Response) -> float | None:
    return None


@dataclass
class ProviderProfile:
    """What differs between vendors: name, base URL, auth headers, limits and error shapes."""

    name: str
    display_name: str
    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    limits: list[RateLimit]
    credential: str = field(repr=False)
    # Extra statuses a vendor documents as "wait and retry" (HubSpot 423 Locked).
    extra_retry_statuses: frozenset[int] = frozenset()
    # Seconds to wait on a 429 that carries no Retry-After (HubSpot's policyName windows).
    wait_hint: Callable[[httpx.Response], float | None] = field(default=_default_wait_hint)
    # Turns an error body into one readable sentence.
    error_message: Callable[[httpx.Response], str] = field(
        default=lambda response: response.text[:300]
    )


@dataclass
class ResilienceSettings:
    timeout_seconds: float = 30.0
    max_attempts: int = 6
    max_retry_wait_seconds: float = 120.0
    backoff_base_seconds: float = 0.5
    backoff_cap_seconds: float = 30.0


class ProviderHttp:
    """Resilient async HTTP for one provider account. Build once per process; close at exit."""

    def __init__(
        self,
        profile: ProviderProfile,
        limiter: ProviderRateLimiter,
        breaker: CircuitBreaker,
        resilience: ResilienceSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.profile = profile
        self.limiter = limiter
        self.breaker = breaker
        self.resilience = resilience or ResilienceSettings()
        self._client = httpx.AsyncClient(
            base_url=profile.base_url.rstrip("/") + "/",
            headers=dict(profile.headers),
            timeout=self.resilience.timeout_seconds,
            transport=transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    @property
    def name(self) -> str:
        return self.profile.name

    async def aclose(self) -> None:
        await self._client.aclose()
        await self.limiter.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        group: str = "default",
        idempotent: bool | None = None,
        ok_statuses: frozenset[int] = frozenset(),
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one logical call and return its 2xx response (or one of `ok_statuses`).

        `idempotent` says whether repeating the call after a timeout or 5xx is harmless; it
        defaults to true for GET/PUT/DELETE and false for POST (pass true for searches,
        reads and upserts). `timeout` overrides the provider's per-call timeout (seconds).
        """
        method = method.upper()
        repeatable = method in SAFE_METHODS if idempotent is None else idempotent
        url = path.lstrip("/")
        attempts = self.resilience.max_attempts
        per_call = httpx.USE_CLIENT_DEFAULT if timeout is None else httpx.Timeout(timeout)
        for attempt in range(1, attempts + 1):
            # The slot first: a wait in the limiter must not hold the breaker's probe.
            await self._take_slot(group)
            self.breaker.before_call()
            started = time.perf_counter()
            try:
                response = await self._client.request(
                    method, url, params=params, json=json, timeout=per_call
                )
            except httpx.TransportError as error:
                self.breaker.record_failure()
                PROVIDER_REQUESTS.labels(self.name, "error").inc()
                # A refused connection never reached the provider: always safe to repeat.
                safe = repeatable or isinstance(error, httpx.ConnectError)
                if not safe or attempt == attempts:
                    raise ProviderUnavailable(
                        self.name,
                        f"{self.profile.display_name} could not be reached "
                        f"({type(error).__name__}) after {attempt} attempt(s); "
                        "check the network or the provider's status, then retry.",
                    ) from None
                await self._back_off(attempt, "network", None)
                continue
            except httpx.HTTPError as error:
                self.breaker.release()
                raise ProviderError(
                    self.name, f"{self.profile.display_name} call failed: {type(error).__name__}"
                ) from None
            except BaseException:
                # Cancelled (or worse) mid-call: the breaker learnt nothing, free the probe.
                self.breaker.release()
                raise
            elapsed = time.perf_counter() - started
            PROVIDER_LATENCY.labels(self.name).observe(elapsed)
            PROVIDER_REQUESTS.labels(self.name, str(response.status_code)).inc()
            log.debug(
                "provider.call",
                provider=self.name,
                method=method,
                path="/" + url,
                status=response.status_code,
                ms=round(elapsed * 1000, 1),
                attempt=attempt,
            )
            status = response.status_code
            if status < 300 or status in ok_statuses:
                self.breaker.record_success()
                return response
            retryable = status in RETRY_STATUSES or status in self.profile.extra_retry_statuses
            if status >= 500:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()  # it answered: the provider is up
            if retryable and (status == 429 or repeatable) and attempt < attempts:
                wait = self._retry_after(response)
                if wait is not None and wait > self.resilience.max_retry_wait_seconds:
                    raise self._error(response, retry_after=wait)
                await self._back_off(attempt, str(status), wait)
                continue
            raise self._error(response, retry_after=self._retry_after(response))
        raise AssertionError("unreachable: the loop returns or raises")

    async def _take_slot(self, group: str) -> None:
        try:
            await self.limiter.acquire(group, max_wait=self.resilience.max_retry_wait_seconds)
        except LimitWaitTooLong as exhausted:
            raise ProviderRateLimited(
                self.name,
                f"{self.profile.display_name}'s {exhausted.limit} limit is used up for "
                f"{exhausted.wait:.0f} s more; the work will resume then (retry later).",
                retry_after=exhausted.wait,
            ) from None
        except (RedisError, OSError) as error:
            raise ProviderUnavailable(
                self.name,
                f"the shared rate-limit store (Redis) is unreachable ({type(error).__name__}); "
                "check SALESAUTO_REDIS_URL, then retry.",
            ) from None

    async def _back_off(self, attempt: int, reason: str, wait: float | None) -> None:
        PROVIDER_RETRIES.labels(self.name, reason).inc()
        if wait is None:
            ceiling = min(
                self.resilience.backoff_cap_seconds,
                self.resilience.backoff_base_seconds * 2 ** (attempt - 1),
            )
            wait = random.uniform(0, ceiling)
        else:
            PROVIDER_THROTTLED_SECONDS.labels(self.name).inc(wait)
        log.info(
            "provider.retry",
            provider=self.name,
            reason=reason,
            wait=round(wait, 2),
            attempt=attempt,
        )
        await asyncio.sleep(wait)

    def _retry_after(self, response: httpx.Response) -> float | None:
        header = response.headers.get("retry-after")
        if header:
            try:
                return max(float(header), 0.0)
            except ValueError:
                try:
                    moment = parsedate_to_datetime(header)
                except (TypeError, ValueError):
                    moment = None
                if moment is not None:
                    return max(moment.timestamp() - time.time(), 0.0)
        if response.status_code == 429 or response.status_code in self.profile.extra_retry_statuses:
            return self.profile.wait_hint(response)
        return None

    def _error(self, response: httpx.Response, *, retry_after: float | None) -> ProviderError:
        status = response.status_code
        who = self.profile.display_name
        detail = self.profile.error_message(response)
        if status == 429:
            return ProviderRateLimited(
                self.name,
                f"{who} rate limit reached and retries ran out ({detail}); "
                "lower the request rate or retry later.",
                retry_after=retry_after,
            )
        if status in (401, 403):
            return ProviderAuthFailed(
                self.name,
                f"{who} refused the credentials ({status}: {detail}); check the "
                f"{self.name.upper()} key or token in the settings and its scopes.",
                status=status,
            )
        if status >= 500:
            return ProviderUnavailable(
                self.name, f"{who} failed with {status} ({detail}); retry later.", status=status
            )
        try:
            body: object = response.json()
        except ValueError:
            body = response.text
        return ProviderRejected(
            self.name, f"{who} rejected the request ({status}): {detail}", status=status, body=body
        )
