"""A company's first days through a real server: `shomei serve` on PostgreSQL, the `shomei` command in
subprocesses (each person with their own SHOMEI_HOME), exact outputs and exit codes at every step.

Staff issue two trade registrations from docs/examples/registrations.csv; the administrator of the first one
changes its contact details at once and its address through the review queue, imports the signers of
docs/examples/signers.csv, prints a 署名登録証 (which issues the user ID); the signer adds a sub ID; every
role meets its limits (exit 4), another company's administrator cannot see the first one's records (exit 5),
and removing the signer ends the user ID and its sub ID (exit 3). The refusals are in the audit trail.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from shomei_cli.domain.passwords import GENERATED_ALPHABET
from tests.e2e.conftest import CHAMBER_CODE, CHAMBER_NAME, FIRST_STAFF_ID, Cli, Server, describe
from tests.helpers import TEST_PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TOKYO = ZoneInfo("Asia/Tokyo")

FIRST, SECOND = "1301000001", "1301000002"
FIRST_ADMIN, SECOND_ADMIN = f"A{FIRST}", f"A{SECOND}"
FIRST_COMPANY = "日商テスト商事株式会社"
NEW_PHONE = "03-1111-2222"
NEW_ADDRESS = "東京都千代田区丸の内二丁目1番1号"
USER_ID, SUB_ID = "U000001", "SB000001"

LOGIN_FAILED = "Error: Login failed: the chamber code, ID or password is wrong.\n"
DISABLED = "Error: This session was ended because the ID was disabled.\n"

# A regression guard: find_signer(lock=True) once put FOR UPDATE on an outer join, which PostgreSQL refuses
# (SQLite ignores FOR UPDATE, so only a test on PostgreSQL sees it).
FOR_UPDATE_ERROR = "FOR UPDATE cannot be applied to the nullable side of an outer join"


class SignerRowLockBug(AssertionError):
    """The outer-join lock is back: named, so that the failure says so."""


def expect_no_lock_bug(server: Server, result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0 and FOR_UPDATE_ERROR in server.log_text():
        raise SignerRowLockBug(f"{describe(result)}--- server log says\n{FOR_UPDATE_ERROR}")


def is_initial_password(value: object) -> bool:
    return isinstance(value, str) and len(value) == 16 and set(value) <= set(GENERATED_ALPHABET)


def without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


def tokyo_today() -> date:
    return datetime.now(TOKYO).date()


def two_years_on(day: date) -> date:
    """The same calendar date two years later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 2)
    except ValueError:
        return day.replace(year=day.year + 2, day=28)


def pdf_text(path: Path) -> str:
    """The PDF's text layer (pypdf reads the embedded Japanese font's text with NULs between characters)."""
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def logged_in(cli: Cli, login_id: str, role: str) -> str:
    return (
        f"Warning: the session token is kept in {cli.token_file} (readable only by you), not in an OS "
        "keyring, because insecure storage was chosen.\n"
        f"Logged in to {CHAMBER_CODE} {CHAMBER_NAME} as {login_id} ({role}).\n"
        "Your password is temporary: change it now with `shomei passwd`.\n"
    )


def first_login(cli: Cli, login_id: str, role: str, initial: str) -> None:
    """Log in with an initial password (the CLI says it is temporary), then change it as forced."""
    login = cli.login(login_id, initial)
    expected = (0, "", logged_in(cli, login_id, role))
    assert (login.returncode, login.stdout, login.stderr) == expected, describe(login)
    changed = cli.passwd(initial, TEST_PASSWORD)
    expected = (0, "", "Password changed.\n")
    assert (changed.returncode, changed.stdout, changed.stderr) == expected, describe(changed)


def refused(result: subprocess.CompletedProcess[str], code: int, stderr: str) -> None:
    assert (result.returncode, result.stdout, result.stderr) == (code, "", stderr), describe(result)


REGISTERED_FIRST = {
    "registration_number": FIRST,
    "kind": "exporter",
    "corporate_number": "2010401000001",
    "company_name": FIRST_COMPANY,
    "company_name_en": "Nissho Test Co., Ltd.",
    "representative_name": "大阪 正人",
    "representative_name_en": "Osaka Masahito",
    "representative_title": "代表取締役",
    "representative_title_en": "President",
    "postal_code": "100-0005",
    "address": "東京都千代田区丸の内三丁目2番2号",
    "address_en": "3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
    "contact_person": "鈴木 花子",
    "department": "貿易部",
    "phone": "03-1234-5678",
    "email": "boueki@nissho-test.example.jp",
    "member": True,
    "status": "active",
    "status_reason": None,
    "renewal_open": False,
    "admin_id": FIRST_ADMIN,
    "admin_locked": False,
    "admin_must_change_password": False,
    "pending_requests": [],
}

