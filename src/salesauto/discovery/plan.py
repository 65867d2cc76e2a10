"""A discovery run's inputs (the plan) and what it counted (the tally)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from salesauto.discovery.profile import IcpProfile
from salesauto.pipeline.enrichment_cache import CachePolicy

T = TypeVar("T")
Writer = Callable[[Callable[[], Awaitable[T]]], Awaitable[T]]


@dataclass
class DiscoveryPlan:
    owner_id: str
    job_id: int
    icp: IcpProfile
    query: str | None
    count: int
    providers: list[str]
    # Firmographics stored since then are reused instead of bought again.
    fresh_after: datetime
    now: datetime
    # How long a provider's answer (or a miss) is remembered: a revealed email by the
    # provider's person id, a company's firmographics by its domain.
    cache: CachePolicy


@dataclass
class DiscoveryTally:
    companies_found: int = 0
    companies_suppressed: int = 0
    people_found: int = 0
    stored: int = 0
    existing: int = 0
    suppressed: int = 0
    without_email: int = 0
    exclusions: Counter[str] = field(default_factory=Counter)
    unavailable: dict[str, str] = field(default_factory=dict)
    # Providers whose search stopped at the most companies a run looks at.
    capped: list[str] = field(default_factory=list)
    # No company carried the query's words as keywords: the profile alone was searched.
    query_ignored: bool = False

    @property
    def leads(self) -> int:
        return self.stored + self.existing
