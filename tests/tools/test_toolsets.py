"""One pass per toolset against the sandbox platform, asserting what a user would see."""

from __future__ import annotations

import asyncio
from typing import Any

from salesauto.deadletter.repository import NewDeadLetter, insert_dead_letter
from salesauto.kit.time import utcnow
from salesauto.security.principal import Principal
from tests.tools.conftest import Caller

CSV = "Email,First Name,Company\nann@acme.com,Ann,Acme\nbob@globex.com,Bob,Globex\n"


async def _finished(tools: Caller, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        job: dict[str, Any] = (await tools.ok("jobs_get", job_id=job_id))["job"]
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_admin_tells_who_calls_and_masks_settings(tools: Caller) -> None:
    me = await tools.ok("admin_whoami")
    assert me["workspace"] == "default" and me["scopes"] == ["admin"]
    assert set(me["providers"]) == {"hubspot", "lemlist", "explorium", "apollo"}
    settings = (await tools.ok("admin_get_settings"))["settings"]
    assert settings["auto_enrich"] is tools.platform.settings.auto_enrich
    assert settings["lemlist_api_key"] is None
    reader = Principal(workspace="default", key_id="r", scopes=frozenset({"jobs:read"}))
    refused = await tools.registry.call("admin_get_settings", {}, tools.context(reader))
    assert refused.is_error and "'admin' scope" in refused.text


async def test_contacts_imports_and_the_funnel(tools: Caller) -> None:
    preview = (await tools.ok("imports_preview_csv", csv=CSV))["preview"]
    assert preview["mapping"]["Email"] == "email" and preview["problems"] == []
    worker = tools.platform.start_worker(concurrency=1, scheduler=False)
    started = await tools.ok("imports_start", csv=CSV, auto_enrich=False, auto_sync=False)
    job = await _finished(tools, started["job_id"])
    # Jobs queued from here on (lemlist pushes of suppressions) are not this test's business.
    worker.request_stop()
    assert job["status"] == "completed" and job["result"]["created"] == 2
    listed = (await tools.ok("imports_get"))["imports"]
    assert [j["id"] for j in listed] == [started["job_id"]]

    updated = await tools.ok("contacts_upsert", email="Ann@Acme.com", fields={"title": "CTO"})
    assert updated["outcome"] == "updated" and updated["contact"]["title"] == "CTO"
    page = await tools.ok("contacts_search", q="acme", limit=1)
    assert [c["email"] for c in page["contacts"]] == ["ann@acme.com"]
    account = await tools.ok("contacts_get_company", domain="https://www.acme.com")
    assert account["company"]["domain"] == "acme.com"
    assert [c["email"] for c in account["contacts"]] == ["ann@acme.com"]
    suppressed = await tools.ok("contacts_suppress", values=["globex.com", "not an email"])
    assert [a["value"] for a in suppressed["result"]["added"]] == ["globex.com"]
    assert len(suppressed["result"]["rejected"]) == 1
    funnel = await tools.ok("analytics_funnel")
    assert funnel["contacts"] == 2 and funnel["contacts_by_stage"]["imported"] == 2


async def test_pipeline_tools_queue_the_jobs_the_api_queues(tools: Caller) -> None:
    await tools.ok("contacts_upsert", email="ann@acme.com", fields={"company_name": "Acme"})
    found = await tools.confirmed(
        "discovery_find_leads", query="fintech", count=5, auto_enrich=False
    )
    enrich_dry = await tools.ok("enrichment_enrich_contacts", contacts={"emails": ["ann@acme.com"]})
    assert enrich_dry["details"]["contacts"] == 1
    enriched = await tools.confirmed(
        "enrichment_enrich_contacts", contacts={"emails": ["ann@acme.com"]}
    )
    synced = await tools.ok("crm_sync_contacts", contacts={"stage": ["imported"]})
    assert synced["contacts"] == 1
    jobs = {j["id"]: j for j in (await tools.ok("jobs_list"))["jobs"]}
    assert jobs[found["job_id"]]["type"] == "pipeline.discover"
    assert jobs[found["job_id"]]["parameters"]["count"] == 5
    assert jobs[enriched["job_id"]]["parameters"]["emails"] == ["ann@acme.com"]
    assert jobs[synced["job_id"]]["type"] == "pipeline.sync_hubspot"
    nobody = await tools.call("crm_sync_contacts", contacts={"stage": ["replied"]})
    assert nobody.is_error and "no contacts match" in nobody.text


async def test_jobs_submit_follow_cancel_retry(tools: Caller) -> None:
    types = {t["name"] for t in (await tools.ok("jobs_list_types"))["types"]}
    assert "import.csv" in types and "contacts.erase_at_providers" not in types
    internal = await tools.call("jobs_submit", type="contacts.erase_at_providers")
    assert internal.is_error and "queued by the platform itself" in internal.text
    queued = await tools.ok("jobs_submit", type="test.record", parameters={"seconds": 0})
    assert (await tools.ok("jobs_get", job_id=queued["job_id"]))["job"]["status"] == "queued"
    cancelled = await tools.confirmed("jobs_cancel", job_id=queued["job_id"])
    assert cancelled["job"]["status"] == "cancelled"
    retried = await tools.ok("jobs_retry", job_id=queued["job_id"])
    assert retried["job"]["status"] == "queued"
    health = await tools.ok("analytics_job_health")
    assert health["jobs_by_status"] == {"queued": {"test.record": 1}}


async def test_dead_letters_list_retry_discard(tools: Caller) -> None:
    async with tools.platform.engine.begin() as conn:
        await insert_dead_letter(
            conn,
            NewDeadLetter(
                owner_id="default",
                provider="lemlist",
                provider_event_id="evt_1",
                event_type="emailsReplied",
                email="ghost@acme.com",
                payload={"type": "emailsReplied", "leadEmail": "ghost@acme.com"},
                error="no enrollment for ghost@acme.com",
                attempts=3,
                receipt_id=None,
                at=utcnow(),
            ),
        )
    listed = (await tools.ok("deadletter_list"))["dead_letters"]
    assert [d["email"] for d in listed] == ["ghost@acme.com"]
    letter = (await tools.ok("deadletter_get", letter_id=listed[0]["id"]))["dead_letter"]
    assert letter["payload"]["leadEmail"] == "ghost@acme.com"
    retried = await tools.ok("deadletter_retry", letter_id=letter["id"])
    assert retried["still_orphaned"] == 1
    unfiltered = await tools.call("deadletter_discard")
    assert unfiltered.is_error and "give a filter" in unfiltered.text
    discarded = await tools.confirmed("deadletter_discard", all=True)
    assert discarded == {"discarded": 1}
    assert (await tools.ok("deadletter_list"))["dead_letters"] == []
    assert (await tools.ok("analytics_job_health"))["pending_dead_letters"] == 0
