"""Removing a suppression takes it off lemlist's unsubscribe list (the emulator's) when we
put it there, and leaves lemlist's own unsubscribes alone (both databases)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from salesauto.integrations.lemlist import LemlistClient
from salesauto.jobs.context import JobContext
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from salesauto.suppressions.propagation import PROPAGATE_JOB, UNPUSH_JOB
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from salesauto.suppressions.tasks import UnpushParameters, remove_suppression_from_lemlist
from tests.support.waiting import wait_for_job
from tests.webhooks.conftest import Api, enroll

JOBS = table_of(Job)


async def _finished_jobs(api: Api, job_type: str) -> list[Any]:
    async with api.engine.connect() as conn:  # closed before waiting: SQLite pools one
        query = sa.select(JOBS.c.id).where(JOBS.c.type == job_type).order_by(JOBS.c.id)
        ids = list((await conn.execute(query)).scalars())
    return [await wait_for_job(api.platform, job_id, ("completed", "failed")) for job_id in ids]


async def _listed_at_lemlist(lemlist: LemlistClient) -> set[str]:
    return {entry.value async for entry in lemlist.iter_unsubscribes()}


async def test_removed_entries_leave_lemlist_unless_lemlist_listed_them(api: Api) -> None:
    lemlist = api.platform.integrations.lemlist
    await enroll(api.engine, "joe@acme.test")
    body = {"entries": [{"value": "joe@acme.test"}, {"value": "globex.test"}]}
    added = await api.http.post("/api/suppressions", json=body)
    assert added.status_code == 201, added.text
    # The lead unsubscribed at lemlist itself: lemlist lists it, and so do we (source lemlist).
    await lemlist.add_unsubscribe("lee@acme.test")
    await SuppressionService(api.engine).add(
        "default", [SuppressionCreate(value="lee@acme.test")], source="lemlist"
    )
    assert all(job.status == "completed" for job in await _finished_jobs(api, PROPAGATE_JOB))
    assert await _listed_at_lemlist(lemlist) >= {"joe@acme.test", "@globex.test", "lee@acme.test"}

    listed = (await api.http.get("/api/suppressions")).json()["suppressions"]
    for entry in listed:
        removed = await api.http.delete(f"/api/suppressions/{entry['id']}")
        assert removed.status_code == 204, removed.text

    unpushed = await _finished_jobs(api, UNPUSH_JOB)
    assert sorted((job.status, job.result["value"], job.result["removed"]) for job in unpushed) == [
        ("completed", "@globex.test", True),
        ("completed", "joe@acme.test", True),
    ]
    at_lemlist = await _listed_at_lemlist(lemlist)
    assert "lee@acme.test" in at_lemlist  # the user decides that one at lemlist
    assert not at_lemlist & {"joe@acme.test", "@globex.test"}
    async with api.engine.connect() as conn:
        status = await conn.execute(sa.text("SELECT status FROM campaign_enrollments"))
        assert status.scalar_one() == "stopped"  # not restarted by the removal


async def test_an_entry_listed_again_before_the_job_runs_stays_at_lemlist(api: Api) -> None:
    lemlist = api.platform.integrations.lemlist
    await SuppressionService(api.engine).add("default", [SuppressionCreate(value="ann@acme.test")])
    await _finished_jobs(api, PROPAGATE_JOB)
    # A removal job that runs after the address was suppressed again leaves it listed.
    context = JobContext(
        job_id=0,
        job_type=UNPUSH_JOB,
        attempt=1,
        max_attempts=1,
        owner_id="default",
        queue=api.platform.queue,
        worker_id="test",
        services=api.platform,
    )
    late = UnpushParameters(kind="email", value="ann@acme.test")
    result = await remove_suppression_from_lemlist(context, late)
    assert "suppressed again" in result["skipped"]
    assert "ann@acme.test" in await _listed_at_lemlist(lemlist)
