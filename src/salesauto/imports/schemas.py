"""Import summaries and requests."""

from __future__ import annotations

from pydantic import Field

from salesauto.kit.schemas import ApiModel

MAX_LISTED_REJECTIONS = 1000


class RejectedRow(ApiModel):
    row: int = Field(description="Spreadsheet row number (the header is row 1)")
    email: str | None = None
    reason: str


class ImportSummary(ApiModel):
    """What an import did: every row is counted in exactly one of created, updated,
    unchanged, duplicates, rejected and blank."""

    source: str
    file_name: str | None = None
    rows_read: int = 0
    created: int = 0
    updated: int = Field(0, description="Already known; the file brought new values")
    unchanged: int = Field(0, description="Already known; nothing new in the file")
    duplicates: int = Field(0, description="Repeats of an email seen earlier in the file, merged")
    rejected: int = 0
    blank: int = Field(0, description="Empty rows, skipped")
    erased: int = Field(0, description="Erased on request earlier: not imported again")
    suppressed: int = Field(
        0, description="Imported, but on the suppression list: never enriched, synced or sent"
    )
    truncated: str | None = Field(
        None, description="Set when the source had more than could be read, and why"
    )
    mapping: dict[str, str | None] = Field(default_factory=dict)
    rejected_rows: list[RejectedRow] = Field(
        default_factory=list, description=f"The first {MAX_LISTED_REJECTIONS} rejected rows"
    )

    def reject(self, row: int, email: str | None, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < MAX_LISTED_REJECTIONS:
            self.rejected_rows.append(RejectedRow(row=row, email=email, reason=reason))
