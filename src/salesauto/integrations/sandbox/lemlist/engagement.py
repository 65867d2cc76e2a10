"""The engagement simulation: leads of a running campaign receive the 3-step sequence over
simulated time and react — opens, clicks, bounces (~3 %), replies (~11 % of delivered leads)
and unsubscribes. A reply or a bounce ends the lead's sequence.

Every lead's fate comes from `Random(f"{seed}|{email}")`, and events run in simulated-time
order, so the same leads under the same seed always produce the same activities. Simulated time
moves when `advance()` is called (tests, `/_sandbox/lemlist/advance`) and, in real time, by
`time_scale` simulated seconds per second from the runtime's ticker.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from salesauto.integrations.sandbox.lemlist import replies
from salesauto.integrations.sandbox.lemlist.seed import render
from salesauto.integrations.sandbox.lemlist.state import (
    DAY,
    Campaign,
    Lead,
    LemlistState,
    ReplyFacts,
    Step,
    iso,
)

HOUR = 3600.0
BOUNCE_RATE = 0.03
REPLY_RATE = 0.11
UNSUBSCRIBE_RATE = 0.02
OPEN_RATE = 0.55
CLICK_RATE = 0.15  # of opens
REPLY_STEP_WEIGHTS = (0.5, 0.3, 0.2)
CLICK_URL = "https://northwind-demo.com/guides/pipeline-hygiene"

ActivitySink = Callable[[dict[str, Any]], None]


@dataclass
class LeadPlan:
    """A lead's fate, drawn once when it joins a campaign."""

    rng: random.Random
    bounces: bool
    reply_step: int | None
    reply_class: str | None
    unsubscribe_step: int | None


@dataclass(order=True)
class Due:
    at: float
    seq: int
    kind: str = field(compare=False)  # send | open | click | reply | bounce | unsubscribe
    lead_id: str = field(compare=False)
    step: int = field(compare=False)


