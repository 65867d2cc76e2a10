"""Pipeline step `pipeline.outreach`: enroll contacts in a lemlist campaign.

- Never a suppressed contact: `contacts_for_step` drops them before lemlist hears of them,
  and each chunk asks again just before its calls, so a contact suppressed or erased while
  the job runs is not added afterwards (its reserved slot is given back).
- Never twice: a contact with an enrollment in the campaign's local instance is `unchanged`
  without a lemlist call, and lemlist is asked to deduplicate; a lead it already holds in
  this campaign is recorded (its lead id looked up) rather than added again.
- At most the campaign's daily cap of new enrollments per UTC day (`enrollments.py` says
  how two jobs share it); the contacts over it are deferred to a job at the next midnight.
- lemlist's own unsubscribe list: it offers no per-address check (only the whole list, page
  by page), so it is honoured through its add-lead answer instead. A lead lemlist flags as
  unsubscribed is recorded `unsubscribed`, reported skipped, and never contacted by lemlist.
- An outage or rate limit fails only the contacts it hit, transiently: their reserved rows
  stay pending and `finish_step` queues the retry. Run twice, the step creates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any, Literal

from pydantic import Field, field_validator

from salesauto.campaigns.effects import INVALID_EMAIL
from salesauto.integrations.http.errors import ProviderError, ProviderRejected
from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.lemlist.schemas import CampaignDetail
from salesauto.integrations.models import OutreachLead
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import job_type
from salesauto.jobs.repository import NewJob
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.batching import chunked, gather_in_order
from salesauto.kit.time import utcnow
from salesauto.pipeline.campaigns import CampaignRef, ensure_campaign_instance
from salesauto.pipeline.contacts import (
    contacts_for_step,
    describe,
    integrations_of,
    is_transient,
    provider_or_fail,
)
from salesauto.pipeline.enrollments import (
    ENROLLED,
    UNSUBSCRIBED,
    EnrollmentRecord,
    Reservation,
    record_enrollments,
    reserve_enrollments,
)
from salesauto.pipeline.outreach_leads import (
    REQUEST_VALUE_MAX,
    REQUEST_VARIABLES_MAX,
    company_names,
    lead_variables,
    outreach_lead,
    variable_name_problem,
)
from salesauto.pipeline.steps import STEP_JOB_TYPES, StepParameters, StepReport, finish_step
from salesauto.pipeline.withdrawals import withdrawn_contacts

PROVIDER = "lemlist"
# Contacts whose results are written together; a crash repeats at most one chunk's calls,
# which lemlist then answers with "already in the campaign".
ENROLL_CHUNK = 50
# Calls in flight: the client holds lemlist to 20 requests per 2 s; more would only queue.
ENROLL_CONCURRENCY = 4
ALREADY_HERE = "already in the lemlist campaign"


class OutreachParameters(StepParameters):
    campaign_id: str = Field(
        ..., min_length=1, max_length=100, description="The lemlist campaign (cam_…)."
    )
    variables: dict[str, str] = Field(
        default_factory=dict,
        max_length=REQUEST_VARIABLES_MAX,
        description="Personalisation variables added to every lead (a contact's own fields "
        "win over a variable of the same name).",
    )
    daily_cap: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="New enrollments per UTC day in this campaign; stored on the campaign. "
        "None keeps its cap (or the setting `outreach_daily_cap`).",
    )

    @field_validator("variables")
    @classmethod
    def _usable_variables(cls, variables: dict[str, str]) -> dict[str, str]:
        for name, value in variables.items():
            problem = variable_name_problem(name)
            if problem is not None:
                raise ValueError(problem)
            if len(value) > REQUEST_VALUE_MAX:
                raise ValueError(f"variable {name!r} is over {REQUEST_VALUE_MAX} characters")
        return variables


@dataclass(frozen=True)
class LeadAnswer:
    """What lemlist did with one contact."""

    email: str
    outcome: Literal["enrolled", "already", "unsubscribed", "elsewhere", "failed"]
    variables: dict[str, str]
    lead_id: str | None = None
    detail: str | None = None
    transient: bool = False


@job_type("pipeline.outreach", OutreachParameters)
async def run_outreach(context: JobContext, parameters: OutreachParameters) -> dict[str, Any]:
    """Enrolls contacts in a lemlist campaign, deduplicated and within its daily cap."""
    report = StepReport("outreach")
    lemlist: LemlistClient = provider_or_fail(integrations_of(context), PROVIDER)
    async with context.queue.engine.connect() as conn:
        contacts = await contacts_for_step(conn, context.owner_id, parameters.emails, report)
        contacts = _deliverable(contacts, report)
        companies = await company_names(conn, context.owner_id, contacts.values())
    later: NewJob | None = None
    if contacts:
        campaign = await _lemlist_campaign(lemlist, parameters.campaign_id, report, contacts)
        if campaign is not None:
            later = await _enroll_contacts(
                context, lemlist, campaign, parameters, contacts, companies, report
            )
    return await finish_step(
        context,
        report,
        chain=parameters.chain,
        round_=parameters.round,
        retry_parameters={"campaign_id": parameters.campaign_id, "variables": parameters.variables},
        later=later,
    )


def _deliverable(contacts: dict[str, dict[str, Any]], report: StepReport) -> dict[str, Any]:
    """Drop addresses known to be undeliverable (a bounce, or enrichment said so): sending to
    them again only hurts the sending domain's reputation."""
    kept: dict[str, dict[str, Any]] = {}
    for email, contact in contacts.items():
        if (contact.get("data") or {}).get("email_status") == INVALID_EMAIL:
            report.record(
                email, "skipped", "the address is invalid (it bounced or enrichment said so)"
            )
        else:
            kept[email] = contact
    return kept


