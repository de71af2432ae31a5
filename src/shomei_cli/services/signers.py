"""署名者管理: signers of a company, their review, their 署名登録証 (which issues the user ID), resets,
removal, and batch onboarding."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from shomei_cli.domain import signers as rules
from shomei_cli.domain.accounts import is_locked
from shomei_cli.domain.clock import as_utc, calendar_day
from shomei_cli.domain.csv_table import read_table
from shomei_cli.domain.errors import FieldError, InvalidInput, WrongState
from shomei_cli.domain.passwords import check_password, generate_password
from shomei_cli.domain.permissions import Action, Role, Scope
from shomei_cli.domain.records import CardPrint, DossierFile, SignerImport, SignerView
from shomei_cli.domain.signatures import normalise_signature
from shomei_cli.domain.validation import check_text
from shomei_cli.i18n import _
from shomei_cli.services import cards, review
from shomei_cli.services.audit import Actor, HiddenRecord, record, require
from shomei_cli.services.auth import end_all_sessions, names_to_avoid, set_temporary_password
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.services.registrations import find_registration
from shomei_cli.store.tables import Account, Chamber, Registration, Signer

ADDITION = "signer_addition"
SIGNATURE_CHANGE = "signature_change"
PREVIOUS_SIGNATURE = "_previous_signature_png"  # base64, in a signature change's review payload
LIVE = (
    rules.SignerStatus.PENDING,
    rules.SignerStatus.RETURNED,
    rules.SignerStatus.ACTIVE,
    rules.SignerStatus.SUSPENDED,
)
SUSPENDED_ACCOUNT = "suspended"  # an account stopped with its signer: resuming the signer restarts it
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("氏名", "署名者氏名", "氏名(漢字)"),
    "name_en": ("氏名(英字)", "ローマ字", "name (english)"),
    "title": ("役職", "職名"),
    "title_en": ("役職(英字)", "職名(英字)", "title (english)"),
    "signature": ("サイン", "署名", "サイン画像", "signature file"),
    "birth_date": ("生年月日",),
    "address": ("住所",),
    "address_en": ("住所(英字)",),
    "reason": ("理由", "16人目以降の理由"),
}
REQUIRED_COLUMNS = frozenset({"name", "name_en", "title", "title_en", "signature"})


# -- finding -----------------------------------------------------------------------------------------


def find_signer(
    session: Session, actor: Actor, scope: Scope, ref: str, action: Action, *, lock: bool = False
) -> Signer:
    """A signer by reference (SG…) or user ID (U…): any in the chamber for staff, the company's otherwise.
    Another company's signer is NotFound, exactly like one that does not exist."""
    ref = ref.strip()
    statement = (
        select(Signer)
        .outerjoin(Account, col(Account.id) == col(Signer.account_id))
        .where(Signer.chamber_id == actor.chamber_id)
        .where((col(Signer.reference) == ref) | (col(Account.login_id) == ref))
    )
    if scope is not Scope.CHAMBER:
        statement = statement.where(Signer.registration_id == actor.registration_id)
    if lock:
        # only the signer row: PostgreSQL cannot lock the nullable side of the outer join
        statement = statement.with_for_update(of=Signer)
    signer = session.exec(statement).first()
    if signer is None:
        raise HiddenRecord(
            _("No signer {ref} that you can see.").format(ref=ref),
            actor=actor,
            action=action.value,
            target=ref,
        )
    return signer


def _view(session: Session, core: Core, signer: Signer) -> SignerView:
    registration = session.get_one(Registration, signer.registration_id)
    account = session.get(Account, signer.account_id) if signer.account_id else None
    subs = 0
    if account is not None:
        subs = session.exec(
            select(func.count()).where(Account.parent_account_id == account.id, Account.status == "active")
        ).one()
    return SignerView(
        reference=signer.reference,
        registration_number=registration.registration_number,
        status=signer.status,
        status_reason=signer.status_reason,
        name=signer.name,
        name_en=signer.name_en,
        title=signer.title,
        title_en=signer.title_en,
        birth_date=signer.birth_date,
        address=signer.address,
        address_en=signer.address_en,
        user_id=account.login_id if account else None,
        user_locked=bool(account and is_locked(account.locked_until, core.clock.now())),
        sub_ids=int(subs),
        created_at=as_utc(signer.created_at),
        approved_at=as_utc(signer.approved_at) if signer.approved_at else None,
    )


