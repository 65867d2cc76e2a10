"""Reading real-world CSV exports: encodings, delimiters, line endings, quoting, size."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from salesauto.imports.csv_format import CsvFormat, detect_format
from salesauto.imports.csv_reader import (
    MAX_FIELD_CHARS,
    CsvRow,
    InvalidCsv,
    clean_headers,
    read_header,
    read_rows,
)
from salesauto.imports.mapping import propose_mapping


def read_file(path: Path) -> tuple[CsvFormat, list[CsvRow]]:
    with path.open("rb") as stream:
        fmt = detect_format(stream.read(64 * 1024))
        stream.seek(0)
        mapping = propose_mapping(read_header(stream, fmt))
        stream.seek(0)
        return fmt, list(read_rows(stream, fmt, mapping))


def write(tmp_path: Path, data: bytes, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    text = "Email,First Name,Last Name\r\nzoe@acme.com,Zoë,Müller\r\nli@acme.cn,李,王\r\n"
    fmt, rows = read_file(write(tmp_path, b"\xef\xbb\xbf" + text.encode()))
    assert fmt == CsvFormat(encoding="utf-8-sig", delimiter=",", has_bom=True)
    assert [row.values for row in rows] == [
        {"email": "zoe@acme.com", "first_name": "Zoë", "last_name": "Müller"},
        {"email": "li@acme.cn", "first_name": "李", "last_name": "王"},
    ]


def test_utf8_without_bom_semicolon_lf(tmp_path: Path) -> None:
    data = "email;firstName;companyName\nana@acme.es;Ana María;Acme, S.L.\n".encode()
    fmt, rows = read_file(write(tmp_path, data))
    assert fmt == CsvFormat(encoding="utf-8", delimiter=";", has_bom=False)
    assert rows[0].values["company_name"] == "Acme, S.L."
    assert rows[0].values["first_name"] == "Ana María"


def test_windows_1252(tmp_path: Path) -> None:
    text = (
        "Email;Vorname;Nachname;Umsatz\r\n"
        "m@acme.de;Jürgen;Müller;5 € „netto“\r\n"
        "z@a.fr;Zoë;Ñúñez;1,5\r\n"
    )
    fmt, rows = read_file(write(tmp_path, text.encode("cp1252")))
    assert fmt == CsvFormat(encoding="cp1252", delimiter=";", has_bom=False)
    assert rows[0].values == {"email": "m@acme.de", "first_name": "Jürgen", "last_name": "Müller"}
    assert rows[0].extra == {"Umsatz": "5 € „netto“"}
    assert rows[1].values["first_name"] == "Zoë"


def test_windows_1252_bytes_after_a_pure_ascii_start_are_still_decoded(tmp_path: Path) -> None:
    head = "Email,Name\n" + "".join(f"p{i}@acme.com,Plain {i}\n" for i in range(5000))
    data = head.encode() + "m@acme.de,Müller Café\n".encode("cp1252")
    fmt, rows = read_file(write(tmp_path, data))
    assert fmt.encoding == "utf-8"  # the detector only saw ASCII
    assert rows[-1].values["full_name"] == "Müller Café"


def test_tab_delimited_with_cr_only_line_endings(tmp_path: Path) -> None:
    data = b"Email\tTitle\rjo@acme.com\tCEO, founder\rbo@acme.com\tCTO\r"
    fmt, rows = read_file(write(tmp_path, data))
    assert fmt.delimiter == "\t"
    assert [(row.number, row.values["title"]) for row in rows] == [(2, "CEO, founder"), (3, "CTO")]


def test_detect_format_tolerates_a_multibyte_character_cut_at_the_end() -> None:
    sample = "Email,Name\na@b.co,Zoë".encode()[:-1]
    assert detect_format(sample) == CsvFormat(encoding="utf-8", delimiter=",", has_bom=False)


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        (b"Name;Amount;City\nJo;1,5;Paris\nAl;2,75;Lyon\n", ";"),
        (b'Name,Notes\nJo,"a;b;c"\nAl,"x;y"\n', ","),
        (b"Name|Email\nJo|jo@a.com\n", "|"),
        (b"Name\tAddress\nJo\t1 Rue X, Paris\n", "\t"),
        (b"email\njo@acme.com\n", ","),
        (b"", ","),
    ],
)
def test_delimiter_detection(sample: bytes, delimiter: str) -> None:
    assert detect_format(sample).delimiter == delimiter


def test_quoted_fields_with_newlines_delimiters_and_quotes(tmp_path: Path) -> None:
    data = (
        b"Email,Notes,Title\r\n"
        b'jo@acme.com,"line one\r\nline two, still ""quoted""\nline three",CEO\r\n'
        b'al@acme.com,"short",CTO\r\n'
    )
    _, rows = read_file(write(tmp_path, data))
    assert rows[0].extra == {"Notes": 'line one\r\nline two, still "quoted"\nline three'}
    # the record spanning three lines counts once: the next row is spreadsheet row 3
    assert [(row.number, row.values["email"]) for row in rows] == [
        (2, "jo@acme.com"),
        (3, "al@acme.com"),
    ]


def test_blank_rows_are_flagged_and_counted(tmp_path: Path) -> None:
    data = b"Email,Name\n\njo@acme.com,Jo\n , \n,\nal@acme.com,Al"
    _, rows = read_file(write(tmp_path, data))
    assert [(row.number, row.blank) for row in rows] == [
        (2, True),
        (3, False),
        (4, True),
        (5, True),
        (6, False),
    ]


def test_formula_like_values_are_kept_verbatim(tmp_path: Path) -> None:
    data = b'Email,Company,Phone,Title\n@jo@acme.com ,"=HYPERLINK(""x"")",+33 1 23,-CEO-\n'
    _, rows = read_file(write(tmp_path, data))
    assert rows[0].values == {
        "email": "@jo@acme.com",
        "company_name": '=HYPERLINK("x")',
        "phone": "+33 1 23",
        "title": "-CEO-",
    }


def test_unknown_columns_extra_cells_and_short_rows(tmp_path: Path) -> None:
    data = b"Email,Lead Score,Favourite Colour\njo@acme.com,87,,surplus,,more\nal@acme.com\n"
    _, rows = read_file(write(tmp_path, data))
    assert rows[0].extra == {"Lead Score": "87", "_extra_4": "surplus", "_extra_6": "more"}
    assert rows[0].surplus_cells == 2
    assert rows[1] == CsvRow(number=3, values={"email": "al@acme.com"}, extra={}, blank=False)


def test_header_cells_are_cleaned_and_made_unique() -> None:
    assert clean_headers(["\ufeff Email ", "Email", "", "Email (2)", "Email"]) == [
        "Email",
        "Email (2)",
        "_column_3",
        "Email (2) (2)",
        "Email (3)",
    ]


def test_empty_file_is_invalid() -> None:
    fmt = detect_format(b"")
    with pytest.raises(InvalidCsv, match="empty"):
        read_header(io.BytesIO(b"\n\n"), fmt)


def test_unclosed_quote_is_reported_with_its_row(tmp_path: Path) -> None:
    body = b'Email,Notes\njo@acme.com,fine\nal@acme.com,"never closed\n' + b"x,y\n" * 300_000
    fmt = detect_format(body[:1000])
    with pytest.raises(InvalidCsv) as raised:
        list(read_rows(io.BytesIO(body), fmt, propose_mapping(["Email", "Notes"])))
    assert raised.value.row == 3
    assert "quote" in str(raised.value)
    assert len(body) > MAX_FIELD_CHARS


def test_reader_leaves_the_callers_stream_open() -> None:
    stream = io.BytesIO(b"Email\njo@acme.com\n")
    fmt = detect_format(stream.getvalue())
    rows = read_rows(stream, fmt, propose_mapping(["Email"]))
    next(rows)
    rows.close()
    assert not stream.closed


def test_200k_rows_stream_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.write(b"Email,First Name,Last Name,Company,Website,Notes\r\n")
        for start in range(0, 200_000, 10_000):
            chunk = "".join(
                f"p{i}@acme{i % 97}.com,Zoë,Müller,Acme {i},https://acme{i % 97}.com,"
                f'"note {i}\r\nsecond line, with ""quotes"""\r\n'
                for i in range(start, start + 10_000)
            )
            out.write(chunk.encode())
    assert path.stat().st_size > 20 * 1024 * 1024
    fmt = CsvFormat(encoding="utf-8", delimiter=",", has_bom=False)
    mapping = propose_mapping(["Email", "First Name", "Last Name", "Company", "Website", "Notes"])
    tracemalloc.start()
    try:
        count = 0
        last = None
        with path.open("rb") as stream:
            for row in read_rows(stream, fmt, mapping):
                count += 1
                last = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert last is not None and last.number == 200_001
    assert last.values["email"] == "p199999@acme82.com"
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
