"""`contacts.erase_at_providers`: after a contact is erased here, ask HubSpot and lemlist to
forget them too (HubSpot archives the record; lemlist removes the lead from every campaign)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from salesauto.integrations.http.errors import ProviderRejected
from salesauto.integrations.registry import Integrations
from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.worker import PermanentJobError


class EraseParameters(JobParameters):
    email: str = Field(..., min_length=3, max_length=320)
    hubspot_id: str | None = Field(None, max_length=32)


@job_type("contacts.erase_at_providers", EraseParameters, internal=True)
async def erase_at_providers(context: JobContext, parameters: EraseParameters) -> dict[str, Any]:
    """Archive the HubSpot contact and remove the lemlist leads of an erased contact.

    Idempotent: a record already gone counts as erased, so a retry after a partial failure
    finishes the job instead of failing on what the first attempt did.
    """
    integrations = getattr(context.services, "integrations", None)
    if not isinstance(integrations, Integrations):
        raise PermanentJobError("this worker was started without provider clients")
    done: dict[str, Any] = {"email": parameters.email}
    if "hubspot" in integrations.clients:
        done["hubspot"] = await _erase_hubspot(integrations, parameters)
    if "lemlist" in integrations.clients:
        done["lemlist"] = await _erase_lemlist(integrations, parameters.email)
    return done


async def _erase_hubspot(integrations: Integrations, parameters: EraseParameters) -> str:
    contacts = integrations.hubspot.contacts
    record_id = parameters.hubspot_id
    try:
        if record_id is None:
            record_id = (await contacts.get(parameters.email, id_property="email")).id
        await contacts.archive(record_id)
    except ProviderRejected as error:
        if error.status == 404:
            return "not found"
        raise
    return f"archived {record_id}"


async def _erase_lemlist(integrations: Integrations, email: str) -> list[str]:
    lemlist = integrations.lemlist
    removed: list[str] = []
    for membership in await lemlist.get_lead_memberships(email):
        if membership.campaign is None:
            continue
        try:
            await lemlist.delete_lead(membership.campaign.id, membership.id)
        except ProviderRejected as error:
            if error.status != 404:
                raise
        removed.append(membership.campaign.id)
    return removed