def _live_count(session: Session, registration_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                Signer.registration_id == registration_id, col(Signer.status).in_([s.value for s in LIVE])
            )
        ).one()
    )


# -- adding ------------------------------------------------------------------------------------------


def _check_reason(reason: str | None, field: str = "reason") -> list[FieldError]:
    return check_text(field, reason, max_length=1000) if reason else []


def _create(
    session: Session,
    core: Core,
    actor: Actor,
    registration: Registration,
    values: dict[str, Any],
    signature: bytes,
    reason: str | None,
    row: int | None = None,
) -> Signer:
    assert registration.id is not None
    if _live_count(session, registration.id) >= rules.MAX_SIGNERS_WITHOUT_REASON and not reason:
        raise InvalidInput.of(
            [
                FieldError(
                    "reason",
                    _(
                        "is required: the company already has {count} signers "
                        "(a 16th and later signer needs a written reason)"
                    ).format(count=rules.MAX_SIGNERS_WITHOUT_REASON),
                    row,
                )
            ]
        )
    signer = Signer(
        chamber_id=registration.chamber_id,
        registration_id=registration.id,
        reference=rules.signer_reference(next_value(session, registration.chamber_id, "signer")),
        signature_png=signature,
        status=rules.SignerStatus.PENDING.value,
        excess_reason=reason.strip() if reason else None,
        created_at=core.clock.now(),
        created_by_account_id=actor.account_id,
        **values,
    )
    session.add(signer)
    session.flush()
    review.submit(
        session, core, actor, registration, ADDITION, {"signer": signer.reference}, reference=signer.reference
    )
    record(session, core, action="signer.add", actor=actor, target=signer.reference)
    return signer


def add_signer(
    core: Core, actor: Actor, fields: dict[str, str | None], signature: bytes, reason: str | None
) -> SignerView:
    """Register a signer (pending the chamber's review); a 16th and later signer needs a reason."""
    scope = require(core, actor, Action.SIGNER_MANAGE)
    values, errors = rules.check_signer_fields(fields, tuple(rules.SIGNER_FIELDS))
    errors += _check_reason(reason)
    try:
        image = normalise_signature(signature)
    except InvalidInput as bad:
        errors += bad.errors
        image = b""
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        registration = find_registration(session, actor, scope, None, Action.SIGNER_MANAGE, lock=True)
        signer = _create(session, core, actor, registration, values, image, reason)
        return _view(session, core, signer)


def _file_key(name: str) -> str:
    """A file name as the CSV may spell it: macOS gives names back decomposed (NFD), and Windows and macOS
    do not tell Yamada.PNG from yamada.png."""
    return unicodedata.normalize("NFC", name).casefold()


