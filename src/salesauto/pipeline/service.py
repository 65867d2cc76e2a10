"""Starting pipeline steps for a selection of contacts, following a run, retrying failures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import CONTACTS
from salesauto.imports.cells import email_problem, normalise_email
from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob
from salesauto.jobs.service import parse_job_id
from salesauto.kit.errors import InvalidInput, NotFound
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from salesauto.pipeline.schemas import ContactSelection, PipelineRequest
from salesauto.pipeline.steps import RESULTS, STEP_JOB_TYPES, STEPS, Chain

JOBS = table_of(Job)
SOON = timedelta(hours=1)
# Contacts per step job: big selections become several jobs that workers run side by side,
# and a job that has to start over redoes at most this many.
STEP_JOB_CONTACTS = 1_000
STEP_OF_TYPE = {job_type: step for step, job_type in STEP_JOB_TYPES.items()}
# An email's outcome across a run's jobs: the best one wins (a retried contact that went
# through counts as done, not as failed).
_RANK = {"done": 5, "unchanged": 4, "retrying": 3, "failed": 2, "skipped": 1}


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
    if selection.min_score is not None:
        query = query.where(CONTACTS.c.score >= selection.min_score)
    rows = await conn.execute(query.order_by(CONTACTS.c.imported_at).limit(selection.limit))
    return list(rows.scalars())


def step_jobs(
    step: str, emails: Sequence[str], parameters: dict[str, Any], owner_id: str
) -> list[NewJob]:
    """One job per STEP_JOB_CONTACTS emails, each with the step's parameters."""
    return [
        NewJob(
            type=STEP_JOB_TYPES[step],
            parameters={**parameters, "emails": list(emails[start : start + STEP_JOB_CONTACTS])},
            owner_id=owner_id,
        )
        for start in range(0, len(emails), STEP_JOB_CONTACTS)
    ]


async def start_step(
    queue: Queue,
    owner_id: str,
    step: str,
    selection: ContactSelection,
    parameters: dict[str, Any],
) -> tuple[list[int], int]:
    """Queue `step` for the selected contacts; returns the job ids and how many contacts."""
    async with queue.engine.connect() as conn:
        emails = await select_emails(conn, owner_id, selection)
    if not emails:
        raise InvalidInput(
            "no contacts match this selection; import or discover contacts first, or widen "
            "the filter (GET /api/contacts shows what is stored)",
            field="contacts",
        )
    ids = await queue.enqueue_many(step_jobs(step, emails, parameters, owner_id))
    return ids, len(emails)


async def start_run(queue: Queue, owner_id: str, request: PipelineRequest) -> dict[str, Any]:
    """Queue the first step of a pipeline run; every later step carries its run id."""
    run_id = uuid.uuid4().hex
    chain = Chain(
        enrich=request.enrich,
        sync=request.sync,
        outreach=request.outreach_wanted,
        campaign_id=request.campaign_id or queue.settings.outreach_campaign_id,
        run_id=run_id,
    )
    if request.outreach_wanted and not chain.campaign_id:
        raise InvalidInput(
            "outreach needs a lemlist campaign: give `campaignId` or set "
            "SALESAUTO_OUTREACH_CAMPAIGN_ID",
            field="campaignId",
        )
    if request.discover is not None:
        job = NewJob(
            type=STEP_JOB_TYPES["discover"],
            parameters=request.discover.job_parameters(chain.model_dump(mode="json")),
            owner_id=owner_id,
        )
        ids, count = [(await queue.enqueue(job)).job_id], 0
    else:
        assert request.contacts is not None  # the model requires one of the two
        first = chain.next_step("discover")
        if first is None:
            raise InvalidInput("nothing to run: enable enrich, sync or outreach")
        parameters: dict[str, Any] = {"chain": chain.model_dump(mode="json")}
        if first == "outreach":
            parameters["campaign_id"] = chain.campaign_id
        ids, count = await start_step(queue, owner_id, first, request.contacts, parameters)
    return {
        "runId": run_id,
        "jobId": str(ids[0]),
        "jobIds": [str(i) for i in ids],
        "contacts": count,
        "status": f"/api/pipeline/{run_id}",
    }


