"""The in-process moving window: the verdicts of `limits`' moving window, without awaiting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from limits import parse

from salesauto.security.windows import SWEEP_SECONDS, LocalWindows


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_full_window_refuses_until_its_oldest_request_leaves_it() -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    three_a_second = parse("3/second")
    verdicts = []
    for offset in (0.0, 0.3, 0.6, 0.9):
        clock.now = 1_000_000.0 + offset
        verdicts.append(windows.hit(three_a_second, "webhooks", "lemlist:192.0.2.1"))
    assert [allowed for allowed, _, _ in verdicts] == [True, True, True, False]
    assert [remaining for _, _, remaining in verdicts] == [2, 1, 0, 0]
    # The refused request waits for the first one (at 0.0) to leave, one second later.
    assert verdicts[-1][1] == 1_000_001.0
    clock.now = 1_000_001.0  # exactly a second old: still inside, as in `limits`
    assert windows.hit(three_a_second, "webhooks", "lemlist:192.0.2.1")[0] is False
    clock.now = 1_000_001.01
    allowed, reset, remaining = windows.hit(three_a_second, "webhooks", "lemlist:192.0.2.1")
    assert (allowed, reset, remaining) == (True, 1_000_001.3, 0)


def test_identities_and_limits_have_windows_of_their_own() -> None:
    windows = LocalWindows(Clock())
    one_a_minute = parse("1/minute")
    assert windows.hit(one_a_minute, "auth", "192.0.2.1")[0] is True
    assert windows.hit(one_a_minute, "auth", "192.0.2.1")[0] is False
    assert windows.hit(one_a_minute, "auth", "192.0.2.2")[0] is True
    assert windows.hit(parse("2/minute"), "auth", "192.0.2.1")[0] is True


def test_windows_of_clients_gone_quiet_are_forgotten() -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    for n in range(50):
        windows.hit(parse("10/second"), "webhooks", f"lemlist:192.0.2.{n}")
    windows.hit(parse("10/hour"), "auth", "198.51.100.7")
    assert len(windows) == 51
    clock.now += SWEEP_SECONDS + 1
    windows.hit(parse("10/second"), "webhooks", "lemlist:203.0.113.1")
    # The hour-long window still holds its request; the second-long ones are empty.
    assert len(windows) == 2


@given(
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.7), min_size=1, max_size=80),
    amount=st.integers(min_value=1, max_value=6),
)
def test_verdicts_match_a_count_of_the_allowed_requests_in_the_last_second(
    gaps: list[float], amount: int
) -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    item = parse(f"{amount}/second")
    allowed_at: list[float] = []
    for gap in gaps:
        clock.now += gap
        inside = [t for t in allowed_at if t >= clock.now - 1.0]
        allowed, reset, remaining = windows.hit(item, "default", "key-1")
        assert allowed is (len(inside) < amount)
        if allowed:
            allowed_at.append(clock.now)
            inside.append(clock.now)
        assert remaining == amount - len(inside)
        assert reset == min(inside) + 1.0
