"""`/api/campaigns`: templates, instances and their actions at the lemlist emulator."""

from __future__ import annotations

from tests.campaigns.api_support import TWO_STEPS, Api

BASE = "/api/campaigns"


async def test_templates_are_validated_listed_changed_and_deleted(api: Api) -> None:
    first = await api.template()
    assert first["structure"]["steps"][0] == {
        "channel": "email",
        "delayDays": 0,
        "subject": "Idea for {{companyName}}",
        "body": "Hi {{firstName}}, a thought for {{companyName}}.",
        "conditions": {"stopOnReply": True, "onlyIfNotOpened": False},
    }
    assert (first["status"], first["provider"], first["defaultVariables"]) == (
        "draft",
        "lemlist",
        {},
    )
    for broken, problem in (
        ({"channel": "email", "body": "No subject"}, "an email step needs a subject"),
        ({"channel": "fax", "body": "x"}, "structure.steps.0.channel"),
        ({"channel": "task", "body": "Call {{first name"}, "has no partner"),
        ({"channel": "call", "body": "Hi {{9lives}}"}, "not a usable variable"),
    ):
        response = await api.client.post(
            f"{BASE}/templates", json={"name": "Bad", "structure": {"steps": [broken]}}
        )
        assert response.status_code == 422, response.text
        assert problem in response.json()["error"]
    second, third = await api.template(name="Second"), await api.template(name="Third")

    page = await api.ok("GET", f"{BASE}/templates", params={"limit": 2})
    assert [t["name"] for t in page["templates"]] == ["Third", "Second"]
    rest = await api.ok("GET", f"{BASE}/templates", params={"cursor": page["nextCursor"]})
    assert ([t["id"] for t in rest["templates"]], rest["nextCursor"]) == ([first["id"]], None)

    changed = await api.ok(
        "PATCH",
        f"{BASE}/templates/{second['id']}",
        json={"status": "active", "defaultVariables": {"sender": "Claire"}},
    )
    assert (changed["name"], changed["status"], changed["defaultVariables"]) == (
        "Second",
        "active",
        {"sender": "Claire"},
    )
    assert changed["structure"] == second["structure"]
    await api.ok("DELETE", f"{BASE}/templates/{third['id']}", 204)
    for method in ("GET", "DELETE", "PATCH"):
        for missing in (third["id"], "not-a-uuid"):
            response = await api.client.request(method, f"{BASE}/templates/{missing}", json={})
            assert response.status_code == 404, response.text


async def test_an_instance_is_created_at_lemlist_and_driven_through_its_states(api: Api) -> None:
    template = await api.template()
    instance = await api.ok("POST", f"{BASE}/instances", 201, json={"templateId": template["id"]})
    assert (instance["status"], instance["name"]) == ("draft", "Outbound Q3")
    campaign_id = instance["providerCampaignId"]
    lemlist = api.platform.integrations.lemlist
    assert (await lemlist.get_campaign(campaign_id)).status == "draft"
    path = f"{BASE}/instances/{instance['id']}"

    started = await api.ok("POST", f"{path}/start")
    assert started["status"] == "running" and started["startedAt"] is not None
    assert (await lemlist.get_campaign(campaign_id)).status == "running"
    again = await api.client.post(f"{path}/start")
    assert (again.status_code, again.json()["error"]) == (
        409,
        "cannot start a campaign that is running; pause or stop it",
    )
    paused = await api.ok("POST", f"{path}/pause")
    assert (paused["status"], (await lemlist.get_campaign(campaign_id)).status) == (
        "paused",
        "paused",
    )
    assert paused["pausedAt"] is not None
    resumed = await api.ok("POST", f"{path}/resume")
    assert (resumed["status"], resumed["pausedAt"]) == ("running", None)
    stopped = await api.ok("POST", f"{path}/stop")
    assert stopped["status"] == "stopped" and stopped["stoppedAt"] is not None
    assert (await lemlist.get_campaign(campaign_id)).status == "paused"  # lemlist has no stop
    refused = await api.client.post(f"{path}/resume")
    assert refused.status_code == 409 and "stays stopped" in refused.json()["error"]

    in_use = await api.client.delete(f"{BASE}/templates/{template['id']}")
    assert in_use.status_code == 409 and "used by 1 instance" in in_use.json()["error"]
    assert (await api.ok("GET", path))["status"] == "stopped"
    listed = await api.ok("GET", f"{BASE}/instances", params={"status": "stopped"})
    assert [i["id"] for i in listed["instances"]] == [instance["id"]]
    for suffix in ("", "/stats", "/events", "/enrollments"):
        assert (
            await api.client.get(f"{BASE}/instances/{template['id']}{suffix}")
        ).status_code == 404
    assert (await api.client.post(f"{BASE}/instances/nope/pause")).status_code == 404


async def test_an_existing_lemlist_campaign_is_linked_once(api: Api) -> None:
    template = await api.template(structure=TWO_STEPS)
    seeded = [c for c in await api.platform.integrations.lemlist.list_campaigns()]
    paused = next(c for c in seeded if c.status == "paused")
    body = {"templateId": template["id"], "providerCampaignId": paused.id, "name": "Webinar"}
    linked = await api.ok("POST", f"{BASE}/instances", 201, json=body)
    assert (linked["status"], linked["providerCampaignId"], linked["name"]) == (
        "paused",
        paused.id,
        "Webinar",
    )
    twice = await api.client.post(f"{BASE}/instances", json=body)
    assert twice.status_code == 409 and linked["id"] in twice.json()["error"]
    unknown = await api.client.post(
        f"{BASE}/instances", json={**body, "providerCampaignId": "cam_missing"}
    )
    assert unknown.status_code == 422 and "lemlist has no campaign" in unknown.json()["error"]
    missing = await api.client.post(
        f"{BASE}/instances",
        json={"templateId": linked["id"]},  # not a template id
    )
    assert missing.status_code == 404
