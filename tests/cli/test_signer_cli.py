"""`shomei signer …` and `shomei subid …` as a company's administrator, the chamber's staff and a signer run
them, each in its own profile (`--profile admin`, `--profile signer`; staff in the default one): exact output
and exit codes, the 署名登録証 read back from its PDF, and the first-day rule across days.

Every Core the CLI opens reads the tests' standing clock (10:00 in Tokyo on 2026-11-27).
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image, ImageDraw

from shomei_cli.documents.cards import SIGNATURE_SENTENCE
from shomei_cli.domain.clock import FixedClock
from shomei_cli.services.cards import NOTICE_AFTER_FIRST_DAY, SIGNER_CARD
from tests.cli.conftest import Result, Shomei
from tests.helpers import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CSV = ROOT / "docs" / "examples" / "registrations.csv"
TEN_AM_UTC = "2026-11-27T01:00:00+00:00"
CHOSEN = "aozora-no-shita-de-42"
OSAKA = [
    "--name",
    "大阪 正人",
    "--name-en",
    "Osaka Masahito",
    "--title",
    "代表取締役",
    "--title-en",
    "President",
]
SIGNER_KEYS = [
    "reference",
    "registration_number",
    "status",
    "status_reason",
    "name",
    "name_en",
    "title",
    "title_en",
    "birth_date",
    "address",
    "address_en",
    "user_id",
    "user_locked",
    "sub_ids",
    "created_at",
    "approved_at",
]


def signer_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "reference": "SG000001",
        "registration_number": "1301000001",
        "status": "pending",
        "status_reason": None,
        "name": "大阪 正人",
        "name_en": "Osaka Masahito",
        "title": "代表取締役",
        "title_en": "President",
        "birth_date": None,
        "address": None,
        "address_en": None,
        "user_id": None,
        "user_locked": False,
        "sub_ids": 0,
        "created_at": TEN_AM_UTC,
        "approved_at": None,
    }
    record.update(changes)
    return record


def lines(text: str) -> list[str]:
    """Output lines without the padding after the last column."""
    return [line.rstrip() for line in text.splitlines()]


def signature_png(path: Path, kind: str = "PNG") -> Path:
    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).rectangle((96, 80, 503, 119), fill="black")
    image.save(path, format=kind)
    return path


@pytest.fixture(autouse=True)
def fixed_time(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Every Core the CLI opens falls back to SystemClock(); make that the tests' standing clock."""
    monkeypatch.setattr("shomei_cli.services.core.SystemClock", lambda: clock)
    return clock


@pytest.fixture(scope="module")
def command() -> Any:
    """The click command typer builds from the app, built once for the module (CliRunner would rebuild it
    for every invocation: a tenth of a second each)."""
    import typer.main

    from shomei_cli.cli.main import app

    return typer.main.get_command(app)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch, command: Any) -> None:
    """What these tests are not about, made cheap: typer's command built once, argon2id with small
    parameters, and the administrators' 貿易登録証 drawn by a stub (test_admin_cli.py and tests/documents
    read those). The 署名登録証 are real."""
    import typer.testing

    from shomei_cli.services.hashing import HashParameters, PasswordHashing

    monkeypatch.setattr(typer.testing, "_get_command", lambda app: command)

    fast = HashParameters(memory_kib=1024, time_cost=1, parallelism=1)
    monkeypatch.setattr("shomei_cli.services.core.PasswordHashing", lambda: PasswordHashing(fast))
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_registration_cards",
        lambda cards: [f"%PDF-stub {c.admin_id}".encode() for c in cards],
    )


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory: the example registrations and a signature image, sig.png."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EXAMPLE_CSV, work / "registrations.csv")
    signature_png(work / "sig.png")
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def admin(shomei: Shomei, staff_session: str, workdir: Path) -> Shomei:
    """The example file issued by S00001; A1301000001 logged in under `--profile admin`, password changed.
    Returns `shomei --profile admin`."""
    issued = shomei("admin", "issue", "--csv", "registrations.csv", "--out", "cards", "--json")
    assert issued.exit_code == 0, issued.stderr
    password = issued.json()[0]["password"]
    run = partial(shomei, "--profile", "admin")
    login(run, "A1301000001", password)
    assert run("passwd", "--stdin", input=f"{password}\n{TEST_PASSWORD}\n").exit_code == 0
    return run


