"""Column mapping of HubSpot, Lemlist and Apollo exports, and the cell rules (emails, domains)."""

from __future__ import annotations

import pytest

from salesauto.imports.cells import (
    FREE_EMAIL_DOMAINS,
    company_domain_from_email,
    email_problem,
    neutralise_cell,
    normalise_domain,
    normalise_email,
)
from salesauto.imports.mapping import (
    CANONICAL_FIELDS,
    ColumnMapping,
    apply_overrides,
    propose_mapping,
)

HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Job Title", "Company Name", "Website URL", "City", "State/Region", "Country/Region",
    "Industry", "Lifecycle Stage", "Contact owner", "Create Date",
]  # fmt: skip
LEMLIST = [
    "email", "firstName", "lastName", "companyName", "companyDomain", "jobTitle", "phone",
    "linkedinUrl", "picture", "icebreaker",
]  # fmt: skip
APOLLO = [
    "First Name", "Last Name", "Title", "Company", "Company Name for Emails", "Email",
    "Email Status", "Seniority", "Departments", "Work Direct Phone", "Mobile Phone",
    "Corporate Phone", "Person Linkedin Url", "Website", "Company Linkedin Url", "City",
    "State", "Country", "# Employees", "Industry", "Secondary Email",
]  # fmt: skip


def test_hubspot_export() -> None:
    mapping = propose_mapping(HUBSPOT)
    assert mapping.columns == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone Number": "phone",
        "Job Title": "title",
        "Company Name": "company_name",
        "Website URL": "company_domain",
        "City": "city",
        "Country/Region": "country",
        "Industry": "industry",
    }
    assert "Mobile Phone Number" in mapping.unmapped_headers()


def test_lemlist_export() -> None:
    assert propose_mapping(LEMLIST).columns == {
        "email": "email",
        "firstName": "first_name",
        "lastName": "last_name",
        "companyName": "company_name",
        "companyDomain": "company_domain",
        "jobTitle": "title",
        "phone": "phone",
        "linkedinUrl": "linkedin_url",
    }


def test_apollo_export_prefers_the_primary_columns() -> None:
    mapping = propose_mapping(APOLLO)
    assert mapping.columns == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "title",
        "Company": "company_name",
        "Email": "email",
        "Mobile Phone": "phone",
        "Person Linkedin Url": "linkedin_url",
        "Website": "company_domain",
        "City": "city",
        "Country": "country",
        "Industry": "industry",
    }
    for extra in (
        "Company Name for Emails",
        "Email Status",
        "Company Linkedin Url",
        "Secondary Email",
    ):
        assert mapping.field_for(extra) is None


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("E-mail", "email"), ("Email Address", "email"), ("emailAddress", "email"),
        ("EMAIL_ADDRESS", "email"), ("Work Email", "email"), ("Primary Email", "email"),
        (" first_name ", "first_name"), ("Prénom", "first_name"), ("Surname", "last_name"),
        ("Name", "full_name"), ("Full Name", "full_name"), ("Organization", "company_name"),
        ("Account Name", "company_name"), ("company_domain", "company_domain"),
        ("Domain", "company_domain"), ("Company Website", "company_domain"),
        ("Position", "title"), ("Role", "title"), ("Direct Phone", "phone"),
        ("LinkedIn", "linkedin_url"), ("LinkedIn URL", "linkedin_url"),
    ],
)  # fmt: skip
def test_header_variants(header: str, canonical: str) -> None:
    assert propose_mapping(["Lead Score", header]).columns == {header: canonical}


def test_first_of_two_equal_headers_wins() -> None:
    mapping = propose_mapping(["Work Email", "Secondary Email", "E-mail"])
    assert mapping.columns == {"E-mail": "email"}
    assert mapping.unmapped_headers() == ["Work Email", "Secondary Email"]
    assert propose_mapping(["Email", "Email (2)"]).columns == {"Email": "email"}


def test_overrides_remap_and_unmap() -> None:
    mapping = propose_mapping(["Email", "Courriel perso", "Company"])
    changed = apply_overrides(mapping, {"Courriel perso": "email", "Company": None})
    assert changed.columns == {"Courriel perso": "email"}
    assert changed.as_dict() == {"Email": None, "Courriel perso": "email", "Company": None}
    assert mapping.columns == {"Email": "email", "Company": "company_name"}  # not mutated


