"""Trade registrations and their administrator IDs: batch issuance, views, cards, resets, status,
contact changes, and the change and renewal requests that the review queue decides."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from shomei_cli.domain import registrations as rules
from shomei_cli.domain.clock import as_utc, calendar_day
from shomei_cli.domain.csv_table import read_table
from shomei_cli.domain.errors import Conflict, FieldError, InvalidInput, NotFound, WrongState
from shomei_cli.domain.passwords import generate_password
from shomei_cli.domain.permissions import Action, Role, Scope
from shomei_cli.domain.records import (
    CardPrint,
    IssuedRegistration,
    RegistrationQuery,
    RegistrationSummary,
    RegistrationView,
    ReviewEntry,
)
from shomei_cli.domain.validation import check_text
from shomei_cli.faults import checkpoint
from shomei_cli.i18n import _
from shomei_cli.services import cards, review
from shomei_cli.services.audit import Actor, HiddenRecord, record, require
from shomei_cli.services.auth import set_temporary_password
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.store.tables import Account, Chamber, Registration

# Column names accepted in the CSV, besides the field names themselves (docs/registrations.md).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("区分", "申請区分", "種別"),
    "corporate_number": ("法人番号", "corporate no"),
    "company_name": ("企業名", "会社名", "法人名", "company"),
    "company_name_en": ("企業名(英字)", "英文企業名", "company en", "company (english)"),
    "representative_name": ("代表者氏名", "代表者氏名(漢字)", "代表者名", "representative"),
    "representative_name_en": ("代表者氏名(英字)", "representative en", "representative (english)"),
    "representative_title": ("代表者職名", "役職", "title"),
    "representative_title_en": ("代表者職名(英字)", "title en", "title (english)"),
    "postal_code": ("郵便番号", "postcode", "zip"),
    "address": ("住所",),
    "address_en": ("住所(英字)", "英文住所", "address (english)"),
    "contact_person": ("担当者", "担当者名", "contact"),
    "department": ("部署", "部署名"),
    "phone": ("電話番号", "電話", "tel", "telephone"),
    "email": ("メールアドレス", "eメール", "e-mail", "mail"),
    "member": ("会員", "会員区分", "membership"),
}
REQUIRED_COLUMNS = frozenset(set(rules.FIELD_NAMES) - {"department"})
MAX_REASON = 500


# -- helpers ---------------------------------------------------------------------------------------


def _chamber(session: Session, actor: Actor) -> Chamber:
    return session.get_one(Chamber, actor.chamber_id)


def _today(core: Core, chamber: Chamber) -> date:
    return calendar_day(core.clock.now(), chamber.time_zone)


def _admin_of(session: Session, registration: Registration) -> Account:
    admin = session.exec(
        select(Account).where(Account.registration_id == registration.id, Account.role == Role.ADMIN.value)
    ).first()
    if admin is None:  # pragma: no cover - every registration is created with its administrator ID
        raise NotFound(
            _("Registration {number} has no administrator ID.").format(
                number=registration.registration_number
            )
        )
    return admin


def find_registration(
    session: Session,
    actor: Actor,
    scope: Scope,
    number: str | None,
    action: Action,
    *,
    lock: bool = False,
) -> Registration:
    """The registration the actor means: any in the chamber (staff), only their own otherwise.

    Another company's number answers NotFound, exactly as a number that does not exist: a tenant never
    learns whether another tenant's record exists.
    """
    number = number.strip() if number is not None else None
    if scope is Scope.CHAMBER:
        if not number:
            raise InvalidInput.single("registration", _("is required (a registration number)"))
        statement = select(Registration).where(
            Registration.chamber_id == actor.chamber_id,
            Registration.registration_number == number.strip(),
        )
    else:
        statement = select(Registration).where(Registration.id == actor.registration_id)
    if lock:
        statement = statement.with_for_update()
    registration = session.exec(statement).first()
    if registration is None or (
        scope is not Scope.CHAMBER and number and number.strip() != registration.registration_number
    ):
        shown = (
            _("No registration {number} that you can see.").format(number=number.strip())
            if number
            else _("No registration.")
        )
        raise HiddenRecord(shown, actor=actor, action=action.value, target=number)
    return registration


def _summary(registration: Registration, admin: Account, today: date) -> RegistrationSummary:
    return RegistrationSummary(
        registration_number=registration.registration_number,
        kind=registration.kind,
        company_name=registration.company_name,
        company_name_en=registration.company_name_en,
        corporate_number=registration.corporate_number,
        member=registration.member,
        status=rules.effective_status(registration.status, registration.valid_until, today).value,
        valid_until=registration.valid_until,
        days_left=(registration.valid_until - today).days,
        admin_id=admin.login_id,
    )


def _view(session: Session, core: Core, registration: Registration, chamber: Chamber) -> RegistrationView:
    from shomei_cli.domain.accounts import is_locked

    today = _today(core, chamber)
    admin = _admin_of(session, registration)
    assert registration.id is not None
    return RegistrationView(
        registration_number=registration.registration_number,
        kind=registration.kind,
        corporate_number=registration.corporate_number,
        company_name=registration.company_name,
        company_name_en=registration.company_name_en,
        representative_name=registration.representative_name,
        representative_name_en=registration.representative_name_en,
        representative_title=registration.representative_title,
        representative_title_en=registration.representative_title_en,
        postal_code=registration.postal_code,
        address=registration.address,
        address_en=registration.address_en,
        contact_person=registration.contact_person,
        department=registration.department,
        phone=registration.phone,
        email=registration.email,
        member=registration.member,
        status=rules.effective_status(registration.status, registration.valid_until, today).value,
        status_reason=registration.status_reason,
        valid_from=registration.valid_from,
        valid_until=registration.valid_until,
        days_left=(registration.valid_until - today).days,
        renewal_open=rules.renewal_open(registration.valid_until, today),
        admin_id=admin.login_id,
        admin_locked=is_locked(admin.locked_until, core.clock.now()),
        admin_must_change_password=admin.must_change_password,
        pending_requests=[i.reference for i in review.pending_of(session, registration.id)],
        created_at=as_utc(registration.created_at),
    )


# -- issuing ---------------------------------------------------------------------------------------


def issue_from_csv(core: Core, actor: Actor, data: bytes) -> list[IssuedRegistration]:
    """Validate every row first; then create all new registrations, with their administrator IDs, in one
    transaction. Rows already registered (same corporate number in this chamber) are reported, not redone."""
    require(core, actor, Action.REGISTRATION_CREATE)
    rows = read_table(data, CSV_COLUMNS, REQUIRED_COLUMNS)
    cleaned: list[tuple[int | None, dict[str, Any]]] = []
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for row in rows:
        values, problems = rules.check_fields(row.values, rules.FIELD_NAMES, row.number)
        errors += problems
        number = values.get("corporate_number")
        if number and number in seen:
            errors.append(
                FieldError("corporate_number", _("repeats row {row}").format(row=seen[number]), row.number)
            )
        elif number:
            seen[number] = row.number
        cleaned.append((row.number, values))
    if errors:
        raise InvalidInput.of(errors)
    return _issue(core, actor, cleaned)


def issue_one(core: Core, actor: Actor, fields: dict[str, str]) -> IssuedRegistration:
    """One registration from named fields (the same rules as a CSV row)."""
    require(core, actor, Action.REGISTRATION_CREATE)
    values, errors = rules.check_fields(fields, rules.FIELD_NAMES)
    if errors:
        raise InvalidInput.of(errors)
    return _issue(core, actor, [(None, values)])[0]


def _hash_all(core: Core, passwords: Sequence[str]) -> list[str]:
    """argon2 over every core at once (argon2-cffi releases the GIL while hashing)."""

    def hash_one(password: str) -> str:
        checkpoint("hashing")
        return core.hashing.hash(password)

    if len(passwords) <= 1:
        return [hash_one(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(hash_one, passwords))


def _issue(
    core: Core, actor: Actor, rows: list[tuple[int | None, dict[str, Any]]]
) -> list[IssuedRegistration]:
    with core.read() as session:
        existing = {
            r.corporate_number: r
            for r in session.exec(
                select(Registration).where(
                    Registration.chamber_id == actor.chamber_id,
                    col(Registration.corporate_number).in_([v["corporate_number"] for _unused, v in rows]),
                )
            )
        }
    new_rows = [(n, v) for n, v in rows if v["corporate_number"] not in existing]
    passwords = [generate_password() for _unused in new_rows]
    hashes = _hash_all(core, passwords)  # the slow part, before the write lock is taken
    now = core.clock.now()
    results: list[IssuedRegistration] = []
    with core.write() as session:
        chamber = _chamber(session, actor)
        today = _today(core, chamber)
        for row_number, values in rows:
            already = existing.get(values["corporate_number"])
            if already is not None:
                admin = _admin_of(session, already)
                results.append(
                    IssuedRegistration(
                        row_number,
                        "exists",
                        already.registration_number,
                        already.corporate_number,
                        already.company_name,
                        admin.login_id,
                        not cards.card_printed(session, admin),
                    )
                )
                continue
            if (
                session.exec(
                    select(Registration.id).where(
                        Registration.chamber_id == actor.chamber_id,
                        Registration.corporate_number == values["corporate_number"],
                    )
                ).first()
                is not None
            ):
                raise Conflict(
                    _(
                        "Corporate number {corporate_number} was registered by someone else "
                        "meanwhile; run the batch again (it skips what exists)."
                    ).format(corporate_number=values["corporate_number"])
                )
            number = rules.registration_number(
                chamber.code, next_value(session, chamber.id or 0, "registration")
            )
            registration = Registration(
                chamber_id=actor.chamber_id,
                registration_number=number,
                valid_from=today,
                valid_until=rules.validity_end(today),
                created_at=now,
                created_by_account_id=actor.account_id,
                **values,
            )
            session.add(registration)
            session.flush()
            password, password_hash = passwords.pop(0), hashes.pop(0)
            admin = Account(
                chamber_id=actor.chamber_id,
                login_id=rules.admin_login_id(number),
                role=Role.ADMIN.value,
                name=values["contact_person"],
                email=values["email"],
                registration_id=registration.id,
                password_hash=password_hash,
                must_change_password=True,
                password_changed_at=now,
                created_at=now,
                created_by_account_id=actor.account_id,
            )
            session.add(admin)
            session.flush()
            cards.start_cycle(session, core, admin, cards.REGISTRATION_CARD, password)
            record(
                session,
                core,
                action="registration.create",
                actor=actor,
                target=number,
                registration_id=registration.id,
                details={"admin_id": admin.login_id},
            )
            results.append(
                IssuedRegistration(
                    row_number,
                    "created",
                    number,
                    registration.corporate_number,
                    registration.company_name,
                    admin.login_id,
                    True,
                )
            )
            if len(results) % 500 == 0:
                # a batch of 10,000 must not keep tens of thousands of ORM objects alive
                session.flush()
                session.expunge_all()
    return results


# -- reading ---------------------------------------------------------------------------------------


def list_registrations(core: Core, actor: Actor, query: RegistrationQuery) -> list[RegistrationSummary]:
    """The chamber's registrations, filtered by status and expiry (staff)."""
    require(core, actor, Action.REGISTRATION_LIST)
    if query.status not in (None, "active", "suspended", "expired"):
        raise InvalidInput.single("status", _("must be active, suspended or expired"))
    if query.expiring_within is not None and not 0 <= query.expiring_within <= 3650:
        raise InvalidInput.single("expiring_within", _("must be a number of days from 0 to 3650"))
    if not 1 <= query.limit <= 10_000:
        raise InvalidInput.single("limit", _("must be between 1 and {limit}").format(limit=10_000))
    with core.read() as session:
        chamber = _chamber(session, actor)
        today = _today(core, chamber)
        statement = (
            select(Registration, Account)
            .join(Account, col(Account.registration_id) == col(Registration.id))
            .where(Registration.chamber_id == actor.chamber_id, Account.role == Role.ADMIN.value)
        )
        if query.expiring_within is not None:
            statement = statement.where(
                col(Registration.valid_until) >= today,
                col(Registration.valid_until) <= today + timedelta(days=query.expiring_within),
            )
        if query.status == "expired":
            statement = statement.where(
                col(Registration.valid_until) < today, Registration.status != "suspended"
            )
        elif query.status == "suspended":
            statement = statement.where(Registration.status == "suspended")
        elif query.status == "active":
            statement = statement.where(
                Registration.status == "active", col(Registration.valid_until) >= today
            )
        statement = statement.order_by(col(Registration.registration_number)).limit(query.limit)
        return [_summary(r, a, today) for r, a in session.exec(statement)]


