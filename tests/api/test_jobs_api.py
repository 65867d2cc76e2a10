"""The jobs REST API: shapes, status codes and error messages a client relies on."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.waiting import eventually


async def test_submit_returns_202_with_the_seed_shape_then_completes(
    app_client: httpx.AsyncClient,
) -> None:
    response = await app_client.post("/api/jobs", json={"type": "noop", "priority": "high"})

    assert response.status_code == 202
    body = response.json()
    assert body["success"] is True
    assert body["status"] == f"/api/jobs/{body['jobId']}"

    async def fetch() -> dict:
        return (await app_client.get(body["status"])).json()

    job = await eventually(fetch, lambda job: job["status"] == "completed")
    assert job["id"] == body["jobId"]
    assert job["priority"] == 10
    assert job["result"] == {"ok": True}
    assert {
        "progress",
        "progressMessage",
        "attempts",
        "createdAt",
        "startedAt",
        "completedAt",
    } <= set(job)


async def test_idempotency_key_returns_the_same_job(api_only_client: httpx.AsyncClient) -> None:
    payload = {"type": "noop", "idempotencyKey": "sync-hubspot-2026-11-25"}
    first = await api_only_client.post("/api/jobs", json=payload)
    second = await api_only_client.post("/api/jobs", json=payload)
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["jobId"] == second.json()["jobId"]
    assert second.json()["created"] is False


async def test_unknown_type_is_a_422_naming_the_known_types(
    api_only_client: httpx.AsyncClient,
) -> None:
    response = await api_only_client.post("/api/jobs", json={"type": "teleport"})
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert "noop" in body["known"] and "sleep" in body["known"]
    assert "unknown job type 'teleport'" in body["error"]


async def test_invalid_parameters_are_a_422_with_field_errors(
    api_only_client: httpx.AsyncClient,
) -> None:
    response = await api_only_client.post(
        "/api/jobs", json={"type": "sleep", "parameters": {"seconds": -1, "colour": "red"}}
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"seconds", "colour"}


async def test_malformed_bodies_are_422_not_500(api_only_client: httpx.AsyncClient) -> None:
    cases = [
        {"parameters": {}},
        {"type": "noop", "priority": 1000},
        {"type": "noop", "unexpected": True},
        {"type": "noop", "runAt": "2026-01-01T09:00:00"},
    ]
    for payload in cases:
        response = await api_only_client.post("/api/jobs", json=payload)
        assert response.status_code == 422, payload
        assert response.json()["error"].startswith("invalid request")
    broken = await api_only_client.post(
        "/api/jobs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422


async def test_unknown_ids_are_404(api_only_client: httpx.AsyncClient) -> None:
    for path in ("/api/jobs/999999", "/api/jobs/abc", "/api/jobs/999999/results"):
        response = await api_only_client.get(path)
        assert response.status_code == 404, path
        assert "not found" in response.json()["error"]
    assert (await api_only_client.post("/api/jobs/999999/cancel")).status_code == 404


async def test_cancel_then_cancel_again_is_409(api_only_client: httpx.AsyncClient) -> None:
    job_id = (await api_only_client.post("/api/jobs", json={"type": "noop"})).json()["jobId"]

    cancelled = await api_only_client.post(f"/api/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"

    again = await api_only_client.post(f"/api/jobs/{job_id}/cancel")
    assert again.status_code == 409
    assert "already cancelled" in again.json()["error"]

    retried = await api_only_client.post(f"/api/jobs/{job_id}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"


async def test_list_pages_and_filters(api_only_client: httpx.AsyncClient) -> None:
    for _ in range(5):
        await api_only_client.post("/api/jobs", json={"type": "noop"})
    await api_only_client.post("/api/jobs", json={"type": "sleep", "parameters": {"seconds": 1}})

    first = (await api_only_client.get("/api/jobs", params={"type": "noop", "limit": 3})).json()
    second = (
        await api_only_client.get(
            "/api/jobs", params={"type": "noop", "limit": 3, "cursor": first["nextCursor"]}
        )
    ).json()
    ids = [job["id"] for job in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5
    assert second["nextCursor"] is None
    bad = await api_only_client.get("/api/jobs", params={"status": "done"})
    assert bad.status_code == 422


async def test_job_results_are_listed(app_client: httpx.AsyncClient) -> None:
    job_id = (await app_client.post("/api/jobs", json={"type": "test.record"})).json()["jobId"]
    await eventually(
        lambda: app_client.get(f"/api/jobs/{job_id}"),
        lambda response: response.json()["status"] == "completed",
    )
    results = (await app_client.get(f"/api/jobs/{job_id}/results")).json()
    assert [item["itemKey"] for item in results["items"]] == [job_id]
    assert results["items"][0]["status"] == "ran"


async def test_job_types_are_listed_with_schemas(api_only_client: httpx.AsyncClient) -> None:
    types = {t["name"]: t for t in (await api_only_client.get("/api/jobs/types")).json()}
    assert "seconds" in types["sleep"]["parametersSchema"]["properties"]


async def test_openapi_is_served(api_only_client: httpx.AsyncClient) -> None:
    spec = (await api_only_client.get("/openapi.json")).json()
    assert "/api/jobs/{job_id}/cancel" in spec["paths"]


async def test_many_concurrent_submits_all_land(api_only_client: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(
        *(api_only_client.post("/api/jobs", json={"type": "noop"}) for _ in range(50))
    )
    assert {r.status_code for r in responses} == {202}
    assert len({r.json()["jobId"] for r in responses}) == 50
