"""The lemlist emulator's in-memory account: one team, its campaigns, leads, hooks, unsubscribes
and activities, with lemlist's prefixed ids and wire shapes."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from salesauto.integrations.sandbox.lemlist.seed import SEED_CAMPAIGNS, STEP_TEMPLATES

ID_ALPHABET = string.ascii_letters + string.digits
STANDARD_FIELDS = (
    "email",
    "firstName",
    "lastName",
    "companyName",
    "companyDomain",
    "jobTitle",
    "linkedinUrl",
    "picture",
    "phone",
    "icebreaker",
    "timezone",
    "contactOwner",
    "preferredContactMethod",
)
DAY = 86400.0


def iso(moment: float) -> str:
    """Epoch seconds → lemlist's `2025-10-28T08:07:38.375Z`."""
    stamp = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


@dataclass
class Step:
    id: str
    index: int  # 0-based, like `sequenceStep`
    delay_days: float  # after the lead's start
    subject: str
    body: str
    template_id: str
    kind: str = "email"  # lemlist's step `type`
    delay: int = 0  # days after the previous step, as sent
    condition_key: str | None = None  # a `conditional` step's test, e.g. `emailsOpened`
    delay_type: str | None = None  # `within` | `waitUntil`

    def view(self, sequence_id: str) -> dict[str, Any]:
        """The step as `GET /campaigns/{id}/sequences` lists it."""
        body: dict[str, Any] = {
            "_id": self.id,
            "delay": self.delay,
            "type": self.kind,
            "index": self.index + 1,
            "sequenceId": sequence_id,
            "sequenceStep": self.index,
        }
        if self.kind == "conditional":
            body.update(conditionKey=self.condition_key, delayType=self.delay_type)
        else:
            body.update(emailTemplateId=self.template_id, message=self.body)
            if self.kind == "email":
                body["subject"] = self.subject
        return body


@dataclass
class Sender:
    id: str
    email: str
    name: str
    mailbox_id: str


@dataclass
class Campaign:
    id: str
    name: str
    created_at: float
    created_by: str
    status: str
    sequence_id: str
    schedule_id: str
    steps: list[Step]
    sender: Sender
    labels: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "name": self.name,
            "labels": list(self.labels),
            "createdAt": iso(self.created_at),
            "createdBy": self.created_by,
            "status": self.status,
            "sequenceId": self.sequence_id,
            "scheduleIds": [self.schedule_id],
        }

    def detail(self, team_id: str, creator_email: str) -> dict[str, Any]:
        return {
            **self.summary(),
            "teamId": team_id,
            "creator": {"userId": self.created_by, "userEmail": creator_email},
            "senders": [
                {
                    "id": self.sender.id,
                    "email": self.sender.email,
                    "sendUserMailboxId": self.sender.mailbox_id,
                }
            ],
        }


@dataclass
class Lead:
    id: str
    contact_id: str
    campaign_id: str
    email: str
    fields: dict[str, str]  # standard lemlist fields except email
    variables: dict[str, str]  # custom variables
    created_at: float
    updated_at: float
    email_status: str = "deliverable"
    state: str = "scanned"
    status: str = "review"
    is_paused: bool = False
    unsubscribed: bool = False
    stopped: bool = False  # replied, bounced, unsubscribed or sequence finished
    scheduled: bool = False  # a send is queued in the engagement engine
    waiting: bool = False  # a send came due while the campaign was paused
    next_step: int = 0

    @property
    def active(self) -> bool:
        return not (self.stopped or self.unsubscribed or self.is_paused)

    def all_variables(self) -> dict[str, str]:
        return {**self.variables, **self.fields, "email": self.email}

    def flat(self, campaign: Campaign) -> dict[str, Any]:
        """The flat shape of add / `GET /leads` / PATCH / DELETE answers."""
        body: dict[str, Any] = {**self.variables, **self.fields}
        body.update(
            {
                "email": self.email,
                "_id": self.id,
                "isPaused": self.is_paused,
                "campaignId": campaign.id,
                "campaignName": campaign.name,
                "contactId": self.contact_id,
                "emailStatus": self.email_status,
            }
        )
        if self.unsubscribed:
            body["isUnsubscribed"] = True
        return body

    def membership(self, campaign: Campaign, sender: Sender) -> dict[str, Any]:
        """One entry of `GET /leads/{email}?version=v2`."""
        return {
            "_id": self.id,
            "updatedAt": iso(self.updated_at),
            "isPaused": self.is_paused,
            "state": self.state,
            "status": self.status,
            "personalized": False,
            "source": "api",
            "variables": self.all_variables(),
            "contactId": self.contact_id,
            "enrichment": {"emailStatus": self.email_status},
            "campaign": {"id": campaign.id, "name": campaign.name, "status": campaign.status},
            "sendingUser": {"id": sender.id, "email": sender.email, "name": sender.name},
        }


