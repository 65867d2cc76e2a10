"""Per-emulator state: universe lookups, per-key per-endpoint fixed windows, credits, call log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from salesauto.integrations.sandbox.kit import Decision, FixedWindow
from salesauto.integrations.sandbox.universe import Company, Person, Universe, normalise_domain

SINGLE_ENRICHMENT = frozenset({"people/match", "organizations/enrich"})
BULK_ENRICHMENT = frozenset({"people/bulk_match", "organizations/bulk_enrich"})


@dataclass
class EndpointLimits:
    minute: FixedWindow
    hour: FixedWindow


@dataclass
class Verdict:
    endpoint: str
    minute: Decision
    hour: Decision | None

    @property
    def allowed(self) -> bool:
        return self.minute.allowed and (self.hour is None or self.hour.allowed)


@dataclass
class ApolloState:
    universe: Universe
    per_minute: int
    minute_seconds: float = 60.0
    # Per endpoint per hour (Basic/Organization plans: 400); bulk endpoints get a tenth.
    per_hour: int = 400
    credits_consumed: int = 0
    calls: list[tuple[str, int]] = field(default_factory=list)
    _limits: dict[str, EndpointLimits] = field(default_factory=dict)
    _by_name: dict[str, Company] = field(default_factory=dict)
    _companies_by_linkedin: dict[str, Company] = field(default_factory=dict)
    _people_by_linkedin: dict[str, Person] = field(default_factory=dict)
    _people_by_hash: dict[str, Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for company in self.universe.companies:
            self._by_name.setdefault(company.name.lower(), company)
            self._companies_by_linkedin[_slug(company.linkedin_url)] = company
        for person in self.universe.people:
            self._people_by_linkedin[_slug(person.linkedin_url)] = person

    def reset(self) -> None:
        self._limits.clear()
        self.calls.clear()
        self.credits_consumed = 0

    def limit_for(self, endpoint: str) -> int:
        """Requests per minute on `endpoint`: bulk enrichment gets a tenth of single."""
        if endpoint in BULK_ENRICHMENT:
            return max(1, self.per_minute // 10)
        return self.per_minute

    def _hourly_for(self, endpoint: str) -> int:
        if endpoint in BULK_ENRICHMENT:
            return max(1, self.per_hour // 10)
        return self.per_hour

    def hit(self, key: str, endpoint: str) -> Verdict:
        """Count one request of `key` on `endpoint` in its minute and hour windows."""
        limits = self._limits.get(endpoint)
        if limits is None:
            amount = self.limit_for(endpoint)
            limits = EndpointLimits(
                FixedWindow(amount, self.minute_seconds),
                FixedWindow(self._hourly_for(endpoint), self.minute_seconds * 60),
            )
            self._limits[endpoint] = limits
        minute = limits.minute.hit(key)
        if not minute.allowed:
            return Verdict(endpoint, minute, None)
        return Verdict(endpoint, minute, limits.hour.hit(key))

    def log_call(self, endpoint: str, items: int) -> None:
        self.calls.append((endpoint, items))

    def company(
        self, domain: str | None = None, name: str | None = None, linkedin_url: str | None = None
    ) -> Company | None:
        if domain:
            found = self.universe.company_for(domain)
            if found:
                return found
        if linkedin_url:
            found = self._companies_by_linkedin.get(_slug(linkedin_url))
            if found:
                return found
        if name:
            return self._by_name.get(name.strip().lower())
        return None

    def person_by_linkedin(self, url: str) -> Person | None:
        return self._people_by_linkedin.get(_slug(url))

    def person_by_hash(self, digest: str) -> Person | None:
        if not self._people_by_hash:
            for person in self.universe.people:
                for algorithm in (hashlib.md5, hashlib.sha256):
                    self._people_by_hash[algorithm(person.email.encode()).hexdigest()] = person
        return self._people_by_hash.get(digest.strip().lower())


def _slug(url: str) -> str:
    return normalise_domain(url) + "/" + url.rstrip("/").rsplit("/", 1)[-1].lower()
