"""What every pipeline step shares: its parameters, per-contact outcomes, and how it ends.

A step (enrich, sync, outreach) is a job over a list of contact emails. It records one
outcome per contact in `job_results` and, in the same transaction, enqueues what follows:
the next step of the chain for the contacts that went through, and a later retry of this
step for the contacts a provider outage stopped. Both are keyed on this job's id, so a
step that runs again after a crash enqueues nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.config import Settings
from salesauto.jobs.context import JobContext, LeaseLost
from salesauto.jobs.registry import JobParameters
from salesauto.jobs.repository import NewJob
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job, JobResult

# The chain, in order. Discovery starts it from a profile; the others take emails.
STEPS = ("discover", "enrich", "sync", "outreach")
STEP_JOB_TYPES = {
    "discover": "pipeline.discover",
    "enrich": "pipeline.enrich",
    "sync": "pipeline.sync_hubspot",
    "outreach": "pipeline.outreach",
}
MAX_STEP_CONTACTS = 10_000
RESULTS = table_of(JobResult)
JOBS = table_of(Job)

ItemStatus = Literal["done", "unchanged", "skipped", "failed", "retrying"]
# Outcomes whose contacts go on to the next step ("unchanged": already done earlier).
ADVANCING: frozenset[str] = frozenset({"done", "unchanged"})


class Chain(JobParameters):
    """Which steps follow this one. Built from the settings' defaults and the request."""

    enrich: bool = False
    sync: bool = False
    outreach: bool = False
    campaign_id: str | None = Field(None, max_length=100, description="lemlist campaign")
    run_id: str | None = Field(None, max_length=64, description="The /api/pipeline run")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        enrich: bool | None = None,
        sync: bool | None = None,
        outreach: bool | None = None,
        campaign_id: str | None = None,
        run_id: str | None = None,
    ) -> Chain:
        return cls(
            enrich=settings.auto_enrich if enrich is None else enrich,
            sync=settings.auto_sync if sync is None else sync,
            outreach=settings.auto_outreach if outreach is None else outreach,
            campaign_id=campaign_id or settings.outreach_campaign_id,
            run_id=run_id,
        )

    @classmethod
    def requested(
        cls,
        settings: Settings,
        *,
        enrich: bool | None = None,
        sync: bool | None = None,
        outreach: bool | None = None,
        campaign_id: str | None = None,
    ) -> Chain:
        """The chain a request asks for over the settings' defaults; outreach asked for
        without a campaign anywhere is the caller's mistake."""
        chain = cls.from_settings(
            settings, enrich=enrich, sync=sync, outreach=outreach, campaign_id=campaign_id
        )
        if outreach and not chain.campaign_id:
            raise InvalidInput(
                "autoOutreach needs a lemlist campaign: give `campaignId` or set "
                "SALESAUTO_OUTREACH_CAMPAIGN_ID",
                field="campaignId",
            )
        return chain

    def next_step(self, after: str) -> str | None:
        """The first step after `after` this chain runs (outreach needs a campaign)."""
        wanted = {"enrich": self.enrich, "sync": self.sync, "outreach": self.outreach}
        wanted["outreach"] = wanted["outreach"] and bool(self.campaign_id)
        for step in STEPS[STEPS.index(after) + 1 :]:
            if wanted[step]:
                return step
        return None


class StepParameters(JobParameters):
    emails: list[str] = Field(
        ..., min_length=1, max_length=MAX_STEP_CONTACTS, description="Contacts, by email."
    )
    chain: Chain | None = Field(None, description="Steps to run next; none = stop here.")
    round: int = Field(0, ge=0, le=50, description="Retry round after a provider outage.")


@dataclass
class ItemOutcome:
    email: str
    status: ItemStatus
    detail: str | None = None
    data: dict[str, Any] | None = None
    transient: bool = False  # failed for a reason that may pass (outage, rate limit)


@dataclass
class StepReport:
    """The outcomes of one step run, one per contact (the last one said wins)."""

    step: str
    outcomes: dict[str, ItemOutcome] = field(default_factory=dict)

    def record(
        self,
        email: str,
        status: ItemStatus,
        detail: str | None = None,
        *,
        data: dict[str, Any] | None = None,
        transient: bool = False,
    ) -> None:
        self.outcomes[email] = ItemOutcome(email, status, detail, data, transient)

    def skip_all(self, emails: Iterable[str], reason: str) -> None:
        for email in emails:
            self.record(email, "skipped", reason)

    def fail_all(self, emails: Iterable[str], error: str, *, transient: bool) -> None:
        for email in emails:
            self.record(email, "failed", error, transient=transient)

    def emails(self, *statuses: str) -> list[str]:
        return [email for email, outcome in self.outcomes.items() if outcome.status in statuses]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("done", "unchanged", "skipped", "failed", "retrying"), 0)
        for outcome in self.outcomes.values():
            counts[outcome.status] += 1
        return counts