def show_registration(core: Core, actor: Actor, number: str | None) -> RegistrationView:
    """登録内容確認: staff any in the chamber; an administrator or signer only their own."""
    scope = require(core, actor, Action.REGISTRATION_VIEW, target=number)
    with core.read() as session:
        registration = find_registration(session, actor, scope, number, Action.REGISTRATION_VIEW)
        return _view(session, core, registration, _chamber(session, actor))


# -- the card --------------------------------------------------------------------------------------


def print_cards(
    core: Core, actor: Actor, numbers: Sequence[str | None], *, pending: bool = False
) -> list[CardPrint]:
    """Print the 貿易登録証 of each registration (staff: any; administrator: their own), under the first-day
    rule: every print is recorded, and the password is on it only on the day of the first print. A
    ``pending`` print counts as the first only once ``confirm_cards`` says its file was written."""
    from shomei_cli.documents.cards import RegistrationCardData, render_registration_cards

    scope = require(core, actor, Action.REGISTRATION_CARD_PRINT)
    if not numbers:
        raise InvalidInput.single("registration", _("name at least one registration"))
    if len(numbers) > 500:
        raise InvalidInput.single("registration", _("at most 500 cards in one call"))
    cards.purge_spent(core)
    now = core.clock.now()
    prepared: list[tuple[Account, Registration, cards.PrintOutcome]] = []
    with core.write() as session:
        chamber = _chamber(session, actor)
        for number in numbers:
            registration = find_registration(session, actor, scope, number, Action.REGISTRATION_CARD_PRINT)
            admin = _admin_of(session, registration)
            outcome = cards.take_print(
                session, core, admin, chamber.time_zone, cards.REGISTRATION_CARD, pending=pending
            )
            record(
                session,
                core,
                action="registration_card.print",
                actor=actor,
                target=registration.registration_number,
                registration_id=registration.id,
                details={"password_shown": outcome.password is not None, "print": outcome.print_count},
            )
            prepared.append((admin, registration, outcome))
        data = [
            RegistrationCardData(
                chamber_code=chamber.code,
                chamber_name=chamber.name,
                chamber_name_en=chamber.name_en,
                registration_number=r.registration_number,
                kind=r.kind,
                corporate_number=r.corporate_number,
                company_name=r.company_name,
                company_name_en=r.company_name_en,
                representative_name=r.representative_name,
                representative_name_en=r.representative_name_en,
                representative_title=r.representative_title,
                representative_title_en=r.representative_title_en,
                postal_code=r.postal_code,
                address=r.address,
                address_en=r.address_en,
                valid_from=r.valid_from,
                valid_until=r.valid_until,
                issued_on=calendar_day(r.created_at, chamber.time_zone),
                admin_id=a.login_id,
                password=o.password,
                password_notice=o.notice,
                printed_at=now,
                time_zone=chamber.time_zone,
            )
            for a, r, o in prepared
        ]
        # rendered inside the transaction: if rendering fails, no print is recorded
        checkpoint("rendering")
        pdfs = render_registration_cards(data)
    return [
        CardPrint(
            a.login_id,
            r.registration_number,
            o.password,
            cards.notice_for_user(o.notice),
            o.first_printed_at,
            o.print_count,
            pdf,
        )
        for (a, r, o), pdf in zip(prepared, pdfs, strict=True)
    ]


