"""The tools of issue 8: agent runs and their logs, template edits, enrollments, reply
classes, enrichment results and waterfall, suppressions, provider keys, webhook replays."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from salesauto.ai.definitions import builtin_agents
from salesauto.ai.transcript import TURNS
from salesauto.campaigns.schemas import TemplateCreate
from salesauto.campaigns.templates import TemplateService
from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.webhooks import WebhookReceipt
from salesauto.security.principal import Principal
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from tests.campaigns.api_support import TWO_STEPS
from tests.support.waiting import eventually
from tests.tools.conftest import Caller
from tests.webhooks.conftest import ENROLLMENTS, EVENTS, activity, enroll

RECEIPTS = table_of(WebhookReceipt)
OTHER = Principal(workspace="other", key_id="o", scopes=frozenset({"admin"}))


async def _enrollment(tools: Caller, email: str) -> Any:
    async with tools.platform.engine.connect() as conn:
        query = sa.select(ENROLLMENTS).where(ENROLLMENTS.c.contact_email == email)
        return (await conn.execute(query)).one()


async def _replied(tools: Caller, email: str, text: str) -> Any:
    """A lead of the test campaign who replied `text` (stored, not classified yet)."""
    await enroll(tools.platform.engine, email)
    enrollment = await _enrollment(tools, email)
    at = utcnow()
    async with tools.platform.engine.begin() as conn:
        await conn.execute(
            sa.insert(EVENTS).values(
                id=uuid.uuid4(),
                enrollment_id=enrollment.id,
                instance_id=enrollment.instance_id,
                owner_id="default",
                provider="lemlist",
                event_type="replied",
                provider_event_id=f"act_{uuid.uuid4().hex[:12]}",
                event_data={"text": text},
                timestamp=at,
            )
        )
        await conn.execute(
            sa.update(ENROLLMENTS)
            .where(ENROLLMENTS.c.id == enrollment.id)
            .values(status="replied", replied_at=at, last_reply_at=at, reply_text=text)
        )
    return enrollment


async def test_agent_run_previews_engine_and_budget_and_its_logs_page(tools: Caller) -> None:
    enricher = builtin_agents()["enricher"]
    dry = await tools.ok("agent_run", agent="enricher", goal="Enrich ann@acme.com")
    assert dry["dry_run"] and "enricher agent with the offline planner" in dry["summary"]
    assert dry["details"]["provider"] == "offline"
    assert dry["details"]["model_tier"] == enricher.model_tier
    assert dry["details"]["budget_tokens"] == enricher.budget_tokens
    unknown = await tools.call("agent_run", agent="closer", goal="x")
    assert unknown.is_error and "unknown agent 'closer'" in unknown.text

    queued = await tools.ok(
        "agent_run",
        agent="enricher",
        goal="Enrich ann@acme.com",
        confirm_token=dry["confirm_token"],
    )
    job = (await tools.ok("jobs_get", job_id=queued["job_id"]))["job"]
    assert job["type"] == "agent.run" and job["parameters"]["agent"] == "enricher"
    assert "contacts:write" in job["parameters"]["scopes"]

    job_id = int(queued["job_id"])
    async with tools.platform.engine.begin() as conn:
        for seq in (1, 2, 3):
            await conn.execute(
                sa.insert(TURNS).values(
                    owner_id="default",
                    job_id=job_id,
                    seq=seq,
                    role="assistant" if seq % 2 else "tool",
                    provider="offline",
                    model="planner",
                    content={"text": f"turn {seq}"},
                    tool_name=None if seq % 2 else "contacts_get",
                    input_tokens=10 * seq,
                    created_at=utcnow(),
                )
            )
    first = await tools.ok("jobs_get_logs", job_id=queued["job_id"], limit=2)
    assert [e["seq"] for e in first["entries"]] == [1, 2] and first["total_entries"] == 3
    assert first["entries"][1]["tool_name"] == "contacts_get"
    rest = await tools.ok("jobs_get_logs", job_id=queued["job_id"], cursor=first["next_cursor"])
    assert [e["content"]["text"] for e in rest["entries"]] == ["turn 3"]
    assert rest["next_cursor"] is None
    foreign = await tools.registry.call(
        "jobs_get_logs", {"job_id": queued["job_id"]}, tools.context(OTHER)
    )
    assert foreign.is_error and "not found" in foreign.text


async def test_template_edited_and_enrollments_listed_by_status(tools: Caller) -> None:
    template = await TemplateService(tools.platform.engine).create(
        "default", TemplateCreate.model_validate({"name": "Q3", "structure": TWO_STEPS})
    )
    step = {"channel": "email", "subject": "Hi {{firstName}}", "body": "Short note."}
    arguments = {
        "template_id": str(template.id),
        "name": "Q3 short",
        "structure": {"steps": [step]},
    }
    edited = await tools.registry.call("campaigns_update_template", arguments, tools.context())
    assert not edited.is_error, edited.text
    assert edited.structured_content is not None
    assert edited.structured_content["template"]["name"] == "Q3 short"
    stored = await TemplateService(tools.platform.engine).get("default", template.id)
    assert stored.description == template.description
    assert [s["subject"] for s in stored.structure["steps"]] == ["Hi {{firstName}}"]
    typo = await tools.call("campaigns_update_template", template_id=str(template.id), nme="x")
    assert typo.is_error and "nme" in typo.text

    await enroll(tools.platform.engine, "ann@acme.test")
    await enroll(tools.platform.engine, "bob@acme.test")
    bob = await _enrollment(tools, "bob@acme.test")
    async with tools.platform.engine.begin() as conn:
        await conn.execute(
            sa.update(ENROLLMENTS).where(ENROLLMENTS.c.id == bob.id).values(status="bounced")
        )
    campaign_id = str(bob.instance_id)
    everyone = await tools.ok("campaigns_list_enrollments", campaign_id=campaign_id)
    assert {e["contact_email"] for e in everyone["enrollments"]} == {
        "ann@acme.test",
        "bob@acme.test",
    }
    bounced = await tools.ok(
        "campaigns_list_enrollments", campaign_id=campaign_id, status="bounced"
    )
    assert [e["contact_email"] for e in bounced["enrollments"]] == ["bob@acme.test"]


async def test_reply_classes_act_and_add_up(tools: Caller) -> None:
    ann = await _replied(tools, "ann@acme.test", "Tell me more")
    bob = await _replied(tools, "bob@acme.test", "Please take me off your list")
    interested = await tools.ok(
        "campaigns_classify_reply", enrollment_id=str(ann.id), label="interested"
    )
    assert interested["previous_label"] is None and interested["email"] == "ann@acme.test"
    stopped = await tools.ok(
        "campaigns_classify_reply", enrollment_id=str(bob.id), label="unsubscribe"
    )
    assert stopped["outcome"]["suppressed"] is True
    assert (await _enrollment(tools, "bob@acme.test")).status == "unsubscribed"
    again = await tools.ok("campaigns_classify_reply", enrollment_id=str(ann.id), label="not_now")
    assert again["previous_label"] == "interested"

    breakdown = await tools.ok("analytics_reply_breakdown", campaign_id=str(ann.instance_id))
    counts = {c["label"]: (c["count"], c["share"]) for c in breakdown["classes"]}
    assert breakdown["replied"] == 2 and breakdown["unclassified"] == 0
    assert counts["not_now"] == (1, 0.5) and counts["unsubscribe"] == (1, 0.5)
    assert counts["interested"] == (0, 0.0)
    nobody = await tools.registry.call(
        "campaigns_classify_reply",
        {"enrollment_id": str(ann.id), "label": "bounce"},
        tools.context(OTHER),
    )
    assert nobody.is_error and "no reply of enrollment" in nobody.text


async def test_suppressions_listed_and_removed_after_dry_run_unless_erased(tools: Caller) -> None:
    service = SuppressionService(tools.platform.engine)
    await service.add("default", [SuppressionCreate(value="ann@acme.test", reason="asked")])
    await service.add("default", [SuppressionCreate(value="gone@x.test")], source="erasure")
    listed = await tools.ok("contacts_list_suppressions", limit=1)
    assert [s["value"] for s in listed["suppressions"]] == ["gone@x.test"]
    rest = await tools.ok("contacts_list_suppressions", cursor=listed["next_cursor"])
    ann = rest["suppressions"][0]
    assert (ann["value"], ann["reason"]) == ("ann@acme.test", "asked")

    dry = await tools.ok("contacts_unsuppress", suppression_id=ann["id"])
    assert dry["dry_run"] and "'ann@acme.test' off the do-not-contact list" in dry["summary"]
    assert await service.check("default", ["ann@acme.test"])
    await tools.ok(
        "contacts_unsuppress", suppression_id=ann["id"], confirm_token=dry["confirm_token"]
    )
    assert await service.check("default", ["ann@acme.test"]) == {}
    log = await tools.ok("admin_audit_log", action="suppression.removed")
    assert [(e["actor"], e["target"]) for e in log["events"]] == [("t", str(ann["id"]))]

    erased = {"suppression_id": listed["suppressions"][0]["id"]}
    token = (await tools.ok("contacts_unsuppress", **erased))["confirm_token"]
    refused = await tools.call("contacts_unsuppress", **erased, confirm_token=token)
    assert refused.is_error and "erased on request" in refused.text


async def test_enrichment_results_show_provenance_and_waterfall_its_setup(tools: Caller) -> None:
    async with tools.platform.engine.begin() as conn:
        at = utcnow()
        facts = ContactFacts(email="ann@acme.test", fields={"first_name": "Ann"})
        await merge_contacts(conn, "default", [facts], source="csv", at=at)
        found = ContactFacts(email="ann@acme.test", fields={"title": "CTO"})
        await merge_contacts(conn, "default", [found], source="explorium", at=at)
    results = await tools.ok("enrichment_get_results", emails=["ann@acme.test", "no@x.test"])
    [ann] = results["contacts"]
    assert [(f["field"], f["value"], f["source"]) for f in ann["fields"]] == [
        ("title", "CTO", "explorium")
    ]
    assert results["missing"] == ["no@x.test"]
    every = await tools.ok("enrichment_get_results", emails=["ann@acme.test"], all_sources=True)
    assert {f["source"] for f in every["contacts"][0]["fields"]} == {"csv", "explorium"}

    waterfall = await tools.ok("enrichment_get_waterfall")
    settings = tools.platform.settings
    assert [p["provider"] for p in waterfall["providers"]][
        : len(settings.enrichment_order)
    ] == list(settings.enrichment_order)
    assert waterfall["providers"][0]["position"] == 1
    modes = {name: t.mode for name, t in tools.platform.integrations.targets.items()}
    assert all(p["mode"] == modes[p["provider"]] for p in waterfall["providers"])
    assert waterfall["credit_budget"] == settings.enrichment_credit_budget


async def test_provider_credential_stored_never_echoed_and_audited(tools: Caller) -> None:
    secret = "lemlist-key-abcd9876"
    stored = await tools.call("keys_set_provider_credential", provider="lemlist", secret=secret)
    assert not stored.is_error and secret not in stored.text
    assert stored.structured_content is not None
    assert (stored.structured_content["last4"], stored.structured_content["mode"]) == (
        "9876",
        "live",
    )
    providers = {p["provider"]: p for p in (await tools.ok("keys_list"))["providers"]}
    assert providers["lemlist"]["credential_set"] is True
    assert await tools.platform.credentials.secrets_of("default") == {"lemlist": secret}
    log = await tools.ok("admin_audit_log", action="credential.set")
    assert [e["target"] for e in log["events"]] == ["lemlist"]
    writer = Principal(workspace="default", key_id="w", scopes=frozenset({"integrations:write"}))
    refused = await tools.registry.call(
        "keys_set_provider_credential",
        {"provider": "apollo", "secret": "apollo-key-1234"},
        tools.context(writer),
    )
    assert refused.is_error and "'admin' scope" in refused.text


async def _receipt(tools: Caller, body: dict[str, Any], status: str) -> int:
    async with tools.platform.engine.begin() as conn:
        return int(
            await conn.scalar(
                sa.insert(RECEIPTS)
                .values(
                    provider="lemlist",
                    event_id=body["_id"],
                    owner_id="default",
                    body=json.dumps(body),
                    headers={},
                    received_at=utcnow(),
                    status=status,
                    attempts=1,
                    next_attempt_at=utcnow() + timedelta(hours=1),
                )
                .returning(RECEIPTS.c.id)
            )
        )


async def test_a_webhook_orphan_is_replayed_now(tools: Caller) -> None:
    await enroll(tools.platform.engine, "ann@acme.test")
    orphan = await _receipt(tools, activity("ann@acme.test", "emailsOpened"), "orphaned")
    failed = await _receipt(tools, activity("ann@acme.test", "emailsClicked"), "failed")
    refused = await tools.call("webhooks_replay_event", receipt_id=failed)
    assert refused.is_error and "deadletter_retry" in refused.text
    missing = await tools.registry.call(
        "webhooks_replay_event", {"receipt_id": orphan}, tools.context(OTHER)
    )
    assert missing.is_error and "not found" in missing.text

    replay = await tools.ok("webhooks_replay_event", receipt_id=orphan)
    assert replay["previous_status"] == "orphaned"
    worker = tools.platform.start_worker(concurrency=1, scheduler=False)
    try:
        await eventually(
            lambda: tools.ok("webhooks_list_events", status="processed"),
            lambda page: [e["id"] for e in page["events"]] == [orphan],
        )
    finally:
        worker.request_stop()
    assert (await _enrollment(tools, "ann@acme.test")).opened_at is not None