def login(run: Shomei, login_id: str, password: str = TEST_PASSWORD) -> Result:
    result = run("login", "--chamber", "1301", "--id", login_id, "--password-stdin", input=password + "\n")
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def approved(shomei: Shomei, admin: Shomei) -> None:
    """SG000001 (大阪 正人) added by the administrator and approved by staff."""
    assert admin("signer", "add", *OSAKA, "--signature", "sig.png").exit_code == 0
    assert shomei("chamber", "review", "approve", "SG000001").exit_code == 0


@pytest.fixture
def card(admin: Shomei, approved: None) -> dict[str, Any]:
    """The first print of SG000001's card (`--json`): it issues U000001."""
    printed = admin("signer", "card", "SG000001", "-o", "card.pdf", "--json")
    assert printed.exit_code == 0, printed.stderr
    data: dict[str, Any] = printed.json()
    return data


@pytest.fixture
def signer(shomei: Shomei, card: dict[str, Any]) -> Shomei:
    """U000001 logged in under `--profile signer`, its password changed. Returns `shomei --profile signer`."""
    run = partial(shomei, "--profile", "signer")
    login(run, "U000001", card["password"])
    assert run("passwd", "--stdin", input=f"{card['password']}\n{TEST_PASSWORD}\n").exit_code == 0
    return run


def pdf_page(path: Path) -> pypdf.PageObject:
    (page,) = pypdf.PdfReader(path).pages
    return page


def pdf_text(path: Path) -> str:
    # pypdf leaves a NUL before each two-byte character of fpdf2's CID fonts (tests/documents explains)
    return pdf_page(path).extract_text()


def squashed(text: str) -> str:
    return "".join(text.split())


# -- adding ------------------------------------------------------------------------------------------


def test_signer_add_registers_the_signer_pending_review(shomei: Shomei, admin: Shomei) -> None:
    result = admin("signer", "add", *OSAKA, "--signature", "sig.png")

    assert result.exit_code == 0
    assert lines(result.stdout) == [
        "reference   SG000001",
        "status      pending",
        "name        大阪 正人 / Osaka Masahito",
        "title       代表取締役 / President",
        "birth date",
        "address",
        "user id     not issued (print the card)",
        "sub ids     0",
    ]
    assert result.stderr == "Signer SG000001 is waiting for the chamber's review.\n"
    queue = shomei("chamber", "review", "list", "--json").json()
    assert [(i["reference"], i["kind"], i["summary"]) for i in queue] == [
        ("SG000001", "signer_addition", "new signer: SG000001")
    ]


def test_signer_add_json_gives_the_record(admin: Shomei, workdir: Path) -> None:
    signature_png(workdir / "sig.jpg", "JPEG")

    result = admin("signer", "add", *OSAKA, "--birth-date", "1965-04-01", "--signature", "sig.jpg", "--json")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert list(result.json()) == SIGNER_KEYS
    assert result.json() == signer_record(birth_date="1965-04-01")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"This is a text file named .png\n", "is not a readable PNG or JPEG image"),
        (b"", "is empty"),
    ],
    ids=["text", "empty"],
)
def test_a_bad_image_exits_7_naming_the_signature_and_adds_nothing(
    admin: Shomei, workdir: Path, content: bytes, reason: str
) -> None:
    (workdir / "bad.png").write_bytes(content)

    result = admin("signer", "add", *OSAKA, "--signature", "bad.png")
    as_json = admin("signer", "add", *OSAKA, "--signature", "bad.png", "--json")

    assert (result.exit_code, result.stdout) == (7, "")
    assert result.stderr == f"Error: Invalid input: signature: {reason}\n"
    assert as_json.exit_code == 7
    assert as_json.json() == {
        "error": {
            "code": "invalid_input",
            "message": f"Invalid input: signature: {reason}",
            "errors": [{"field": "signature", "reason": reason}],
        }
    }
    assert admin("signer", "list", "--json").json() == []


