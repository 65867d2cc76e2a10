"""Per-emulator state: the universe's indexes, the rate window, credits and a call log."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from salesauto.integrations.sandbox.kit import SlidingWindow
from salesauto.integrations.sandbox.universe import Company, Person, Universe, normalise_domain

# Explorium: 200 requests per minute per API key, sliding, shared by every endpoint.
REQUESTS_PER_WINDOW = 200
WINDOW_SECONDS = 60.0
# The sandbox account's credit budget (what `GET /v1/credits` reports).
CREDIT_BUDGET = 1_000_000


@dataclass
class CallRecord:
    path: str
    items: int


@dataclass
class ExploriumState:
    universe: Universe
    window: SlidingWindow = field(
        default_factory=lambda: SlidingWindow(REQUESTS_PER_WINDOW, WINDOW_SECONDS)
    )
    credits_used: int = 0
    calls: list[CallRecord] = field(default_factory=list)
    _by_name: dict[str, Company] = field(default_factory=dict)
    _companies_by_linkedin: dict[str, Company] = field(default_factory=dict)
    _people_by_linkedin: dict[str, Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for company in self.universe.companies:
            self._by_name.setdefault(company.name.lower(), company)
            self._companies_by_linkedin[_linkedin_key(company.linkedin_url)] = company
        for person in self.universe.people:
            self._people_by_linkedin[_linkedin_key(person.linkedin_url)] = person

    def reset(self) -> None:
        self.window.reset()
        self.credits_used = 0
        self.calls.clear()

    def log_call(self, path: str, items: int) -> None:
        self.calls.append(CallRecord(path, items))

    def spend(self, credits: int) -> None:
        self.credits_used += credits

    def company_by_domain(self, value: str | None) -> Company | None:
        return self.universe.company_for(value) if value else None

    def company_by_linkedin(self, url: str | None) -> Company | None:
        return self._companies_by_linkedin.get(_linkedin_key(url)) if url else None

    def company_by_name(self, name: str | None) -> Company | None:
        if not name:
            return None
        found = self._by_name.get(name.strip().lower())
        if found is None and "." in name:
            found = self.universe.company_for(name)
        return found

    def person_by_linkedin(self, url: str | None) -> Person | None:
        return self._people_by_linkedin.get(_linkedin_key(url)) if url else None


def _linkedin_key(url: str | None) -> str:
    return normalise_domain(url or "") + "/" + (url or "").rstrip("/").rsplit("/", 1)[-1].lower()


def response_context(started: float, status: str = "success") -> dict[str, Any]:
    return {
        "correlation_id": uuid.uuid4().hex,
        "request_status": status,
        "time_took_in_seconds": round(time.perf_counter() - started, 3),
    }


def enrichment_answer(
    state: ExploriumState, path: str, entity_id: str, data: Any, started: float
) -> dict[str, Any]:
    """A single `/enrich` answer: `miss` with `data: null` when the id is unknown."""
    state.log_call(path, 1)
    state.spend(1 if data else 0)
    return {
        "response_context": response_context(started, "success" if data else "miss"),
        "data": data,
        "entity_id": entity_id,
    }


def bulk_enrichment_answer(
    state: ExploriumState,
    path: str,
    id_key: str,
    requested: list[str],
    rows: dict[str, Any],
    started: float,
) -> dict[str, Any]:
    """A `/bulk_enrich` answer: one row per known id (`rows`), unknown ids left out."""
    state.log_call(path, len(requested))
    data = [{id_key: entity_id, "data": row} for entity_id, row in rows.items()]
    state.spend(len(data))
    return {
        "response_context": response_context(started, "success" if data else "miss"),
        "total_results": len(data),
        "data": data,
    }