def import_signers(core: Core, actor: Actor, data: bytes, signatures: dict[str, bytes]) -> list[SignerImport]:
    """Many signers from a CSV file and their signature images: every row checked first, all written in one
    transaction; rows already registered (same name and romaji name, not removed) are reported, not redone."""
    scope = require(core, actor, Action.SIGNER_MANAGE)
    rows = read_table(data, CSV_COLUMNS, REQUIRED_COLUMNS)
    errors: list[FieldError] = []
    prepared: list[tuple[int, dict[str, Any], bytes, str | None]] = []
    by_file = {_file_key(name): image for name, image in signatures.items()}
    for row in rows:
        values, problems = rules.check_signer_fields(row.values, tuple(rules.SIGNER_FIELDS), row.number)
        errors += problems
        reason = (row.values.get("reason") or "").strip() or None
        errors += [FieldError(p.field, p.reason, row.number) for p in _check_reason(reason)]
        file_name = (row.values.get("signature") or "").strip()
        image = b""
        if not file_name:
            errors.append(FieldError("signature", _("is required (the image's file name)"), row.number))
        elif _file_key(file_name) not in by_file:
            errors.append(
                FieldError(
                    "signature",
                    _("{file_name} is not in the signatures folder").format(file_name=file_name),
                    row.number,
                )
            )
        else:
            try:
                image = normalise_signature(by_file[_file_key(file_name)])
            except InvalidInput as bad:
                errors += [
                    FieldError(
                        e.field,
                        # i18n: an image file and what is wrong with it, e.g. "sig.png is not an image"
                        _("{file_name} {reason}").format(file_name=file_name, reason=e.reason),
                        row.number,
                    )
                    for e in bad.errors
                ]
        prepared.append((row.number, values, image, reason))
    if errors:
        raise InvalidInput.of(errors)
    results: list[SignerImport] = []
    with core.write() as session:
        registration = find_registration(session, actor, scope, None, Action.SIGNER_MANAGE, lock=True)
        for number, values, image, reason in prepared:
            existing = session.exec(
                select(Signer).where(
                    Signer.registration_id == registration.id,
                    Signer.name == values["name"],
                    Signer.name_en == values["name_en"],
                    # a removed or rejected signer may be registered anew
                    col(Signer.status).not_in(
                        [rules.SignerStatus.REMOVED.value, rules.SignerStatus.REJECTED.value]
                    ),
                )
            ).first()
            if existing is not None:
                results.append(
                    SignerImport(
                        number, "exists", existing.reference, existing.name, existing.name_en, existing.status
                    )
                )
                continue
            signer = _create(session, core, actor, registration, values, image, reason, number)
            results.append(
                SignerImport(number, "created", signer.reference, signer.name, signer.name_en, signer.status)
            )
    return results


# -- reading -----------------------------------------------------------------------------------------


def list_signers(core: Core, actor: Actor, registration_number: str | None) -> list[SignerView]:
    """The company's signers (staff: name the registration); removed ones last."""
    scope = require(core, actor, Action.SIGNER_VIEW)
    with core.read() as session:
        registration = find_registration(session, actor, scope, registration_number, Action.SIGNER_VIEW)
        signers = session.exec(
            select(Signer).where(Signer.registration_id == registration.id).order_by(col(Signer.id))
        ).all()
        views = [_view(session, core, s) for s in signers]
    return sorted(views, key=lambda v: v.status == rules.SignerStatus.REMOVED)


def show_signer(core: Core, actor: Actor, ref: str) -> SignerView:
    scope = require(core, actor, Action.SIGNER_VIEW, target=ref)
    with core.read() as session:
        return _view(session, core, find_signer(session, actor, scope, ref, Action.SIGNER_VIEW))


def signature_image(core: Core, actor: Actor, ref: str) -> bytes:
    """The stored (normalised) signature as PNG."""
    scope = require(core, actor, Action.SIGNER_VIEW, target=ref)
    with core.read() as session:
        return find_signer(session, actor, scope, ref, Action.SIGNER_VIEW).signature_png


# -- changing ----------------------------------------------------------------------------------------


