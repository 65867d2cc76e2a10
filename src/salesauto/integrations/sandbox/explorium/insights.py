"""The rest of Explorium's business enrichments, rendered from the universe in three families.

Each value derives from the company's own facts (size, revenue, people, technologies, keywords)
plus a `Random` seeded by the kind and the business id, so a company always answers the same.
Fields follow Explorium's output schemas, kept small: a few representative fields per kind.
List-shaped kinds (posts, website changes, lookalikes) answer a list of rows, as Explorium does.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from salesauto.integrations.sandbox.universe import REFERENCE_DAY, Company, Person, Universe

Renderer = Callable[[Company], Any]
# Universe departments → Explorium's workforce role groups.
ROLE_GROUPS = {
    "sales": "sales", "marketing": "marketing", "engineering": "engineering",
    "operations": "operations", "finance": "finance", "human resources": "hr",
    "customer service": "customer_service", "information technology": "engineering",
    "product": "design", "executive": "operations",
}  # fmt: skip


def _rng(kind: str, key: str) -> random.Random:
    return random.Random(f"{kind}:{key}")


def _filing(company: Company, kind: str) -> dict[str, Any]:
    """The 10-K envelope every `pc_*_10k` kind shares (sandbox filings are fictitious)."""
    cik = str(int(company.business_id[:8], 16) % 10_000_000).zfill(10)
    day = 1 + _rng(kind, cik).randrange(27)
    return {
        "company_name": company.name,
        "cik": cik,
        "ticker": None,
        "form_type": "10-K",
        "filed_at": f"{REFERENCE_DAY.year - 1}-03-{day:02d}T16:05:00-05:00",
        "link_to_filing_details": f"https://sec.sandbox.invalid/{cik}/index.html",
    }


# --- metrics: numbers derived from size, revenue and people -----------------------------------


def workforce_trends(company: Company) -> dict[str, Any]:
    counts = Counter(ROLE_GROUPS.get(p.department, "operations") for p in company.people)
    total = sum(counts.values()) or 1
    rng = _rng("workforce_trends", company.business_id)
    data: dict[str, Any] = {
        "profiles_found_per_quarter": company.employees,
        "quarters": f"{REFERENCE_DAY.replace(day=1).isoformat()}",
    }
    for group in sorted(set(ROLE_GROUPS.values())):
        data[f"perc_{group}_roles"] = round(100 * counts[group] / total)
        data[f"change_in_{group}_roles"] = rng.randint(-8, 15)
    return data


def financial_indicators(company: Company) -> dict[str, Any]:
    rng = _rng("financial_indicators", company.business_id)
    revenue = company.annual_revenue_usd
    return {
        "revenue_yearly": revenue,
        "cagr": round(rng.uniform(-0.05, 0.45), 3),
        "ebitda": round(revenue * rng.uniform(-0.15, 0.3)),
        "working_capital": round(revenue * rng.uniform(0.05, 0.4)),
        "price_earnings_ratio": None,  # private in the sandbox: no share price
        "peer_companies": [],
    }


def company_ratings_by_employees(company: Company) -> dict[str, Any]:
    rng = _rng("ratings", company.business_id)
    reviews = max(3, company.employees // rng.randint(8, 20))
    return {
        "company_name": company.name,
        "company_url": company.website,
        "company_country": company.country,
        "total_reviews_count": reviews,
        "ratings_all_reviews_count": reviews,
        "ratings_recommend_to_friend": rng.randint(55, 95),
        "ratings_ceo_approval": rng.randint(50, 98),
        "ratings_business_outlook": rng.randint(40, 90),
        "experience_positive": rng.randint(40, 75),
    }


def website_traffic(company: Company) -> dict[str, Any]:
    rng = _rng("website_traffic", company.business_id)
    visits = company.employees * rng.randint(20, 120)
    return {
        "target": company.domain,
        "month_period": (REFERENCE_DAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
        "visits": visits,
        "users": round(visits * 0.7),
        "bounce_rate": round(rng.uniform(0.3, 0.7), 2),
        "pages_per_visit": round(rng.uniform(1.5, 5.0), 1),
        "time_on_site": rng.randint(40, 400),
        "desktop_share": round(rng.uniform(0.5, 0.85), 2),
        "search": round(visits * 0.45),
        "direct": round(visits * 0.35),
        "social": round(visits * 0.1),
    }


def company_hierarchies(company: Company) -> dict[str, Any]:
    """Sandbox companies are independent: each is its own ultimate parent."""
    return {
        "input_company_id": company.business_id,
        "input_company_name": company.name,
        "parent_company_id": None,
        "parent_company": None,
        "ultimate_parent_id": company.business_id,
        "ultimate_parent_name": company.name,
        "subsidiaries": [],
    }


# --- web and intent: from keywords, technologies and recent events ------------------------------


def company_website_keywords(company: Company) -> dict[str, Any]:
    return {
        "url": company.website,
        "keywords_indicator": bool(company.keywords),
        "text_results": [
            {"url": f"{company.website}/", "text": f"{company.name} — {word}", "rank": rank}
            for rank, word in enumerate(company.keywords, start=1)
        ],
    }


def website_changes(company: Company) -> list[dict[str, Any]]:
    return [
        {
            "url": f"{company.website}/news",
            "date": event.day.isoformat(),
            "change_description": f"Announcement added: {event.type.replace('_', ' ')}",
            "change_implication": "Signals momentum worth a timely, specific opener.",
        }
        for event in company.events[:3]
    ]


def webstack(company: Company) -> dict[str, Any]:
    rng = _rng("webstack", company.business_id)
    return {
        "technologies_used_by_company_website": list(company.technologies),
        "technologies_categories": sorted(company.tech_categories),
        "live_techs": bool(company.technologies),
        "number_of_premium_technologies": len(company.technologies) // 2,
        "money_spend_on_website_technologies": rng.randint(1, 40) * 100,
        "ecommerce": "ecommerce" in company.tech_categories,
        "company_vertical": company.industry,
    }


def bombora_intent(company: Company) -> dict[str, Any]:
    rng = _rng("bombora", company.business_id)
    scores = {word: rng.randint(20, 95) for word in company.keywords}
    topics = [
        {"topic_name": word.title(), "category": company.industry, "composite_score": score}
        for word, score in scores.items()
    ]
    strong = sum(1 for score in scores.values() if score > 60)
    return {
        "company_name": company.name,
        "company_website": company.domain,
        "date_stamp": REFERENCE_DAY.strftime("%Y%m%d"),
        "intent_topics": topics,
        "topic_count": f"{strong}/{len(topics)}",
        "level_of_intent": round(strong / len(topics), 2) if topics else 0,
    }


def linkedin_posts(company: Company) -> list[dict[str, Any]]:
    return [
        _post(f"{company.linkedin_url}/posts/{number}", text, days, company.business_id)
        for number, (text, days) in enumerate(
            [
                (f"{company.name} is hiring! Join us to build {company.keywords[0]}.", 6),
                (f"How {company.name} helps {company.industry} teams move faster.", 23),
            ]
        )
    ]


def _post(url: str, text: str, days: int, key: str) -> dict[str, Any]:
    rng = _rng("post", url + key)
    return {
        "post_text": text,
        "post_url": url,
        "days_since_posted": days,
        "created_at": (REFERENCE_DAY - timedelta(days=days)).isoformat(),
        "number_of_likes": rng.randint(3, 400),
        "number_of_comments": rng.randint(0, 40),
    }


def lookalikes(universe: Universe) -> Renderer:
    """Up to 5 companies of the same industry and size band (closest revenue first)."""

    def render(company: Company) -> list[dict[str, Any]]:
        peers = [
            c
            for c in universe.companies
            if c.industry == company.industry
            and c.employee_range == company.employee_range
            and c.business_id != company.business_id
        ]
        peers.sort(key=lambda c: abs(c.annual_revenue_usd - company.annual_revenue_usd))
        return [
            {
                "comparable_business_id": company.business_id,
                "lookalike_business_id": peer.business_id,
                "lookalike_business_name": peer.name,
                "lookalike_website": peer.website,
                "lookalike_number_of_employees_range": peer.employee_range,
                "lookalike_revenue_range": peer.revenue_range,
                "lookalike_country_location": peer.country,
                "similarity_score": round(0.99 - rank * 0.005, 3),
            }
            for rank, peer in enumerate(peers[:5])
        ]

    return render


# --- 10-K insights: text from the industry and keywords ------------------------------------------


def pc_business_challenges_10k(company: Company) -> dict[str, Any]:
    return {
        **_filing(company, "challenges"),
        "company_competition": f"Crowded {company.industry} market with well-funded rivals.",
        "company_market_saturation": f"Core {company.keywords[0]} buyers are largely served.",
        "technological_disruption": "AI-native entrants compress product cycles.",
        "company_customer_adoption": "Longer evaluations as buyers consolidate vendors.",
    }


def pc_competitive_landscape_10k(company: Company) -> dict[str, Any]:
    peers = lookalikes_names(company)
    return {
        **_filing(company, "landscape"),
        "key_competitors": peers,
        "competitive_differentiation": f"Depth in {', '.join(company.keywords[:2])}.",
    }


def lookalikes_names(company: Company) -> list[str]:
    """Three invented competitor names (the filing names rivals, not universe companies)."""
    rng = _rng("competitors", company.business_id)
    stems = ("North", "Blue", "Bright", "Core", "Peak", "Vertex", "Nimbus", "Atlas")
    return [f"{stem} {company.keywords[0].title()}" for stem in rng.sample(stems, 3)]


def pc_strategy_10k(company: Company) -> dict[str, Any]:
    return {
        **_filing(company, "strategy"),
        "company_focus": f"Grow share in {company.industry} through {company.keywords[0]}.",
        "target_market": f"Mid-market and enterprise teams in {company.country}.",
        "company_value_proposition": company.description,
        "company_partnerships": "Channel partnerships with regional resellers.",
        "company_product_development": "Invest in automation and integrations.",
        "company_marketing_sales": "Product-led acquisition with a sales-assist motion.",
    }


def more_business_enrichments(universe: Universe) -> dict[str, Renderer]:
    """The 14 kinds beyond firmographics, technographics and funding."""
    return {
        "workforce_trends": workforce_trends,
        "financial_indicators": financial_indicators,
        "company_hierarchies": company_hierarchies,
        "company_ratings_by_employees": company_ratings_by_employees,
        "company_website_keywords": company_website_keywords,
        "website_changes": website_changes,
        "website_traffic": website_traffic,
        "webstack": webstack,
        "bombora_intent": bombora_intent,
        "linkedin_posts": linkedin_posts,
        "lookalikes": lookalikes(universe),
        "pc_business_challenges_10k": pc_business_challenges_10k,
        "pc_competitive_landscape_10k": pc_competitive_landscape_10k,
        "pc_strategy_10k": pc_strategy_10k,
    }


def prospect_linkedin_posts(person: Person) -> list[dict[str, Any]]:
    """Two recent posts of a prospect, about their role and their company."""
    base = person.linkedin_url.rstrip("/")
    return [
        _post(f"{base}/recent-activity/1", f"Proud of what the {person.company.name} "
              f"{person.department} team shipped this quarter.", 4, person.prospect_id),
        _post(f"{base}/recent-activity/2", f"What I learned in {person.months_in_role} months "
              f"as {person.title}.", 31, person.prospect_id),
    ]  # fmt: skip
