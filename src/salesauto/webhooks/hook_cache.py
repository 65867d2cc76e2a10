"""Live lemlist hooks by token, remembered for a few seconds in each process.

Every lemlist delivery names its hook by the token in its URL. Under load (a campaign's
sends, opens and clicks arrive by the thousand) reading the hook from the database for each
delivery costs a connection checkout and a round trip per request, for the same answer. A hook
found is remembered for `HOOK_CACHE_SECONDS`, keyed by the token's SHA-256 (the token itself
is never kept): a hook revoked by another process stops being accepted within that time, and
one revoked by this process at once. Unknown tokens are never remembered, so junk requests
cannot fill the cache, and it holds at most `HOOK_CACHE_MAX` hooks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

HOOK_CACHE_SECONDS = 10.0
HOOK_CACHE_MAX = 10_000


@dataclass(frozen=True, slots=True)
class CachedHook:
    id: int
    owner_id: str


class HookCache:
    def __init__(
        self,
        ttl_seconds: float = HOOK_CACHE_SECONDS,
        max_entries: int = HOOK_CACHE_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, tuple[float, CachedHook]] = {}

    def get(self, digest: str) -> CachedHook | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        expires, hook = entry
        if expires <= self.clock():
            self._entries.pop(digest, None)
            return None
        return hook

    def put(self, digest: str, hook: CachedHook) -> None:
        if len(self._entries) >= self.max_entries:
            now = self.clock()
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[digest] = (self.clock() + self.ttl_seconds, hook)

    def forget_all(self) -> None:
        """A hook was revoked here: the next delivery of every token reads the database."""
        self._entries.clear()


LEMLIST_HOOKS = HookCache()
