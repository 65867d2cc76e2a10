"""The load for bench/webhooks.py: lemlist webhook bodies for real enrollments, and the
connections that post them (a minimal HTTP/1.1 client, or httpx)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

DUPLICATE_SHARE = 0.10
# lemlist activity types and their share of a campaign's traffic.
MIX = (
    ("emailsSent", 35),
    ("emailsOpened", 38),
    ("emailsClicked", 14),
    ("emailsReplied", 5),
    ("emailsInterested", 3),
    ("emailsBounced", 3),
    ("emailsUnsubscribed", 2),
)


def deliveries(leads: list[tuple[str, str]], count: int, rng: random.Random) -> Iterator[bytes]:
    """lemlist webhook bodies; about DUPLICATE_SHARE of them repeat an earlier one."""
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    sent: list[bytes] = []
    for _ in range(count):
        if sent and rng.random() < DUPLICATE_SHARE:
            yield rng.choice(sent)
            continue
        campaign, email = rng.choice(leads)
        kind = rng.choices(kinds, weights)[0]
        local = email.split("@")[0]
        activity: dict[str, Any] = {
            "_id": f"act_{uuid.uuid4().hex[:17]}",
            "type": kind,
            "isFirst": rng.random() < 0.5,
            "teamId": "tea_bench",
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "campaignId": campaign,
            "campaignName": f"Bench {campaign[-2:]}",
            "sequenceId": "seq_bench",
            "sequenceStep": rng.randrange(3),
            "leadId": f"lea_{local}",
            "leadEmail": email,
            "leadFirstName": local.capitalize(),
            "sendUserEmail": "claire.martin@northwind-demo.com",
            "subject": "Pipeline hygiene at your company",
        }
        if kind == "emailsReplied":
            activity["text"] = "Thanks, could you send more details next week?"
        body = json.dumps(activity).encode()
        sent.append(body)
        yield body


class RawConnection:
    """One keep-alive HTTP/1.1 connection that says just what this bench needs: a POST with a
    Content-Length, an answer with one. About 0.02 ms of client CPU per request where httpx
    spends ~0.9 ms: on a small machine the load generator shares the cores with the API, the
    worker and the database, and its cost would otherwise come off their figures."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST {path} HTTP/1.1\r\nhost: {host}:{port}\r\n"
            "content-type: application/json\r\ncontent-length: "
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        try:
            self.writer.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            fields = dict(
                line.split(b":", 1) for line in head.lower().split(b"\r\n")[1:] if b":" in line
            )
            data = await self.reader.readexactly(int(fields.get(b"content-length", b"0")))
        except (OSError, asyncio.IncompleteReadError):
            await self.aclose()
            raise
        if fields.get(b"connection", b"").strip() == b"close":
            await self.aclose()
        return status, data

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxConnection:
    """One httpx client with one keep-alive connection, like a provider's delivery worker.
    (One client sharing a pool of connections costs ~2.5 ms of client CPU per request.)"""

    def __init__(self, base_url: str, path: str) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits)
        self.path = path

    async def post(self, body: bytes) -> tuple[int, bytes]:
        response = await self.http.post(
            self.path, content=body, headers={"content-type": "application/json"}
        )
        return response.status_code, response.content

    async def aclose(self) -> None:
        await self.http.aclose()


class Senders:
    """`connections` concurrent keep-alive connections posting deliveries to the hook URL of
    one or more API processes."""

    def __init__(self, base_urls: list[str], token: str, connections: int, client: str) -> None:
        path = f"/webhooks/lemlist/{token}"
        self.connections: list[RawConnection | HttpxConnection] = []
        for index in range(connections):
            # Spread over the API processes, as a load balancer would.
            base_url = base_urls[index % len(base_urls)]
            url = httpx.URL(base_url)
            self.connections.append(
                RawConnection(url.host, url.port or 80, path)
                if client == "raw"
                else HttpxConnection(base_url, path)
            )
        self.latencies: list[float] = []
        self.stored = 0
        self.duplicates = 0
        self.errors: dict[str, int] = {}

    async def deliver(
        self, connection: RawConnection | HttpxConnection, body: bytes, since: float
    ) -> None:
        """POST one delivery; its latency counts from `since` (when it was due)."""
        try:
            status, data = await connection.post(body)
        except (httpx.HTTPError, OSError, asyncio.IncompleteReadError) as error:
            self.errors[type(error).__name__] = self.errors.get(type(error).__name__, 0) + 1
            return
        self.latencies.append(time.perf_counter() - since)
        if status != 200:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1
            return
        ack = json.loads(data)
        self.stored += ack["received"]
        self.duplicates += ack["duplicates"]

    async def paced(self, bodies: list[bytes], rate: float) -> float:
        """Send at `rate` per second, open loop: a slow answer does not slow the sending, and
        a delivery that waits for a free connection has that wait in its latency."""
        idle: asyncio.Queue[RawConnection | HttpxConnection] = asyncio.Queue()
        for connection in self.connections:
            idle.put_nowait(connection)

        async def send(body: bytes, due: float) -> None:
            connection = await idle.get()
            try:
                await self.deliver(connection, body, due)
            finally:
                idle.put_nowait(connection)

        tasks: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        for index, body in enumerate(bodies):
            due = started + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(send(body, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
        return time.perf_counter() - started

    async def flat_out(self, bodies: list[bytes]) -> float:
        """Every connection sends its next delivery as soon as the last one is answered."""
        feed = iter(bodies)

        async def caller(connection: RawConnection | HttpxConnection) -> None:
            for body in feed:
                await self.deliver(connection, body, time.perf_counter())

        started = time.perf_counter()
        await asyncio.gather(*(caller(connection) for connection in self.connections))
        return time.perf_counter() - started

    async def aclose(self) -> None:
        for connection in self.connections:
            await connection.aclose()
