"""Per-provider metrics: requests, latency, status codes, retries, throttling, breaker state."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PROVIDER_REQUESTS = Counter(
    "salesauto_provider_requests_total",
    "Provider HTTP calls by provider and status code (`error` for network failures).",
    ["provider", "status"],
)
PROVIDER_LATENCY = Histogram(
    "salesauto_provider_request_duration_seconds",
    "Latency of one provider HTTP call (one attempt).",
    ["provider"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PROVIDER_RETRIES = Counter(
    "salesauto_provider_retries_total",
    "Provider calls retried, by provider and reason (429, 502, 503, 504, network…).",
    ["provider", "reason"],
)
PROVIDER_THROTTLED = Counter(
    "salesauto_provider_throttled_waits_total",
    "Times a call waited for the local rate limiter before it was sent.",
    ["provider"],
)
PROVIDER_THROTTLED_SECONDS = Counter(
    "salesauto_provider_throttled_seconds_total",
    "Seconds spent waiting for the local rate limiter or a provider's Retry-After.",
    ["provider"],
)
PROVIDER_CIRCUIT = Gauge(
    "salesauto_provider_circuit_state",
    "Circuit breaker per provider: 0 closed, 1 half-open, 2 open.",
    ["provider"],
)
