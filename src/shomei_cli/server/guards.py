"""Abuse limits: login attempts per ID and per client address, and the size of request bodies."""

from __future__ import annotations

import math
import time
from typing import Any

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from shomei_cli.domain.errors import RateLimited
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
                raise RateLimited(f"Too many login attempts; try again in {wait} seconds.", wait)


class BodySizeLimit:
    """Pure ASGI middleware: refuse request bodies over ``max_bytes`` with 413, declared or streamed."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        response = problem_response(
            413, "body_too_large", f"The request body is larger than {self.max_bytes} bytes."
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
