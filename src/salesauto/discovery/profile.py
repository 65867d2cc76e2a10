"""The ideal customer profile a discovery searches by, and the `POST /api/discover` body.

Ranges and seniorities use the vocabulary of `integrations.models` (the one both providers are
mapped to), so a typo is refused with the list of accepted values instead of silently matching
nothing. Lists are "any of"; an empty list means "any".
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from salesauto.imports.cells import normalise_domain
from salesauto.integrations.models import (
    EMPLOYEE_RANGES,
    REVENUE_RANGES,
    SENIORITIES,
    IcpCriteria,
)
from salesauto.kit.schemas import ApiModel

ProviderName = Literal["explorium", "apollo"]
DEFAULT_PROVIDERS: tuple[ProviderName, ...] = ("explorium", "apollo")
MAX_LEADS = 1000
MAX_VALUES = 50

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Values = Annotated[list[Text], Field(max_length=MAX_VALUES)]
_ISO2 = re.compile(r"^[a-z]{2}$")
# Free-text queries are split into keywords at commas, semicolons and line breaks.
_QUERY_SEPARATORS = re.compile(r"[,;\n]+")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _lowered(values: list[str]) -> list[str]:
    return _unique([value.lower() for value in values])


def _one_of(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(repr(v) for v in unknown)}: use {', '.join(allowed)}"
        )
    return _unique(values)


def _countries(values: list[str]) -> list[str]:
    lowered = _lowered(values)
    wrong = [value for value in lowered if not _ISO2.match(value)]
    if wrong:
        raise ValueError(
            f"{', '.join(repr(v) for v in wrong)} not ISO-2 country codes (e.g. us, gb, de)"
        )
    return lowered


class FundingSignal(ApiModel):
    within_months: int = Field(
        ..., ge=1, le=120, description="A funding round announced in the last N months."
    )


class Signals(ApiModel):
    """Buying signals a company must show to be kept (absent or false: not required)."""

    funding: bool | FundingSignal = Field(
        False,
        description="`true`: the company has raised money (any known round); "
        "`{withinMonths: N}`: it announced a round in the last N months.",
    )
    hiring: bool = Field(
        False,
        description="The company showed a hiring event (hiring in, or growth of, a department) "
        "in the last six months (Explorium business events).",
    )

    @property
    def any_asked(self) -> bool:
        return bool(self.funding) or self.hiring


class Exclusions(ApiModel):
    """Companies and people never to propose, whatever else matches."""

    domains: Values = Field(
        default_factory=list, description="Company domains (and their subdomains)."
    )
    industries: Values = Field(default_factory=list)
    countries: Values = Field(default_factory=list, description="ISO-2 codes.")
    titles: Values = Field(
        default_factory=list, description="People whose title contains any of these words."
    )

    @field_validator("domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        found: list[str] = []
        for value in values:
            domain = normalise_domain(value)
            if domain is None:
                raise ValueError(f"{value!r} is not a domain (e.g. acme.com)")
            found.append(domain)
        return _unique(found)

    @field_validator("industries", "titles")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return _lowered(values)

    @field_validator("countries")
    @classmethod
    def _iso_countries(cls, values: list[str]) -> list[str]:
        return _countries(values)


class IcpProfile(ApiModel):
    """Who to find: the companies (firmographics, technologies, signals) and the people there."""

    industries: Values = Field(
        default_factory=list, description="LinkedIn categories, e.g. `software development`."
    )
    employee_ranges: Values = Field(
        default_factory=list, description=f"Any of {', '.join(EMPLOYEE_RANGES)}."
    )
    revenue_ranges: Values = Field(
        default_factory=list, description=f"Any of {', '.join(REVENUE_RANGES)}."
    )
    countries: Values = Field(default_factory=list, description="ISO-2 codes, e.g. `us`, `de`.")
    technologies: Values = Field(default_factory=list, description="e.g. `Salesforce`.")
    titles: Values = Field(
        default_factory=list, description="Job titles; a person's title must contain one."
    )
    seniorities: Values = Field(
        default_factory=list, description=f"Any of {', '.join(SENIORITIES)}."
    )
    departments: Values = Field(default_factory=list, description="e.g. `sales`, `engineering`.")
    keywords: Values = Field(default_factory=list, description="Words describing the companies.")
    signals: Signals = Field(default_factory=Signals)
    exclusions: Exclusions = Field(default_factory=Exclusions)

    @field_validator("employee_ranges")
    @classmethod
    def _employee_ranges(cls, values: list[str]) -> list[str]:
        return _one_of(values, EMPLOYEE_RANGES, "employee range")

    @field_validator("revenue_ranges")
    @classmethod
    def _revenue_ranges(cls, values: list[str]) -> list[str]:
        return _one_of(values, REVENUE_RANGES, "revenue range")

    @field_validator("seniorities")
    @classmethod
    def _seniorities(cls, values: list[str]) -> list[str]:
        return _one_of(_lowered(values), SENIORITIES, "seniority")

    @field_validator("countries")
    @classmethod
    def _iso_countries(cls, values: list[str]) -> list[str]:
        return _countries(values)

    @field_validator("industries", "departments")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return _lowered(values)

    @field_validator("technologies", "titles", "keywords")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return _unique(values)

    def criteria(self, query: str | None = None) -> IcpCriteria:
        """The provider-facing criteria; `query` joins the keywords (split at commas)."""
        words = [part.strip() for part in _QUERY_SEPARATORS.split(query or "") if part.strip()]
        return IcpCriteria(
            industries=self.industries,
            countries=self.countries,
            employee_ranges=self.employee_ranges,
            revenue_ranges=self.revenue_ranges,
            technologies=self.technologies,
            titles=self.titles,
            seniorities=self.seniorities,
            departments=self.departments,
            keywords=_unique([*self.keywords, *words]),
        )


def has_criteria(icp: IcpProfile, query: str | None) -> bool:
    """Whether anything narrows the search (an empty profile would match every company)."""
    return any(icp.criteria(query).model_dump().values()) or icp.signals.any_asked


class DiscoverRequest(ApiModel):
    """`POST /api/discover`: find, score and store leads matching a profile."""

    query: str | None = Field(
        None,
        max_length=500,
        description="Free text; its comma-separated words narrow the companies by keyword, "
        "unless no company carries them (then the profile alone is searched).",
    )
    icp_profile: IcpProfile = Field(default_factory=IcpProfile)
    count: int = Field(50, ge=1, le=MAX_LEADS, description="How many leads to deliver.")
    providers: list[ProviderName] | None = Field(
        None,
        min_length=1,
        description="Providers to search, in order (default explorium, then apollo).",
    )
    auto_enrich: bool | None = Field(None, description="Enrich the new leads (default: settings).")
    auto_sync: bool | None = Field(None, description="Then sync them to HubSpot.")
    auto_outreach: bool | None = Field(None, description="Then enroll them in `campaignId`.")
    campaign_id: str | None = Field(None, max_length=100, description="lemlist campaign.")

    @field_validator("providers")
    @classmethod
    def _providers(cls, values: list[ProviderName] | None) -> list[ProviderName] | None:
        return list(dict.fromkeys(values)) if values is not None else None

    @model_validator(mode="after")
    def _narrowed(self) -> DiscoverRequest:
        if not has_criteria(self.icp_profile, self.query):
            raise ValueError("give a query or at least one criterion in icpProfile")
        return self

    def job_parameters(self, chain: dict[str, Any] | None) -> dict[str, Any]:
        """The `pipeline.discover` job's parameters, with the chain (a dumped `Chain`) to run
        on the new leads."""
        return {
            "query": self.query,
            "icp": self.icp_profile.model_dump(mode="json"),
            "count": self.count,
            "providers": list(self.providers or DEFAULT_PROVIDERS),
            "chain": chain,
        }
