"""The chamber's review queue: one mechanism for every kind of item staff decide on.

A kind registers a handler (what approval, return and rejection do to its subject); the queue itself keeps the
item, its reference, its status and who decided what, and audits every decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import InvalidInput, NotFound
from shomei_cli.domain.permissions import Action
from shomei_cli.domain.records import DossierFile, FieldChange, ReviewDossier, ReviewEntry
from shomei_cli.domain.validation import check_text
from shomei_cli.i18n import _
from shomei_cli.services.audit import Actor, RefusedInState, record, require
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.store.tables import Account, Registration, ReviewItem

PENDING = "pending"
DECISIONS = {"approve": "approved", "return": "returned", "reject": "rejected"}
MAX_REASON = 1000


@dataclass(frozen=True)
class Handler:
    """What a decision does to the item's subject, inside the deciding transaction; and what the reviewer
    sees of it (``show``): its particulars as flat fields, and its files."""

    describe: Callable[[ReviewItem], str]
    approve: Callable[[Session, Core, Actor, ReviewItem], None]
    # return and reject change nothing but the item, unless the kind says otherwise
    on_return: Callable[[Session, Core, Actor, ReviewItem], None] | None = None
    on_reject: Callable[[Session, Core, Actor, ReviewItem], None] | None = None
    # the subject's particulars now (flat: dotted names), compared field by field after a return
    particulars: Callable[[Session, ReviewItem], dict[str, Any]] | None = None
    files: Callable[[Session, Core, ReviewItem], list[DossierFile]] | None = None


# payload keys the queue keeps for itself (never listed as the item's payload)
RETURNED = "_returned"


HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    HANDLERS[kind] = handler


def submit(
    session: Session,
    core: Core,
    actor: Actor,
    registration: Registration,
    kind: str,
    payload: dict[str, Any],
    reference: str | None = None,
) -> ReviewItem:
    """Put an item in the queue (inside the caller's transaction)."""
    assert registration.id is not None
    if reference is None:
        reference = f"RQ{next_value(session, registration.chamber_id, 'review'):06d}"
    item = ReviewItem(
        chamber_id=registration.chamber_id,
        registration_id=registration.id,
        reference=reference,
        kind=kind,
        status=PENDING,
        payload=payload,
        submitted_at=core.clock.now(),
        submitted_by_account_id=actor.account_id,
    )
    session.add(item)
    session.flush()
    record(session, core, action=f"review.submit.{kind}", actor=actor, target=reference)
    return item


def pending_of(session: Session, registration_id: int, kind: str | None = None) -> list[ReviewItem]:
    statement = select(ReviewItem).where(
        ReviewItem.registration_id == registration_id, ReviewItem.status == PENDING
    )
    if kind is not None:
        statement = statement.where(ReviewItem.kind == kind)
    return list(session.exec(statement.order_by(col(ReviewItem.id))))


def list_items(
    core: Core,
    actor: Actor,
    kind: str | None,
    status: str | None,
    company: str | None = None,
    older_than_hours: int | None = None,
) -> list[ReviewEntry]:
    """The chamber's queue, oldest first; by default the pending items. ``company``: one registration's
    items; ``older_than_hours``: only items submitted at least that many hours ago."""
    require(core, actor, Action.REVIEW_DECIDE)
    if older_than_hours is not None and not 0 <= older_than_hours <= 24 * 366:
        raise InvalidInput.single("older_than_hours", _("must be between 0 and {most}").format(most=24 * 366))
    if kind is not None and kind not in HANDLERS:
        raise InvalidInput.single(
            "kind", _("must be one of {choices}").format(choices=", ".join(sorted(HANDLERS)))
        )
    wanted = status or PENDING
    if wanted not in {PENDING, *DECISIONS.values(), "all"}:
        raise InvalidInput.single("status", _("must be pending, approved, returned, rejected or all"))
    statement = select(ReviewItem).where(ReviewItem.chamber_id == actor.chamber_id)
    if kind is not None:
        statement = statement.where(ReviewItem.kind == kind)
    if wanted != "all":
        statement = statement.where(ReviewItem.status == wanted)
    now = core.clock.now()
    if older_than_hours is not None:
        statement = statement.where(col(ReviewItem.submitted_at) <= now - timedelta(hours=older_than_hours))
    with core.read() as session:
        if company is not None:
            registration = session.exec(
                select(Registration).where(
                    Registration.chamber_id == actor.chamber_id,
                    Registration.registration_number == company.strip(),
                )
            ).first()
            if registration is None:
                raise NotFound(
                    _("No registration {number} in this chamber.").format(number=company.strip()[:20])
                )
            statement = statement.where(ReviewItem.registration_id == registration.id)
        items = session.exec(statement.order_by(col(ReviewItem.id))).all()
        return [entry(session, item, now) for item in items]


def decide(core: Core, actor: Actor, reference: str, decision: str, reason: str | None) -> ReviewEntry:
    """Approve, return (with a reason) or reject (with a reason) one pending item."""
    reference = reference.strip()
    require(core, actor, Action.REVIEW_DECIDE, target=reference)
    if decision not in DECISIONS:
        raise InvalidInput.single("decision", _("must be approve, return or reject"))
    if decision != "approve":
        problems = check_text("reason", reason or "", max_length=MAX_REASON)
        if problems:
            raise InvalidInput.of(problems)
    with core.write() as session:
        item = session.exec(
            select(ReviewItem)
            .where(ReviewItem.chamber_id == actor.chamber_id, ReviewItem.reference == reference.strip())
            .with_for_update()
        ).first()
        if item is None:
            raise NotFound(_("No review item {reference} in this chamber.").format(reference=reference))
        if item.status != PENDING:
            raise RefusedInState(
                _("{reference} is already {status}; only pending items can be decided.").format(
                    reference=reference, status=item.status
                ),
                actor=actor,
                action=f"review.{decision}",
                target=reference,
                status=item.status,
            )
        handler = HANDLERS[item.kind]
        item.reason = reason.strip() if reason else None  # handlers may pass it on to their subject
        if decision == "return":
            # what the reviewer returned, so that the resubmission shows what changed since
            item.payload = {
                **item.payload,
                RETURNED: {
                    "at": core.clock.now().isoformat(),
                    "reason": item.reason,
                    "particulars": _particulars(session, item),
                },
            }
        if decision == "approve":
            handler.approve(session, core, actor, item)
        elif decision == "return" and handler.on_return is not None:
            handler.on_return(session, core, actor, item)
        elif decision == "reject" and handler.on_reject is not None:
            handler.on_reject(session, core, actor, item)
        item.status = DECISIONS[decision]
        item.decided_at = core.clock.now()
        item.decided_by_account_id = actor.account_id
        session.add(item)
        record(
            session,
            core,
            action=f"review.{decision}",
            actor=actor,
            target=item.reference,
            registration_id=item.registration_id,
            details={"kind": item.kind},
        )
        session.flush()
        return entry(session, item, core.clock.now())


def entry(session: Session, item: ReviewItem, now: datetime | None = None) -> ReviewEntry:
    registration = session.get_one(Registration, item.registration_id)
    submitted_by = (
        session.get(Account, item.submitted_by_account_id) if item.submitted_by_account_id else None
    )
    decided_by = session.get(Account, item.decided_by_account_id) if item.decided_by_account_id else None
    decided_at: datetime | None = as_utc(item.decided_at) if item.decided_at else None
    until = decided_at or (as_utc(now) if now is not None else as_utc(item.submitted_at))
    return ReviewEntry(
        reference=item.reference,
        kind=item.kind,
        status=item.status,
        registration_number=registration.registration_number,
        company_name=registration.company_name,
        summary=HANDLERS[item.kind].describe(item),
        payload={k: v for k, v in item.payload.items() if not k.startswith("_")},
        reason=item.reason,
        submitted_at=as_utc(item.submitted_at),
        submitted_by=submitted_by.login_id if submitted_by else None,
        decided_at=decided_at,
        decided_by=decided_by.login_id if decided_by else None,
        waited_seconds=max(0, int((until - as_utc(item.submitted_at)).total_seconds())),
    )


def item_by_reference(session: Session, chamber_id: int, reference: str) -> ReviewItem:
    item = session.exec(
        select(ReviewItem)
        .where(ReviewItem.chamber_id == chamber_id, ReviewItem.reference == reference)
        .with_for_update()
    ).first()
    if item is None:  # pragma: no cover - every submitted subject has its item
        raise NotFound(_("No review item {reference}.").format(reference=reference))
    return item


def reopen(session: Session, core: Core, actor: Actor, item: ReviewItem) -> None:
    """Put a returned item back in the queue (an application resubmitted after correction)."""
    item.status = PENDING
    item.reason = None
    item.submitted_at = core.clock.now()
    item.submitted_by_account_id = actor.account_id
    item.decided_at = None
    item.decided_by_account_id = None
    session.add(item)
    record(session, core, action=f"review.resubmit.{item.kind}", actor=actor, target=item.reference)


def withdraw(session: Session, item: ReviewItem) -> None:
    """Take a pending item out of the queue (its subject was cancelled)."""
    if item.status == PENDING:
        item.status = "withdrawn"
        session.add(item)


def _particulars(session: Session, item: ReviewItem) -> dict[str, Any]:
    handler = HANDLERS[item.kind]
    if handler.particulars is not None:
        return handler.particulars(session, item)
    return flatten({k: v for k, v in item.payload.items() if not k.startswith("_")})


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted names (``consignee.name``, ``goods.1.quantity``), lists numbered from 1."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(flatten(inner, f"{prefix}{key}."))
        return flat
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        flat = {}
        for index, inner in enumerate(value, 1):
            flat.update(flatten(inner, f"{prefix}{index}."))
        return flat
    return {prefix.rstrip("."): value}


def show(core: Core, actor: Actor, reference: str) -> ReviewDossier:
    """Everything the decision on ``reference`` rests on (staff): the item, its particulars, its files (a
    signature image as it will be printed, an application's form, attachments and a SPECIMEN preview), and
    after a return, its reason and what changed since, field by field."""
    reference = reference.strip()
    require(core, actor, Action.REVIEW_DECIDE, target=reference)
    with core.read() as session:
        item = session.exec(
            select(ReviewItem).where(
                ReviewItem.chamber_id == actor.chamber_id, ReviewItem.reference == reference
            )
        ).first()
        if item is None:
            raise NotFound(_("No review item {reference} in this chamber.").format(reference=reference))
        handler = HANDLERS[item.kind]
        now = _particulars(session, item)
        files = handler.files(session, core, item) if handler.files is not None else []
        returned = item.payload.get(RETURNED)
        changes: list[FieldChange] = []
        if isinstance(returned, dict):
            before = returned.get("particulars") or {}
            for name in sorted(set(before) | set(now)):
                if before.get(name) != now.get(name):
                    changes.append(FieldChange(name, before.get(name), now.get(name)))
        return ReviewDossier(
            entry=entry(session, item, core.clock.now()),
            particulars=now,
            files=files,
            returned_reason=returned.get("reason") if isinstance(returned, dict) else None,
            returned_at=datetime.fromisoformat(returned["at"]) if isinstance(returned, dict) else None,
            changes=changes,
        )


def dossier_file(name: str, media_type: str, content: bytes, description: str) -> DossierFile:
    import hashlib

    return DossierFile(
        name, media_type, len(content), hashlib.sha256(content).hexdigest(), description, content
    )
