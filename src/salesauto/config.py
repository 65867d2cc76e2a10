"""One settings class for the whole platform (environment, `.env`, `SALESAUTO_` prefix)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from salesauto.ai.settings import AiSettings
from salesauto.mcp_server.settings import McpSettings
from salesauto.security.settings import SecuritySettings

DEFAULT_DATA_DIR = Path(".salesauto")
EnrichmentSource = Literal["explorium", "apollo"]
ENRICHMENT_SOURCES: tuple[EnrichmentSource, ...] = ("explorium", "apollo")


def _env(name: str) -> AliasChoices:
    """Accept `SALESAUTO_<NAME>` and the vendor's usual `<NAME>`, plus the field name."""
    return AliasChoices(f"SALESAUTO_{name}", name, name.lower())


class Settings(SecuritySettings, AiSettings, McpSettings, BaseSettings):
    """Every knob of salesauto. Read from the environment (`SALESAUTO_*`) and `.env`.

    The security fields live in `security/settings.py`, the AI ones in `ai/settings.py`,
    the MCP server's in `mcp_server/settings.py`.
    """

    model_config = SettingsConfigDict(
        env_prefix="SALESAUTO_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    environment: str = Field(
        "development",
        description="Deployment environment: `development`, `test` or `production`.",
    )
    data_dir: Path = Field(
        DEFAULT_DATA_DIR,
        description="Folder for the embedded SQLite database and local state.",
    )
    database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy async URL, e.g. `postgresql+asyncpg://user@host/db`. "
            "Empty means the embedded SQLite file `<data_dir>/salesauto.db`."
        ),
    )
    database_pool_size: int = Field(10, ge=1, description="PostgreSQL connection pool size.")
    redis_url: SecretStr | None = Field(
        None, description="Optional Redis URL (`redis://host:6379/0`), checked by /health/ready."
    )

    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(3000, ge=1, le=65535, description="Port the API listens on.")
    log_level: str = Field("INFO", description="Log level: DEBUG, INFO, WARNING or ERROR.")
    log_json: bool = Field(
        False, description="Log one JSON object per line (production) instead of console lines."
    )

    worker_concurrency: int = Field(
        128, ge=1, le=1000, description="Jobs one worker process runs at the same time."
    )
    worker_in_process: bool = Field(
        True, description="Run a worker and the scheduler inside `salesauto serve`."
    )
    job_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="How long a claimed job stays owned without a heartbeat (renewed every third).",
    )
    job_sweep_seconds: float = Field(
        5.0, gt=0, description="How often each worker returns jobs with expired leases."
    )
    job_poll_seconds: float | None = Field(
        None,
        gt=0,
        description="Idle poll interval; default 0.1 s on SQLite and 1 s on PostgreSQL (NOTIFY).",
    )
    job_max_attempts: int = Field(5, ge=1, le=100, description="Default attempts per job.")
    job_retry_base_seconds: float = Field(
        5.0, gt=0, description="First retry delay; doubles each attempt, jittered ±20 %."
    )
    job_retry_max_seconds: float = Field(3600.0, gt=0, description="Cap on one retry delay.")
    job_shutdown_grace_seconds: float = Field(
        25.0,
        ge=0,
        description="On SIGTERM, how long in-flight jobs may finish before they are re-queued.",
    )
    job_retention_days: float = Field(
        7.0, gt=0, description="Finished jobs older than this are pruned (hourly cron)."
    )
    event_retention_hours: float = Field(
        24.0, gt=0, description="Job events kept for WebSocket replay after reconnect."
    )
    job_modules: list[str] = Field(
        default_factory=list,
        description="Extra Python modules to import at start; they register job handlers.",
    )

    import_max_upload_mb: int = Field(
        1024, ge=1, le=100_000, description="Largest CSV upload accepted (413 above it)."
    )
    import_batch_rows: int = Field(
        5000, ge=100, le=50_000, description="Rows merged per database transaction on import."
    )

    # Providers. Each reads the name users already have (`HUBSPOT_ACCESS_TOKEN`) or the
    # `SALESAUTO_` one; a provider without credentials runs against the built-in sandbox.
    hubspot_access_token: SecretStr | None = Field(
        None,
        validation_alias=_env("HUBSPOT_ACCESS_TOKEN"),
        description="HubSpot private-app or OAuth access token; empty means the sandbox.",
    )
    hubspot_base_url: str | None = Field(
        None,
        validation_alias=_env("HUBSPOT_BASE_URL"),
        description="HubSpot API base URL (default https://api.hubapi.com).",
    )
    hubspot_client_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("HUBSPOT_CLIENT_SECRET"),
        description="HubSpot app client secret: verifies webhook signatures (v1, v2, v3).",
    )
    hubspot_requests_per_10s: int = Field(
        100,
        ge=1,
        le=1000,
        validation_alias=_env("HUBSPOT_REQUESTS_PER_10S"),
        description="HubSpot burst limit per 10 s: 100 (Free/Starter), 190 (Pro/Enterprise).",
    )
    lemlist_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("LEMLIST_API_KEY"),
        description="lemlist API key; empty means the sandbox.",
    )
    lemlist_base_url: str | None = Field(
        None,
        validation_alias=_env("LEMLIST_BASE_URL"),
        description="lemlist API base URL (default https://api.lemlist.com/api).",
    )
    explorium_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("EXPLORIUM_API_KEY"),
        description="Explorium API key; empty means the sandbox.",
    )
    explorium_base_url: str | None = Field(
        None,
        validation_alias=_env("EXPLORIUM_BASE_URL"),
        description="Explorium API base URL (default https://api.explorium.ai).",
    )
    apollo_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("APOLLO_API_KEY"),
        description="Apollo API key; empty means the sandbox.",
    )
    apollo_base_url: str | None = Field(
        None,
        validation_alias=_env("APOLLO_BASE_URL"),
        description="Apollo API base URL (default https://api.apollo.io/api/v1).",
    )
    apollo_requests_per_minute: int = Field(
        200,
        ge=1,
        le=10000,
        validation_alias=_env("APOLLO_REQUESTS_PER_MINUTE"),
        description="Apollo per-endpoint limit per minute for your plan (200 on Basic).",
    )
    apollo_requests_per_hour: int = Field(
        400,
        ge=1,
        le=1_000_000,
        validation_alias=_env("APOLLO_REQUESTS_PER_HOUR"),
        description="Apollo per-endpoint limit per hour for your plan (400 Basic, 600 Pro).",
    )
    provider_timeout_seconds: float = Field(
        30.0, gt=0, description="Timeout of one provider HTTP call."
    )
    provider_max_attempts: int = Field(
        6, ge=1, le=20, description="Attempts per provider call on 429, 502-504 and network errors."
    )
    provider_max_retry_wait_seconds: float = Field(
        120.0,
        gt=0,
        description="Longest single wait a call accepts; a longer Retry-After fails the call.",
    )
    provider_breaker_failures: int = Field(
        5, ge=1, description="Consecutive provider failures that open its circuit breaker."
    )
    provider_breaker_reset_seconds: float = Field(
        30.0, gt=0, description="How long an open breaker waits before one probe call."
    )
    sandbox_enabled: bool = Field(
        True,
        description=(
            "Use the provider emulators (mounted at /sandbox/<vendor>) for providers without "
            "keys. Off by default when environment is `production`."
        ),
    )
    sandbox_url: str | None = Field(
        None,
        description=(
            "Where a standalone `salesauto sandbox` listens (e.g. http://127.0.0.1:3100); "
            "empty means the sandbox mounted in this API."
        ),
    )
    sandbox_seed: int = Field(
        42, description="Seed of the sandbox's synthetic companies and people (reproducible)."
    )
    sandbox_time_scale: float = Field(
        60.0,
        gt=0,
        description="How much faster than real time the sandbox's lemlist engagement unfolds.",
    )

    # -- lead pipeline: each step's defaults; a request can override every one -------------
    auto_enrich: bool = Field(
        True, description="Enrich contacts as soon as discovery or an import step stores them."
    )
    auto_sync: bool = Field(True, description="Write contacts to HubSpot once enriched.")
    auto_outreach: bool = Field(
        False,
        description="Enroll contacts in `outreach_campaign_id` once synced (off: sending "
        "email is a decision a person makes).",
    )
    outreach_campaign_id: str | None = Field(
        None, description="The lemlist campaign (cam_…) auto-outreach enrolls contacts in."
    )
    outreach_daily_cap: int = Field(
        200, ge=1, le=100_000, description="New enrollments per campaign per UTC day."
    )
    enrichment_order: list[EnrichmentSource] = Field(
        default_factory=lambda: list(ENRICHMENT_SOURCES),
        min_length=1,
        description="The enrichment waterfall: providers asked in turn for what is missing.",
    )
    enrichment_cache_days: float = Field(
        30.0, ge=0, description="How long a provider's answer is reused instead of bought again."
    )
    enrichment_credit_budget: int = Field(
        1000, ge=0, description="Provider lookups one enrichment job may buy (cache hits are free)."
    )
    hubspot_overwrite: Literal["never", "always"] = Field(
        "never",
        description="Whether a sync may replace a non-empty HubSpot value (`never` only fills "
        "empty properties).",
    )
    hubspot_field_mapping: dict[str, str] = Field(
        default_factory=dict,
        description='Contact field → HubSpot property overrides, e.g. {"title": "jobtitle"}; '
        "`data.<key>` maps an extra field.",
    )
    pipeline_item_retries: int = Field(
        5, ge=0, le=20, description="Rounds a provider outage's items are retried, with backoff."
    )
    pipeline_retry_base_seconds: float = Field(
        30.0, gt=0, description="First wait before an outage's items are retried (doubles)."
    )

    # -- webhooks: provider events in, orphans retried, dead letters kept --------------------
    public_base_url: str | None = Field(
        None,
        description="The URL providers reach this API at (https://sales.example.com): webhook "
        "URLs are built from it and HubSpot signatures are checked against it, never against "
        "request headers.",
    )
    webhook_max_body_kb: int = Field(
        256, ge=1, le=10_240, description="Largest webhook body accepted (413 above it)."
    )
    webhook_orphan_max_attempts: int = Field(
        8,
        ge=1,
        le=50,
        description="Tries for an event whose enrollment is unknown before it becomes a dead "
        "letter (the first try included).",
    )
    webhook_orphan_base_delay_seconds: float = Field(
        30.0, gt=0, description="Wait before an orphaned event's first retry (doubles each time)."
    )
    webhook_orphan_degraded_depth: int = Field(
        1000, ge=0, description="/health/ready says degraded when more events wait as orphans."
    )
    dead_letter_degraded_count: int = Field(
        100, ge=0, description="/health/ready says degraded when more dead letters are pending."
    )
    webhook_receipt_retention_days: float = Field(
        30.0,
        gt=0,
        description="Processed webhook receipts older than this are deleted (daily); orphans, "
        "dead and failed ones are kept.",
    )
    redis_key_prefix: str = Field(
        "salesauto",
        min_length=1,
        max_length=64,
        description="Prefix of the Redis keys this deployment writes (the orphaned-event "
        "lists), so several deployments can share one Redis.",
    )
    lemlist_polling: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Read lemlist's activities every minute as a fallback for webhooks: `auto` "
        "polls while the workspace has no lemlist hook registered, `on` always (deduplicated "
        "against webhook deliveries), `off` never.",
    )
    lemlist_poll_lookback_hours: float = Field(
        24.0,
        gt=0,
        le=24 * 90,
        description="How far back the first lemlist poll reads activities (later polls go on "
        "from their cursor).",
    )

    @model_validator(mode="after")
    def _no_sandbox_in_production(self) -> Settings:
        # The sandbox's control routes can inject outages; production must opt in explicitly.
        if self.environment == "production" and "sandbox_enabled" not in self.model_fields_set:
            self.sandbox_enabled = False
        return self

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'salesauto.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def poll_seconds(self) -> float:
        if self.job_poll_seconds is not None:
            return self.job_poll_seconds
        return 0.1 if self.is_sqlite else 1.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