def test_a_missing_image_file_exits_7_naming_the_option(admin: Shomei) -> None:
    result = admin("signer", "add", *OSAKA, "--signature", "nowhere.png")

    assert result.exit_code == 7
    assert result.stderr == "Error: Invalid input: --signature: nowhere.png does not exist\n"


# -- importing ---------------------------------------------------------------------------------------


@pytest.fixture
def batch(workdir: Path) -> Path:
    """signers.csv naming two images in ./signatures (with a file that is not an image beside them)."""
    folder = workdir / "signatures"
    folder.mkdir()
    signature_png(folder / "osaka.png")
    signature_png(folder / "tanaka.jpg", "JPEG")
    (folder / "README.txt").write_text("scanned 2026-11-20\n")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["氏名", "氏名(英字)", "役職", "役職(英字)", "サイン"])
    writer.writerow(["大阪 正人", "Osaka Masahito", "代表取締役", "President", "osaka.png"])
    writer.writerow(["田中 一郎", "Tanaka Ichiro", "取締役", "Director", "tanaka.jpg"])
    (workdir / "signers.csv").write_bytes(out.getvalue().encode("cp932"))
    return folder


def test_signer_import_json_registers_each_row_and_a_rerun_reports_them(admin: Shomei, batch: Path) -> None:
    result = admin("signer", "import", "--csv", "signers.csv", "--signatures", "signatures", "--json")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.json() == [
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
            "name": "田中 一郎",
            "name_en": "Tanaka Ichiro",
            "status": "pending",
        },
    ]

    again = admin("signer", "import", "--csv", "signers.csv", "--signatures", "signatures")

    assert again.exit_code == 0
    assert lines(again.stdout) == [
        "row  outcome  reference  name       name (romaji)   status",
        "2    exists   SG000001   大阪 正人  Osaka Masahito  pending",
        "3    exists   SG000002   田中 一郎  Tanaka Ichiro   pending",
    ]
    assert again.stderr == "0 signer(s) registered, 2 already there.\n"


def test_signer_import_checks_every_row_first(admin: Shomei, batch: Path) -> None:
    (batch / "tanaka.jpg").unlink()
    (batch / "osaka.png").write_bytes(b"not an image")

    result = admin("signer", "import", "--csv", "signers.csv", "--signatures", "signatures")

    assert result.exit_code == 7
    assert result.stderr == (
        "Error: Invalid input: row 2, signature: osaka.png is not a readable PNG or JPEG image; "
        "row 3, signature: tanaka.jpg is not in the signatures folder\n"
    )
    assert admin("signer", "list", "--json").json() == []
    missing = admin("signer", "import", "--csv", "signers.csv", "--signatures", "nowhere")
    assert (missing.exit_code, missing.stderr) == (
        7,
        "Error: Invalid input: --signatures: nowhere is not a folder\n",
    )


# -- review, the card, the signer's own session ----------------------------------------------------------


