"""Login throttling: failed attempts counted per login-ID key and per client, in counters that may be shared.

Where the counters live is not decided here: a ``Counters`` is given to the ``Core`` (in-process memory by
default; a server reads ``SHOMEI_RATE_LIMIT_STORAGE`` and hands in a shared storage, see server/guards.py).
Counter names carry no typed text: an ID's part is a keyed hash of its key, so neither a mistyped password nor
an ID reaches the storage in clear.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from shomei_cli.domain import accounts as rules
from shomei_cli.domain.errors import RateLimited
from shomei_cli.i18n import _

LOCAL_ADDRESS = "local"  # the client of an embedded store: the process itself


class Counters(Protocol):
    """Expiring counters (the shape of the ``limits`` library's storages)."""

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount``; a new counter expires ``expiry`` seconds after its first increment."""
        ...

    def get(self, key: str) -> int:
        """The counter's value; 0 once it expired or if it never existed."""
        ...

    def get_expiry(self, key: str) -> float:
        """The POSIX time at which the counter expires."""
        ...

    def clear(self, key: str) -> None:
        """Forget the counter."""
        ...


class MemoryCounters:
    """Counters in this process's memory, on the given clock (an embedded store, or a single server)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._values: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> tuple[int, float] | None:
        entry = self._values.get(key)
        if entry is not None and entry[1] <= self._now():
            del self._values[key]
            return None
        return entry

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._lock:
            entry = self._live(key)
            value, expires = entry if entry is not None else (0, self._now() + expiry)
            self._values[key] = (value + amount, expires)
            if len(self._values) > 100_000:  # never grow without bound: drop what has expired
                now = self._now()
                self._values = {k: v for k, v in self._values.items() if v[1] > now}
            return value + amount

    def get(self, key: str) -> int:
        with self._lock:
            entry = self._live(key)
            return entry[0] if entry is not None else 0

    def get_expiry(self, key: str) -> float:
        with self._lock:
            entry = self._live(key)
            return entry[1] if entry is not None else self._now()

    def clear(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


@dataclass(frozen=True)
class LoginClient:
    """Where a login comes from: the client's address and, if it has one for this ID, its device token."""

    address: str = LOCAL_ADDRESS
    device_token: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A limit in force: which one (for the audit trail) and for how many more seconds."""

    limit: str
    retry_after: int

    def error(self) -> RateLimited:
        return RateLimited(
            _("Too many failed logins; try again in {seconds} seconds.").format(seconds=self.retry_after),
            self.retry_after,
        )


class LoginThrottle:
    """The counters of one login attempt: the ID's key (hashed), the client, and whether it is a known one.

    A known client (``device`` set: the token's own id) is counted on its own: failures from elsewhere neither
    slow nor lock it, and its own failures pause only itself.
    """

    def __init__(
        self, counters: Counters, now: Callable[[], float], id_hash: str, address: str, device: str | None
    ) -> None:
        self._counters = counters
        self._now = now
        self._id = f"login:id:{id_hash}"
        self._wait = f"login:wait:{id_hash}"
        self._address = f"login:address:{address}"
        self._client = f"login:client:{id_hash}:" + (f"device:{device}" if device else f"address:{address}")
        self._noted = f"login:noted:{id_hash}:{address}"
        self.known_client = device is not None

    def refusal(self) -> Refusal | None:
        """The limit that holds this attempt back, if any (checked before the password is).

        "address" (too many failures from one address, over all IDs) says nothing about any ID and is answered
        at once; "client" and "id" are about this ID, and the caller answers them only after the same hashing
        time as any other attempt. An unknown client's refused attempt counts against its address, so an
        address cannot make the server hash without bound.
        """
        checks: list[tuple[str, str, int]] = [("client", self._client, rules.FAILURES_PER_CLIENT)]
        if not self.known_client:
            checks = [("address", self._address, rules.FAILURES_PER_ADDRESS), *checks, ("id", self._wait, 1)]
        for limit, key, allowed in checks:
            if self._counters.get(key) >= allowed:
                seconds = math.ceil(self._counters.get_expiry(key) - self._now())
                if not self.known_client and limit != "address":
                    self._counters.incr(self._address, rules.FAILURE_WINDOW.total_seconds())
                return Refusal(limit, max(1, seconds))
        return None

    def first_refusal_in_window(self) -> bool:
        """True once per window and (ID, address): when the audit trail should hear that it is throttled."""
        window = rules.FAILURE_WINDOW.total_seconds()
        return self._counters.incr(self._noted, window) == 1

    def failed(self) -> int:
        """Count one failure; returns how many this client has made for this ID within the window."""
        window = rules.FAILURE_WINDOW.total_seconds()
        mine = self._counters.incr(self._client, window)
        if not self.known_client:
            self._counters.incr(self._address, window)
            failures = self._counters.incr(self._id, rules.ID_FAILURE_WINDOW.total_seconds())
            delay = rules.delay_after(failures)
            if delay:
                self._counters.incr(self._wait, delay)
        return mine

    def succeeded(self) -> None:
        """The holder got in from this client: its own count starts again."""
        self._counters.clear(self._client)

    def lift(self) -> None:
        """An unlock: the ID's delay starts again (each client's own count expires with its window)."""
        self._counters.clear(self._id)
        self._counters.clear(self._wait)
