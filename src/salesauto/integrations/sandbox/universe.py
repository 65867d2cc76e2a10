"""A deterministic synthetic universe of companies and people the emulators search and enrich.

`universe(seed)` always yields the same 5,000 companies and ~56,000 people for a seed, on any
machine: discovery by ICP and enrichment return plausible, varied, reproducible data.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from salesauto.integrations.models import REVENUE_RANGES
from salesauto.integrations.sandbox import vocabulary as v
from salesauto.integrations.sandbox import vocabulary_people as pv

# Dates are relative to a fixed day, not "today", so the universe never drifts.
REFERENCE_DAY = date(2026, 10, 1)
COMPANY_COUNT = 5000


@dataclass(frozen=True)
class FundingRoundFact:
    stage: str
    day: date
    amount_usd: int
    investors: tuple[str, ...]


@dataclass(frozen=True)
class CompanyEvent:
    event_id: str
    type: str
    day: date
    data: dict[str, object]


@dataclass
class Company:
    index: int
    business_id: str  # Explorium: 32 lowercase hex
    apollo_id: str  # Apollo: 24 hex
    name: str
    domain: str
    industry: str
    naics: str
    employee_range: str
    employees: int
    revenue_range: str
    annual_revenue_usd: int
    country_code: str
    country: str
    region: str
    city: str
    founded_year: int
    technologies: tuple[str, ...]
    tech_categories: dict[str, tuple[str, ...]]
    funding: tuple[FundingRoundFact, ...]
    events: tuple[CompanyEvent, ...]
    keywords: tuple[str, ...]
    description: str
    phone: str
    people: list[Person] = field(default_factory=list)

    @property
    def website(self) -> str:
        return f"https://www.{self.domain}"

    @property
    def linkedin_url(self) -> str:
        return f"https://www.linkedin.com/company/{self.domain.split('.')[0]}"

    @property
    def funding_total_usd(self) -> int:
        return sum(round_.amount_usd for round_ in self.funding)

    @property
    def age_years(self) -> int:
        return REFERENCE_DAY.year - self.founded_year


@dataclass
class Person:
    index: int
    prospect_id: str  # Explorium: 40 lowercase hex
    apollo_id: str
    first_name: str
    last_name: str
    email: str
    email_status: str  # verified | unverified | catch-all | invalid
    title: str
    seniority: str
    department: str
    phone: str | None
    linkedin_url: str
    company: Company
    months_in_role: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Universe:
    seed: int
    companies: list[Company]
    by_domain: dict[str, Company]
    by_business_id: dict[str, Company]
    by_apollo_org: dict[str, Company]
    people: list[Person]
    by_email: dict[str, Person]
    by_prospect_id: dict[str, Person]
    by_apollo_person: dict[str, Person]

    def company_for(self, domain: str | None) -> Company | None:
        if not domain:
            return None
        return self.by_domain.get(normalise_domain(domain))


def normalise_domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split("?", 1)[0]
    return value.removeprefix("www.")


def _hex(seed: int, kind: str, index: int, length: int) -> str:
    return hashlib.sha1(f"{seed}:{kind}:{index}".encode()).hexdigest()[:length]


def _pick_weighted(
    rng: random.Random, options: tuple[str, ...] | list[str], weights: tuple[int, ...] | list[int]
) -> str:
    return rng.choices(list(options), weights=list(weights), k=1)[0]


def _revenue_range(revenue: int) -> str:
    bounds = (
        500_000,
        1_000_000,
        5_000_000,
        10_000_000,
        25_000_000,
        75_000_000,
        200_000_000,
        500_000_000,
        1_000_000_000,
        10_000_000_000,
        100_000_000_000,
    )
    for bound, label in zip(bounds, REVENUE_RANGES, strict=False):
        if revenue < bound:
            return label
    return "100B-1T"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _build_company(seed: int, index: int, rng: random.Random, taken: set[str]) -> Company:
    industries = tuple(v.INDUSTRIES)
    industry = _pick_weighted(rng, industries, v.INDUSTRY_WEIGHTS)
    naics, revenue_per_head, affinities, words = v.INDUSTRIES[industry]
    country_code = _pick_weighted(rng, tuple(v.COUNTRIES), [c[1] for c in v.COUNTRIES.values()])
    country, _weight, cities = v.COUNTRIES[country_code]
    city, region = rng.choice(cities)
    size = _pick_weighted(rng, tuple(v.SIZES), [s[0] for s in v.SIZES.values()])
    _w, low, high, _people = v.SIZES[size]
    employees = rng.randint(low, high)
    revenue = int(employees * revenue_per_head * rng.uniform(0.6, 1.5))
    stem = rng.choice(v.NAME_STEMS)
    word = rng.choice(words)
    name = f"{stem} {word}"
    tld = v.COUNTRY_TLD.get(country_code, "com")
    if industry == "software development" and rng.random() < 0.4:
        tld = "io"
    domain = f"{_slug(stem)}{_slug(word)}.{tld}"
    suffix = 2
    while domain in taken:
        domain = f"{_slug(stem)}{_slug(word)}{suffix}.{tld}"
        name = f"{stem} {word} {suffix}" if suffix > 2 else f"{stem} {word} Group"
        suffix += 1
    taken.add(domain)
    founded = REFERENCE_DAY.year - min(int(rng.expovariate(1 / 12)) + 1, 80)
    categories: dict[str, tuple[str, ...]] = {}
    preferred = set(affinities) | {"collaboration", "crm"}
    for category, tools in v.TECHNOLOGIES.items():
        chance = 0.8 if category in preferred else 0.25
        if rng.random() < chance:
            categories[category] = tuple(rng.sample(tools, k=rng.randint(1, min(3, len(tools)))))
    technologies = tuple(t for tools in categories.values() for t in tools)
    funding = _funding(rng, founded, employees, industry)
    events = _events(seed, index, rng, funding)
    keywords = (industry, word.lower(), *(c for c in categories if c in affinities))
    description = (
        f"{name} is a {size.replace('+', ' plus')} employee {industry} company based in "
        f"{city.title()}, {country.title()}, founded in {founded}."
    )
    prefix = v.PHONE_PREFIX[country_code]
    return Company(
        index=index,
        business_id=_hex(seed, "business", index, 32),
        apollo_id=_hex(seed, "apollo-org", index, 24),
        name=name,
        domain=domain,
        industry=industry,
        naics=naics,
        employee_range=size,
        employees=employees,
        revenue_range=_revenue_range(revenue),
        annual_revenue_usd=revenue,
        country_code=country_code,
        country=country,
        region=region,
        city=city,
        founded_year=founded,
        technologies=technologies,
        tech_categories=categories,
        funding=funding,
        events=events,
        keywords=keywords,
        description=description,
        phone=f"{prefix} {rng.randint(200, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
    )


def _funding(
    rng: random.Random, founded: int, employees: int, industry: str
) -> tuple[FundingRoundFact, ...]:
    venture = industry in (
        "software development",
        "computer and network security",
        "biotechnology research",
        "financial services",
        "e-learning providers",
    )
    if rng.random() > (0.6 if venture else 0.15):
        return ()
    rounds = min(1 + employees // 120 + rng.randint(0, 1), len(v.FUNDING_STAGES))
    day = date(founded, 1, 1) + timedelta(days=rng.randint(90, 700))
    facts = []
    for stage, low, high in v.FUNDING_STAGES[:rounds]:
        if day > REFERENCE_DAY:
            break
        facts.append(
            FundingRoundFact(
                stage,
                day,
                rng.randrange(low, high, 250_000),
                tuple(rng.sample(v.INVESTORS, k=rng.randint(1, 3))),
            )
        )
        day += timedelta(days=rng.randint(300, 800))
    return tuple(facts)


def _events(
    seed: int, index: int, rng: random.Random, funding: tuple[FundingRoundFact, ...]
) -> tuple[CompanyEvent, ...]:
    events: list[CompanyEvent] = []
    for number, round_ in enumerate(funding):
        if (REFERENCE_DAY - round_.day).days <= 365:
            events.append(
                CompanyEvent(
                    _hex(seed, f"event-{index}", number, 32),
                    "new_funding_round",
                    round_.day,
                    {
                        "funding_round": round_.stage,
                        "amount_usd": round_.amount_usd,
                        "investors": list(round_.investors),
                    },
                )
            )
    for number in range(rng.choice((0, 0, 1, 1, 2, 3))):
        kind = rng.choice(v.EVENT_TYPES[1:])
        day = REFERENCE_DAY - timedelta(days=rng.randint(1, 180))
        events.append(
            CompanyEvent(
                _hex(seed, f"event-{index}", 100 + number, 32), kind, day, {"event_name": kind}
            )
        )
    return tuple(sorted(events, key=lambda event: event.day, reverse=True))


def _build_people(seed: int, company: Company, rng: random.Random, start: int) -> list[Person]:
    count = v.SIZES[company.employee_range][3]
    pattern = rng.choice(("first.last", "first", "flast", "firstl", "first_last"))
    catch_all = rng.random() < 0.1
    people: list[Person] = []
    used: set[str] = set()
    executives = list(pv.C_SUITE)
    rng.shuffle(executives)
    executives.insert(0, pv.C_SUITE[0])  # every company has a CEO, listed first
    for offset in range(count):
        first, last = rng.choice(pv.FIRST_NAMES), rng.choice(pv.LAST_NAMES)
        if offset < 1 + count // 6:
            title, short = executives[offset] if offset < len(executives) else executives[0]
            department = pv.C_SUITE_DEPARTMENT[short]
            seniority = "founder" if offset == 0 and company.employees <= 200 else "c_suite"
            if seniority == "founder":
                title = f"Founder & {short}"
        else:
            department = _pick_weighted(rng, tuple(pv.DEPARTMENTS), pv.DEPARTMENT_WEIGHTS)
            seniority = _pick_weighted(
                rng, tuple(pv.SENIORITY_WEIGHTS), tuple(pv.SENIORITY_WEIGHTS.values())
            )
            title = _title(rng, department, seniority)
        local = _local_part(pattern, first, last)
        while local in used:
            local = f"{local}{rng.randint(2, 99)}"
        used.add(local)
        email = f"{local}@{company.domain}"
        status = (
            "catch-all"
            if catch_all
            else _pick_weighted(rng, ("verified", "unverified", "invalid"), (82, 13, 5))
        )
        index = start + offset
        prefix = v.PHONE_PREFIX[company.country_code]
        people.append(
            Person(
                index=index,
                prospect_id=_hex(seed, "prospect", index, 40),
                apollo_id=_hex(seed, "apollo-person", index, 24),
                first_name=first,
                last_name=last,
                email=email,
                email_status=status,
                title=title,
                seniority=seniority,
                department=department,
                phone=(
                    f"{prefix} {rng.randint(200, 999)} {rng.randint(100, 999)} "
                    f"{rng.randint(1000, 9999)}"
                )
                if rng.random() < 0.55
                else None,
                linkedin_url=f"https://www.linkedin.com/in/{_slug(first)}-{_slug(last)}-"
                f"{_hex(seed, 'li', index, 6)}",
                company=company,
                months_in_role=rng.randint(1, 96),
            )
        )
    return people


def _title(rng: random.Random, department: str, seniority: str) -> str:
    stem, individual = pv.DEPARTMENTS[department]
    if seniority == "vp":
        return rng.choice((f"VP of {stem}", f"Vice President, {stem}"))
    if seniority == "head":
        return f"Head of {stem}"
    if seniority == "director":
        return rng.choice((f"Director of {stem}", f"{stem} Director"))
    if seniority == "manager":
        return f"{stem} Manager"
    if seniority == "senior":
        return f"Senior {rng.choice(individual)}".replace("Senior Senior", "Staff")
    if seniority == "intern":
        return f"{stem} Intern"
    return rng.choice(individual)


def _local_part(pattern: str, first: str, last: str) -> str:
    first_s, last_s = _slug(first), _slug(last)
    return {
        "first.last": f"{first_s}.{last_s}",
        "first": first_s,
        "flast": f"{first_s[0]}{last_s}",
        "firstl": f"{first_s}{last_s[0]}",
        "first_last": f"{first_s}_{last_s}",
    }[pattern]


@lru_cache(maxsize=4)
def universe(seed: int = 42, companies: int = COMPANY_COUNT) -> Universe:
    """The synthetic universe for `seed` (built once per process, ~1 s)."""
    rng = random.Random(seed)
    taken: set[str] = set()
    built = [_build_company(seed, index, rng, taken) for index in range(companies)]
    people: list[Person] = []
    for company in built:
        company.people = _build_people(
            seed, company, random.Random(f"{seed}:{company.index}"), len(people)
        )
        people.extend(company.people)
    return Universe(
        seed=seed,
        companies=built,
        by_domain={c.domain: c for c in built},
        by_business_id={c.business_id: c for c in built},
        by_apollo_org={c.apollo_id: c for c in built},
        people=people,
        by_email={p.email: p for p in people},
        by_prospect_id={p.prospect_id: p for p in people},
        by_apollo_person={p.apollo_id: p for p in people},
    )
