"""The session commands as a user runs them: exact output, exit codes, and where the token goes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from shomei_cli.services.core import Core
from tests.cli.conftest import Result, Shomei
from tests.helpers import TEST_PASSWORD


def test_a_newcomer_initialises_logs_in_changes_password_adds_staff_and_logs_out(shomei: Shomei) -> None:
    init = shomei(
        "chamber",
        "init",
        "--code",
        "1301",
        "--name",
        "東京商工会議所",
        "--name-en",
        "Tokyo Chamber of Commerce and Industry",
    )
    assert init.exit_code == 0
    lines = init.stdout.splitlines()
    assert lines[0] == "chamber           1301"
    assert lines[1] == "staff id          S00001"
    password = lines[2].split()[-1]
    assert len(password) == 16
    assert init.stderr == (
        "Chamber 1301 東京商工会議所 created, with its first staff ID.\n"
        "The password is shown only now; it must be changed at the first login.\n"
    )

    login = shomei("login", "--chamber", "1301", "--id", "S00001", "--password-stdin", input=password + "\n")
    assert login.exit_code == 0
    assert "Logged in to 1301 東京商工会議所 as S00001 (staff).\n" in login.stderr
    assert "Your password is temporary: change it now with `shomei passwd`.\n" in login.stderr
    assert login.stdout == ""

    blocked = shomei("chamber", "staff", "add", "--name", "Suzuki")
    assert blocked.exit_code == 3
    assert blocked.stderr == (
        "Error: Your password is temporary: change it with `shomei passwd` before doing anything else.\n"
    )
    assert shomei("whoami", "--json").json()["must_change_password"] is True

    changed = shomei("passwd", "--stdin", input=f"{password}\n{TEST_PASSWORD}\n")
    assert (changed.exit_code, changed.stderr) == (0, "Password changed.\n")

    added = shomei("chamber", "staff", "add", "--name", "Suzuki", "--json")
    assert added.exit_code == 0
    body = added.json()
    assert (body["login_id"], body["role"], body["name"]) == ("S00002", "staff", "Suzuki")
    assert len(body["initial_password"]) == 16

    whoami = shomei("whoami", "--json").json()
    assert {k: whoami[k] for k in ("chamber_code", "login_id", "role", "must_change_password")} == {
        "chamber_code": "1301",
        "login_id": "S00001",
        "role": "staff",
        "must_change_password": False,
    }

    assert shomei("logout").stderr == "Logged out.\n"
    after = shomei("whoami")
    assert after.exit_code == 3
    assert after.stderr == "Error: Not logged in: run `shomei login --chamber CODE --id ID` first.\n"


@pytest.mark.parametrize(
    ("chamber", "login_id", "password"),
    [
        ("1301", "S00001", "wrong-password-123"),
        ("1301", "S00077", TEST_PASSWORD),
        ("9999", "S00001", TEST_PASSWORD),
    ],
    ids=["wrong password", "unknown ID", "wrong chamber"],
)
def test_bad_credentials_exit_3_with_one_message(
    shomei: Shomei, staff_session: str, chamber: str, login_id: str, password: str
) -> None:
    result = shomei(
        "login", "--chamber", chamber, "--id", login_id, "--password-stdin", input=password + "\n"
    )
    assert result.exit_code == 3
    assert result.stderr == "Error: Login failed: the chamber code, ID or password is wrong.\n"


def test_a_login_elsewhere_ends_this_session_with_exit_3_and_says_so(
    shomei: Shomei, staff_session: str
) -> None:
    elsewhere = shomei(
        "login",
        "--chamber",
        "1301",
        "--id",
        "S00001",
        "--password-stdin",
        "--print-token",
        input=TEST_PASSWORD + "\n",
    )
    assert elsewhere.exit_code == 0
    assert len(elsewhere.stdout.strip()) >= 43
    result = shomei("chamber", "staff", "list")
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: This session was ended because the same ID logged in elsewhere "
        "(an ID is personal: one live session per ID). Log in again with `shomei login`.\n"
    )


def test_shomei_token_overrides_the_saved_token(
    shomei: Shomei, staff_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = shomei(
        "login",
        "--chamber",
        "1301",
        "--id",
        "S00001",
        "--password-stdin",
        "--print-token",
        input=TEST_PASSWORD + "\n",
    ).stdout.strip()
    monkeypatch.setenv("SHOMEI_TOKEN", token)
    assert shomei("whoami", "--json").json()["login_id"] == "S00001"


def test_errors_under_json_are_one_document_on_stdout(shomei: Shomei, staff_session: str) -> None:
    result = shomei("chamber", "staff", "add", "--name", "", "--json")
    assert result.exit_code == 7
    assert result.json() == {
        "error": {
            "code": "invalid_input",
            "message": "Invalid input: name: is required",
            "errors": [{"field": "name", "reason": "is required"}],
        }
    }


def test_missing_options_are_a_usage_error(shomei: Shomei) -> None:
    result = shomei("chamber", "init", "--name", "東京商工会議所")
    assert result.exit_code == 2
    assert "Missing option '--code'" in result.stderr


def test_invalid_values_exit_7_naming_each_field(shomei: Shomei) -> None:
    result = shomei("chamber", "init", "--code", "13a", "--name", "x", "--time-zone", "Nowhere/Land")
    assert result.exit_code == 7
    assert result.stderr == (
        "Error: Invalid input: code: must be 4 digits, e.g. 1301; "
        "time_zone: is not a known time zone: 'Nowhere/Land'\n"
    )


def test_login_without_id_names_the_missing_field(shomei: Shomei) -> None:
    result = shomei("login", "--chamber", "1301", "--password-stdin", input="x\n")
    assert (result.exit_code, result.stderr) == (7, "Error: Invalid input: --id: is required\n")


def test_a_store_that_is_not_shomeis_exits_8_and_is_untouched(shomei: Shomei, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n" * 50)
    # (a command that needs no session: with nobody logged in, whoami would say so before opening anything)
    result = shomei(
        "cert", "verify", "1301-2026-0000001", "--code", "ABCDEFGHJK", database_url=f"sqlite:///{path}"
    )
    assert result.exit_code == 8
    assert result.stderr == (
        f"Error: sqlite:///{path} is not a shomei database (it is not an SQLite file); nothing was changed.\n"
    )
    assert path.read_text() == "my notes\n" * 50


def test_the_token_file_is_readable_only_by_its_owner(
    shomei: Shomei, staff_session: str, isolated: Path
) -> None:
    token_file = isolated / "state" / "tokens.json"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert TEST_PASSWORD not in token_file.read_text()
    assert staff_session not in token_file.read_text()


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]


def test_without_opting_in_the_token_goes_to_the_os_keyring(
    shomei: Shomei, staff_session: str, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.delenv("SHOMEI_INSECURE_STORAGE")
    (isolated / "state" / "tokens.json").unlink()
    memory = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        login = shomei(
            "login", "--chamber", "1301", "--id", "S00001", "--password-stdin", input=TEST_PASSWORD + "\n"
        )
        assert login.exit_code == 0
        # the session token and, beside it, the device token that marks this client for S00001
        (service, key), (device_service, device) = sorted(memory.entries)
        assert (service, device_service, device) == ("shomei", "shomei", key + "#device:S00001")
        token = memory.entries[("shomei", key)]
        # the file notes only where the tokens are (so that a logged-out command need not ask the keyring)
        notes = json.loads((isolated / "state" / "tokens.json").read_text())
        assert notes == {key: "@keyring", key + "#device:S00001": "@keyring", "@keyring-indexed": "1"}
        assert token not in json.dumps(notes)
        assert shomei("whoami", "--json").json()["login_id"] == "S00001"
        assert shomei("--profile", "other", "whoami").exit_code == 3  # nothing there: the keyring not asked
        assert shomei("logout").exit_code == 0
        # logging out ends the session; the client stays one that logged in before (its device token)
        assert list(memory.entries) == [("shomei", key + "#device:S00001")]
        notes = json.loads((isolated / "state" / "tokens.json").read_text())
        assert notes == {key + "#device:S00001": "@keyring", "@keyring-indexed": "1"}
    finally:
        keyring.set_keyring(previous)


def test_without_a_keyring_or_opt_in_login_exits_3_with_a_hint(
    shomei: Shomei, staff_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import fail

    monkeypatch.delenv("SHOMEI_INSECURE_STORAGE")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = shomei(
            "login", "--chamber", "1301", "--id", "S00001", "--password-stdin", input=TEST_PASSWORD + "\n"
        )
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 3
    assert "No usable OS keyring was found" in result.stderr
    assert "--insecure-storage" in result.stderr
    # refused before the password was read or sent: the live session lives, and no login was attempted
    assert "Password" not in result.stderr
    assert shomei("whoami", "--json").json()["login_id"] == "S00001"
    trail = shomei("chamber", "audit", "--action", "auth.login", "--json").json()
    assert [(e["outcome"], e["actor"]) for e in trail] == [("ok", "S00001")]


def test_logout_twice_is_harmless(shomei: Shomei, staff_session: str) -> None:
    assert shomei("logout").exit_code == 0
    second = shomei("logout")
    assert (second.exit_code, second.stderr) == (0, "Not logged in.\n")


def test_a_locked_staff_id_is_told_who_unlocks_it_and_another_staff_id_does(
    shomei: Shomei, staff_session: str, tmp_path: Path
) -> None:
    from tests.helpers import lock_out

    added = shomei("chamber", "staff", "add", "--name", "Suzuki", "--json").json()
    core = Core.open(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        lock_out(core, "S00002")
        until = output_time(core)
    finally:
        core.close()

    def suzuki_logs_in(password: str) -> Result:
        login = ["login", "--chamber", "1301", "--id", "s00002", "--password-stdin"]
        return shomei("--profile", "suzuki", *login, input=password)

    refused = suzuki_logs_in("x" * 12)
    assert (refused.exit_code, refused.stderr) == (
        3,
        "Error: Login failed: the chamber code, ID or password is wrong.\n",
    )
    told = suzuki_logs_in(added["initial_password"])
    assert (told.exit_code, told.stderr) == (
        3,
        f"Error: This ID is locked after repeated failed logins until {until}. "
        "To unlock it sooner, ask another staff ID of the chamber to run "
        "`shomei chamber staff unlock S00002`.\n",
    )
    unlocked = shomei("chamber", "staff", "unlock", "S00002")
    assert (unlocked.exit_code, unlocked.stdout, unlocked.stderr) == (
        0,
        "",
        "S00002 is unlocked: it can log in again, and its failed logins count from zero.\n",
    )
    assert shomei("chamber", "staff", "unlock", "S00002", "--json").json()["locked"] is False
    assert suzuki_logs_in(added["initial_password"]).exit_code == 0


def output_time(core: Core) -> str:
    """When the lock just set lifts, in the chamber's time as the message shows it (the CLI runs on the
    system clock, so the instant is read back rather than assumed)."""
    from zoneinfo import ZoneInfo

    from sqlmodel import select

    from shomei_cli.domain.clock import as_utc
    from shomei_cli.store.tables import Account

    with core.read() as session:
        until = session.exec(select(Account).where(Account.login_id == "S00002")).one().locked_until
    assert until is not None
    return as_utc(until).astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M %Z")


def test_staff_reset_disable_and_enable_another_staff_id(shomei: Shomei, staff_session: str) -> None:
    shomei("chamber", "staff", "add", "--name", "Suzuki")
    reset = shomei("chamber", "staff", "reset-password", "S00002", "--generate")
    assert reset.exit_code == 0
    lines = reset.stdout.splitlines()
    assert lines[0] == "staff id          S00002"
    assert lines[1].startswith("initial password  ") and len(lines[1].split()[-1]) == 16
    assert reset.stderr == "The password is shown only now; it must be changed at the next login.\n"
    chosen = shomei(
        "chamber", "staff", "reset-password", "S00002", "--password-stdin", input="haru-no-umi-hinemosu-9\n"
    )
    assert (chosen.exit_code, chosen.stdout, chosen.stderr) == (
        0,
        "",
        "The password of S00002 was set; it must be changed at the next login.\n",
    )
    both = shomei("chamber", "staff", "reset-password", "S00002")
    assert both.exit_code == 2
    disabled = shomei("chamber", "staff", "disable", "s00002")
    assert (disabled.exit_code, disabled.stderr) == (0, "S00002 is disabled: it can no longer log in.\n")
    last = shomei("chamber", "staff", "disable", "S00001")
    assert (last.exit_code, last.stderr) == (
        6,
        "Error: S00001 is the chamber's last enabled staff ID: enable or add another first.\n",
    )
    enabled = shomei("chamber", "staff", "enable", "S00002", "--json")
    assert (enabled.exit_code, enabled.json()["status"]) == (0, "active")
