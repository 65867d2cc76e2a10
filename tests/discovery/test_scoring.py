"""ICP scoring: points per attribute, near misses, normalisation, reasons a seller can read."""

from __future__ import annotations

from salesauto.discovery.scoring import score_lead
from salesauto.integrations.models import CompanyProfile, IcpCriteria, PersonProfile

ICP = IcpCriteria(
    industries=["software development"],
    employee_ranges=["201-500"],
    revenue_ranges=["25M-75M"],
    countries=["us", "gb"],
    technologies=["Salesforce", "Snowflake"],
    titles=["VP of Sales", "Head of Sales"],
    seniorities=["vp", "head"],
    departments=["sales"],
)
ACME = CompanyProfile(
    domain="acme.io",
    provider="explorium",
    industry="Software Development",
    employee_range="201-500",
    revenue_range="25M-75M",
    country_code="US",
    technologies=["Salesforce", "Snowflake", "Slack"],
)
VP = PersonProfile(
    provider="apollo", title="VP of Sales", seniority="vice president", department="Sales"
)


def test_a_perfect_fit_scores_100_with_a_reason_per_attribute() -> None:
    scored = score_lead(ICP, ACME, VP)

    assert scored.score == 100
    assert [r.attribute for r in scored.reasons] == [
        "industry",
        "employees",
        "revenue",
        "country",
        "technologies",
        "title",
        "seniority",
        "department",
    ]
    assert all(r.matched and r.points == r.max_points for r in scored.reasons)
    assert scored.reasons[4].detail == "uses salesforce, snowflake"


def test_near_misses_earn_half_and_misses_nothing() -> None:
    smaller = ACME.model_copy(
        update={"employee_range": "51-200", "technologies": ["Salesforce"], "country_code": "de"}
    )
    engineer = VP.model_copy(update={"title": "Software Engineer", "seniority": "entry"})

    scored = score_lead(ICP, smaller, engineer)
    points = {r.attribute: r.points for r in scored.reasons}

    assert points["employees"] == 7.5  # 51-200 is next to 201-500
    assert points["technologies"] == 11.2  # one of two wanted: 0.75 of 15, rounded
    assert points["country"] == 0 and points["title"] == 0 and points["seniority"] == 0
    assert scored.score == round(100 * (25 + 7.5 + 10 + 0 + 11.2 + 0 + 0 + 5) / 105)


def test_only_the_attributes_the_profile_sets_count() -> None:
    just_industry = IcpCriteria(industries=["software development"])

    assert score_lead(just_industry, ACME).score == 100
    assert score_lead(just_industry, ACME.model_copy(update={"industry": "retail"})).score == 0
    assert score_lead(IcpCriteria(), ACME).score == 0
    assert score_lead(ICP, None, None).score == 0  # nothing known, nothing earned
