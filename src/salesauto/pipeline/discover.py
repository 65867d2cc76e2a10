"""Pipeline step: discover. Finds leads matching an ICP profile, scores and stores them, and
starts the chain (enrichment…) for the new ones.

Each stored lead is a `done` result with its score; leads already stored, and suppressed
emails, are `skipped` and do not go on. A provider outage fails the job and the queue retries
it: a retry recognises what the first attempt stored, so nothing is stored or bought twice
(companies' firmographics are kept in the enrichment cache), and reports every lead an attempt
stored as `done`, found again or not.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, model_validator

from salesauto.discovery.plan import DiscoveryPlan, DiscoveryTally
from salesauto.discovery.profile import (
    DEFAULT_PROVIDERS,
    MAX_LEADS,
    IcpProfile,
    ProviderName,
    has_criteria,
)
from salesauto.discovery.service import Discovery
from salesauto.discovery.sources import LeadSources
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.time import utcnow
from salesauto.pipeline.contacts import integrations_of
from salesauto.pipeline.enrichment_cache import CachePolicy
from salesauto.pipeline.steps import Chain, StepReport, finish_step


class DiscoverParameters(JobParameters):
    query: str | None = Field(None, max_length=500, description="Free text, added as keywords.")
    icp: IcpProfile = Field(..., description="The ideal customer profile.")
    count: int = Field(50, ge=1, le=MAX_LEADS, description="How many leads to deliver.")
    providers: list[ProviderName] = Field(
        default_factory=lambda: list(DEFAULT_PROVIDERS),
        min_length=1,
        description="Providers to search, in order.",
    )
    chain: Chain | None = Field(None, description="Steps to run next; none = stop here.")

    @model_validator(mode="after")
    def _narrowed(self) -> DiscoverParameters:
        if not has_criteria(self.icp, self.query):
            raise ValueError("give a query or at least one criterion in the ICP")
        return self


@job_type("pipeline.discover", DiscoverParameters)
async def run_discovery(context: JobContext, parameters: DiscoverParameters) -> dict[str, Any]:
    """Finds, scores and stores leads matching an ICP profile, then runs the chain on them."""
    integrations = integrations_of(context)
    now = utcnow()
    cache_ttl = timedelta(days=context.queue.settings.enrichment_cache_days)
    plan = DiscoveryPlan(
        owner_id=context.owner_id,
        job_id=context.job_id,
        icp=parameters.icp,
        query=parameters.query,
        count=parameters.count,
        providers=list(parameters.providers),
        fresh_after=now - cache_ttl,
        now=now,
        cache=CachePolicy(ttl=cache_ttl),
    )
    sources = LeadSources(integrations)
    report = StepReport(step="discover")

    async def progress(tally: DiscoveryTally) -> None:
        await context.progress(
            tally.leads / parameters.count,
            f"{tally.leads:,} of {parameters.count:,} leads "
            f"({tally.stored:,} new), {tally.companies_found:,} companies searched",
        )

    tally = await Discovery(
        plan, sources, context.queue.engine, context.queue.write, report, progress
    ).run()
    if tally.leads == 0 and len(tally.unavailable) == len(parameters.providers):
        raise PermanentJobError(
            "no provider could be searched: " + "; ".join(tally.unavailable.values())
        )
    summary = await finish_step(context, report, chain=parameters.chain)
    return summary | discovery_summary(tally, sources, parameters.count)


def discovery_summary(tally: DiscoveryTally, sources: LeadSources, count: int) -> dict[str, Any]:
    excluded = sum(tally.exclusions.values())
    return {
        "requested": count,
        "companiesFound": tally.companies_found,
        "peopleFound": tally.people_found,
        "stored": tally.stored,
        "existing": tally.existing,
        "suppressed": tally.companies_suppressed + tally.suppressed,
        "suppressedCompanies": tally.companies_suppressed,
        "suppressedEmails": tally.suppressed,
        "excluded": excluded,
        "exclusions": dict(sorted(tally.exclusions.items())),
        "withoutEmail": tally.without_email,
        "emailsBought": dict(sources.emails_bought),
        "creditsUsed": dict(sources.credits),
        "providersUnavailable": tally.unavailable,
        "queryIgnored": tally.query_ignored,
        "shortfall": shortfall(tally, count),
    }


def shortfall(tally: DiscoveryTally, count: int) -> str | None:
    """Why the run delivered fewer leads than asked, in a sentence (None: it did not)."""
    if tally.leads >= count:
        return None
    reasons = [
        f"the providers matched {tally.companies_found:,} companies and "
        f"{tally.people_found:,} people at them"
    ]
    if tally.companies_suppressed:
        reasons.append(f"{tally.companies_suppressed:,} companies are suppressed")
    excluded = sum(tally.exclusions.values())
    if excluded:
        top = ", ".join(f"{reason} ({n:,})" for reason, n in tally.exclusions.most_common(3))
        reasons.append(f"{excluded:,} companies and people were excluded: {top}")
    if tally.without_email:
        reasons.append(f"{tally.without_email:,} people have no usable email")
    if tally.suppressed:
        reasons.append(f"{tally.suppressed:,} emails are suppressed")
    if tally.capped:
        reasons.append(f"the search stopped at the first companies of {', '.join(tally.capped)}")
    for provider, why in tally.unavailable.items():
        reasons.append(f"{provider} was not searched ({why})")
    return f"found {tally.leads:,} of {count:,} leads: " + "; ".join(reasons)
