"""`shomei admin …` and `shomei chamber review …` as chamber staff and a company's administrator run them:
exact output and exit codes, the card files written, and what the store holds afterwards.

The CLI reads the time through the Core it opens; every test here stands that clock still at 10:00 in Tokyo on
2026-11-27 (tests/conftest.py), so dates, validity and the first-day rule are exact.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shomei_cli.domain.clock import FixedClock
from tests.cli.conftest import Shomei
from tests.helpers import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CSV = ROOT / "docs" / "examples" / "registrations.csv"
JST = ZoneInfo("Asia/Tokyo")
NOON_UTC = "2026-11-27T01:00:00+00:00"  # 10:00 JST, the fixed clock

ISSUE_KEYS = [
    "row",
    "outcome",
    "registration_number",
    "corporate_number",
    "company_name",
    "admin_id",
    "card",
    "password",
]
CARD_KEYS = [
    "registration_number",
    "admin_id",
    "card",
    "password",
    "password_shown",
    "first_printed_at",
    "print_count",
]
REVIEW_KEYS = [
    "reference",
    "kind",
    "status",
    "registration_number",
    "company_name",
    "summary",
    "payload",
    "reason",
    "submitted_at",
    "submitted_by",
    "decided_at",
    "decided_by",
    "waited_seconds",
]
NISSHO: dict[str, Any] = {
    "registration_number": "1301000001",
    "kind": "exporter",
    "corporate_number": "2010401000001",
    "company_name": "日商テスト商事株式会社",
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
    "valid_from": "2026-11-27",
    "valid_until": "2028-11-26",
    "days_left": 730,
    "renewal_open": False,
    "admin_id": "A1301000001",
    "admin_locked": False,
    "admin_must_change_password": True,
    "pending_requests": [],
    "created_at": NOON_UTC,
}


@pytest.fixture(autouse=True)
def fixed_time(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Every Core the CLI opens falls back to SystemClock(); make that the tests' standing clock."""
    monkeypatch.setattr("shomei_cli.services.core.SystemClock", lambda: clock)
    return clock


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory, holding a copy of docs/examples/registrations.csv; relative paths as in docs."""
    shutil.copy(EXAMPLE_CSV, tmp_path / "registrations.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def issued(shomei: Shomei, staff_session: str, workdir: Path) -> list[dict[str, Any]]:
    """The example file issued by S00001 (`--json`): two registrations, two cards in ./cards."""
    result = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards", "--json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = result.json()
    return rows


def login(shomei: Shomei, login_id: str, password: str = TEST_PASSWORD) -> None:
    result = shomei("login", "--chamber", "1301", "--id", login_id, "--password-stdin", input=password + "\n")
    assert result.exit_code == 0, result.stderr


def lines(text: str) -> list[str]:
    """Output lines without the padding rich puts after the last column."""
    return [line.rstrip() for line in text.splitlines()]


def files_under(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def card_prints(shomei: Shomei) -> list[dict[str, Any]]:
    result = shomei("chamber", "audit", "--json", "--action", "registration_card.print")
    assert result.exit_code == 0, result.stderr
    entries: list[dict[str, Any]] = result.json()
    return entries


def example_rows() -> list[str]:
    return EXAMPLE_CSV.read_text(encoding="utf-8").splitlines()


# -- issuing ---------------------------------------------------------------------------------------


def test_issue_from_the_example_file_prints_the_table_and_writes_one_card_per_registration(
    shomei: Shomei, staff_session: str, workdir: Path
) -> None:
    result = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards")

    assert result.exit_code == 0
    assert lines(result.stdout) == [
        "row  outcome  registration  admin id     company                         card",
        "2    created  1301000001    A1301000001  日商テスト商事株式会社          cards/1301000001.pdf",
        "3    created  1301000002    A1301000002  丸の内フォワーディング株式会社  cards/1301000002.pdf",
    ]
    assert result.stderr == "2 registration(s) created, 0 already registered; 2 card(s) written.\n"
    written = files_under(workdir / "cards")
    assert sorted(written) == ["1301000001.pdf", "1301000002.pdf"]
    assert all(data.startswith(b"%PDF-") for data in written.values())

    again = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards")
    assert again.exit_code == 0
    assert lines(again.stdout) == [
        "row  outcome  registration  admin id     company                         card",
        "2    exists   1301000001    A1301000001  日商テスト商事株式会社",
        "3    exists   1301000002    A1301000002  丸の内フォワーディング株式会社",
    ]
    assert again.stderr == "0 registration(s) created, 2 already registered; 0 card(s) written.\n"
    assert files_under(workdir / "cards") == written


def test_issue_json_gives_one_result_per_row_with_the_first_day_password_and_a_rerun_does_nothing(
    shomei: Shomei, issued: list[dict[str, Any]], workdir: Path
) -> None:
    assert [list(row) for row in issued] == [ISSUE_KEYS, ISSUE_KEYS]
    passwords = [row.pop("password") for row in issued]
    assert issued == [
        {
            "row": 2,
            "outcome": "created",
            "registration_number": "1301000001",
            "corporate_number": "2010401000001",
            "company_name": "日商テスト商事株式会社",
            "admin_id": "A1301000001",
            "card": "cards/1301000001.pdf",
        },
        {
            "row": 3,
            "outcome": "created",
            "registration_number": "1301000002",
            "corporate_number": "3011001000002",
            "company_name": "丸の内フォワーディング株式会社",
            "admin_id": "A1301000002",
            "card": "cards/1301000002.pdf",
        },
    ]
    assert all(isinstance(p, str) and len(p) == 16 for p in passwords)
    assert passwords[0] != passwords[1]
    written = files_under(workdir)
    prints = card_prints(shomei)
    assert [(p["target"], p["details"]) for p in prints] == [
        ("1301000002", {"password_shown": True, "print": 1}),
        ("1301000001", {"password_shown": True, "print": 1}),
    ]

    again = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards", "--json")

    assert again.exit_code == 0
    assert again.stderr == ""
    assert again.json() == [
        {
            "row": 2,
            "outcome": "exists",
            "registration_number": "1301000001",
            "corporate_number": "2010401000001",
            "company_name": "日商テスト商事株式会社",
            "admin_id": "A1301000001",
            "card": None,
            "password": None,
        },
        {
            "row": 3,
            "outcome": "exists",
            "registration_number": "1301000002",
            "corporate_number": "3011001000002",
            "company_name": "丸の内フォワーディング株式会社",
            "admin_id": "A1301000002",
            "card": None,
            "password": None,
        },
    ]
    assert files_under(workdir) == written
    assert card_prints(shomei) == prints
    assert len(shomei("admin", "list", "--json").json()) == 2


def test_a_batch_stopped_before_its_cards_were_written_is_finished_by_running_it_again(
    shomei: Shomei, staff_session: str, workdir: Path
) -> None:
    from shomei_cli.backends.local import LocalBackend

    def power_cut(self: LocalBackend, numbers: object, pending: bool = False) -> None:
        raise RuntimeError("power cut")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalBackend, "print_registration_cards", power_cut)
        stopped = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards")
    assert stopped.exit_code == 1
    assert stopped.stderr.startswith("Unexpected error (RuntimeError): power cut\n")
    assert files_under(workdir / "cards") == {}
    assert len(shomei("admin", "list", "--json").json()) == 2

    resumed = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards", "--json")

    assert resumed.exit_code == 0
    rows = resumed.json()
    assert [(r["outcome"], r["card"]) for r in rows] == [
        ("exists", "cards/1301000001.pdf"),
        ("exists", "cards/1301000002.pdf"),
    ]
    assert all(len(r["password"]) == 16 for r in rows)
    assert sorted(files_under(workdir / "cards")) == ["1301000001.pdf", "1301000002.pdf"]


def test_issue_one_registration_from_options(shomei: Shomei, staff_session: str, workdir: Path) -> None:
    result = shomei(
        "admin",
        "issue",
        "--kind",
        "代行業者",
        "--corporate-number",
        "9010401000003",
        "--company",
        "芝公園通関株式会社",
        "--company-en",
        "Shibakoen Customs Co., Ltd.",
        "--representative",
        "山田 太郎",
        "--representative-en",
        "Yamada Taro",
        "--title",
        "代表取締役",
        "--title-en",
        "President",
        "--postal-code",
        "１０５－００１１",
        "--address",
        "東京都港区芝公園四丁目2番8号",
        "--address-en",
        "4-2-8 Shibakoen, Minato-ku, Tokyo",
        "--contact-person",
        "山田 花子",
        "--phone",
        "03-1111-2222",
        "--email",
        "info@shibakoen-customs.example.jp",
        "--member",
        "--json",
    )

    assert result.exit_code == 0, result.stderr
    (row,) = result.json()
    assert len(row.pop("password")) == 16
    assert row == {
        "row": None,
        "outcome": "created",
        "registration_number": "1301000001",
        "corporate_number": "9010401000003",
        "company_name": "芝公園通関株式会社",
        "admin_id": "A1301000001",
        "card": "cards/1301000001.pdf",
    }
    assert sorted(files_under(workdir / "cards")) == ["1301000001.pdf"]
    shown = shomei("admin", "show", "1301000001", "--json").json()
    assert {k: shown[k] for k in ("kind", "postal_code", "department", "member", "valid_until")} == {
        "kind": "agent",
        "postal_code": "105-0011",
        "department": None,
        "member": True,
        "valid_until": "2028-11-26",
    }


def test_a_postal_code_written_with_the_postal_mark_is_accepted(
    shomei: Shomei, staff_session: str, workdir: Path
) -> None:
    """docs/registrations.md: postal_code is '7 digits, with or without the hyphen or 〒'."""
    header, first, second = example_rows()
    rows = [
        header,
        first.replace("100-0005", "〒100-0005"),
        second.replace("１０００００５", "〒１００－０００５"),
    ]
    (workdir / "input.csv").write_text("\n".join(rows), encoding="utf-8")

    result = shomei("admin", "issue", "--csv", "input.csv", "--json")

    assert result.exit_code == 0, result.stderr
    listed = shomei("admin", "show", "1301000001", "--json").json()
    assert listed["postal_code"] == "100-0005"
    assert shomei("admin", "show", "1301000002", "--json").json()["postal_code"] == "100-0005"


def _bad_postal_code() -> bytes:
    header, first, second = example_rows()
    return "\n".join([header, first, second.replace("１０００００５", "100-00")]).encode()


def _two_bad_rows() -> bytes:
    header, first, second = example_rows()
    first = first.replace("boueki@nissho-test.example.jp", "boueki-at-nissho")
    return "\n".join([header, first, second.replace("１０００００５", "100-00")]).encode()


def _without_member_column() -> bytes:
    return "\n".join(row.rsplit(",", 1)[0] for row in example_rows()).encode()


@pytest.mark.parametrize(
    ("content", "options", "error"),
    [
        pytest.param(
            _bad_postal_code(),
            [],
            "row 3, postal_code: must be 7 digits, e.g. 100-0001",
            id="bad-postal-code-row-3",
        ),
        pytest.param(
            _two_bad_rows(),
            [],
            "row 2, email: is not an email address; row 3, postal_code: must be 7 digits, e.g. 100-0001",
            id="every-bad-row",
        ),
        pytest.param(b"", [], "file: is empty", id="empty"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            [],
            "file: is not a CSV text file (it contains binary data)",
            id="binary",
        ),
        pytest.param(_without_member_column(), [], "row 1, member: column is missing", id="missing-column"),
        pytest.param(None, [], "--csv: missing.csv does not exist", id="no-such-file"),
        pytest.param(
            EXAMPLE_CSV.read_bytes(),
            ["--out", "nowhere/cards"],
            "--out: the directory nowhere does not exist",
            id="out-parent-missing",
        ),
    ],
)
def test_bad_input_exits_7_naming_where_and_creates_nothing(
    shomei: Shomei,
    staff_session: str,
    workdir: Path,
    content: bytes | None,
    options: list[str],
    error: str,
) -> None:
    name = "missing.csv"
    if content is not None:
        name = "input.csv"
        (workdir / name).write_bytes(content)

    result = shomei("admin", "issue", "--csv", name, *(options or ["--out", "cards"]))

    assert (result.exit_code, result.stdout) == (7, "")
    assert result.stderr == f"Error: Invalid input: {error}\n"
    assert shomei("admin", "list", "--json").json() == []
    assert list(workdir.rglob("*.pdf")) == []
    assert not (workdir / "nowhere").exists()


def test_bad_rows_are_listed_under_json(shomei: Shomei, staff_session: str, workdir: Path) -> None:
    (workdir / "input.csv").write_bytes(_two_bad_rows())

    result = shomei("admin", "issue", "--csv", "input.csv", "--json")

    assert result.exit_code == 7
    assert result.json()["error"]["code"] == "invalid_input"
    assert result.json()["error"]["errors"] == [
        {"field": "email", "reason": "is not an email address", "row": 2},
        {"field": "postal_code", "reason": "must be 7 digits, e.g. 100-0001", "row": 3},
    ]
    assert shomei("admin", "list", "--json").json() == []


def test_csv_together_with_the_options_of_one_registration_is_a_usage_error(
    shomei: Shomei, staff_session: str, workdir: Path
) -> None:
    result = shomei("admin", "issue", "--csv", "registrations.csv", "--company", "日商テスト商事株式会社")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: Invalid value: give either --csv or the options of one registration, not both\n"
    )
    assert shomei("admin", "list", "--json").json() == []


def test_a_card_into_a_missing_directory_fails_before_anything_is_printed(
    shomei: Shomei, issued: list[dict[str, Any]], workdir: Path
) -> None:
    before = card_prints(shomei)

    result = shomei("admin", "card", "1301000001", "-o", "nowhere/card.pdf")

    assert (result.exit_code, result.stdout) == (7, "")
    assert result.stderr == "Error: Invalid input: -o: the directory nowhere does not exist\n"
    assert card_prints(shomei) == before
    assert not (workdir / "nowhere").exists()


# -- reading and printing --------------------------------------------------------------------------


def test_list_and_show(shomei: Shomei, issued: list[dict[str, Any]]) -> None:
    table = shomei("admin", "list")
    assert table.exit_code == 0
    assert lines(table.stdout) == [
        "registration  company                         status  valid until  days left  admin id     member",
        "1301000001    日商テスト商事株式会社          active  2028-11-26   730        A1301000001  yes",
        "1301000002    丸の内フォワーディング株式会社  active  2028-11-26   730        A1301000002  no",
    ]

    listed = shomei("admin", "list", "--json")
    assert listed.exit_code == 0
    assert listed.json() == [
        {
            "registration_number": "1301000001",
            "kind": "exporter",
            "company_name": "日商テスト商事株式会社",
            "company_name_en": "Nissho Test Co., Ltd.",
            "corporate_number": "2010401000001",
            "member": True,
            "status": "active",
            "valid_until": "2028-11-26",
            "days_left": 730,
            "admin_id": "A1301000001",
        },
        {
            "registration_number": "1301000002",
            "kind": "agent",
            "company_name": "丸の内フォワーディング株式会社",
            "company_name_en": "Marunouchi Forwarding K.K.",
            "corporate_number": "3011001000002",
            "member": False,
            "status": "active",
            "valid_until": "2028-11-26",
            "days_left": 730,
            "admin_id": "A1301000002",
        },
    ]

    shown = shomei("admin", "show", "1301000001", "--json")
    assert shown.exit_code == 0
    assert list(shown.json()) == list(NISSHO)
    assert shown.json() == NISSHO

    second = shomei("admin", "show", "1301000002", "--json").json()
    assert (second["postal_code"], second["department"]) == ("100-0005", None)  # full-width digits folded

    text = shomei("admin", "show", "1301000001")
    assert text.stdout.splitlines() == [
        "registration      1301000001",
        "kind              exporter",
        "company           日商テスト商事株式会社 / Nissho Test Co., Ltd.",
        "corporate number  2010401000001",
        "representative    代表取締役 大阪 正人 / President Osaka Masahito",
        "address           〒100-0005 東京都千代田区丸の内三丁目2番2号 / 3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
        "contact           鈴木 花子 貿易部 03-1234-5678 boueki@nissho-test.example.jp",
        "member            yes",
        "status            active",
        "valid             2026-11-27 to 2028-11-26 (730 days left)",
        "admin id          A1301000001 (temporary password)",
        "pending requests  none",
    ]


def test_the_card_shows_the_password_all_through_its_first_day_in_tokyo_and_never_after(
    shomei: Shomei, issued: list[dict[str, Any]], fixed_time: FixedClock, workdir: Path
) -> None:
    password = issued[0]["password"]

    first = shomei("admin", "card", "1301000001", "-o", "f.pdf", "--json")
    assert first.exit_code == 0
    assert list(first.json()) == CARD_KEYS
    assert first.json() == {
        "registration_number": "1301000001",
        "admin_id": "A1301000001",
        "card": "f.pdf",
        "password": password,
        "password_shown": True,
        "first_printed_at": NOON_UTC,
        "print_count": 2,
    }
    assert (workdir / "f.pdf").read_bytes().startswith(b"%PDF-")

    # 23:59 in Tokyo: still the day of the first print
    fixed_time.set(datetime(2026, 11, 27, 23, 59, tzinfo=JST))
    login(shomei, "S00001")
    kept = shomei("admin", "card", "1301000001", "-o", "f.pdf")
    assert (kept.exit_code, kept.stdout) == (6, "")
    assert kept.stderr == "Error: f.pdf already exists; give --force to replace it.\n"
    late = shomei("admin", "card", "1301000001", "-o", "f.pdf", "--force")
    assert (late.exit_code, late.stdout) == (0, "")
    assert late.stderr == "Wrote f.pdf: 貿易登録証 of 1301000001 (A1301000001), with the password.\n"
    assert card_prints(shomei)[0]["details"] == {"password_shown": True, "print": 3}

    # 00:01 in Tokyo the next day is still 2026-11-27 in UTC: Tokyo's calendar decides
    fixed_time.set(datetime(2026, 11, 28, 0, 1, tzinfo=JST))
    login(shomei, "S00001")
    later = shomei("admin", "card", "1301000001", "-o", "g.pdf", "--json")
    assert later.exit_code == 0
    assert later.json() == {
        "registration_number": "1301000001",
        "admin_id": "A1301000001",
        "card": "g.pdf",
        "password": None,
        "password_shown": False,
        "first_printed_at": NOON_UTC,
        "print_count": 4,
    }
    text = shomei("admin", "card", "1301000001", "-o", "g.pdf", "--force")
    assert text.stderr == (
        "Wrote g.pdf: 貿易登録証 of 1301000001 (A1301000001), "
        "without the password (not shown after the first day).\n"
    )
    assert [p["details"]["password_shown"] for p in card_prints(shomei)[:2]] == [False, False]


# -- the administrator's own work and the review queue ----------------------------------------------


def test_the_administrators_own_work_and_the_chambers_review_of_it(
    shomei: Shomei, issued: list[dict[str, Any]]
) -> None:
    initial = issued[0]["password"]
    login(shomei, "A1301000001", initial)
    assert shomei("admin", "show", "--json").exit_code == 3  # a temporary password must be changed first
    changed = shomei("passwd", "--stdin", input=f"{initial}\n{TEST_PASSWORD}\n")
    assert (changed.exit_code, changed.stderr) == (0, "Password changed.\n")

    own = shomei("admin", "show", "--json")
    assert own.exit_code == 0
    assert own.json() == {**NISSHO, "admin_must_change_password": False}

    other = shomei("admin", "show", "1301000002")
    assert (other.exit_code, other.stdout) == (5, "")
    assert other.stderr == "Error: No registration 1301000002 that you can see.\n"

    contact = shomei("admin", "contact", "--phone", "03-5555-6666", "--json")
    assert contact.exit_code == 0
    assert contact.json() == {**NISSHO, "phone": "03-5555-6666", "admin_must_change_password": False}

    request = shomei("admin", "change", "--address", "東京都港区芝公園四丁目2番8号", "--json")
    assert request.exit_code == 0
    assert list(request.json()) == REVIEW_KEYS
    assert request.json() == {
        "reference": "RQ000001",
        "kind": "change",
        "status": "pending",
        "registration_number": "1301000001",
        "company_name": "日商テスト商事株式会社",
        "summary": "change: address → 東京都港区芝公園四丁目2番8号",
        "payload": {"changes": {"address": "東京都港区芝公園四丁目2番8号"}},
        "reason": None,
        "submitted_at": NOON_UTC,
        "submitted_by": "A1301000001",
        "decided_at": None,
        "decided_by": None,
        "waited_seconds": 0,
    }
    pending = shomei("admin", "show", "--json").json()
    assert (pending["address"], pending["pending_requests"]) == (NISSHO["address"], ["RQ000001"])

    renew = shomei("admin", "renew")
    assert (renew.exit_code, renew.stdout) == (6, "")
    assert renew.stderr == (
        "Error: Renewal opens on 2028-10-27, 30 days before validity ends (2028-11-26).\n"
    )

    not_staff = shomei("admin", "issue", "--csv", "registrations.csv")
    assert (not_staff.exit_code, not_staff.stdout) == (4, "")
    assert not_staff.stderr == (
        "Error: Permission denied: an administrator ID may not do registration.create (allowed: staff ID).\n"
    )
    queue = shomei("chamber", "review", "list")
    assert (queue.exit_code, queue.stdout) == (4, "")
    assert queue.stderr == (
        "Error: Permission denied: an administrator ID may not do review.decide (allowed: staff ID).\n"
    )

    login(shomei, "S00001")
    waiting = shomei("chamber", "review", "list", "--json")
    assert waiting.exit_code == 0
    assert waiting.json() == [request.json()]

    no_reason = shomei("chamber", "review", "return", "RQ000001")
    assert (no_reason.exit_code, no_reason.stdout) == (2, "")
    assert no_reason.stderr.endswith("Error: Missing option '--reason'.\n")
    assert shomei("chamber", "review", "list", "--json").json() == [request.json()]

    returned = shomei(
        "chamber", "review", "return", "RQ000001", "--reason", "登記簿謄本の住所と一致しません", "--json"
    )
    assert returned.exit_code == 0
    assert returned.json() == {
        **request.json(),
        "status": "returned",
        "reason": "登記簿謄本の住所と一致しません",
        "decided_at": NOON_UTC,
        "decided_by": "S00001",
    }
    after_return = shomei("admin", "show", "1301000001", "--json").json()
    assert (after_return["address"], after_return["pending_requests"]) == (NISSHO["address"], [])
    assert shomei("chamber", "review", "list", "--json").json() == []

    login(shomei, "A1301000001")
    second = shomei(
        "admin",
        "change",
        "--address",
        "東京都港区芝公園四丁目2番8号",
        "--address-en",
        "4-2-8 Shibakoen, Minato-ku, Tokyo",
    )
    assert second.exit_code == 0
    assert second.stdout.splitlines() == [
        "reference  RQ000002",
        "status     pending",
        "request    change: address → 東京都港区芝公園四丁目2番8号, "
        "address_en → 4-2-8 Shibakoen, Minato-ku, Tokyo",
    ]
    assert second.stderr == "Request RQ000002 is waiting for the chamber's review.\n"

    login(shomei, "S00001")
    approved = shomei("chamber", "review", "approve", "RQ000002")
    assert (approved.exit_code, approved.stdout) == (0, "")
    assert approved.stderr == "RQ000002 (change, 日商テスト商事株式会社): approved.\n"

    final = shomei("admin", "show", "1301000001", "--json").json()
    assert final == {
        **NISSHO,
        "address": "東京都港区芝公園四丁目2番8号",
        "address_en": "4-2-8 Shibakoen, Minato-ku, Tokyo",
        "phone": "03-5555-6666",
        "admin_must_change_password": False,
    }


# -- the staff's other tools -----------------------------------------------------------------------


def test_reset_password_prints_a_new_first_day_card(
    shomei: Shomei, issued: list[dict[str, Any]], workdir: Path
) -> None:
    old = issued[0]["password"]

    refused = shomei("admin", "reset-password", "1301000001", "-o", "nowhere/new.pdf")
    assert (refused.exit_code, refused.stderr) == (
        7,
        "Error: Invalid input: -o: the directory nowhere does not exist\n",
    )
    assert shomei("chamber", "audit", "--json", "--action", "admin.password_reset").json() == []

    reset = shomei("admin", "reset-password", "1301000001", "-o", "new.pdf", "--json")

    assert reset.exit_code == 0
    body = reset.json()
    assert list(body) == CARD_KEYS
    new = body.pop("password")
    assert isinstance(new, str)
    assert len(new) == 16
    assert new != old
    assert body == {
        "registration_number": "1301000001",
        "admin_id": "A1301000001",
        "card": "new.pdf",
        "password_shown": True,
        "first_printed_at": NOON_UTC,
        "print_count": 1,
    }
    assert (workdir / "new.pdf").read_bytes().startswith(b"%PDF-")

    wrong = shomei("login", "--chamber", "1301", "--id", "A1301000001", "--password-stdin", input=old + "\n")
    assert wrong.exit_code == 3
    login(shomei, "A1301000001", new)
    assert shomei("whoami", "--json").json()["must_change_password"] is True


def test_suspend_and_reinstate(shomei: Shomei, issued: list[dict[str, Any]]) -> None:
    suspended = shomei("admin", "suspend", "1301000001", "--reason", "会費未納のため", "--json")
    assert suspended.exit_code == 0
    assert suspended.json() == {**NISSHO, "status": "suspended", "status_reason": "会費未納のため"}
    listed = shomei("admin", "list", "--status", "suspended", "--json").json()
    assert [r["registration_number"] for r in listed] == ["1301000001"]

    again = shomei("admin", "suspend", "1301000001", "--reason", "会費未納のため")
    assert (again.exit_code, again.stdout) == (6, "")
    assert again.stderr == "Error: Registration 1301000001 is already suspended.\n"

    reinstated = shomei("admin", "reinstate", "1301000001", "--json")
    assert reinstated.exit_code == 0
    assert reinstated.json() == NISSHO

    not_suspended = shomei("admin", "reinstate", "1301000001")
    assert (not_suspended.exit_code, not_suspended.stderr) == (
        6,
        "Error: Registration 1301000001 is not suspended.\n",
    )
    assert shomei("admin", "list", "--status", "suspended", "--json").json() == []