def confirm_cards(core: Core, actor: Actor, numbers: Sequence[str]) -> None:
    """The files of pending prints of these 貿易登録証 are durably written: each counts as printed now."""
    scope = require(core, actor, Action.REGISTRATION_CARD_PRINT)
    if not 1 <= len(numbers) <= 500:
        raise InvalidInput.single("registration", _("name between 1 and 500 registrations"))
    with core.write() as session:
        for number in numbers:
            registration = find_registration(session, actor, scope, number, Action.REGISTRATION_CARD_PRINT)
            if cards.confirm_written(session, core, _admin_of(session, registration)):
                record(
                    session,
                    core,
                    action="registration_card.written",
                    actor=actor,
                    target=registration.registration_number,
                    registration_id=registration.id,
                )


def reset_admin_password(core: Core, actor: Actor, number: str) -> RegistrationView:
    """A new random initial password for the administrator ID: a new card cycle, the ID unlocked, its
    sessions ended; it must be changed at the next login. Print the new card with `admin card`."""
    scope = require(core, actor, Action.ADMIN_PASSWORD_RESET, target=number)
    password = generate_password()
    password_hash = core.hashing.hash(password)
    now = core.clock.now()
    with core.write() as session:
        registration = find_registration(
            session, actor, scope, number, Action.ADMIN_PASSWORD_RESET, lock=True
        )
        admin = _admin_of(session, registration)
        ended = set_temporary_password(session, admin, password_hash, now)
        cards.start_cycle(session, core, admin, cards.REGISTRATION_CARD, password)
        record(
            session,
            core,
            action="admin.password_reset",
            actor=actor,
            target=admin.login_id,
            registration_id=registration.id,
            details={"ended_sessions": ended},
        )
        return _view(session, core, registration, _chamber(session, actor))


