"""A circuit breaker per provider: stop calling a provider that is down, probe, recover."""

from __future__ import annotations

import time
from enum import IntEnum

from salesauto.integrations.http.errors import ProviderUnavailable
from salesauto.integrations.http.metrics import PROVIDER_CIRCUIT


class CircuitState(IntEnum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Opens after `failure_threshold` consecutive failures; after `reset_seconds` one probe
    call goes through (half-open): success closes the circuit, failure opens it again.

    Only outages count (network errors, timeouts, 5xx): a 4xx is the caller's problem and a 429
    is throttling, which the limiter and `Retry-After` handle.
    """

    def __init__(self, provider: str, *, failure_threshold: int, reset_seconds: float) -> None:
        self.provider = provider
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.state = CircuitState.CLOSED
        self.consecutive_failures = 0
        self.opened_at = 0.0
        self._probe_in_flight = False
        PROVIDER_CIRCUIT.labels(provider).set(0)

    def before_call(self) -> None:
        """Raise `ProviderUnavailable` unless a call may go out now."""
        if self.state is CircuitState.CLOSED:
            return
        if self.state is CircuitState.OPEN:
            remaining = self.opened_at + self.reset_seconds - time.monotonic()
            if remaining > 0:
                raise ProviderUnavailable(
                    self.provider,
                    f"{self.provider} is failing; calls are paused for {remaining:.0f} s more "
                    "(circuit breaker open). Check the provider's status page, then retry.",
                    retryAfter=round(remaining, 1),
                )
            self._set(CircuitState.HALF_OPEN)
        if self._probe_in_flight:
            raise ProviderUnavailable(
                self.provider,
                f"{self.provider} is recovering; one probe call is in flight, retry shortly.",
                retryAfter=1.0,
            )
        self._probe_in_flight = True

    def record_success(self) -> None:
        self.consecutive_failures = 0
        self._probe_in_flight = False
        if self.state is not CircuitState.CLOSED:
            self._set(CircuitState.CLOSED)

    def record_failure(self) -> None:
        self.consecutive_failures += 1
        was_probe = self._probe_in_flight
        self._probe_in_flight = False
        if was_probe or self.consecutive_failures >= self.failure_threshold:
            self.opened_at = time.monotonic()
            self._set(CircuitState.OPEN)

    def release(self) -> None:
        """The call ended without telling us anything about the provider's health (a 4xx)."""
        self._probe_in_flight = False

    def snapshot(self) -> dict[str, object]:
        return {
            "state": self.state.name.lower().replace("_", "-"),
            "consecutiveFailures": self.consecutive_failures,
        }

    def _set(self, state: CircuitState) -> None:
        self.state = state
        PROVIDER_CIRCUIT.labels(self.provider).set(int(state))
