"""The HubSpot field mapping and overwrite policy: what a sync would send."""

from __future__ import annotations

import pytest

from salesauto.pipeline.crm_mapping import FieldMapping, InvalidFieldMapping, changes_to_send

CONTACT = {
    "email": "ann@acme.com",
    "first_name": "Ann",
    "last_name": None,
    "title": "VP Sales",
    "phone": "",
    "company_name": None,
    "company_domain": "https://www.Acme.com/about",
    "linkedin_url": None,
    "score": 87,
    "data": {"role": "Head of Sales", "tags": ["saas", "b2b"], "nested": {"x": 1}},
}
COMPANY = {
    "name": "Acme",
    "domain": "acme.com",
    "data": {"industry": "software development", "employees": 120.0, "city": "Berlin"},
}


def test_the_default_mapping_sends_the_non_empty_standard_fields() -> None:
    mapping = FieldMapping.from_settings({})

    assert mapping.contact_values(CONTACT, COMPANY) == {
        "firstname": "Ann",
        "jobtitle": "VP Sales",
        "company": "Acme",  # the company row's name, the contact has none
        "website": "acme.com",
    }
    # Free-text industry is not one of HubSpot's codes: left out rather than refused.
    assert mapping.company_values(COMPANY) == {
        "name": "Acme",
        "numberofemployees": "120",
        "city": "Berlin",
    }


def test_an_entry_replaces_the_default_writing_the_same_property() -> None:
    mapping = FieldMapping.from_settings(
        {
            "data.role": "jobtitle",
            "data.tags": "hs_tags",
            "score": "lead_score",
            "first_name": "",
            "company.data.city": "",
        }
    )

    assert mapping.contact_values(CONTACT, None) == {
        "jobtitle": "Head of Sales",
        "hs_tags": "saas;b2b",
        "lead_score": "87",
        "website": "acme.com",
    }
    assert "city" not in mapping.company_values(COMPANY)


@pytest.mark.parametrize(
    ("entries", "complaint"),
    [
        ({"title": "Job Title"}, "'Job Title'"),
        ({"shoe_size": "shoesize"}, "'shoe_size' is not a field"),
        ({"data.work_email": "email"}, "cannot write 'email'"),
        ({"company.data.site": "domain"}, "cannot write 'domain'"),
        ({"data.a": "jobtitle", "data.b": "jobtitle"}, "both write 'jobtitle'"),
        ({"data.": "x"}, "'data.' is not a field"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused_with_what_to_fix(
    entries: dict[str, str], complaint: str
) -> None:
    with pytest.raises(InvalidFieldMapping) as refused:
        FieldMapping.from_settings(entries)

    assert complaint in refused.value.message


def test_never_fills_only_empty_properties_and_always_sends_what_differs() -> None:
    ours = {"firstname": "Ann", "jobtitle": "VP Sales", "phone": "+49 30 1234"}
    theirs = {"firstname": "Ann", "jobtitle": "CRO", "phone": "  ", "email": "ann@acme.com"}

    assert changes_to_send(ours, theirs, "never") == {"phone": "+49 30 1234"}
    assert changes_to_send(ours, theirs, "always") == {
        "jobtitle": "VP Sales",
        "phone": "+49 30 1234",
    }
    assert changes_to_send(ours, None, "never") == ours
