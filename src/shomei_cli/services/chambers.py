"""The chamber itself and its staff IDs."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from shomei_cli.domain import accounts as rules
from shomei_cli.domain.clock import DEFAULT_TIME_ZONE, as_utc
from shomei_cli.domain.errors import Conflict, FieldError, InvalidInput, NotFound, WrongState
from shomei_cli.domain.passwords import generate_password
from shomei_cli.domain.permissions import Action, Role
from shomei_cli.domain.records import AccountSummary, NewAccount, NewChamber
from shomei_cli.domain.validation import check_email, check_text
from shomei_cli.i18n import _
from shomei_cli.services.audit import Actor, record, require
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.signing import keystore
from shomei_cli.store.tables import Account, Chamber

CHAMBER_CODE = re.compile(r"\d{4}")


def init_chamber(
    core: Core,
    code: str,
    name: str,
    name_en: str | None,
    time_zone: str = DEFAULT_TIME_ZONE,
    staff_name: str = "First staff",
) -> NewChamber:
    """Create a chamber and its first staff ID (done on the store's own host; no session needed)."""
    code = unicodedata.normalize("NFKC", code).strip()
    errors: list[FieldError] = []
    if not CHAMBER_CODE.fullmatch(code):
        errors.append(FieldError("code", _("must be 4 digits, e.g. 1301")))
    errors += check_text("name", name, max_length=200)
    errors += check_text("staff_name", staff_name, max_length=200)
    if name_en is not None:
        errors += check_text("name_en", name_en, max_length=200)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            FieldError(
                "time_zone", _("is not a known time zone: {time_zone}").format(time_zone=repr(time_zone))
            )
        )
    if errors:
        raise InvalidInput.of(errors)
    name = name.strip()
    name_en = name_en.strip() if name_en else None
    password = generate_password()
    password_hash = core.hashing.hash(password)
    now = core.clock.now()
    with core.write() as session:
        if session.exec(select(Chamber).where(Chamber.code == code)).first() is not None:
            raise Conflict(_("Chamber {code} already exists in this store.").format(code=code))
        chamber = Chamber(code=code, name=name, name_en=name_en, time_zone=time_zone, created_at=now)
        session.add(chamber)
        session.flush()
        assert chamber.id is not None
        staff = _new_account(
            session, chamber.id, Role.STAFF, staff_name.strip(), None, password_hash, now, None
        )
        # the chamber's own CA, to sign what it issues (``chamber keys`` imports a public CA's instead)
        keystore.create_own(session, core, chamber, now)
        record(
            session,
            core,
            action="chamber.init",
            chamber_id=chamber.id,
            actor_login_id=None,
            target=code,
            details={"first_staff_id": staff.login_id},
        )
    return NewChamber(
        code=code,
        name=name,
        name_en=name_en,
        time_zone=time_zone,
        staff=NewAccount(code, staff.login_id, Role.STAFF.value, staff.name, password),
    )


def _new_account(
    session: Session,
    chamber_id: int,
    role: Role,
    name: str,
    email: str | None,
    password_hash: str,
    now: datetime,
    created_by: int | None,
) -> Account:
    sequence = next_value(session, chamber_id, f"{role.value}_id")
    account = Account(
        chamber_id=chamber_id,
        login_id=rules.staff_login_id(sequence),
        role=role.value,
        name=name,
        email=email,
        password_hash=password_hash,
        must_change_password=True,
        password_changed_at=now,
        created_at=now,
        created_by_account_id=created_by,
    )
    session.add(account)
    session.flush()
    return account


def add_staff(core: Core, actor: Actor, name: str, email: str | None = None) -> NewAccount:
    """Create another staff ID in the actor's chamber, with a random initial password shown once."""
    require(core, actor, Action.STAFF_CREATE)
    errors = check_text("name", name, max_length=200)
    if email is not None:
        errors += check_email("email", email)
    if errors:
        raise InvalidInput.of(errors)
    password = generate_password()
    password_hash = core.hashing.hash(password)
    now = core.clock.now()
    with core.write() as session:
        account = _new_account(
            session,
            actor.chamber_id,
            Role.STAFF,
            name.strip(),
            email.strip() if email else None,
            password_hash,
            now,
            actor.account_id,
        )
        record(session, core, action="staff.create", actor=actor, target=account.login_id)
    return NewAccount(actor.chamber_code, account.login_id, Role.STAFF.value, account.name, password)


