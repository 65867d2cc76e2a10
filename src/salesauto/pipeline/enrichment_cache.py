"""The `enrichment_cache` table: providers' answers, kept for a while so none is bought twice.

One row per (provider, kind, entity): `explorium:person:<email>`, `apollo:company:<domain>`.
`data` is `{"match": <the profile>}`, or `{"match": null}` for a lookup the provider could not
match: a miss costs a credit too, so it is remembered like an answer. An entry stops counting
at `expires_at` (`enrichment_cache_days` after it was bought) and the next lookup buys it again.

The cache has no workspace column on purpose: what a provider says about a person or a company
does not depend on who asks, so one workspace's purchase serves every other one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import LOOKUP_CHUNK, one_of
from salesauto.integrations.models import CompanyProfile, PersonProfile
from salesauto.models.base import table_of
from salesauto.models.contacts import EnrichmentCacheEntry

CACHE = table_of(EnrichmentCacheEntry)
KEY_LENGTH = 300
EntityKind = Literal["person", "company"]
Profile = PersonProfile | CompanyProfile
ProfileT = TypeVar("ProfileT", PersonProfile, CompanyProfile)
KINDS: dict[type[Profile], EntityKind] = {PersonProfile: "person", CompanyProfile: "company"}


def cache_key(provider: str, kind: EntityKind, identity: str) -> str:
    """`<provider>:<kind>:<identity>`; an identity too long for the column is hashed."""
    key = f"{provider}:{kind}:{identity}"
    if len(key) <= KEY_LENGTH:
        return key
    return f"{provider}:{kind}:sha256:{hashlib.sha256(identity.encode()).hexdigest()}"


@dataclass(frozen=True)
class CachePolicy:
    """Which entries count: unexpired ones, and with `cached_after` only those bought since
    (a `refresh` ignores what was cached before the step started, retries included)."""

    ttl: timedelta
    cached_after: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.ttl > timedelta(0)


async def cached_answers(
    conn: AsyncConnection,
    provider: str,
    model: type[ProfileT],
    identities: Sequence[str],
    policy: CachePolicy,
    *,
    now: datetime,
) -> dict[str, ProfileT | None]:
    """The cached answers among `identities`, by identity (None: a remembered miss)."""
    if not identities or not policy.enabled:
        return {}
    kind = KINDS[model]
    identity_of = {cache_key(provider, kind, identity): identity for identity in identities}
    keys = list(identity_of)
    found: dict[str, ProfileT | None] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        statement = sa.select(CACHE.c.key, CACHE.c.data).where(
            one_of(conn, CACHE.c.key, keys[start : start + LOOKUP_CHUNK]),
            sa.or_(CACHE.c.expires_at.is_(None), CACHE.c.expires_at > now),
        )
        if policy.cached_after is not None:
            statement = statement.where(CACHE.c.cached_at >= policy.cached_after)
        for key, data in await conn.execute(statement):
            if "match" not in data:
                continue
            if data["match"] is None:
                found[identity_of[key]] = None
                continue
            try:
                found[identity_of[key]] = model.model_validate(data["match"])
            except ValidationError:
                continue  # written by an older shape of the profile: bought again
    return found


async def remember_answers(
    conn: AsyncConnection,
    provider: str,
    model: type[ProfileT],
    answers: Iterable[tuple[str, ProfileT | None]],
    policy: CachePolicy,
    *,
    now: datetime,
) -> None:
    """Upsert `(identity, answer)` pairs; a later purchase replaces an earlier one."""
    if not policy.enabled:
        return
    kind = KINDS[model]
    rows: dict[str, dict[str, Any]] = {}
    for identity, answer in answers:
        key = cache_key(provider, kind, identity)
        rows[key] = {
            "key": key,
            "source": provider,
            "data": {"match": answer.model_dump(mode="json") if answer is not None else None},
            "cached_at": now,
            "expires_at": now + policy.ttl,
        }
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CACHE)
    statement = statement.on_conflict_do_update(
        index_elements=[CACHE.c.key],
        set_={
            "source": statement.excluded.source,
            "data": statement.excluded.data,
            "cached_at": statement.excluded.cached_at,
            "expires_at": statement.excluded.expires_at,
        },
    )
    # In key order: two jobs upserting overlapping keys then lock them in the same order,
    # so neither can hold one key while waiting for another the other holds (a deadlock).
    values = [rows[key] for key in sorted(rows)]
    for start in range(0, len(values), LOOKUP_CHUNK):
        await conn.execute(statement, values[start : start + LOOKUP_CHUNK])
