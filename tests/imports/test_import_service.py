"""`import_csv` end to end on both databases: messy real-world files in, contacts and companies out.

Every file is written byte for byte, as the exporting tool would have written it. Assertions are
on what a user sees: the summary's counts and rejected rows, and the stored records.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.contacts.repository import COMPANIES, CONTACTS
from salesauto.imports.schemas import ImportSummary
from salesauto.imports.service import import_csv
from salesauto.kit.db import create_engine
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.suppressions.repository import add_suppressions
from salesauto.suppressions.service import SuppressionService, classify

OWNER = "default"
COUNTS = (
    "rows_read",
    "created",
    "updated",
    "unchanged",
    "duplicates",
    "rejected",
    "blank",
    "erased",
)

# UTF-8 with BOM, semicolons, CRLF, French headers, unknown columns, a quoted field spanning two
# lines with doubled quotes, a blank line, a row of empty cells, rows without and with a bad
# email, the first person again in other casing and whitespace, formula-like values, a free-mail
# address and one whose company comes from its email domain. Spreadsheet rows in the comments.
MESSY = (
    b"\xef\xbb\xbf"
    b"E-mail;Pr\xc3\xa9nom;Nom;Soci\xc3\xa9t\xc3\xa9;Website;Notes;Lead Owner\r\n"  # 1
    b"Jane.Doe@Acme.com;Jane;Doe;Acme;https://www.Acme.com/about;"  # 2
    b'"line one\r\nline ""two""; still notes";Sam\r\n'
    b";Nobody;;Acme;;no email here;\r\n"  # 3
    b"\r\n"  # 4
    b"not-an-email;Bad;Row;;;;\r\n"  # 5
    b";;;;;;\r\n"  # 6
    b"  JANE.DOE@acme.com ;;Doe-Smith;;;;Kim\r\n"  # 7
    b'f@gmail.com;"=HYPERLINK(""http://evil.example"",""x"")";'  # 8
    b"+33 1 23 45;-5;@mention;@here;\r\n"
    b"li@globex.io;Li;;;;;\r\n"  # 9
    b"jo doe@acme.com;Jo;;;;;\r\n"  # 10
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_engine(database_url)
    yield built
    await built.dispose()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def counts(summary: ImportSummary) -> dict[str, int]:
    """The summary's counts; every row read is counted exactly once."""
    values = {name: getattr(summary, name) for name in (*COUNTS, "suppressed")}
    accounted = sum(values[name] for name in COUNTS[1:])
    assert accounted == summary.rows_read, f"rows counted {accounted} times, read {values}"
    return values


def summary_counts(**nonzero: int) -> dict[str, int]:
    return dict.fromkeys((*COUNTS, "suppressed"), 0) | nonzero


# The stored rows are read with SQL, not through ContactService/CompanyService: those are the
# API's read side (tests/api/test_contacts_api.py); here what counts is what the import wrote.
async def contacts(engine: AsyncEngine) -> dict[str, sa.Row[Any]]:
    """The workspace's contact rows by email (`status` is the stage)."""
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(CONTACTS).where(CONTACTS.c.owner_id == OWNER))
    return {row.email: row for row in rows}


async def companies(engine: AsyncEngine) -> dict[str, sa.Row[Any]]:
    """The workspace's company rows by domain, each with its number of `contacts`."""
    count = (
        sa.select(sa.func.count())
        .where(CONTACTS.c.company_id == COMPANIES.c.id)
        .scalar_subquery()
        .label("contacts")
    )
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(COMPANIES, count).where(COMPANIES.c.owner_id == OWNER))
    return {row.domain: row for row in rows}


async def suppress(engine: AsyncEngine, *entries: tuple[str, str]) -> None:
    """Put (value, reason) entries on the list, normalised as the API does."""
    # SuppressionService.add fails after writing (see tests/api/test_suppressions_api.py),
    # so the entries go in through the repository it calls.
    async with engine.begin() as conn:
        await add_suppressions(
            conn,
            OWNER,
            [(*classify(value), reason) for value, reason in entries],
            source="test",
            at=utcnow(),
        )


