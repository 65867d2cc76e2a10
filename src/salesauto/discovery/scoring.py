"""How well a lead fits an ideal customer profile: a 0–100 score with a reason per attribute.

Only the attributes the profile sets count, so a profile that names just industries still
scores 0–100. Ranges one step away from a wanted one (51-200 when 201-500 is wanted) earn half
their points: a near miss is worth more to a seller than a far one. Buying signals the profile
asks for (funding, hiring) count too, with the evidence found as their reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from salesauto.integrations.models import (
    EMPLOYEE_RANGES,
    REVENUE_RANGES,
    CompanyProfile,
    IcpCriteria,
    PersonProfile,
)

WEIGHTS = {
    "industry": 25,
    "employees": 15,
    "revenue": 10,
    "country": 10,
    "technologies": 15,
    "title": 15,
    "seniority": 10,
    "department": 5,
    "funding": 10,
    "hiring": 10,
}
SIGNAL_MISSING = {"funding": "no funding round found", "hiring": "no hiring signal found"}
# Explorium's job levels → Apollo's seniority words, the profile's vocabulary.
SENIORITY_SYNONYMS = {
    "vice president": "vp",
    "c-suite": "c_suite",
    "c suite": "c_suite",
    "senior non-managerial": "senior",
    "non-managerial": "entry",
    "senior manager": "manager",
}


class ScoreReason(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    attribute: str
    matched: bool
    points: float
    max_points: int = Field(alias="maxPoints")
    detail: str


class LeadScore(BaseModel):
    score: int = Field(ge=0, le=100)
    reasons: list[ScoreReason]


def _lower(values: Sequence[str]) -> set[str]:
    return {value.strip().lower() for value in values if value.strip()}


def _range_points(value: str | None, wanted: Sequence[str], scale: Sequence[str]) -> float:
    """1 for a wanted range, 0.5 for a neighbour of one, 0 otherwise."""
    if value is None or value not in scale:
        return 0.0
    if value in wanted:
        return 1.0
    position = scale.index(value)
    neighbours = {scale[i] for i in (position - 1, position + 1) if 0 <= i < len(scale)}
    return 0.5 if neighbours & set(wanted) else 0.0


def _seniority(value: str | None) -> str | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    return SENIORITY_SYNONYMS.get(lowered, lowered)


def score_lead(
    icp: IcpCriteria,
    company: CompanyProfile | None,
    person: PersonProfile | None = None,
    *,
    signals: Mapping[str, str | None] | None = None,
) -> LeadScore:
    """Score a company (and optionally a person there) against the profile.

    `signals` are the buying signals the profile asks for (`funding`, `hiring`), each with
    the evidence found for the company, or None when there is none.
    """
    reasons: list[ScoreReason] = []

    def add(attribute: str, fraction: float, detail: str) -> None:
        weight = WEIGHTS[attribute]
        reasons.append(
            ScoreReason(
                attribute=attribute,
                matched=fraction > 0,
                points=round(weight * fraction, 1),
                max_points=weight,
                detail=detail,
            )
        )

    if icp.industries:
        industry = company.industry if company else None
        hit = industry is not None and industry.lower() in _lower(icp.industries)
        add("industry", 1.0 if hit else 0.0, f"industry {industry or 'unknown'}")
    if icp.employee_ranges:
        size = company.employee_range if company else None
        add(
            "employees",
            _range_points(size, icp.employee_ranges, EMPLOYEE_RANGES),
            f"{size or 'unknown'} employees",
        )
    if icp.revenue_ranges:
        revenue = company.revenue_range if company else None
        add(
            "revenue",
            _range_points(revenue, icp.revenue_ranges, REVENUE_RANGES),
            f"revenue {revenue or 'unknown'}",
        )
    if icp.countries:
        country = (company.country_code or "").lower() if company else ""
        add(
            "country",
            1.0 if country in _lower(icp.countries) else 0.0,
            f"country {country or 'unknown'}",
        )
    if icp.technologies:
        used = _lower(company.technologies) if company else set()
        matched = sorted(_lower(icp.technologies) & used)
        fraction = 0.5 + 0.5 * len(matched) / len(_lower(icp.technologies)) if matched else 0.0
        add(
            "technologies",
            fraction,
            f"uses {', '.join(matched)}" if matched else "uses none of the wanted technologies",
        )
    if icp.titles:
        title = (person.title or "") if person else ""
        hit = any(wanted in title.lower() for wanted in _lower(icp.titles))
        add("title", 1.0 if hit else 0.0, f"title {title or 'unknown'}")
    if icp.seniorities:
        seniority = _seniority(person.seniority) if person else None
        wanted = {_seniority(s) for s in icp.seniorities}
        add("seniority", 1.0 if seniority in wanted else 0.0, f"seniority {seniority or 'unknown'}")
    if icp.departments:
        department = (person.department or "").lower() if person else ""
        add(
            "department",
            1.0 if department in _lower(icp.departments) else 0.0,
            f"department {department or 'unknown'}",
        )

    for signal, evidence in (signals or {}).items():
        add(signal, 1.0 if evidence else 0.0, evidence or SIGNAL_MISSING[signal])

    possible = sum(reason.max_points for reason in reasons)
    earned = sum(reason.points for reason in reasons)
    return LeadScore(score=round(100 * earned / possible) if possible else 0, reasons=reasons)
