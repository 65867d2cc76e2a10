"""How one event moves an enrollment: its status, step and funnel marks.

Pure functions over the locked enrollment row, so the rules read in one place:

- Status only moves up this ladder (a late or reordered event never moves it back):
  pending < enrolled < active = paused < completed < stopped < replied < bounced < unsubscribed.
  Two exceptions, both about time rather than rank: a `sent` at or after `paused_until`
  resumes a paused enrollment (the provider is contacting them again), and an out-of-office
  about the latest reply turns `replied` into `paused` (that reply was an auto-reply).
- Funnel marks (`sent_at`, `opened_at`, …) hold the earliest time the lead reached a stage.
  Counters count leads, not messages: the first mark of a kind adds one to the instance's
  counter, a repeat adds nothing. Like lemlist's own `nbLeadsReached`, a lead is delivered
  once sent (or reported delivered) unless it bounced: a bounce clears `delivered_at` and
  takes the lead back out of `total_delivered`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATUS_RANK = {
    "pending": 0,
    "enrolled": 1,
    "active": 2,
    "paused": 2,
    "completed": 3,
    "stopped": 4,
    "replied": 5,
    "bounced": 6,
    "unsubscribed": 7,
}
# Statuses after which the provider contacts the lead no more.
FINISHED = frozenset({"completed", "stopped", "replied", "bounced", "unsubscribed"})
# The event that first sets each mark (and the instance counter it feeds).
MARKS = {
    "sent": "sent_at",
    "delivered": "delivered_at",
    "opened": "opened_at",
    "clicked": "clicked_at",
    "replied": "replied_at",
    "bounced": "bounced_at",
    "unsubscribed": "unsubscribed_at",
}
COUNTERS = {
    "sent_at": "total_sent",
    "delivered_at": "total_delivered",
    "opened_at": "total_opened",
    "clicked_at": "total_clicked",
    "replied_at": "total_replied",
    "bounced_at": "total_bounced",
    "unsubscribed_at": "total_unsubscribed",
}
ENGAGEMENT = frozenset({"sent", "delivered", "opened", "clicked"})
OUT_OF_OFFICE_PAUSES = frozenset({"enrolled", "active", "paused", "replied"})


@dataclass
class Change:
    """What applying one event does: enrollment column updates and counter deltas."""

    values: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, mark: str, delta: int) -> None:
        counter = COUNTERS[mark]
        self.counters[counter] = self.counters.get(counter, 0) + delta


def later_status(current: str, proposed: str) -> str:
    return proposed if STATUS_RANK.get(proposed, -1) > STATUS_RANK.get(current, -1) else current


def _mark(row: Any, change: Change, mark: str, at: datetime) -> bool:
    """Set the mark to the earliest time seen; True when the lead reached it just now."""
    stored: datetime | None = getattr(row, mark)
    if stored is None:
        change.values[mark] = at
        change.count(mark, 1)
        return True
    if at < stored:
        change.values[mark] = at
    return False


def _deliver(row: Any, change: Change, at: datetime) -> None:
    if row.bounced_at is None:
        _mark(row, change, "delivered_at", at)


def next_status(row: Any, event_type: str, at: datetime, return_at: datetime | None) -> str:
    status: str = row.status
    if event_type in ENGAGEMENT:
        resumes = (
            status == "paused"
            and event_type == "sent"
            # Only a dated (out-of-office) pause ends by itself; a user's pause (no date)
            # is not undone by a send lemlist made before the pause reached it.
            and row.paused_until is not None
            and at >= row.paused_until
        )
        return "active" if resumes else later_status(status, "active")
    if event_type in ("replied", "bounced", "unsubscribed"):
        return later_status(status, event_type)
    if event_type == "out_of_office":
        about_latest_reply = row.last_reply_at is None or at >= row.last_reply_at
        if return_at is not None and return_at > at and status in OUT_OF_OFFICE_PAUSES:
            return "paused" if about_latest_reply else status
    return status


def event_change(
    row: Any, event_type: str, at: datetime, step: int | None, return_at: datetime | None
) -> Change:
    """The updates one event makes to its (locked) enrollment row."""
    change = Change()
    mark = MARKS.get(event_type)
    if mark is not None:
        _mark(row, change, mark, at)
    if event_type in ("sent", "delivered"):
        _deliver(row, change, at)
    if event_type == "bounced" and row.delivered_at is not None:
        change.values["delivered_at"] = None
        change.count("delivered_at", -1)
    status = next_status(row, event_type, at, return_at)
    if status != row.status:
        change.values["status"] = status
        if status in FINISHED and row.completed_at is None:
            change.values["completed_at"] = at
        if status == "paused":
            change.values["paused_until"] = return_at
            change.values["completed_at"] = None  # an auto-reply did not end the sequence
    elif status == "paused" and event_type == "out_of_office" and return_at is not None:
        change.values["paused_until"] = return_at  # a newer return date
    if status != "paused" and row.paused_until is not None and status != row.status:
        change.values["paused_until"] = None
    if step is not None and step > row.current_step:
        change.values["current_step"] = step
    if row.last_event_at is None or at > row.last_event_at:
        change.values["last_event_at"] = at
    return change
