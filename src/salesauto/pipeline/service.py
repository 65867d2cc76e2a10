"""Starting pipeline steps and runs, following a run, retrying failed contacts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob
from salesauto.jobs.service import parse_job_id
from salesauto.kit.errors import InvalidInput, NotFound
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import FINISHED_STATUSES, ChainRunId, Job
from salesauto.pipeline.schemas import ContactSelection, PipelineRequest
from salesauto.pipeline.selection import select_emails, step_jobs
from salesauto.pipeline.steps import RESULTS, STEP_JOB_TYPES, STEPS, Chain, digest

JOBS = table_of(Job)
SOON = timedelta(hours=1)
STEP_OF_TYPE = {job_type: step for step, job_type in STEP_JOB_TYPES.items()}
OUTCOMES = ("done", "unchanged", "retrying", "failed", "skipped")


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


def _run_jobs(owner_id: str, run_id: str) -> sa.Select[Any]:
    # ChainRunId, not a JSON path of SQLAlchemy's: it matches ix_jobs_chain_run, so the report
    # reads the run's jobs instead of every job of the table.
    run_column = ChainRunId()
    return (
        sa.select(JOBS.c.id, JOBS.c.type, JOBS.c.status, JOBS.c.run_at, JOBS.c.parameters)
        .where(JOBS.c.owner_id == owner_id, run_column == run_id)
        .order_by(JOBS.c.id)
    )


async def run_report(queue: Queue, owner_id: str, run_id: str) -> dict[str, Any]:
    """A pipeline run's funnel and its jobs, from the jobs that carry its run id."""
    async with queue.engine.connect() as conn:
        jobs = (await conn.execute(_run_jobs(owner_id, run_id))).all()
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
                **dict.fromkeys(OUTCOMES, 0),
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
    """(job type, outcome) → how many contacts, each contact counted once per step: `done`
    or `unchanged` if any job of the step got it through, else its latest outcome (a contact
    retried until its rounds ran out is `failed`, not `retrying`)."""
    success = sa.case(
        (RESULTS.c.status == "done", 2), (RESULTS.c.status == "unchanged", 1), else_=0
    )
    per_contact = (
        sa.select(
            JOBS.c.type,
            sa.func.max(success).label("success"),
            sa.func.max(RESULTS.c.id).label("last_id"),
        )
        .join(JOBS, JOBS.c.id == RESULTS.c.job_id)
        .where(RESULTS.c.job_id.in_(job_ids))
        .group_by(JOBS.c.type, RESULTS.c.item_key)
        .subquery()
    )
    last = RESULTS.alias("last")
    outcome = sa.case(
        (per_contact.c.success == 2, "done"),
        (per_contact.c.success == 1, "unchanged"),
        else_=last.c.status,
    )
    rows = await conn.execute(
        sa.select(per_contact.c.type, outcome, sa.func.count())
        .join(last, last.c.id == per_contact.c.last_id)
        .group_by(per_contact.c.type, outcome)
    )
    return {(job_type, status): count for job_type, status, count in rows}


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
    return await _queue_retry(queue, owner_id, job.type, parameters, f"job-{job.id}")


async def retry_failed_run(queue: Queue, owner_id: str, run_id: str) -> list[int]:
    """Queue each step of a run again for the contacts whose final outcome there is failed
    (the last retry round included), with the parameters of that step's first job."""
    async with queue.engine.connect() as conn:
        jobs = (await conn.execute(_run_jobs(owner_id, run_id))).all()
        if not jobs:
            raise NotFound(f"no pipeline run {run_id!r}", runId=run_id)
        if any(job.status == "processing" for job in jobs):
            raise InvalidInput(
                f"run {run_id} is still running; retry its failed contacts once it has finished"
            )
        failed = await _failed_contacts(conn, [job.id for job in jobs])
    first_of_step: dict[str, Any] = {}
    for job in jobs:
        first_of_step.setdefault(job.type, job)
    ids = []
    for job_type, emails in failed.items():
        if job_type == STEP_JOB_TYPES["discover"]:
            continue
        parameters = {**first_of_step[job_type].parameters, "emails": emails, "round": 0}
        ids.append(await _queue_retry(queue, owner_id, job_type, parameters, f"run-{run_id}"))
    if not ids:
        raise InvalidInput(f"run {run_id} has no failed contacts to retry")
    return ids


async def _queue_retry(
    queue: Queue, owner_id: str, job_type: str, parameters: dict[str, Any], scope: str
) -> int:
    """Queue a user-asked retry. A repeated request while the retry is still pending gets
    that job back; once it has finished, a new request queues a new one."""
    prefix = f"pipeline-retry-failed:{scope}:{job_type}:{digest(parameters['emails'])}:"
    async with queue.engine.connect() as conn:
        finished = await conn.scalar(
            sa.select(sa.func.count()).where(
                JOBS.c.owner_id == owner_id,
                JOBS.c.idempotency_key.startswith(prefix, autoescape=True),
                JOBS.c.status.in_(FINISHED_STATUSES),
            )
        )
    job = NewJob(
        type=job_type,
        parameters=parameters,
        owner_id=owner_id,
        idempotency_key=f"{prefix}{finished or 0}",
    )
    return (await queue.enqueue(job)).job_id


async def _failed_contacts(conn: AsyncConnection, job_ids: list[int]) -> dict[str, list[str]]:
    """Job type → the contacts whose final outcome in it is failed."""
    rows = await conn.execute(
        sa.select(JOBS.c.type, RESULTS.c.item_key, RESULTS.c.status)
        .join(JOBS, JOBS.c.id == RESULTS.c.job_id)
        .where(RESULTS.c.job_id.in_(job_ids))
        .order_by(RESULTS.c.id)
    )
    final: dict[tuple[str, str], str] = {}
    for job_type, email, status in rows:
        if final.get((job_type, email)) not in ("done", "unchanged"):
            final[(job_type, email)] = status
    failed: dict[str, list[str]] = {}
    for (job_type, email), status in final.items():
        if status == "failed":
            failed.setdefault(job_type, []).append(email)
    return failed
