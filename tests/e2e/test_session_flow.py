"""A chamber's first day through a real server: `shomei serve` on PostgreSQL, the `shomei` command in
subprocesses, exact outputs and exit codes at every step."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from shomei_cli.domain.passwords import GENERATED_ALPHABET
from tests.e2e.conftest import API, CHAMBER_CODE, CHAMBER_NAME, FIRST_STAFF_ID, FIRST_STAFF_NAME, Cli, Server
from tests.helpers import TEST_PASSWORD

pytestmark = pytest.mark.postgres

TEMPORARY = "Your password is temporary: change it with `shomei passwd` before doing anything else."
NOT_LOGGED_IN = "Not logged in: run `shomei login --chamber CODE --id ID` first."


def is_initial_password(value: object) -> bool:
    return isinstance(value, str) and len(value) == 16 and set(value) <= set(GENERATED_ALPHABET)


def instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


def test_first_staff_logs_in_changes_password_adds_staff_and_logs_out(
    server: Server, chamber: dict[str, Any], cli: Cli
) -> None:
    health = httpx.get(f"{server.endpoint}{API}/health", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok", "version": "0.1.0"})

    # chamber init on the server's host
    assert without(chamber, "staff") == {
        "code": CHAMBER_CODE,
        "name": CHAMBER_NAME,
        "name_en": None,
        "time_zone": "Asia/Tokyo",
    }
    staff = chamber["staff"]
    assert without(staff, "initial_password") == {
        "chamber_code": CHAMBER_CODE,
        "login_id": FIRST_STAFF_ID,
        "role": "staff",
        "name": FIRST_STAFF_NAME,
    }
    initial = staff["initial_password"]
    assert is_initial_password(initial)

    # log in through the endpoint with the initial password
    login = cli.login(FIRST_STAFF_ID, initial)
    assert (login.returncode, login.stdout) == (0, "")
    assert login.stderr == (
        f"Warning: the session token is kept in {cli.token_file} (readable only by you), not in an OS "
        "keyring, because insecure storage was chosen.\n"
        f"Logged in to {CHAMBER_CODE} {CHAMBER_NAME} as {FIRST_STAFF_ID} (staff).\n"
        "Your password is temporary: change it now with `shomei passwd`.\n"
    )

    # a staff command is refused while the password is temporary
    blocked = cli.run("chamber", "staff", "add", "--name", "鈴木", "--json")
    assert blocked.returncode == 3
    assert blocked.stderr == f"Error: {TEMPORARY}\n"
    assert json.loads(blocked.stdout) == {"error": {"code": "password_change_required", "message": TEMPORARY}}
    plain = cli.run("chamber", "staff", "list")
    assert (plain.returncode, plain.stdout, plain.stderr) == (3, "", f"Error: {TEMPORARY}\n")
    assert cli.json("whoami", "--json")["must_change_password"] is True

    # change it: current, then new
    changed = cli.passwd(initial, TEST_PASSWORD)
    assert (changed.returncode, changed.stdout, changed.stderr) == (0, "", "Password changed.\n")

    added = cli.run("chamber", "staff", "add", "--name", "鈴木", "--json")
    assert (added.returncode, added.stderr) == (0, "")
    new_staff = json.loads(added.stdout)
    assert without(new_staff, "initial_password") == {
        "chamber_code": CHAMBER_CODE,
        "login_id": "S00002",
        "role": "staff",
        "name": "鈴木",
    }
    assert is_initial_password(new_staff["initial_password"])
    assert new_staff["initial_password"] != initial

    listed = cli.json("chamber", "staff", "list", "--json")
    assert [without(a, "created_at") for a in listed] == [
        {
            "login_id": FIRST_STAFF_ID,
            "role": "staff",
            "name": FIRST_STAFF_NAME,
            "email": None,
            "status": "active",
            "locked": False,
            "must_change_password": False,
        },
        {
            "login_id": "S00002",
            "role": "staff",
            "name": "鈴木",
            "email": None,
            "status": "active",
            "locked": False,
            "must_change_password": True,
        },
    ]
    assert instant(listed[0]["created_at"]) <= instant(listed[1]["created_at"])

    # the audit trail, newest first: the refused commands and whoami leave no events
    events = cli.json("chamber", "audit", "--json")
    assert [without(e, "id", "at") for e in events] == [
        {
            "actor": FIRST_STAFF_ID,
            "actor_role": "staff",
            "action": "staff.create",
            "target": "S00002",
            "outcome": "ok",
            "details": {},
        },
        {
            "actor": FIRST_STAFF_ID,
            "actor_role": "staff",
            "action": "auth.password_change",
            "target": None,
            "outcome": "ok",
            "details": {},
        },
        {
            "actor": FIRST_STAFF_ID,
            "actor_role": "staff",
            "action": "auth.login",
            "target": None,
            "outcome": "ok",
            "details": {"ended_other_sessions": 0, "rehashed": False},
        },
        {
            "actor": None,
            "actor_role": None,
            "action": "chamber.init",
            "target": CHAMBER_CODE,
            "outcome": "ok",
            "details": {"first_staff_id": FIRST_STAFF_ID},
        },
    ]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True)
    times = [instant(e["at"]) for e in events]
    assert times == sorted(times, reverse=True)

    me = cli.json("whoami", "--json")
    assert without(me, "session_started_at", "session_expires_at") == {
        "chamber_code": CHAMBER_CODE,
        "chamber_name": CHAMBER_NAME,
        "login_id": FIRST_STAFF_ID,
        "role": "staff",
        "name": FIRST_STAFF_NAME,
        "registration_number": None,
        "must_change_password": False,
    }
    started, expires = instant(me["session_started_at"]), instant(me["session_expires_at"])
    login_event = instant(events[2]["at"])
    assert abs(started - login_event) < timedelta(seconds=5)
    # the idle limit (60 minutes, refreshed by each request) comes before the absolute one (12 hours)
    assert timedelta(0) < expires - started <= timedelta(hours=1, minutes=1)

    logout = cli.run("logout")
    assert (logout.returncode, logout.stdout, logout.stderr) == (0, "", "Logged out.\n")

    after = cli.run("whoami")
    assert (after.returncode, after.stdout, after.stderr) == (3, "", f"Error: {NOT_LOGGED_IN}\n")
    after_json = cli.run("whoami", "--json")
    assert after_json.returncode == 3
    assert json.loads(after_json.stdout) == {"error": {"code": "not_logged_in", "message": NOT_LOGGED_IN}}

    again = cli.run("logout")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "Not logged in.\n")

    # the initial password no longer works; the new one does, and the trail shows all three
    stale = cli.login(FIRST_STAFF_ID, initial)
    assert (stale.returncode, stale.stdout) == (3, "")
    assert stale.stderr == "Error: Login failed: the chamber code, ID or password is wrong.\n"
    fresh = cli.login(FIRST_STAFF_ID, TEST_PASSWORD)
    assert (fresh.returncode, fresh.stdout) == (0, "")
    assert fresh.stderr == f"Logged in to {CHAMBER_CODE} {CHAMBER_NAME} as {FIRST_STAFF_ID} (staff).\n"
    latest = cli.json("chamber", "audit", "--limit", "3", "--json")
    assert [(e["actor"], e["action"], e["outcome"], e["details"]) for e in latest] == [
        (FIRST_STAFF_ID, "auth.login", "ok", {"ended_other_sessions": 0, "rehashed": False}),
        (
            FIRST_STAFF_ID,
            "auth.login",
            "failed",
            # this client logged in to S00001 before: its device token says so
            {
                "reason": "bad_password",
                "chamber_code": CHAMBER_CODE,
                "address": "127.0.0.1",
                "known_client": True,
            },
        ),
        (FIRST_STAFF_ID, "auth.logout", "ok", {}),
    ]
    assert server.server_errors() == []
