"""Request rate limiting: a moving window per (route group, caller), shared through Redis.

The middleware asks a `bucket` function which group and identity a request counts against
(an API key id, or the trusted client IP before sign-in); it answers 429 with `Retry-After`
past the limit, and every counted response carries `RateLimit-*` headers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.security.refusals import refuse
from salesauto.security.windows import LocalWindows

if TYPE_CHECKING:
    from salesauto.config import Settings

log = structlog.get_logger(__name__)
Bucket = Callable[[Scope], tuple[str, str] | None]
KEY_PREFIX = "salesauto:ratelimit"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one counted request; times are whole seconds from now."""

    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # until the oldest request in the window leaves it
    retry_after: int  # 0 when allowed, else at least 1
    rule: str  # as configured: "100/15 minutes"


class RequestLimiter:
    """Moving windows of `default` (or `groups[group]`) requests per identity.

    With a Redis URL the windows are shared by every API process. If Redis cannot be reached
    the limiter keeps serving from an in-process window (each process then counts on its
    own, starting from zero), logs one warning per outage, and tries Redis again after
    `redis_retry_seconds`; requests are never refused because Redis is down. Without a URL
    (or with `memory://`) the in-process window is all there is.

    The groups in `per_process` are counted in this process's memory even with Redis: a flood
    guard sized in thousands of requests a second (provider webhooks), where a Redis round
    trip per request would cost more than the request it guards. With N API processes such a
    group admits up to N times its limit, each process guarding its own capacity.
    """

    def __init__(
        self,
        storage_uri: str | None,
        *,
        default: str,
        groups: dict[str, str],
        per_process: frozenset[str] = frozenset(),
        key_prefix: str = KEY_PREFIX,
        redis_timeout: float = 1.0,
        redis_retry_seconds: float = 30.0,
    ) -> None:
        # Bad notation fails at start-up, not on the first request.
        self._default = (default, parse(default))
        self._rules = {name: (rule, parse(rule)) for name, rule in groups.items()}
        self._key_prefix = key_prefix
        self._per_process = per_process
        self._local = LocalWindows()
        self._pool: ConnectionPool | None = None
        self._shared: MovingWindowRateLimiter | None = None
        if storage_uri and not storage_uri.startswith(("memory://", "async+memory://")):
            plain = storage_uri.removeprefix("async+")
            # Short timeouts: this runs on every request, and the fallback is better than waiting.
            self._pool = ConnectionPool.from_url(
                plain, socket_timeout=redis_timeout, socket_connect_timeout=redis_timeout
            )
            storage = RedisStorage(
                f"async+{plain}",
                wrap_exceptions=True,
                implementation="redispy",
                connection_pool=self._pool,  # type: ignore[arg-type]  # typed as scalars
            )
            self._shared = MovingWindowRateLimiter(storage)
        self._retry_seconds = redis_retry_seconds
        self._shared_down_until = 0.0
        self._degraded = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        return cls(
            redis_url,
            default=settings.rate_limit,
            groups=settings.rate_limit_groups,
            per_process=frozenset(settings.rate_limit_per_process_groups),
        )

    async def hit(self, group: str, identity: str) -> Verdict:
        """Count one request of `identity` in `group` and say whether it may go on."""
        rule, item = self._rules.get(group, self._default)
        ids = (self._key_prefix, group, identity)
        if group in self._per_process:
            allowed, reset_time, remaining = self._local.hit(item, *ids)
        else:
            allowed, reset_time, remaining = await self._count(item, ids)
        reset_after = max(0, math.ceil(reset_time - time.time()))
        return Verdict(
            allowed=allowed,
            limit=item.amount,
            remaining=max(0, remaining),
            reset_after=reset_after,
            retry_after=0 if allowed else max(1, reset_after),
            rule=rule,
        )

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def _count(self, item: RateLimitItem, ids: tuple[str, ...]) -> tuple[bool, float, int]:
        if self._shared is not None and time.monotonic() >= self._shared_down_until:
            try:
                counted = await self._count_shared(self._shared, item, ids)
            except (StorageError, RedisError, OSError) as error:
                self._shared_down_until = time.monotonic() + self._retry_seconds
                if not self._degraded:
                    self._degraded = True
                    log.warning(
                        "ratelimit.redis_unavailable",
                        error=type(error).__name__,
                        fallback="in-process window, per process",
                        retry_seconds=self._retry_seconds,
                    )
            else:
                if self._degraded:
                    self._degraded = False
                    log.info("ratelimit.redis_recovered")
                return counted
        return self._local.hit(item, *ids)

    @staticmethod
    async def _count_shared(
        strategy: MovingWindowRateLimiter, item: RateLimitItem, ids: tuple[str, ...]
    ) -> tuple[bool, float, int]:
        allowed = await strategy.hit(item, *ids)
        stats = await strategy.get_window_stats(item, *ids)
        return allowed, stats.reset_time, stats.remaining


class RateLimit:
    """Pure ASGI middleware counting each request `bucket` assigns to a (group, identity)."""

    def __init__(self, app: ASGIApp, limiter: RequestLimiter, *, bucket: Bucket) -> None:
        self.app = app
        self.limiter = limiter
        self.bucket = bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        counted = self.bucket(scope) if scope["type"] in ("http", "websocket") else None
        if counted is None:
            await self.app(scope, receive, send)
            return
        verdict = await self.limiter.hit(*counted)
        headers = {
            "RateLimit-Limit": str(verdict.limit),
            "RateLimit-Remaining": str(verdict.remaining),
            "RateLimit-Reset": str(verdict.reset_after),
        }
        if not verdict.allowed:
            await refuse(
                scope,
                receive,
                send,
                429,
                f"too many requests: the limit is {verdict.rule}; retry in {verdict.retry_after} s",
                headers={**headers, "Retry-After": str(verdict.retry_after)},
                details={"retryAfter": verdict.retry_after},
            )
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def client_ip(scope: Scope) -> str:
    """The caller's address as uvicorn's proxy-headers middleware left it (trusted hops only)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
