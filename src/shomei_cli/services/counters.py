"""Per-chamber sequences held in the database: atomic statements inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from shomei_cli.store.tables import Counter


def next_value(session: Session, chamber_id: int, name: str) -> int:
    """The next number of sequence ``name`` in the chamber; rolled back with the transaction if it fails.

    The row is created if missing (ON CONFLICT DO NOTHING), then incremented by one UPDATE … RETURNING,
    which holds the row lock until commit: two writers never get the same number, and none is burnt.
    """
    table = Counter.__table__  # type: ignore[attr-defined]
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    session.execute(
        dialect.insert(table)
        .values(chamber_id=chamber_id, name=name, value=0)
        .on_conflict_do_nothing(index_elements=["chamber_id", "name"])
    )
    statement = (
        update(table)
        .where(table.c.chamber_id == chamber_id, table.c.name == name)
        .values(value=table.c.value + 1)
        .returning(table.c.value)
    )
    return int(session.execute(statement).scalar_one())
