"""Sub IDs (サブID): one per staff member (担当者) of a signer, managed by that signer alone."""

from __future__ import annotations

from sqlmodel import Session, col, select

from shomei_cli.domain import signers as rules
from shomei_cli.domain.accounts import is_locked
from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import InvalidInput, WrongState
from shomei_cli.domain.passwords import generate_password
from shomei_cli.domain.permissions import Action, Role
from shomei_cli.domain.records import NewAccount, SubIdView
from shomei_cli.i18n import _
from shomei_cli.services.audit import Actor, HiddenRecord, record, require
from shomei_cli.services.auth import end_all_sessions, set_temporary_password
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.store.tables import Account


def _find(session: Session, actor: Actor, login_id: str, action: Action, *, lock: bool = False) -> Account:
    """One of the acting signer's own sub IDs; any other ID is NotFound, as if it did not exist."""
    statement = select(Account).where(
        Account.chamber_id == actor.chamber_id,
        Account.login_id == login_id.strip(),
        Account.role == Role.SUB.value,
        Account.parent_account_id == actor.account_id,
    )
    if lock:
        statement = statement.with_for_update()
    account = session.exec(statement).first()
    if account is None:
        raise HiddenRecord(
            _("No sub ID {login_id} of yours.").format(login_id=login_id.strip()),
            actor=actor,
            action=action.value,
            target=login_id,
        )
    return account


def _view(account: Account, actor: Actor, core: Core) -> SubIdView:
    return SubIdView(
        login_id=account.login_id,
        name=account.name,
        email=account.email,
        status=account.status,
        locked=is_locked(account.locked_until, core.clock.now()),
        must_change_password=account.must_change_password,
        signer_user_id=actor.login_id,
        created_at=as_utc(account.created_at),
    )


def add_sub(core: Core, actor: Actor, name: str, email: str | None) -> NewAccount:
    """A sub ID for one staff member of the acting signer; its initial password is shown once."""
    require(core, actor, Action.SUBID_MANAGE)
    values, errors = rules.check_sub_fields(name, email)
    if errors:
        raise InvalidInput.of(errors)
    password = generate_password()
    password_hash = core.hashing.hash(password)
    now = core.clock.now()
    with core.write() as session:
        me = session.get_one(Account, actor.account_id)
        if me.status != "active":
            raise WrongState(_("Your user ID is disabled."))
        account = Account(
            chamber_id=actor.chamber_id,
            login_id=rules.sub_login_id(next_value(session, actor.chamber_id, "sub_id")),
            role=Role.SUB.value,
            name=values["name"],
            email=values.get("email"),
            registration_id=actor.registration_id,
            parent_account_id=actor.account_id,
            password_hash=password_hash,
            must_change_password=True,
            password_changed_at=now,
            created_at=now,
            created_by_account_id=actor.account_id,
        )
        session.add(account)
        session.flush()
        record(session, core, action="subid.create", actor=actor, target=account.login_id)
        return NewAccount(actor.chamber_code, account.login_id, Role.SUB.value, account.name, password)


def list_subs(core: Core, actor: Actor) -> list[SubIdView]:
    """The acting signer's sub IDs, disabled ones included."""
    require(core, actor, Action.SUBID_MANAGE)
    with core.read() as session:
        accounts = session.exec(
            select(Account)
            .where(Account.parent_account_id == actor.account_id, Account.role == Role.SUB.value)
            .order_by(col(Account.login_id))
        ).all()
        return [_view(a, actor, core) for a in accounts]


def show_sub(core: Core, actor: Actor, login_id: str) -> SubIdView:
    require(core, actor, Action.SUBID_MANAGE, target=login_id)
    with core.read() as session:
        return _view(_find(session, actor, login_id, Action.SUBID_MANAGE), actor, core)


def update_sub(core: Core, actor: Actor, login_id: str, name: str | None, email: str | None) -> SubIdView:
    require(core, actor, Action.SUBID_MANAGE, target=login_id)
    if name is None and email is None:
        raise InvalidInput.single("subid", _("give --name or --email"))
    values, errors = rules.check_sub_fields(name, email)
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        account = _find(session, actor, login_id, Action.SUBID_MANAGE, lock=True)
        for key, value in values.items():
            setattr(account, key, value)
        session.add(account)
        record(
            session,
            core,
            action="subid.update",
            actor=actor,
            target=account.login_id,
            details={"fields": sorted(values)},
        )
        return _view(account, actor, core)


def remove_sub(core: Core, actor: Actor, login_id: str) -> SubIdView:
    """Disable a sub ID (its history stays); its session ends."""
    require(core, actor, Action.SUBID_MANAGE, target=login_id)
    now = core.clock.now()
    with core.write() as session:
        account = _find(session, actor, login_id, Action.SUBID_MANAGE, lock=True)
        if account.status != "active":
            raise WrongState(_("Sub ID {login_id} is already removed.").format(login_id=account.login_id))
        account.status = "disabled"
        session.add(account)
        end_all_sessions(session, account, now, "disabled")
        record(session, core, action="subid.remove", actor=actor, target=account.login_id)
        return _view(account, actor, core)


def reset_sub_password(core: Core, actor: Actor, login_id: str) -> NewAccount:
    """A new random temporary password for one of the signer's sub IDs, shown once; its session ends."""
    require(core, actor, Action.SUBID_PASSWORD_RESET, target=login_id)
    password = generate_password()
    password_hash = core.hashing.hash(password)
    now = core.clock.now()
    with core.write() as session:
        account = _find(session, actor, login_id, Action.SUBID_PASSWORD_RESET, lock=True)
        if account.status != "active":
            raise WrongState(_("Sub ID {login_id} is removed.").format(login_id=account.login_id))
        set_temporary_password(session, account, password_hash, now)
        record(session, core, action="subid.password_reset", actor=actor, target=account.login_id)
        return NewAccount(actor.chamber_code, account.login_id, Role.SUB.value, account.name, password)
