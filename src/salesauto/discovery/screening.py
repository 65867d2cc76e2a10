"""Which found companies a discovery works on: not suppressed, not excluded, with the
firmographics to score them, showing the signals the profile asks for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.discovery.filters import (
    HIRING_WINDOW,
    company_exclusion,
    funding_evidence,
    hiring_evidence,
    signals_wanted,
)
from salesauto.discovery.plan import DiscoveryPlan, DiscoveryTally, Writer
from salesauto.discovery.repository import (
    FIRMOGRAPHICS,
    stored_firmographics,
    suppressed_domains,
)
from salesauto.discovery.sources import LeadSources, completed
from salesauto.integrations.models import CompanyProfile
from salesauto.pipeline.enrichment_cache import cached_answers, remember_answers

# A kept company, and the evidence of each signal the profile asks for.
Kept = dict[str, tuple[CompanyProfile, dict[str, str | None]]]


class CompanyScreen:
    def __init__(
        self,
        plan: DiscoveryPlan,
        sources: LeadSources,
        engine: AsyncEngine,
        write: Writer[None],
        tally: DiscoveryTally,
    ) -> None:
        self.plan = plan
        self.sources = sources
        self.engine = engine
        self.write = write
        self.tally = tally

    async def screen(self, name: str, companies: list[CompanyProfile]) -> Kept:
        """The companies to search people at, by domain (suppressed domains cost nothing:
        they are dropped before any enrichment)."""
        async with self.engine.connect() as conn:
            blocked = await suppressed_domains(
                conn, self.plan.owner_id, [c.domain for c in companies]
            )
        self.tally.companies_suppressed += len(blocked)
        companies = self._excluded([c for c in companies if c.domain not in blocked])
        companies = self._excluded(await self._complete(name, companies))
        return await self._with_signals(companies)

    def _excluded(self, companies: list[CompanyProfile]) -> list[CompanyProfile]:
        kept = []
        for company in companies:
            reason = company_exclusion(company, self.plan.icp.exclusions)
            if reason is None:
                kept.append(company)
            else:
                self.tally.exclusions[reason] += 1
        return kept

    async def _complete(self, name: str, companies: list[CompanyProfile]) -> list[CompanyProfile]:
        """Firmographics for search rows without them: stored ones while fresh, else the
        provider's answer, from the enrichment cache or bought (and then cached: neither a
        retry of this job nor a later discovery pays for the same company twice)."""
        thin = [company.domain for company in companies if company.industry is None]
        if not thin:
            return companies
        async with self.engine.connect() as conn:
            stored = await stored_firmographics(conn, self.plan.owner_id, thin)
            companies = [self._from_store(c, stored.get(c.domain)) for c in companies]
            thin = [company.domain for company in companies if company.industry is None]
            answers = await cached_answers(
                conn, name, CompanyProfile, thin, self.plan.cache, now=self.plan.now
            )
        missing = [domain for domain in thin if domain not in answers]
        bought = await self.sources.enrich_companies(name, missing)
        if bought:

            async def remember() -> None:
                async with self.engine.begin() as conn:
                    await remember_answers(
                        conn,
                        name,
                        CompanyProfile,
                        bought.items(),
                        self.plan.cache,
                        now=self.plan.now,
                    )

            await self.write(remember)
        answers |= bought
        return [completed(company, answers.get(company.domain)) for company in companies]

    def _from_store(
        self, company: CompanyProfile, stored: tuple[Any, dict[str, Any], dict[str, Any]] | None
    ) -> CompanyProfile:
        """The company with the firmographics we store for it, if they are fresh enough."""
        if stored is None or not stored[1].get("industry"):
            return company
        _name, data, provenance = stored
        try:
            at = datetime.fromisoformat((provenance.get("industry") or {}).get("at", ""))
            if at < self.plan.fresh_after:
                return company
            facts = {key: data[key] for key in FIRMOGRAPHICS if key in data}
            return CompanyProfile.model_validate(company.model_dump() | facts)
        except (TypeError, ValueError):
            return company  # unreadable (another writer's shape): buy it again

    async def _with_signals(self, companies: list[CompanyProfile]) -> Kept:
        """The companies showing every signal the profile asks for, with the evidence."""
        wanted = signals_wanted(self.plan.icp.signals)
        since = self.plan.now - HIRING_WINDOW
        hiring = (
            await self.sources.hiring_events(companies, since)
            if "hiring" in wanted and companies
            else {}
        )
        kept: Kept = {}
        for company in companies:
            evidence: dict[str, str | None] = {}
            if "funding" in wanted:
                evidence["funding"] = funding_evidence(
                    company, self.plan.icp.signals.funding, self.plan.now.date()
                )
            if "hiring" in wanted:
                if hiring is None:
                    self.tally.exclusions["hiring unknown: needs explorium"] += 1
                    continue
                evidence["hiring"] = hiring_evidence(hiring.get(company.domain, []), since)
            missing = [signal for signal, found in evidence.items() if found is None]
            if missing:
                self.tally.exclusions[f"no {missing[0]} signal"] += 1
                continue
            kept[company.domain] = (company, evidence)
        return kept
