"""Typed provider errors. Messages name the provider and what to do; never a key or header."""

from __future__ import annotations

from salesauto.kit.errors import SalesautoError


class ProviderError(SalesautoError):
    """A provider call failed; `provider` is `hubspot`, `lemlist`, `explorium` or `apollo`."""

    status_code = 502

    def __init__(
        self, provider: str, message: str, *, status: int | None = None, **details: object
    ) -> None:
        super().__init__(message, provider=provider, **details)
        self.provider = provider
        self.status = status


class ProviderUnavailable(ProviderError):
    """The provider is down, unreachable or its circuit breaker is open: try again later."""

    status_code = 503


class ProviderRateLimited(ProviderError):
    """The provider kept answering 429 (or asked for a longer wait than we accept)."""

    status_code = 503

    def __init__(self, provider: str, message: str, *, retry_after: float | None) -> None:
        super().__init__(provider, message, status=429, retryAfter=retry_after)
        self.retry_after = retry_after


class ProviderAuthFailed(ProviderError):
    """401/403: the configured credentials are wrong, expired or lack a scope."""

    status_code = 502


class ProviderRejected(ProviderError):
    """The provider refused the request (400, 404, 409, 422…): the input must change.

    `body` is the provider's error body (JSON or text) so callers can act on it, e.g. HubSpot's
    `Existing ID:` on a 409.
    """

    status_code = 422

    def __init__(self, provider: str, message: str, *, status: int, body: object) -> None:
        super().__init__(provider, message, status=status, providerStatus=status)
        self.body = body