def retry_delay(settings: Settings, round_: int) -> timedelta:
    """Doubling waits from `pipeline_retry_base_seconds`, at most an hour, and never shorter
    than an open circuit breaker stays open: a retry inside it would fail without trying."""
    wait = min(3600.0, settings.pipeline_retry_base_seconds * 2**round_)
    return timedelta(seconds=max(wait, settings.provider_breaker_reset_seconds))


async def finish_step(
    context: JobContext,
    report: StepReport,
    *,
    chain: Chain | None,
    round_: int = 0,
    retry_parameters: dict[str, Any] | None = None,
    later: NewJob | None = None,
) -> dict[str, Any]:
    """Record the outcomes and enqueue what follows, in one transaction; returns the summary.

    Contacts that failed transiently are retried by a later job of this step (up to
    `pipeline_item_retries` rounds), with `retry_parameters` plus their emails. `later` is
    a job the step itself wants queued with the rest (outreach defers what its daily cap
    leaves to the next day); give it an idempotency key of its own.
    """
    settings = context.queue.settings
    job_type = STEP_JOB_TYPES[report.step]
    transient = [o.email for o in report.outcomes.values() if o.status == "failed" and o.transient]
    retry_job: NewJob | None = None
    if transient and round_ < settings.pipeline_item_retries:
        for email in transient:
            report.outcomes[email].status = "retrying"
        retry_job = NewJob(
            type=job_type,
            parameters={
                **(retry_parameters or {}),
                "emails": transient,
                "chain": chain.model_dump(mode="json") if chain else None,
                "round": round_ + 1,
            },
            run_at=utcnow() + retry_delay(settings, round_),
            # Keyed on this job and the contacts: a re-run of this job after a crash that
            # hit the same contacts gets the same retry job, a different set its own.
            idempotency_key=f"pipeline-retry:{context.job_id}:{digest(transient)}",
            owner_id=context.owner_id,
        )
    next_job: NewJob | None = None
    step = chain.next_step(report.step) if chain else None
    advancing = report.emails(*ADVANCING)
    if chain is not None and step is not None and advancing:
        next_job = next_step_job(context, step, advancing, chain)

    async def write() -> tuple[int | None, int | None]:
        async with context.queue.engine.begin() as conn:
            await hold_lease(conn, context)
            # A re-run of this job replaces what an earlier attempt recorded.
            await conn.execute(sa.delete(RESULTS).where(RESULTS.c.job_id == context.job_id))
            await insert_results(conn, context.job_id, report)
            next_id = (await context.queue.enqueue(next_job, conn)).job_id if next_job else None
            retry_id = (await context.queue.enqueue(retry_job, conn)).job_id if retry_job else None
            if later is not None:
                await context.queue.enqueue(later, conn)
        return next_id, retry_id

    next_id, retry_id = await context.queue.write(write)
    if next_id or retry_id or later:
        context.queue.notifier.jobs_available()
    return {
        "step": report.step,
        "contacts": len(report.outcomes),
        **report.counts(),
        "nextStep": step if next_id else None,
        "nextJobId": str(next_id) if next_id else None,
        "retryJobId": str(retry_id) if retry_id else None,
        "retryAt": retry_job.run_at.isoformat() if retry_job and retry_job.run_at else None,
    }


def next_step_job(context: JobContext, step: str, emails: list[str], chain: Chain) -> NewJob:
    parameters: dict[str, Any] = {"emails": emails, "chain": chain.model_dump(mode="json")}
    if step == "outreach":
        parameters["campaign_id"] = chain.campaign_id
    return NewJob(
        type=STEP_JOB_TYPES[step],
        parameters=parameters,
        idempotency_key=f"pipeline-next:{context.job_id}",
        owner_id=context.owner_id,
    )


async def hold_lease(conn: AsyncConnection, context: JobContext) -> None:
    """Lock this job's row, or raise LeaseLost when another worker owns it now: its outcomes
    and follow-up jobs must not be written twice."""
    held = await conn.execute(
        sa.select(JOBS.c.id)
        .where(
            JOBS.c.id == context.job_id,
            JOBS.c.locked_by == context.worker_id,
            JOBS.c.status == "processing",
        )
        .with_for_update()
    )
    if held.first() is None:
        raise LeaseLost(f"job {context.job_id} is no longer held by this worker")


def digest(emails: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(emails)).encode()).hexdigest()[:16]


async def insert_results(conn: AsyncConnection, job_id: int, report: StepReport) -> None:
    now = utcnow()
    rows = [
        {
            "job_id": job_id,
            "item_key": outcome.email,
            "status": outcome.status,
            "data": outcome.data,
            "error": outcome.detail if outcome.status in ("failed", "retrying") else None,
            "created_at": now,
        }
        | ({"data": (outcome.data or {}) | {"reason": outcome.detail}} if _reason(outcome) else {})
        for outcome in report.outcomes.values()
    ]
    for start in range(0, len(rows), 1000):
        await conn.execute(sa.insert(RESULTS), rows[start : start + 1000])


def _reason(outcome: ItemOutcome) -> bool:
    return outcome.detail is not None and outcome.status not in ("failed", "retrying")
