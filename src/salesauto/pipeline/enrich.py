"""Pipeline step `pipeline.enrich`: contacts and their companies through the provider waterfall.

Contacts go through in chunks. For each provider of the order (`providers`, default the
settings' `enrichment_order`: Explorium, then Apollo) the cache answers first; the rest is
bought in the provider's bulk sizes. The next provider is asked only about what is still
incomplete:
- a person is complete once a provider matched them and their title and LinkedIn URL are
  known (stored or answered);
- a company is complete once a provider matched it with an industry and a size.
See `enrichment_waterfall` for the order of purchases and `enrichment_writeback` for what is
written where.

Outcomes per contact:
- `done`: answers written (or the contact reached `enriched` for the first time);
- `unchanged`: already enriched and nothing new came (e.g. a re-run served by the cache);
- no provider matched: still `done` (or `unchanged`), detail "no match", stage `enriched`:
  the step ran, the answer is known and cached, and the email is enough to sync;
- `skipped`: suppressed or erased, or the credit budget ran out before anything about the
  person could be bought (they stay `imported`, the reason says how to raise the budget);
- `failed`: a provider call failed. An outage or rate limit is transient: those contacts
  are retried by a later job of this step, and what was bought before the failure is
  cached, so the retry pays for nothing twice. The retry may spend what this job left of
  its credit budget, no more: a request's retries together keep to its budget. A chunk's
  failure never fails the job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from salesauto.config import EnrichmentSource
from salesauto.integrations.capabilities import EnrichmentProvider
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import job_type
from salesauto.kit.batching import chunked
from salesauto.kit.time import utcnow
from salesauto.pipeline.contacts import contacts_for_step, integrations_of, provider_or_fail
from salesauto.pipeline.enrichment_cache import CachePolicy
from salesauto.pipeline.enrichment_waterfall import (
    CompanyAnswers,
    CreditBudget,
    Subject,
    Waterfall,
)
from salesauto.pipeline.enrichment_writeback import ContactWrite, write_enrichment
from salesauto.pipeline.steps import ItemStatus, StepParameters, StepReport, finish_step

# Contacts per round of provider calls and database write (a few bulk calls per provider).
CHUNK_CONTACTS = 200


class EnrichParameters(StepParameters):
    providers: list[EnrichmentSource] | None = Field(
        None, min_length=1, description="The waterfall's order; default the settings'."
    )
    credit_budget: int | None = Field(
        None, ge=0, description="Provider lookups this job may buy; default the settings'."
    )
    refresh: bool = Field(False, description="Buy again what the cache already holds.")
    cached_after: datetime | None = Field(
        None,
        description="Only cache entries bought since then count (set by `refresh` so that "
        "its retries reuse what the first run bought, not what was cached before).",
    )


@job_type("pipeline.enrich", EnrichParameters)
async def run_enrichment(context: JobContext, parameters: EnrichParameters) -> dict[str, Any]:
    """Enriches contacts through the provider waterfall (cache first, a credit budget per job)."""
    settings = context.queue.settings
    report = StepReport("enrich")
    async with context.queue.engine.connect() as conn:
        contacts = await contacts_for_step(conn, context.owner_id, parameters.emails, report)
    integrations = integrations_of(context)
    order = list(dict.fromkeys(parameters.providers or settings.enrichment_order))
    providers: list[EnrichmentProvider] = [provider_or_fail(integrations, n) for n in order]
    budget = CreditBudget(
        settings.enrichment_credit_budget
        if parameters.credit_budget is None
        else parameters.credit_budget
    )
    cached_after = parameters.cached_after or (utcnow() if parameters.refresh else None)
    policy = CachePolicy(timedelta(days=settings.enrichment_cache_days), cached_after)
    waterfall = Waterfall(context.queue, providers, budget, policy)
    emails = list(contacts)
    for done, chunk in enumerate(chunked(emails, CHUNK_CONTACTS), start=1):
        subjects = [Subject.of(contacts[email]) for email in chunk]
        companies = await waterfall.enrich(subjects)
        await _record_chunk(context, report, subjects, companies, budget)
        count = min(done * CHUNK_CONTACTS, len(emails))
        await context.progress(
            count / len(emails), f"{count:,} of {len(emails):,} contacts looked up"
        )
    summary = await finish_step(
        context,
        report,
        chain=parameters.chain,
        round_=parameters.round,
        retry_parameters={
            "providers": order,
            # What this job left of its budget: a request's retries together never spend
            # more than the request was given.
            "credit_budget": budget.limit - budget.spent,
            "refresh": parameters.refresh,
            "cached_after": cached_after.isoformat() if cached_after else None,
        },
    )
    return summary | {"creditsSpent": budget.spent, "creditBudget": budget.limit}


async def _record_chunk(
    context: JobContext,
    report: StepReport,
    subjects: list[Subject],
    companies: CompanyAnswers,
    budget: CreditBudget,
) -> None:
    """Write what the providers said and record each contact's outcome."""
    writable: list[Subject] = []
    for subject in subjects:
        if subject.error is not None:
            report.record(subject.email, "failed", subject.error, transient=subject.transient)
        elif subject.short_at is not None and not subject.matches:
            report.record(subject.email, "skipped", _budget_reason(budget, subject.short_at))
        else:
            writable.append(subject)
    if not writable:
        return

    async def write() -> dict[str, ContactWrite]:
        async with context.queue.engine.begin() as conn:
            return await write_enrichment(conn, context.owner_id, writable, companies, at=utcnow())

    written = await context.queue.write(write)
    for subject in writable:
        outcome = written.get(subject.email)
        if outcome is None:
            report.record(subject.email, "skipped", "erased while it was being enriched")
            continue
        status: ItemStatus = "done" if outcome.changed or outcome.advanced else "unchanged"
        report.record(
            subject.email,
            status,
            _answered_by(subject, companies, budget),
            data={
                "person": next((p.provider for p in subject.matches), None),
                "company": _company_source(subject, companies),
                "changed": outcome.changed,
            },
        )


def _company_source(subject: Subject, companies: CompanyAnswers) -> str | None:
    answers = companies.get(subject.company_domain or "", {})
    return next((name for name, profile in answers.items() if profile is not None), None)


def _answered_by(subject: Subject, companies: CompanyAnswers, budget: CreditBudget) -> str:
    """Which provider answered for the person and the company, in a line."""
    person = next((p.provider for p in subject.matches), None)
    company = _company_source(subject, companies)
    parts = [f"person: {person}"] if person else []
    parts += [f"company: {company}"] if company else []
    if not parts:
        company_asked = companies.get(subject.company_domain or "", {})
        asked = ", ".join(dict.fromkeys([*subject.people, *company_asked]))
        parts = [f"no match ({asked})" if asked else "no match"]
    if subject.short_at is not None:
        parts.append(_budget_reason(budget, subject.short_at))
    return "; ".join(parts)


def _budget_reason(budget: CreditBudget, provider: str) -> str:
    return (
        f"credit budget spent ({budget.limit:,} lookups per job) before {provider} was asked; "
        "raise `creditBudget` on the enrich request (job parameter `credit_budget`) or "
        "SALESAUTO_ENRICHMENT_CREDIT_BUDGET, then enrich these contacts again"
    )
