"""The campaign jobs.

`campaigns.sync_lead_pause` makes a lead's pause at lemlist match its enrollment (see
`pauses.py`).

`campaigns.classify_reply`: queued with every reply, in the transaction that stored it.

1. The reply is classified (the platform's `reply_classifier` when one is set; else the fast
   model when a model key is configured, `replies/llm.py`; the offline classifier otherwise).
2. In one transaction, while this worker still holds the job: the class is stored and acted
   on (`replies/outcomes.py`: suppression, pause, bounce, referral contact).
3. An interested reply or a referral gets a follow-up task in HubSpot (`replies/followup.py`),
   its id kept on the reply's event.

Each part is recorded on the event (`classification`, `outcome`, `followUpTask`), so a run
after a crash or a HubSpot outage redoes only what is missing. The reply's text is only ever
classified: whatever it says picks a label, never an action outside the ones above.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import Field

from salesauto.campaigns import pauses
from salesauto.campaigns.events import CLASSIFY_REPLY_JOB
from salesauto.integrations.http.errors import ProviderAuthFailed, ProviderRejected
from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.registry import ProviderNotConfigured
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.time import utcnow
from salesauto.pipeline.contacts import describe, integrations_of, provider_or_fail
from salesauto.pipeline.steps import hold_lease
from salesauto.replies.followup import ContactNotWritable, create_follow_up, wants_task
from salesauto.replies.llm import classifier_for
from salesauto.replies.outcomes import (
    StoredReply,
    load_reply,
    record_outcome,
    remember_task,
    stored_classification,
)
from salesauto.replies.schemas import Classification, ReplyClassifier, ReplyText


class ClassifyReplyParameters(JobParameters):
    event_id: uuid.UUID = Field(..., description="The `replied` campaign event.")
    enrollment_id: uuid.UUID = Field(..., description="Its enrollment.")


@asynccontextmanager
async def classifier_of(context: JobContext) -> AsyncIterator[ReplyClassifier]:
    configured: ReplyClassifier | None = getattr(context.services, "reply_classifier", None)
    if configured is not None:
        yield configured
        return
    async with classifier_for(getattr(context.services, "settings", None)) as classifier:
        yield classifier


async def _classify_and_record(
    context: JobContext, reply: StoredReply
) -> tuple[Classification, dict[str, Any]]:
    if reply.classified:
        return stored_classification(reply), reply.data["outcome"]
    async with classifier_of(context) as classifier:
        found = await classifier.classify(
            ReplyText(
                text=reply.text,
                subject=reply.subject,
                received_at=reply.received_at,
                sender_email=reply.email,
            )
        )

    async def write() -> dict[str, Any]:
        async with context.queue.engine.begin() as conn:
            await hold_lease(conn, context)
            return await record_outcome(conn, reply, found, utcnow())

    outcome = await context.queue.write(write)
    if outcome.get("suppressed") or outcome.get("lemlistPauseJob"):
        context.queue.notifier.jobs_available()  # the push to lemlist's unsubscribe list
    return found, outcome


async def _follow_up(
    context: JobContext, reply: StoredReply, found: Classification
) -> dict[str, Any] | None:
    done = reply.data.get("followUpTask")
    if not wants_task(found) or (done and "id" in done):
        return done if isinstance(done, dict) else None
    engine = context.queue.engine
    try:
        hubspot = integrations_of(context).hubspot
    except (ProviderNotConfigured, PermanentJobError) as error:
        task: dict[str, Any] = {"skipped": f"HubSpot is not available: {error}"}
    else:
        try:
            task = await create_follow_up(engine, hubspot, reply, found)
        except (ContactNotWritable, ProviderRejected, ProviderAuthFailed) as error:
            await _remember(context, reply, {"error": str(error)})
            raise PermanentJobError(f"no follow-up task in HubSpot: {error}") from None
        # An outage or a rate limit propagates: the job is retried later, and redoes this.
    await _remember(context, reply, task)
    return task


async def _remember(context: JobContext, reply: StoredReply, task: dict[str, Any]) -> None:
    async def write() -> None:
        async with context.queue.engine.begin() as conn:
            await remember_task(conn, reply.event_id, task)

    await context.queue.write(write)


@job_type(CLASSIFY_REPLY_JOB, ClassifyReplyParameters, internal=True)
async def classify_reply(
    context: JobContext, parameters: ClassifyReplyParameters
) -> dict[str, Any]:
    """Classifies a reply and acts on it: follow-up task, suppression, pause, referral."""
    async with context.queue.engine.connect() as conn:
        reply = await load_reply(conn, parameters.event_id, parameters.enrollment_id)
    if reply is None:
        return {"eventId": str(parameters.event_id), "skipped": "the reply no longer exists"}
    found, outcome = await _classify_and_record(context, reply)
    task = await _follow_up(context, reply, found)
    return {
        "eventId": str(parameters.event_id),
        "classification": found.label,
        "confidence": found.confidence,
        "classifier": found.classifier,
        "outcome": outcome,
        "followUpTask": task,
    }


class LeadPauseParameters(JobParameters):
    enrollment_id: uuid.UUID = Field(..., description="The enrollment paused or resumed.")


async def _tell_lemlist(lemlist: LemlistClient, lead: pauses.LeadAtLemlist, action: str) -> None:
    assert lead.lead_id is not None  # checked by `at_lemlist`
    try:
        if action == "pause":
            await lemlist.pause_lead(lead.lead_id, campaign_id=lead.campaign_id)
        else:
            await lemlist.resume_lead(lead.lead_id)
    except (ProviderAuthFailed, ProviderRejected) as error:
        # A 404 (the lead was removed at lemlist) or bad credentials: retrying will not help.
        raise PermanentJobError(describe(error)) from None
    # An outage or a rate limit propagates: the queue retries the attempt with backoff.


@job_type(pauses.LEAD_PAUSE_JOB, LeadPauseParameters, internal=True)
async def sync_lead_pause(context: JobContext, parameters: LeadPauseParameters) -> dict[str, Any]:
    """Pauses or restarts the enrollment's lead at lemlist, as the enrollment stands now."""
    enrollment_id = parameters.enrollment_id
    async with context.queue.engine.connect() as conn:
        lead = await pauses.load_lead(conn, context.owner_id, enrollment_id)
    if lead is None:
        return {"enrollmentId": str(enrollment_id), "skipped": "the enrollment no longer exists"}
    action = lead.action(utcnow())
    result: dict[str, Any] = {"enrollmentId": str(enrollment_id), "status": lead.status}
    if action == "none":
        return result | {"skipped": f"the enrollment is {lead.status}: lemlist is left alone"}
    if not lead.at_lemlist:
        return result | {"skipped": "the enrollment has no lemlist lead"}
    await _tell_lemlist(provider_or_fail(integrations_of(context), "lemlist"), lead, action)
    result["lemlist"] = "paused" if action == "pause" else "started"
    if action == "start":
        return result

    async def write() -> dict[str, Any]:
        async with context.queue.engine.begin() as conn:
            await hold_lease(conn, context)
            if action == "pause":
                return {"resumeJob": await pauses.schedule_resume(conn, context.owner_id, lead)}
            return await pauses.mark_resumed(conn, context.owner_id, lead)

    return result | await context.queue.write(write)