def test_staff_approve_the_signer_and_the_administrator_prints_its_card_with_the_password(
    shomei: Shomei, admin: Shomei
) -> None:
    assert admin("signer", "add", *OSAKA, "--signature", "sig.png").exit_code == 0

    approved = shomei("chamber", "review", "approve", "SG000001")

    assert (approved.exit_code, approved.stdout) == (0, "")
    assert approved.stderr == "SG000001 (signer_addition, 日商テスト商事株式会社): approved.\n"

    printed = admin("signer", "card", "SG000001", "-o", "card.pdf", "--json")

    assert printed.exit_code == 0
    card = printed.json()
    password = card.pop("password")
    assert card == {
        "user_id": "U000001",
        "card": "card.pdf",
        "password_shown": True,
        "first_printed_at": TEN_AM_UTC,
        "print_count": 1,
    }
    assert isinstance(password, str) and len(password) == 16
    again = admin("signer", "card", "SG000001", "-o", "again.pdf")
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr == "Wrote again.pdf: 署名登録証 of U000001, with the password.\n"
    assert lines(admin("signer", "list").stdout) == [
        "reference  name       name (romaji)   title       status  user id  sub ids",
        "SG000001   大阪 正人  Osaka Masahito  代表取締役  active  U000001  0",
    ]


def test_staff_cannot_print_a_signer_card_but_list_signers_by_registration(
    shomei: Shomei, approved: None
) -> None:
    refused = shomei("signer", "card", "SG000001", "-o", "card.pdf")
    listed = shomei("signer", "list", "--registration", "1301000001", "--json")

    assert refused.exit_code == 4
    assert refused.stderr == (
        "Error: Permission denied: a staff ID may not do signer_card.print (allowed: administrator ID).\n"
    )
    assert not Path("card.pdf").exists()
    assert listed.exit_code == 0
    assert listed.json() == [signer_record(status="active", approved_at=TEN_AM_UTC)]


def test_the_signer_card_pdf_carries_the_particulars_the_signature_and_the_first_day_password(
    admin: Shomei, card: dict[str, Any], workdir: Path, clock: FixedClock
) -> None:
    page = pdf_page(workdir / "card.pdf")
    text = pdf_text(workdir / "card.pdf")

    for expected in (
        "署名登録証",
        "Signer Registration Certificate",
        "大阪 正人",
        "Osaka Masahito",
        "代表取締役",
        "President",
        "日商テスト商事株式会社",
        "1301000001",
        "U000001",
        card["password"],
    ):
        assert expected in text, expected
    for sentence in SIGNATURE_SENTENCE.splitlines():
        assert squashed(sentence) in squashed(text), sentence
    images = [
        x.get_object()
        for x in page["/Resources"]["/XObject"].values()
        if x.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) >= 1

    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # 00:00 the next day in Tokyo
    login(admin, "A1301000001")  # 14 hours on, the administrator's session has timed out
    later = admin("signer", "card", "SG000001", "-o", "later.pdf", "--json")

    assert later.exit_code == 0
    assert later.json() == {
        "user_id": "U000001",
        "card": "later.pdf",
        "password": None,
        "password_shown": False,
        "first_printed_at": TEN_AM_UTC,
        "print_count": 2,
    }
    text = pdf_text(workdir / "later.pdf")
    assert "U000001" in text and "大阪 正人" in text
    assert card["password"] not in text
    assert squashed(NOTICE_AFTER_FIRST_DAY[SIGNER_CARD]) in squashed(text)
    human = admin("signer", "card", "SG000001", "-o", "third.pdf")
    assert human.stderr == (
        "Wrote third.pdf: 署名登録証 of U000001, without the password (not shown after the first day).\n"
    )


