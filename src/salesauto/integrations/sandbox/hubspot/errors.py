"""HubSpot-shaped error bodies: `{status, message, correlationId, category, errors?, context?}`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from starlette.responses import JSONResponse, Response

CATEGORY_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    409: "CONFLICT",
    423: "LOCKED",
    429: "RATE_LIMITS",
}


class HubSpotApiError(Exception):
    """Raised by route code; the app renders it as HubSpot's error body with `status`."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str | None = None,
        *,
        errors: list[dict[str, object]] | None = None,
        context: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category or CATEGORY_BY_STATUS.get(status, "ERROR")
        self.errors = errors
        self.context = context

    def body(self) -> dict[str, object]:
        return error_body(self.message, self.category, errors=self.errors, context=self.context)

    def response(self) -> Response:
        return JSONResponse(self.body(), status_code=self.status)


def error_body(
    message: str,
    category: str,
    *,
    errors: list[dict[str, object]] | None = None,
    context: dict[str, list[str]] | None = None,
) -> dict[str, object]:
    body: dict[str, object] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    if errors is not None:
        body["errors"] = errors
    if context is not None:
        body["context"] = context
    return body


def rate_limit_response(policy: str, headers: Mapping[str, str] | None = None) -> Response:
    """The documented 429 body (API_CONTRACTS §1.10). HubSpot sends no `Retry-After` on REST
    429s, so neither do we: clients must wait according to `policyName`."""
    message = {
        "DAILY": "You have reached your daily limit.",
        "SECONDLY": "You have reached your secondly limit.",
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    }[policy]
    body = {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
        "category": "RATE_LIMITS",
    }
    return JSONResponse(body, status_code=429, headers=dict(headers or {}))


def sandbox_error_response(status: int, message: str, retry_after: float | None) -> Response:
    """Fault-injection errors for `SandboxKit`. A forced 429 is the kit's test knob, so it
    carries `Retry-After` (unlike the emulator's own limiter) plus a TEN_SECONDLY_ROLLING
    `policyName`, letting tests drive either the header path or the policy path."""
    body = error_body(message, CATEGORY_BY_STATUS.get(status, "ERROR"))
    headers: dict[str, str] = {}
    if status == 429:
        body.update(errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")
    if retry_after is not None:
        headers["Retry-After"] = f"{retry_after:g}"
    return JSONResponse(body, status_code=status, headers=headers)
