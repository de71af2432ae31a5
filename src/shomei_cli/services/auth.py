"""Logging in and out, sessions, and changing one's own password.

The slow part of a login (argon2) runs outside any write transaction, so that many concurrent logins
never hold
the SQLite write lock while hashing; the write that follows checks that the hash it verified is still current.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select, update

from shomei_cli.domain import accounts as rules
from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import (
    AccountLocked,
    AuthenticationFailed,
    Conflict,
    FieldError,
    InitialPasswordExpired,
    InvalidInput,
    NotFound,
    NotLoggedIn,
    PasswordChangeRequired,
    SessionEnded,
)
from shomei_cli.domain.passwords import check_password
from shomei_cli.domain.permissions import Action, Role, Scope, role_label
from shomei_cli.domain.records import AccountSummary, Identity, LoginResult
from shomei_cli.i18n import _
from shomei_cli.services.audit import Actor, record, require
from shomei_cli.services.core import Core
from shomei_cli.services.throttle import LoginClient, LoginThrottle, Refusal
from shomei_cli.store.tables import Account, Chamber, LoginSession

TOKEN_BYTES = 32  # 256 bits
# a session's idle timer is refreshed at most this often: a request within it is decided by a read alone
IDLE_REFRESH = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(chamber: Chamber) -> rules.SessionLimits:
    return rules.SessionLimits(
        idle=timedelta(minutes=chamber.session_idle_minutes),
        absolute=timedelta(minutes=chamber.session_absolute_minutes),
    )


def _find_account(session: Session, chamber_code: str, login_id: str) -> tuple[Chamber, Account] | None:
    row = session.exec(
        select(Chamber, Account)
        .join(Account, col(Account.chamber_id) == col(Chamber.id))
        .where(Chamber.code == chamber_code, Account.login_id == login_id)
    ).first()
    return None if row is None else (row[0], row[1])


def _device_token(core: Core, account: Account) -> str:
    """A token marking this client as one that logged in to ``account`` successfully (kept beside the
    session token). Signed, not stored: any server holding the key recognises it."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{core.secrets.keyed_hash('device', f'{account.chamber_id}:{account.id}:{nonce}')}"


def _known_device(core: Core, account: Account, token: str | None) -> str | None:
    """The device token's own id when it is one this server made for ``account``; else None."""
    if not token or token.count(".") != 1 or len(token) > 200:
        return None
    nonce, mac = token.split(".")
    expected = core.secrets.keyed_hash("device", f"{account.chamber_id}:{account.id}:{nonce}")
    return nonce if hmac.compare_digest(mac, expected) else None


def throttle_for(
    core: Core, chamber_code: str, key: str, client: LoginClient, device: str | None
) -> LoginThrottle:
    """The counters of a login attempt for the ID ``key`` (already the login-ID key) in ``chamber_code``."""
    id_hash = core.secrets.keyed_hash("login-id", f"{chamber_code}:{key}")
    return LoginThrottle(core.counters, lambda: core.clock.now().timestamp(), id_hash, client.address, device)


