"""The printing cycles of cards that carry an initial password, under the first-day rule (DOMAIN.md).

A cycle starts when a password is issued or reset; its plaintext is sealed with the SecretBox; the first
print stores its time; prints on that calendar day (chamber zone) show the password; the secret is destroyed
once the rule no longer needs it, and no read after that can return it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.first_day import INITIAL_PASSWORD_DAYS, password_visible, secret_spent
from shomei_cli.i18n import N_, _
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, Chamber, CredentialCard

REGISTRATION_CARD = "registration_card"
SIGNER_CARD = "signer_card"

# The notices are printed bilingual on the card; the user is told them in their language
# (``notice_for_user``), in English as the card's bilingual text.
NOTICE_AFTER_FIRST_DAY = {
    REGISTRATION_CARD: N_(
        "セキュリティ上、初回印刷日の翌日以降はパスワードを表示しません。パスワードが不明な場合は商工会議所に"
        "再発行を依頼してください。\nFor security the password is shown only on the day the card is first "
        "printed. If it is lost, ask the chamber to reset it."
    ),
    SIGNER_CARD: N_(
        "セキュリティ上、初回印刷日の翌日以降はパスワードを表示しません。パスワードが不明な場合は管理者が"
        "再発行できます。\nFor security the password is shown only on the day the card is first printed. "
        "If it is lost, the administrator can reset it."
    ),
}
_NOTICE_EXPIRED_TEMPLATE = N_(
    "この初期パスワードは{days}日以内に印刷されなかったため失効しました。再発行が必要です。\n"
    "This initial password expired because the card was not printed within {days} days; "
    "it must be reset."
)
NOTICE_EXPIRED = _NOTICE_EXPIRED_TEMPLATE.format(days=INITIAL_PASSWORD_DAYS)


@dataclass(frozen=True)
class PrintOutcome:
    password: str | None
    notice: str | None
    first_printed_at: datetime
    print_count: int


def notice_for_user(notice: str | None) -> str | None:
    """A card's notice as the user is told it, in their language (the card keeps the bilingual text)."""
    if notice is None:
        return None
    if notice == NOTICE_EXPIRED:
        return _(_NOTICE_EXPIRED_TEMPLATE).format(days=INITIAL_PASSWORD_DAYS)
    return _(notice)


def start_cycle(session: Session, core: Core, account: Account, kind: str, password: str) -> None:
    """A new password: end the previous cycles (destroying their secrets) and start a new one."""
    end_cycles(session, core, account)
    session.add(
        CredentialCard(
            account_id=account.id or 0,
            kind=kind,
            secret=core.secrets.seal(password),
            issued_at=core.clock.now(),
        )
    )


def end_cycles(session: Session, core: Core, account: Account) -> None:
    """The password was set another way (chosen by the administrator): no card carries it; end the cycles."""
    now = core.clock.now()
    for old in _live_cycles(session, account):
        old.superseded = True
        _destroy(old, now)
        session.add(old)


def forget_secret(session: Session, core: Core, account: Account) -> None:
    """The ID's password was changed: the card's initial password opens nothing now, so it is destroyed (the
    card itself stays, and prints without it)."""
    now = core.clock.now()
    for card in _live_cycles(session, account):
        _destroy(card, now)
        session.add(card)


def _live_cycles(session: Session, account: Account) -> list[CredentialCard]:
    return list(
        session.exec(
            select(CredentialCard)
            .where(CredentialCard.account_id == account.id, col(CredentialCard.superseded).is_(False))
            .with_for_update()
        )
    )


def _destroy(card: CredentialCard, now: datetime) -> None:
    if card.secret is not None:
        card.secret = None
        card.destroyed_at = now


def take_print(
    session: Session, core: Core, account: Account, zone: str, kind: str, *, pending: bool = False
) -> PrintOutcome:
    """Record one print of the account's card and say whether it may show the password (and which).

    A ``pending`` print does not count as the first print until ``confirm_written``: a client that writes
    the card to a file asks for it that way, so that a card lost in a crash before its file was on disk
    is still a card never printed (its password shows on the next print, whatever the day)."""
    now = core.clock.now()
    cycles = _live_cycles(session, account)
    card = cycles[-1] if cycles else None
    if card is None:
        # an ID with no cycle (made before cards existed): nothing to show, and no secret to keep
        return PrintOutcome(None, NOTICE_AFTER_FIRST_DAY[kind], now, 1)
    password: str | None = None
    notice: str | None = None
    never_printed = card.first_printed_at is None
    expired = never_printed and secret_spent(card.issued_at, None, now, zone)
    if card.secret is not None and not expired and password_visible(card.first_printed_at, now, zone):
        password = core.secrets.open(card.secret)
    else:
        notice = NOTICE_EXPIRED if expired else NOTICE_AFTER_FIRST_DAY[kind]
        _destroy(card, now)
    if never_printed and not expired and not pending:
        # (an expired card stays "never printed", so every print of it says it expired)
        card.first_printed_at = now
    card.last_printed_at = now
    card.print_count += 1
    session.add(card)
    first = as_utc(card.first_printed_at) if card.first_printed_at is not None else now
    return PrintOutcome(password, notice, first, card.print_count)


def confirm_written(session: Session, core: Core, account: Account) -> bool:
    """The file of a pending print is on disk: the card now counts as printed (its first day starts now, if
    it had not started). Returns whether this started the first day."""
    cycles = _live_cycles(session, account)
    card = cycles[-1] if cycles else None
    if card is None or card.first_printed_at is not None or card.print_count == 0 or card.secret is None:
        # nothing pending: already printed, never printed, or expired unprinted (which stays "expired")
        return False
    card.first_printed_at = core.clock.now()
    session.add(card)
    return True


def card_printed(session: Session, account: Account) -> bool:
    """Has the account's current card been printed at least once?"""
    cycles = _live_cycles(session, account)
    return bool(cycles) and cycles[-1].first_printed_at is not None


def purge_spent(core: Core) -> int:
    """Destroy every secret whose day is over (or that expired unprinted); returns how many.

    Only the candidates are read: per chamber, cards first printed before the start of today in its zone,
    and cards issued more than 30 days ago and never printed.
    """
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import and_, or_

    from shomei_cli.domain.clock import calendar_day

    now = core.clock.now()
    stale = now - timedelta(days=INITIAL_PASSWORD_DAYS)

    def spent(session: Session) -> list[CredentialCard]:
        found: list[CredentialCard] = []
        for chamber_id, zone in session.exec(select(Chamber.id, Chamber.time_zone)).all():
            day_start = datetime.combine(calendar_day(now, zone), datetime.min.time(), ZoneInfo(zone))
            rows = session.exec(
                select(CredentialCard)
                .join(Account, col(Account.id) == col(CredentialCard.account_id))
                .where(
                    Account.chamber_id == chamber_id,
                    col(CredentialCard.secret).is_not(None),
                    or_(
                        and_(
                            col(CredentialCard.first_printed_at).is_not(None),
                            col(CredentialCard.first_printed_at) < as_utc(day_start),
                        ),
                        and_(
                            col(CredentialCard.first_printed_at).is_(None),
                            col(CredentialCard.issued_at) <= stale,
                        ),
                    ),
                )
            ).all()
            found += [c for c in rows if secret_spent(c.issued_at, c.first_printed_at, now, zone)]
        return found

    # read first: most commands find nothing to purge, and then take no write lock at all
    with core.read() as session:
        if not spent(session):
            return 0
    with core.write() as session:
        cards = spent(session)
        for card in cards:
            _destroy(card, now)
            session.add(card)
    return len(cards)
