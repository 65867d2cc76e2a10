"""Argon2id hashing of API key secrets, off the event loop and with bounded concurrency.

The seed stores keys as Argon2id (time cost 3, 64 MiB). Each verification takes tens of
milliseconds and 64 MiB, so at most `concurrency` run at once (a flood of bogus keys cannot
exhaust memory) and verified keys are cached by the key store.
"""

from __future__ import annotations

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TIME_COST = 3
MEMORY_KIB = 64 * 1024
PARALLELISM = 1


class KeyHasher:
    def __init__(self, concurrency: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM
        )
        self._slots = anyio.Semaphore(concurrency)

    async def hash(self, secret: str) -> str:
        async with self._slots:
            return await anyio.to_thread.run_sync(self._hasher.hash, secret)

    async def verify(self, stored_hash: str, secret: str) -> bool:
        async with self._slots:
            return await anyio.to_thread.run_sync(self._verify, stored_hash, secret)

    def _verify(self, stored_hash: str, secret: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