def update_signer(
    core: Core, actor: Actor, ref: str, fields: dict[str, str | None], signature: bytes | None
) -> SignerView:
    """Particulars change at once; a new signature sends the signer back to review. A returned signer is
    resubmitted by any update."""
    scope = require(core, actor, Action.SIGNER_MANAGE, target=ref)
    names = tuple(n for n in rules.SIGNER_FIELDS if n in fields)
    if not names and signature is None:
        raise InvalidInput.single("signer", _("give at least one particular or a new signature"))
    values, errors = rules.check_signer_fields(fields, names)
    image = None
    if signature is not None:
        try:
            image = normalise_signature(signature)
        except InvalidInput as bad:
            errors += bad.errors
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        signer = find_signer(session, actor, scope, ref, Action.SIGNER_MANAGE, lock=True)
        if signer.status in (rules.SignerStatus.REMOVED, rules.SignerStatus.REJECTED):
            raise WrongState(
                _("Signer {reference} is {status}; register a new signer instead.").format(
                    reference=signer.reference, status=signer.status
                )
            )
        for name in names:
            setattr(signer, name, values[name])
        registration = session.get_one(Registration, signer.registration_id)
        kind = None
        previous = None
        if image is not None:
            if signer.status == rules.SignerStatus.ACTIVE:
                previous = signer.signature_png
            signer.signature_png = image
            kind = SIGNATURE_CHANGE if signer.status == rules.SignerStatus.ACTIVE else ADDITION
        elif signer.status == rules.SignerStatus.RETURNED:
            kind = ADDITION
        if kind is not None and signer.status != rules.SignerStatus.PENDING:
            # (a signer already waiting stays in the queue: the reviewer sees the newest values)
            _resubmit(session, core, actor, registration, signer, kind, previous)
        session.add(signer)
        record(
            session,
            core,
            action="signer.update",
            actor=actor,
            target=signer.reference,
            details={"fields": list(names), "signature": image is not None},
        )
        return _view(session, core, signer)


def _resubmit(
    session: Session,
    core: Core,
    actor: Actor,
    registration: Registration,
    signer: Signer,
    kind: str,
    previous: bytes | None = None,
) -> None:
    signer.status = rules.SignerStatus.PENDING.value
    signer.status_reason = None
    if kind == ADDITION:
        # a signer returned for correction goes back under its own reference (SG…), as a returned
        # application keeps its reception number: the reviewer approves the reference they returned
        item = review.item_by_reference(session, registration.chamber_id, signer.reference)
        if item.status == "returned":
            review.reopen(session, core, actor, item)
            return
    payload: dict[str, Any] = {"signer": signer.reference}
    if previous is not None:  # the signature in force until this change is approved, for the reviewer
        payload[PREVIOUS_SIGNATURE] = base64.b64encode(previous).decode("ascii")
    review.submit(session, core, actor, registration, kind, payload)


def remove_signer(core: Core, actor: Actor, ref: str) -> SignerView:
    """Remove a signer: its user ID and sub IDs are disabled and their sessions end; history is kept."""
    scope = require(core, actor, Action.SIGNER_MANAGE, target=ref)
    now = core.clock.now()
    with core.write() as session:
        signer = find_signer(session, actor, scope, ref, Action.SIGNER_MANAGE, lock=True)
        if signer.status == rules.SignerStatus.REMOVED:
            raise WrongState(_("Signer {reference} is already removed.").format(reference=signer.reference))
        signer.status = rules.SignerStatus.REMOVED.value
        signer.removed_at = now
        session.add(signer)
        disabled: list[str] = []
        for account in _accounts_of(session, signer):
            account.status = "disabled"
            session.add(account)
            end_all_sessions(session, account, now, "disabled")
            disabled.append(account.login_id)
        for item in review.pending_of(session, signer.registration_id):
            if item.payload.get("signer") == signer.reference:
                item.status = "withdrawn"
                session.add(item)
        record(
            session,
            core,
            action="signer.remove",
            actor=actor,
            target=signer.reference,
            details={"disabled": disabled},
        )
        return _view(session, core, signer)


def _accounts_of(session: Session, signer: Signer) -> list[Account]:
    """The signer's user ID and its sub IDs (none before its first card)."""
    if signer.account_id is None:
        return []
    return list(
        session.exec(
            select(Account).where(
                (col(Account.id) == signer.account_id) | (col(Account.parent_account_id) == signer.account_id)
            )
        )
    )


