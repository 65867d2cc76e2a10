"""The `pipeline.sync_hubspot` step: contacts and their companies written to HubSpot.

Contacts are upserted by email and companies matched by domain, in batches of 100 contacts;
the mapping and overwrite policy are `crm_mapping`'s, the HubSpot calls `crm_hubspot`'s. Each
contact synced gets its HubSpot id stored, its stage moved to `synced` (never backwards) and
`synced_at` set; its company gets its HubSpot id too.

Running it twice changes nothing: under the `never` policy a contact whose data (and whose
company's) has not changed since its last sync is `unchanged` without any HubSpot call
(`resync` compares them anyway, e.g. after a mapping change); otherwise HubSpot is read first
and only what the policy lets change is written — nothing when nothing differs.

A batch an outage or a rate limit stops fails `transient` and is retried by a later job; a
record HubSpot refuses fails alone with HubSpot's message; suppressed contacts are skipped
before anything is read or written, and so are the ones suppressed or erased while the job
runs: each batch asks again just before its HubSpot calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import COMPANIES, CONTACTS, LOOKUP_CHUNK
from salesauto.integrations.http.errors import ProviderAuthFailed, ProviderError
from salesauto.integrations.hubspot import HubSpotClient
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import job_type
from salesauto.jobs.worker import PermanentJobError
from salesauto.kit.batching import chunked
from salesauto.kit.time import utcnow
from salesauto.models.contacts import CONTACT_STAGES
from salesauto.pipeline.contacts import (
    contacts_for_step,
    describe,
    integrations_of,
    is_transient,
    provider_or_fail,
)
from salesauto.pipeline.crm_claims import DatabaseCompanyClaims
from salesauto.pipeline.crm_hubspot import CompanySync, ContactSync, HubSpotSync
from salesauto.pipeline.crm_mapping import FieldMapping, InvalidFieldMapping, OverwritePolicy
from salesauto.pipeline.steps import StepParameters, StepReport, finish_step
from salesauto.pipeline.withdrawals import withdrawn_contacts

# Contacts per batch: one HubSpot upsert, and what one outage fails at most.
SYNC_BATCH = 100
SYNCED = "synced"
BEFORE_SYNCED = CONTACT_STAGES[: CONTACT_STAGES.index(SYNCED)]


class SyncParameters(StepParameters):
    overwrite: Literal["never", "always"] | None = Field(
        None, description="Replace non-empty HubSpot values? Default: the settings' policy."
    )
    resync: bool = Field(
        False,
        description="Compare with HubSpot even the contacts unchanged since their last sync "
        "(after changing the field mapping).",
    )


@job_type("pipeline.sync_hubspot", SyncParameters)
async def sync_hubspot(context: JobContext, parameters: SyncParameters) -> dict[str, Any]:
    """Writes contacts and their companies to HubSpot (by email and domain) with associations."""
    settings = context.queue.settings
    try:
        mapping = FieldMapping.from_settings(settings.hubspot_field_mapping)
    except InvalidFieldMapping as error:
        raise PermanentJobError(error.message) from None
    policy: OverwritePolicy = parameters.overwrite or settings.hubspot_overwrite
    # Under `always` HubSpot is compared anyway: a value typed there since is replaced.
    skip_unchanged = policy == "never" and not parameters.resync
    report = StepReport("sync")
    # Taken before the rows are read: an edit that lands meanwhile is newer than the sync
    # and makes the next sync look at the contact again.
    read_at = utcnow()
    async with context.queue.engine.connect() as conn:
        contacts = await contacts_for_step(conn, context.owner_id, parameters.emails, report)
        companies = await _companies_of(conn, context.owner_id, contacts.values())
    pending = _to_sync(contacts, companies, mapping, report, skip_unchanged=skip_unchanged)
    if pending:
        hubspot: HubSpotClient = provider_or_fail(integrations_of(context), "hubspot")
        claims = DatabaseCompanyClaims(context.queue, context.owner_id)
        sync = HubSpotSync(hubspot, mapping, policy, claims)
        await _sync_batches(context, sync, pending, read_at)
        for item in pending:
            _record(report, item, contacts[item.email])
    return await finish_step(
        context,
        report,
        chain=parameters.chain,
        round_=parameters.round,
        retry_parameters={"overwrite": parameters.overwrite, "resync": parameters.resync},
    )


def _to_sync(
    contacts: dict[str, dict[str, Any]],
    companies: dict[int, dict[str, Any]],
    mapping: FieldMapping,
    report: StepReport,
    *,
    skip_unchanged: bool,
) -> list[ContactSync]:
    """The contacts to compare with HubSpot; with `skip_unchanged`, those synced since they
    last changed are recorded `unchanged` instead."""
    pending: list[ContactSync] = []
    company_items: dict[int, CompanySync] = {}
    for email, row in contacts.items():
        company = companies.get(row["company_id"]) if row["company_id"] else None
        if skip_unchanged and _synced_since_changed(row, company):
            report.record(
                email, "unchanged", "not changed since its last sync", data=_ids(row, company)
            )
            continue
        if company is not None and company["id"] not in company_items:
            # One item per company, shared by its contacts, so it is written once.
            company_items[company["id"]] = _company_sync(company, mapping)
        pending.append(
            ContactSync(
                email=email,
                values=mapping.contact_values(row, company),
                stored_id=row["hubspot_id"],
                company=company_items[company["id"]] if company is not None else None,
            )
        )
    return pending


async def _sync_batches(
    context: JobContext, sync: HubSpotSync, pending: list[ContactSync], read_at: datetime
) -> None:
    blocked: ProviderError | None = None
    done = 0
    for whole_batch in chunked(pending, SYNC_BATCH):
        batch = await _still_wanted(context, whole_batch)
        if blocked is not None:
            # Bad credentials fail every call alike: tell each contact, stop calling.
            for item in batch:
                item.fail(describe(blocked))
        elif batch:
            try:
                await sync.sync(batch)
            except ProviderError as error:
                for item in batch:
                    item.fail(describe(error), transient=is_transient(error))
                if isinstance(error, ProviderAuthFailed):
                    blocked = error
        await _store(context, batch, read_at)
        done += len(whole_batch)
        await context.progress(done / len(pending), f"{done:,} of {len(pending):,} contacts")


async def _still_wanted(context: JobContext, batch: list[ContactSync]) -> list[ContactSync]:
    """The batch without the contacts suppressed or erased since the job loaded them (an
    earlier batch may have taken minutes); those are marked skipped."""
    async with context.queue.engine.connect() as conn:
        withdrawn = await withdrawn_contacts(conn, context.owner_id, [i.email for i in batch])
    for item in batch:
        item.skipped = withdrawn.get(item.email)
    return [item for item in batch if item.skipped is None]


def _record(report: StepReport, item: ContactSync, row: dict[str, Any]) -> None:
    if item.skipped is not None:
        report.record(item.email, "skipped", item.skipped)
        return
    if item.error is not None or item.hubspot_id is None:
        report.record(
            item.email,
            "failed",
            item.error or "HubSpot returned no id for it",
            data={"hubspotId": item.hubspot_id} if item.hubspot_id else None,
            transient=item.transient,
        )
        return
    data: dict[str, Any] = {"hubspotId": item.hubspot_id, "created": item.created}
    if item.sent:
        data["properties"] = item.sent
    if item.company is not None:
        data["companyHubspotId"] = item.company.hubspot_id
    changed = item.wrote or item.stored_id != item.hubspot_id or row["status"] in BEFORE_SYNCED
    if changed:
        report.record(item.email, "done", data=data)
    else:
        report.record(item.email, "unchanged", "HubSpot already has it", data=data)


def _synced_since_changed(row: dict[str, Any], company: dict[str, Any] | None) -> bool:
    """Synced, and neither the contact nor its company changed since."""
    synced_at = row["synced_at"]
    if not row["hubspot_id"] or synced_at is None or row["status"] in BEFORE_SYNCED:
        return False
    if row["updated_at"] is not None and row["updated_at"] > synced_at:
        return False
    if company is None:
        return True
    return bool(company["hubspot_id"]) and not (
        company["updated_at"] is not None and company["updated_at"] > synced_at
    )


def _ids(row: dict[str, Any], company: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"hubspotId": row["hubspot_id"]}
    if company is not None:
        data["companyHubspotId"] = company["hubspot_id"]
    return data


def _company_sync(company: dict[str, Any], mapping: FieldMapping) -> CompanySync:
    return CompanySync(
        company_id=company["id"],
        domain=company["domain"],
        values=mapping.company_values(company),
        stored_id=company["hubspot_id"],
    )


async def _companies_of(
    conn: AsyncConnection, owner_id: str, contacts: Iterable[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    ids = sorted({row["company_id"] for row in contacts if row["company_id"] is not None})
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunked(ids, LOOKUP_CHUNK):
        rows = await conn.execute(
            sa.select(COMPANIES).where(COMPANIES.c.owner_id == owner_id, COMPANIES.c.id.in_(chunk))
        )
        found.update({row.id: dict(row._mapping) for row in rows})
    return found


async def _store(context: JobContext, batch: list[ContactSync], read_at: datetime) -> None:
    """HubSpot ids learned (even of contacts that then failed), and the synced contacts'
    stage and `synced_at`, in one transaction."""
    owner_id = context.owner_id
    companies = {
        item.company.company_id: item.company.hubspot_id
        for item in batch
        if item.company is not None
        and item.company.hubspot_id
        and item.company.hubspot_id != item.company.stored_id
    }
    synced = [
        {"match_email": item.email, "new_id": item.hubspot_id}
        for item in batch
        if item.error is None and item.hubspot_id
    ]
    learned = [
        {"match_email": item.email, "new_id": item.hubspot_id}
        for item in batch
        if item.error is not None and item.hubspot_id and item.hubspot_id != item.stored_id
    ]
    if not (companies or synced or learned):
        return
    contact_match = (CONTACTS.c.owner_id == owner_id) & (
        CONTACTS.c.email == sa.bindparam("match_email")
    )

    async def write() -> None:
        async with context.queue.engine.begin() as conn:
            if companies:
                await conn.execute(
                    sa.update(COMPANIES)
                    .where(
                        COMPANIES.c.owner_id == owner_id,
                        COMPANIES.c.id == sa.bindparam("match_id"),
                    )
                    .values(hubspot_id=sa.bindparam("new_id")),
                    [{"match_id": key, "new_id": value} for key, value in companies.items()],
                )
            if synced:
                # The stage only moves forward, even past a step that ran meanwhile.
                # (Equalities, not IN: an expanding IN cannot run in an executemany.)
                earlier = sa.or_(*(CONTACTS.c.status == stage for stage in BEFORE_SYNCED))
                stage = sa.case((earlier, SYNCED), else_=CONTACTS.c.status)
                await conn.execute(
                    sa.update(CONTACTS)
                    .where(contact_match)
                    .values(hubspot_id=sa.bindparam("new_id"), status=stage, synced_at=read_at),
                    synced,
                )
            if learned:
                await conn.execute(
                    sa.update(CONTACTS)
                    .where(contact_match)
                    .values(hubspot_id=sa.bindparam("new_id")),
                    learned,
                )

    await context.queue.write(write)
