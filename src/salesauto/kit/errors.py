"""Typed errors with messages a user can act on; the API maps them to 4xx responses."""

from __future__ import annotations


class SalesautoError(Exception):
    """Base of every error a caller can fix; `status_code` is what the API answers."""

    status_code = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(SalesautoError):
    status_code = 404


class Conflict(SalesautoError):
    status_code = 409


class InvalidInput(SalesautoError):
    status_code = 422
