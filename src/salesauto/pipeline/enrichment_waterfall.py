"""The enrichment waterfall: each provider in turn, asked only for what is still missing.

For every provider of the order, a chunk's contacts are first looked up in the cache; what
the cache does not hold is bought, in the provider's bulk sizes, while the job's credit budget
lasts. A person is complete once a provider matched it and its title and LinkedIn URL are
known; a company once a provider matched it with an industry and a size. Only the incomplete
go on to the next provider. A provider failure stops the affected contacts for this run
(their answers bought so far stay cached, so a retry pays for nothing twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from salesauto.integrations.capabilities import EnrichmentProvider
from salesauto.integrations.models import CompanyProfile, PersonLookup, PersonProfile
from salesauto.jobs.queue import Queue
from salesauto.kit.time import utcnow
from salesauto.pipeline.contacts import describe, is_transient
from salesauto.pipeline.enrichment_cache import (
    CachePolicy,
    ProfileT,
    cached_answers,
    remember_answers,
)


@dataclass
class CreditBudget:
    """Lookups a job may buy. Once one contact could not be paid for, nothing more is bought:
    the contacts after it are left for a later job, in order."""

    limit: int
    spent: int = 0
    exhausted: bool = False

    def afford(self, credits: int) -> bool:
        if credits == 0:
            return True
        if self.exhausted or self.spent + credits > self.limit:
            self.exhausted = True
            return False
        self.spent += credits
        return True

    def refund(self, credits: int) -> None:
        """Credits of lookups a failed call never made."""
        self.spent -= credits


@dataclass
class Subject:
    """One contact going down the waterfall, and what each provider said about it."""

    email: str
    lookup: PersonLookup
    stored_domain: str | None
    stored_title: str | None = None
    stored_linkedin: str | None = None
    people: dict[str, PersonProfile | None] = field(default_factory=dict)
    # The provider the budget could not pay for: from there on only the cache serves it.
    short_at: str | None = None
    error: str | None = None
    transient: bool = False

    @classmethod
    def of(cls, row: dict[str, Any]) -> Subject:
        return cls(
            email=row["email"],
            lookup=PersonLookup(
                email=row["email"],
                first_name=row.get("first_name"),
                last_name=row.get("last_name"),
                company_domain=row.get("company_domain"),
                company_name=row.get("company_name"),
                linkedin_url=row.get("linkedin_url"),
            ),
            stored_domain=row.get("company_domain"),
            stored_title=row.get("title"),
            stored_linkedin=row.get("linkedin_url"),
        )

    @property
    def matches(self) -> list[PersonProfile]:
        return [profile for profile in self.people.values() if profile is not None]

    @property
    def company_domain(self) -> str | None:
        """The stored domain, else the first one a provider gave for the person."""
        if self.stored_domain:
            return self.stored_domain
        return next((p.company_domain for p in self.matches if p.company_domain), None)

    def person_complete(self) -> bool:
        matches = self.matches
        title = self.stored_title or any(p.title for p in matches)
        linkedin = self.stored_linkedin or any(p.linkedin_url for p in matches)
        return bool(matches) and bool(title) and bool(linkedin)

    def fail(self, error: Exception) -> None:
        if self.error is None:
            self.error, self.transient = describe(error), is_transient(error)


# What each provider said about each company domain, in the order they were asked.
CompanyAnswers = dict[str, dict[str, CompanyProfile | None]]


def company_complete(answers: dict[str, CompanyProfile | None]) -> bool:
    matches = [profile for profile in answers.values() if profile is not None]
    industry = any(profile.industry for profile in matches)
    size = any(profile.employee_range or profile.employees for profile in matches)
    return industry and size


class Waterfall:
    """Runs chunks of contacts down the providers; one instance per job (one budget)."""

    def __init__(
        self,
        queue: Queue,
        providers: list[EnrichmentProvider],
        budget: CreditBudget,
        policy: CachePolicy,
    ) -> None:
        self.queue = queue
        self.providers = providers
        self.budget = budget
        self.policy = policy

    async def enrich(self, subjects: list[Subject]) -> CompanyAnswers:
        """Fill each subject's `people` and return the companies' answers, by domain."""
        companies: CompanyAnswers = {}
        for provider in self.providers:
            await self._ask(provider, subjects, companies)
        return companies

    async def _ask(
        self, provider: EnrichmentProvider, subjects: list[Subject], companies: CompanyAnswers
    ) -> None:
        name = provider.name
        alive = [subject for subject in subjects if subject.error is None]
        incomplete = [subject for subject in alive if not subject.person_complete()]
        cached = await self._cached(name, PersonProfile, [s.email for s in incomplete])
        for subject in incomplete:
            if subject.email in cached:
                subject.people[name] = cached[subject.email]
        wanted = await self._companies_to_buy(name, alive, companies)
        # In contact order, each contact pays for its person and, first at it, its company.
        needs_person = {subject.email for subject in incomplete if name not in subject.people}
        buyers: list[Subject] = []
        paid: list[str] = []
        for subject in alive:
            domain = subject.company_domain
            company = domain if domain in wanted and domain not in paid else None
            person = subject.email in needs_person
            if not self._pays(subject, name, int(person) + int(company is not None)):
                continue
            if person:
                buyers.append(subject)
            if company is not None:
                paid.append(company)
        await self._buy_people(provider, buyers)
        # Domains this provider's person answers just revealed are paid for now.
        survivors = [subject for subject in alive if subject.error is None]
        revealed = await self._companies_to_buy(name, survivors, companies, known=wanted)
        for domain, members in revealed.items():
            if self._pays(members[0], name, 1):
                paid.append(domain)
        wanted |= revealed
        # A company whose contacts all failed meanwhile is no longer worth buying.
        useful = [d for d in paid if any(member.error is None for member in wanted[d])]
        self.budget.refund(len(paid) - len(useful))
        await self._buy_companies(provider, useful, wanted, companies)

    def _pays(self, subject: Subject, provider: str, credits: int) -> bool:
        if credits == 0:
            return True
        if subject.short_at is not None:
            return False
        if not self.budget.afford(credits):
            subject.short_at = provider
            return False
        return True

    async def _companies_to_buy(
        self,
        provider: str,
        subjects: list[Subject],
        companies: CompanyAnswers,
        known: dict[str, list[Subject]] | None = None,
    ) -> dict[str, list[Subject]]:
        """Incomplete companies of `subjects` `provider` was not asked about (besides `known`),
        with their contacts; those the cache answers are served from it and left out."""
        wanted: dict[str, list[Subject]] = {}
        for subject in subjects:
            domain = subject.company_domain
            if not domain or (known is not None and domain in known):
                continue
            answers = companies.setdefault(domain, {})
            if provider not in answers and not company_complete(answers):
                wanted.setdefault(domain, []).append(subject)
        cached = await self._cached(provider, CompanyProfile, list(wanted))
        for domain, answer in cached.items():
            companies[domain][provider] = answer
            del wanted[domain]
        return wanted

    async def _buy_companies(
        self,
        provider: EnrichmentProvider,
        domains: list[str],
        members: dict[str, list[Subject]],
        companies: CompanyAnswers,
    ) -> None:
        if not domains:
            return
        try:
            found = await provider.enrich_companies(domains)
        except Exception as error:  # the chunk's contacts fail; the job goes on (see `fail`)
            self.budget.refund(len(domains))
            for domain in domains:
                for subject in members[domain]:
                    subject.fail(error)
            return
        answers = [(domain, found.get(domain)) for domain in domains]
        for domain, answer in answers:
            companies[domain][provider.name] = answer
        await self._remember(provider.name, CompanyProfile, answers)

    async def _buy_people(self, provider: EnrichmentProvider, subjects: list[Subject]) -> None:
        if not subjects:
            return
        try:
            found = await provider.enrich_people([subject.lookup for subject in subjects])
        except Exception as error:  # the chunk's contacts fail; the job goes on (see `fail`)
            self.budget.refund(len(subjects))
            for subject in subjects:
                subject.fail(error)
            return
        for subject, answer in zip(subjects, found, strict=True):
            subject.people[provider.name] = answer
        emails = [subject.email for subject in subjects]
        await self._remember(provider.name, PersonProfile, list(zip(emails, found, strict=True)))

    async def _cached(
        self, provider: str, model: type[ProfileT], identities: list[str]
    ) -> dict[str, ProfileT | None]:
        async with self.queue.engine.connect() as conn:
            return await cached_answers(
                conn, provider, model, identities, self.policy, now=utcnow()
            )

    async def _remember(
        self, provider: str, model: type[ProfileT], answers: list[tuple[str, ProfileT | None]]
    ) -> None:
        # Stored as soon as bought: a failure later in the chunk must not waste the purchase.
        async def write() -> None:
            async with self.queue.engine.begin() as conn:
                await remember_answers(conn, provider, model, answers, self.policy, now=utcnow())

        await self.queue.write(write)
