"""From a mapped CSV row to the facts we merge about a contact (or why it is rejected)."""

from __future__ import annotations

from salesauto.contacts.merge import ContactFacts
from salesauto.imports.cells import (
    company_domain_for,
    email_problem,
    normalise_domain,
    normalise_email,
)
from salesauto.imports.csv_reader import CsvRow

# Canonical fields that become columns; the others (city, country, industry) go to `data`.
DIRECT_FIELDS = ("first_name", "last_name", "title", "phone", "linkedin_url", "company_name")


def contact_facts(row: CsvRow) -> ContactFacts | str:
    """The row's contact, or the reason it is rejected."""
    raw_email = row.values.get("email", "")
    email = normalise_email(raw_email) if raw_email else None
    if email is None:
        return "no email address"
    problem = email_problem(email)
    if problem is not None:
        return problem
    fields = {name: row.values[name] for name in DIRECT_FIELDS if row.values.get(name)}
    full_name = row.values.get("full_name", "")
    if full_name and not (fields.get("first_name") or fields.get("last_name")):
        first, _, last = full_name.partition(" ")
        fields["first_name"] = first
        if last:
            fields["last_name"] = last.strip()
    website = row.values.get("company_domain", "")
    domain, from_email = company_domain_for(website, email)
    guessed = {"company_domain"} if from_email else set()
    if domain:
        fields["company_domain"] = domain
    data: dict[str, object] = {
        name: row.values[name] for name in ("city", "country", "industry") if row.values.get(name)
    }
    if website and normalise_domain(website) is None:
        data["website"] = website  # kept verbatim when it is not a usable domain
    data.update(row.extra)
    return ContactFacts(email=email, fields=fields, data=data, guessed=guessed)
