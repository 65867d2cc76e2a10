"""The ICP profile and the discover request: what they accept, what they refuse and why."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from salesauto.discovery.profile import DiscoverRequest, FundingSignal, IcpProfile


def _error(**body: object) -> str:
    with pytest.raises(ValidationError) as caught:
        IcpProfile.model_validate(body)
    return str(caught.value)


def test_a_profile_in_camel_case_becomes_provider_criteria() -> None:
    profile = IcpProfile.model_validate(
        {
            "industries": ["Software Development", "software development"],
            "employeeRanges": ["51-200"],
            "revenueRanges": ["10M-25M"],
            "countries": ["US", "de"],
            "technologies": ["Salesforce"],
            "titles": ["VP Sales"],
            "seniorities": ["VP"],
            "departments": ["Sales"],
            "keywords": ["payments"],
            "signals": {"funding": {"withinMonths": 6}, "hiring": True},
            "exclusions": {"domains": ["https://www.Rival.com/about"], "countries": ["CN"]},
        }
    )

    criteria = profile.criteria("fintech, B2B;  ")

    assert criteria.industries == ["software development"]
    assert criteria.countries == ["us", "de"]
    assert criteria.seniorities == ["vp"]
    assert criteria.departments == ["sales"]
    assert criteria.keywords == ["payments", "fintech", "B2B"]
    assert profile.signals.funding == FundingSignal(within_months=6)
    assert profile.exclusions.domains == ["rival.com"]
    assert profile.exclusions.countries == ["cn"]


def test_a_misspelt_range_is_refused_with_the_accepted_values() -> None:
    message = _error(employeeRanges=["50-200"])

    assert "unknown employee range '50-200'" in message
    assert "1-10, 11-50, 51-200" in message
    assert "unknown revenue range '10-25M'" in _error(revenueRanges=["10-25M"])
    assert "unknown seniority 'boss'" in _error(seniorities=["boss"])


def test_countries_must_be_iso_2_codes() -> None:
    assert "'usa' not ISO-2 country codes" in _error(countries=["usa"])
    assert "not ISO-2" in _error(exclusions={"countries": ["Germany"]})


def test_unknown_fields_are_refused_not_ignored() -> None:
    assert "extra_forbidden" in _error(industry=["software development"])
    assert "extra_forbidden" in _error(signals={"funding": True, "ipo": True})
    assert "extra_forbidden" in _error(exclusions={"emails": ["a@b.com"]})


def test_an_excluded_domain_must_be_a_domain() -> None:
    assert "'Acme Inc' is not a domain" in _error(exclusions={"domains": ["Acme Inc"]})


def test_a_discover_request_needs_something_to_search_by() -> None:
    with pytest.raises(ValidationError, match="give a query or at least one criterion"):
        DiscoverRequest.model_validate({"icpProfile": {}, "count": 10})
    with pytest.raises(ValidationError, match="less than or equal to 1000"):
        DiscoverRequest.model_validate({"query": "fintech", "count": 5000})
    with pytest.raises(ValidationError, match=r"Input should be 'explorium' or 'apollo'"):
        DiscoverRequest.model_validate({"query": "fintech", "providers": ["clearbit"]})


def test_a_discover_request_gives_the_job_its_parameters() -> None:
    request = DiscoverRequest.model_validate(
        {
            "query": "fintech",
            "icpProfile": {"countries": ["GB"], "signals": {"hiring": True}},
            "count": 20,
            "providers": ["apollo", "apollo"],
            "autoEnrich": False,
        }
    )

    parameters = request.job_parameters({"enrich": False})

    assert parameters["providers"] == ["apollo"]
    assert parameters["count"] == 20
    assert parameters["icp"]["countries"] == ["gb"]
    assert parameters["icp"]["signals"] == {"funding": False, "hiring": True}
    assert IcpProfile.model_validate(parameters["icp"]) == request.icp_profile
    assert request.auto_enrich is False
