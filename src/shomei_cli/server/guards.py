"""Abuse limits: where their counters live, who the client is (behind trusted proxies only), verification
limits, and the size of request bodies. Login throttling itself is a service (services/throttle.py) that
counts in the storage made here."""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Sequence
from typing import Any

from limits import parse
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from shomei_cli import i18n
from shomei_cli.domain.errors import RateLimited
from shomei_cli.i18n import _
from shomei_cli.server.problems import problem_response

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def limits_storage(url: str | None) -> Storage:
    """The storage of every limit and login counter (SHOMEI_RATE_LIMIT_STORAGE, read in ServerSettings):
    a ``limits`` storage URL such as redis://127.0.0.1:6379, shared by every server process that names it;
    None: this process's memory."""
    if not url:
        return MemoryStorage()
    from limits.storage import storage_from_string

    try:
        storage = storage_from_string(url)
    except Exception as exc:  # an unknown scheme, a missing driver
        raise ValueError(f"SHOMEI_RATE_LIMIT_STORAGE: {type(exc).__name__}: {exc}") from None
    if not isinstance(storage, Storage):  # an async:… URL: the routes are synchronous
        raise ValueError("SHOMEI_RATE_LIMIT_STORAGE: an async storage cannot serve synchronous routes")
    return storage


class StorageCounters:
    """The login counters of services/throttle.py, kept in a ``limits`` storage (shared when it is Redis)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        return int(self._storage.incr(key, max(1, math.ceil(expiry)), amount))

    def get(self, key: str) -> int:
        return int(self._storage.get(key))

    def get_expiry(self, key: str) -> float:
        return float(self._storage.get_expiry(key))

    def clear(self, key: str) -> None:
        self._storage.clear(key)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy (SHOMEI_TRUSTED_PROXIES); then
    the last hop of X-Forwarded-For that is not itself a trusted proxy. Hops a client wrote itself come
    first in the header and are never reached while an untrusted hop stands after them."""
    address = peer or "unknown"
    if not trusted or not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if not hop:
            break
        address = hop
        if not _is_trusted(hop, trusted):
            return hop
    return address


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def trusted_networks(text: str) -> tuple[IPNetwork, ...]:
    """SHOMEI_TRUSTED_PROXIES: addresses or networks, comma-separated (``10.0.0.5, 192.168.1.0/24``)."""
    networks = []
    for item in text.split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"SHOMEI_TRUSTED_PROXIES: {item.strip()!r} is not an IP address or network"
                ) from None
    return tuple(networks)


class AddressLimiter:
    """A moving-window limit per client address (the public verification endpoints)."""

    def __init__(self, limit: str, storage: Storage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
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
