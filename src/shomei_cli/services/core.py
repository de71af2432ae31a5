"""The wiring point: one ``Core`` carries the store, the clock and the hasher into every service call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from shomei_cli.domain.clock import Clock, SystemClock
from shomei_cli.services.hashing import PasswordHashing
from shomei_cli.services.secretbox import SecretBox
from shomei_cli.services.throttle import Counters, MemoryCounters
from shomei_cli.store.engine import make_engine, unit_of_work
from shomei_cli.store.schema import ensure_ready

_SHARED_READ: ContextVar[tuple[Core, Session] | None] = ContextVar("shomei_shared_read", default=None)


@dataclass
class Core:
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    hashing: PasswordHashing = field(default_factory=PasswordHashing)
    secrets: SecretBox = field(default_factory=SecretBox)
    # a server's public address (serve --public-url): the verification page QR codes point to when the
    # chamber has set no verification URL of its own
    public_url: str | None = None
    # failed-login counters: this process's memory unless a server hands in shared ones (server/guards.py)
    counters: Counters = field(init=False)

    def __post_init__(self) -> None:
        self.counters = MemoryCounters(lambda: self.clock.now().timestamp())

    @classmethod
    def open(
        cls,
        database_url: str,
        *,
        clock: Clock | None = None,
        hashing: PasswordHashing | None = None,
        secret_key: bytes | None = None,
    ) -> Core:
        """Open (and, if the database is empty, create) the store at ``database_url``.

        ``secret_key`` protects card passwords at rest; without one, an ephemeral key serves this process.
        """
        engine = make_engine(database_url)
        ensure_ready(engine)
        return cls(engine, clock or SystemClock(), hashing or PasswordHashing(), SecretBox(secret_key))

    @contextmanager
    def read(self) -> Iterator[Session]:
        shared = _SHARED_READ.get()
        if shared is not None and shared[0] is self:  # inside one_read: the same transaction
            yield shared[1]
            return
        with unit_of_work(self.engine, write=False) as session:
            yield session

    @contextmanager
    def one_read(self) -> Iterator[Session]:
        """Every read in this block (in this thread or task) shares one transaction: a request's session
        check and its query take one connection and one BEGIN … COMMIT, not two. Writes keep their own."""
        with unit_of_work(self.engine, write=False) as session:
            token = _SHARED_READ.set((self, session))
            try:
                yield session
            finally:
                _SHARED_READ.reset(token)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with unit_of_work(self.engine, write=True) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
