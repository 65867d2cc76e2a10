"""Exclusions and buying signals: which companies and people a discovery keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from salesauto.discovery.filters import (
    company_exclusion,
    funding_evidence,
    hiring_evidence,
    person_exclusion,
    with_country_code,
)
from salesauto.discovery.profile import Exclusions, FundingSignal
from salesauto.discovery.scoring import score_lead
from salesauto.integrations.models import (
    BusinessEvent,
    CompanyProfile,
    FundingRound,
    IcpCriteria,
    PersonProfile,
)

TODAY = date(2026, 10, 1)
ACME = CompanyProfile(
    domain="eu.acme.com",
    provider="explorium",
    industry="Software Development",
    country="united kingdom",
    funding_rounds=[
        FundingRound(type="Seed", announced_on=date(2023, 2, 1), amount_usd=2_000_000),
        FundingRound(type="Series A", announced_on=date(2026, 5, 4), amount_usd=12_000_000),
    ],
)
EXCLUSIONS = Exclusions.model_validate(
    {
        "domains": ["acme.com"],
        "industries": ["Retail"],
        "countries": ["GB"],
        "titles": ["Intern", "Assistant"],
    }
)


def _event(kind: str, day: date) -> BusinessEvent:
    return BusinessEvent(
        provider="explorium",
        event_id=f"{kind}-{day}",
        type=kind,
        occurred_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
    )


def test_excluded_domains_industries_and_countries_rule_a_company_out() -> None:
    located = with_country_code(ACME)
    elsewhere = located.model_copy(update={"domain": "acme.io", "country_code": "de"})

    assert located.country_code == "gb"  # from the name Explorium gives
    assert company_exclusion(located, EXCLUSIONS) == "company domain excluded"  # a subdomain
    assert company_exclusion(elsewhere.model_copy(update={"industry": "retail"}), EXCLUSIONS) == (
        "company industry excluded"
    )
    assert (
        company_exclusion(elsewhere.model_copy(update={"country_code": "GB"}), EXCLUSIONS)
        == "company country excluded"
    )
    assert company_exclusion(elsewhere, EXCLUSIONS) is None
    assert (
        company_exclusion(elsewhere.model_copy(update={"domain": "notacme.com"}), EXCLUSIONS)
        is None
    )


def test_people_are_ruled_out_by_title_words_and_by_a_known_department() -> None:
    criteria = IcpCriteria(departments=["sales"])

    def person(title: str, department: str | None) -> PersonProfile:
        return PersonProfile(provider="apollo", title=title, department=department)

    assert person_exclusion(person("Sales Intern", "sales"), criteria, EXCLUSIONS) == (
        "person title excluded"
    )
    assert person_exclusion(person("VP Marketing", "marketing"), criteria, EXCLUSIONS) == (
        "person department outside the profile"
    )
    # A search row that does not say the department is no reason to drop anyone.
    assert person_exclusion(person("VP Revenue", None), criteria, EXCLUSIONS) is None
    assert person_exclusion(person("Head of Sales", "sales"), criteria, EXCLUSIONS) is None


def test_funding_means_any_known_round_or_a_recent_one() -> None:
    unfunded = ACME.model_copy(update={"funding_rounds": []})

    assert funding_evidence(ACME, True, TODAY) == "Series A on 2026-05-04"
    assert funding_evidence(ACME, FundingSignal(within_months=6), TODAY) == (
        "Series A on 2026-05-04 ($12,000,000)"
    )
    assert funding_evidence(ACME, FundingSignal(within_months=3), TODAY) is None
    assert funding_evidence(unfunded, True, TODAY) is None
    total = unfunded.model_copy(update={"funding_total_usd": 5_000_000})
    assert funding_evidence(total, True, TODAY) == "raised $5,000,000"
    both = ACME.model_copy(update={"funding_total_usd": 14_000_000})
    assert funding_evidence(both, True, TODAY) == (
        "raised $14,000,000, last round Series A on 2026-05-04"
    )


def test_hiring_means_a_recent_hiring_or_growth_event() -> None:
    since = datetime(2026, 4, 1, tzinfo=UTC)
    events = [
        _event("new_product", date(2026, 9, 1)),
        _event("hiring_in_sales_department", date(2026, 3, 1)),
        _event("increase_in_engineering_department", date(2026, 6, 2)),
    ]

    assert hiring_evidence(events, since) == "increase in engineering department on 2026-06-02"
    assert hiring_evidence(events[:2], since) is None  # too old, and not hiring


def test_asked_signals_count_in_the_score_with_their_evidence() -> None:
    criteria = IcpCriteria(industries=["software development"])

    with_signals = score_lead(
        criteria, ACME, signals={"funding": "Series A on 2026-05-04", "hiring": None}
    )

    reasons = {reason.attribute: reason for reason in with_signals.reasons}
    assert with_signals.score == 78  # 25 + 10 of 45
    assert reasons["funding"].matched and reasons["funding"].detail == "Series A on 2026-05-04"
    assert not reasons["hiring"].matched and reasons["hiring"].detail == "no hiring signal found"
    assert score_lead(criteria, ACME).score == 100  # signals not asked: not scored