def test_the_signer_logs_in_changes_its_password_and_adds_a_sub_id(
    shomei: Shomei, admin: Shomei, card: dict[str, Any]
) -> None:
    run = partial(shomei, "--profile", "signer")
    first = login(run, "U000001", card["password"])
    assert first.stderr == (
        "Logged in to 1301 東京商工会議所 as U000001 (signer).\n"
        "Your password is temporary: change it now with `shomei passwd`.\n"
    )
    blocked = run("subid", "list")
    assert blocked.exit_code == 3
    assert blocked.stderr == (
        "Error: Your password is temporary: change it with `shomei passwd` before doing anything else.\n"
    )
    changed = run("passwd", "--stdin", input=f"{card['password']}\n{TEST_PASSWORD}\n")
    assert (changed.exit_code, changed.stderr) == (0, "Password changed.\n")

    added = run("subid", "add", "--name", "鈴木 花子", "--json")

    assert added.exit_code == 0
    sub = added.json()
    password = sub.pop("initial_password")
    assert sub == {"chamber_code": "1301", "login_id": "SB000001", "role": "sub", "name": "鈴木 花子"}
    assert isinstance(password, str) and len(password) == 16
    listed = run("subid", "list", "--json")
    assert listed.exit_code == 0
    assert listed.json() == [
        {
            "login_id": "SB000001",
            "name": "鈴木 花子",
            "email": None,
            "status": "active",
            "locked": False,
            "must_change_password": True,
            "signer_user_id": "U000001",
            "created_at": TEN_AM_UTC,
        }
    ]
    signers = run("signer", "list", "--json")
    assert signers.exit_code == 0
    assert signers.json() == [
        signer_record(status="active", approved_at=TEN_AM_UTC, user_id="U000001", sub_ids=1)
    ]
    # the administrator's session (another profile) lives on beside the signer's
    assert admin("whoami", "--json").json()["login_id"] == "A1301000001"


def test_a_signer_cannot_add_a_signer(signer: Shomei) -> None:
    result = signer("signer", "add", *OSAKA, "--signature", "sig.png")

    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (
        "Error: Permission denied: a user ID may not do signer.manage (allowed: administrator ID).\n"
    )


def test_subid_management_through_the_cli(shomei: Shomei, signer: Shomei) -> None:
    password = signer(
        "subid", "add", "--name", "鈴木 花子", "--email", "suzuki@nissho-test.example.jp", "--json"
    )
    initial = password.json()["initial_password"]

    updated = signer("subid", "update", "SB000001", "--email", "hana@nissho-test.example.jp")
    bad = signer("subid", "update", "SB000001", "--email", "hana@")
    reset = signer("subid", "reset-password", "SB000001")

    assert updated.exit_code == 0
    assert lines(updated.stdout) == [
        "sub id    SB000001",
        "name      鈴木 花子",
        "email     hana@nissho-test.example.jp",
        "status    active",
        "password  temporary",
        "signer    U000001",
    ]
    assert (bad.exit_code, bad.stderr) == (7, "Error: Invalid input: email: is not an email address\n")
    assert reset.exit_code == 0
    new = lines(reset.stdout)
    assert new[:2] == ["sub id            SB000001", "name              鈴木 花子"]
    assert new[2].startswith("initial password  ") and len(new[2].split()[-1]) == 16
    assert new[2].split()[-1] != initial
    assert reset.stderr == "The password is shown only now; it must be changed at the first login.\n"
    removed = signer("subid", "remove", "SB000001", "--yes", "--json")
    assert (removed.exit_code, removed.json()["status"]) == (0, "disabled")
    refused = shomei(
        "--profile",
        "sub",
        "login",
        "--chamber",
        "1301",
        "--id",
        "SB000001",
        "--password-stdin",
        input=new[2].split()[-1] + "\n",
    )
    assert (refused.exit_code, refused.stderr) == (
        3,
        "Error: Login failed: the chamber code, ID or password is wrong.\n",
    )


# -- resets and removal --------------------------------------------------------------------------------


def test_reset_password_generate_ends_the_signers_session_and_the_next_card_shows_the_new_one(
    admin: Shomei, signer: Shomei, card: dict[str, Any]
) -> None:
    result = admin("signer", "reset-password", "U000001", "--generate")

    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "A new password was generated for U000001: print the card with "
        "`shomei signer card U000001 -o FILE` (the password shows on its first day).\n"
    )
    ended = signer("whoami")
    assert ended.exit_code == 3
    assert ended.stderr == "Error: This session was ended because the password was reset. Log in again.\n"
    printed = admin("signer", "card", "U000001", "-o", "new.pdf", "--json").json()
    assert (printed["print_count"], printed["password_shown"]) == (1, True)
    assert printed["password"] != card["password"]
    assert login(signer, "U000001", printed["password"]).stderr.endswith(
        "Your password is temporary: change it now with `shomei passwd`.\n"
    )


