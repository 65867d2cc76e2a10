"""The Apollo team's own workspace: saved contacts, sequences (`emailer_campaigns`) and the
mailboxes they send from, plus the job postings of universe organizations.

Contacts start empty; two sequences and one mailbox are seeded so the sequence tools have
something to act on. Ids are 24 hex digits, as Apollo's are.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from salesauto.integrations.sandbox.universe import REFERENCE_DAY, Company

JOB_TITLES = (
    "Account Executive", "Sales Development Representative", "Head of Sales",
    "Customer Success Manager", "Senior Software Engineer", "Product Manager",
    "Marketing Manager", "Data Analyst", "DevOps Engineer", "Revenue Operations Manager",
)  # fmt: skip
SEEDED_SEQUENCES = (("Outbound – Q4 founders", True, 3), ("Event follow-up", False, 2))
MAILBOX = "claire.martin@northwind-demo.com"


def apollo_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass
class Sequence:
    id: str
    name: str
    active: bool
    num_steps: int
    created_at: datetime
    contact_ids: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "active": self.active,
            "archived": False,
            "num_steps": self.num_steps,
            "created_at": stamp(self.created_at),
            "unique_scheduled": len(self.contact_ids),
            "user_id": apollo_id("user", MAILBOX),
        }


@dataclass
class Workspace:
    seed: int
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)
    email_accounts: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.contacts.clear()
        created = datetime.combine(REFERENCE_DAY, datetime.min.time(), UTC) - timedelta(days=30)
        self.sequences = {
            sequence.id: sequence
            for sequence in (
                Sequence(apollo_id("seq", str(self.seed), name), name, active, steps, created)
                for name, active, steps in SEEDED_SEQUENCES
            )
        }
        self.email_accounts = [
            {
                "id": apollo_id("mailbox", str(self.seed), MAILBOX),
                "user_id": apollo_id("user", MAILBOX),
                "email": MAILBOX,
                "type": "gmail",
                "provider_display_name": "Gmail",
                "active": True,
                "default": True,
                "aliases": [],
            }
        ]

    def save_contact(self, fields: dict[str, Any], *, dedupe: bool) -> dict[str, Any]:
        """A new contact, or with `dedupe` the one already saved with that email."""
        email = str(fields.get("email") or "").strip().lower() or None
        if dedupe and email:
            for saved in self.contacts.values():
                if saved["email"] == email:
                    return saved
        contact_id = apollo_id("contact", str(self.seed), str(len(self.contacts)), email or "")
        first, last = fields.get("first_name"), fields.get("last_name")
        contact: dict[str, Any] = {
            "id": contact_id,
            "first_name": first,
            "last_name": last,
            "name": " ".join(str(part) for part in (first, last) if part) or None,
            "email": email,
            "title": fields.get("title"),
            "organization_name": fields.get("organization_name"),
            "account_id": None,
            "email_status": "verified" if email else None,
            "emailer_campaign_ids": [],
            "created_at": stamp(datetime.now(UTC)),
        }
        self.contacts[contact_id] = contact
        return contact

    def search_contacts(self, keywords: str | None) -> list[dict[str, Any]]:
        needle = (keywords or "").strip().lower()
        keys = ("name", "email", "title", "organization_name")
        return [
            contact
            for contact in self.contacts.values()
            if not needle or any(needle in str(contact.get(key) or "").lower() for key in keys)
        ]


def job_postings(company: Company) -> list[dict[str, Any]]:
    """0-5 open roles per organization, the same for every run of a seed."""
    rng = random.Random(f"apollo-jobs-{company.apollo_id}")
    titles = rng.sample(JOB_TITLES, rng.randint(0, 5))
    postings = []
    for title in titles:
        posted = REFERENCE_DAY - timedelta(days=rng.randint(1, 60))
        posting_id = apollo_id("job", company.apollo_id, title)
        postings.append(
            {
                "id": posting_id,
                "title": title,
                "url": f"https://{company.domain}/careers/{posting_id[:8]}",
                "city": company.city,
                "state": company.region,
                "country": company.country,
                "posted_at": f"{posted.isoformat()}T00:00:00.000+00:00",
                "last_seen_at": f"{REFERENCE_DAY.isoformat()}T00:00:00.000+00:00",
            }
        )
    return postings