# -- status ----------------------------------------------------------------------------------------


def set_suspended(
    core: Core, actor: Actor, number: str, suspended: bool, reason: str | None
) -> RegistrationView:
    """Suspend (with a reason) or reinstate a registration (staff)."""
    scope = require(core, actor, Action.REGISTRATION_SUSPEND, target=number)
    if suspended:
        problems = check_text("reason", reason or "", max_length=MAX_REASON)
        if problems:
            raise InvalidInput.of(problems)
    with core.write() as session:
        registration = find_registration(
            session, actor, scope, number, Action.REGISTRATION_SUSPEND, lock=True
        )
        if suspended and registration.status == "suspended":
            raise WrongState(
                _("Registration {number} is already suspended.").format(
                    number=registration.registration_number
                )
            )
        if not suspended and registration.status != "suspended":
            raise WrongState(
                _("Registration {number} is not suspended.").format(number=registration.registration_number)
            )
        registration.status = "suspended" if suspended else "active"
        registration.status_reason = reason.strip() if suspended and reason else None
        session.add(registration)
        record(
            session,
            core,
            action="registration.suspend" if suspended else "registration.reinstate",
            actor=actor,
            target=registration.registration_number,
            registration_id=registration.id,
        )
        return _view(session, core, registration, _chamber(session, actor))