class EngagementEngine:
    """Runs every due event of the account up to the simulated clock, in time order."""

    def __init__(self, state: LemlistState, *, seed: int, now: float, sink: ActivitySink) -> None:
        self.state = state
        self.seed = seed
        self.sink = sink
        self.reset(now)

    def reset(self, now: float) -> None:
        self.now = now
        self._heap: list[Due] = []
        self._seq = itertools.count()
        self._plans: dict[str, LeadPlan] = {}
        self._email_ids: dict[tuple[str, int], str] = {}
        self._subjects: dict[tuple[str, int], str] = {}

    # --- what the API routes tell the engine ---------------------------------------------

    def lead_added(self, lead: Lead, campaign: Campaign) -> None:
        self._plans[lead.id] = self._plan(lead.email, len(campaign.steps))
        if campaign.status == "running" and lead.active:
            self._schedule_send(lead, lead.next_step, self.now + self._jitter(lead))

    def lead_resumed(self, lead: Lead, campaign: Campaign) -> None:
        """A paused lead restarted: its next step from now; its fate stays the one drawn."""
        if lead.id not in self._plans:
            self._plans[lead.id] = self._plan(lead.email, len(campaign.steps))
        if campaign.status == "running" and lead.active and not lead.scheduled:
            self._schedule_send(lead, lead.next_step, self.now + self._jitter(lead))

    def campaign_started(self, campaign: Campaign) -> None:
        for lead in self.state.campaign_leads(campaign.id):
            if lead.active and (not lead.scheduled or lead.waiting):
                lead.waiting = False
                self._schedule_send(lead, lead.next_step, self.now + self._jitter(lead))

    # --- the clock ------------------------------------------------------------------------

    def advance(self, seconds: float) -> int:
        """Move simulated time forward and run everything due; returns activities produced."""
        target = self.now + max(seconds, 0.0)
        produced = 0
        while self._heap and self._heap[0].at <= target:
            due = heapq.heappop(self._heap)
            self.now = max(self.now, due.at)
            produced += self._run(due)
        self.now = target
        return produced

    # --- internals ------------------------------------------------------------------------

    def _plan(self, email: str, steps: int) -> LeadPlan:
        rng = random.Random(f"{self.seed}|{email.lower()}")
        steps = max(steps, 1)  # a campaign created through the API may have no step yet
        bounces = rng.random() < BOUNCE_RATE
        replies_at = rng.random() < REPLY_RATE and not bounces
        weights = (REPLY_STEP_WEIGHTS + (0.1,) * steps)[:steps]  # longer API-made sequences
        reply_step = rng.choices(range(steps), weights)[0]
        reply_class = replies.pick_class(rng)
        unsubscribes = not bounces and not replies_at and rng.random() < UNSUBSCRIBE_RATE
        unsubscribe_step = rng.randrange(steps)
        return LeadPlan(
            rng,
            bounces,
            reply_step if replies_at else None,
            reply_class if replies_at else None,
            unsubscribe_step if unsubscribes else None,
        )

    def _jitter(self, lead: Lead) -> float:
        plan = self._plans.get(lead.id)
        rng = plan.rng if plan else random.Random(lead.email)
        return rng.uniform(60, 2 * HOUR)

    def _push(self, at: float, kind: str, lead_id: str, step: int) -> None:
        # Whole milliseconds, like the `createdAt` strings: date filters then compare exactly.
        at = round(at * 1000) / 1000
        heapq.heappush(self._heap, Due(at, next(self._seq), kind, lead_id, step))

    def _schedule_send(self, lead: Lead, step: int, at: float) -> None:
        lead.scheduled = True
        lead.next_step = step
        self._push(at, "send", lead.id, step)

    def _run(self, due: Due) -> int:
        lead = self.state.leads.get(due.lead_id)
        plan = self._plans.get(due.lead_id)
        if lead is None or plan is None:
            return 0  # removed since
        campaign = self.state.campaigns[lead.campaign_id]
        if due.step >= len(campaign.steps):
            return 0  # a sequence with no such step (yet): nothing to send
        if due.kind == "send":
            return self._send(due, lead, campaign, plan)
        step = campaign.steps[due.step]
        if due.kind == "open":
            self._emit("emailsOpened", lead, campaign, step, due.at)
            lead.state = "emailsOpened" if lead.state in ("emailsSent",) else lead.state
        elif due.kind == "click":
            self._emit("emailsClicked", lead, campaign, step, due.at, url=CLICK_URL)
            lead.state = "emailsClicked" if not lead.stopped else lead.state
        elif due.kind == "reply":
            self._reply(lead, campaign, step, plan, due.at)
        elif due.kind == "bounce":
            self._emit("emailsBounced", lead, campaign, step, due.at, to=self._to(lead))
            self._stop(lead, "emailsBounced", due.at)
            lead.email_status = "undeliverable"
            self.state.add_unsubscribe(lead.email, "bounce", due.at)
        elif due.kind == "unsubscribe":
            self._emit("emailsUnsubscribed", lead, campaign, step, due.at)
            self._stop(lead, "emailsUnsubscribed", due.at)
            self.state.add_unsubscribe(lead.email, "lead", due.at)
        return 1

    def _send(self, due: Due, lead: Lead, campaign: Campaign, plan: LeadPlan) -> int:
        lead.scheduled = False
        if not lead.active:
            return 0
        if campaign.status != "running":
            lead.waiting = True  # resumes when the campaign is started again
            return 0
        step = campaign.steps[due.step]
        if step.kind == "conditional":
            return self._branch(lead, campaign, step, due.at)
        rng = plan.rng
        key = (lead.id, step.index)
        self._email_ids[key] = self.state.new_id("eml")
        self._subjects[key] = render(step.subject, lead.all_variables())
        self._emit("emailsSent", lead, campaign, step, due.at, to=self._to(lead))
        lead.state, lead.status, lead.updated_at = "emailsSent", "inProgress", due.at
        lead.next_step = step.index + 1
        if plan.bounces:
            self._push(due.at + rng.uniform(20, 600), "bounce", lead.id, step.index)
            return 1
        replies_now = plan.reply_step == step.index
        opened = rng.random() < OPEN_RATE or replies_now
        opened_at = due.at + rng.uniform(10 * 60, 30 * HOUR)
        if opened:
            self._push(opened_at, "open", lead.id, step.index)
            if rng.random() < CLICK_RATE:
                self._push(opened_at + rng.uniform(5, 900), "click", lead.id, step.index)
        if replies_now:
            self._push(opened_at + rng.uniform(5 * 60, 20 * HOUR), "reply", lead.id, step.index)
            return 1
        if plan.unsubscribe_step == step.index:
            self._push(opened_at + rng.uniform(60, HOUR), "unsubscribe", lead.id, step.index)
            return 1
        if step.index + 1 < len(campaign.steps):
            following = campaign.steps[step.index + 1]
            gap = (following.delay_days - step.delay_days) * DAY
            self._schedule_send(lead, following.index, due.at + gap + rng.uniform(-HOUR, HOUR))
        else:
            self._stop(lead, lead.state, due.at)  # sequence finished; opens may still come
        return 1

    def _branch(self, lead: Lead, campaign: Campaign, step: Step, at: float) -> int:
        """A condition (see campaigns.py): a lead that met it skips the step right after it.
        Only activity conditions (`emailsOpened`, `emailsClicked`, …) can be met here."""
        met = (lead.id, step.condition_key or "") in self.state.first_seen
        following = step.index + (2 if met else 1)
        lead.next_step = following
        if following < len(campaign.steps):
            gap = (campaign.steps[following].delay_days - step.delay_days) * DAY
            self._schedule_send(lead, following, at + gap)
        else:
            self._stop(lead, lead.state, at)  # sequence finished
        return 0

    def _reply(self, lead: Lead, campaign: Campaign, step: Step, plan: LeadPlan, at: float) -> None:
        reply = replies.compose(
            plan.reply_class or "interested",
            plan.rng,
            first_name=lead.fields.get("firstName", ""),
            sender_first_name=campaign.sender.name.split()[0],
            lead_email=lead.email,
            subject=self._subjects.get((lead.id, step.index), step.subject),
            at=at,
        )
        activity = self._emit(
            "emailsReplied",
            lead,
            campaign,
            step,
            at,
            subject=reply.subject,
            text=reply.text,
            to=[{"address": campaign.sender.email, "name": campaign.sender.name}],
        )
        self.state.replies.append(
            ReplyFacts(
                str(activity["_id"]),
                lead.email,
                reply.reply_class,
                reply.return_date,
                reply.referral_name,
                reply.referral_email,
            )
        )
        self._stop(lead, "emailsReplied", at)

    def _stop(self, lead: Lead, state: str, at: float) -> None:
        lead.stopped = True
        lead.state, lead.status, lead.updated_at = state, "done", at

    def _to(self, lead: Lead) -> list[dict[str, str]]:
        name = " ".join(
            part for part in (lead.fields.get("firstName"), lead.fields.get("lastName")) if part
        )
        return [{"address": lead.email, "name": name}]

    def _emit(
        self, kind: str, lead: Lead, campaign: Campaign, step: Step, at: float, **extra: Any
    ) -> dict[str, Any]:
        state = self.state
        first = (lead.id, kind) not in state.first_seen
        state.first_seen.add((lead.id, kind))
        sender = campaign.sender
        key = (lead.id, step.index)
        activity: dict[str, Any] = {
            "_id": state.new_id("act"),
            "isFirst": first,
            "type": kind,
            "teamId": state.team_id,
            "createdAt": iso(at),
            "sendUserId": sender.id,
            "sendUserEmail": sender.email,
            "sendUserName": sender.name,
            "leadId": lead.id,
            "leadEmail": lead.email,
            "contactId": lead.contact_id,
            "campaignId": campaign.id,
            "campaignName": campaign.name,
            "sequenceId": campaign.sequence_id,
            "sequenceStep": step.index,
            "stepId": step.id,
            "emailTemplateId": step.template_id,
            "emailId": self._email_ids.get(key, ""),
            "subject": self._subjects.get(key, step.subject),
            "sequenceTested": "A",
            "stepTested": "A",
        }
        for field_name, wire in (
            ("firstName", "leadFirstName"),
            ("lastName", "leadLastName"),
            ("companyName", "leadCompanyName"),
        ):
            if lead.fields.get(field_name):
                activity[wire] = lead.fields[field_name]
        activity.update(extra)
        state.record_activity(activity, at)
        self.sink(activity)
        return activity
