"""The policies `ToolRegistry.call` applies for every caller, on both databases."""

from __future__ import annotations

from pydantic import Field

from salesauto.security.principal import Principal
from salesauto.suppressions.schemas import SuppressionCreate
from salesauto.suppressions.service import SuppressionService
from salesauto.tools.registry import ToolRegistry
from salesauto.tools.spec import WRITE, ToolContext, ToolFlags, ToolInput, ToolOutput
from tests.tools.conftest import Caller

# A registry of test tools: one that contacts people, one that breaks.
TEST_TOOLS = ToolRegistry()


class Recipients(ToolInput):
    emails: list[str] = Field(..., min_length=1)


class Contacted(ToolOutput):
    contacted: list[str]
    suppressed: list[dict[str, str]] = Field(default_factory=list)


@TEST_TOOLS.tool(toolset="fake", scope=None, flags=ToolFlags(), recipients="emails")
async def fake_contact_people(ctx: ToolContext, args: Recipients) -> Contacted:
    """Contacts people (test)."""
    return Contacted(contacted=args.emails)


@TEST_TOOLS.tool(toolset="fake", scope=None, flags=WRITE)
async def fake_break(ctx: ToolContext, args: Recipients) -> Contacted:
    """Fails like a bug would (test)."""
    raise RuntimeError("database password is hunter2")


async def test_scope_and_read_only_mode_refuse_before_the_tool_runs(tools: Caller) -> None:
    reader = Principal(workspace="default", key_id="r", scopes=frozenset({"contacts:read"}))
    refused = await tools.registry.call(
        "contacts_upsert", {"email": "ann@acme.com"}, tools.context(reader)
    )
    assert refused.is_error and "'contacts:write' scope" in refused.text
    read_only = tools.registry.select(toolsets=["all"], read_only=True)
    hidden = await read_only.call("contacts_upsert", {"email": "ann@acme.com"}, tools.context())
    assert hidden.is_error and "read-only" in hidden.text
    missing = await tools.call("contacts_get", email="ann@acme.com")
    assert missing.is_error and "no contact with email 'ann@acme.com'" in missing.text


async def test_bad_input_and_unknown_tools_get_messages_to_act_on(tools: Caller) -> None:
    missing = await tools.call("contacts_get")
    assert missing.is_error
    assert missing.text == "invalid arguments for contacts_get: email: Field required"
    extra = await tools.call("contacts_search", limit=0, colour="red")
    assert "limit: Input should be greater than or equal to 1" in extra.text
    assert "colour: Extra inputs are not permitted" in extra.text
    unknown = await tools.call("contacts_serch", q="acme")
    assert unknown.is_error and "did you mean contacts_search" in unknown.text


async def test_dry_run_then_confirmed_call_and_tampered_token(tools: Caller) -> None:
    for email in ("ann@acme.com", "bob@acme.com"):
        await tools.ok("contacts_upsert", email=email, fields={"first_name": "A"})
    dry = await tools.ok("contacts_delete", email="ann@acme.com")
    assert dry["dry_run"] is True and "erase ann@acme.com" in dry["summary"]
    assert (await tools.ok("contacts_get", email="ann@acme.com"))["contact"]["email"]

    other = await tools.call(
        "contacts_delete", email="bob@acme.com", confirm_token=dry["confirm_token"]
    )
    assert other.is_error and "issued for other arguments" in other.text
    assert not (await tools.call("contacts_get", email="bob@acme.com")).is_error

    done = await tools.ok(
        "contacts_delete", email="ann@acme.com", confirm_token=dry["confirm_token"]
    )
    assert done["email"] == "ann@acme.com" and done["job_id"]
    gone = await tools.call("contacts_get", email="ann@acme.com")
    assert gone.is_error and "no contact" in gone.text
    suppressed = await SuppressionService(tools.platform.engine).check("default", ["ann@acme.com"])
    assert suppressed == {"ann@acme.com": "erased on request"}


async def test_suppressed_recipients_are_dropped_with_the_reason(tools: Caller) -> None:
    await SuppressionService(tools.platform.engine).add(
        "default", [SuppressionCreate(value="optout.com", reason="asked to stop")]
    )
    caller = Caller(TEST_TOOLS, tools.platform)
    result = await caller.ok("fake_contact_people", emails=["ann@acme.com", "Joe@OptOut.com"])
    assert result["contacted"] == ["ann@acme.com"]
    assert result["suppressed"] == [
        {"email": "Joe@OptOut.com", "reason": "suppressed: asked to stop"}
    ]
    nobody = await caller.call("fake_contact_people", emails=["joe@optout.com"])
    assert nobody.is_error and "suppression list" in nobody.text


async def test_a_failing_tool_is_an_error_result_that_leaks_nothing(tools: Caller) -> None:
    outcome = await Caller(TEST_TOOLS, tools.platform).call("fake_break", emails=["a@b.com"])
    assert outcome.is_error and "failed unexpectedly" in outcome.text
    assert "hunter2" not in outcome.text
