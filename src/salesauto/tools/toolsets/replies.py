"""Replies: overriding a reply's class (with what the class sets off), and replies by class.

A manual class is recorded and acted on through `replies.outcomes.record_outcome`, the very
function the `campaigns.classify_reply` job uses, so a person's label does exactly what the
classifier's would.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import Field

from salesauto.campaigns.instances import instance_row
from salesauto.campaigns.tables import ENROLLMENTS, EVENTS
from salesauto.kit.errors import NotFound
from salesauto.kit.time import utcnow
from salesauto.replies.outcomes import StoredReply, load_reply, record_outcome
from salesauto.replies.schemas import REPLY_CLASSES, Classification, Referral, ReplyClass
from salesauto.tools.registry import tool
from salesauto.tools.spec import OVERWRITE, READ, ToolContext, ToolInput, ToolOutput

# Who decided, as stored on the reply's event (`classification.classifier`).
MANUAL = "manual"


class ReplyLabel(ToolInput):
    enrollment_id: uuid.UUID = Field(description="The `id` of a reply from campaigns_list_replies.")
    label: ReplyClass = Field(
        description="interested, not_interested, not_now, out_of_office, unsubscribe, "
        "wrong_person, bounce or other."
    )
    event_id: uuid.UUID | None = Field(
        None, description="A specific reply event; default: the enrollment's latest reply."
    )
    return_date: date | None = Field(None, description="out_of_office: the first day back.")
    referral_email: str | None = Field(
        None, max_length=320, description="wrong_person: the address the lead pointed to."
    )
    referral_name: str | None = Field(None, max_length=200)


class ReplyClassified(ToolOutput):
    event_id: uuid.UUID
    enrollment_id: uuid.UUID
    email: str
    label: str
    previous_label: str | None = Field(description="The class it had before, if any.")
    outcome: dict[str, Any] = Field(
        description="What was done: enrollment changes, other campaigns stopped, suppression, "
        "email marked invalid, referral contact."
    )


async def _stored_reply(ctx: ToolContext, args: ReplyLabel) -> StoredReply:
    async with ctx.platform.engine.connect() as conn:
        event_id = args.event_id
        if event_id is None:
            event_id = await conn.scalar(
                sa.select(EVENTS.c.id)
                .where(
                    EVENTS.c.enrollment_id == args.enrollment_id,
                    EVENTS.c.owner_id == ctx.workspace,
                    EVENTS.c.event_type == "replied",
                )
                .order_by(EVENTS.c.timestamp.desc())
                .limit(1)
            )
        reply = None if event_id is None else await load_reply(conn, event_id, args.enrollment_id)
    if reply is None or reply.owner_id != ctx.workspace:
        raise NotFound(
            f"no reply of enrollment {args.enrollment_id} found; take the id of a reply from "
            "campaigns_list_replies"
        )
    return reply


@tool(toolset="campaigns", scope="campaigns:write", flags=OVERWRITE)
async def campaigns_classify_reply(ctx: ToolContext, args: ReplyLabel) -> ReplyClassified:
    """Set or correct the class of a lead's reply, and act on it as the classifier would:
    unsubscribe suppresses the address and stops its other campaigns, bounce marks the
    email invalid, out_of_office pauses the lead until `return_date` (a week by default),
    wrong_person stores `referral_email` as a new contact. A later label never moves an
    enrollment back nor lifts a suppression (contacts_unsuppress does). Free."""
    reply = await _stored_reply(ctx, args)
    previous = reply.data.get("classification")
    referral = None
    if args.referral_email or args.referral_name:
        referral = Referral(email=args.referral_email, name=args.referral_name)
    found = Classification(
        label=args.label,
        confidence=1.0,
        return_date=args.return_date,
        referral=referral,
        classifier=MANUAL,
    )
    queue = ctx.platform.queue

    async def write() -> dict[str, Any]:
        async with queue.engine.begin() as conn:
            return await record_outcome(conn, reply, found, utcnow())

    outcome = await queue.write(write)
    if outcome.get("suppressed"):
        queue.notifier.jobs_available()  # the push to lemlist's unsubscribe list
    return ReplyClassified(
        event_id=reply.event_id,
        enrollment_id=reply.enrollment_id,
        email=reply.email,
        label=args.label,
        previous_label=previous.get("label") if isinstance(previous, dict) else None,
        outcome=outcome,
    )


class BreakdownScope(ToolInput):
    campaign_id: uuid.UUID | None = Field(
        None, description="One campaign (from campaigns_list); the whole workspace by default."
    )


class ReplyClassCount(ToolOutput):
    label: str
    count: int
    share: float = Field(description="Of the replied leads (0–1).")


class ReplyBreakdown(ToolOutput):
    replied: int = Field(description="Leads who replied.")
    classes: list[ReplyClassCount] = Field(description="Every class, most frequent first.")
    unclassified: int = Field(description="Replies not classified yet.")


@tool(toolset="analytics", scope="campaigns:read", flags=READ)
async def analytics_reply_breakdown(ctx: ToolContext, args: BreakdownScope) -> ReplyBreakdown:
    """Replied leads by the class of their latest reply (interested, not_interested,
    not_now, out_of_office, unsubscribe, wrong_person, bounce, other) with counts and
    shares, for one campaign or the whole workspace. Use it to judge a campaign's reception
    beyond its reply rate. Free."""
    query = (
        sa.select(ENROLLMENTS.c.reply_class, sa.func.count())
        .where(ENROLLMENTS.c.owner_id == ctx.workspace, ENROLLMENTS.c.replied_at.is_not(None))
        .group_by(ENROLLMENTS.c.reply_class)
    )
    async with ctx.platform.engine.connect() as conn:
        if args.campaign_id is not None:
            await instance_row(conn, ctx.workspace, args.campaign_id)  # not found otherwise
            query = query.where(ENROLLMENTS.c.instance_id == args.campaign_id)
        counts: dict[str | None, int] = {
            label: int(count) for label, count in (await conn.execute(query)).all()
        }
    replied = sum(counts.values())
    classes = [
        ReplyClassCount(
            label=label,
            count=counts.get(label, 0),
            share=round(counts.get(label, 0) / replied, 4) if replied else 0.0,
        )
        for label in REPLY_CLASSES
    ]
    classes.sort(key=lambda entry: -entry.count)
    return ReplyBreakdown(replied=replied, classes=classes, unclassified=counts.get(None, 0))
