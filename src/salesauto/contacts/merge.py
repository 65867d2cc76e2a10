"""How what a source says about a contact merges into what we already know.

Policy: a non-empty incoming value replaces the stored one (the latest source wins) and an
empty one never clears it. A repeat of a row earlier in the same file only fills what is still
empty: a file's first row wins, so re-importing a file changes nothing. Unknown fields
(`data`) merge key by key; each changed field records its provenance `{"source", "at"}`. A
contact's stage only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from salesauto.models.contacts import CONTACT_STAGES

# Columns of `imported_contacts` a source can set directly.
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "phone",
    "linkedin_url",
    "company_name",
    "company_domain",
    "hubspot_id",
    "lemlist_lead_id",
)
# Column sizes, so an over-long value is cut rather than failing its whole batch.
FIELD_LIMITS = {
    "first_name": 200,
    "last_name": 200,
    "title": 300,
    "phone": 100,
    "linkedin_url": 500,
    "company_name": 300,
    "company_domain": 253,
    "hubspot_id": 32,
    "lemlist_lead_id": 64,
}


@dataclass
class ContactFacts:
    """What one source knows about one contact (email already normalised)."""

    email: str
    fields: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    # Fields guessed rather than stated (a company domain taken from the email): they only
    # fill a stored row's empty field, never replace a value a source gave explicitly.
    guessed: set[str] = field(default_factory=set)

    def absorb(self, later: ContactFacts) -> None:
        """Fold a later row of the same file into this one: it fills only what is empty."""
        for name, value in later.fields.items():
            stated_over_guess = name in self.guessed and name not in later.guessed
            if value and (not self.fields.get(name) or stated_over_guess):
                self.fields[name] = value
                self.guessed.discard(name)
        for key, value in later.data.items():
            if value not in (None, "") and self.data.get(key) in (None, ""):
                self.data[key] = value


def clean_fields(fields: dict[str, str]) -> dict[str, str]:
    return {
        name: value[: FIELD_LIMITS[name]]
        for name, value in fields.items()
        if name in FIELD_LIMITS and value
    }


def provenance_stamp(source: str, at: datetime) -> dict[str, str]:
    return {"source": source, "at": at.isoformat()}


def new_row(
    owner_id: str,
    facts: ContactFacts,
    *,
    source: str,
    at: datetime,
    company_id: int | None,
    stamp: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The row of a contact seen for the first time (`stamp` shared by a batch's rows)."""
    fields = clean_fields(facts.fields)
    stamp = stamp or provenance_stamp(source, at)
    provenance = {name: stamp for name in fields} | {f"data.{k}": stamp for k in facts.data}
    row: dict[str, Any] = {name: None for name in CONTACT_FIELDS}
    row.update(fields)
    row.update(
        owner_id=owner_id,
        email=facts.email,
        source=source,
        status=CONTACT_STAGES[0],
        data=dict(facts.data),
        provenance=provenance,
        company_id=company_id,
        imported_at=at,
        updated_at=at,
    )
    return row


def merged_changes(
    stored: dict[str, Any],
    facts: ContactFacts,
    *,
    source: str,
    at: datetime,
    company_id: int | None,
    fill_only: bool = False,
) -> dict[str, Any] | None:
    """The column updates `facts` bring to the `stored` row, or None when nothing changes.

    With `fill_only`, only fields the stored row lacks are set.
    """
    stamp = {"source": source, "at": at.isoformat()}
    changes: dict[str, Any] = {}
    provenance = dict(stored.get("provenance") or {})
    for name, value in clean_fields(facts.fields).items():
        if (fill_only or name in facts.guessed) and stored.get(name):
            continue
        if stored.get(name) != value:
            changes[name] = value
            provenance[name] = stamp
    data = dict(stored.get("data") or {})
    data_changed = False
    for key, value in facts.data.items():
        if fill_only and data.get(key) not in (None, ""):
            continue
        if value not in (None, "") and data.get(key) != value:
            data[key] = value
            provenance[f"data.{key}"] = stamp
            data_changed = True
    if data_changed:
        changes["data"] = data
    keeps_company = fill_only or (
        "company_domain" in facts.guessed and bool(stored.get("company_domain"))
    )
    if (
        company_id is not None
        and stored.get("company_id") != company_id
        and not (keeps_company and stored.get("company_id") is not None)
    ):
        changes["company_id"] = company_id
    if not changes:
        return None
    changes["provenance"] = provenance
    changes["updated_at"] = at
    return changes


def later_stage(current: str, proposed: str) -> str:
    """The further of two stages (a re-import never moves a replied contact back)."""
    order = {stage: index for index, stage in enumerate(CONTACT_STAGES)}
    return proposed if order.get(proposed, -1) > order.get(current, -1) else current
