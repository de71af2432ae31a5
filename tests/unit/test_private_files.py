"""Client files that hold secrets are private from the first byte and never written through a symlink:
the token file, the config, the key file and the SQLite store (private_files.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from shomei_cli import config, keys
from shomei_cli.credentials import TokenStore
from shomei_cli.private_files import create_private, write_private
from shomei_cli.store.engine import make_engine

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and symlinks as POSIX has them")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_written_file_is_0600_in_a_0700_directory_even_over_a_stale_readable_temporary(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    target = home / "tokens.json"
    stale = home / ".tokens.json.stale.tmp"
    stale.write_text("old")
    stale.chmod(0o644)
    write_private(target, b'{"default": "secret-token"}')
    assert (mode(target), mode(home)) == (0o600, 0o700)
    assert target.read_bytes() == b'{"default": "secret-token"}'


def test_a_symlink_at_the_target_is_replaced_not_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "victim.txt"
    elsewhere.write_text("keep me")
    target = tmp_path / "config.toml"
    target.symlink_to(elsewhere)
    write_private(target, b"[profiles]\n")
    assert elsewhere.read_text() == "keep me"
    assert not target.is_symlink()
    assert (target.read_bytes(), mode(target)) == (b"[profiles]\n", 0o600)


def test_a_store_is_created_0600_and_a_symlink_in_its_place_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "shomei.db"
    engine = make_engine(f"sqlite:///{store}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.commit()
    engine.dispose()
    assert mode(store) == 0o600
    planted = tmp_path / "planted.db"
    (tmp_path / "target.db").write_text("")
    planted.symlink_to(tmp_path / "target.db")
    with pytest.raises(FileExistsError):
        create_private(planted)


def test_the_token_file_config_and_key_file_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOMEI_HOME", str(tmp_path / "shomei-home"))
    where = config.paths()
    TokenStore(where.token_file, insecure_allowed=True)._dump({"default": "t0ken"})
    config.save_setting("default", "endpoint", "https://shomei.example-cci.or.jp")
    key = keys.load_or_create_key(where.config_dir / keys.KEY_FILE_NAME)
    assert len(key) == 44
    for path in (where.token_file, where.config_file, where.config_dir / keys.KEY_FILE_NAME):
        assert mode(path) == 0o600, path
        assert mode(path.parent) == 0o700, path.parent
