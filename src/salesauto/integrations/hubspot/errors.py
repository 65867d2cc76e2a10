"""HubSpot-specific typed errors, all `ProviderError`s so generic handlers still catch them."""

from __future__ import annotations

import re

from salesauto.integrations.http.errors import ProviderError, ProviderRejected
from salesauto.integrations.hubspot.schemas import BatchError

EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")


def existing_id(error: ProviderRejected) -> str | None:
    """The id HubSpot names in a 409 `... Existing ID: 12345` message, if any."""
    body = error.body
    message = str(body.get("message", "")) if isinstance(body, dict) else str(body)
    found = EXISTING_ID.search(message)
    return found.group(1) if found else None


class HubSpotObjectExists(ProviderRejected):
    """409 on create: a record with that unique value (e.g. email) exists as `existing_id`."""

    def __init__(self, rejected: ProviderRejected, existing: str) -> None:
        super().__init__(
            rejected.provider,
            f"HubSpot already has this record (id {existing}); update it instead of creating.",
            status=409,
            body=rejected.body,
        )
        self.existing_id = existing
        self.details["existingId"] = existing


class HubSpotSearchWindowExceeded(ProviderError):
    """A search matched more records than HubSpot will page through (10,000)."""

    status_code = 422

    def __init__(self, *, total: int, fetched: int, window: int) -> None:
        super().__init__(
            "hubspot",
            f"HubSpot search matched {total} records but can page through only the first "
            f"{window} ({fetched} fetched); narrow the filters (e.g. by createdate ranges) "
            "or pass truncate=True to accept the first window.",
            status=400,
            total=total,
            fetched=fetched,
        )
        self.total = total
        self.fetched = fetched


class HubSpotAssociationFailed(ProviderRejected):
    """Some associations of a batch were refused (unknown or archived records)."""

    def __init__(self, errors: list[BatchError], attempted: int) -> None:
        first = errors[0].message if errors else ""
        super().__init__(
            "hubspot",
            f"HubSpot refused {len(errors)} of {attempted} associations (first: {first}).",
            status=207,
            body=[error.model_dump() for error in errors],
        )
        self.errors = errors
