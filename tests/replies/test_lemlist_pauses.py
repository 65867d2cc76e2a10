"""An out-of-office reply pauses the lead at lemlist (the emulator) and restarts it on the
return date, unless an unsubscribe came first; a lemlist outage only delays it (both
databases)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from salesauto.campaigns.pauses import LEAD_PAUSE_JOB
from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.models import OutreachLead
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.kit.time import utcnow
from tests.replies.conftest import JOBS, Replies
from tests.support.servers import serve_app
from tests.support.waiting import eventually, wait_for_job
from tests.webhooks.conftest import (
    ENROLLMENTS,
    activity,
    enroll,
    lemlist_token,
    running_api,
    webhook_settings,
)


@pytest.fixture
async def flaky_replies(database_url: str) -> AsyncIterator[Replies]:
    """`replies` whose lemlist circuit breaker probes again after half a second."""
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_app(sandbox) as url:
        settings = webhook_settings(
            database_url, sandbox_enabled=True, sandbox_url=url, provider_breaker_reset_seconds=0.5
        )
        async with running_api(settings) as api:
            yield Replies(api, await lemlist_token(api.engine))


def _lemlist(replies: Replies) -> LemlistClient:
    return replies.api.platform.integrations.lemlist


def _sandbox(replies: Replies) -> str:
    return f"{replies.api.platform.settings.sandbox_url}/lemlist"


async def _lead_at_lemlist(replies: Replies, email: str) -> tuple[str, str]:
    """The lead in the emulator's running campaign and its enrollment here; (campaign, lead)."""
    lemlist = _lemlist(replies)
    campaign = next(c.id for c in await lemlist.list_campaigns() if c.status == "running")
    added = await lemlist.enroll_lead(campaign, OutreachLead(email=email))
    assert added.lead_id
    await enroll(replies.api.engine, email, campaign)
    async with replies.api.engine.begin() as conn:
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(ENROLLMENTS.c.contact_email == email)
            .values(provider_lead_id=added.lead_id, status="active")
        )
    return campaign, added.lead_id


async def _webhook(replies: Replies, body: dict[str, Any]) -> None:
    response = await replies.api.http.post(
        f"/webhooks/lemlist/{replies.token}", content=json.dumps(body).encode()
    )
    assert response.status_code == 200, response.text


async def _away_until(replies: Replies, email: str, campaign: str, lead: str, back: date) -> None:
    """An out-of-office auto-reply, received now, away through the day before `back`."""
    text = f"Thank you for your email. I am out of the office until {back - timedelta(days=1)}."
    now = utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = activity(email, "emailsReplied") | {
        "campaignId": campaign, "leadId": lead, "text": text, "createdAt": now,
    }  # fmt: skip
    await _webhook(replies, body)
    await eventually(lambda: replies.classify_jobs(email), lambda jobs: bool(jobs))


async def _pause_jobs(replies: Replies, email: str) -> list[Any]:
    enrollment = await replies.enrollment(email)
    async with replies.api.engine.connect() as conn:
        found = await conn.execute(
            sa.select(JOBS).where(JOBS.c.type == LEAD_PAUSE_JOB).order_by(JOBS.c.id)
        )
        return [j for j in found if j.parameters["enrollment_id"] == str(enrollment.id)]


async def _paused_at_lemlist(replies: Replies, lead: str) -> bool:
    found = await _lemlist(replies).find_lead(lead_id=lead)
    assert found is not None
    return found.is_paused


async def _sent_after_days(replies: Replies, lead: str, days: float) -> int:
    """Emails the emulator sent the lead once its clock moved `days` ahead."""
    async with httpx.AsyncClient(base_url=_sandbox(replies)) as control:
        body = {"seconds": days * 86400, "waitForHooks": False}
        (await control.post("/_sandbox/lemlist/advance", json=body)).raise_for_status()
    sent = await _lemlist(replies).activities_page(type="emailsSent", lead_id=lead)
    return len(sent)


async def _return_date_arrives(replies: Replies, email: str, job_id: int) -> dict[str, Any]:
    """Time passes (the clock cannot move, so the dates do): the return date is now, and the
    job scheduled for it comes due; its result once it ran."""
    now = utcnow()
    async with replies.api.engine.begin() as conn:
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(ENROLLMENTS.c.contact_email == email, ENROLLMENTS.c.paused_until.is_not(None))
            .values(paused_until=now)
        )
        await conn.execute(sa.update(JOBS).where(JOBS.c.id == job_id).values(run_at=now))
    done = await wait_for_job(replies.api.platform, job_id, ("completed", "failed"))
    assert done.status == "completed", done
    result: dict[str, Any] = done.result
    return result


