"""Streaming CSV reading: records of any size file with bounded memory, as contact rows.

The first non-blank record is the header. Rows are numbered as a spreadsheet shows them:
the header is row 1 (when the file starts with it), every record counts once even when a
quoted field spans several lines, and blank lines count as rows.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from salesauto.imports.csv_format import CsvFormat
from salesauto.imports.mapping import ColumnMapping

MAX_FIELD_CHARS = 1024 * 1024
# A quoted cell spanning this many lines is an unclosed quote swallowing the rest of the file.
RUNAWAY_LINES = 1000
# A physical line may hold many fields; past this it is not a CSV export but a broken file.
MAX_LINE_CHARS = 16 * 1024 * 1024
_UTF8_FALLBACK = "salesauto-cp1252-fallback"


def _decode_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A file detected as UTF-8 from its start may hold Windows-1252 bytes further down
    (exports stitched from several tools): decode those bytes as Windows-1252, not fail."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("cp1252", errors="replace"), error.end


codecs.register_error(_UTF8_FALLBACK, _decode_as_cp1252)


class InvalidCsv(ValueError):
    """The file cannot be read as CSV; `row` is the spreadsheet row where reading stopped."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(f"row {row}: {message}" if row is not None else message)
        self.row = row


@dataclass
class CsvRow:
    number: int  # the spreadsheet row number: header is row 1, first data row 2
    values: dict[str, str]  # canonical field -> value for every mapped field ("" when empty)
    extra: dict[str, str]  # unmapped header (or "_extra_N") -> value, non-empty only
    blank: bool  # every cell empty
    surplus_cells: int = field(default=0)  # non-empty cells beyond the header's columns


def clean_headers(raw: list[str]) -> list[str]:
    """Header names without BOM remnants or surrounding spaces, made unique.

    An empty header becomes "_column_N" (N = column number); a repeated one gets a suffix:
    "Email", "Email (2)".
    """
    headers: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(raw, start=1):
        name = cell.replace("\ufeff", "").strip() or f"_column_{index}"
        unique, copy = name, 1
        while unique in seen:
            copy += 1
            unique = f"{name} ({copy})"
        seen.add(unique)
        headers.append(unique)
    return headers


def open_csv(stream: BinaryIO, fmt: CsvFormat) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(headers, records): the cleaned header and an iterator of (row number, raw cells).

    Reads lazily from `stream`; raises InvalidCsv when the file has no header row, or (from
    the iterator) when a record cannot be parsed.
    """
    records = read_records(stream, fmt)
    for _number, cells in records:
        if any(cell.strip() for cell in cells):
            return clean_headers(cells), records
    raise InvalidCsv("the file is empty: expected a header row with column names", row=1)


def read_header(stream: BinaryIO, fmt: CsvFormat) -> list[str]:
    """The cleaned header of the file (consumes the stream up to it)."""
    headers, _ = open_csv(stream, fmt)
    return headers


def read_rows(stream: BinaryIO, fmt: CsvFormat, mapping: ColumnMapping) -> Iterator[CsvRow]:
    """Every data row after the header, mapped to contact fields, streamed.

    Values are verbatim apart from surrounding whitespace (a leading `=`, `+`, `-` or `@` is
    kept); cells past the header's columns are kept as "_extra_N" (N = column number).
    """
    headers, records = open_csv(stream, fmt)
    columns = [mapping.columns.get(header) for header in headers]
    mapped = [canonical for canonical in columns if canonical is not None]
    for number, cells in records:
        values = dict.fromkeys(mapped, "")
        extra: dict[str, str] = {}
        surplus = 0
        blank = True
        for index, cell in enumerate(cells):
            if not cell:
                continue
            # PostgreSQL cannot store NUL in text; it never means anything in a CSV cell.
            value = (cell.replace("\x00", "") if "\x00" in cell else cell).strip()
            # (`in` first: counting every cell's lines costs a tenth of the parse.)
            if "\n" in value and value.count("\n") > RUNAWAY_LINES:
                raise InvalidCsv(
                    f"a quoted field spans more than {RUNAWAY_LINES:,} lines: a quote is "
                    "probably never closed; fix the row and import again",
                    row=number,
                )
            if not value:
                continue
            blank = False
            if index >= len(headers):
                surplus += 1
                extra[f"_extra_{index + 1}"] = value
            elif (canonical := columns[index]) is not None:
                values[canonical] = value
            else:
                extra[headers[index]] = value
        yield CsvRow(number=number, values=values, extra=extra, blank=blank, surplus_cells=surplus)


def read_records(stream: BinaryIO, fmt: CsvFormat) -> Iterator[tuple[int, list[str]]]:
    """Every record of the file, header included, as (row number, raw cells), streamed."""
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    errors = "replace" if fmt.encoding == "cp1252" else _UTF8_FALLBACK
    text = io.TextIOWrapper(stream, encoding=fmt.encoding, errors=errors, newline="")
    reader = csv.reader(_bounded_lines(text), delimiter=fmt.delimiter)
    number = 0
    try:
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise InvalidCsv(_explain(error), row=number) from error
            except _LineTooLong as error:
                raise InvalidCsv(str(error), row=number) from error
            yield number, cells
    finally:
        # The caller owns the binary stream: do not let the wrapper close it.
        text.detach()


class _LineTooLong(Exception):
    pass


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The physical lines of the file, refusing one too long to hold in memory."""
    while line := text.readline(MAX_LINE_CHARS):
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise _LineTooLong(
                f"a line is longer than {MAX_LINE_CHARS // (1024 * 1024)} MB; "
                "is this really a CSV file?"
            )
        yield line


def _explain(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f'a cell is longer than {MAX_FIELD_CHARS // 1024} KB, usually a quote (") that is '
            "opened and never closed in this row"
        )
    return f"not valid CSV ({error})"