def set_signer_suspended(
    core: Core, actor: Actor, ref: str, suspended: bool, reason: str | None
) -> SignerView:
    """Suspend an active signer (its user ID and sub IDs stop working at once, their sessions end; history,
    applications and certificates stay) or resume a suspended one (the IDs stopped with it work again; a
    sub ID disabled on its own stays disabled). The company's administrator only."""
    scope = require(core, actor, Action.SIGNER_MANAGE, target=ref)
    if suspended:
        problems = check_text("reason", reason or "", max_length=1000, required=False)
        if problems:
            raise InvalidInput.of(problems)
    now = core.clock.now()
    with core.write() as session:
        signer = find_signer(session, actor, scope, ref, Action.SIGNER_MANAGE, lock=True)
        wanted_from = rules.SignerStatus.ACTIVE if suspended else rules.SignerStatus.SUSPENDED
        if signer.status != wanted_from:
            raise WrongState(
                (
                    _("Signer {reference} is {status}: only an active signer can be suspended.")
                    if suspended
                    else _("Signer {reference} is {status}: only a suspended signer can be resumed.")
                ).format(reference=signer.reference, status=signer.status)
            )
        signer.status = (rules.SignerStatus.SUSPENDED if suspended else rules.SignerStatus.ACTIVE).value
        signer.status_reason = reason.strip() if suspended and reason else None
        session.add(signer)
        changed: list[str] = []
        for account in _accounts_of(session, signer):
            if suspended and account.status == "active":
                account.status = SUSPENDED_ACCOUNT
                end_all_sessions(session, account, now, "disabled")
            elif not suspended and account.status == SUSPENDED_ACCOUNT:
                account.status = "active"
            else:
                continue
            session.add(account)
            changed.append(account.login_id)
        record(
            session,
            core,
            action="signer.suspend" if suspended else "signer.resume",
            actor=actor,
            target=signer.reference,
            details={"accounts": changed},
        )
        return _view(session, core, signer)


# -- the 署名登録証 --------------------------------------------------------------------------------------


def print_signer_cards(
    core: Core, actor: Actor, refs: Sequence[str], *, pending: bool = False
) -> list[CardPrint]:
    """Print the 署名登録証 of approved signers (their company's administrator only). The first print issues
    the signer's user ID with a random initial password; the first-day rule decides whether it shows. A
    ``pending`` print counts as the first only once ``confirm_signer_cards`` says its file was written."""
    from shomei_cli.documents.cards import SignerCardData, render_signer_cards

    scope = require(core, actor, Action.SIGNER_CARD_PRINT)
    if not 1 <= len(refs) <= 500:
        raise InvalidInput.single("signer", _("name between 1 and 500 signers"))
    cards.purge_spent(core)
    now = core.clock.now()
    with core.read() as session:
        without_id = [
            ref
            for ref in refs
            if find_signer(session, actor, scope, ref, Action.SIGNER_CARD_PRINT).account_id is None
        ]
    # only the first print of a signer issues a user ID: hash only those passwords (before the write lock)
    fresh = {ref: generate_password() for ref in without_id}
    hashes = {ref: core.hashing.hash(p) for ref, p in fresh.items()}
    prepared: list[tuple[Signer, Account, cards.PrintOutcome]] = []
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        for ref in refs:
            signer = find_signer(session, actor, scope, ref, Action.SIGNER_CARD_PRINT, lock=True)
            if signer.status != rules.SignerStatus.ACTIVE:
                raise WrongState(
                    _(
                        "Signer {reference} is {status}: a card can be printed only for a signer "
                        "the chamber has approved."
                    ).format(reference=signer.reference, status=signer.status)
                )
            if signer.account_id is None and ref not in fresh:
                raise WrongState(
                    _("Signer {reference} changed meanwhile; print its card again.").format(
                        reference=signer.reference
                    )
                )
            account = _issue_user_id(session, core, actor, signer, fresh.get(ref, ""), hashes.get(ref, ""))
            outcome = cards.take_print(
                session, core, account, chamber.time_zone, cards.SIGNER_CARD, pending=pending
            )
            record(
                session,
                core,
                action="signer_card.print",
                actor=actor,
                target=signer.reference,
                details={
                    "user_id": account.login_id,
                    "password_shown": outcome.password is not None,
                    "print": outcome.print_count,
                },
            )
            prepared.append((signer, account, outcome))
        registration = session.get_one(Registration, actor.registration_id)
        data = [
            SignerCardData(
                chamber_code=chamber.code,
                chamber_name=chamber.name,
                registration_number=registration.registration_number,
                company_name=registration.company_name,
                company_name_en=registration.company_name_en,
                name=s.name,
                name_en=s.name_en,
                title=s.title,
                title_en=s.title_en,
                birth_date=s.birth_date,
                address=s.address,
                address_en=s.address_en,
                user_id=a.login_id,
                password=o.password,
                password_notice=o.notice,
                signature_png=s.signature_png,
                issued_on=calendar_day(s.approved_at or now, chamber.time_zone),
                printed_at=now,
                time_zone=chamber.time_zone,
            )
            for s, a, o in prepared
        ]
        pdfs = render_signer_cards(data)
    return [
        CardPrint(
            a.login_id,
            data[0].registration_number,
            o.password,
            cards.notice_for_user(o.notice),
            o.first_printed_at,
            o.print_count,
            pdf,
        )
        for (_s, a, o), pdf in zip(prepared, pdfs, strict=True)
    ]


