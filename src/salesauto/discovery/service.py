"""Discovery by ideal customer profile: find companies, keep those the profile wants, find the
people there, buy the emails needed, score and store the new leads.

Providers are searched in order (Explorium, then Apollo to top up); each company's people come
from the provider that found it, so their ids are native to the email reveal. Companies are
worked in rounds sized to the leads still needed, and emails are bought only for as many
people as the count still needs: a person we already store (known by provider id or LinkedIn
URL) costs nothing, and neither does anyone at a suppressed domain.

`count` is the number of leads a run delivers, new or already stored, best first: running
the same discovery again finds the same leads, stores nothing and reports them as existing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.discovery.filters import person_exclusion
from salesauto.discovery.plan import DiscoveryPlan, DiscoveryTally, Writer
from salesauto.discovery.profile import has_criteria
from salesauto.discovery.repository import (
    JOB_KEY,
    PERSON_ID_KEYS,
    KnownPerson,
    NewLead,
    job_leads,
    known_people,
    store_leads,
)
from salesauto.discovery.scoring import LeadScore, score_lead
from salesauto.discovery.screening import CompanyScreen
from salesauto.discovery.sources import LeadSources
from salesauto.imports.sources import facts_from
from salesauto.integrations.http.errors import ProviderError
from salesauto.integrations.models import CompanyProfile, PersonProfile
from salesauto.integrations.registry import ProviderNotConfigured
from salesauto.pipeline.contacts import describe, is_transient
from salesauto.pipeline.enrichment_cache import cached_answers, remember_answers
from salesauto.pipeline.steps import StepReport
from salesauto.suppressions.repository import suppressed

FIRST_COMPANIES = 25
MAX_COMPANIES = 2000
ROUND_COMPANIES = (10, 50)
# People asked for per company in a round: more than any title/seniority filter leaves.
PEOPLE_PER_COMPANY = 25


@dataclass
class Candidate:
    person: PersonProfile
    company: CompanyProfile
    signals: dict[str, str | None]
    score: LeadScore


class Discovery:
    def __init__(
        self,
        plan: DiscoveryPlan,
        sources: LeadSources,
        engine: AsyncEngine,
        write: Writer[Any],
        report: StepReport,
        progress: Callable[[DiscoveryTally], Awaitable[None]],
    ) -> None:
        self.plan = plan
        self.criteria = plan.icp.criteria(plan.query)
        # The query's words narrow the search when companies carry them as keywords; when
        # none does ("sales leaders" describes people), the profile alone is searched.
        loose = plan.icp.criteria(None)
        self.without_query = (
            loose if loose != self.criteria and has_criteria(plan.icp, None) else None
        )
        self.sources = sources
        self.engine = engine
        self.write = write
        self.report = report
        self.progress = progress
        self.tally = DiscoveryTally()
        self.screen = CompanyScreen(plan, sources, engine, write, self.tally)
        self.seen_domains: set[str] = set()
        self.seen_people: set[str] = set()
        self.seen_emails: set[str] = set()

    @property
    def needed(self) -> int:
        return self.plan.count - self.tally.leads

    async def run(self) -> DiscoveryTally:
        for name in self.plan.providers:
            if self.needed <= 0:
                break
            try:
                await self._search(name)
            except ProviderNotConfigured as error:
                self.tally.unavailable[name] = error.message
            except ProviderError as error:
                if is_transient(error):
                    raise  # the queue retries the job; what is stored stays stored
                self.tally.unavailable[name] = describe(error)
        await self._report_earlier_leads()
        return self.tally

    async def _report_earlier_leads(self) -> None:
        """Leads an earlier attempt of this job stored that this attempt's search did not
        return (the provider's results moved meanwhile): still this job's leads, so they are
        reported and go on down the chain like the others."""
        async with self.engine.connect() as conn:
            ours = await job_leads(conn, self.plan.owner_id, self.plan.job_id)
            missed = [email for email in ours if email not in self.report.outcomes]
            blocked = await suppressed(conn, self.plan.owner_id, missed)
        for email in missed:
            if email in blocked:
                self.report.record(email, "skipped", f"suppressed: {blocked[email]}")
                self.tally.suppressed += 1
            else:
                self.report.record(email, "done", data={"score": ours[email]})
                self.tally.stored += 1

    async def _search(self, name: str) -> None:
        """Companies from one provider, fetched again with a doubled limit while the leads
        are short and the provider has more (the first ones are already worked)."""
        limit = max(FIRST_COMPANIES, min(MAX_COMPANIES, self.plan.count // 2))
        while True:
            companies = await self.sources.find_companies(name, self.criteria, limit=limit)
            if not companies and self.without_query is not None:
                self.criteria, self.without_query = self.without_query, None
                self.tally.query_ignored = True
                continue
            new = [c for c in companies if c.domain not in self.seen_domains]
            self.seen_domains.update(company.domain for company in new)
            self.tally.companies_found += len(new)
            start = 0
            while start < len(new) and self.needed > 0:
                size = max(ROUND_COMPANIES[0], min(ROUND_COMPANIES[1], self.needed))
                await self._work(name, new[start : start + size])
                start += size
            if self.needed <= 0 or len(companies) < limit:
                return
            if limit >= MAX_COMPANIES:
                self.tally.capped.append(name)
                return
            limit = min(MAX_COMPANIES, limit * 2)

    async def _work(self, name: str, companies: list[CompanyProfile]) -> None:
        kept = await self.screen.screen(name, companies)
        if not kept:
            return
        people = await self.sources.find_people(
            name,
            self.criteria,
            domains=list(kept),
            limit=len(kept) * PEOPLE_PER_COMPANY,
        )
        candidates: list[Candidate] = []
        for person in people:
            # Both providers' search rows carry their person id; one seen already was found
            # again by a later, wider search.
            if not person.provider_id or person.provider_id in self.seen_people:
                continue
            self.seen_people.add(person.provider_id)
            self.tally.people_found += 1
            found = kept.get(person.company_domain or "")
            if found is None:
                continue
            reason = person_exclusion(person, self.criteria, self.plan.icp.exclusions)
            if reason is not None:
                self.tally.exclusions[reason] += 1
                continue
            company, signals = found
            score = score_lead(self.criteria, company, person, signals=signals)
            candidates.append(Candidate(person, company, signals, score))
        # Best first: the count is filled with the leads that fit the profile most.
        candidates.sort(key=lambda candidate: -candidate.score.score)
        await self._take(name, candidates)

    async def _take(self, name: str, candidates: list[Candidate]) -> None:
        """Walk the candidates in order until the count is met: people already stored take
        their place for free, the others are revealed in batches of what is still needed."""
        async with self.engine.connect() as conn:
            known = await known_people(
                conn, self.plan.owner_id, list({c.company.domain for c in candidates})
            )
        pending: list[Candidate] = []
        for candidate in candidates:
            if pending and len(pending) >= self.needed:
                await self._reveal_and_store(name, pending)
                pending = []
            if self.needed <= 0:
                return
            stored = known.recognise(candidate.person)
            if stored is None:
                pending.append(candidate)
            elif stored.email not in self.seen_emails:
                self.seen_emails.add(stored.email)
                self._record_known(stored, candidate)
        if pending:
            await self._reveal_and_store(name, pending)

    def _record_known(self, stored: KnownPerson, candidate: Candidate) -> None:
        if stored.job_id == self.plan.job_id:
            # Stored by an earlier attempt of this job: still this run's lead.
            score = stored.score if stored.score is not None else candidate.score.score
            self.report.record(stored.email, "done", data={"score": score})
            self.tally.stored += 1
        else:
            self.report.record(stored.email, "skipped", "already a stored contact")
            self.tally.existing += 1

    async def _reveal_and_store(self, name: str, batch: list[Candidate]) -> None:
        remembered, bought = await self._revealed(name, batch)
        revealed = remembered | dict(bought)
        leads: dict[str, NewLead] = {}
        for candidate in batch:
            lead = self._lead(name, candidate, revealed.get(_identity(candidate.person)))
            if lead is not None:
                leads[lead.facts.email] = lead

        async def store() -> Any:
            async with self.engine.begin() as conn:
                # Remembered with the leads: a retry or a later run never buys them again,
                # whether they were stored or had no usable email.
                await remember_answers(
                    conn, name, PersonProfile, bought, self.plan.cache, now=self.plan.now
                )
                return await store_leads(
                    conn,
                    self.plan.owner_id,
                    list(leads.values()),
                    job_id=self.plan.job_id,
                    at=self.plan.now,
                )

        outcome = await self.write(store)
        for email in [*outcome.stored, *outcome.ours]:
            self.report.record(email, "done", data={"score": leads[email].score.score})
            self.tally.stored += 1
        for email in outcome.existing:
            self.report.record(email, "skipped", "already a stored contact")
            self.tally.existing += 1
        for email, reason in outcome.suppressed.items():
            self.report.record(email, "skipped", f"suppressed: {reason}")
            self.tally.suppressed += 1
        await self.progress(self.tally)

    async def _revealed(
        self, name: str, batch: list[Candidate]
    ) -> tuple[dict[str, PersonProfile | None], list[tuple[str, PersonProfile | None]]]:
        """The batch's people with their emails: (remembered answers by identity, the
        (identity, answer) pairs bought now for the others)."""
        identities = [_identity(candidate.person) for candidate in batch]
        async with self.engine.connect() as conn:
            remembered = await cached_answers(
                conn, name, PersonProfile, identities, self.plan.cache, now=self.plan.now
            )
        missing = [c for c, key in zip(batch, identities, strict=True) if key not in remembered]
        answers = await self.sources.reveal(name, [candidate.person for candidate in missing])
        bought = [(_identity(c.person), a) for c, a in zip(missing, answers, strict=True)]
        return remembered, bought

    def _lead(
        self, name: str, candidate: Candidate, person: PersonProfile | None
    ) -> NewLead | None:
        """The revealed person as a lead to store, or None (counted) when they are not one."""
        if person is None or not person.email or person.email_status == "invalid":
            self.tally.without_email += 1
            return None
        reason = person_exclusion(person, self.criteria, self.plan.icp.exclusions)
        if reason is not None:
            self.tally.exclusions[reason] += 1
            return None
        company = candidate.company
        facts = facts_from(
            person.email,
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "title": person.title,
                "phone": person.phone,
                "linkedin_url": person.linkedin_url,
                "company_name": company.name or person.company_name,
                "company_domain": company.domain,
            },
            {
                "seniority": person.seniority,
                "department": person.department,
                "email_status": person.email_status,
                "city": person.city,
                "country": person.country,
                PERSON_ID_KEYS[name]: person.provider_id,
                JOB_KEY: self.plan.job_id,
            },
        )
        if isinstance(facts, str):
            self.tally.without_email += 1
            return None
        if facts.email in self.seen_emails:
            self.tally.exclusions["same email as another lead"] += 1
            return None
        self.seen_emails.add(facts.email)
        score = score_lead(self.criteria, company, person, signals=candidate.signals)
        return NewLead(facts, score, company)


def _identity(person: PersonProfile) -> str:
    """A found person's key in the answer cache: the provider's id (search rows carry one)."""
    return f"id:{person.provider_id}"
