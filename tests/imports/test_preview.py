"""The preview a user sees before importing: format, mapping, sample rows and problems."""

from __future__ import annotations

from salesauto.imports.preview import PREVIEW_BYTES, preview_csv


def test_preview_of_a_messy_semicolon_file() -> None:
    data = (
        "\ufeffEmail;Vorname;Email;Firma;;Notiz\r\n"
        'Jo@Acme.de;Jürgen;alt@acme.de;Acme;;"zwei\r\nZeilen; ""zitiert"""\r\n'
        "\r\n"
        "kein-at;Zoë;;;;;überzählig;\r\n"
        "jo@acme.de;J\r\n"
        "jo doe@acme.de;Jo\r\n"
    ).encode("utf-8-sig")
    preview = preview_csv(data)
    assert (preview.encoding, preview.delimiter) == ("utf-8-sig", ";")
    assert preview.headers == ["Email", "Vorname", "Email (2)", "Firma", "_column_5", "Notiz"]
    assert preview.mapping == {
        "Email": "email",
        "Vorname": "first_name",
        "Email (2)": None,
        "Firma": "company_name",
        "_column_5": None,
        "Notiz": None,
    }
    assert preview.rows_sampled == 5
    assert preview.sample_rows[0]["Notiz"] == 'zwei\r\nZeilen; "zitiert"'
    assert preview.sample_rows[1]["_extra_7"] == "überzählig"
    assert preview.problems == [
        "duplicate header 'Email' renamed 'Email (2)'",
        "row 4: not an email address (no @)",
        "row 5: same email as row 2; the rows will be merged",
        "row 6: contains spaces",
        "1 row has more cells than the header (first: row 4); "
        "the extra cells are kept as '_extra_N' (N = column number)",
        "1 blank row will be skipped (first: row 3)",
    ]


def test_preview_serialises_camel_case() -> None:
    body = preview_csv(b"email,firstName\njo@acme.com,Jo\n").model_dump(mode="json")
    assert body == {
        "encoding": "utf-8",
        "delimiter": ",",
        "headers": ["email", "firstName"],
        "mapping": {"email": "email", "firstName": "first_name"},
        "sampleRows": [{"email": "jo@acme.com", "firstName": "Jo"}],
        "rowsSampled": 1,
        "problems": [],
    }


def test_preview_suggests_the_column_holding_emails() -> None:
    data = "Nom;Adresse électronique\nMüller;m@acme.de\n".encode("cp1252")
    preview = preview_csv(data)
    assert preview.encoding == "cp1252"
    assert preview.problems == [
        "no column looks like an email address; "
        "map one with mapping={'Adresse électronique': 'email'}"
    ]


def test_preview_limits_sample_rows_but_checks_the_whole_sample() -> None:
    rows = "".join(f"p{i}@acme.com,P{i}\n" for i in range(30)) + "bad,Bad\n"
    preview = preview_csv(("Email,Name\n" + rows).encode(), max_rows=5)
    assert len(preview.sample_rows) == 5
    assert preview.rows_sampled == 31
    assert preview.problems == ["row 32: not an email address (no @)"]


def test_preview_of_a_cut_sample_drops_the_partial_last_record() -> None:
    line = b'jo@acme.com,"a note, long enough to fill the sample quickly ........"\n'
    data = b"Email,Notes\n" + line * (PREVIEW_BYTES // len(line) + 5)
    sample = data[:PREVIEW_BYTES]
    preview = preview_csv(sample)
    complete = (PREVIEW_BYTES - len(b"Email,Notes\n")) // len(line)
    assert preview.rows_sampled == complete
    assert all(p.endswith("the rows will be merged") for p in preview.problems[:20])
    assert preview.problems[-1].startswith(f"… and {complete - 1 - 20} more rows")


def test_preview_of_files_without_rows_or_columns() -> None:
    assert preview_csv(b"").problems == [
        "the file is empty: the first row must hold the column names"
    ]
    assert preview_csv(b"Email,Name\r\n").problems == ["the file has a header but no data rows"]
    only_one = preview_csv(b"Email:Name\njo@acme.com:Jo\n")
    assert only_one.problems[0].startswith("only one column found ('Email:Name')")
