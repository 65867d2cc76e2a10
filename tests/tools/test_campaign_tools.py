"""campaigns and webhooks tools against the lemlist emulator."""

from __future__ import annotations

from salesauto.campaigns.schemas import TemplateCreate
from salesauto.campaigns.templates import TemplateService
from tests.campaigns.api_support import TWO_STEPS
from tests.tools.conftest import Caller


async def test_campaign_from_template_enroll_launch(sandbox_tools: Caller) -> None:
    tools = sandbox_tools
    template = await TemplateService(tools.platform.engine).create(
        "default", TemplateCreate.model_validate({"name": "Outbound Q3", "structure": TWO_STEPS})
    )
    listed = (await tools.ok("campaigns_list_templates"))["templates"]
    assert [t["name"] for t in listed] == ["Outbound Q3"]
    campaign = (await tools.ok("campaigns_create", template_id=str(template.id)))["campaign"]
    assert campaign["status"] == "draft" and campaign["provider_campaign_id"].startswith("cam_")

    for email in ("ann@acme.com", "joe@optout.com"):
        await tools.ok("contacts_upsert", email=email, fields={"first_name": "A"})
    await tools.ok("contacts_suppress", values=["optout.com"], reason="asked to stop")
    arguments = {"campaign_id": campaign["id"], "emails": ["ann@acme.com", "joe@optout.com"]}
    dry = await tools.ok("campaigns_enroll", **arguments)
    assert dry["dry_run"] and "enroll 1 contact(s) in 'Outbound Q3'" in dry["summary"]
    assert dry["suppressed"] == [{"email": "joe@optout.com", "reason": "suppressed: asked to stop"}]
    enrolled = await tools.ok("campaigns_enroll", **arguments, confirm_token=dry["confirm_token"])
    assert enrolled["contacts"] == 1 and [s["email"] for s in enrolled["suppressed"]] == [
        "joe@optout.com"
    ]
    job = (await tools.ok("jobs_get", job_id=enrolled["job_id"]))["job"]
    assert job["type"] == "pipeline.outreach" and job["parameters"]["emails"] == ["ann@acme.com"]

    started = await tools.confirmed("campaigns_launch", campaign_id=campaign["id"], action="start")
    assert started["campaign"]["status"] == "running"
    lemlist = tools.platform.integrations.lemlist
    assert (await lemlist.get_campaign(campaign["provider_campaign_id"])).status == "running"
    again = await tools.call("campaigns_launch", campaign_id=campaign["id"], action="start")
    assert again.is_error
    assert again.text == "cannot start a campaign that is running; pause or stop it"

    detail = await tools.ok("campaigns_get", campaign_id=campaign["id"])
    assert detail["campaign"]["status"] == "running" and detail["stats"]["funnel"]
    assert (await tools.ok("campaigns_list"))["campaigns"][0]["id"] == campaign["id"]
    assert (await tools.ok("campaigns_list_replies", campaign_id=campaign["id"]))["replies"] == []
    performance = (await tools.ok("analytics_campaign_performance"))["campaigns"]
    assert [p["name"] for p in performance] == ["Outbound Q3"]


async def test_webhooks_register_then_list(sandbox_tools: Caller) -> None:
    tools = sandbox_tools
    checked = (await tools.ok("admin_test_connection", provider="lemlist"))["checks"]
    assert [(c["provider"], c["mode"], c["ok"]) for c in checked] == [("lemlist", "sandbox", True)]
    before = (await tools.ok("webhooks_list"))["webhooks"]
    assert [(w["provider"], w["registered"]) for w in before] == [
        ("lemlist", False),
        ("hubspot", True),
    ]
    registered = (await tools.ok("webhooks_register"))["registration"]
    assert registered["lemlist"]["status"] == "created"
    assert registered["hubspot"]["subscription_url"] == "https://sales.example.com/webhooks/hubspot"
    hooks = await tools.platform.integrations.lemlist.list_hooks()
    assert len(hooks) == 1
    again = (await tools.ok("webhooks_register"))["registration"]
    assert again["lemlist"]["status"] == "unchanged"
    lemlist = (await tools.ok("webhooks_list"))["webhooks"][0]
    assert lemlist["registered"] and "/webhooks/lemlist/" in lemlist["target_url"]
    assert (await tools.ok("webhooks_list_events"))["events"] == []