def test_overrides_reject_unknown_fields_and_headers() -> None:
    mapping = propose_mapping(["Email", "Company"])
    with pytest.raises(ValueError, match="valid fields are: email, first_name"):
        apply_overrides(mapping, {"Company": "organisation"})
    with pytest.raises(ValueError, match=r"no column named 'Compnay'.*'Email', 'Company'"):
        apply_overrides(mapping, {"Compnay": "company_name"})
    with pytest.raises(ValueError, match="more than one column"):
        apply_overrides(mapping, {"Email": "email", "Company": "email"})
    assert len(CANONICAL_FIELDS) == 12


def test_mapping_helpers() -> None:
    mapping = ColumnMapping(columns={"Mail": "email"}, headers=["Mail", "Notes"])
    assert mapping.header_for("email") == "Mail"
    assert mapping.header_for("phone") is None
    assert mapping.unmapped_headers() == ["Notes"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+33 1 23", "'+33 1 23"), ("-2", "'-2"),
        ("@jo", "'@jo"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Acme", "Acme"), ("", ""),
        ("a=b", "a=b"),
    ],
)  # fmt: skip
def test_neutralise_cell(value: str, expected: str) -> None:
    assert neutralise_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Jo.Doe@ACME.com ", "jo.doe@acme.com"), ("<jo@acme.com>", "jo@acme.com"),
        ("MAILTO:jo@acme.com", "jo@acme.com"), ("Jo Doe <Jo@Acme.com>", "jo@acme.com"),
        ("\u200bjo@acme.com", "jo@acme.com"), ("   ", None), ("", None),
    ],
)  # fmt: skip
def test_normalise_email(value: str, expected: str | None) -> None:
    assert normalise_email(value) == expected


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("jo@acme.com", None), ("jo.doe+tag@mail.acme.co.uk", None), ("jo@bücher.de", None),
        ("jo@xn--bcher-kva.de", None), ("o'brien@acme.ie", None),
        ("jo.acme.com", "not an email address (no @)"), ("jo doe@acme.com", "contains spaces"),
        ("jo@@acme.com", "more than one @"), ("@acme.com", "nothing before the @"),
        ("jo@acme", "invalid domain"), ("jo@acme.c", "invalid domain"),
        ("jo@acme..com", "invalid domain"), ("jo@-acme.com", "invalid domain"),
        ("jo@acme_corp.com", "invalid domain"), ("jo@acme.123", "invalid domain"),
        ("jo.@acme.com", "misplaced dot before the @"), ("", "no email"),
        ("x" * 65 + "@acme.com", "the part before the @ is longer than 64 characters"),
    ],
)  # fmt: skip
def test_email_problem(email: str, problem: str | None) -> None:
    assert email_problem(email) == problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://WWW.Acme.com/about", "acme.com"), ("acme.com", "acme.com"),
        ("www.acme.co.uk/", "acme.co.uk"), ("http://acme.com:8080/x?y=1#z", "acme.com"),
        ("Shop.Acme.io", "shop.acme.io"), ("  https://acme.com.  ", "acme.com"),
        ("//acme.com", "acme.com"), ("bücher.de", "bücher.de"), ("", None), ("   ", None),
        ("Acme Inc", None), ("n/a", None), ("jo@acme.com", None), ("http://", None),
        ("192.168.0.1", None), ("localhost", None),
    ],
)  # fmt: skip
def test_normalise_domain(value: str, expected: str | None) -> None:
    assert normalise_domain(value) == expected


def test_company_domain_from_email() -> None:
    assert company_domain_from_email(" Jo@Sales.ACME.com ") == "sales.acme.com"
    assert company_domain_from_email("jo@gmail.com") is None
    assert company_domain_from_email("jo@GMX.de") is None
    assert company_domain_from_email("not-an-email") is None
    assert {"gmail.com", "proton.me", "163.com", "yandex.ru"} <= FREE_EMAIL_DOMAINS
    assert len(FREE_EMAIL_DOMAINS) >= 40
