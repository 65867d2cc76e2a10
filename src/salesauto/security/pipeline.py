"""The request pipeline in the seed's order, outermost first:

trusted host → forwarded headers (only from configured proxies) → request id and access log →
security headers → HTTPS only → CORS allowlist → body size and JSON guard → authentication
(API keys, then a WebSocket ticket or the dashboard session cookie; failures counted per client
IP) → rate limit per key → CSRF (session-cookie writes only) → the routes.

`add_middleware` wraps what is already there, so the calls below go innermost first.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from salesauto.config import Settings
from salesauto.observability.middleware import RequestLogMiddleware
from salesauto.security.authenticate import Authenticate, Authenticator, FallbackKey
from salesauto.security.csrf import CsrfGuard
from salesauto.security.guards import UPLOAD_PATHS, BodyGuard
from salesauto.security.headers import SecurityHeaders
from salesauto.security.https import HttpsOnly
from salesauto.security.principal import principal_of
from salesauto.security.ratelimit import Bucket, RateLimit, RequestLimiter, client_ip
from salesauto.security.session_endpoints import BrowserAuth

API_GROUP = "api"
WEBHOOKS_GROUP = "webhooks"
UNLIMITED_PREFIXES = ("/health", "/metrics", "/sandbox")
CORS_HEADERS = ["Authorization", "X-API-Key", "Content-Type", "X-CSRF-Token", "X-Request-Id"]
CORS_EXPOSED = ["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]


def install_request_pipeline(app: FastAPI, settings: Settings) -> RequestLimiter | None:
    """Wrap `app` in the pipeline; returns the rate limiter for the lifespan to close."""
    limiter = RequestLimiter.from_settings(settings) if settings.rate_limit_enabled else None
    fallback = fallback_key(settings)
    # Dashboard sessions, CSRF tokens and WebSocket tickets; the routes and /ws read it here.
    browser = BrowserAuth.build(
        settings, lambda: app.state.platform.engine, fallback_enabled=fallback is not None
    )
    app.state.browser_auth = browser
    app.add_middleware(CsrfGuard, tokens=browser.csrf, origins=browser.origins)
    if limiter is not None:
        app.add_middleware(RateLimit, limiter=limiter, bucket=bucket_for(settings))
    app.add_middleware(
        Authenticate,
        authenticator=Authenticator(lambda: app.state.platform.keys, fallback, browser.resolvers()),
        metrics_public=not settings.metrics_require_key,
        limiter=limiter,
    )
    app.add_middleware(
        BodyGuard,
        max_body_bytes=settings.max_body_kb * 1024,
        max_depth=settings.max_json_depth,
        multipart_paths=UPLOAD_PATHS,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
        )
    app.add_middleware(HttpsOnly, enabled=settings.require_https)
    app.add_middleware(
        SecurityHeaders, hsts_seconds=settings.hsts_seconds if settings.require_https else None
    )
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings), www_redirect=False
    )
    return limiter


def fallback_key(settings: Settings) -> FallbackKey | None:
    """The settings' break-glass key; a short or example value stops the start-up."""
    if settings.api_key is None or not settings.api_key_fallback_enabled:
        return None
    return FallbackKey(settings.api_key.get_secret_value())


def allowed_hosts(settings: Settings) -> list[str]:
    hosts = list(settings.allowed_hosts)
    if settings.public_base_url:
        public = urlsplit(settings.public_base_url).hostname
        if public and public not in hosts:
            hosts.append(public)
    return hosts


def bucket_for(settings: Settings) -> Bucket:
    groups = settings.rate_limit_groups

    def bucket(scope: Scope) -> tuple[str, str] | None:
        path: str = scope["path"]
        if path.startswith(UNLIMITED_PREFIXES):
            return None
        if path.startswith("/webhooks/"):
            # Per provider and sender: one flooding address cannot use up lemlist's allowance.
            provider = path.split("/")[2]
            return WEBHOOKS_GROUP, f"{provider}:{client_ip(scope)}"
        principal = principal_of(scope)
        area = path.split("/")[2] if path.startswith("/api/") else ""
        group = area if area in groups else API_GROUP
        if principal is None:
            return group, f"ip:{client_ip(scope)}"
        return group, f"key:{principal.key_id}"

    return bucket