# -- the administrator's own requests --------------------------------------------------------------


def change_contact(core: Core, actor: Actor, fields: dict[str, str]) -> RegistrationView:
    """連絡先等変更: contact person, department, phone, email — at once, no review."""
    scope = require(core, actor, Action.REGISTRATION_CONTACT_CHANGE)
    names = tuple(n for n in ("contact_person", "department", "phone", "email") if n in fields)
    if not names:
        raise InvalidInput.single("contact", _("give at least one of person, department, phone, email"))
    values, errors = rules.check_fields(fields, names)
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        registration = find_registration(
            session, actor, scope, None, Action.REGISTRATION_CONTACT_CHANGE, lock=True
        )
        before = {n: getattr(registration, n) for n in names}
        for name in names:
            setattr(registration, name, values[name])
        session.add(registration)
        record(
            session,
            core,
            action="registration.contact_change",
            actor=actor,
            target=registration.registration_number,
            details={"fields": list(names), "before": before},
        )
        return _view(session, core, registration, _chamber(session, actor))


CHANGE = "change"
RENEWAL = "renewal"


def request_change(core: Core, actor: Actor, fields: dict[str, str]) -> ReviewEntry:
    """登録内容変更: a change of registered particulars, applied only when staff approve it."""
    scope = require(core, actor, Action.REGISTRATION_CHANGE_REQUEST)
    names = tuple(f.name for f in rules.PARTICULARS if f.name in fields)
    if not names:
        raise InvalidInput.single("change", _("give at least one particular to change"))
    values, errors = rules.check_fields(fields, names)
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        registration = find_registration(
            session, actor, scope, None, Action.REGISTRATION_CHANGE_REQUEST, lock=True
        )
        assert registration.id is not None
        if review.pending_of(session, registration.id, CHANGE):
            raise Conflict(_("A change request is already pending review; wait for the chamber's decision."))
        changes = {n: values[n] for n in names if values[n] != getattr(registration, n)}
        if not changes:
            raise InvalidInput.single("change", _("every value given equals the registered one"))
        item = review.submit(session, core, actor, registration, CHANGE, {"changes": changes})
        return review.entry(session, item)