async def test_messy_semicolon_file_with_bom_crlf_and_multiline_quotes(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    summary = await import_csv(engine, OWNER, write(tmp_path, "export.csv", MESSY))

    assert counts(summary) == summary_counts(
        rows_read=9, created=3, duplicates=1, rejected=3, blank=2
    )
    assert [row.model_dump() for row in summary.rejected_rows] == [
        {"row": 3, "email": None, "reason": "no email address"},
        {"row": 5, "email": "not-an-email", "reason": "not an email address (no @)"},
        {"row": 10, "email": "jo doe@acme.com", "reason": "contains spaces"},
    ]
    assert summary.mapping == {
        "E-mail": "email",
        "Prénom": "first_name",
        "Nom": "last_name",
        "Société": "company_name",
        "Website": "company_domain",
        "Notes": None,
        "Lead Owner": None,
    }
    assert summary.file_name == "export.csv"

    stored = await contacts(engine)
    assert sorted(stored) == ["f@gmail.com", "jane.doe@acme.com", "li@globex.io"]

    # Row 7 merged into row 2: the file's first values win, a repeat only fills what is empty.
    jane = stored["jane.doe@acme.com"]
    assert (jane.first_name, jane.last_name, jane.company_name) == ("Jane", "Doe", "Acme")
    assert jane.company_domain == "acme.com"
    assert jane.data == {"Notes": 'line one\r\nline "two"; still notes', "Lead Owner": "Sam"}
    assert jane.status == "imported" and jane.source == "csv"
    assert set(jane.provenance) == {
        "first_name",
        "last_name",
        "company_name",
        "company_domain",
        "data.Notes",
        "data.Lead Owner",
    }
    assert {p["source"] for p in jane.provenance.values()} == {"csv"}

    # Formula-like values are stored exactly as written; a free-mail address gets no company.
    free = stored["f@gmail.com"]
    assert free.first_name == '=HYPERLINK("http://evil.example","x")'
    assert free.last_name == "+33 1 23 45"
    assert free.company_name == "-5"
    assert free.data == {"website": "@mention", "Notes": "@here"}
    assert free.company_domain is None and free.company_id is None

    # Companies: from the website column, and from the email domain when there is none.
    found = await companies(engine)
    assert sorted(found) == ["acme.com", "globex.io"]
    assert found["acme.com"].name == "Acme"
    assert found["acme.com"].contacts == 1
    assert stored["li@globex.io"].company_domain == "globex.io"
    assert stored["li@globex.io"].company_id == found["globex.io"].id


async def test_windows_1252_tab_separated_file(engine: AsyncEngine, tmp_path: Path) -> None:
    text = (
        "Email\tFirst Name\tLast Name\tCompany\tCity\tUmsatz\r\n"
        "jurgen@mueller.de\tJürgen\tMüller\tMüller & Söhne GmbH\tKöln\t5 € „netto“\r\n"
        "zoe@cafe.fr\tZoë\tCréçy\tCafé Noël\tSaint-Étienne\t\r\n"
    )
    summary = await import_csv(engine, OWNER, write(tmp_path, "excel.txt", text.encode("cp1252")))

    assert counts(summary) == summary_counts(rows_read=2, created=2)
    stored = await contacts(engine)
    jurgen, zoe = stored["jurgen@mueller.de"], stored["zoe@cafe.fr"]
    assert (jurgen.first_name, jurgen.last_name) == ("Jürgen", "Müller")
    assert jurgen.data == {"city": "Köln", "Umsatz": "5 € „netto“"}
    assert (zoe.first_name, zoe.last_name, zoe.company_name) == ("Zoë", "Créçy", "Café Noël")
    assert zoe.data == {"city": "Saint-Étienne"}
    found = await companies(engine)
    assert found["mueller.de"].name == "Müller & Söhne GmbH"
    assert found["cafe.fr"].name == "Café Noël"


async def test_hubspot_lemlist_and_apollo_exports_land_in_the_same_records(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    hubspot = (
        b"Record ID,First Name,Last Name,Email,Phone Number,Job Title,Company Name,"
        b"Website URL,Country/Region,Lifecycle Stage\n"
        b"101,Ada,Lovelace,ada@acme.com,+44 20 7946 0000,CTO,Acme,https://acme.com,"
        b"United Kingdom,lead\n"
    )
    lemlist = (
        b"email,firstName,lastName,companyName,companyDomain,linkedinUrl,icebreaker\n"
        b"grace@acme.com,Grace,Hopper,Acme,www.acme.com,https://linkedin.com/in/grace,"
        b"Loved your talk\n"
    )
    apollo = (
        b"First Name,Last Name,Title,Company,Company Name for Emails,Email,Email Status,"
        b"Person Linkedin Url,Website,City,Country,Industry\n"
        b"Alan,Turing,Researcher,Acme,ACME,alan@ACME.com,Verified,"
        b"http://www.linkedin.com/in/alan,http://www.acme.com,Manchester,United Kingdom,"
        b"Computing\n"
    )
    for name, data in [("hubspot.csv", hubspot), ("lemlist.csv", lemlist), ("apollo.csv", apollo)]:
        summary = await import_csv(engine, OWNER, write(tmp_path, name, data))
        assert counts(summary) == summary_counts(rows_read=1, created=1), name

    stored = await contacts(engine)
    ada, grace, alan = stored["ada@acme.com"], stored["grace@acme.com"], stored["alan@acme.com"]
    assert (ada.first_name, ada.last_name, ada.title) == ("Ada", "Lovelace", "CTO")
    assert ada.phone == "+44 20 7946 0000"
    assert ada.data == {
        "Record ID": "101",
        "country": "United Kingdom",
        "Lifecycle Stage": "lead",
    }
    assert (grace.first_name, grace.last_name) == ("Grace", "Hopper")
    assert grace.linkedin_url == "https://linkedin.com/in/grace"
    assert grace.data == {"icebreaker": "Loved your talk"}
    assert (alan.first_name, alan.title, alan.linkedin_url) == (
        "Alan",
        "Researcher",
        "http://www.linkedin.com/in/alan",
    )
    assert alan.data == {
        "Company Name for Emails": "ACME",
        "Email Status": "Verified",
        "city": "Manchester",
        "country": "United Kingdom",
        "industry": "Computing",
    }

    # Three files, three spellings of the website: one company.
    found = await companies(engine)
    assert list(found) == ["acme.com"]
    assert found["acme.com"].contacts == 3
    assert {c.company_id for c in stored.values()} == {found["acme.com"].id}


async def test_reimporting_the_same_file_creates_and_changes_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write(tmp_path, "export.csv", MESSY)
    first = await import_csv(engine, OWNER, path)
    before = await contacts(engine)

    again = await import_csv(engine, OWNER, path)

    assert counts(again) == summary_counts(
        rows_read=9, unchanged=3, duplicates=1, rejected=3, blank=2
    )
    assert again.rejected_rows == first.rejected_rows
    assert await contacts(engine) == before  # provenance and updated_at untouched too
    assert sorted(await companies(engine)) == ["acme.com", "globex.io"]


async def test_a_second_file_updates_fields_and_their_provenance(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    first = (
        b"Email,First Name,Title,Company,Segment\n"
        b"ann@acme.com,Ann,Engineer,Acme,smb\n"
        b"bob@acme.com,Bob,Sales,Acme,smb\n"
    )
    await import_csv(engine, OWNER, write(tmp_path, "first.csv", first))
    before = await contacts(engine)

    # Ann: new title and segment, empty first name (must not clear it). Bob: the same. Cy: new.
    second = (
        b"Email,First Name,Title,Company,Segment\n"
        b"ANN@acme.com,,VP Engineering,Acme,enterprise\n"
        b"bob@acme.com,Bob,Sales,Acme,smb\n"
        b"cy@acme.com,Cy,,Acme,\n"
    )
    summary = await import_csv(
        engine, OWNER, write(tmp_path, "second.csv", second), source="hubspot-export"
    )

    assert counts(summary) == summary_counts(rows_read=3, created=1, updated=1, unchanged=1)
    after = await contacts(engine)
    ann, old_ann = after["ann@acme.com"], before["ann@acme.com"]
    assert (ann.first_name, ann.title, ann.data) == (
        "Ann",
        "VP Engineering",
        {"Segment": "enterprise"},
    )
    assert ann.provenance["title"]["source"] == "hubspot-export"
    assert ann.provenance["data.Segment"]["source"] == "hubspot-export"
    at = datetime.fromisoformat
    assert at(ann.provenance["title"]["at"]) > at(old_ann.provenance["title"]["at"])
    # Fields the second file did not change keep their original provenance.
    for name in ("first_name", "company_name", "company_domain"):
        assert ann.provenance[name] == old_ann.provenance[name], name
    assert ann.source == "csv"  # where the contact first came from
    assert ann.updated_at is not None and old_ann.updated_at is not None
    assert ann.updated_at > old_ann.updated_at
    assert after["bob@acme.com"] == before["bob@acme.com"]
    assert after["cy@acme.com"].provenance["first_name"]["source"] == "hubspot-export"
    assert (await companies(engine))["acme.com"].contacts == 3


async def test_a_duplicate_spanning_two_batches_is_counted_once_and_merged(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    data = (
        b"Email,First Name,Title,Team\n"
        b"a@acme.com,Ann,Engineer,core\n"
        b"b@acme.com,Bob,,\n"
        b"c@acme.com,Cy,,\n"
        b"d@acme.com,Di,,\n"
        b"e@acme.com,Ed,,\n"
        b" A@Acme.COM,,CTO,\n"
    )
    summary = await import_csv(engine, OWNER, write(tmp_path, "leads.csv", data), batch_rows=2)

    assert counts(summary) == summary_counts(rows_read=6, created=5, duplicates=1)
    stored = await contacts(engine)
    assert sorted(stored) == [f"{letter}@acme.com" for letter in "abcde"]
    ann = stored["a@acme.com"]  # the repeat fills nothing: Ann's row had every value
    assert (ann.first_name, ann.title, ann.data) == ("Ann", "Engineer", {"Team": "core"})


async def test_reimporting_a_file_with_a_duplicate_spanning_batches_changes_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "leads.csv",
        b"Email,Title\na@acme.com,Engineer\nb@acme.com,Sales\nc@acme.com,Ops\na@acme.com,CTO\n",
    )
    await import_csv(engine, OWNER, path, batch_rows=2)
    before = await contacts(engine)

    again = await import_csv(engine, OWNER, path, batch_rows=2)

    assert counts(again) == summary_counts(rows_read=4, unchanged=3, duplicates=1)
    assert await contacts(engine) == before


async def test_suppressed_emails_and_domains_are_imported_and_counted(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await suppress(
        engine, ("https://www.Blocked.com/", "competitor"), ("VIP@acme.com", "unsubscribed")
    )
    data = (
        b"Email,First Name\n"
        b"one@blocked.com,One\n"
        b"Two@BLOCKED.com,Two\n"
        b"vip@acme.com,Vip\n"
        b"ok@acme.com,Ok\n"
        b"one@blocked.com,One again\n"
    )
    summary = await import_csv(engine, OWNER, write(tmp_path, "leads.csv", data))

    assert counts(summary) == summary_counts(rows_read=5, created=4, duplicates=1, suppressed=3)
    assert len(await contacts(engine)) == 4
    check = await SuppressionService(engine).check(
        OWNER, ["one@blocked.com", "two@blocked.com", "vip@acme.com", "ok@acme.com"]
    )
    assert check == {
        "one@blocked.com": "competitor",
        "two@blocked.com": "competitor",
        "vip@acme.com": "unsubscribed",
    }


async def test_mapping_overrides_choose_the_email_column(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    data = (
        b"Email,Mail,Name\n"
        b"ann.home@gmail.com,ann@acme.com,Ann Lee\n"
        b"bob.home@gmail.com,bob@globex.io,Bob\n"
    )
    path = write(tmp_path, "leads.csv", data)

    summary = await import_csv(engine, OWNER, path, mapping={"Mail": "email"})

    assert counts(summary) == summary_counts(rows_read=2, created=2)
    assert summary.mapping == {"Email": None, "Mail": "email", "Name": "full_name"}
    stored = await contacts(engine)
    assert sorted(stored) == ["ann@acme.com", "bob@globex.io"]
    ann = stored["ann@acme.com"]
    assert (ann.first_name, ann.last_name) == ("Ann", "Lee")
    assert ann.data == {"Email": "ann.home@gmail.com"}
    assert sorted(await companies(engine)) == ["acme.com", "globex.io"]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Mail": "e-mail"}, "unknown field(s) 'e-mail' in the mapping; valid fields are: email"),
        ({"Courriel": "email"}, "no column named 'Courriel' in the file"),
        ({"Mail": "email", "Name": "email"}, "field(s) 'email' mapped from more than one column"),
    ],
)
async def test_a_bad_mapping_override_is_invalid_input(
    engine: AsyncEngine, tmp_path: Path, mapping: dict[str, str | None], message: str
) -> None:
    path = write(tmp_path, "leads.csv", b"Mail,Name\nann@acme.com,Ann\n")
    with pytest.raises(InvalidInput, match=re.escape(message)) as error:
        await import_csv(engine, OWNER, path, mapping=mapping)
    assert error.value.details == {"field": "mapping"}
    assert await contacts(engine) == {}


async def test_a_file_without_an_email_column_is_invalid_input_naming_its_columns(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write(tmp_path, "leads.csv", b"Name;Company;Phone\r\nAnn Lee;Acme;+1 555 0100\r\n")
    with pytest.raises(InvalidInput) as error:
        await import_csv(engine, OWNER, path)
    assert "no column looks like an email address" in error.value.message
    assert "(columns: Name, Company, Phone)" in error.value.message
    assert await contacts(engine) == {}


async def test_a_company_is_named_by_any_row_or_file_that_names_it(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    # In one file: the first Acme row has no company name, the second has one.
    await import_csv(
        engine,
        OWNER,
        write(tmp_path, "one.csv", b"Email,Company\nann@acme.com,\nbob@acme.com,Acme Inc\n"),
    )
    # Across files: Globex is first known from an email domain, then named by a later file.
    await import_csv(engine, OWNER, write(tmp_path, "two.csv", b"Email\nli@globex.io\n"))
    await import_csv(
        engine, OWNER, write(tmp_path, "three.csv", b"Email,Company\nli@globex.io,Globex\n")
    )

    found = await companies(engine)
    assert (found["acme.com"].name, found["globex.io"].name) == ("Acme Inc", "Globex")
