"""Which contacts a step works on, and the jobs a selection becomes.

A big selection is split into jobs of STEP_JOB_CONTACTS that workers run side by side; a
credit budget given for the request is shared between them, so the request as a whole never
spends more than it. `pipeline.start` resolves a selection inside a job: an import that
finished queues it, so the chain starts from what the import stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import CONTACTS
from salesauto.imports.cells import email_problem, normalise_email
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.repository import NewJob
from salesauto.kit.errors import InvalidInput
from salesauto.pipeline.schemas import ContactSelection
from salesauto.pipeline.steps import STEP_JOB_TYPES, Chain, hold_lease

# Contacts per step job: big selections become several jobs that workers run side by side,
# and a job that has to start over redoes at most this many.
STEP_JOB_CONTACTS = 1_000


async def select_emails(
    conn: AsyncConnection, owner_id: str, selection: ContactSelection
) -> list[str]:
    """The emails a selection names: listed ones normalised (invalid ones refused), else the
    stored contacts matching the filter, oldest first."""
    if selection.emails is not None:
        emails: list[str] = []
        invalid: list[str] = []
        first_problem = ""
        for raw in selection.emails:
            email = normalise_email(raw) or ""
            problem = email_problem(email)
            if problem is None:
                emails.append(email)
                continue
            invalid.append(raw)
            first_problem = first_problem or f"{raw!r} ({problem})"
        if invalid:
            raise InvalidInput(
                f"{len(invalid)} invalid email(s), e.g. {first_problem}; fix or drop them",
                field="contacts.emails",
                invalid=invalid[:20],
            )
        unique = list(dict.fromkeys(emails))
        if len(unique) > selection.limit:
            # A listed selection is never cut silently: the caller would lose contacts.
            raise InvalidInput(
                f"{len(unique):,} emails listed but `limit` is {selection.limit:,}; raise "
                "`limit` (up to 100,000) or send the rest in another request",
                field="contacts.limit",
            )
        return unique
    query = sa.select(CONTACTS.c.email).where(CONTACTS.c.owner_id == owner_id)
    if selection.stage:
        query = query.where(CONTACTS.c.status.in_(selection.stage))
    if selection.source:
        query = query.where(CONTACTS.c.source == selection.source)
    if selection.company_domain:
        query = query.where(CONTACTS.c.company_domain == selection.company_domain)
    if selection.updated_since is not None:
        query = query.where(CONTACTS.c.updated_at >= selection.updated_since)
    if selection.min_score is not None:
        query = query.where(CONTACTS.c.score >= selection.min_score)
    rows = await conn.execute(query.order_by(CONTACTS.c.imported_at).limit(selection.limit))
    return list(rows.scalars())


def step_jobs(
    step: str,
    emails: Sequence[str],
    parameters: dict[str, Any],
    owner_id: str,
    *,
    key_prefix: str | None = None,
) -> list[NewJob]:
    """One job per STEP_JOB_CONTACTS emails, each with the step's parameters; a
    `credit_budget` is divided between them in proportion to their contacts."""
    chunks = [
        list(emails[start : start + STEP_JOB_CONTACTS])
        for start in range(0, len(emails), STEP_JOB_CONTACTS)
    ]
    budget = parameters.get("credit_budget")
    shares = _shares(budget, [len(chunk) for chunk in chunks]) if budget is not None else None
    jobs = []
    for index, chunk in enumerate(chunks):
        job_parameters = {**parameters, "emails": chunk}
        if shares is not None:
            job_parameters["credit_budget"] = shares[index]
        jobs.append(
            NewJob(
                type=STEP_JOB_TYPES[step],
                parameters=job_parameters,
                owner_id=owner_id,
                idempotency_key=f"{key_prefix}:{index}" if key_prefix else None,
            )
        )
    return jobs


def _shares(budget: int, sizes: list[int]) -> list[int]:
    """`budget` split in proportion to `sizes`, summing to exactly `budget`."""
    total = sum(sizes)
    shares = [budget * size // total for size in sizes]
    for index in range(budget - sum(shares)):
        shares[index % len(shares)] += 1
    return shares


class StartStepParameters(JobParameters):
    step: Literal["enrich", "sync", "outreach"]
    updated_since: datetime | None = Field(None, description="Contacts changed since then")
    source: str | None = Field(None, max_length=50)
    limit: int = Field(100_000, ge=1, le=1_000_000)
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="The step's parameters, but its emails"
    )


@job_type("pipeline.start", StartStepParameters, internal=True)
async def start_pipeline_step(
    context: JobContext, parameters: StartStepParameters
) -> dict[str, Any]:
    """Queues a pipeline step for the contacts a selection matches (after an import)."""
    selection = ContactSelection(
        updated_since=parameters.updated_since, source=parameters.source, limit=parameters.limit
    )
    queue = context.queue

    async def write() -> list[int]:
        async with queue.engine.begin() as conn:
            await hold_lease(conn, context)
            emails = await select_emails(conn, context.owner_id, selection)
            jobs = step_jobs(
                parameters.step,
                emails,
                parameters.parameters,
                context.owner_id,
                key_prefix=f"pipeline-start:{context.job_id}",
            )
            return [(await queue.enqueue(job, conn)).job_id for job in jobs]

    ids = await queue.write(write)
    if ids:
        queue.notifier.jobs_available()
    return {"step": parameters.step, "jobIds": [str(i) for i in ids], "jobs": len(ids)}


async def chain_after_import(
    context: JobContext, chain: Chain | None, started: datetime
) -> str | None:
    """Queue the chain's first step for the contacts an import created or changed (keyed on
    the import job: a re-run queues it once). Returns the job id, or None."""
    step = chain.next_step("discover") if chain else None
    if chain is None or step is None:
        return None
    step_parameters: dict[str, Any] = {"chain": chain.model_dump(mode="json")}
    if step == "outreach":
        step_parameters["campaign_id"] = chain.campaign_id
    if step == "enrich":
        # One budget for the whole import, shared by its jobs: a million-row file must not
        # buy a million lookups because auto-enrich is on.
        step_parameters["credit_budget"] = context.queue.settings.enrichment_credit_budget
    enqueued = await context.queue.enqueue(
        NewJob(
            type="pipeline.start",
            parameters=StartStepParameters(
                step=step, updated_since=started, parameters=step_parameters
            ).model_dump(mode="json"),
            idempotency_key=f"import-chain:{context.job_id}",
            owner_id=context.owner_id,
        )
    )
    return str(enqueued.job_id)