async def run_report(queue: Queue, owner_id: str, run_id: str) -> dict[str, Any]:
    """A pipeline run's funnel and its jobs, from the jobs that carry its run id."""
    run_column = JOBS.c.parameters["chain"]["run_id"].as_string()
    async with queue.engine.connect() as conn:
        jobs = (
            await conn.execute(
                sa.select(JOBS.c.id, JOBS.c.type, JOBS.c.status, JOBS.c.run_at)
                .where(JOBS.c.owner_id == owner_id, run_column == run_id)
                .order_by(JOBS.c.id)
            )
        ).all()
        if not jobs:
            raise NotFound(f"no pipeline run {run_id!r}", runId=run_id)
        outcomes = await _best_outcomes(conn, [job.id for job in jobs])
    steps: dict[str, dict[str, Any]] = {}
    # A job queued for much later (the rest of a daily cap, tomorrow) does not keep the run
    # "running": the run is "scheduled" until then.
    soon = utcnow() + SOON
    later: list[datetime] = []
    for job in jobs:
        step = STEP_OF_TYPE.get(job.type, job.type)
        entry = steps.setdefault(
            step,
            {
                "step": step,
                "jobs": 0,
                "unfinished": 0,
                "scheduled": 0,
                "failedJobs": 0,
                **dict.fromkeys(_RANK, 0),
            },
        )
        entry["jobs"] += 1
        if job.status == "queued" and job.run_at > soon:
            entry["scheduled"] += 1
            later.append(job.run_at)
        else:
            entry["unfinished"] += job.status in ("queued", "processing")
        entry["failedJobs"] += job.status == "failed"
    for (job_type, status), count in outcomes.items():
        entry = steps[STEP_OF_TYPE.get(job_type, job_type)]
        entry[status] = entry.get(status, 0) + count
    funnel_names = {
        "discover": "discovered",
        "enrich": "enriched",
        "sync": "synced",
        "outreach": "enrolled",
    }
    funnel = {
        funnel_names[step]: steps.get(step, {}).get("done", 0)
        + steps.get(step, {}).get("unchanged", 0)
        for step in STEPS
    }
    unfinished = any(entry["unfinished"] for entry in steps.values())
    troubled = any(
        entry.get("failed") or entry["failedJobs"] or entry.get("retrying")
        for entry in steps.values()
    )
    if unfinished:
        status = "running"
    elif later:
        status = "scheduled"
    else:
        status = "finished_with_failures" if troubled else "finished"
    return {
        "runId": run_id,
        "status": status,
        "nextRunAt": min(later).isoformat() if later else None,
        "funnel": funnel,
        "steps": [steps[step] for step in STEPS if step in steps],
        "jobIds": [str(job.id) for job in jobs],
    }


async def _best_outcomes(conn: AsyncConnection, job_ids: list[int]) -> dict[tuple[str, str], int]:
    """(job type, best status) → how many contacts, counting each contact once per step."""
    rank = sa.case(*((RESULTS.c.status == s, r) for s, r in _RANK.items()), else_=0)
    per_contact = (
        sa.select(JOBS.c.type, RESULTS.c.item_key, sa.func.max(rank).label("best"))
        .join(JOBS, JOBS.c.id == RESULTS.c.job_id)
        .where(RESULTS.c.job_id.in_(job_ids))
        .group_by(JOBS.c.type, RESULTS.c.item_key)
        .subquery()
    )
    rows = await conn.execute(
        sa.select(per_contact.c.type, per_contact.c.best, sa.func.count()).group_by(
            per_contact.c.type, per_contact.c.best
        )
    )
    by_rank = {r: s for s, r in _RANK.items()}
    return {(job_type, by_rank.get(best, "other")): count for job_type, best, count in rows}


async def retry_failed(queue: Queue, owner_id: str, job_id: str) -> int:
    """Queue the step of job `job_id` again for just its contacts that failed."""
    async with queue.engine.connect() as conn:
        job = (
            await conn.execute(
                sa.select(JOBS.c.id, JOBS.c.type, JOBS.c.status, JOBS.c.parameters).where(
                    JOBS.c.id == parse_job_id(job_id), JOBS.c.owner_id == owner_id
                )
            )
        ).first()
        if job is None:
            raise NotFound(f"no job {job_id}", jobId=job_id)
        if job.type not in STEP_OF_TYPE or job.type == STEP_JOB_TYPES["discover"]:
            raise InvalidInput(
                f"job {job_id} is a {job.type} job; only enrich, sync and outreach jobs retry "
                f"per contact (retry a whole job with POST /api/jobs/{job_id}/retry)"
            )
        if job.status in ("queued", "processing"):
            raise InvalidInput(
                f"job {job_id} is still {job.status}; retry its failed contacts once it has "
                f"finished (GET /api/jobs/{job_id} shows its state)"
            )
        failed = list(
            (
                await conn.execute(
                    sa.select(RESULTS.c.item_key).where(
                        RESULTS.c.job_id == job.id, RESULTS.c.status == "failed"
                    )
                )
            ).scalars()
        )
    if not failed:
        if job.status == "failed":
            raise InvalidInput(
                f"job {job_id} failed as a whole, before any contact's outcome was recorded; "
                f"retry it with POST /api/jobs/{job_id}/retry"
            )
        raise InvalidInput(f"job {job_id} has no failed contacts to retry")
    parameters = {**job.parameters, "emails": failed, "round": 0}
    enqueued = await queue.enqueue(
        NewJob(
            type=job.type,
            parameters=parameters,
            owner_id=owner_id,
            idempotency_key=f"pipeline-retry-failed:{job.id}",
        )
    )
    return enqueued.job_id
