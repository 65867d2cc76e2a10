"""Which found companies and people a discovery keeps: exclusions and buying signals.

Pure functions over the provider records, so every rule is testable without a provider.

Signals, as a seller reads them:
- funding `true`: the company has raised money: a known funding round or a known funding
  total (Apollo organizations, Explorium funding and acquisition data).
- funding `{withinMonths: N}`: a round was announced in the last N months.
- hiring: in the last six months the company showed a hiring event — hiring in a department,
  or a department growing (Explorium business events; Apollo offers no such signal, so
  companies Apollo found are checked through Explorium by domain).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from salesauto.discovery.profile import Exclusions, FundingSignal, Signals
from salesauto.integrations.apollo.mapping import COUNTRY_CODES
from salesauto.integrations.models import BusinessEvent, CompanyProfile, IcpCriteria, PersonProfile

HIRING_WINDOW = timedelta(days=182)
# Explorium business events that mean "this company is hiring".
HIRING_EVENTS = (
    *(
        f"hiring_in_{department}_department"
        for department in (
            "creative",
            "education",
            "engineering",
            "finance",
            "health",
            "human_resources",
            "legal",
            "marketing",
            "operations",
            "professional_service",
            "sales",
            "support",
            "trade",
            "unknown",
        )
    ),
    *(
        f"increase_in_{department}_department"
        for department in ("engineering", "sales", "marketing", "operations", "customer_service")
    ),
    "increase_in_all_departments",
)
DAYS_PER_MONTH = 30.44


def with_country_code(company: CompanyProfile) -> CompanyProfile:
    """The profile with its ISO-2 country code, derived from the country name when a provider
    gives only the name (Explorium does), so country criteria and scores can use it."""
    if company.country_code or not company.country:
        return company
    code = COUNTRY_CODES.get(company.country.strip().lower())
    return company.model_copy(update={"country_code": code}) if code else company


def _domain_excluded(domain: str, excluded: Iterable[str]) -> bool:
    return any(domain == other or domain.endswith(f".{other}") for other in excluded)


def company_exclusion(company: CompanyProfile, exclusions: Exclusions) -> str | None:
    """Why the profile's exclusions rule this company out (None: they do not)."""
    if _domain_excluded(company.domain, exclusions.domains):
        return "company domain excluded"
    if company.industry and company.industry.strip().lower() in exclusions.industries:
        return "company industry excluded"
    if company.country_code and company.country_code.lower() in exclusions.countries:
        return "company country excluded"
    return None


def person_exclusion(
    person: PersonProfile, criteria: IcpCriteria, exclusions: Exclusions
) -> str | None:
    """Why this person is not a lead, from what is known of them so far (a field a search
    did not reveal is no reason to drop anyone)."""
    title = (person.title or "").lower()
    if title and any(word in title for word in exclusions.titles):
        return "person title excluded"
    department = (person.department or "").strip().lower()
    if department and criteria.departments and department not in criteria.departments:
        return "person department outside the profile"
    return None


def funding_evidence(
    company: CompanyProfile, signal: bool | FundingSignal, today: date
) -> str | None:
    """What shows the company meets the funding signal, or None."""
    rounds = sorted(company.funding_rounds, key=lambda r: r.announced_on or date.min, reverse=True)
    if isinstance(signal, FundingSignal):
        since = today - timedelta(days=round(signal.within_months * DAYS_PER_MONTH))
        recent = next((r for r in rounds if r.announced_on and r.announced_on >= since), None)
        if recent is None or recent.announced_on is None:
            return None
        amount = f" (${recent.amount_usd:,})" if recent.amount_usd else ""
        return f"{recent.type} on {recent.announced_on.isoformat()}{amount}"
    latest = rounds[0] if rounds else None
    last = None
    if latest is not None:
        when = f" on {latest.announced_on.isoformat()}" if latest.announced_on else ""
        last = f"{latest.type}{when}"
    if company.funding_total_usd:
        total = f"raised ${company.funding_total_usd:,}"
        return f"{total}, last round {last}" if last else total
    return last


def hiring_evidence(events: Iterable[BusinessEvent], since: datetime) -> str | None:
    """The latest hiring event since `since`, as a reason a seller can read."""
    hiring = [e for e in events if e.type in HIRING_EVENTS and e.occurred_at >= since]
    if not hiring:
        return None
    latest = max(hiring, key=lambda event: event.occurred_at)
    return f"{latest.type.replace('_', ' ')} on {latest.occurred_at.date().isoformat()}"


def signals_wanted(signals: Signals) -> list[str]:
    """The signals the profile asks for, by name."""
    asked = (("funding", bool(signals.funding)), ("hiring", signals.hiring))
    return [name for name, wanted in asked if wanted]
