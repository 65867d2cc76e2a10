"""The funnel's pause rules on one enrollment row: which pauses a send may end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from salesauto.campaigns.funnel import event_change

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _paused(until: datetime | None) -> SimpleNamespace:
    return SimpleNamespace(
        status="paused",
        paused_until=until,
        completed_at=None,
        last_reply_at=None,
        current_step=1,
        last_event_at=NOW - timedelta(days=2),
        sent_at=NOW - timedelta(days=2),
        delivered_at=NOW - timedelta(days=2),
        opened_at=None,
        clicked_at=None,
        replied_at=None,
        bounced_at=None,
        unsubscribed_at=None,
    )


def test_a_send_after_the_return_date_ends_an_out_of_office_pause() -> None:
    change = event_change(_paused(NOW - timedelta(hours=1)), "sent", NOW, 2, None)
    assert change.values["status"] == "active"
    assert change.values["paused_until"] is None


def test_a_send_before_the_return_date_keeps_the_pause() -> None:
    change = event_change(_paused(NOW + timedelta(days=3)), "sent", NOW, 2, None)
    assert "status" not in change.values


def test_a_send_does_not_undo_a_users_pause() -> None:
    # lemlist may report a send it made just before the user's pause reached it.
    change = event_change(_paused(None), "sent", NOW, 2, None)
    assert "status" not in change.values
