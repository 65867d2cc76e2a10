"""A suppression added anywhere stops the contact's enrollments here and reaches lemlist's
unsubscribe list (the emulator's), except when it came from lemlist (both databases)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.models import OutreachLead
from salesauto.models.base import table_of
from salesauto.models.contacts import ImportedContact, Suppression
from salesauto.models.jobs import Job
from salesauto.suppressions.propagation import PROPAGATE_JOB
from tests.support.waiting import wait_for_job
from tests.webhooks.conftest import (
    CAMPAIGN,
    ENROLLMENTS,
    Api,
    activity,
    enroll,
    hubspot_body,
    lemlist_token,
    rows,
    signed_headers,
    wait_for_statuses,
)

JOBS = table_of(Job)
CONTACTS = table_of(ImportedContact)


async def _enrollments(api: Api) -> dict[tuple[str, str], Any]:
    """(email, lemlist campaign id) → enrollment row."""
    async with api.engine.connect() as conn:
        found = await conn.execute(
            sa.text(
                "SELECT e.contact_email, i.provider_campaign_id, e.status, e.stop_reason "
                "FROM campaign_enrollments e JOIN campaign_instances i ON i.id = e.instance_id"
            )
        )
        return {(row[0], row[1]): row for row in found}


async def _push_jobs(api: Api) -> list[Any]:
    """The propagation jobs, each once the worker has finished it."""
    async with api.engine.connect() as conn:  # closed before waiting: SQLite pools one
        query = sa.select(JOBS.c.id).where(JOBS.c.type == PROPAGATE_JOB).order_by(JOBS.c.id)
        ids = list((await conn.execute(query)).scalars())
    return [await wait_for_job(api.platform, job_id, ("completed", "failed")) for job_id in ids]


async def _unsubscribed_at_lemlist(lemlist: LemlistClient) -> set[str]:
    return {entry.value async for entry in lemlist.iter_unsubscribes()}


async def test_api_suppressions_stop_enrollments_and_reach_lemlist(api: Api) -> None:
    lemlist = api.platform.integrations.lemlist
    real = (await lemlist.list_campaigns())[0].id
    at_lemlist = await lemlist.enroll_lead(real, OutreachLead(email="joe@acme.test"))
    for email, campaign in (
        ("joe@acme.test", real),
        ("joe@acme.test", CAMPAIGN),
        ("ann@acme.test", CAMPAIGN),
        ("bo@globex.test", CAMPAIGN),
        ("cy@globex.test", real),
        ("di@eu.globex.test", CAMPAIGN),  # a subdomain is another domain
    ):
        await enroll(api.engine, email, campaign)
    async with api.engine.begin() as conn:
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(ENROLLMENTS.c.contact_email == "cy@globex.test")
            .values(status="replied")
        )

    body = {"entries": [{"value": "joe@acme.test", "reason": "asked us"}, {"value": "globex.test"}]}
    response = await api.http.post("/api/suppressions", json=body)
    assert response.status_code == 201, response.text
    # Stopped here in the request's own transaction.
    assert {
        key: (row.status, row.stop_reason) for key, row in (await _enrollments(api)).items()
    } == {
        ("joe@acme.test", real): ("stopped", "suppressed (api): asked us"),
        ("joe@acme.test", CAMPAIGN): ("stopped", "suppressed (api): asked us"),
        ("ann@acme.test", CAMPAIGN): ("enrolled", None),
        ("bo@globex.test", CAMPAIGN): ("stopped", "suppressed (api): manual"),
        ("cy@globex.test", real): ("replied", None),  # finished already: left as it was
        ("di@eu.globex.test", CAMPAIGN): ("enrolled", None),
    }
    [job] = await _push_jobs(api)
    assert job.status == "completed", job.error
    assert job.result == {
        "provider": "lemlist",
        "pushed": ["joe@acme.test", "@globex.test"],
        "rejected": [],
        "skipped": [],
    }
    assert {"joe@acme.test", "@globex.test"} <= await _unsubscribed_at_lemlist(lemlist)
    [membership] = await lemlist.get_lead_memberships("joe@acme.test")
    assert (membership.id, membership.state) == (at_lemlist.lead_id, "unsubscribed")

    again = await api.http.post("/api/suppressions", json=body)
    assert again.json()["alreadyListed"] == 2
    assert len(await _push_jobs(api)) == 1  # listed once, pushed once


async def test_a_hubspot_opt_out_stops_enrollments_and_reaches_lemlist(api: Api) -> None:
    await enroll(api.engine, "opt@acme.test")
    await enroll(api.engine, "opt@acme.test", "cam_other")
    async with api.engine.begin() as conn:
        await conn.execute(
            sa.update(CONTACTS).where(CONTACTS.c.email == "opt@acme.test").values(hubspot_id="901")
        )
    body = hubspot_body(
        {
            "eventId": 101,
            "subscriptionType": "contact.propertyChange",
            "objectId": 901,
            "propertyName": "hs_email_optout",
            "propertyValue": "true",
            "occurredAt": 1772443800000,
        }
    )
    response = await api.http.post("/webhooks/hubspot", content=body, headers=signed_headers(body))
    assert response.status_code == 200, response.text
    await wait_for_statuses(api.engine, ["processed"])

    stopped = {(row.status, row.stop_reason) for row in (await _enrollments(api)).values()}
    assert stopped == {("stopped", "suppressed (hubspot): opted out of email in HubSpot")}
    [job] = await _push_jobs(api)
    assert (job.status, job.result["pushed"]) == ("completed", ["opt@acme.test"])
    assert "opt@acme.test" in await _unsubscribed_at_lemlist(api.platform.integrations.lemlist)


async def test_a_lemlist_unsubscribe_is_not_pushed_back_to_lemlist(api: Api) -> None:
    await enroll(api.engine, "bye@acme.test")
    await enroll(api.engine, "bye@acme.test", "cam_other")
    token = await lemlist_token(api.engine)
    event = json.dumps(activity("bye@acme.test", "emailsUnsubscribed")).encode()
    response = await api.http.post(f"/webhooks/lemlist/{token}", content=event)
    assert response.status_code == 200, response.text
    await wait_for_statuses(api.engine, ["processed"])

    statuses = {key[1]: row.status for key, row in (await _enrollments(api)).items()}
    assert statuses == {CAMPAIGN: "unsubscribed", "cam_other": "stopped"}
    suppressions = await rows(api.engine, table_of(Suppression))
    assert [(s.value, s.source) for s in suppressions] == [("bye@acme.test", "lemlist")]
    assert await _push_jobs(api) == []
    assert "bye@acme.test" not in await _unsubscribed_at_lemlist(api.platform.integrations.lemlist)