OSAKA = {
    "reference": "SG000001",
    "registration_number": FIRST,
    "status": "active",
    "status_reason": None,
    "name": "大阪 正人",
    "name_en": "Osaka Masahito",
    "title": "代表取締役",
    "title_en": "President",
    "birth_date": "1980-01-01",
    "address": "東京都千代田区千代田1-1-1",
    "address_en": "1-1-1 Chiyoda, Chiyoda-ku, Tokyo",
    "user_id": USER_ID,
    "user_locked": False,
    "sub_ids": 0,
}
TANAKA = {
    "reference": "SG000002",
    "registration_number": FIRST,
    "status": "active",
    "status_reason": None,
    "name": "田中 ゆかり",
    "name_en": "Tanaka Yukari",
    "title": "輸出部長",
    "title_en": "Export Manager",
    "birth_date": None,
    "address": None,
    "address_en": None,
    "user_id": None,
    "user_locked": False,
    "sub_ids": 0,
}


@pytest.mark.postgres
@pytest.mark.slow
def test_company_administrator_signer_and_sub_id_through_a_real_server(
    server: Server, chamber: dict[str, Any], new_cli: Callable[[str | None], Cli], tmp_path: Path
) -> None:
    staff, admin, signer, sub, other = (new_cli(server.endpoint) for _ in range(5))

    # -- the chamber: staff log in with the password `chamber init` showed, and must change it -----------
    first_login(staff, FIRST_STAFF_ID, "staff", chamber["staff"]["initial_password"])

    # -- two registrations from the example CSV; their 貿易登録証 written on this (the client's) side ------
    cards = tmp_path / "cards"
    before = tokyo_today()
    issued = staff.run(
        "admin", "issue", "--csv", str(EXAMPLES / "registrations.csv"), "--out", str(cards), "--json"
    )
    assert (issued.returncode, issued.stderr) == (0, ""), describe(issued)
    rows = json.loads(issued.stdout)
    assert [without(r, "password") for r in rows] == [
        {
            "row": 2,
            "outcome": "created",
            "registration_number": FIRST,
            "corporate_number": "2010401000001",
            "company_name": FIRST_COMPANY,
            "admin_id": FIRST_ADMIN,
            "card": str(cards / f"{FIRST}.pdf"),
        },
        {
            "row": 3,
            "outcome": "created",
            "registration_number": SECOND,
            "corporate_number": "3011001000002",
            "company_name": "丸の内フォワーディング株式会社",
            "admin_id": SECOND_ADMIN,
            "card": str(cards / f"{SECOND}.pdf"),
        },
    ]
    passwords = {r["registration_number"]: r["password"] for r in rows}
    assert all(is_initial_password(p) for p in passwords.values()), passwords
    assert passwords[FIRST] != passwords[SECOND]
    assert sorted(p.name for p in cards.iterdir()) == [f"{FIRST}.pdf", f"{SECOND}.pdf"]
    for number, admin_id in ((FIRST, FIRST_ADMIN), (SECOND, SECOND_ADMIN)):
        text = pdf_text(cards / f"{number}.pdf")
        # the first print, on its first day: the card carries the initial password
        for expected in (number, admin_id, passwords[number]):
            assert expected in text, (number, expected, text)
    other_number_text = pdf_text(cards / f"{SECOND}.pdf")
    assert FIRST not in other_number_text
    assert passwords[FIRST] not in other_number_text

    # -- the administrator of 1301000001: first login with the card's password, then 登録内容確認 -------
    first_login(admin, FIRST_ADMIN, "admin", passwords[FIRST])
    shown = admin.json("admin", "show", "--json")
    after = tokyo_today()
    assert without(shown, "valid_from", "valid_until", "days_left", "created_at") == REGISTERED_FIRST
    valid_from = date.fromisoformat(shown["valid_from"])
    assert valid_from in {before, after}
    valid_until = date.fromisoformat(shown["valid_until"])
    assert valid_until == two_years_on(valid_from) - timedelta(days=1)
    assert shown["days_left"] in {(valid_until - before).days, (valid_until - after).days}
    assert datetime.fromisoformat(shown["created_at"]).tzinfo is not None

    # 連絡先等変更 applies at once
    contact = admin.json("admin", "contact", "--phone", NEW_PHONE, "--json")
    assert without(contact, "created_at") == {**without(shown, "created_at"), "phone": NEW_PHONE}

    # 登録内容変更 is a request for the chamber
    change = admin.run("admin", "change", "--address", NEW_ADDRESS)
    assert (change.returncode, change.stdout, change.stderr) == (
        0,
        f"reference  RQ000001\nstatus     pending\nrequest    change: address → {NEW_ADDRESS}\n",
        "Request RQ000001 is waiting for the chamber's review.\n",
    ), describe(change)
    pending = admin.json("admin", "show", "--json")
    assert (pending["address"], pending["pending_requests"]) == (REGISTERED_FIRST["address"], ["RQ000001"])

    queue = staff.json("chamber", "review", "list", "--json")
    assert [without(q, "submitted_at", "waited_seconds") for q in queue] == [
        {
            "reference": "RQ000001",
            "kind": "change",
            "status": "pending",
            "registration_number": FIRST,
            "company_name": FIRST_COMPANY,
            "summary": f"change: address → {NEW_ADDRESS}",
            "payload": {"changes": {"address": NEW_ADDRESS}},
            "reason": None,
            "submitted_by": FIRST_ADMIN,
            "decided_at": None,
            "decided_by": None,
        }
    ]
    approved = staff.run("chamber", "review", "approve", "RQ000001")
    assert (approved.returncode, approved.stdout, approved.stderr) == (
        0,
        "",
        f"RQ000001 (change, {FIRST_COMPANY}): approved.\n",
    ), describe(approved)

    changed = admin.ok("admin", "show")
    lines = changed.stdout.splitlines()
    assert f"address           〒100-0005 {NEW_ADDRESS} / 3-2-2 Marunouchi, Chiyoda-ku, Tokyo" in lines
    assert f"contact           鈴木 花子 貿易部 {NEW_PHONE} boueki@nissho-test.example.jp" in lines
    assert "pending requests  none" in lines
    assert changed.stderr == ""

    # -- signers: imported, reviewed, approved --------------------------------------------------------
    imported = admin.json(
        "signer",
        "import",
        "--csv",
        str(EXAMPLES / "signers.csv"),
        "--signatures",
        str(EXAMPLES / "signatures"),
        "--json",
    )
    assert imported == [
        {
            "row": 2,
            "outcome": "created",
            "reference": "SG000001",
            "name": "大阪 正人",
            "name_en": "Osaka Masahito",
            "status": "pending",
        },
        {
            "row": 3,
            "outcome": "created",
            "reference": "SG000002",
            "name": "田中 ゆかり",
            "name_en": "Tanaka Yukari",
            "status": "pending",
        },
    ]
    queue = staff.json("chamber", "review", "list", "--json")
    assert [(q["reference"], q["kind"], q["status"], q["registration_number"]) for q in queue] == [
        ("SG000001", "signer_addition", "pending", FIRST),
        ("SG000002", "signer_addition", "pending", FIRST),
    ]
    for reference in ("SG000001", "SG000002"):
        decided = staff.run("chamber", "review", "approve", reference)
        assert (decided.returncode, decided.stdout, decided.stderr) == (
            0,
            "",
            f"{reference} (signer_addition, {FIRST_COMPANY}): approved.\n",
        ), describe(decided)

    # -- the 署名登録証: its first print issues the user ID, with its password -------------------------
    signer_card = tmp_path / "card.pdf"
    printed = admin.run("signer", "card", "SG000001", "-o", str(signer_card), "--json")
    expect_no_lock_bug(server, printed)
    assert (printed.returncode, printed.stderr) == (0, ""), describe(printed)
    card = json.loads(printed.stdout)
    assert without(card, "password", "first_printed_at") == {
        "user_id": USER_ID,
        "card": str(signer_card),
        "password_shown": True,
        "print_count": 1,
    }
    assert is_initial_password(card["password"])
    assert datetime.fromisoformat(card["first_printed_at"]).tzinfo is not None
    card_text = pdf_text(signer_card)
    for expected in (USER_ID, FIRST, card["password"], "Osaka Masahito"):
        assert expected in card_text, (expected, card_text)

    # -- the signer: first login, the company's signers read-only, no signer management ----------------
    first_login(signer, USER_ID, "signer", card["password"])
    signers = signer.json("signer", "list", "--json")
    assert [without(s, "created_at", "approved_at") for s in signers] == [OSAKA, TANAKA]
    assert all(s["approved_at"] is not None for s in signers)
    add = ["--name", "山田 太郎", "--name-en", "Yamada Taro", "--title", "部長", "--title-en", "Manager"]
    refused(
        signer.run("signer", "add", *add, "--signature", str(EXAMPLES / "signatures" / "tanaka.png")),
        4,
        "Error: Permission denied: a user ID may not do signer.manage (allowed: administrator ID).\n",
    )

    # -- a sub ID for the signer's staff: it logs in, and cannot manage sub IDs -----------------------
    created = signer.json("subid", "add", "--name", "鈴木 花子", "--json")
    assert without(created, "initial_password") == {
        "chamber_code": CHAMBER_CODE,
        "login_id": SUB_ID,
        "role": "sub",
        "name": "鈴木 花子",
    }
    assert is_initial_password(created["initial_password"])
    first_login(sub, SUB_ID, "sub", created["initial_password"])
    refused(
        sub.run("subid", "list"),
        4,
        "Error: Permission denied: a sub ID may not do subid.manage (allowed: user ID).\n",
    )
    assert admin.json("signer", "show", "SG000001", "--json")["sub_ids"] == 1

    # -- another company's administrator sees nothing of the first company ----------------------------
    first_login(other, SECOND_ADMIN, "admin", passwords[SECOND])
    refused(other.run("signer", "show", "SG000001"), 5, "Error: No signer SG000001 that you can see.\n")
    refused(other.run("admin", "show", FIRST), 5, f"Error: No registration {FIRST} that you can see.\n")

    # -- the signer is removed: its user ID and sub ID end at once, and cannot log in again ------------
    removed = admin.run("signer", "remove", "SG000001", "--yes")
    expect_no_lock_bug(server, removed)
    assert (removed.returncode, removed.stdout, removed.stderr) == (
        0,
        "reference   SG000001\n"
        "status      removed\n"
        "name        大阪 正人 / Osaka Masahito\n"
        "title       代表取締役 / President\n"
        "birth date  1980-01-01\n"
        "address     東京都千代田区千代田1-1-1 / 1-1-1 Chiyoda, Chiyoda-ku, Tokyo\n"
        f"user id     {USER_ID}\n"
        "sub ids     0\n",
        "",
    ), describe(removed)
    refused(signer.run("signer", "list"), 3, DISABLED)
    refused(sub.run("whoami"), 3, DISABLED)
    refused(signer.login(USER_ID, TEST_PASSWORD), 3, LOGIN_FAILED)
    refused(sub.login(SUB_ID, TEST_PASSWORD), 3, LOGIN_FAILED)

    # -- the chamber's audit trail, newest first ------------------------------------------------------
    events = staff.json("chamber", "audit", "--json")
    summary = [(e["actor"], e["actor_role"], e["action"], e["target"], e["outcome"]) for e in events]
    assert summary[:3] == [
        (SUB_ID, None, "auth.login", None, "failed"),
        (USER_ID, None, "auth.login", None, "failed"),
        (FIRST_ADMIN, "admin", "signer.remove", "SG000001", "ok"),
    ]
    assert events[2]["details"] == {"disabled": [USER_ID, SUB_ID]}
    denied = [(*s, e["details"]) for s, e in zip(summary, events, strict=True) if s[4] == "denied"]
    assert denied == [
        (SECOND_ADMIN, "admin", "registration.view", FIRST, "denied", {"reason": "not_visible"}),
        (SECOND_ADMIN, "admin", "signer.view", "SG000001", "denied", {"reason": "not_visible"}),
        (SUB_ID, "sub", "subid.manage", None, "denied", {}),
        (USER_ID, "signer", "signer.manage", None, "denied", {}),
    ]
    assert (FIRST_ADMIN, "admin", "signer_card.print", "SG000001", "ok") in summary
    assert (FIRST_STAFF_ID, "staff", "review.approve", "RQ000001", "ok") in summary
    assert (FIRST_ADMIN, "admin", "registration.contact_change", FIRST, "ok") in summary
    ids = [e["id"] for e in events]
    assert ids == sorted(ids, reverse=True)

    assert server.server_errors() == []
