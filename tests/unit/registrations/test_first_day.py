"""The first-day rule on the 貿易登録証: the initial password is on the card on the calendar day (Asia/Tokyo)
of the first print and on every reprint that day, never after; its plaintext is kept encrypted only that long.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from shomei_cli.domain.clock import FixedClock, as_utc
from shomei_cli.domain.errors import AuthenticationFailed, Conflict, PasswordChangeRequired, SessionEnded
from shomei_cli.domain.records import CardPrint, IssuedRegistration
from shomei_cli.services import api, auth, cards, registrations
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, AuditEvent, CredentialCard
from tests.helpers import TEST_PASSWORD, activate, lock_out
from tests.unit.registrations.conftest import csv_bytes, print_card, valid_row

NOTICE = cards.NOTICE_AFTER_FIRST_DAY[cards.REGISTRATION_CARD]


@pytest.fixture(params=["UTC", "America/Los_Angeles"])
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process's own zone (TZ) set to one far from Tokyo, and restored afterwards."""
    zone = str(request.param)
    previous = os.environ.get("TZ")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    assert time.timezone == (0 if zone == "UTC" else 8 * 3600)
    yield zone
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


def cycle(core: Core, login_id: str) -> CredentialCard:
    """The live card cycle of ``login_id``."""
    with core.read() as session:
        return session.exec(
            select(CredentialCard)
            .join(Account, col(Account.id) == col(CredentialCard.account_id))
            .where(Account.login_id == login_id, col(CredentialCard.superseded).is_(False))
        ).one()


def pdf_text(printed: CardPrint) -> str:
    reader = pypdf.PdfReader(io.BytesIO(printed.pdf))
    return "".join(page.extract_text() for page in reader.pages)


