"""The body guard: size, media type and shape of request bodies, checked before routing.

Bodies are counted as they arrive, so a lying or absent Content-Length (chunked upload) is
refused as soon as it passes the limit, not after it is buffered. A body that passes reaches
the app byte for byte as it was sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.security.json_checks import JsonRefused, checked_json
from salesauto.security.refusals import refuse

if TYPE_CHECKING:
    from salesauto.security.settings import SecuritySettings

GUARDED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# CSV uploads (and their preview) are multipart, sized by SALESAUTO_IMPORT_MAX_UPLOAD_MB;
# /api/import/lemlist and /api/import/hubspot are JSON and stay guarded.
UPLOAD_PATHS = ("/api/import/csv",)


class BodyGuard:
    """413 over `max_body_bytes`, 415 for a body that is not JSON, 422 for deep nesting,
    invalid JSON, huge integers and `__proto__`-like keys, on writes under `prefixes`.

    Paths starting with one of `multipart_paths` are left alone. An empty body passes
    whatever its type: action routes (`POST …/start`) send none.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_depth: int,
        multipart_paths: tuple[str, ...],
        prefixes: tuple[str, ...] = ("/api",),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_depth = max_depth
        self.multipart_paths = multipart_paths
        self.prefixes = prefixes

    @classmethod
    def from_settings(
        cls, app: ASGIApp, settings: SecuritySettings, *, multipart_paths: tuple[str, ...] = ()
    ) -> Self:
        return cls(
            app,
            max_body_bytes=settings.max_body_kb * 1024,
            max_depth=settings.max_json_depth,
            multipart_paths=multipart_paths or UPLOAD_PATHS,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_nul(scope):
            # PostgreSQL text cannot hold NUL; refuse it up front rather than fail in a query.
            await refuse(scope, receive, send, 400, NUL_REFUSED)
            return
        if not self._guards(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)  # refused before a byte is read
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away mid-body: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body:
            media_type = headers.get(b"content-type", b"").decode("latin-1")
            if not _is_json(media_type):
                await refuse(
                    scope,
                    receive,
                    send,
                    415,
                    "send the body as JSON with `Content-Type: application/json`",
                )
                return
            if b"\\u0000" in body:
                await refuse(scope, receive, send, 422, NUL_REFUSED)
                return
            try:
                checked_json(body, max_depth=self.max_depth)
            except JsonRefused as refused:
                details = {} if refused.field is None else {"field": refused.field}
                await refuse(scope, receive, send, 422, refused.message, details=details)
                return
        await self.app(scope, _replay(body, receive), send)

    def _guards(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in GUARDED_METHODS:
            return False
        path: str = scope["path"]
        if any(path.startswith(prefix) for prefix in self.multipart_paths):
            return False
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.prefixes)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await refuse(
            scope,
            receive,
            send,
            413,
            f"the request body is larger than {_size(self.max_body_bytes)} "
            "(SALESAUTO_MAX_BODY_KB); send fewer records per request or raise the limit",
            # The rest of the body is never read: the connection cannot be reused.
            headers={"Connection": "close"},
            details={"limitBytes": self.max_body_bytes},
        )


def _has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query


NUL_REFUSED = "NUL characters (\\u0000, %00) are not allowed in text; remove them and retry"


def _is_json(media_type: str) -> bool:
    essence = media_type.partition(";")[0].strip().lower()
    return essence == "application/json" or (
        essence.startswith("application/") and essence.endswith("+json")
    )


def _size(limit: int) -> str:
    return f"{limit // 1024} KB" if limit >= 1024 and limit % 1024 == 0 else f"{limit} bytes"


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the buffered body, then waits on the real one."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body only `http.disconnect` remains, as from the server itself.
        return await receive()

    return replayed
