"""Template step conditions act: `onlyIfNotOpened` becomes lemlist's `emailsOpened` condition
(the emulator then skips the step for leads who opened), and a reply to a step with
`stopOnReply: false` leaves the enrollment active (both databases)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from salesauto.campaigns.tables import ENROLLMENTS
from salesauto.integrations.models import OutreachLead
from tests.campaigns.api_support import Api
from tests.campaigns.events_support import (
    apply,
    counters,
    enroll,
    enrollment_row,
    event,
    instance_row,
)

BASE = "/api/campaigns"
STEPS = [
    {"channel": "email", "delayDays": 0, "subject": "Idea for {{companyName}}",
     "body": "Hi {{firstName}}, a thought."},
    {"channel": "email", "delayDays": 3, "subject": "Did you see this?", "body": "Resending.",
     "conditions": {"onlyIfNotOpened": True}},
    {"channel": "email", "delayDays": 2, "subject": "Last note", "body": "Any thoughts?",
     "conditions": {"stopOnReply": False}},
]  # fmt: skip


async def _spawned(api: Api) -> dict[str, Any]:
    template = await api.template(structure={"steps": STEPS})
    spawned: dict[str, Any] = await api.ok(
        "POST", f"{BASE}/instances", 201, json={"templateId": template["id"]}
    )
    return spawned


async def test_only_if_not_opened_becomes_an_opened_condition_the_emulator_follows(
    api: Api,
) -> None:
    instance = await _spawned(api)
    lemlist = api.platform.integrations.lemlist
    campaign_id = instance["providerCampaignId"]
    [sequence] = (await lemlist.get_sequences(campaign_id)).values()
    assert [(s.type, s.delay, s.condition_key, s.delay_type) for s in sequence.steps] == [
        ("email", 0, None, None),
        ("conditional", 3, "emailsOpened", "within"),
        ("email", 0, None, None),  # waits on the condition, not after it
        ("email", 2, None, None),
    ]

    emails = [f"lead{n}@northwind.test" for n in range(24)]
    for email in emails:
        await lemlist.enroll_lead(campaign_id, OutreachLead(email=email))
    await api.ok("POST", f"{BASE}/instances/{instance['id']}/start")
    await api.advance(days=12)
    seen: dict[str, set[tuple[str, int | None]]] = {email: set() for email in emails}
    async for activity in lemlist.iter_activities(campaign_id=campaign_id):
        seen[activity.lead_email or ""].add((activity.type, activity.sequence_step))
    went_on = [e for e in emails if ("emailsSent", 3) in seen[e]]  # reached the last step
    opened = [e for e in went_on if ("emailsOpened", 0) in seen[e]]
    not_opened = [e for e in went_on if ("emailsOpened", 0) not in seen[e]]
    assert opened and not_opened
    assert all(("emailsSent", 2) not in seen[e] for e in opened)  # skipped the re-send
    assert all(("emailsSent", 2) in seen[e] for e in not_opened)


async def test_a_reply_to_a_step_that_does_not_stop_keeps_the_enrollment_active(
    api: Api,
) -> None:
    instance = await _spawned(api)
    instance_id = uuid.UUID(instance["id"])
    campaign_id = instance["providerCampaignId"]
    engine = api.platform.engine
    keeps = await enroll(engine, instance_id, "kim@acme.test", status="active")
    stops = await enroll(engine, instance_id, "sam@acme.test", status="active")
    async with engine.begin() as conn:
        await conn.execute(sa.update(ENROLLMENTS).values(current_step=3))

    # lemlist's step 3 is the template's third step (its second became a condition + step).
    await apply(
        engine,
        event("replied", "kim@acme.test", campaign_id=campaign_id, step=3, text="Sounds good."),
        event("replied", "sam@acme.test", campaign_id=campaign_id, step=0, text="Sounds good."),
    )
    kim, sam = await enrollment_row(engine, keeps), await enrollment_row(engine, stops)
    assert (kim.status, kim.completed_at) == ("active", None)
    assert kim.replied_at is not None and kim.reply_text == "Sounds good."
    assert sam.status == "replied" and sam.completed_at is not None
    assert counters(await instance_row(engine, instance_id))["replied"] == 2


async def test_a_running_instance_keeps_the_conditions_it_was_spawned_with(api: Api) -> None:
    template = await api.template(structure={"steps": STEPS})
    before = await api.ok("POST", f"{BASE}/instances", 201, json={"templateId": template["id"]})
    # The template now stops on every reply: only instances spawned after this follow it.
    stopping = [{k: v for k, v in step.items() if k != "conditions"} for step in STEPS]
    await api.ok(
        "PATCH", f"{BASE}/templates/{template['id']}", json={"structure": {"steps": stopping}}
    )
    after = await api.ok("POST", f"{BASE}/instances", 201, json={"templateId": template["id"]})
    engine = api.platform.engine
    enrollments = {}
    for instance in (before, after):
        instance_id = uuid.UUID(instance["id"])
        enrollments[instance["id"]] = await enroll(
            engine, instance_id, "kim@acme.test", status="active"
        )
    async with engine.begin() as conn:
        await conn.execute(sa.update(ENROLLMENTS).values(current_step=3))

    await apply(
        engine,
        *(
            event("replied", "kim@acme.test", campaign_id=i["providerCampaignId"], step=3)
            for i in (before, after)
        ),
    )
    kept = await enrollment_row(engine, enrollments[before["id"]])
    stopped = await enrollment_row(engine, enrollments[after["id"]])
    assert (kept.status, kept.completed_at) == ("active", None)
    assert stopped.status == "replied" and stopped.completed_at is not None
