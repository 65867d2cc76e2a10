"""The pipeline routes without a worker: what each POST queues.

`/api/discover`, `/api/enrich`, `/api/sync/hubspot`, `/api/outreach` and `/api/pipeline`
answer 202 with the jobs they queued; the jobs are read back through `/api/jobs/{id}`, the
way a client would, so each test checks the type and the parameters a worker will get.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import client_for
from tests.api.pipeline_support import accepted, only_job, queued, store
from tests.conftest import make_settings

NO_CHAIN_OVERRIDE = {"enrich": True, "sync": True, "outreach": False, "campaign_id": None}


@pytest.fixture
async def defaults_changed(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An API whose settings sync nothing by themselves but enroll in a default campaign."""
    settings = make_settings(
        database_url, auto_sync=False, auto_outreach=True, outreach_campaign_id="cam_default"
    )
    async with client_for(settings, run_worker=False) as client:
        yield client


async def test_enrich_queues_the_listed_emails_normalised_with_its_options(
    api_only_client: httpx.AsyncClient,
) -> None:
    listed = [" Ann@Acme.com ", "Bob Stone <BOB@acme.com>", "mailto:ann@acme.com", "cy@x.io"]
    body = {"contacts": {"emails": listed}, "providers": ["apollo"], "creditBudget": 5}

    job = await only_job(api_only_client, await api_only_client.post("/api/enrich", json=body), 3)

    assert job["type"] == "pipeline.enrich"
    assert job["parameters"] == {
        "emails": ["ann@acme.com", "bob@acme.com", "cy@x.io"],
        "chain": NO_CHAIN_OVERRIDE | {"run_id": None},
        "providers": ["apollo"],
        "credit_budget": 5,
        "refresh": False,
    }

    body = {"contacts": {"emails": ["ann@acme.com"]}, "refresh": True}
    job = await only_job(api_only_client, await api_only_client.post("/api/enrich", json=body), 1)

    assert (job["parameters"]["providers"], job["parameters"]["credit_budget"]) == (None, None)
    assert job["parameters"]["refresh"] is True


async def test_the_chain_follows_the_settings_unless_the_request_overrides_it(
    defaults_changed: httpx.AsyncClient,
) -> None:
    api = defaults_changed
    contacts = {"emails": ["ann@acme.com"]}

    by_settings = await only_job(api, await api.post("/api/enrich", json={"contacts": contacts}), 1)
    overridden = await only_job(
        api,
        await api.post(
            "/api/enrich",
            json={"contacts": contacts, "autoSync": True, "campaignId": "cam_other"},
        ),
        1,
    )
    no_outreach = await only_job(
        api,
        await api.post("/api/sync/hubspot", json={"contacts": contacts, "autoOutreach": False}),
        1,
    )

    base = {"enrich": True, "run_id": None}
    assert by_settings["parameters"]["chain"] == base | {
        "sync": False,
        "outreach": True,
        "campaign_id": "cam_default",
    }
    assert overridden["parameters"]["chain"] == base | {
        "sync": True,
        "outreach": True,
        "campaign_id": "cam_other",
    }
    assert no_outreach["parameters"]["chain"] == base | {
        "sync": False,
        "outreach": False,
        "campaign_id": "cam_default",
    }


async def test_sync_queues_its_overwrite_policy_and_resync(
    api_only_client: httpx.AsyncClient,
) -> None:
    contacts = {"emails": ["ann@acme.com", "ANN@acme.com", "bob@acme.com"]}

    plain = await only_job(
        api_only_client,
        await api_only_client.post("/api/sync/hubspot", json={"contacts": contacts}),
        2,
    )
    forced = await only_job(
        api_only_client,
        await api_only_client.post(
            "/api/sync/hubspot",
            json={"contacts": contacts, "overwrite": "always", "resync": True},
        ),
        2,
    )

    assert plain["type"] == forced["type"] == "pipeline.sync_hubspot"
    assert plain["parameters"] == {
        "emails": ["ann@acme.com", "bob@acme.com"],
        "chain": NO_CHAIN_OVERRIDE | {"run_id": None},
        "overwrite": None,
        "resync": False,
    }
    assert (forced["parameters"]["overwrite"], forced["parameters"]["resync"]) == ("always", True)


async def test_outreach_queues_the_campaign_its_variables_and_cap(
    api_only_client: httpx.AsyncClient,
) -> None:
    body = {
        "contacts": {"emails": ["Ann@Acme.com"]},
        "campaignId": "cam_spring",
        "variables": {"event": "SaaStr", "companyName": "your team"},
        "dailyCap": 40,
    }

    job = await only_job(api_only_client, await api_only_client.post("/api/outreach", json=body), 1)

    assert job["type"] == "pipeline.outreach"
    assert job["parameters"] == {
        "emails": ["ann@acme.com"],
        "campaign_id": "cam_spring",
        "variables": {"event": "SaaStr", "companyName": "your team"},
        "daily_cap": 40,
    }


async def test_discover_queues_the_profile_and_the_chain_for_the_new_leads(
    defaults_changed: httpx.AsyncClient,
) -> None:
    body = {
        "query": "payroll, hr software",
        "icpProfile": {"countries": ["DE"], "seniorities": ["VP"], "employeeRanges": ["51-200"]},
        "count": 30,
        "autoEnrich": False,
    }

    job = await only_job(
        defaults_changed, await defaults_changed.post("/api/discover", json=body), 0
    )

    assert job["type"] == "pipeline.discover"
    parameters = job["parameters"]
    assert (parameters["query"], parameters["count"]) == ("payroll, hr software", 30)
    assert parameters["providers"] == ["explorium", "apollo"]
    icp = parameters["icp"]
    assert (icp["countries"], icp["seniorities"], icp["employee_ranges"]) == (
        ["de"],
        ["vp"],
        ["51-200"],
    )
    assert parameters["chain"] == {
        "enrich": False,
        "sync": False,
        "outreach": True,
        "campaign_id": "cam_default",
        "run_id": None,
    }