async def _lemlist_campaign(
    lemlist: LemlistClient, campaign_id: str, report: StepReport, contacts: dict[str, Any]
) -> CampaignDetail | None:
    """The campaign, or None when lemlist is down (every contact then waits for the retry)."""
    try:
        return await lemlist.get_campaign(campaign_id)
    except ProviderRejected as error:
        if error.status == 404:
            raise PermanentJobError(
                f"lemlist has no campaign {campaign_id!r}; list your campaigns with "
                "`salesauto integrations check` or in the lemlist app (Campaigns), and pass "
                "its cam_… id"
            ) from None
        raise PermanentJobError(describe(error)) from None
    except ProviderError as error:
        if not is_transient(error):
            raise PermanentJobError(describe(error)) from None
        report.fail_all(contacts, describe(error), transient=True)
        return None


async def _enroll_contacts(
    context: JobContext,
    lemlist: LemlistClient,
    campaign: CampaignDetail,
    parameters: OutreachParameters,
    contacts: dict[str, dict[str, Any]],
    companies: dict[int, str],
    report: StepReport,
) -> NewJob | None:
    """Enroll what today's cap allows; returns the job for the rest at the next midnight."""
    engine, settings = context.queue.engine, context.queue.settings
    now = utcnow()
    midnight = datetime.combine(now.date(), time(0), tzinfo=UTC)
    tomorrow = midnight + timedelta(days=1)

    async def reserve() -> tuple[CampaignRef, Reservation]:
        async with engine.begin() as conn:
            ref = await ensure_campaign_instance(
                conn,
                context.owner_id,
                provider=PROVIDER,
                provider_campaign_id=campaign.id,
                name=campaign.name,
                status=campaign.status,
                daily_cap=parameters.daily_cap,
            )
            reservation = await reserve_enrollments(
                conn,
                instance_id=ref.instance_id,
                owner_id=context.owner_id,
                emails=list(contacts),
                cap=ref.daily_cap or settings.outreach_daily_cap,
                since=midnight,
                now=now,
            )
        return ref, reservation

    ref, reservation = await context.queue.write(reserve)
    for email, status in reservation.known.items():
        if status == UNSUBSCRIBED:
            report.record(email, "skipped", "unsubscribed in lemlist: it will not contact them")
        else:
            report.record(email, "unchanged", f"already enrolled in this campaign ({status})")
    report.skip_all(
        reservation.deferred,
        f"daily cap of {reservation.cap} reached; enrolling on {tomorrow.date().isoformat()}",
    )

    chunks = chunked(reservation.to_enroll, ENROLL_CHUNK)
    for index, chunk in enumerate(chunks):
        # Earlier chunks may have taken minutes: who was suppressed or erased since the job
        # started is not sent, and gives its reserved slot back.
        async with engine.connect() as conn:
            withdrawn = await withdrawn_contacts(conn, context.owner_id, chunk)
        for email, detail in withdrawn.items():
            report.record(email, "skipped", detail)
        leads = [
            outreach_lead(contact, companies.get(contact["company_id"]), parameters.variables)
            for contact in (contacts[email] for email in chunk if email not in withdrawn)
        ]
        answers = await gather_in_order(
            [partial(_enroll_one, lemlist, campaign.id, lead) for lead in leads],
            concurrency=ENROLL_CONCURRENCY,
        )
        await _record(context, ref, answers, report, withdrawn=list(withdrawn))
        sent = min((index + 1) * ENROLL_CHUNK, len(reservation.to_enroll))
        await context.progress((index + 1) / len(chunks), f"{sent:,} contacts sent to lemlist")

    if not reservation.deferred:
        return None
    return NewJob(
        type=STEP_JOB_TYPES["outreach"],
        parameters={
            "emails": reservation.deferred,
            "campaign_id": parameters.campaign_id,
            "variables": parameters.variables,
            "chain": parameters.chain.model_dump(mode="json") if parameters.chain else None,
            "round": 0,
        },
        run_at=tomorrow,
        idempotency_key=f"outreach-deferred:{context.job_id}",
        owner_id=context.owner_id,
    )