@dataclass
class Hook:
    id: str
    target_url: str
    created_at: float
    type: str | None = None
    campaign_id: str | None = None
    is_first: bool | None = None
    zap_id: int | None = None
    secret: str | None = None

    def public(self) -> dict[str, Any]:
        """What `GET /hooks` shows: never the secret."""
        body: dict[str, Any] = {
            "_id": self.id,
            "targetUrl": self.target_url,
            "createdAt": iso(self.created_at),
        }
        optional = {
            "type": self.type,
            "campaignId": self.campaign_id,
            "isFirst": self.is_first,
            "zapId": self.zap_id,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        return body


@dataclass
class UnsubscribeEntry:
    id: str
    value: str  # `john@x.com` or `@x.com`
    source: str  # user | lead | abuse | bounce | api
    created_at: float

    def public(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "createdAt": iso(self.created_at),
            "value": self.value,
            "source": self.source,
        }


@dataclass
class ReplyFacts:
    """What the emulator knows about a reply it wrote (never part of a vendor payload)."""

    activity_id: str
    lead_email: str
    reply_class: str
    return_date: str | None = None
    referral_name: str | None = None
    referral_email: str | None = None


class LemlistState:
    """Everything one emulator instance remembers; `reset()` returns to the seeded account."""

    def __init__(self, seed: int, now: float) -> None:
        self.seed = seed
        self.reset(now)

    def reset(self, now: float) -> None:
        self._ids = random.Random(f"lemlist-ids-{self.seed}")
        self.campaigns: dict[str, Campaign] = {}
        self.leads: dict[str, Lead] = {}
        self.contacts: dict[str, str] = {}  # email → ctc_ id: one contact across campaigns
        self.hooks: dict[str, Hook] = {}
        self.unsubscribes: dict[str, UnsubscribeEntry] = {}  # by lowercased value
        self.activities: list[dict[str, Any]] = []  # appended in event order
        self.activity_times: dict[str, int] = {}  # activity id → epoch milliseconds
        self.first_seen: set[tuple[str, str]] = set()  # (lead id, type) for `isFirst`
        self.replies: list[ReplyFacts] = []
        self.campaigns_envelope = False
        self.team_id = self.new_id("tea")
        self.owner = Sender(
            self.new_id("usr"),
            "claire.martin@northwind-demo.com",
            "Claire Martin",
            self.new_id("usm"),
        )
        for seeded in SEED_CAMPAIGNS:
            self.add_campaign(
                seeded.name, seeded.status, now - seeded.age_days * DAY, labels=list(seeded.labels)
            )

    def add_campaign(
        self,
        name: str,
        status: str,
        created_at: float,
        *,
        labels: list[str] | None = None,
        empty: bool = False,
    ) -> Campaign:
        """A campaign with lemlist's usual 3-email sequence (day 0, day 3, day 8), or with
        no step yet when `empty` (one created through the API)."""
        sequence_id = self.new_id("seq")
        steps = [
            Step(
                self.new_id("stp"),
                index,
                template.delay_days,
                template.subject,
                template.body,
                self.new_id("etp"),
            )
            for index, template in enumerate(() if empty else STEP_TEMPLATES)
        ]
        campaign = Campaign(
            id=self.new_id("cam"),
            name=name,
            created_at=created_at,
            created_by=self.owner.id,
            status=status,
            sequence_id=sequence_id,
            schedule_id=self.new_id("skd"),
            steps=steps,
            sender=self.owner,
            labels=labels or [],
        )
        self.campaigns[campaign.id] = campaign
        return campaign

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_" + "".join(self._ids.choice(ID_ALPHABET) for _ in range(17))

    def contact_id(self, email: str) -> str:
        if email not in self.contacts:
            self.contacts[email] = self.new_id("ctc")
        return self.contacts[email]

    def leads_for_email(self, email: str) -> list[Lead]:
        return [lead for lead in self.leads.values() if lead.email == email]

    def campaign_leads(self, campaign_id: str) -> list[Lead]:
        return [lead for lead in self.leads.values() if lead.campaign_id == campaign_id]

    def unsubscribe_for(self, email: str) -> UnsubscribeEntry | None:
        """The entry that blocks `email`: the address itself or its `@domain`."""
        email = email.lower()
        domain = "@" + email.rsplit("@", 1)[-1]
        return self.unsubscribes.get(email) or self.unsubscribes.get(domain)

    def add_unsubscribe(self, value: str, source: str, now: float) -> UnsubscribeEntry:
        value = value.lower()
        entry = self.unsubscribes.get(value)
        if entry is None:
            entry = UnsubscribeEntry(self.new_id("uns"), value, source, now)
            self.unsubscribes[value] = entry
        for lead in self.leads.values():
            if self.unsubscribe_for(lead.email) is not None and not lead.unsubscribed:
                lead.unsubscribed = True
                lead.state = "unsubscribed"
                lead.updated_at = now
        return entry

    def record_activity(self, activity: dict[str, Any], at: float) -> None:
        self.activities.append(activity)
        self.activity_times[str(activity["_id"])] = round(at * 1000)
