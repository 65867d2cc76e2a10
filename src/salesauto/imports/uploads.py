"""Storing an uploaded CSV under the data folder, refusing what is over the size limit.

In a cluster the data folder must be shared (a volume) so any worker can read the upload.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.kit.errors import SalesautoError

CHUNK = 1024 * 1024


class UploadTooLarge(SalesautoError):
    status_code = 413


async def store_upload(upload: UploadFile, folder: Path, *, max_bytes: int) -> Path:
    """Copy the upload to `folder/<uuid>.csv` in chunks; 413 once it passes `max_bytes`."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.csv"
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := await upload.read(CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise UploadTooLarge(
                        f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit "
                        "(SALESAUTO_IMPORT_MAX_UPLOAD_MB); split it or raise the limit",
                        limitBytes=max_bytes,
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if written == 0:
        target.unlink(missing_ok=True)
        raise SalesautoError("the uploaded file is empty; send a CSV with a header row")
    return target


class UploadSizeLimit:
    """ASGI middleware: a body to `/api/import/` past the limit gets 413 as soon as it is —
    before FastAPI would have spooled all of it to disk (a lying or absent Content-Length
    changes nothing: the bytes are counted as they arrive)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, prefix: str = "/api/import/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        # Room for the multipart envelope around the file itself.
        allowed = self.max_bytes + 64 * 1024
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > allowed:
            await self._too_large(scope, receive, send)  # refused before a byte is read
            return
        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed and not started:
                    refused = True
                    await self._too_large(scope, receive, send)
                    # The app sees the client gone and stops reading; its answer is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_mb = self.max_bytes // (1024 * 1024)
        response = JSONResponse(
            {
                "success": False,
                "error": f"the upload is larger than the {limit_mb} MB limit "
                "(SALESAUTO_IMPORT_MAX_UPLOAD_MB); split the file or raise the limit",
                "limitBytes": self.max_bytes,
            },
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
