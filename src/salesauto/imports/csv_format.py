"""Detecting how a CSV export is encoded and delimited, from the first bytes of the file."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t", "|")
# Enough records to see a consistent shape; a header plus a few dozen rows.
_RECORDS_TO_INSPECT = 50


@dataclass(frozen=True)
class CsvFormat:
    encoding: str  # "utf-8-sig" | "utf-8" | "cp1252"
    delimiter: str  # "," ";" "\t" or "|"
    has_bom: bool


def detect_encoding(sample: bytes) -> tuple[str, bool]:
    """(encoding, has_bom): a UTF-8 BOM, else valid UTF-8, else Windows-1252.

    The sample may end in the middle of a multi-byte character, so it is decoded
    incrementally without the final flush.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252", False
    return "utf-8", False


def detect_format(sample: bytes) -> CsvFormat:
    """Encoding and delimiter of a CSV file from its first bytes (64 KiB is plenty)."""
    encoding, has_bom = detect_encoding(sample)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    return CsvFormat(encoding=encoding, delimiter=detect_delimiter(text), has_bom=has_bom)


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first records most consistently.

    For each candidate we count its occurrences outside quotes in each record; a candidate
    must appear in the header, and wins by the number of records having the header's field
    count, then by that field count. `csv.Sniffer` guesses from any character and is fooled
    by commas inside values of semicolon files (European decimals, addresses).
    """
    records = [_unquoted(record) for record in _split_records(text)]
    if not records:
        return ","
    best = ","
    best_score = (0, 0)
    for delimiter in DELIMITERS:
        counts = [record.count(delimiter) for record in records]
        if counts[0] == 0:
            continue
        score = (sum(1 for count in counts if count == counts[0]), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _split_records(text: str) -> list[str]:
    """The first non-blank records, with newlines inside quoted fields kept in their record.

    The last record is dropped when the text does not end with a line break (and has other
    records): the sample was probably cut in the middle of it.
    """
    records: list[str] = []
    current: list[str] = []
    in_quotes = False
    previous = ""
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        if ch in "\r\n" and not in_quotes:
            if not (ch == "\n" and previous == "\r"):
                _keep(records, "".join(current))
                current = []
                if len(records) >= _RECORDS_TO_INSPECT:
                    return records
        else:
            current.append(ch)
        previous = ch
    if current and not records:
        _keep(records, "".join(current))
    return records


def _keep(records: list[str], record: str) -> None:
    if record.strip():
        records.append(record)


def _unquoted(record: str) -> str:
    """The record with the content of quoted fields removed."""
    kept: list[str] = []
    in_quotes = False
    for ch in record:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            kept.append(ch)
    return "".join(kept)
