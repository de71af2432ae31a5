"""The 署名登録証: only an approved signer's card prints; the first print issues the user ID with a random
initial password; the password shows on the calendar day (Asia/Tokyo) of the first print only, whatever the
machine's zone; a reset starts a new cycle (generated) or puts no password on any card (chosen)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from shomei_cli.domain.clock import FixedClock, as_utc
from shomei_cli.domain.errors import (
    AuthenticationFailed,
    FieldError,
    InvalidInput,
    PasswordChangeRequired,
    SessionEnded,
    WrongState,
)
from shomei_cli.domain.passwords import GENERATED_ALPHABET
from shomei_cli.domain.records import CardPrint, SignerView
from shomei_cli.services import auth, cards, signers
from shomei_cli.services.core import Core
from tests.helpers import TEST_PASSWORD
from tests.unit.signers.conftest import (
    Login,
    account,
    add,
    audit_events,
    card_cycles,
    decide,
    print_card,
    snapshot,
)

NOTICE = cards.NOTICE_AFTER_FIRST_DAY[cards.SIGNER_CARD]
TEN_AM = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
LAST_SECOND = datetime(2026, 11, 27, 14, 59, 59, tzinfo=UTC)  # 23:59:59 in Tokyo, the same day
MIDNIGHT = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 00:00 on 11-28 in Tokyo; still 11-27 in Los Angeles
CHOSEN = "aozora-no-shita-de-42"


@pytest.fixture(params=["Asia/Tokyo", "America/Los_Angeles"])
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process's own zone (TZ), restored afterwards."""
    zone = str(request.param)
    previous = os.environ.get("TZ")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    assert time.timezone == (-9 * 3600 if zone == "Asia/Tokyo" else 8 * 3600)
    yield zone
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


def pdf_text(printed: CardPrint) -> str:
    reader = pypdf.PdfReader(io.BytesIO(printed.pdf))
    return "".join(page.extract_text() for page in reader.pages)


def resets(core: Core) -> list[tuple[str | None, str | None, str, dict[str, object]]]:
    return [(a, t, o, d) for a, action, t, o, d in audit_events(core) if action == "signer.password_reset"]


def card_prints(core: Core) -> list[dict[str, object]]:
    return [details for _, action, _, _, details in audit_events(core) if action == "signer_card.print"]


def test_the_card_of_a_signer_not_yet_approved_does_not_print(core: Core, admin: Login, staff: Login) -> None:
    add(core, admin)

    for decision in ("pending", "returned"):
        if decision == "returned":
            decide(core, staff, "SG000001", "return", "サインが不鮮明です。")
        before = snapshot(core)
        with pytest.raises(WrongState) as refused:
            print_card(core, admin, "SG000001")
        assert refused.value.message == (
            f"Signer SG000001 is {decision}: "
            "a card can be printed only for a signer the chamber has approved."
        )
        assert snapshot(core) == before

    assert card_prints(core) == []


def test_the_first_print_issues_user_id_u000001_with_a_temporary_password_that_logs_in(
    core: Core, admin: Login, active: SignerView, real_pdf: None
) -> None:
    printed = print_card(core, admin, "SG000001")

    assert (printed.login_id, printed.registration_number, printed.password_notice) == (
        "U000001",
        "1301000001",
        None,
    )
    assert (printed.first_printed_at, printed.print_count) == (TEN_AM, 1)
    assert printed.password is not None and len(printed.password) == 16
    assert set(printed.password) <= set(GENERATED_ALPHABET)
    text = pdf_text(printed)
    for expected in ("署名登録証", "大阪 正人", "Osaka Masahito", "代表取締役", "President", "U000001"):
        assert expected in text, expected
    assert printed.password in text
    user = account(core, "U000001")
    assert (user.role, user.name, user.must_change_password, user.status) == (
        "signer",
        "大阪 正人",
        True,
        "active",
    )
    assert signers.show_signer(core, admin.actor, "SG000001").user_id == "U000001"
    assert signers.show_signer(core, admin.actor, "U000001").reference == "SG000001"
    assert [e for e in audit_events(core) if e[1] in {"signer.user_id_issue", "signer_card.print"}] == [
        ("A1301000001", "signer.user_id_issue", "U000001", "ok", {"signer": "SG000001"}),
        (
            "A1301000001",
            "signer_card.print",
            "SG000001",
            "ok",
            {"user_id": "U000001", "password_shown": True, "print": 1},
        ),
    ]

    login = auth.login(core, "1301", "U000001", printed.password)

    assert (login.identity.login_id, login.identity.role, login.identity.registration_number) == (
        "U000001",
        "signer",
        "1301000001",
    )
    assert login.identity.must_change_password is True
    with pytest.raises(PasswordChangeRequired):
        auth.authenticate(core, login.token)


def test_a_reprint_the_same_day_shows_the_same_password_and_keeps_the_same_user_id(
    core: Core, admin: Login, clock: FixedClock, first_card: CardPrint
) -> None:
    clock.set(LAST_SECOND)

    again = print_card(core, admin, "SG000001")

    assert again == CardPrint("U000001", "1301000001", first_card.password, None, TEN_AM, 2, again.pdf)
    (cycle,) = card_cycles(core, "U000001")
    assert cycle.secret is not None and cycle.print_count == 2


