"""The synthetic universe: big enough, varied, consistent and the same for the same seed."""

from __future__ import annotations

from collections import Counter

from salesauto.integrations.models import EMPLOYEE_RANGES, REVENUE_RANGES
from salesauto.integrations.sandbox.universe import universe


def test_universe_is_large_varied_and_consistent() -> None:
    world = universe(42)

    assert len(world.companies) >= 5000 and len(world.people) >= 50000
    assert len(world.by_domain) == len(world.companies)  # domains are unique identities
    assert len(world.by_email) == len(world.people)  # so are emails
    assert len(Counter(c.industry for c in world.companies)) >= 15
    assert len(Counter(c.country_code for c in world.companies)) >= 10
    assert {c.employee_range for c in world.companies} == set(EMPLOYEE_RANGES)
    assert {c.revenue_range for c in world.companies} <= set(REVENUE_RANGES)
    assert len({t for c in world.companies for t in c.technologies}) >= 40
    assert sum(1 for c in world.companies if c.funding) > 500
    assert sum(1 for c in world.companies if c.events) > 1000
    assert len({p.title for p in world.people}) >= 60
    assert {p.seniority for p in world.people} >= {
        "founder",
        "c_suite",
        "vp",
        "director",
        "manager",
        "senior",
        "entry",
    }
    for company in world.companies[:200]:
        assert (
            company.people[0].title.endswith("CEO") or "Chief Executive" in company.people[0].title
        )
        assert all(p.email.endswith("@" + company.domain) for p in company.people)
        assert all(p.company is company for p in company.people)
        assert len(company.business_id) == 32 and len(company.people[0].prospect_id) == 40


def test_same_seed_same_universe_other_seed_other_universe() -> None:
    first, again, other = universe(42), universe(42, 5000), universe(7)

    def fingerprint(world: object) -> list[tuple[str, str, str, str]]:
        companies = world.companies[:50]  # type: ignore[attr-defined]
        return [(c.domain, c.industry, c.revenue_range, c.people[-1].email) for c in companies]

    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)
