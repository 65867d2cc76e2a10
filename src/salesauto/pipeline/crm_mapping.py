"""Which of our fields become which HubSpot properties, and which of them a sync may write.

The default mapping sends a contact's columns to HubSpot's standard contact properties and a
company's name and enrichment fields (`companies.data`, keyed like `CompanyProfile`) to the
standard company properties. `hubspot_field_mapping` changes it, one entry per field:

- `title`, `phone`… (a contact column) or `data.<key>` (an extra field) → a contact property;
- `company.name` or `company.data.<key>` → a company property;
- a property name replaces the default of that field and any default writing that property;
- `""` stops syncing the field.

Only the shape of a property name is checked here (HubSpot's lowercase internal names):
HubSpot itself answers for names it does not know, per record, and the step reports its
message on each contact concerned. Emails and domains are identities, never mapped.

Overwrite policy: `never` sends only the properties still empty in HubSpot, so a value a
salesperson typed there stays; `always` sends every value that differs from HubSpot's. Empty
values are never sent, so a sync never clears anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from salesauto.integrations.hubspot.mapping import INDUSTRY_CODE, normalise_domain
from salesauto.kit.errors import InvalidInput

OverwritePolicy = Literal["never", "always"]

# Contact columns a mapping may name (email is the identity, sent by the upsert itself).
CONTACT_COLUMNS = (
    "first_name",
    "last_name",
    "title",
    "phone",
    "linkedin_url",
    "company_name",
    "company_domain",
    "score",
)
COMPANY_COLUMNS = ("name",)
COMPANY_PREFIX = "company."
DATA_PREFIX = "data."

DEFAULT_CONTACT_MAPPING: dict[str, str] = {
    "first_name": "firstname",
    "last_name": "lastname",
    "title": "jobtitle",
    "phone": "phone",
    "company_name": "company",
    "company_domain": "website",
    "linkedin_url": "hs_linkedin_url",
}
DEFAULT_COMPANY_MAPPING: dict[str, str] = {
    "name": "name",
    "data.industry": "industry",
    "data.employees": "numberofemployees",
    "data.annual_revenue_usd": "annualrevenue",
    "data.country": "country",
    "data.city": "city",
}

PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
# HubSpot keeps these itself; the identities are written by the upsert (email) or the
# company lookup (domain) and must not come from another field.
SYSTEM_PROPERTIES = frozenset({"hs_object_id", "createdate", "lastmodifieddate"})
CONTACT_RESERVED = SYSTEM_PROPERTIES | {"email", "hs_email_domain"}
COMPANY_RESERVED = SYSTEM_PROPERTIES | {"domain", "hs_lastmodifieddate"}


class InvalidFieldMapping(InvalidInput):
    """`hubspot_field_mapping` names a field we do not have or a property HubSpot cannot take."""


@dataclass(frozen=True)
class FieldMapping:
    """Field → HubSpot property, for contacts and for companies."""

    contact: dict[str, str]
    company: dict[str, str]

    @classmethod
    def from_settings(cls, overrides: Mapping[str, str]) -> FieldMapping:
        """The default mapping changed by `overrides`; `InvalidFieldMapping` lists every
        entry that cannot work."""
        problems: list[str] = []
        contact_entries: dict[str, str] = {}
        company_entries: dict[str, str] = {}
        for raw_key, raw_value in overrides.items():
            key, value = raw_key.strip(), raw_value.strip()
            is_company = key.startswith(COMPANY_PREFIX)
            field = key.removeprefix(COMPANY_PREFIX) if is_company else key
            columns = COMPANY_COLUMNS if is_company else CONTACT_COLUMNS
            if field not in columns and not _is_data_key(field):
                known = ", ".join(columns)
                problems.append(
                    f"{raw_key!r} is not a field we sync (use one of {known}, "
                    f"`{'company.' if is_company else ''}data.<key>` for an extra field"
                    f"{'' if is_company else ', or company.<field>'})"
                )
                continue
            reserved = COMPANY_RESERVED if is_company else CONTACT_RESERVED
            if value and not PROPERTY_NAME.match(value):
                problems.append(
                    f"{raw_value!r} (for {raw_key!r}) is not a HubSpot property name: use the "
                    "internal name, lowercase letters, digits and underscores (e.g. jobtitle)"
                )
                continue
            if value in reserved:
                problems.append(f"{raw_key!r} cannot write {value!r}: HubSpot or the sync sets it")
                continue
            (company_entries if is_company else contact_entries)[field] = value
        contact = _apply(DEFAULT_CONTACT_MAPPING, contact_entries, problems, "")
        company = _apply(DEFAULT_COMPANY_MAPPING, company_entries, problems, COMPANY_PREFIX)
        if problems:
            raise InvalidFieldMapping(
                "invalid SALESAUTO_HUBSPOT_FIELD_MAPPING: " + "; ".join(problems),
                field="hubspot_field_mapping",
            )
        return cls(contact=contact, company=company)

    @property
    def contact_properties(self) -> list[str]:
        """What to read of a HubSpot contact to compare it with ours."""
        return ["email", *sorted(set(self.contact.values()))]

    @property
    def company_properties(self) -> list[str]:
        return ["domain", *sorted(set(self.company.values()))]

    def contact_values(
        self, contact: Mapping[str, Any], company: Mapping[str, Any] | None
    ) -> dict[str, str]:
        """The non-empty HubSpot contact properties of a stored contact (email aside)."""
        values: dict[str, str] = {}
        for field, prop in self.contact.items():
            raw = _field_value(contact, field)
            if field == "company_name" and raw in (None, "") and company is not None:
                raw = company.get("name")  # the company row may know a name the contact lacks
            if field == "company_domain" and isinstance(raw, str):
                raw = normalise_domain(raw)
            text = as_text(raw)
            if text is not None:
                values[prop] = text
        return values

    def company_values(self, company: Mapping[str, Any]) -> dict[str, str]:
        """The non-empty HubSpot company properties of a stored company (domain aside)."""
        values: dict[str, str] = {}
        for field, prop in self.company.items():
            text = as_text(_field_value(company, field))
            # HubSpot's company `industry` is an enumeration of codes (COMPUTER_SOFTWARE):
            # free text such as "software development" would fail the whole company.
            if text is not None and (prop != "industry" or INDUSTRY_CODE.match(text)):
                values[prop] = text
        return values


def changes_to_send(
    ours: Mapping[str, str],
    theirs: Mapping[str, str | None] | None,
    policy: OverwritePolicy,
) -> dict[str, str]:
    """The properties to write to a record HubSpot has as `theirs` (None: not there yet)."""
    if theirs is None:
        return dict(ours)
    if policy == "never":
        return {name: value for name, value in ours.items() if not (theirs.get(name) or "").strip()}
    return {name: value for name, value in ours.items() if theirs.get(name) != value}


def as_text(value: object) -> str | None:
    """A stored value as HubSpot's string form; None when empty or not a scalar or list."""
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        # HubSpot writes several values of one property separated by semicolons.
        parts = [as_text(item) for item in value if not isinstance(item, list | dict)]
        return ";".join(part for part in parts if part) or None
    text = str(value).strip()
    return text or None


def _is_data_key(field: str) -> bool:
    return field.startswith(DATA_PREFIX) and bool(field.removeprefix(DATA_PREFIX).strip())


def _field_value(row: Mapping[str, Any], field: str) -> Any:
    if field.startswith(DATA_PREFIX):
        return (row.get("data") or {}).get(field.removeprefix(DATA_PREFIX))
    return row.get(field)


def _apply(
    defaults: dict[str, str], entries: dict[str, str], problems: list[str], prefix: str
) -> dict[str, str]:
    """Defaults, then the entries: an entry replaces its field's default and any default
    writing the same property; two entries writing one property are a mistake."""
    claimed: dict[str, str] = {}
    for field, prop in entries.items():
        if prop and prop in claimed:
            problems.append(
                f"{prefix + claimed[prop]!r} and {prefix + field!r} both write {prop!r}; keep one"
            )
        claimed.setdefault(prop, field)
    mapping = {
        field: prop
        for field, prop in defaults.items()
        if field not in entries and prop not in claimed
    }
    mapping.update({field: prop for field, prop in entries.items() if prop})
    return mapping