def test_from_the_next_day_in_tokyo_no_password_shows_whatever_the_machines_zone(
    core: Core, admin: Login, clock: FixedClock, machine_zone: str, first_card: CardPrint
) -> None:
    clock.set(LAST_SECOND)
    assert print_card(core, admin, "SG000001").password == first_card.password
    clock.set(MIDNIGHT)

    later = print_card(core, admin, "SG000001")

    assert (
        later.login_id,
        later.password,
        later.password_notice,
        later.first_printed_at,
        later.print_count,
    ) == (
        "U000001",
        None,
        NOTICE,
        TEN_AM,
        3,
    )
    (cycle,) = card_cycles(core, "U000001")
    assert cycle.secret is None
    assert cycle.destroyed_at is not None and as_utc(cycle.destroyed_at) == MIDNIGHT
    assert card_prints(core) == [
        {"user_id": "U000001", "password_shown": True, "print": 1},
        {"user_id": "U000001", "password_shown": True, "print": 2},
        {"user_id": "U000001", "password_shown": False, "print": 3},
    ]
    # the password itself still opens the ID: only its display is over
    assert auth.login(core, "1301", "U000001", first_card.password).identity.must_change_password is True


def test_a_generated_reset_starts_a_new_cycle_shown_on_its_own_first_day_and_ends_the_sessions(
    core: Core, admin: Login, clock: FixedClock, signer: Login, first_card: CardPrint
) -> None:
    clock.set(MIDNIGHT + timedelta(hours=1))
    assert print_card(core, admin, "SG000001").password is None

    view = signers.reset_signer_password(core, admin.actor, "U000001", None)

    assert (view.reference, view.user_id, view.status, view.user_locked) == (
        "SG000001",
        "U000001",
        "active",
        False,
    )
    with pytest.raises(SessionEnded) as ended:
        auth.authenticate(core, signer.token)
    assert ended.value.reason == "password_reset"
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "U000001", TEST_PASSWORD)
    fresh = print_card(core, admin, "U000001")
    assert (fresh.password_notice, fresh.print_count, fresh.first_printed_at) == (None, 1, clock.now())
    assert fresh.password is not None and fresh.password != first_card.password and len(fresh.password) == 16
    assert print_card(core, admin, "SG000001").password == fresh.password  # same day
    old, new = card_cycles(core, "U000001")
    assert (old.superseded, old.secret, new.superseded) == (True, None, False)
    assert resets(core) == [("A1301000001", "U000001", "ok", {"generated": True, "ended_sessions": 1})]
    assert auth.login(core, "1301", "U000001", fresh.password).identity.must_change_password is True
    clock.advance(timedelta(days=1))
    assert print_card(core, admin, "SG000001").password is None


POLICY: list[tuple[str, list[str]]] = [
    ("short-pw", ["must be at least 12 characters (it has 8)"]),
    ("U000001-kumo-no-ue", ["must not contain the ID"]),
    ("nissho test co., ltd.", ["must not contain the company or chamber name"]),
    ("password1234", ["is one of the most common passwords"]),
    ("1301", ["must be at least 12 characters (it has 4)", "must not contain the chamber code"]),
]


def test_a_chosen_password_must_pass_the_policy_or_nothing_changes(
    core: Core, admin: Login, signer: Login
) -> None:
    before = snapshot(core)

    for password, reasons in POLICY:
        with pytest.raises(InvalidInput) as refused:
            signers.reset_signer_password(core, admin.actor, "U000001", password)
        assert refused.value.errors == [FieldError("password", reason) for reason in reasons], password

    assert snapshot(core) == before
    assert auth.authenticate(core, signer.token).login_id == "U000001"  # the session lives on


def test_a_chosen_password_works_must_be_changed_at_the_next_login_and_is_on_no_card(
    core: Core, admin: Login, signer: Login, first_card: CardPrint, real_pdf: None
) -> None:
    view = signers.reset_signer_password(core, admin.actor, "SG000001", CHOSEN)

    assert view.user_id == "U000001"
    with pytest.raises(SessionEnded) as ended:
        auth.authenticate(core, signer.token)
    assert ended.value.reason == "password_reset"
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "U000001", TEST_PASSWORD)
    login = auth.login(core, "1301", "U000001", CHOSEN)
    assert login.identity.must_change_password is True
    with pytest.raises(PasswordChangeRequired):
        auth.authenticate(core, login.token)
    assert all(cycle.secret is None for cycle in card_cycles(core, "U000001"))
    assert resets(core) == [("A1301000001", "U000001", "ok", {"generated": False, "ended_sessions": 1})]

    printed = print_card(core, admin, "SG000001")  # the same day as the first print

    assert (printed.password, printed.password_notice) == (None, NOTICE)
    text = pdf_text(printed)
    assert CHOSEN not in text and first_card.password not in text  # type: ignore[operator]


def test_a_signer_without_a_user_id_has_no_password_to_reset(
    core: Core, admin: Login, active: SignerView
) -> None:
    with pytest.raises(WrongState) as refused:
        signers.reset_signer_password(core, admin.actor, "SG000001", None)

    assert refused.value.message == "Signer SG000001 has no user ID yet: print its card to issue one."