def list_staff(core: Core, actor: Actor) -> list[AccountSummary]:
    """The chamber's staff IDs."""
    require(core, actor, Action.STAFF_LIST)
    now = core.clock.now()
    with core.read() as session:
        accounts = session.exec(
            select(Account)
            .where(Account.chamber_id == actor.chamber_id, Account.role == Role.STAFF.value)
            .order_by(col(Account.login_id))
        ).all()
        return [summary(a, now) for a in accounts]


def _staff_account(session: Session, actor: Actor, login_id: str, *, lock: bool = False) -> Account:
    """A staff ID of the actor's chamber, by its ID as typed; NotFound otherwise (other chambers included)."""
    key = rules.login_key(login_id)
    statement = select(Account).where(
        Account.chamber_id == actor.chamber_id, Account.role == Role.STAFF.value, Account.login_id == key
    )
    account = session.exec(statement.with_for_update() if lock else statement).first()
    if account is None:
        raise NotFound(_("No staff ID {login_id} in this chamber.").format(login_id=key[:64]))
    return account


def reset_staff_password(core: Core, actor: Actor, login_id: str, password: str | None) -> NewAccount:
    """A temporary password for another staff ID: the value given (checked by the policy) or, with None, a
    random one shown once in the result. It must be changed at the next login; the ID's sessions end and its
    lock lifts."""
    from shomei_cli.domain.passwords import check_password
    from shomei_cli.services.auth import names_to_avoid, set_temporary_password

    require(core, actor, Action.STAFF_PASSWORD_RESET, target=rules.login_key(login_id)[:64])
    with core.read() as session:
        account = _staff_account(session, actor, login_id)
        names = names_to_avoid(session, account)
    if account.id == actor.account_id:
        raise Conflict(_("Your own password is changed with `shomei passwd`, not reset."))
    if password is not None:
        check_password(password, login_id=account.login_id, chamber_code=actor.chamber_code, names=names)
    chosen = password if password is not None else generate_password()
    password_hash = core.hashing.hash(chosen)
    now = core.clock.now()
    with core.write() as session:
        account = _staff_account(session, actor, login_id, lock=True)
        ended = set_temporary_password(session, account, password_hash, now)
        record(
            session,
            core,
            action="staff.password_reset",
            actor=actor,
            target=account.login_id,
            details={"generated": password is None, "ended_sessions": ended},
        )
    shown = chosen if password is None else ""
    return NewAccount(actor.chamber_code, account.login_id, Role.STAFF.value, account.name, shown)


def set_staff_enabled(core: Core, actor: Actor, login_id: str, enabled: bool) -> AccountSummary:
    """Disable a staff ID (its sessions end; never the chamber's last enabled one) or enable it again."""
    from shomei_cli.services.auth import end_all_sessions

    require(core, actor, Action.STAFF_DISABLE, target=rules.login_key(login_id)[:64])
    now = core.clock.now()
    with core.write() as session:
        # every enabled staff row of the chamber locked first: two disables at once cannot leave none
        enabled_staff = session.exec(
            select(Account)
            .where(
                Account.chamber_id == actor.chamber_id,
                Account.role == Role.STAFF.value,
                Account.status == "active",
            )
            .with_for_update()
        ).all()
        account = _staff_account(session, actor, login_id, lock=True)
        if not enabled and [a.id for a in enabled_staff] == [account.id]:
            raise WrongState(
                _("{login_id} is the chamber's last enabled staff ID: enable or add another first.").format(
                    login_id=account.login_id
                )
            )
        status = "active" if enabled else "disabled"
        changed = account.status != status
        account.status = status
        session.add(account)
        ended = 0 if enabled else end_all_sessions(session, account, now, "disabled")
        record(
            session,
            core,
            action="staff.enable" if enabled else "staff.disable",
            actor=actor,
            target=account.login_id,
            details={"changed": changed, "ended_sessions": ended},
        )
        return summary(account, now)


def summary(account: Account, now: datetime) -> AccountSummary:
    return AccountSummary(
        login_id=account.login_id,
        role=account.role,
        name=account.name,
        email=account.email,
        status=account.status,
        locked=rules.is_locked(account.locked_until, now),
        must_change_password=account.must_change_password,
        created_at=as_utc(account.created_at),
    )
