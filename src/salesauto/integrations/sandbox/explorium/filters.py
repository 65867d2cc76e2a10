"""Explorium fetch filters applied to the universe: every filter must hold (AND), any value of
one filter may (OR), and `negate` inverts a filter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from salesauto.integrations.sandbox.explorium.render import tech_category
from salesauto.integrations.sandbox.explorium.schemas import BusinessFilters, ProspectFilters
from salesauto.integrations.sandbox.universe import REFERENCE_DAY, Company, Person
from salesauto.integrations.sandbox.vocabulary_people import EXPLORIUM_JOB_LEVEL

Item = TypeVar("Item", Company, Person)
Test = Callable[[Item], bool]

_AGE_BOUNDS = {"0-3": (0, 3), "3-6": (3, 6), "6-10": (6, 10), "10-20": (10, 20), "20+": (20, 999)}


def _norm(text: str) -> str:
    return text.strip().lower().replace("_", " ")


def _negated(negate: bool, test: Callable[[Item], bool]) -> Callable[[Item], bool]:
    if negate:
        return lambda item: not test(item)
    return test


def _equals_any(
    values: Sequence[str], negate: bool, field: Callable[[Item], str | Sequence[str]]
) -> Callable[[Item], bool]:
    """Any wanted value equals the field (or one of its items), case-insensitively."""
    wanted = {_norm(value) for value in values}

    def test(item: Item) -> bool:
        have = field(item)
        present = {_norm(have)} if isinstance(have, str) else {_norm(entry) for entry in have}
        return not wanted.isdisjoint(present)

    return _negated(negate, test)


def _contains_any(
    values: Sequence[str], negate: bool, field: Callable[[Item], str]
) -> Callable[[Item], bool]:
    """Any wanted value occurs inside the field's text, case-insensitively."""
    wanted = [value.strip().lower() for value in values]

    def test(item: Item) -> bool:
        text = field(item).lower()
        return any(value in text for value in wanted)

    return _negated(negate, test)


def _age_in(values: Sequence[str]) -> Callable[[Company], bool]:
    bounds = [_AGE_BOUNDS[value] for value in values]
    return lambda company: any(low <= company.age_years < high for low, high in bounds)


def _recent_event(types: Sequence[str], last_days: int) -> Callable[[Company], bool]:
    since = REFERENCE_DAY - timedelta(days=last_days)
    return lambda company: any(e.type in types and e.day >= since for e in company.events)


def _keywords_or_description(values: Sequence[str]) -> Callable[[Company], bool]:
    def keywords(company: Company) -> Sequence[str]:
        return company.keywords

    def description(company: Company) -> str:
        return company.description

    in_keywords = _equals_any(values, False, keywords)
    in_description = _contains_any(values, False, description)
    return lambda company: in_keywords(company) or in_description(company)


def company_tests(filters: BusinessFilters) -> list[Callable[[Company], bool]]:
    """One predicate per filter present in the request."""
    f = filters
    tests: list[Callable[[Company], bool]] = []
    if f.country_code:
        tests.append(
            _equals_any(f.country_code.values, f.country_code.negate, lambda c: c.country_code)
        )
    if f.company_size:
        tests.append(
            _equals_any(f.company_size.values, f.company_size.negate, lambda c: c.employee_range)
        )
    if f.company_revenue:
        tests.append(
            _equals_any(
                f.company_revenue.values, f.company_revenue.negate, lambda c: c.revenue_range
            )
        )
    if f.company_age:
        tests.append(_negated(f.company_age.negate, _age_in(f.company_age.values)))
    if f.naics_category:
        prefixes = tuple(value.strip() for value in f.naics_category.values)
        tests.append(_negated(f.naics_category.negate, lambda c: c.naics.startswith(prefixes)))
    for category in (f.linkedin_category, f.google_category):
        if category:
            tests.append(_equals_any(category.values, category.negate, lambda c: c.industry))
    if f.company_tech_stack_category:
        spec = f.company_tech_stack_category
        tests.append(
            _equals_any(
                spec.values, spec.negate, lambda c: [tech_category(k) for k in c.tech_categories]
            )
        )
    if f.company_tech_stack_tech:
        spec = f.company_tech_stack_tech
        tests.append(_equals_any(spec.values, spec.negate, lambda c: c.technologies))
    if f.company_name:
        tests.append(_contains_any(f.company_name.values, f.company_name.negate, lambda c: c.name))
    if f.website_keywords:
        spec = f.website_keywords
        tests.append(_negated(spec.negate, _keywords_or_description(spec.values)))
    if f.events:
        events = f.events
        tests.append(_negated(events.negate, _recent_event(events.values, events.last_occurrence)))
    if f.has_website:
        # Every synthetic company has a website.
        wanted = f.has_website.value
        tests.append(lambda _company: wanted)
    return tests


def _in_role(low: int | None, high: int | None) -> Callable[[Person], bool]:
    return lambda p: (
        (low is None or p.months_in_role >= low) and (high is None or p.months_in_role <= high)
    )


def person_tests(filters: ProspectFilters) -> list[Callable[[Person], bool]]:
    """One predicate per prospect filter present in the request."""
    f = filters
    tests: list[Callable[[Person], bool]] = []
    if f.job_level:
        tests.append(
            _equals_any(
                f.job_level.values, f.job_level.negate, lambda p: EXPLORIUM_JOB_LEVEL[p.seniority]
            )
        )
    if f.job_department:
        tests.append(
            _equals_any(f.job_department.values, f.job_department.negate, lambda p: p.department)
        )
    if f.job_title:
        tests.append(_contains_any(f.job_title.values, f.job_title.negate, lambda p: p.title))
    if f.business_id:
        tests.append(
            _equals_any(f.business_id.values, f.business_id.negate, lambda p: p.company.business_id)
        )
    if f.has_email:
        wanted_email = f.has_email.value
        tests.append(lambda p: (p.email_status != "invalid") == wanted_email)
    if f.has_phone_number:
        wanted_phone = f.has_phone_number.value
        tests.append(lambda p: (p.phone is not None) == wanted_phone)
    if f.current_role_months:
        tests.append(_in_role(f.current_role_months.gte, f.current_role_months.lte))
    for country in (f.company_country_code, f.country_code):
        if country:
            tests.append(
                _equals_any(country.values, country.negate, lambda p: p.company.country_code)
            )
    company_filters = BusinessFilters(
        company_size=f.company_size,
        company_revenue=f.company_revenue,
        company_name=f.company_name,
        linkedin_category=f.linkedin_category,
    )
    for company_test in company_tests(company_filters):
        tests.append(_of_company(company_test))
    return tests


def _of_company(test: Callable[[Company], bool]) -> Callable[[Person], bool]:
    return lambda person: test(person.company)