def login(
    core: Core, chamber_code: str, login_id: str, password: str, client: LoginClient | None = None
) -> LoginResult:
    """Check the three credentials and open a session, ending any other session of the same ID.

    No answer tells an unknown ID from a known one: unknown IDs, wrong passwords and locked IDs get the same
    error after the same hashing work; limits (RateLimited) hold for known and unknown IDs alike, counted by
    the ID's key. Only the right password for a locked ID learns that it is locked.
    """
    client = client or LoginClient()
    code, key = rules.chamber_key(chamber_code), rules.login_key(login_id)
    found: tuple[Chamber, Account] | None = None
    if rules.could_be_chamber_code(code) and rules.could_be_login_id(key):
        with core.read() as session:
            found = _find_account(session, code, key)
    device = _known_device(core, found[1], client.device_token) if found else None
    throttle = throttle_for(core, code, key, client, device)
    refusal = throttle.refusal()
    if refusal is not None:
        if refusal.limit != "address":
            core.hashing.burn(password)  # as long as any other answer about this ID
        if throttle.first_refusal_in_window():
            _record_throttled(core, code, key, client, refusal, found)
        raise refusal.error()
    if found is None:
        core.hashing.burn(password)
        _record_failure(core, code, key, "unknown_id", client)
        raise _failed(throttle.failed())
    chamber, account = found
    now = core.clock.now()
    right = core.hashing.verify(account.password_hash, password)
    # a lock made by failures from elsewhere does not keep out a client that logged in to this ID before
    locked = rules.is_locked(account.locked_until, now) and device is None
    if not right:
        _record_failure(core, code, key, "locked" if locked else "bad_password", client, found, device)
        raise _failed(throttle.failed())
    if locked:
        _record_failure(core, code, key, "locked", client, found, device)
        assert account.locked_until is not None
        with core.read() as session:
            number = _registration_number(session, account)
        raise AccountLocked(
            rules.locked_message(
                account.role, account.login_id, number, account.locked_until, chamber.time_zone
            )
        )
    if account.status != "active":
        _record_failure(core, code, key, "disabled", client, found, device)
        raise AuthenticationFailed()
    if account.must_change_password and _initial_password_expired(core, account, now):
        _record_failure(core, code, key, "initial_password_expired", client, found, device)
        raise InitialPasswordExpired()
    new_hash = core.hashing.hash(password) if core.hashing.needs_rehash(account.password_hash) else None

    token = secrets.token_urlsafe(TOKEN_BYTES)
    with core.write() as session:
        current = session.exec(select(Account).where(Account.id == account.id).with_for_update()).one()
        if current.password_hash != account.password_hash or current.status != "active":
            # changed between our read and this write: the password we checked is no longer the one
            raise AuthenticationFailed()
        if rules.is_locked(current.locked_until, now) and device is None:
            # locked between our read and this write (the password was right: the holder may know)
            assert current.locked_until is not None
            raise AccountLocked(
                rules.locked_message(
                    current.role,
                    current.login_id,
                    _registration_number(session, current),
                    current.locked_until,
                    chamber.time_zone,
                )
            )
        if not rules.is_locked(current.locked_until, now):
            # the holder is in: the failures before were the holder's own (a lock from elsewhere stays)
            current.failed_logins = 0
            current.locked_until = None
        if new_hash is not None:
            current.password_hash = new_hash
        session.add(current)
        superseded = _end_sessions(session, current, now, "superseded")
        login_session = LoginSession(
            account_id=current.id or 0,
            token_hash=token_hash(token),
            created_at=now,
            last_seen_at=now,
        )
        session.add(login_session)
        session.flush()
        actor = _actor(chamber, current, login_session)
        record(
            session,
            core,
            action="auth.login",
            actor=actor,
            details={"ended_other_sessions": superseded, "rehashed": new_hash is not None},
        )
        identity = _identity(chamber, current, login_session, _registration_number(session, current))
    throttle.succeeded()
    return LoginResult(
        token=token,
        identity=identity,
        device_token=client.device_token if device else _device_token(core, current),
    )


def _failed(failures: int) -> AuthenticationFailed:
    """The one answer to a failed login; after half the failures a client may make, with how many are left
    (counted per ID key and client, known and unknown IDs alike)."""
    left = rules.attempts_remaining(failures)
    if left is None:
        return AuthenticationFailed()
    return AuthenticationFailed(
        _(
            "Login failed: the chamber code, ID or password is wrong. "
            "{left} more failed attempts for this ID from this client pause its logins here for a while."
        ).format(left=left)
    )


def _initial_password_expired(core: Core, account: Account, now: datetime) -> bool:
    """An initial password whose card was never printed within 30 days no longer opens the ID."""
    from shomei_cli.domain.first_day import INITIAL_PASSWORD_DAYS
    from shomei_cli.store.tables import CredentialCard

    with core.read() as session:
        card = session.exec(
            select(CredentialCard)
            .where(CredentialCard.account_id == account.id, col(CredentialCard.superseded).is_(False))
            .order_by(col(CredentialCard.id).desc())
        ).first()
    if card is None or card.first_printed_at is not None:
        return False
    return now - as_utc(card.issued_at) >= timedelta(days=INITIAL_PASSWORD_DAYS)