async def test_a_filter_selects_exactly_the_matching_stored_contacts(
    api_only_client: httpx.AsyncClient,
) -> None:
    api = api_only_client
    await store(api, ["a1@acme.com", "a2@acme.com"], domain="acme.com", score=80)
    await store(api, ["g1@globex.io"], domain="globex.io", stage="enriched", score=40)
    await store(api, ["d1@initech.com", "d2@initech.com"], source="discovery", score=65)
    await store(api, ["d3@initech.com"], source="discovery", stage="enriched", score=90)

    async def selected(**selection: Any) -> set[str]:
        response = await api.post("/api/sync/hubspot", json={"contacts": selection})
        count = response.json().get("contacts", 0)
        emails: list[str] = (await only_job(api, response, count))["parameters"]["emails"]
        assert len(emails) == count
        return set(emails)

    acme = {"a1@acme.com", "a2@acme.com"}
    discovered = {"d1@initech.com", "d2@initech.com", "d3@initech.com"}
    assert await selected(stage=["enriched"]) == {"g1@globex.io", "d3@initech.com"}
    assert await selected(source="discovery") == discovered
    assert await selected(minScore=65) == acme | discovered
    assert await selected(companyDomain="ACME.com") == acme
    assert await selected(companyDomain="https://www.acme.com/") == acme
    assert await selected(stage=["imported", "enriched"], minScore=85) == {"d3@initech.com"}
    assert await selected(source="discovery", stage=["imported"]) == {
        "d1@initech.com",
        "d2@initech.com",
    }
    assert await selected(source="csv", limit=2) == acme


async def test_more_than_a_thousand_contacts_become_several_jobs(
    api_only_client: httpx.AsyncClient,
) -> None:
    emails = [f"lead{index:04}@acme.com" for index in range(2_345)]
    await store(api_only_client, emails)

    response = await api_only_client.post("/api/enrich", json={"contacts": {"source": "csv"}})

    ids = await accepted(response, 2_345)
    jobs = [await queued(api_only_client, job_id) for job_id in ids]
    assert [len(job["parameters"]["emails"]) for job in jobs] == [1_000, 1_000, 345]
    assert sorted(e for job in jobs for e in job["parameters"]["emails"]) == emails
    assert {job["type"] for job in jobs} == {"pipeline.enrich"}


async def test_a_pipeline_run_for_contacts_starts_at_its_first_wanted_step(
    api_only_client: httpx.AsyncClient,
) -> None:
    api = api_only_client
    body = {"contacts": {"emails": ["Ann@Acme.com"]}, "enrich": False, "campaignId": "cam_q3"}

    response = await api.post("/api/pipeline", json=body)

    assert response.status_code == 202, response.text
    started = response.json()
    run_id = started["runId"]
    assert started == {
        "success": True,
        "runId": run_id,
        "jobId": started["jobIds"][0],
        "jobIds": [started["jobId"]],
        "contacts": 1,
        "status": f"/api/pipeline/{run_id}",
    }
    job = await queued(api, started["jobId"])
    assert job["type"] == "pipeline.sync_hubspot"
    assert job["parameters"] == {
        "emails": ["ann@acme.com"],
        "chain": {
            "enrich": False,
            "sync": True,
            "outreach": True,
            "campaign_id": "cam_q3",
            "run_id": run_id,
        },
    }
    report = (await api.get(started["status"])).json()
    assert report == {
        "runId": run_id,
        "status": "running",
        "nextRunAt": None,
        "funnel": {"discovered": 0, "enriched": 0, "synced": 0, "enrolled": 0},
        "steps": [
            {
                "step": "sync",
                "jobs": 1,
                "unfinished": 1,
                "scheduled": 0,
                "failedJobs": 0,
                "done": 0,
                "unchanged": 0,
                "retrying": 0,
                "failed": 0,
                "skipped": 0,
            }
        ],
        "jobIds": [started["jobId"]],
    }

    body = {"contacts": {"emails": ["ann@acme.com"]}, "enrich": False, "sync": False}
    outreach_only = (await api.post("/api/pipeline", json=body | {"campaignId": "cam_q3"})).json()
    job = await queued(api, outreach_only["jobId"])
    assert job["type"] == "pipeline.outreach"
    assert job["parameters"]["campaign_id"] == "cam_q3"


async def test_a_pipeline_run_from_a_profile_starts_with_discovery(
    api_only_client: httpx.AsyncClient,
) -> None:
    body = {"discover": {"query": "fintech", "count": 20}, "sync": False}

    response = await api_only_client.post("/api/pipeline", json=body)

    assert response.status_code == 202, response.text
    started = response.json()
    assert started["contacts"] == 0
    job = await queued(api_only_client, started["jobId"])
    assert job["type"] == "pipeline.discover"
    assert (job["parameters"]["query"], job["parameters"]["count"]) == ("fintech", 20)
    assert job["parameters"]["chain"] == {
        "enrich": True,
        "sync": False,
        "outreach": False,
        "campaign_id": None,
        "run_id": started["runId"],
    }
