"""One resilient HTTP layer for every provider: limits, retries, breaker, metrics, redaction."""

from salesauto.integrations.http.breaker import CircuitBreaker
from salesauto.integrations.http.client import ProviderHttp, ProviderProfile
from salesauto.integrations.http.errors import (
    ProviderAuthFailed,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)
from salesauto.integrations.http.limiter import ProviderRateLimiter, RateLimit

__all__ = [
    "CircuitBreaker",
    "ProviderAuthFailed",
    "ProviderError",
    "ProviderHttp",
    "ProviderProfile",
    "ProviderRateLimited",
    "ProviderRateLimiter",
    "ProviderRejected",
    "ProviderUnavailable",
    "RateLimit",
]
