"""What Windows and macOS do differently, held where it can be held on Linux: output in UTF-8 whatever the
code page, SQLite URLs of any file name, a config file with a byte order mark, signature file names as macOS
and Windows spell them, and the card key on a volume without hard links."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from shomei_cli import config, keys
from shomei_cli.services.signers import _file_key


def test_a_redirected_stdout_in_a_windows_code_page_still_gets_utf8(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(SHOMEI_HOME=str(tmp_path), SHOMEI_LANG="ja", PYTHONIOENCODING="cp1252")
    shown = subprocess.run(
        [sys.executable, "-c", "from shomei_cli.cli.main import run; run()", "whoami"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert shown.returncode == 3
    assert shown.stderr.decode("utf-8").startswith("エラー: ログインしていません。")


@pytest.mark.parametrize(
    "name", ["shomei.db", "ta%20ro/shomei.db", "a?b/shomei.db", "山田 太郎/shomei.db", "100%/x.db"]
)
def test_a_sqlite_url_names_exactly_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    assert make_url(config.sqlite_url(path)).database == str(path)


def test_a_config_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    where = config.Paths(tmp_path / "config", tmp_path / "data", tmp_path / "state")
    where.config_dir.mkdir()
    where.config_file.write_bytes('\ufeff[profiles.osaka]\nchamber = "2701"\n'.encode())
    assert config.profile_settings("osaka", where) == {"chamber": "2701"}


def test_signature_file_names_match_however_the_platform_spells_them() -> None:
    decomposed = unicodedata.normalize("NFD", "ジョン.png")  # as macOS gives a name back
    assert decomposed != "ジョン.png"
    assert _file_key(decomposed) == _file_key("ジョン.png")
    assert _file_key("Yamada.PNG") == _file_key("yamada.png")


def test_the_card_key_is_made_on_a_volume_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise OSError(1, "Operation not permitted")  # FAT, exFAT, some network shares

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "card-secret.key"
    key = keys.load_or_create_key(path)
    assert len(key) == 44 and path.read_bytes() == key
    assert keys.load_or_create_key(path) == key  # the second process reads the first one's key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card-secret.key"]  # no temporary file left
