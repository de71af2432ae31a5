"""The schema's version: create a new store, refuse a foreign or newer one, upgrade an older one.

Migrations are Alembic's, shipped inside the package (``store/migrations``). A new, empty database is
brought to
the current schema on first use; an existing one is never changed except by ``shomei db upgrade``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from shomei_cli.domain.errors import StoreIncompatible
from shomei_cli.i18n import _
from shomei_cli.store.engine import is_sqlite, safe_url, translate_operational_error

# The newest migration. tests/unit/test_migrations.py checks that it is Alembic's head.
HEAD_REVISION = "payments"
MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection) -> object:
    from alembic.config import Config

    config = Config()
    # Alembic's options interpolate '%': an install path may hold one
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> list[str]:
    """All revisions shipped with this version, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def current_revision(connection: Connection) -> str | None:
    """The store's revision; None for an empty database. Raises for a database that is not shomei's."""
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return None
    if "alembic_version" not in tables:
        raise StoreIncompatible(
            _(
                "{url} is not a shomei database "
                "(it has tables, but no shomei schema version); nothing was changed."
            ).format(url=safe_url(str(connection.engine.url)))
        )
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def ensure_ready(engine: Engine) -> None:
    """Make sure the store is at the current schema, creating it if the database is empty."""
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            connection.rollback()
        if revision is None:
            upgrade(engine)
            return
        _check_revision(revision, engine)
    except DatabaseError as exc:
        raise translate_operational_error(exc, engine) from None


def _check_revision(revision: str, engine: Engine) -> None:
    if revision == HEAD_REVISION:
        return
    where = safe_url(str(engine.url))
    if revision in known_revisions():
        raise StoreIncompatible(
            _(
                "The store at {url} has an older schema ({revision}); run `shomei db upgrade` "
                "to bring it to {head} without losing data."
            ).format(url=where, revision=revision, head=HEAD_REVISION)
        )
    raise StoreIncompatible(
        _(
            "The store at {url} was written by a newer version of shomei (schema {revision}); "
            "upgrade shomei to use it. Nothing was changed."
        ).format(url=where, revision=revision)
    )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the store to the newest schema; returns (revision before, revision after).

    Runs under the write lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so that several
    processes opening a new store at once create it once.
    """
    from alembic import command

    try:
        with engine.connect() as connection:
            # refuse a foreign or newer database before anything is written to it
            seen = current_revision(connection)
            connection.rollback()
        if seen is not None and seen not in known_revisions():
            _check_revision(seen, engine)
        if is_sqlite(engine):
            with engine.connect() as connection:
                # WAL lets readers go on while one writer writes; the setting stays in the file.
                # It cannot change inside a transaction, so it goes straight to the driver.
                connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA journal_mode=WAL"
                )
        with engine.execution_options(shomei_write=True).connect() as connection:
            if not is_sqlite(engine):
                connection.execute(text("SELECT pg_advisory_xact_lock(7402573)"))
            before = current_revision(connection)
            if before is not None and before not in known_revisions():
                _check_revision(before, engine)
            if before != HEAD_REVISION:
                command.upgrade(_alembic_config(connection), "head")  # type: ignore[arg-type]
            connection.commit()
    except DatabaseError as exc:
        raise translate_operational_error(exc, engine) from None
    return before, HEAD_REVISION