def at(clock: FixedClock, year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> None:
    """Move the clock to a wall-clock time in UTC."""
    clock.set(datetime(year, month, day, hour, minute, second, tzinfo=UTC))


def test_first_print_shows_the_password_a_reprint_that_day_too_the_next_day_not(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    first = print_card(core, staff, "1301000001")
    assert first.password is not None
    assert (first.login_id, first.registration_number, first.password_notice, first.print_count) == (
        "A1301000001",
        "1301000001",
        None,
        1,
    )
    assert first.first_printed_at == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert len(first.password) == 16

    clock.advance(timedelta(hours=5))  # 15:00 in Tokyo, the PDF closed by mistake
    again = print_card(core, staff, "1301000001")
    assert (again.password, again.password_notice, again.first_printed_at, again.print_count) == (
        first.password,
        None,
        first.first_printed_at,
        2,
    )
    assert cycle(core, "A1301000001").secret is not None

    clock.advance(timedelta(days=1))  # the next day
    later = print_card(core, staff, "1301000001")
    assert (later.password, later.password_notice, later.first_printed_at, later.print_count) == (
        None,
        NOTICE,
        first.first_printed_at,
        3,
    )
    stored = cycle(core, "A1301000001")
    assert (stored.secret, stored.print_count) == (None, 3)
    assert stored.destroyed_at is not None and as_utc(stored.destroyed_at) == clock.now()
    with core.read() as session:
        prints = session.exec(
            select(AuditEvent.actor_login_id, AuditEvent.target, AuditEvent.details)
            .where(AuditEvent.action == "registration_card.print")
            .order_by(col(AuditEvent.id))
        ).all()
    assert [tuple(p) for p in prints] == [
        ("S00001", "1301000001", {"password_shown": True, "print": 1}),
        ("S00001", "1301000001", {"password_shown": True, "print": 2}),
        ("S00001", "1301000001", {"password_shown": False, "print": 3}),
    ]


def test_a_batch_of_cards_prints_in_one_call_each_with_its_own_password(
    core: Core, staff: Actor, clock: FixedClock
) -> None:
    registrations.issue_from_csv(core, staff, csv_bytes([valid_row(n) for n in range(1, 13)]))
    numbers = [f"13010000{n:02d}" for n in range(1, 13)]
    printed = registrations.print_cards(core, staff, numbers)
    assert [(p.registration_number, p.login_id, p.print_count) for p in printed] == [
        (n, f"A{n}", 1) for n in numbers
    ]
    passwords = [p.password for p in printed]
    assert None not in passwords and len(set(passwords)) == 12
    clock.advance(timedelta(hours=1))
    assert [p.password for p in registrations.print_cards(core, staff, numbers)] == passwords
    clock.advance(timedelta(days=1))
    assert {(p.password, p.password_notice) for p in registrations.print_cards(core, staff, numbers)} == {
        (None, NOTICE)
    }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF does not depend on the store
def test_the_card_carries_the_password_on_the_first_day_and_says_why_not_after(
    real_pdf: None, core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    first = print_card(core, staff, "1301000001")
    assert first.password is not None
    text = pdf_text(first)
    for expected in ("貿易登録証", "1301000001", "日商テスト商事株式会社", "A1301000001", first.password):
        assert expected in text
    assert "2026年11月27日 (2026-11-27) ～ 2028年11月26日 (2028-11-26)" in text
    assert "Printed 2026-11-27 10:00 JST" in text

    clock.advance(timedelta(days=31))  # one batch: a card past its first day, and one never printed in time
    later, expired = registrations.print_cards(core, staff, ["1301000001", "1301000002"])
    assert (later.password, later.password_notice) == (None, NOTICE)
    assert (expired.password, expired.password_notice) == (None, cards.NOTICE_EXPIRED)
    later_text, expired_text = pdf_text(later), pdf_text(expired)
    assert first.password not in later_text
    assert "（表示されません / not shown）" in later_text
    assert "shown only on the day the card is first printed. If it is lost, ask the chamber to reset it." in (
        later_text.replace("\n", " ")
    )
    assert "A1301000002" in expired_text
    assert "not printed within 30 days" in expired_text.replace("\n", " ")


# -- midnight in Tokyo, whatever the machine's zone -------------------------------------------------


def test_first_print_at_2359_tokyo_is_not_shown_at_0000_tokyo(
    machine_zone: str, core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    at(clock, 2026, 11, 27, 14, 59)  # 23:59 on 27 November in Tokyo (06:59 in Los Angeles)
    first = print_card(core, staff, "1301000001")
    assert first.password is not None
    at(clock, 2026, 11, 27, 14, 59, 59)
    assert print_card(core, staff, "1301000001").password == first.password
    at(clock, 2026, 11, 27, 15, 0)  # 00:00 on 28 November in Tokyo; still the 27th in UTC and in LA
    later = print_card(core, staff, "1301000001")
    assert (later.password, later.password_notice, later.print_count) == (None, NOTICE, 3)
    assert cycle(core, "A1301000001").secret is None


def test_first_print_at_0000_tokyo_is_shown_until_2359_tokyo(
    machine_zone: str, core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    at(clock, 2026, 11, 27, 15, 0)  # 00:00 on 28 November in Tokyo; the 27th in UTC
    first = print_card(core, staff, "1301000001")
    assert first.password is not None
    at(clock, 2026, 11, 28, 14, 59, 59)  # 23:59:59 on the 28th in Tokyo; the 28th in UTC
    assert cards.purge_spent(core) == 0
    again = print_card(core, staff, "1301000001")
    assert (again.password, again.print_count) == (first.password, 2)
    at(clock, 2026, 11, 28, 15, 0)
    assert print_card(core, staff, "1301000001").password is None


def test_purge_destroys_the_secret_once_its_day_is_over(
    machine_zone: str, core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    first = print_card(core, staff, "1301000001")
    at(clock, 2026, 11, 27, 14, 59, 59)
    assert cards.purge_spent(core) == 0
    assert cycle(core, "A1301000001").secret is not None
    at(clock, 2026, 11, 27, 15, 0)
    assert cards.purge_spent(core) == 1  # 1301000002 was never printed: its 30 days are still running
    spent = cycle(core, "A1301000001")
    assert spent.secret is None
    assert spent.destroyed_at is not None and as_utc(spent.destroyed_at) == clock.now()
    assert cycle(core, "A1301000002").secret is not None
    assert cards.purge_spent(core) == 0
    later = print_card(core, staff, "1301000001")
    assert (later.password, later.password_notice, later.first_printed_at) == (
        None,
        NOTICE,
        first.first_printed_at,
    )


# -- the secret at rest ----------------------------------------------------------------------------


def test_the_stored_secret_is_encrypted_with_a_key_outside_the_database(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration], database_url: str
) -> None:
    password = print_card(core, staff, "1301000001").password
    assert password is not None
    secret = cycle(core, "A1301000001").secret
    assert secret is not None
    assert password.encode() not in secret
    assert password.encode("utf-16-le") not in secret
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        files = [Path(url.database), Path(f"{url.database}-wal")]
        on_disk = b"".join(f.read_bytes() for f in files if f.exists())
        assert secret in on_disk  # the right bytes were looked at
        assert password.encode() not in on_disk
    with core.read() as session:
        details = [e.details for e in session.exec(select(AuditEvent))]
    assert password not in repr(details)
    # another process with another key reads the same row, and cannot open it
    from cryptography.fernet import Fernet

    other = Core.open(database_url, clock=clock, hashing=core.hashing, secret_key=Fernet.generate_key())
    try:
        with pytest.raises(Conflict, match="cannot be decrypted with this key"):
            print_card(other, staff, "1301000001")
    finally:
        other.close()


# -- an initial password never printed -------------------------------------------------------------


def test_an_initial_password_never_printed_for_30_days_expires(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    issued_at = clock.now()
    clock.set(issued_at + timedelta(days=30) - timedelta(seconds=1))
    assert print_card(core, staff, "1301000001").password is not None  # day 29, 23:59:59 of elapsed time
    clock.set(issued_at + timedelta(days=30))
    assert cards.purge_spent(core) == 1
    assert cycle(core, "A1301000002").secret is None
    expired = print_card(core, staff, "1301000002")
    assert (expired.password, expired.password_notice, expired.print_count) == (None, cards.NOTICE_EXPIRED, 1)
    # the card printed just in time keeps its first day
    assert print_card(core, staff, "1301000001").password is not None


def test_a_reprint_of_an_expired_card_still_says_it_expired(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    clock.advance(timedelta(days=31))
    assert print_card(core, staff, "1301000002").password_notice == cards.NOTICE_EXPIRED
    again = print_card(core, staff, "1301000002")
    assert (again.password, again.password_notice) == (None, cards.NOTICE_EXPIRED)


# -- logging in with the card, and a reset ---------------------------------------------------------


def test_the_printed_password_logs_in_and_must_be_changed_first(
    core: Core, staff: Actor, issued: list[IssuedRegistration]
) -> None:
    password = print_card(core, staff, "1301000002").password
    assert password is not None
    result = api.login(core, "1301", "A1301000002", password)
    assert (result.identity.login_id, result.identity.role, result.identity.must_change_password) == (
        "A1301000002",
        "admin",
        True,
    )
    with pytest.raises(PasswordChangeRequired):
        api.show_registration(core, result.token, None)
    api.change_password(core, result.token, password, TEST_PASSWORD)
    assert api.show_registration(core, result.token, None).registration_number == "1301000002"
    assert registrations.show_registration(core, staff, "1301000002").admin_must_change_password is False


def test_a_reset_starts_a_new_cycle_unlocks_and_ends_the_old_sessions(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    old = print_card(core, staff, "1301000001").password
    assert old is not None
    activate(core, "1301", "A1301000001", old)
    clock.advance(timedelta(days=1))  # the old card's day is over
    assert print_card(core, staff, "1301000001").password is None
    live = auth.login(core, "1301", "A1301000001", TEST_PASSWORD).token
    lock_out(core, "A1301000001")
    assert registrations.show_registration(core, staff, "1301000001").admin_locked is True

    view = registrations.reset_admin_password(core, staff, "1301000001")
    assert (view.admin_id, view.admin_locked, view.admin_must_change_password) == ("A1301000001", False, True)
    with pytest.raises(SessionEnded) as ended:
        auth.authenticate(core, live)
    assert ended.value.reason == "password_reset"

    new = print_card(core, staff, "1301000001")
    assert new.password is not None and new.password != old
    assert (new.print_count, new.password_notice) == (1, None)
    assert new.first_printed_at == clock.now()
    clock.advance(timedelta(hours=12))  # 22:00 the same day in Tokyo
    assert print_card(core, staff, "1301000001").password == new.password
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "A1301000001", TEST_PASSWORD)
    assert auth.login(core, "1301", "A1301000001", new.password).identity.must_change_password is True
    clock.advance(timedelta(hours=2))  # the next day
    assert print_card(core, staff, "1301000001").password is None
    with core.read() as session:
        cycles = session.exec(
            select(CredentialCard.superseded, CredentialCard.secret, CredentialCard.print_count)
            .join(Account, col(Account.id) == col(CredentialCard.account_id))
            .where(Account.login_id == "A1301000001")
            .order_by(col(CredentialCard.id))
        ).all()
        resets = session.exec(
            select(AuditEvent.actor_login_id, AuditEvent.target, AuditEvent.details).where(
                AuditEvent.action == "admin.password_reset"
            )
        ).all()
    assert [tuple(c) for c in cycles] == [(True, None, 2), (False, None, 3)]
    assert [tuple(r) for r in resets] == [("S00001", "A1301000001", {"ended_sessions": 1})]


def test_a_reset_the_same_day_as_the_first_print_shows_the_new_password(
    core: Core, staff: Actor, issued: list[IssuedRegistration]
) -> None:
    old = print_card(core, staff, "1301000002").password
    registrations.reset_admin_password(core, staff, "1301000002")
    new = print_card(core, staff, "1301000002")
    assert new.password is not None and new.password != old
    assert new.print_count == 1
