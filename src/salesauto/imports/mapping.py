"""Which CSV column holds which contact field: proposals from header names, and user overrides.

Header names are compared by a key that ignores case, accents, spaces and punctuation, so
"E-mail", "Email Address", "emailAddress" and "EMAIL_ADDRESS" all match. The aliases cover the
exports of HubSpot ("Email", "Phone Number", "Country/Region", "Website URL"), Lemlist
("email", "firstName", "companyName", "companyDomain", "linkedinUrl") and Apollo ("Person
Linkedin Url", "Corporate Phone", "Company Name for Emails" stays extra), plus common variants.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CANONICAL_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "full_name",
    "company_name",
    "company_domain",
    "title",
    "phone",
    "linkedin_url",
    "city",
    "country",
    "industry",
)

# Per field, header keys in order of preference: when two headers match the same field, the
# one with the earlier alias wins ("Email" over "Work Email"), then the leftmost column.
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "emailaddress", "mail", "workemail", "businessemail", "primaryemail",
        "emailprimary", "professionalemail", "contactemail", "personemail", "courriel",
        "adressemail", "emailadresse", "email1", "verifiedemail", "directemail",
        "personalemail", "privateemail", "homeemail", "secondaryemail", "otheremail",
        "alternateemail", "altemail", "additionalemail", "email2", "tertiaryemail",
    ),
    "first_name": ("firstname", "first", "givenname", "forename", "prenom", "vorname"),
    "last_name": ("lastname", "last", "surname", "familyname", "nom", "nachname"),
    "full_name": ("fullname", "name", "contactname", "personname", "nomcomplet"),
    "company_name": (
        "companyname", "company", "organization", "organisation", "organizationname",
        "organisationname", "accountname", "account", "employer", "currentcompany",
        "associatedcompany", "societe", "entreprise", "firma", "unternehmen",
    ),
    "company_domain": (
        "companydomain", "companydomainname", "domain", "website", "websiteurl",
        "companywebsite", "companywebsiteurl", "companyurl", "web", "siteweb", "webseite",
    ),
    "title": (
        "title", "jobtitle", "position", "role", "jobrole", "jobposition", "designation",
        "poste", "fonction", "titre", "berufsbezeichnung",
    ),
    "phone": (
        "phone", "phonenumber", "mobilephone", "mobilephonenumber", "mobile", "mobilenumber",
        "directphone", "workdirectphone", "workphone", "corporatephone", "businessphone",
        "telephone", "tel", "telefon", "otherphone", "homephone",
    ),
    "linkedin_url": (
        "linkedinurl", "linkedin", "personlinkedinurl", "linkedinprofile",
        "linkedinprofileurl", "linkedinprofilelink", "profilelinkedin",
    ),
    "city": ("city", "town", "ville", "stadt", "ort"),
    "country": ("country", "countryregion", "countryname", "pays", "land"),
    "industry": ("industry", "industryname", "sector", "secteur", "branche"),
}  # fmt: skip
_RANK: dict[str, tuple[str, int]] = {
    alias: (canonical, rank) for canonical, aliases in _ALIASES.items()
    for rank, alias in enumerate(aliases)
}  # fmt: skip
_NOT_A_KEY_CHAR = re.compile(r"[^0-9a-z]+")


@dataclass
class ColumnMapping:
    columns: dict[str, str]  # original header -> canonical field; unmapped headers are absent
    headers: list[str] = field(default_factory=list)  # every header of the file, in order

    def field_for(self, header: str) -> str | None:
        return self.columns.get(header)

    def header_for(self, canonical: str) -> str | None:
        return next((h for h, f in self.columns.items() if f == canonical), None)

    def unmapped_headers(self) -> list[str]:
        """Headers whose values are kept as extra data on the contact."""
        return [header for header in self.headers if header not in self.columns]

    def as_dict(self) -> dict[str, str | None]:
        """Every header, mapped or not (None), in file order — what the preview shows."""
        names = self.headers or list(self.columns)
        return {header: self.columns.get(header) for header in names}


def header_key(header: str) -> str:
    """The comparison key of a header: "E-mail Address" → "emailaddress", "Prénom" → "prenom"."""
    decomposed = unicodedata.normalize("NFKD", header)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_A_KEY_CHAR.sub("", plain.lower())


def propose_mapping(headers: list[str]) -> ColumnMapping:
    """Map each header that names a known contact field; the others stay extra data."""
    chosen: dict[str, tuple[int, int, str]] = {}  # field -> (rank, column index, header)
    for index, header in enumerate(headers):
        match = _RANK.get(header_key(header))
        if match is None:
            continue
        canonical, rank = match
        if canonical not in chosen or (rank, index) < chosen[canonical][:2]:
            chosen[canonical] = (rank, index, header)
    ordered = sorted(chosen.items(), key=lambda item: item[1][1])
    return ColumnMapping(
        columns={header: canonical for canonical, (_, _, header) in ordered},
        headers=list(headers),
    )


def apply_overrides(mapping: ColumnMapping, overrides: dict[str, str | None]) -> ColumnMapping:
    """The mapping with the user's choices applied: header -> field, or None to keep it extra.

    A header given a field takes it from any other header, which then becomes extra data.
    Raises ValueError naming the unknown fields (with the valid ones) or unknown headers.
    """
    unknown_fields = sorted(
        {value for value in overrides.values() if value is not None} - set(CANONICAL_FIELDS)
    )
    if unknown_fields:
        raise ValueError(
            f"unknown field(s) {', '.join(map(repr, unknown_fields))} in the mapping; "
            f"valid fields are: {', '.join(CANONICAL_FIELDS)} (or null to keep a column as extra)"
        )
    known = set(mapping.headers) | set(mapping.columns)
    unknown_headers = [header for header in overrides if header not in known]
    if mapping.headers and unknown_headers:
        raise ValueError(
            f"no column named {', '.join(map(repr, unknown_headers))} in the file; "
            f"its columns are: {', '.join(map(repr, mapping.headers))}"
        )
    taken = [value for value in overrides.values() if value is not None]
    duplicated = sorted({value for value in taken if taken.count(value) > 1})
    if duplicated:
        raise ValueError(
            f"field(s) {', '.join(map(repr, duplicated))} mapped from more than one column; "
            "map each field from one column only"
        )
    columns = {
        header: canonical
        for header, canonical in mapping.columns.items()
        if header not in overrides and canonical not in taken
    }
    columns.update({header: value for header, value in overrides.items() if value is not None})
    order = {header: index for index, header in enumerate(mapping.headers)}
    ordered = dict(sorted(columns.items(), key=lambda item: order.get(item[0], len(order))))
    return ColumnMapping(columns=ordered, headers=list(mapping.headers))