def test_reset_password_stdin_sets_the_administrators_value_under_the_policy(
    admin: Shomei, signer: Shomei
) -> None:
    short = admin("signer", "reset-password", "U000001", "--password-stdin", input="short\n")
    assert (short.exit_code, short.stderr) == (
        7,
        "Error: Invalid input: password: must be at least 12 characters (it has 5)\n",
    )
    assert signer("whoami").exit_code == 0  # nothing happened

    result = admin("signer", "reset-password", "U000001", "--password-stdin", input=CHOSEN + "\n")

    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "The password of U000001 was set; it must be changed at the next login.\n"
    assert login(signer, "U000001", CHOSEN).stderr.endswith(
        "Your password is temporary: change it now with `shomei passwd`.\n"
    )
    printed = admin("signer", "card", "U000001", "-o", "card2.pdf", "--json").json()
    assert (printed["password"], printed["password_shown"]) == (None, False)
    assert CHOSEN not in pdf_text(Path("card2.pdf"))


def test_reset_password_needs_exactly_one_of_generate_and_password_stdin(
    admin: Shomei, card: dict[str, Any]
) -> None:
    for options in ([], ["--generate", "--password-stdin"]):
        result = admin("signer", "reset-password", "U000001", *options, input=CHOSEN + "\n")

        assert (result.exit_code, result.stdout) == (2, ""), options
        assert result.stderr.endswith(
            "Error: Invalid value: give exactly one of --password-stdin and --generate\n"
        ), options
    printed = admin("signer", "card", "U000001", "-o", "same.pdf", "--json").json()
    assert printed["password"] == card["password"]  # no reset happened


def test_signer_remove_disables_the_user_id(admin: Shomei, signer: Shomei) -> None:
    kept = admin("signer", "remove", "SG000001", "--json", input="n\n")
    assert (kept.exit_code, kept.stdout) == (1, "")  # nothing on stdout, not even the prompt's space
    assert kept.stderr == (
        "Remove signer SG000001 and disable its user ID and sub IDs? [y/N]: Aborted: nothing was changed.\n"
    )
    assert signer("whoami").exit_code == 0
    no_answer = admin("signer", "remove", "SG000001", input="")
    assert no_answer.exit_code == 1
    assert no_answer.stderr.endswith("[y/N]: \nAborted: nothing was changed.\n")
    assert signer("whoami").exit_code == 0
    yes = admin("signer", "remove", "SG000001", "--json", input="y\n")
    assert (yes.exit_code, yes.stdout[:1], yes.json()["status"]) == (0, "{", "removed")

    result = admin("signer", "show", "SG000001")

    assert result.exit_code == 0
    assert lines(result.stdout) == [
        "reference   SG000001",
        "status      removed",
        "name        大阪 正人 / Osaka Masahito",
        "title       代表取締役 / President",
        "birth date",
        "address",
        "user id     U000001",
        "sub ids     0",
    ]
    ended = signer("whoami")
    assert (ended.exit_code, ended.stderr) == (
        3,
        "Error: This session was ended because the ID was disabled.\n",
    )
    refused = signer(
        "login", "--chamber", "1301", "--id", "U000001", "--password-stdin", input=TEST_PASSWORD + "\n"
    )
    assert (refused.exit_code, refused.stderr) == (
        3,
        "Error: Login failed: the chamber code, ID or password is wrong.\n",
    )
    assert [s["status"] for s in admin("signer", "list", "--json").json()] == ["removed"]
