"""What an import of a CSV file would do, from its first bytes, before anything is written."""

from __future__ import annotations

import io
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from salesauto.imports.cells import email_problem, normalise_email
from salesauto.imports.csv_format import detect_format
from salesauto.imports.csv_reader import InvalidCsv, clean_headers, read_records
from salesauto.imports.mapping import ColumnMapping, propose_mapping

PREVIEW_BYTES = 64 * 1024
# Past this many row problems the list stops helping; a count says how many more there are.
_MAX_ROW_PROBLEMS = 20

Record = tuple[int, list[str]]


class CsvPreview(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True
    )

    encoding: str = Field(description='"utf-8-sig", "utf-8" or "cp1252" (Windows-1252).')
    delimiter: str = Field(description='"," ";" "\\t" or "|".')
    headers: list[str] = Field(description="Column names, made unique.")
    mapping: dict[str, str | None] = Field(
        description="Proposed contact field per column; null keeps the column as extra data."
    )
    sample_rows: list[dict[str, str]] = Field(description="The first rows, column -> value.")
    rows_sampled: int = Field(description="Data rows examined in the sample for problems.")
    problems: list[str] = Field(description="What would go wrong, and how to fix it.")


def preview_csv(sample: bytes, *, max_rows: int = 10) -> CsvPreview:
    """Detected format, proposed mapping, the first `max_rows` rows and the problems found.

    `sample` is the start of the file (`PREVIEW_BYTES` is enough). A sample of that size or
    more is taken to be cut, so its last, possibly partial, record is left out.
    """
    fmt = detect_format(sample)
    problems: list[str] = []
    records = _complete_records(
        read_records(io.BytesIO(sample), fmt), len(sample) >= PREVIEW_BYTES, problems
    )
    raw_header = next((cells for _, cells in records if _filled(cells)), None)
    if raw_header is None:
        return CsvPreview(
            encoding=fmt.encoding, delimiter=fmt.delimiter, headers=[], mapping={},
            sample_rows=[], rows_sampled=0,
            problems=["the file is empty: the first row must hold the column names"],
        )  # fmt: skip
    headers = clean_headers(raw_header)
    mapping = propose_mapping(headers)
    rows = list(records)
    problems[:0] = _header_problems(raw_header, headers, mapping, rows)
    problems += _row_problems(headers, mapping, rows)
    sample_rows = [_row_dict(headers, cells) for _, cells in rows if _filled(cells)]
    return CsvPreview(
        encoding=fmt.encoding,
        delimiter=fmt.delimiter,
        headers=headers,
        mapping=mapping.as_dict(),
        sample_rows=sample_rows[:max_rows],
        rows_sampled=len(rows),
        problems=problems,
    )


def _filled(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _complete_records(
    records: Iterator[Record], cut: bool, problems: list[str]
) -> Iterator[Record]:
    """The records of the sample, without the last one when the sample was cut."""
    previous: Record | None = None
    try:
        for record in records:
            if previous is not None:
                yield previous
            previous = record
    except InvalidCsv as error:
        if not cut:
            problems.append(str(error))
        return
    if previous is not None and not cut:
        yield previous


def _row_dict(headers: list[str], cells: list[str]) -> dict[str, str]:
    row = dict.fromkeys(headers, "")
    for index, cell in enumerate(cells):
        if index < len(headers):
            row[headers[index]] = cell.strip()
        elif cell.strip():
            row[f"_extra_{index + 1}"] = cell.strip()
    return row


def _header_problems(
    raw: list[str], headers: list[str], mapping: ColumnMapping, rows: list[Record]
) -> list[str]:
    problems: list[str] = []
    if len(headers) == 1:
        problems.append(
            f"only one column found ({headers[0]!r}); columns must be separated by a comma, "
            "a semicolon, a tab or |"
        )
    for index, (original, header) in enumerate(zip(raw, headers, strict=True)):
        if not original.replace("\ufeff", "").strip():
            if any(index < len(cells) and cells[index].strip() for _, cells in rows):
                problems.append(f"column {index + 1} has no header; its values are kept as extra")
        elif header != original.replace("\ufeff", "").strip():
            problems.append(f"duplicate header {original.strip()!r} renamed {header!r}")
    if mapping.header_for("email") is None:
        problems.append(
            "no column looks like an email address; map one with "
            f"mapping={{'{_email_candidate(headers, rows)}': 'email'}}"
        )
    if not rows:
        problems.append("the file has a header but no data rows")
    return problems


def _email_candidate(headers: list[str], rows: list[Record]) -> str:
    """The column whose sampled values most often contain an @, else the first column."""
    hits = [0] * len(headers)
    for _, cells in rows:
        for index, cell in enumerate(cells[: len(headers)]):
            hits[index] += "@" in cell
    best = max(range(len(headers)), key=lambda index: hits[index])
    return headers[best] if hits[best] else "<column>"


def _row_problems(headers: list[str], mapping: ColumnMapping, rows: list[Record]) -> list[str]:
    email_header = mapping.header_for("email")
    email_index = headers.index(email_header) if email_header is not None else None
    listed: list[str] = []
    unlisted = 0
    blank: list[int] = []
    longer: list[int] = []
    first_seen: dict[str, int] = {}
    for number, cells in rows:
        if not _filled(cells):
            blank.append(number)
            continue
        if any(cell.strip() for cell in cells[len(headers) :]):
            longer.append(number)
        if email_index is None:
            continue
        cell = cells[email_index] if email_index < len(cells) else ""
        email = normalise_email(cell)
        reason = email_problem(email or "")
        if reason is None and email is not None:
            if email in first_seen:
                reason = f"same email as row {first_seen[email]}; the rows will be merged"
            else:
                first_seen[email] = number
        if reason is None:
            continue
        if len(listed) < _MAX_ROW_PROBLEMS:
            listed.append(f"row {number}: {reason}")
        else:
            unlisted += 1
    problems = listed
    if unlisted:
        problems.append(f"… and {unlisted} more rows with an email problem in the sample")
    if longer:
        problems.append(
            f"{_rows(longer)} more cells than the header (first: row {longer[0]}); "
            "the extra cells are kept as '_extra_N' (N = column number)"
        )
    if blank:
        some = "1 blank row" if len(blank) == 1 else f"{len(blank)} blank rows"
        problems.append(f"{some} will be skipped (first: row {blank[0]})")
    return problems


def _rows(numbers: list[int]) -> str:
    return "1 row has" if len(numbers) == 1 else f"{len(numbers)} rows have"