async def _paused_with_resume_scheduled(replies: Replies, email: str) -> Any:
    """Waits for the pause to reach lemlist; the resume job it scheduled."""
    jobs = await eventually(
        lambda: _pause_jobs(replies, email),
        lambda jobs: len(jobs) == 2 and jobs[0].status == "completed",
    )
    assert jobs[1].status == "queued"
    return jobs[1]


async def test_out_of_office_pauses_at_lemlist_and_resumes_on_the_return_date(
    replies: Replies,
) -> None:
    campaign, lead = await _lead_at_lemlist(replies, "oli@acme.test")
    back = utcnow().date() + timedelta(days=20)
    await _away_until(replies, "oli@acme.test", campaign, lead, back)

    resume = await _paused_with_resume_scheduled(replies, "oli@acme.test")
    oli = await replies.enrollment("oli@acme.test")
    back_at = datetime.combine(back, time.min, UTC)
    assert (oli.status, oli.paused_until) == ("paused", back_at)
    assert await _paused_at_lemlist(replies, lead)
    assert resume.run_at == back_at

    result = await _return_date_arrives(replies, "oli@acme.test", resume.id)
    assert (result["lemlist"], result["enrollment"]) == ("started", "active")
    oli = await replies.enrollment("oli@acme.test")
    assert (oli.status, oli.paused_until) == ("active", None)
    assert not await _paused_at_lemlist(replies, lead)


async def test_an_unsubscribe_while_away_keeps_the_lead_stopped(replies: Replies) -> None:
    campaign, lead = await _lead_at_lemlist(replies, "una@acme.test")
    await _away_until(replies, "una@acme.test", campaign, lead, utcnow().date() + timedelta(9))
    resume = await _paused_with_resume_scheduled(replies, "una@acme.test")
    unsubscribed = activity("una@acme.test", "emailsUnsubscribed") | {
        "campaignId": campaign, "leadId": lead,
    }  # fmt: skip
    await _webhook(replies, unsubscribed)
    await eventually(lambda: replies.enrollment("una@acme.test"), lambda e: e.status != "paused")

    result = await _return_date_arrives(replies, "oli@acme.test", resume.id)
    assert "lemlist" not in result and "unsubscribed" in result["skipped"]
    assert (await replies.enrollment("una@acme.test")).status == "unsubscribed"
    assert await _paused_at_lemlist(replies, lead)  # never started again


async def test_a_lemlist_outage_delays_the_pause_until_lemlist_answers(
    flaky_replies: Replies,
) -> None:
    replies = flaky_replies
    campaign, lead = await _lead_at_lemlist(replies, "ida@acme.test")
    async with httpx.AsyncClient(base_url=_sandbox(replies)) as control:
        (await control.put("/_sandbox/faults", json={"errorRate": 1.0})).raise_for_status()
        await _away_until(replies, "ida@acme.test", campaign, lead, utcnow().date() + timedelta(5))
        failing = await eventually(
            lambda: _pause_jobs(replies, "ida@acme.test"),
            lambda jobs: bool(jobs) and bool(jobs[0].errors),
        )
        assert failing[0].status in ("queued", "processing")  # to be retried
        assert (await replies.enrollment("ida@acme.test")).status == "paused"
        (await control.put("/_sandbox/faults", json={})).raise_for_status()

    done = await wait_for_job(replies.api.platform, failing[0].id, ("completed", "failed"))
    assert done.status == "completed" and done.attempts >= 2, done
    assert await _paused_at_lemlist(replies, lead)


async def test_a_user_pauses_and_resumes_one_enrollment(replies: Replies) -> None:
    _, lead = await _lead_at_lemlist(replies, "ulf@acme.test")
    enrollment = await replies.enrollment("ulf@acme.test")
    base = f"/api/campaigns/instances/{enrollment.instance_id}/enrollments/{enrollment.id}"
    http = replies.api.http

    paused = await http.post(f"{base}/pause")
    assert paused.status_code == 202, paused.text
    assert (paused.json()["status"], paused.json()["pausedUntil"]) == ("paused", None)
    await eventually(lambda: _paused_at_lemlist(replies, lead), bool)
    assert await _sent_after_days(replies, lead, 4) == 0  # the emulator holds its emails

    resumed = await http.post(f"{base}/resume")
    assert resumed.status_code == 202, resumed.text
    assert resumed.json()["status"] == "active"
    await eventually(lambda: _paused_at_lemlist(replies, lead), lambda paused: not paused)
    assert await _sent_after_days(replies, lead, 1) == 1  # and sends again once resumed
    again = await http.post(f"{base}/resume")
    assert again.status_code == 409 and "only a paused one" in again.text
    missing = await http.post(f"{base[: -len(str(enrollment.id))]}{uuid.uuid4()}/pause")
    assert missing.status_code == 404