def _who(
    core: Core, chamber_code: str, key: str, found: tuple[Chamber, Account] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """How an audit record names the ID of a login attempt: a known ID by its key; anything else only by a
    keyed hash of its key (what was typed may be a password typed into the wrong field)."""
    if found is not None:
        chamber, account = found
        return (
            {"chamber_id": chamber.id, "registration_id": account.registration_id, "actor_login_id": key},
            {"chamber_code": chamber_code},
        )
    with core.read() as session:
        known_chamber = (
            session.exec(select(Chamber).where(Chamber.code == chamber_code)).first()
            if rules.could_be_chamber_code(chamber_code)
            else None
        )
    details: dict[str, Any] = {"id_hash": core.secrets.keyed_hash("typed-id", key)[:32]}
    if known_chamber is not None:
        details["chamber_code"] = chamber_code
    return {"chamber_id": known_chamber.id if known_chamber else None}, details


def _record_throttled(
    core: Core,
    chamber_code: str,
    key: str,
    client: LoginClient,
    refusal: Refusal,
    found: tuple[Chamber, Account] | None,
) -> None:
    """``auth.throttled``: staff see which IDs are under attack, from where (once per window and address)."""
    where, details = _who(core, chamber_code, key, found)
    with core.write() as session:
        record(
            session,
            core,
            action="auth.throttled",
            outcome="refused",
            details={
                **details,
                "limit": refusal.limit,
                "address": client.address,
                "retry_after": refusal.retry_after,
            },
            **where,
        )


def _record_failure(
    core: Core,
    chamber_code: str,
    key: str,
    reason: str,
    client: LoginClient,
    found: tuple[Chamber, Account] | None = None,
    device: str | None = None,
) -> None:
    now = core.clock.now()
    where, details = _who(core, chamber_code, key, found)
    with core.write() as session:
        if found is not None and reason in ("bad_password", "locked") and device is None:
            account = found[1]
            # one atomic increment, so that concurrent failures are all counted; a known client's own
            # mistakes are throttled per client and never lock the ID
            session.execute(
                update(Account)
                .where(col(Account.id) == account.id)
                .values(failed_logins=col(Account.failed_logins) + 1)
            )
            current = session.exec(select(Account).where(Account.id == account.id)).one()
            lock = rules.lock_after_failure(current.failed_logins, now)
            if lock is not None:
                current.locked_until = lock
                current.failed_logins = 0
                session.add(current)
                reason = "locked_now"
        record(
            session,
            core,
            action="auth.login",
            outcome="failed",
            details={
                **details,
                "reason": reason,
                "address": client.address,
                "known_client": device is not None,
            },
            **where,
        )


def _end_sessions(session: Session, account: Account, now: datetime, reason: str) -> int:
    live = session.exec(
        select(LoginSession).where(
            LoginSession.account_id == account.id, col(LoginSession.ended_at).is_(None)
        )
    ).all()
    for old in live:
        old.ended_at = now
        old.end_reason = reason
        session.add(old)
    return len(live)


def set_temporary_password(session: Session, account: Account, password_hash: str, now: datetime) -> int:
    """A reset: the new hash, to be changed at the next login; the ID unlocked and its live sessions ended
    (their next use says the password was reset). Returns how many sessions ended."""
    account.password_hash = password_hash
    account.must_change_password = True
    account.password_changed_at = now
    account.failed_logins = 0
    account.locked_until = None
    session.add(account)
    return _end_sessions(session, account, now, "password_reset")


def end_all_sessions(session: Session, account: Account, now: datetime, reason: str) -> int:
    """End every live session of ``account`` (a reset, a removal): their next use fails with ``reason``."""
    return _end_sessions(session, account, now, reason)


def _actor(chamber: Chamber, account: Account, login_session: LoginSession) -> Actor:
    assert account.id is not None and chamber.id is not None and login_session.id is not None
    return Actor(
        account_id=account.id,
        chamber_id=chamber.id,
        chamber_code=chamber.code,
        login_id=account.login_id,
        role=Role(account.role),
        name=account.name,
        registration_id=account.registration_id,
        parent_account_id=account.parent_account_id,
        session_id=login_session.id,
        must_change_password=account.must_change_password,
    )


def _registration_number(session: Session, account: Account) -> str | None:
    from shomei_cli.store.tables import Registration

    if account.registration_id is None:
        return None
    return session.get_one(Registration, account.registration_id).registration_number


def _identity(
    chamber: Chamber, account: Account, login_session: LoginSession, registration_number: str | None
) -> Identity:
    limits = _limits(chamber)
    created = as_utc(login_session.created_at)
    expires = min(created + limits.absolute, as_utc(login_session.last_seen_at) + limits.idle)
    return Identity(
        chamber_code=chamber.code,
        chamber_name=chamber.name,
        login_id=account.login_id,
        role=account.role,
        name=account.name,
        registration_number=registration_number,
        must_change_password=account.must_change_password,
        session_started_at=created,
        session_expires_at=expires,
    )


def authenticate(core: Core, token: str | None, *, allow_temporary_password: bool = False) -> Actor:
    """The actor behind a bearer token, refreshing the session's idle timer.

    Fails with NotLoggedIn, SessionEnded (saying why) or, unless allowed, PasswordChangeRequired.
    """
    if not token:
        raise NotLoggedIn()
    now = core.clock.now()
    digest = token_hash(token)
    with core.read() as session:
        # most requests come within a minute of the session's last one: a read decides them, and the idle
        # timer is refreshed (a write, a commit) at most once a minute
        row = _session_row(session, digest)
        if row is not None:
            login_session, account, chamber = row
            fresh = (
                login_session.ended_at is None
                and account.status == "active"
                and now - as_utc(login_session.last_seen_at) < IDLE_REFRESH
                and rules.session_end_reason(
                    login_session.created_at, login_session.last_seen_at, now, _limits(chamber)
                )
                is None
            )
            if fresh:
                actor = _actor(chamber, account, login_session)
                if actor.must_change_password and not allow_temporary_password:
                    raise PasswordChangeRequired()
                return actor
    with core.write() as session:
        row = _session_row(session, digest)
        if row is None:
            raise NotLoggedIn(_("The saved session is not known to this store or server: log in again."))
        login_session, account, chamber = row
        if login_session.ended_at is None:
            reason = rules.session_end_reason(
                login_session.created_at, login_session.last_seen_at, now, _limits(chamber)
            )
            if reason is None and account.status != "active":
                reason = "disabled"
            if reason is not None:
                login_session.ended_at = now
                login_session.end_reason = reason
                session.add(login_session)
        if login_session.ended_at is not None:
            reason = login_session.end_reason or "logout"
            ended = SessionEnded(rules.session_end_message(reason), reason)
        else:
            ended = None
            login_session.last_seen_at = now
            session.add(login_session)
    if ended is not None:
        raise ended
    actor = _actor(chamber, account, login_session)
    if actor.must_change_password and not allow_temporary_password:
        raise PasswordChangeRequired()
    return actor


def _session_row(session: Session, digest: str) -> Any:
    return session.exec(
        select(LoginSession, Account, Chamber)
        .join(Account, col(Account.id) == col(LoginSession.account_id))
        .join(Chamber, col(Chamber.id) == col(Account.chamber_id))
        .where(LoginSession.token_hash == digest)
    ).first()


def identity(core: Core, actor: Actor) -> Identity:
    """``whoami``: who the session belongs to and until when it lasts."""
    with core.read() as session:
        login_session = session.get_one(LoginSession, actor.session_id)
        account = session.get_one(Account, actor.account_id)
        chamber = session.get_one(Chamber, actor.chamber_id)
        return _identity(chamber, account, login_session, _registration_number(session, account))


def logout(core: Core, actor: Actor) -> None:
    """End the actor's session."""
    now = core.clock.now()
    with core.write() as session:
        login_session = session.get_one(LoginSession, actor.session_id)
        if login_session.ended_at is None:
            login_session.ended_at = now
            login_session.end_reason = "logout"
            session.add(login_session)
        record(session, core, action="auth.logout", actor=actor)


def change_password(core: Core, actor: Actor, current: str, new: str) -> None:
    """Change the actor's own password; the current one must be given, and the new one obey the policy."""
    require(core, actor, Action.PASSWORD_CHANGE_OWN)
    with core.read() as session:
        account = session.get_one(Account, actor.account_id)
        names = names_to_avoid(session, account)
    if not core.hashing.verify(account.password_hash, current):
        with core.write() as session:
            record(
                session,
                core,
                action="auth.password_change",
                outcome="failed",
                actor=actor,
                details={"reason": "wrong_current_password"},
            )
        raise InvalidInput.of([FieldError("current_password", _("is not the current password"))])
    check_password(
        new,
        login_id=actor.login_id,
        chamber_code=actor.chamber_code,
        names=names,
        field="new_password",
    )
    if new == current:
        raise InvalidInput.single("new_password", _("must differ from the current password"))
    new_hash = core.hashing.hash(new)
    now = core.clock.now()
    with core.write() as session:
        fresh = session.exec(select(Account).where(Account.id == actor.account_id).with_for_update()).one()
        if fresh.password_hash != account.password_hash:
            raise Conflict(_("The password was changed by someone else meanwhile; nothing was changed."))
        fresh.password_hash = new_hash
        fresh.must_change_password = False
        fresh.password_changed_at = now
        session.add(fresh)
        # the card's initial password no longer opens the ID: no reprint may show it
        from shomei_cli.services.cards import forget_secret

        forget_secret(session, core, fresh)
        record(session, core, action="auth.password_change", actor=actor)


def names_to_avoid(session: Session, account: Account) -> tuple[str | None, ...]:
    """The names a password of ``account`` may not contain: its chamber's and its company's."""
    from shomei_cli.store.tables import Registration

    chamber = session.get_one(Chamber, account.chamber_id)
    names: tuple[str | None, ...] = (chamber.name, chamber.name_en)
    if account.registration_id is not None:
        company = session.get_one(Registration, account.registration_id)
        names += (company.company_name, company.company_name_en)
    return names


_UNLOCK_ACTIONS = {
    Role.STAFF: Action.STAFF_UNLOCK,
    Role.ADMIN: Action.ADMIN_UNLOCK,
    Role.SIGNER: Action.SIGNER_UNLOCK,
    Role.SUB: Action.SUBID_UNLOCK,
}


def unlock(core: Core, actor: Actor, role: Role, ref: str) -> AccountSummary:
    """Lift the lock on an ID of ``role`` (its login ID; an administrator ID also by its registration number)
    and restart its failure counts, by whoever the permission table says; audited as ``account.unlock``."""
    from shomei_cli.services.audit import HiddenRecord
    from shomei_cli.services.chambers import summary
    from shomei_cli.store.tables import Registration

    action = _UNLOCK_ACTIONS[role]
    key = rules.login_key(ref)
    scope = require(core, actor, action, target=key[:64])
    missing = _("No {label} {ref} that you can unlock.").format(label=role_label(role), ref=key[:64])
    with core.read() as session:
        statement = select(Account).where(Account.chamber_id == actor.chamber_id, Account.role == role.value)
        account = session.exec(statement.where(Account.login_id == key)).first()
        if account is None and role is Role.ADMIN:
            account = session.exec(
                statement.join(Registration, col(Registration.id) == col(Account.registration_id)).where(
                    Registration.registration_number == key
                )
            ).first()
    if account is None:
        raise NotFound(missing)
    within = {
        Scope.CHAMBER: True,
        Scope.REGISTRATION: account.registration_id == actor.registration_id,
        Scope.SIGNER: account.parent_account_id == actor.account_id,
    }.get(scope, False)
    if not within:
        raise HiddenRecord(missing, actor=actor, action=action.value, target=account.login_id)
    now = core.clock.now()
    with core.write() as session:
        current = session.exec(select(Account).where(Account.id == account.id).with_for_update()).one()
        was_locked = rules.is_locked(current.locked_until, now)
        current.locked_until = None
        current.failed_logins = 0
        session.add(current)
        record(
            session,
            core,
            action="account.unlock",
            actor=actor,
            target=current.login_id,
            registration_id=current.registration_id,
            details={"was_locked": was_locked},
        )
        result = summary(current, now)
    throttle_for(core, actor.chamber_code, current.login_id, LoginClient(), None).lift()
    return result
