"""The security half of the settings, kept beside the code that reads it.

`Settings` inherits these fields, so they are read like every other `SALESAUTO_*` variable.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

# Values copied from examples must never become a working credential.
EXAMPLE_KEYS = frozenset(
    {"changeme", "change-me", "your-api-key", "your_api_key", "secret", "example", "test"}
)
MIN_FALLBACK_KEY_LENGTH = 32


class SecuritySettings(BaseModel):
    api_key: SecretStr | None = Field(
        None,
        description="Break-glass admin key from the environment (the seed's `.env` fallback). "
        "At least 32 random characters; the API refuses to start with a shorter or example "
        "value. Every use is logged. Prefer database keys (`salesauto keys create`).",
    )
    api_key_fallback_enabled: bool = Field(
        True, description="Accept `SALESAUTO_API_KEY` at all; set false to switch it off."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Server secret for session cookies, CSRF tokens, WebSocket tickets and the "
        "encryption of stored provider credentials. Required in production; in development a "
        "random one is kept in `<data_dir>/secret.key`.",
    )
    credential_key: SecretStr | None = Field(
        None,
        description="Key encrypting provider credentials stored through the API (any long "
        "random string). Empty: derived from `SALESAUTO_SECRET_KEY`.",
    )
    credential_keys_previous: list[SecretStr] = Field(
        default_factory=list,
        description="Earlier credential keys, still able to decrypt until `salesauto keys "
        "rotate-encryption` has re-encrypted every credential under the current one.",
    )
    key_cache_seconds: float = Field(
        30.0,
        ge=0,
        le=60,
        description="How long a verified API key is trusted without re-checking its Argon2 hash "
        "(a revoke purges it at once in this process; other processes within this time).",
    )
    key_hash_concurrency: int = Field(
        2, ge=1, le=64, description="Argon2 verifications running at once (each takes 64 MiB)."
    )
    rate_limit: str = Field(
        "100/15 minutes",
        description="Requests allowed per API key (per client IP when unauthenticated), in the "
        "`limits` notation: `100/15 minutes`, `10/second`.",
    )
    rate_limit_groups: dict[str, str] = Field(
        default_factory=lambda: {"webhooks": "3000/second", "auth": "20/minute"},
        description="Limits of route groups that differ from `rate_limit`: `webhooks` "
        "(provider deliveries, per provider), `auth` (sign-in attempts per IP), or an API area "
        "such as `contacts` or `jobs`.",
    )
    rate_limit_per_process_groups: list[str] = Field(
        default_factory=lambda: ["webhooks"],
        description="Groups each API process counts in its own memory even when Redis is set "
        "(with N processes such a group admits up to N times its limit). `webhooks` is a flood "
        "guard at thousands of deliveries a second, where a Redis round trip per delivery "
        "would cost more than storing it. `[]` shares every group through Redis.",
    )
    rate_limit_enabled: bool = Field(True, description="Switch request rate limiting off.")
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]", "::1"],
        description="Host headers the API answers (400 otherwise); the host of "
        "`public_base_url` is added automatically. `*` allows any (not for production).",
    )
    forwarded_allow_ips: list[str] = Field(
        default_factory=lambda: ["127.0.0.1"],
        description="Proxies whose X-Forwarded-For/-Proto headers are trusted (addresses or "
        "CIDR). Headers from anyone else are ignored.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API with credentials "
        "(https://app.example.com). Never a wildcard.",
    )
    require_https: bool = Field(
        False,
        description="Refuse plain-HTTP API calls (400, never a redirect: the key already went "
        "out in clear), redirect browser routes to HTTPS and send HSTS.",
    )
    hsts_seconds: int = Field(
        31_536_000, ge=0, description="max-age of Strict-Transport-Security when HTTPS is on."
    )
    max_body_kb: int = Field(
        1024, ge=1, le=102_400, description="Largest JSON request body (413 above it)."
    )
    max_json_depth: int = Field(
        32, ge=2, le=1000, description="Deepest nesting of a JSON request body (422 above it)."
    )
    metrics_require_key: bool = Field(
        False, description="Require an API key with `admin` scope for /metrics."
    )
    session_hours: float = Field(
        12.0, gt=0, le=24 * 30, description="Lifetime of a dashboard session cookie."
    )

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_origin(cls, origins: list[str]) -> list[str]:
        # With credentials allowed, `*` would make Starlette reflect any origin.
        for origin in origins:
            if "*" in origin or origin == "null" or not origin.startswith(("https://", "http://")):
                raise ValueError(
                    "cors_origins must be exact origins like https://app.example.com, "
                    f"not {origin!r}"
                )
        return [origin.rstrip("/") for origin in origins]