def request_renewal(core: Core, actor: Actor) -> ReviewEntry:
    """有効期間更新: from 30 days before the end of validity, and at any time after it."""
    scope = require(core, actor, Action.REGISTRATION_RENEWAL_REQUEST)
    with core.write() as session:
        registration = find_registration(
            session, actor, scope, None, Action.REGISTRATION_RENEWAL_REQUEST, lock=True
        )
        assert registration.id is not None
        today = _today(core, _chamber(session, actor))
        if not rules.renewal_open(registration.valid_until, today):
            opens = registration.valid_until - timedelta(days=rules.RENEWAL_WINDOW_DAYS)
            raise WrongState(
                _("Renewal opens on {opens}, 30 days before validity ends ({valid_until}).").format(
                    opens=opens.isoformat(), valid_until=registration.valid_until.isoformat()
                )
            )
        if review.pending_of(session, registration.id, RENEWAL):
            raise Conflict(_("A renewal request is already pending review."))
        item = review.submit(
            session,
            core,
            actor,
            registration,
            RENEWAL,
            {
                "valid_until": registration.valid_until.isoformat(),
                "new_valid_until": rules.renewed_until(registration.valid_until).isoformat(),
            },
        )
        return review.entry(session, item)


def _approve_change(session: Session, core: Core, actor: Actor, item: Any) -> None:
    registration = session.get_one(Registration, item.registration_id, with_for_update=True)
    changes: dict[str, str] = item.payload["changes"]
    for name, value in changes.items():
        setattr(registration, name, value)
    session.add(registration)
    record(
        session,
        core,
        action="registration.change",
        actor=actor,
        target=registration.registration_number,
        registration_id=registration.id,
        details={"fields": sorted(changes)},
    )


def _approve_renewal(session: Session, core: Core, actor: Actor, item: Any) -> None:
    registration = session.get_one(Registration, item.registration_id, with_for_update=True)
    registration.valid_until = rules.renewed_until(registration.valid_until)
    session.add(registration)
    record(
        session,
        core,
        action="registration.renew",
        actor=actor,
        target=registration.registration_number,
        registration_id=registration.id,
        details={"valid_until": registration.valid_until.isoformat()},
    )


def _describe_change(item: Any) -> str:
    changes = ", ".join(f"{k} → {v}" for k, v in item.payload.get("changes", {}).items())
    return _("change: {changes}").format(changes=changes)


def _describe_renewal(item: Any) -> str:
    return _("renewal: valid until {valid_until} → {new_valid_until}").format(
        valid_until=item.payload.get("valid_until"), new_valid_until=item.payload.get("new_valid_until")
    )


review.register(CHANGE, review.Handler(describe=_describe_change, approve=_approve_change))
review.register(RENEWAL, review.Handler(describe=_describe_renewal, approve=_approve_renewal))
