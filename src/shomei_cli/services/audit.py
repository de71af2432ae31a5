"""The audit trail: one ``record`` used by every service, and the filtered views of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import InvalidInput, NotFound, PermissionDenied, WrongState
from shomei_cli.domain.permissions import Action, Role, Scope, authorize
from shomei_cli.domain.records import AuditEntry, AuditQuery
from shomei_cli.i18n import _
from shomei_cli.services.core import Core
from shomei_cli.store.tables import AuditEvent

MAX_AUDIT_LIMIT = 10_000
# Keys that must never be written into details, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "new_password", "current_password", "token", "initial_password"})


@dataclass(frozen=True)
class Actor:
    """Who is acting: resolved from a live session by ``services.auth.authenticate``."""

    account_id: int
    chamber_id: int
    chamber_code: str
    login_id: str
    role: Role
    name: str
    registration_id: int | None
    parent_account_id: int | None
    session_id: int
    must_change_password: bool


def record(
    session: Session,
    core: Core,
    *,
    action: str,
    outcome: str = "ok",
    actor: Actor | None = None,
    chamber_id: int | None = None,
    registration_id: int | None = None,
    actor_login_id: str | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event in the caller's transaction. Secret-looking keys are refused outright."""
    clean = dict(details or {})
    leaked = _SECRET_KEYS.intersection(clean)
    if leaked:
        raise ValueError(f"audit details must not carry secrets: {sorted(leaked)}")
    session.add(
        AuditEvent(
            chamber_id=actor.chamber_id if actor else chamber_id,
            registration_id=registration_id
            if registration_id is not None
            else (actor.registration_id if actor else None),
            at=core.clock.now(),
            actor_account_id=actor.account_id if actor else None,
            actor_login_id=actor.login_id if actor else actor_login_id,
            actor_role=actor.role.value if actor else None,
            action=action,
            target=target,
            outcome=outcome,
            details=clean,
        )
    )


@dataclass(eq=False)
class HiddenRecord(NotFound):
    """Another tenant's record: the caller is told NotFound (as for a record that does not exist), and the
    attempt is audited as a refusal once the caller's transaction has ended (services.api does that)."""

    actor: Actor | None = None
    action: str = ""
    target: str | None = None


@dataclass(eq=False)
class RefusedInState(WrongState):
    """A step the record's state does not allow: the caller is told WrongState, and the attempt is audited
    as a refusal once the caller's transaction has ended (services.api does that)."""

    actor: Actor | None = None
    action: str = ""
    target: str | None = None
    status: str = ""


def record_refusal(core: Core, refused: HiddenRecord | RefusedInState) -> None:
    """Audit a refusal (another tenant's record, or a step its state does not allow) in a transaction of
    its own."""
    if refused.actor is None:
        return
    if isinstance(refused, RefusedInState):
        outcome, details = "refused", {"reason": "wrong_state", "status": refused.status}
    else:
        outcome, details = "denied", {"reason": "not_visible"}
    with core.write() as session:
        record(
            session,
            core,
            action=refused.action,
            outcome=outcome,
            actor=refused.actor,
            target=refused.target,
            details=details,
        )


def require(core: Core, actor: Actor, action: Action, *, target: str | None = None) -> Scope:
    """The one permission check of every service: the actor's scope for ``action``, or PermissionDenied.

    A refusal is itself audited (in its own transaction, since the caller's work will not happen).
    """
    try:
        return authorize(actor.role, action)
    except PermissionDenied:
        with core.write() as session:
            record(session, core, action=action.value, outcome="denied", actor=actor, target=target)
        raise


def list_events(core: Core, actor: Actor, query: AuditQuery) -> list[AuditEntry]:
    """The audit trail the actor may see (staff: the chamber; administrators: their company), newest first."""
    scope = require(core, actor, Action.AUDIT_VIEW)
    if not 1 <= query.limit <= MAX_AUDIT_LIMIT:
        raise InvalidInput.single("limit", _("must be between 1 and {limit}").format(limit=MAX_AUDIT_LIMIT))
    statement = select(AuditEvent).where(AuditEvent.chamber_id == actor.chamber_id)
    if scope is Scope.REGISTRATION:
        statement = statement.where(AuditEvent.registration_id == actor.registration_id)
    if query.actor:
        statement = statement.where(AuditEvent.actor_login_id == query.actor)
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.since:
        # stored instants are UTC (SQLite keeps them as naive text): compare in UTC
        statement = statement.where(col(AuditEvent.at) >= as_utc(query.since))
    statement = statement.order_by(col(AuditEvent.id).desc()).limit(query.limit)
    with core.read() as session:
        return [_entry(e) for e in session.exec(statement)]


def _entry(event: AuditEvent) -> AuditEntry:
    assert event.id is not None
    return AuditEntry(
        id=event.id,
        at=as_utc(event.at),
        actor=event.actor_login_id,
        actor_role=event.actor_role,
        action=event.action,
        target=event.target,
        outcome=event.outcome,
        details=dict(event.details),
    )