def confirm_signer_cards(core: Core, actor: Actor, refs: Sequence[str]) -> None:
    """The files of pending prints of these 署名登録証 are durably written: each counts as printed now."""
    scope = require(core, actor, Action.SIGNER_CARD_PRINT)
    if not 1 <= len(refs) <= 500:
        raise InvalidInput.single("signer", _("name between 1 and 500 signers"))
    with core.write() as session:
        for ref in refs:
            signer = find_signer(session, actor, scope, ref, Action.SIGNER_CARD_PRINT)
            account = session.get(Account, signer.account_id) if signer.account_id else None
            if account is not None and cards.confirm_written(session, core, account):
                record(
                    session,
                    core,
                    action="signer_card.written",
                    actor=actor,
                    target=signer.reference,
                    details={"user_id": account.login_id},
                )


def _issue_user_id(
    session: Session, core: Core, actor: Actor, signer: Signer, password: str, password_hash: str
) -> Account:
    if signer.account_id is not None:
        return session.get_one(Account, signer.account_id)
    now = core.clock.now()
    account = Account(
        chamber_id=signer.chamber_id,
        login_id=rules.user_login_id(next_value(session, signer.chamber_id, "user_id")),
        role=Role.SIGNER.value,
        name=signer.name,
        registration_id=signer.registration_id,
        password_hash=password_hash,
        must_change_password=True,
        password_changed_at=now,
        created_at=now,
        created_by_account_id=actor.account_id,
    )
    session.add(account)
    session.flush()
    signer.account_id = account.id
    session.add(signer)
    cards.start_cycle(session, core, account, cards.SIGNER_CARD, password)
    record(
        session,
        core,
        action="signer.user_id_issue",
        actor=actor,
        target=account.login_id,
        details={"signer": signer.reference},
    )
    return account


