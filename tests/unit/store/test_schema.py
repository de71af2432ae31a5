"""The store's schema: created new, refused when foreign or newer, never touched by a refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from shomei_cli.domain.errors import StoreIncompatible, Unavailable
from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.store.engine import make_engine
from shomei_cli.store.schema import HEAD_REVISION, known_revisions, upgrade


def test_head_revision_constant_is_alembics_head() -> None:
    assert known_revisions()[-1] == HEAD_REVISION


def test_a_new_store_is_created_at_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    core = Core.open(f"sqlite:///{tmp_path / 'new.db'}")
    with core.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD_REVISION
        )
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    core.close()


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    content = b"these are my notes, not a database\n" * 100
    path.write_bytes(content)
    with pytest.raises(StoreIncompatible, match="is not a shomei database"):
        Core.open(f"sqlite:///{path}")
    assert path.read_bytes() == content


def test_another_programs_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        connection.execute("INSERT INTO invoices (total) VALUES (42)")
    before = path.read_bytes()
    with pytest.raises(StoreIncompatible, match="has tables, but no shomei schema version"):
        Core.open(f"sqlite:///{path}")
    with pytest.raises(StoreIncompatible):
        upgrade(make_engine(f"sqlite:///{path}"))
    assert path.read_bytes() == before


def test_a_store_from_a_newer_shomei_is_refused_and_left_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    Core.open(url).close()
    with sqlite3.connect(tmp_path / "newer.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = (tmp_path / "newer.db").read_bytes()
    with pytest.raises(StoreIncompatible, match="written by a newer version of shomei"):
        Core.open(url)
    with pytest.raises(StoreIncompatible, match="written by a newer version of shomei"):
        upgrade(make_engine(url))
    assert (tmp_path / "newer.db").read_bytes() == before


def test_upgrade_keeps_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    core = Core.open(url)
    chambers.init_chamber(core, "1301", "東京商工会議所", None)
    core.close()
    engine = make_engine(url)
    assert upgrade(engine) == (HEAD_REVISION, HEAD_REVISION)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT code, name FROM chambers")).all() == [
            ("1301", "東京商工会議所")
        ]
        assert connection.execute(text("SELECT login_id FROM accounts")).scalars().all() == ["S00001"]
    engine.dispose()


def test_a_store_in_a_missing_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="cannot be reached"):
        Core.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")


def test_counters_count_per_chamber_and_a_rollback_burns_no_number(core: Core) -> None:
    tokyo = chambers.init_chamber(core, "1301", "東京商工会議所", None)
    del tokyo
    with core.write() as session:
        assert [next_value(session, 1, "reception") for _ in range(3)] == [1, 2, 3]

    def fail_after_taking_a_number() -> None:
        with core.write() as session:
            assert next_value(session, 1, "reception") == 4
            raise RuntimeError("the payment failed")

    with pytest.raises(RuntimeError):
        fail_after_taking_a_number()
    with core.write() as session:
        assert next_value(session, 1, "reception") == 4
