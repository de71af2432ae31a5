"""Abuse limits: login attempts per ID and per client address, and the size of request bodies."""

from __future__ import annotations

import math
import time
from typing import Any

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from shomei_cli import i18n
from shomei_cli.domain.errors import RateLimited
from shomei_cli.i18n import _
from shomei_cli.server.problems import problem_response


class LoginLimiter:
    """Moving-window limits on login attempts, kept in this process's memory.

    The lockout after ten failures lives in the database and holds across servers; these limits only keep one
    client from hammering one server.
    """

    def __init__(self, per_id: str, per_address: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_id = parse(per_id)
        self._per_address = parse(per_address)

    def hit(self, chamber_code: str, login_id: str, address: str) -> None:
        """Count one attempt; raise RateLimited (with seconds to wait) when a limit is exceeded."""
        checks = (
            (self._per_address, ("login-address", address)),
            (self._per_id, ("login-id", chamber_code[:8], login_id[:64])),
        )
        for item, keys in checks:
            if not self._limiter.hit(item, *keys):
                reset_at, _remaining = self._limiter.get_window_stats(item, *keys)
                wait = max(1, math.ceil(reset_at - time.time()))
                raise RateLimited(
                    _("Too many login attempts; try again in {seconds} seconds.").format(seconds=wait), wait
                )


class AddressLimiter:
    """A moving-window limit per client address (the public verification endpoints)."""

    def __init__(self, limit: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limit = parse(limit)

    def hit(self, address: str) -> None:
        if not self._limiter.hit(self._limit, "verify", address):
            reset_at, _remaining = self._limiter.get_window_stats(self._limit, "verify", address)
            wait = max(1, math.ceil(reset_at - time.time()))
            raise RateLimited(
                _("Too many verifications; try again in {seconds} seconds.").format(seconds=wait), wait
            )


class RequestLanguage:
    """Pure ASGI middleware: each request speaks its client's language (Accept-Language; shomei's clients send
    the language they were started in), in a context variable that the route's worker thread inherits."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"accept-language", b"")
        token = i18n.set_language(i18n.from_accept_language(header.decode("latin-1")))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.reset_language(token)


class BodySizeLimit:
    """Pure ASGI middleware: refuse request bodies over ``max_bytes`` with 413, declared or streamed.

    The body is read here first (never more than ``max_bytes``) and handed on whole, so that an oversized
    stream is refused before any route sees it.
    """

    def __init__(self, app: Any, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # path prefixes that take uploads, with their own limits
        self.larger = larger or {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next((v for prefix, v in self.larger.items() if path.startswith(prefix)), self.max_bytes)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any, limit: int) -> None:
        response = problem_response(
            413, "body_too_large", _("The request body is larger than {limit} bytes.").format(limit=limit)
        )
        await response(scope, receive, send)
