"""The platform's long-lived parts, built once per process (API, worker or CLI) and closed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.events.notifier import Notifier
from salesauto.events.tail import EventTail
from salesauto.integrations.providers import local_sandbox_base
from salesauto.integrations.registry import Integrations
from salesauto.jobs.queue import Queue
from salesauto.jobs.registry import load_job_modules
from salesauto.jobs.scheduler import Scheduler
from salesauto.jobs.service import JobService
from salesauto.jobs.worker import Worker
from salesauto.kit.db import create_engine
from salesauto.security.credentials import CredentialStore
from salesauto.security.crypto import CredentialCipher
from salesauto.security.keystore import KeyStore

DEFAULT_WORKSPACE = "default"
# The settings field holding each provider's credential.
CREDENTIAL_FIELDS = {
    "hubspot": "hubspot_access_token",
    "lemlist": "lemlist_api_key",
    "explorium": "explorium_api_key",
    "apollo": "apollo_api_key",
}


@dataclass
class Platform:
    settings: Settings
    engine: AsyncEngine
    notifier: Notifier
    queue: Queue
    jobs: JobService
    tail: EventTail
    integrations: Integrations
    keys: KeyStore
    credentials: CredentialStore
    _background: list[asyncio.Task[None]] = field(default_factory=list)
    _worker: Worker | None = None
    _stop_scheduler: asyncio.Event = field(default_factory=asyncio.Event)
    _credentials_applied: bool = False

    @classmethod
    def build(cls, settings: Settings) -> Platform:
        load_job_modules(settings.job_modules)
        url = settings.resolved_database_url
        engine = create_engine(url, pool_size=settings.database_pool_size)
        notifier = Notifier(url)
        queue = Queue(engine, settings, notifier)
        tail = EventTail(engine, notifier, poll_seconds=0.25 if settings.is_sqlite else 1.0)
        # Providers without keys use the sandbox this process's API mounts (or sandbox_url).
        integrations = Integrations.build(settings, sandbox_base=local_sandbox_base(settings))
        keys = KeyStore(
            engine,
            cache_seconds=settings.key_cache_seconds,
            concurrency=settings.key_hash_concurrency,
        )
        credentials = CredentialStore(engine, CredentialCipher.from_settings(settings))
        return cls(
            settings,
            engine,
            notifier,
            queue,
            JobService(queue),
            tail,
            integrations,
            keys,
            credentials,
        )

    async def start(self, *, events: bool = True) -> None:
        await self.apply_stored_credentials()
        await self.notifier.start()
        if events:
            await self.tail.start()

    async def apply_stored_credentials(self) -> None:
        """Provider keys set through the API (default workspace) win over the settings' ones;
        called at start and whenever one is set or removed."""
        stored = await self.credentials.secrets_of(DEFAULT_WORKSPACE)
        if not stored and not self._credentials_applied:
            return
        overlay = {f"{CREDENTIAL_FIELDS[name]}": SecretStr(value) for name, value in stored.items()}
        settings = self.settings.model_copy(update=overlay)
        previous = self.integrations
        self.integrations = Integrations.build(settings, sandbox_base=local_sandbox_base(settings))
        self._credentials_applied = True
        await previous.aclose()

    def start_worker(self, *, concurrency: int | None = None, scheduler: bool = True) -> Worker:
        """Run a worker (and the cron scheduler) as tasks of this process's event loop."""
        worker = Worker(self.queue, concurrency=concurrency, services=self)
        self._worker = worker
        self._background.append(asyncio.create_task(worker.run(), name="salesauto-worker"))
        if scheduler:
            self._background.append(
                asyncio.create_task(
                    Scheduler(self.queue).run(self._stop_scheduler), name="salesauto-scheduler"
                )
            )
        return worker

    async def stop(self) -> None:
        self._stop_scheduler.set()
        if self._worker is not None:
            self._worker.request_stop()
        if self._background:
            # asyncio.wait, not `await task`: a cancellation of our caller must propagate.
            await asyncio.wait(self._background)
        self._background.clear()
        await self.tail.stop()
        await self.notifier.stop()
        await self.queue.close()
        await self.integrations.aclose()
        await self.keys.close()
        await self.engine.dispose()
