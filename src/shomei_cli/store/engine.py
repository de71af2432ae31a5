"""Engines and units of work.

SQLite: WAL, a busy timeout, and transactions that write start with ``BEGIN IMMEDIATE``, so that a
read-then-write
never races another writer. PostgreSQL: the same code; writers take row locks (``SELECT … FOR UPDATE``) and
counters are single ``UPDATE … RETURNING`` statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from shomei_cli.domain.errors import Conflict, StoreIncompatible, Unavailable
from shomei_cli.i18n import _

SQLITE_BUSY_TIMEOUT_MS = 30_000


def safe_url(url: str) -> str:
    """The URL with any password masked, fit for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as the user typed it, minus anything after '@'
        return url.split("@")[-1]


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with shomei's connection settings. Parameters are never shown in errors."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            # the store holds password hashes and sealed secrets: created 0600 (SQLite gives its journal
            # and WAL files the same mode)
            from pathlib import Path

            from shomei_cli.private_files import create_private

            create_private(Path(parsed.database))
        engine = create_engine(
            url,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    # a server runs requests on up to 100 threads: let enough of them hold a connection at once
    return create_engine(url, hide_parameters=True, pool_pre_ping=True, pool_size=20, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver, so that BEGIN is ours (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("shomei_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def unit_of_work(engine: Engine, *, write: bool) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends normally, rolled back otherwise.

    ``write=True`` takes the write lock at the start (SQLite) so that reads inside see what the write acts on.
    """
    bound = engine.execution_options(shomei_write=write)
    try:
        with Session(bound, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    except OperationalError as exc:
        raise translate_operational_error(exc, engine) from None
    except IntegrityError:
        # two writers made the same thing at the same moment; the loser's transaction is rolled back whole
        raise Conflict(
            _("This change collided with another made at the same time; nothing was changed. Try again.")
        ) from None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise Unavailable(
                _("The database connection was lost: {url}").format(url=safe_url(str(engine.url)))
            ) from None
        raise


def translate_operational_error(exc: DBAPIError, engine: Engine) -> Exception:
    """Turn a driver's error on opening or reading into the domain's words, without parameters or secrets."""
    text = str(exc.orig) if exc.orig is not None else ""
    where = safe_url(str(engine.url))
    if "file is not a database" in text or "file is encrypted" in text:
        return StoreIncompatible(
            _("{url} is not a shomei database (it is not an SQLite file); nothing was changed.").format(
                url=where
            )
        )
    if "no such table" in text or "no such column" in text or "does not exist" in text:
        return StoreIncompatible(
            _(
                "{url} does not have the tables this version of shomei expects; "
                "run `shomei db upgrade` if it is an older shomei store."
            ).format(url=where)
        )
    if not text:
        return Unavailable(_("The database cannot be reached: {url} (no detail)").format(url=where))
    return Unavailable(
        _("The database cannot be reached: {url} ({detail})").format(url=where, detail=text.splitlines()[0])
    )