async def _enroll_one(lemlist: LemlistClient, campaign_id: str, lead: OutreachLead) -> LeadAnswer:
    variables = lead_variables(lead)
    try:
        outcome = await lemlist.enroll_lead(campaign_id, lead, deduplicate=True)
        # A duplicate: in this campaign already (a crash after the call, someone else's add)
        # or, as lemlist deduplicates across campaigns, in another one. Only the lead's
        # memberships tell which, and give its lead id here.
        duplicate = not outcome.enrolled and outcome.lead_id is None
        memberships = await lemlist.get_lead_memberships(lead.email) if duplicate else []
    except ProviderError as error:
        return LeadAnswer(
            lead.email, "failed", variables, detail=describe(error), transient=is_transient(error)
        )
    if outcome.enrolled:
        return LeadAnswer(lead.email, "enrolled", variables, lead_id=outcome.lead_id)
    if not duplicate:  # stored by lemlist, but on its unsubscribe list
        return LeadAnswer(
            lead.email, "unsubscribed", variables, outcome.lead_id, outcome.skipped_reason
        )
    here = [m for m in memberships if m.campaign is not None and m.campaign.id == campaign_id]
    if here:
        return LeadAnswer(lead.email, "already", variables, lead_id=here[0].id)
    return LeadAnswer(
        lead.email,
        "elsewhere",
        variables,
        detail=f"lemlist: {outcome.skipped_reason} (it keeps a lead in one campaign at a time)",
    )


async def _record(
    context: JobContext,
    ref: CampaignRef,
    answers: list[LeadAnswer],
    report: StepReport,
    *,
    withdrawn: list[str],
) -> None:
    records: list[EnrollmentRecord] = []
    released: list[str] = list(withdrawn)
    for answer in answers:
        data = {"campaignId": ref.provider_campaign_id, "leadId": answer.lead_id}
        if answer.outcome in ("enrolled", "already"):
            record = EnrollmentRecord(answer.email, ENROLLED, answer.lead_id, answer.variables)
            records.append(record)
            if answer.outcome == "enrolled":
                report.record(answer.email, "done", data=data)
            else:
                report.record(answer.email, "unchanged", ALREADY_HERE, data=data)
        elif answer.outcome == "unsubscribed":
            records.append(
                EnrollmentRecord(answer.email, UNSUBSCRIBED, answer.lead_id, answer.variables)
            )
            report.record(answer.email, "skipped", answer.detail, data=data)
        elif answer.outcome == "elsewhere":
            released.append(answer.email)
            report.record(answer.email, "skipped", answer.detail)
        elif answer.transient:
            # The reserved row stays pending: the retry enrolls it without a new slot.
            report.record(answer.email, "failed", answer.detail, transient=True)
        else:
            released.append(answer.email)
            report.record(answer.email, "failed", answer.detail)

    async def write() -> None:
        async with context.queue.engine.begin() as conn:
            await record_enrollments(
                conn,
                instance_id=ref.instance_id,
                owner_id=context.owner_id,
                records=records,
                released=released,
                at=utcnow(),
            )

    await context.queue.write(write)
