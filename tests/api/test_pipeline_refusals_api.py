"""What the pipeline routes refuse, and how: a 422 or 404 saying what to fix, nothing queued."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.pipeline_support import accepted, queued_count

ANN = {"emails": ["ann@acme.com"]}
REFUSED = [
    ("/api/enrich", {}, "contacts: Field required"),
    ("/api/enrich", {"contacts": {}}, "say which contacts: `emails`, or a filter"),
    ("/api/sync/hubspot", {"contacts": {"limit": 5}}, "say which contacts"),
    (
        "/api/enrich",
        {"contacts": {"emails": ["ann@acme.com", "not-an-email", "bob@acme"]}},
        "2 invalid email(s), e.g. 'not-an-email' (not an email address (no @))",
    ),
    ("/api/enrich", {"contacts": {"stage": ["contacted"]}}, "contacts.stage.0: Input should be"),
    ("/api/sync/hubspot", {"contacts": {"stage": ["enriched"]}}, "no contacts match"),
    (
        "/api/sync/hubspot",
        {"contacts": {"companyDomain": "Acme Inc"}},
        "contacts.companyDomain: Value error, 'Acme Inc' is not a domain (e.g. acme.com)",
    ),
    ("/api/outreach", {"contacts": {"emails": []}, "campaignId": "cam_1"}, "no contacts match"),
    ("/api/enrich", {"contacts": ANN, "autoOutreach": True}, "autoOutreach needs a lemlist"),
    ("/api/discover", {"query": "fintech", "autoOutreach": True}, "autoOutreach needs a lemlist"),
    (
        "/api/pipeline",
        {"contacts": ANN, "discover": {"query": "fintech"}},
        "not both",
    ),
    ("/api/pipeline", {}, "give `contacts` (stored contacts) or `discover`"),
    ("/api/pipeline", {"contacts": ANN, "outreach": True}, "outreach needs a lemlist campaign"),
    (
        "/api/pipeline",
        {"contacts": ANN, "enrich": False, "sync": False},
        "nothing to run: enable enrich, sync or outreach",
    ),
    (
        "/api/discover",
        {"icpProfile": {"employeeRanges": ["50-200"]}},
        "icpProfile.employeeRanges: Value error, unknown employee range '50-200': use 1-10",
    ),
    ("/api/discover", {"count": 10}, "give a query or at least one criterion in icpProfile"),
    ("/api/discover", {"query": "x", "count": 5000}, "count: Input should be less than or equal"),
    ("/api/enrich", {"contacts": ANN, "colour": "teal"}, "colour: Extra inputs are not permitted"),
    (
        "/api/sync/hubspot",
        {"contacts": {"emails": ["ann@acme.com"], "domain": "acme.com"}},
        "contacts.domain: Extra inputs are not permitted",
    ),
    (
        "/api/outreach",
        {"contacts": ANN, "campaignId": "cam_1", "variables": {"first name!": "x"}},
        "'first name!' is not a usable variable name",
    ),
    ("/api/outreach", {"contacts": ANN}, "campaignId: Field required"),
]


@pytest.mark.parametrize(("path", "body", "message"), REFUSED)
async def test_a_request_that_cannot_work_is_refused_with_what_to_fix(
    api_only_client: httpx.AsyncClient, path: str, body: dict[str, Any], message: str
) -> None:
    response = await api_only_client.post(path, json=body)

    assert response.status_code == 422, response.text
    refusal = response.json()
    assert refusal["success"] is False
    assert message in refusal["error"], refusal["error"]
    assert await queued_count(api_only_client) == 0


async def test_invalid_emails_are_listed_so_they_can_be_fixed(
    api_only_client: httpx.AsyncClient,
) -> None:
    listed = ["ann@acme.com", "not-an-email", "bob@acme", "cy @acme.com"]

    response = await api_only_client.post("/api/enrich", json={"contacts": {"emails": listed}})

    assert response.status_code == 422
    assert response.json()["field"] == "contacts.emails"
    assert response.json()["invalid"] == ["not-an-email", "bob@acme", "cy @acme.com"]


async def test_unknown_runs_and_jobs_are_404(api_only_client: httpx.AsyncClient) -> None:
    run = await api_only_client.get("/api/pipeline/0123456789abcdef")
    job = await api_only_client.post("/api/pipeline/jobs/987654/retry-failed")
    not_an_id = await api_only_client.post("/api/pipeline/jobs/latest/retry-failed")

    assert run.status_code == job.status_code == not_an_id.status_code == 404
    assert "no pipeline run '0123456789abcdef'" in run.json()["error"]
    assert "987654" in job.json()["error"]


async def test_retry_failed_refuses_a_discovery_and_a_job_still_queued(
    api_only_client: httpx.AsyncClient,
) -> None:
    api = api_only_client
    (discovery,) = await accepted(await api.post("/api/discover", json={"query": "fintech"}), 0)
    (enrichment,) = await accepted(await api.post("/api/enrich", json={"contacts": ANN}), 1)

    of_discovery = await api.post(f"/api/pipeline/jobs/{discovery}/retry-failed")
    of_enrichment = await api.post(f"/api/pipeline/jobs/{enrichment}/retry-failed")

    assert of_discovery.status_code == of_enrichment.status_code == 422
    assert f"job {discovery} is a pipeline.discover job" in of_discovery.json()["error"]
    assert "only enrich, sync and outreach jobs" in of_discovery.json()["error"]
    assert f"job {enrichment} is still queued" in of_enrichment.json()["error"]
    assert await queued_count(api) == 2