def reset_signer_password(core: Core, actor: Actor, user_id: str, password: str | None) -> SignerView:
    """A temporary password for a signer's user ID: the administrator's own value (checked by the policy),
    or, with None, a new random one shown by the next 署名登録証 (a new card cycle). The signer must change
    it at the next login; the signer's live session ends."""
    scope = require(core, actor, Action.SIGNER_PASSWORD_RESET, target=user_id)
    with core.read() as session:
        signer = find_signer(session, actor, scope, user_id, Action.SIGNER_PASSWORD_RESET)
        if signer.account_id is None:
            raise WrongState(
                _("Signer {reference} has no user ID yet: print its card to issue one.").format(
                    reference=signer.reference
                )
            )
        account = session.get_one(Account, signer.account_id)
        names = names_to_avoid(session, account)
    if password is not None:
        check_password(password, login_id=account.login_id, chamber_code=actor.chamber_code, names=names)
    chosen = password if password is not None else generate_password()
    password_hash = core.hashing.hash(chosen)
    now = core.clock.now()
    with core.write() as session:
        signer = find_signer(session, actor, scope, user_id, Action.SIGNER_PASSWORD_RESET, lock=True)
        account = session.get_one(Account, signer.account_id)
        if account.status != "active":
            raise WrongState(_("User ID {login_id} is disabled.").format(login_id=account.login_id))
        ended = set_temporary_password(session, account, password_hash, now)
        if password is None:
            cards.start_cycle(session, core, account, cards.SIGNER_CARD, chosen)
        else:
            cards.end_cycles(session, core, account)
        record(
            session,
            core,
            action="signer.password_reset",
            actor=actor,
            target=account.login_id,
            details={"generated": password is None, "ended_sessions": ended},
        )
        return _view(session, core, signer)


# -- review --------------------------------------------------------------------------------------------


def _signer_of(session: Session, item: Any, *, lock: bool = True) -> Signer:
    statement = select(Signer).where(
        Signer.chamber_id == item.chamber_id, Signer.reference == item.payload["signer"]
    )
    return session.exec(statement.with_for_update() if lock else statement).one()


def _approve(session: Session, core: Core, actor: Actor, item: Any) -> None:
    signer = _signer_of(session, item)
    signer.status = rules.SignerStatus.ACTIVE.value
    signer.status_reason = None
    signer.approved_at = core.clock.now()
    session.add(signer)


def _return(session: Session, core: Core, actor: Actor, item: Any) -> None:
    del core, actor
    signer = _signer_of(session, item)
    signer.status = rules.SignerStatus.RETURNED.value
    signer.status_reason = item.reason
    session.add(signer)


def _reject(session: Session, core: Core, actor: Actor, item: Any) -> None:
    del core, actor
    signer = _signer_of(session, item)
    signer.status = rules.SignerStatus.REJECTED.value
    signer.status_reason = item.reason
    session.add(signer)


def _particulars(session: Session, item: Any) -> dict[str, Any]:
    """The signer's particulars and the fingerprint of the signature to be printed."""
    signer = _signer_of(session, item, lock=False)
    fields = {name: getattr(signer, name) for name in rules.SIGNER_FIELDS}
    fields["birth_date"] = signer.birth_date.isoformat() if signer.birth_date else None
    fields["signature.sha256"] = hashlib.sha256(signer.signature_png).hexdigest()
    return fields


def _files(session: Session, core: Core, item: Any) -> list[DossierFile]:
    """The signature exactly as it will be printed; for a change, the one in force beside it."""
    del core
    signer = _signer_of(session, item, lock=False)
    if item.kind == SIGNATURE_CHANGE:
        files = [
            review.dossier_file(
                "signature-new.png", "image/png", signer.signature_png, _("the new signature")
            )
        ]
        previous = item.payload.get(PREVIOUS_SIGNATURE)
        if previous:
            files.append(
                review.dossier_file(
                    "signature-current.png",
                    "image/png",
                    base64.b64decode(previous),
                    _("the signature in force"),
                )
            )
        return files
    return [
        review.dossier_file(
            "signature.png", "image/png", signer.signature_png, _("the signature to register")
        )
    ]


def _describe(item: Any) -> str:
    signer = item.payload.get("signer")
    if item.kind == ADDITION:
        return _("new signer: {signer}").format(signer=signer)
    return _("new signature: {signer}").format(signer=signer)


for _kind in (ADDITION, SIGNATURE_CHANGE):
    review.register(
        _kind,
        review.Handler(
            describe=_describe,
            approve=_approve,
            on_return=_return,
            on_reject=_reject,
            particulars=_particulars,
            files=_files,
        ),
    )
