"""Applications for certificates, end to end: apply, amend, submit, cancel, review, pay, issue, print,
receipts, verification; the fee table and prepaid balances."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, func, type_coerce, union, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from shomei_cli.domain import applications as rules
from shomei_cli.domain import qualified_invoices
from shomei_cli.domain.application_forms import (
    CertificateType,
    certificate_type,
    content_of,
    parse_form,
)
from shomei_cli.domain.clock import as_utc, calendar_day
from shomei_cli.domain.errors import (
    Conflict,
    Expired,
    FieldError,
    InvalidInput,
    WrongState,
)
from shomei_cli.domain.invoices import check_invoice_pdf
from shomei_cli.domain.permissions import Action, Role, Scope
from shomei_cli.domain.records import (
    ApplicationQuery,
    ApplicationSummary,
    ApplicationView,
    DocumentFile,
    FeeRow,
    PaymentView,
    Verification,
)
from shomei_cli.domain.registrations import RegistrationStatus, effective_status
from shomei_cli.domain.signers import SignerStatus
from shomei_cli.domain.validation import check_text
from shomei_cli.i18n import _
from shomei_cli.services import identity, review
from shomei_cli.services.audit import Actor, HiddenRecord, RefusedInState, record, require
from shomei_cli.services.core import Core
from shomei_cli.services.counters import next_value
from shomei_cli.services.registrations import find_registration
from shomei_cli.signing import issued
from shomei_cli.store.tables import (
    Account,
    Application,
    CardCheckout,
    Chamber,
    Fee,
    Payment,
    Registration,
    Signer,
)

KIND = "application"
MAX_LIST = 10_000
STREAM_BATCH = 2000
MAX_PRINT = 100  # certificates or receipts in one call: a batch's PDFs are held in memory


# -- whose signature, which application --------------------------------------------------------------


def _signer_for(session: Session, actor: Actor) -> Signer:
    """The signer whose signature the actor's applications carry: its own (user ID) or its signer's (sub)."""
    account_id = actor.account_id if actor.role is Role.SIGNER else actor.parent_account_id
    signer = session.exec(select(Signer).where(Signer.account_id == account_id)).first()
    if signer is None or signer.status != SignerStatus.ACTIVE:
        state = signer.status if signer else "unknown"
        raise WrongState(
            _("The signer's registration is {state}: applications need an approved signer.").format(
                state=state
            )
        )
    return signer


def _find(
    session: Session, actor: Actor, scope: Scope, ref: str, action: Action, *, lock: bool = False
) -> Application:
    """By reference (AP…), reception number or certificate number, within the actor's reach; anything else
    is NotFound."""
    ref = ref.strip()
    a = Application
    # one indexed lookup per kind of number (an OR of the three made SQLite scan the chamber's applications)
    matching = union(
        *(
            sa_select(col(a.id)).where(col(a.chamber_id) == actor.chamber_id, column == ref)
            for column in (col(a.reference), col(a.reception_number), col(a.certificate_number))
        )
    )
    statement = select(Application).where(col(Application.id).in_(matching))
    if scope is Scope.CHAMBER:  # the chamber sees what was submitted to it, never a company's drafts
        statement = statement.where(col(Application.reception_number).is_not(None))
    if scope is Scope.REGISTRATION:
        statement = statement.where(Application.registration_id == actor.registration_id)
    elif scope is Scope.SIGNER:
        signer = session.exec(select(Signer).where(Signer.account_id == actor.account_id)).first()
        statement = statement.where(Application.signer_id == (signer.id if signer else -1))
    elif scope is Scope.OWN:
        statement = statement.where(Application.applicant_account_id == actor.account_id)
    if lock:
        statement = statement.with_for_update()
    application = session.exec(statement).first()
    if application is None:
        raise HiddenRecord(
            _("No application {ref} that you can see.").format(ref=ref),
            actor=actor,
            action=action.value,
            target=ref,
        )
    return application


def _summary(session: Session, application: Application) -> ApplicationSummary:
    registration = session.get_one(Registration, application.registration_id)
    signer = session.get_one(Signer, application.signer_id)
    applicant = session.get_one(Account, application.applicant_account_id)
    return ApplicationSummary(
        reference=application.reference,
        reception_number=application.reception_number,
        type=application.type,
        status=application.status,
        registration_number=registration.registration_number,
        destination_country=application.destination_country,
        copies=application.copies,
        signer=signer.name,
        applicant=applicant.login_id,
        fee=application.fee,
        certificate_number=application.certificate_number,
        created_at=as_utc(application.created_at),
        submitted_at=as_utc(application.submitted_at) if application.submitted_at else None,
        issued_at=as_utc(application.issued_at) if application.issued_at else None,
    )


def _view(session: Session, application: Application, actor: Actor) -> ApplicationView:
    printable = application.issued_at is not None and application.status == rules.Status.ISSUED
    until = (
        as_utc(application.issued_at) + timedelta(days=rules.PRINT_DAYS)
        if printable and application.issued_at is not None
        else None
    )
    return ApplicationView(
        summary=_summary(session, application),
        content=dict(application.content),
        reason=application.reason,
        has_attachment=application.attachment is not None,
        # the access code is printed on the certificate: the company sees it, staff see it
        access_code=application.access_code,
        print_count=application.print_count,
        printable_until=until,
    )


def _today(core: Core, session: Session, chamber_id: int) -> Any:
    return calendar_day(core.clock.now(), session.get_one(Chamber, chamber_id).time_zone)


def _validated(
    core: Core,
    session: Session,
    actor: Actor,
    kind: CertificateType,
    content: dict[str, Any],
    attachment: bytes | None,
) -> tuple[dict[str, Any], bytes | None]:
    form = parse_form(kind, content, _today(core, session, actor.chamber_id))
    if kind is CertificateType.INVOICE:
        if attachment is None:
            raise InvalidInput.single("attachment", _("an invoice certification needs the invoice as a PDF"))
        check_invoice_pdf(attachment)
    elif attachment is not None:
        raise InvalidInput.single(
            "attachment", _("only invoice certifications take an attachment, not {kind}").format(kind=kind)
        )
    return content_of(form), attachment


# -- applying ----------------------------------------------------------------------------------------


def create(
    core: Core,
    actor: Actor,
    kind: str,
    content: dict[str, Any],
    attachment: bytes | None,
    draft: bool,
) -> ApplicationView:
    """A new application, signed by the actor's signer; submitted unless ``draft``."""
    require(core, actor, Action.APPLICATION_EDIT)
    certificate = certificate_type(kind)
    with core.write() as session:
        signer = _signer_for(session, actor)
        clean, attachment = _validated(core, session, actor, certificate, content, attachment)
        application = Application(
            chamber_id=actor.chamber_id,
            registration_id=signer.registration_id,
            reference=f"AP{next_value(session, actor.chamber_id, 'application'):07d}",
            type=certificate.value,
            status=rules.Status.DRAFT.value,
            content=clean,
            attachment=attachment,
            copies=int(clean.get("copies", 0)),
            destination_country=str(clean["destination_country"]),
            signer_id=signer.id or 0,
            applicant_account_id=actor.account_id,
            created_at=core.clock.now(),
        )
        session.add(application)
        session.flush()
        record(
            session,
            core,
            action="application.create",
            actor=actor,
            target=application.reference,
            details={"type": certificate.value},
        )
        if not draft:
            _submit(session, core, actor, application)
        return _view(session, application, actor)


def copy_content(core: Core, actor: Actor, ref: str) -> tuple[str, dict[str, Any]]:
    """`cert apply --from REF`: the type and content of a past application the actor can see."""
    scope = require(core, actor, Action.APPLICATION_VIEW, target=ref)
    with core.read() as session:
        application = _find(session, actor, scope, ref, Action.APPLICATION_VIEW)
        return application.type, dict(application.content)


def amend(
    core: Core, actor: Actor, ref: str, content: dict[str, Any], attachment: bytes | None
) -> ApplicationView:
    """Replace the content of a draft or returned application."""
    scope = require(core, actor, Action.APPLICATION_EDIT, target=ref)
    with core.write() as session:
        application = _find(session, actor, scope, ref, Action.APPLICATION_EDIT, lock=True)
        _advance(actor, Action.APPLICATION_EDIT, application, rules.Step.AMEND)
        certificate = CertificateType(application.type)
        keep = attachment if attachment is not None else application.attachment
        clean, keep = _validated(core, session, actor, certificate, content, keep)
        application.content = clean
        application.attachment = keep
        application.copies = int(clean.get("copies", 0))
        application.destination_country = str(clean["destination_country"])
        session.add(application)
        record(session, core, action="application.amend", actor=actor, target=application.reference)
        return _view(session, application, actor)


def submit(core: Core, actor: Actor, ref: str) -> ApplicationView:
    """Submit a draft, or resubmit a returned application, to the chamber's review."""
    scope = require(core, actor, Action.APPLICATION_EDIT, target=ref)
    with core.write() as session:
        application = _find(session, actor, scope, ref, Action.APPLICATION_EDIT, lock=True)
        _submit(session, core, actor, application)
        return _view(session, application, actor)


def _submit(session: Session, core: Core, actor: Actor, application: Application) -> None:
    after = _advance(actor, Action.APPLICATION_EDIT, application, rules.Step.SUBMIT)
    registration = session.get_one(Registration, application.registration_id, with_for_update=True)
    today = _today(core, session, application.chamber_id)
    status = effective_status(registration.status, registration.valid_until, today)
    if status is RegistrationStatus.EXPIRED:
        raise Expired(
            _(
                "The trade registration {number} expired on {valid_until}: no application can be submitted "
                "until it is renewed."
            ).format(
                number=registration.registration_number, valid_until=registration.valid_until.isoformat()
            )
        )
    if status is RegistrationStatus.SUSPENDED:
        raise WrongState(
            _("The trade registration {number} is suspended: no application can be submitted.").format(
                number=registration.registration_number
            )
        )
    # the content is checked again against today's date (an invoice dated after the application is refused)
    parse_form(CertificateType(application.type), dict(application.content), today)
    signer = session.get_one(Signer, application.signer_id)
    if signer.status != SignerStatus.ACTIVE:
        raise WrongState(
            _("The signer {reference} is {status}: it cannot sign applications now.").format(
                reference=signer.reference, status=signer.status
            )
        )
    now = core.clock.now()
    first = application.reception_number is None
    if first:
        code = session.get_one(Chamber, application.chamber_id).code
        application.reception_number = rules.reception_number(
            code, next_value(session, application.chamber_id, "reception")
        )
        review.submit(
            session,
            core,
            actor,
            registration,
            KIND,
            {"application": application.reference},
            reference=application.reception_number,
        )
    else:
        item = review.item_by_reference(session, application.chamber_id, application.reception_number or "")
        review.reopen(session, core, actor, item)
    application.status = after.value
    application.submitted_at = now
    application.reason = None
    session.add(application)
    record(
        session,
        core,
        action="application.submit",
        actor=actor,
        target=application.reception_number,
        details={"first": first},
    )


def cancel(core: Core, actor: Actor, ref: str) -> ApplicationView:
    """Withdraw an application before the chamber approves it."""
    scope = require(core, actor, Action.APPLICATION_EDIT, target=ref)
    with core.read() as session:
        reception = _find(session, actor, scope, ref, Action.APPLICATION_EDIT).reception_number
    with core.write() as session:
        # the review item first, then the application: the order a reviewer's decision takes them in, so
        # that a cancellation racing an approval waits instead of deadlocking
        item = review.item_by_reference(session, actor.chamber_id, reception) if reception else None
        application = _find(session, actor, scope, ref, Action.APPLICATION_EDIT, lock=True)
        after = _advance(actor, Action.APPLICATION_EDIT, application, rules.Step.CANCEL)
        if item is not None:
            review.withdraw(session, item)
        application.status = after.value
        application.cancelled_at = core.clock.now()
        session.add(application)
        record(session, core, action="application.cancel", actor=actor, target=application.reference)
        return _view(session, application, actor)


def cancel_certificate(core: Core, actor: Actor, ref: str, reason: str) -> ApplicationView:
    """The chamber revokes an issued certificate (issued in error, or on fraud): verification answers
    "cancelled" from then on and it can no longer be printed. The payment stands (no refund here)."""
    scope = require(core, actor, Action.CERTIFICATE_CANCEL, target=ref)
    problems = check_text("reason", reason, max_length=review.MAX_REASON)
    if problems:
        raise InvalidInput.of(problems)
    with core.write() as session:
        application = _find(session, actor, scope, ref, Action.CERTIFICATE_CANCEL, lock=True)
        after = _advance(actor, Action.CERTIFICATE_CANCEL, application, rules.Step.REVOKE)
        application.status = after.value
        application.cancelled_at = core.clock.now()
        application.reason = reason.strip()
        session.add(application)
        record(
            session,
            core,
            action="certificate.cancel",
            actor=actor,
            target=application.certificate_number,
            details={"reference": application.reference},
            registration_id=application.registration_id,  # the company's own trail shows it too
        )
        return _view(session, application, actor)


# -- reading -----------------------------------------------------------------------------------------


def list_applications(core: Core, actor: Actor, query: ApplicationQuery) -> list[ApplicationSummary]:
    """History, newest first: staff the chamber's, a signer the company's, a sub ID its own.

    One query per page with only the listed columns (no content, no attachment), so that a company's whole
    history pages through in bounded memory and time.
    """
    if not 1 <= query.limit <= MAX_LIST:
        raise InvalidInput.single("limit", _("must be between 1 and {limit}").format(limit=MAX_LIST))
    scope = _list_scope(core, actor, query)
    with core.read() as session:
        statement, params = _list_statement(session, actor, scope, query, limit=True)
        return [_listed(row) for row in session.execute(statement, params)]


def stream_applications(core: Core, actor: Actor, query: ApplicationQuery) -> Iterator[ApplicationSummary]:
    """The same history in one read, row batches fetched as they are consumed: a whole history of any length
    in bounded memory, without a query and a session check per page. ``query.limit`` 0 means all."""
    if query.limit < 0:
        raise InvalidInput.single("limit", _("must be 0 (all) or more"))
    return _streamed(core, actor, _list_scope(core, actor, query), query)


def _streamed(
    core: Core, actor: Actor, scope: Scope, query: ApplicationQuery
) -> Iterator[ApplicationSummary]:
    with core.read() as session:
        statement, params = _list_statement(session, actor, scope, query, limit=bool(query.limit))
        batched = statement.execution_options(yield_per=STREAM_BATCH)
        for partition in session.execute(batched, params).partitions():
            yield from map(_listed, partition)


def application_rows(core: Core, actor: Actor, query: ApplicationQuery) -> list[dict[str, Any]]:
    """One page of the history (as list_applications) in the JSON form of ApplicationSummary
    (records.to_dict), made straight from the cursor's rows: what the server sends."""
    if not 1 <= query.limit <= MAX_LIST:
        raise InvalidInput.single("limit", _("must be between 1 and {limit}").format(limit=MAX_LIST))
    scope = _list_scope(core, actor, query)
    with core.read() as session:
        statement, params = _list_statement(session, actor, scope, query, json_form=True, limit=True)
        cursor = session.connection().execute(statement, params).cursor
        return _json_rows(cursor.fetchall(), session)


def stream_application_rows(
    core: Core, actor: Actor, query: ApplicationQuery
) -> Iterator[list[dict[str, Any]]]:
    """The history as stream_applications reads it, in batches of rows in the JSON form of
    ApplicationSummary, made straight from the cursor's tuples: no ORM object and no record per row, so that
    `cert list --json --limit 0` runs at the speed of the database."""
    if query.limit < 0:
        raise InvalidInput.single("limit", _("must be 0 (all) or more"))
    return _streamed_rows(core, actor, _list_scope(core, actor, query), query)


def _streamed_rows(
    core: Core, actor: Actor, scope: Scope, query: ApplicationQuery
) -> Iterator[list[dict[str, Any]]]:
    with core.read() as session:
        statement, params = _list_statement(
            session, actor, scope, query, json_form=True, limit=bool(query.limit)
        )
        if not _sqlite(session):  # a server-side cursor, read in batches
            options = {"stream_results": True, "yield_per": STREAM_BATCH}
            streamed = session.connection().execute(statement.execution_options(**options), params)
            for partition in streamed.partitions():
                yield list(map(_json_row, partition))
            return
        # SQLite's cursor reads as it is fetched from: its own tuples, with nothing for SQLAlchemy to convert
        result = session.connection().execute(statement, params)
        try:
            while batch := result.cursor.fetchmany(STREAM_BATCH):
                yield list(map(_json_row_as_text, batch))
        finally:
            result.close()


def _json_rows(rows: Sequence[Any], session: Session) -> list[dict[str, Any]]:
    if _sqlite(session):  # the instants come as JSON text from the query itself (_sqlite_iso)
        return list(map(_json_row_as_text, rows))
    return list(map(_json_row, rows))


def _sqlite(session: Session) -> bool:
    bind = session.get_bind()
    return bool(bind.dialect.name == "sqlite")


def _json_row_as_text(r: Any) -> dict[str, Any]:
    return {
        "reference": r[0],
        "reception_number": r[1],
        "type": r[2],
        "status": r[3],
        "registration_number": r[4],
        "destination_country": r[5],
        "copies": r[6],
        "signer": r[7],
        "applicant": r[8],
        "fee": r[9],
        "certificate_number": r[10],
        "created_at": r[11],
        "submitted_at": r[12],
        "issued_at": r[13],
    }


def _json_row(r: Any) -> dict[str, Any]:
    return {
        "reference": r[0],
        "reception_number": r[1],
        "type": r[2],
        "status": r[3],
        "registration_number": r[4],
        "destination_country": r[5],
        "copies": r[6],
        "signer": r[7],
        "applicant": r[8],
        "fee": r[9],
        "certificate_number": r[10],
        "created_at": _iso(r[11]),
        "submitted_at": _iso(r[12]) if r[12] else None,
        "issued_at": _iso(r[13]) if r[13] else None,
    }


def _iso(value: str | datetime) -> str:
    """An instant as records.to_dict writes it (2026-11-27T01:00:00+00:00, microseconds when there are any),
    from SQLite's UTC text (2026-11-27 01:00:00.000000) without making a datetime of it."""
    if isinstance(value, str):
        fraction = value[19:26]
        return f"{value[:10]}T{value[11:19]}{fraction if fraction.strip('.0') else ''}+00:00"
    return as_utc(value).isoformat()


def _list_scope(core: Core, actor: Actor, query: ApplicationQuery) -> Scope:
    scope = require(core, actor, Action.APPLICATION_VIEW)
    if query.status is not None and query.status not in {s.value for s in rules.Status}:
        raise InvalidInput.single(
            "status", _("must be one of {choices}").format(choices=", ".join(s.value for s in rules.Status))
        )
    if query.type is not None:
        certificate_type(query.type)
    return scope


# The listed columns, in ApplicationSummary's order. The instants are read untyped (SQLite's text, the
# driver's datetime on PostgreSQL) and made UTC datetimes by _instant: SQLAlchemy's per-value parsing of
# SQLite text was half the time of streaming a long history.
_LISTED: list[Any] = [
    Application.reference, Application.reception_number, Application.type, Application.status,
    Registration.registration_number, Application.destination_country, Application.copies, Signer.name,
    Account.login_id, Application.fee, Application.certificate_number,
    type_coerce(Application.created_at, String()), type_coerce(Application.submitted_at, String()),
    type_coerce(Application.issued_at, String()),
]  # fmt: skip


def _instant(value: str | datetime) -> datetime:
    if isinstance(value, str):  # SQLite keeps UTC as "2026-11-27 01:00:00.000000"
        return datetime.fromisoformat(value + "+00:00")  # five times faster than .replace(tzinfo=UTC)
    return as_utc(value)


def _sqlite_iso(column: Any) -> Any:
    """SQLite's UTC text (2026-11-27 01:00:00.000000) as records.to_dict writes an instant
    (2026-11-27T01:00:00+00:00, the microseconds only when there are any), made by SQLite itself."""
    text = type_coerce(column, String())
    fraction = func.substr(text, 20, 7)
    return case(
        (text.is_(None), None),
        (fraction.in_(["", ".000000"]), func.substr(text, 1, 10) + "T" + func.substr(text, 12, 8) + "+00:00"),
        else_=func.substr(text, 1, 10) + "T" + func.substr(text, 12, 15) + "+00:00",
    )


def _list_statement(
    session: Session,
    actor: Actor,
    scope: Scope,
    query: ApplicationQuery,
    *,
    json_form: bool = False,
    limit: bool = False,
) -> tuple[Any, dict[str, Any]]:
    """The listed columns of the applications in reach that match ``query``, newest first (with
    ``query.limit`` when ``limit``), and the values of its parameters. In the JSON form on SQLite, the
    instants come as the JSON's text. The statement is built once per shape (which filters are given) and
    kept: building it anew took most of a short page's time."""
    params: dict[str, Any] = {"chamber_id": actor.chamber_id}
    if scope is Scope.REGISTRATION:
        params["scope_id"] = actor.registration_id
    elif scope is Scope.OWN:
        params["scope_id"] = actor.account_id
    if query.status:
        params["status"] = query.status
    if query.type:
        params["type"] = query.type.strip().lower()
    if query.since or query.until:  # the chamber's zone says when its days begin
        zone = session.get_one(Chamber, actor.chamber_id).time_zone
        if query.since:
            params["since"] = _day_start(query.since, zone)
        if query.until:
            params["until"] = _day_start(query.until + timedelta(days=1), zone)
    if query.before:
        # the cursor is looked for in the caller's own reach: another company's reference is "no application",
        # exactly as one that does not exist (otherwise the answer tells which references exist)
        a = Application
        anchored = select(a.id).where(col(a.chamber_id) == actor.chamber_id, a.reference == query.before)
        if scope is Scope.CHAMBER:
            anchored = anchored.where(col(a.reception_number).is_not(None))
        elif scope is Scope.REGISTRATION:
            anchored = anchored.where(col(a.registration_id) == actor.registration_id)
        elif scope is Scope.OWN:
            anchored = anchored.where(col(a.applicant_account_id) == actor.account_id)
        anchor = session.exec(anchored).first()
        if anchor is None:
            raise InvalidInput.single(
                "before", _("no application {reference}").format(reference=query.before)
            )
        params["anchor"] = anchor
    if limit:
        params["limit"] = query.limit
    return _list_shape(scope, frozenset(params), json_form and _sqlite(session)), params


@lru_cache(maxsize=256)
def _list_shape(scope: Scope, given: frozenset[str], instants_as_text: bool) -> Any:
    a = Application
    columns = _LISTED
    if instants_as_text:
        instants = (a.created_at, a.submitted_at, a.issued_at)
        columns = _LISTED[:11] + [_sqlite_iso(col(c)) for c in instants]
    statement = (
        sa_select(*columns)
        .join(Registration, col(Registration.id) == col(a.registration_id))
        .join(Signer, col(Signer.id) == col(a.signer_id))
        .join(Account, col(Account.id) == col(a.applicant_account_id))
        .where(col(a.chamber_id) == bindparam("chamber_id"))
    )
    if scope is Scope.CHAMBER:  # what was submitted to the chamber, never a company's drafts
        statement = statement.where(col(a.reception_number).is_not(None))
    elif scope is Scope.REGISTRATION:
        statement = statement.where(col(a.registration_id) == bindparam("scope_id"))
    elif scope is Scope.OWN:
        statement = statement.where(col(a.applicant_account_id) == bindparam("scope_id"))
    if "status" in given:
        statement = statement.where(col(a.status) == bindparam("status"))
    if "type" in given:
        statement = statement.where(col(a.type) == bindparam("type"))
    if "since" in given:
        statement = statement.where(col(a.created_at) >= bindparam("since"))
    if "until" in given:
        statement = statement.where(col(a.created_at) < bindparam("until"))
    if "anchor" in given:
        statement = statement.where(col(a.id) < bindparam("anchor"))
    statement = statement.order_by(col(a.id).desc())
    if "limit" in given:
        statement = statement.limit(bindparam("limit", type_=Integer()))
    return statement


def _listed(r: Any) -> ApplicationSummary:
    return ApplicationSummary(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
        _instant(r[11]), _instant(r[12]) if r[12] else None, _instant(r[13]) if r[13] else None,
    )  # fmt: skip


def _day_start(day: Any, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def show(core: Core, actor: Actor, ref: str) -> ApplicationView:
    scope = require(core, actor, Action.APPLICATION_VIEW, target=ref)
    with core.read() as session:
        return _view(session, _find(session, actor, scope, ref, Action.APPLICATION_VIEW), actor)


# -- review ------------------------------------------------------------------------------------------


def _application_of(session: Session, item: Any) -> Application:
    return session.exec(
        select(Application)
        .where(
            Application.chamber_id == item.chamber_id, Application.reference == item.payload["application"]
        )
        .with_for_update()
    ).one()


def _fee_for(session: Session, chamber_id: int, kind: str, member: bool) -> tuple[int, int, int]:
    """Per application, per extra copy, and the tax rate (per cent, 0 = not taxable)."""
    row = session.get(Fee, (chamber_id, kind, member))
    if row is not None:
        return row.per_application, row.per_copy, row.tax_rate
    return (*rules.DEFAULT_FEES[(kind, member)], qualified_invoices.DEFAULT_TAX_RATE)


def _approve(session: Session, core: Core, actor: Actor, item: Any) -> None:
    application = _application_of(session, item)
    application.status = rules.advance(application.status, rules.Step.APPROVE, application.reference).value
    registration = session.get_one(Registration, application.registration_id)
    per_application, per_copy, tax_rate = _fee_for(
        session, application.chamber_id, application.type, registration.member
    )
    application.fee = rules.fee(per_application, per_copy, application.copies)
    application.fee_tax_rate = tax_rate
    application.decided_at = core.clock.now()
    session.add(application)


def _return(session: Session, core: Core, actor: Actor, item: Any) -> None:
    application = _application_of(session, item)
    application.status = rules.advance(application.status, rules.Step.RETURN, application.reference).value
    application.reason = item.reason
    application.decided_at = core.clock.now()
    session.add(application)


def _reject(session: Session, core: Core, actor: Actor, item: Any) -> None:
    application = _application_of(session, item)
    application.status = rules.advance(application.status, rules.Step.REJECT, application.reference).value
    application.reason = item.reason
    application.decided_at = core.clock.now()
    session.add(application)


def _describe(item: Any) -> str:
    return _("application {reference}").format(reference=item.payload.get("application"))


def _particulars(session: Session, item: Any) -> dict[str, Any]:
    """The application as submitted: its type and copies, every form field (dotted names) and the
    fingerprint of its attachment."""
    import hashlib

    application = session.exec(
        select(Application).where(
            Application.chamber_id == item.chamber_id, Application.reference == item.payload["application"]
        )
    ).one()
    signer = session.get_one(Signer, application.signer_id)
    fields: dict[str, Any] = {"type": application.type, "signer": f"{signer.reference} {signer.name_en}"}
    fields.update(review.flatten(application.content, "form."))
    fields["attachment.sha256"] = (
        hashlib.sha256(application.attachment).hexdigest() if application.attachment else None
    )
    return fields


def _files(session: Session, core: Core, item: Any) -> list[Any]:
    """The form as the applicant sent it (JSON and TOML), every attachment byte for byte, and a preview of the
    certificate drawn by the certificate's own code, marked SPECIMEN, without number, access code or QR."""
    import orjson
    import tomli_w

    from shomei_cli.documents.certificates import render_specimen

    application = session.exec(
        select(Application).where(
            Application.chamber_id == item.chamber_id, Application.reference == item.payload["application"]
        )
    ).one()
    content = dict(application.content)
    files = [
        review.dossier_file(
            "form.json",
            "application/json",
            orjson.dumps(content, option=orjson.OPT_INDENT_2) + b"\n",
            _("the form as submitted"),
        ),
        review.dossier_file(
            "form.toml",
            "application/toml",
            tomli_w.dumps(_without_nulls(content)).encode("utf-8"),
            _("the form as submitted, as TOML (as `cert apply --file` reads it)"),
        ),
    ]
    if application.attachment is not None:
        files.append(
            review.dossier_file(
                "invoice.pdf",
                "application/pdf",
                application.attachment,
                _("the invoice attached, as received"),
            )
        )
    files.append(
        review.dossier_file(
            "preview.pdf",
            "application/pdf",
            render_specimen(_preview_data(session, core, application)),
            _("the certificate it will become, marked SPECIMEN (見本)"),
        )
    )
    return files


def _without_nulls(value: Any) -> Any:
    """TOML has no null: a field left empty is left out."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _preview_data(session: Session, core: Core, application: Application) -> Any:
    """What the certificate would be drawn from if it were issued now, less everything that could verify."""
    return _drawn_from(session, application, core.clock.now())


review.register(
    KIND,
    review.Handler(
        describe=_describe,
        approve=_approve,
        on_return=_return,
        on_reject=_reject,
        particulars=_particulars,
        files=_files,
    ),
)


# -- paying and issuing ------------------------------------------------------------------------------


PAYMENT_METHODS = ("prepaid", "card")
RECORDED_METHODS = ("transfer", "counter")


def pay(core: Core, actor: Actor, ref: str, method: str, reference: str | None) -> PaymentView:
    """Pay an approved application from the company's prepaid balance; paying issues the certificate (number,
    access code). Never charged twice. A certificate is issued only for money the chamber knows it received: a
    card reference typed by the applicant is no proof, so without a payment provider card payments are refused
    and a payment made outside is recorded by staff (``confirm_payment``)."""
    scope = require(core, actor, Action.APPLICATION_PAY, target=ref)
    method = method.strip().lower()
    if method not in PAYMENT_METHODS:
        raise InvalidInput.single("method", _("must be prepaid or card"))
    if method == "card":
        from shomei_cli.services import payments

        with core.read() as session:
            chamber = session.get_one(Chamber, actor.chamber_id)
            provided = chamber.payment_checkout_url is not None and chamber.payment_secret_sealed is not None
        raise InvalidInput.single(
            "method",
            _(
                "a card payment goes through the chamber's payment page: start it with `shomei cert pay REF "
                "--method card` (POST /api/v1/applications/REF/card-checkout), which gives its address"
            )
            if provided
            else payments.not_set_up(),
        )
    return _settle(core, actor, scope, ref, Action.APPLICATION_PAY, method, None)


def confirm_payment(core: Core, actor: Actor, ref: str, method: str, reference: str) -> PaymentView:
    """Staff: record a payment the chamber received outside shomei (a bank transfer, at the counter) for an
    approved application, with the bank's or the till's reference; this issues the certificate."""
    scope = require(core, actor, Action.PAYMENT_CONFIRM, target=ref)
    method = method.strip().lower()
    errors = []
    if method not in RECORDED_METHODS:
        errors.append(FieldError("method", _("must be transfer or counter")))
    errors += check_text("reference", reference, max_length=100)
    if errors:
        raise InvalidInput.of(errors)
    return _settle(core, actor, scope, ref, Action.PAYMENT_CONFIRM, method, reference.strip())


def _settle(
    core: Core, actor: Actor, scope: Scope, ref: str, action: Action, method: str, reference: str | None
) -> PaymentView:
    """Take the fee (from the prepaid balance, or as recorded), write the payment and its receipt, issue."""
    now = core.clock.now()
    with core.write() as session:
        application = _find(session, actor, scope, ref, action, lock=True)
        _advance(actor, action, application, rules.Step.PAY)
        assert application.fee is not None and application.id is not None
        balance_after: int | None = None
        if method == "prepaid":
            table = Registration.__table__  # type: ignore[attr-defined]
            balance_after = session.execute(
                update(table)
                .where(table.c.id == application.registration_id, table.c.balance >= application.fee)
                .values(balance=table.c.balance - application.fee)
                .returning(table.c.balance)
            ).scalar_one_or_none()
            if balance_after is None:
                balance = session.get_one(Registration, application.registration_id).balance
                raise Conflict(
                    _(
                        "The prepaid balance (¥{balance:,}) is less than the fee (¥{fee:,}): ask "
                        "the chamber to top it up, or pay by bank transfer or at the counter, which "
                        "the chamber records"
                    ).format(balance=balance, fee=application.fee)
                )
        payment = issue_paid(session, application, method, reference, actor.account_id, now)
        record(
            session,
            core,
            action=action.value,
            actor=actor,
            target=application.reception_number,
            details={
                "method": method,
                "amount": application.fee,
                "receipt": payment.receipt_number,
                "certificate": application.certificate_number,
            },
        )
        return PaymentView(
            reference=application.reference,
            reception_number=application.reception_number or "",
            receipt_number=payment.receipt_number,
            method=method,
            payment_reference=payment.reference,
            amount=payment.amount,
            paid_at=now,
            certificate_number=application.certificate_number or "",
            access_code=application.access_code or "",
            balance_after=balance_after,
        )


def issue_paid(
    session: Session,
    application: Application,
    method: str,
    reference: str | None,
    paid_by: int,
    now: datetime,
) -> Payment:
    """Record the payment of ``application``'s fee (taken or received already) with its receipt number, and
    issue the certificate: its number and access code. Inside the caller's transaction, the row locked."""
    assert application.fee is not None and application.id is not None
    chamber = session.get_one(Chamber, application.chamber_id)
    payment = Payment(
        chamber_id=application.chamber_id,
        application_id=application.id,
        method=method,
        reference=reference,
        amount=application.fee,
        receipt_number=f"RC{chamber.code}-{next_value(session, chamber.id or 0, 'receipt'):07d}",
        paid_at=now,
        paid_by_account_id=paid_by,
    )
    session.add(payment)
    paid = rules.advance(application.status, rules.Step.PAY, application.reference)
    application.status = rules.advance(paid, rules.Step.ISSUE, application.reference).value
    application.paid_at = now
    application.issued_at = now
    year = calendar_day(now, chamber.time_zone).year
    # numbered afresh each year: 1301-2027-0000001 is the first certificate of 2027
    application.certificate_number = rules.certificate_number(
        chamber.code, year, next_value(session, chamber.id or 0, f"certificate-{year}")
    )
    application.access_code = rules.new_access_code()
    session.add(application)
    # a card checkout still open is closed: the fee was paid (the paying checkout is marked by its caller)
    for checkout in session.exec(
        select(CardCheckout).where(
            CardCheckout.application_id == application.id, CardCheckout.status == "open"
        )
    ):
        checkout.status = "superseded"
        session.add(checkout)
    return payment


def print_certificate(core: Core, actor: Actor, ref: str) -> DocumentFile:
    """The issued certificate: the ORIGINAL page and a COPY page per extra copy; for 14 days after
    issuance; every print is recorded."""
    (document,) = print_certificates(core, actor, [ref])
    return document


def print_certificates(core: Core, actor: Actor, refs: Sequence[str]) -> list[DocumentFile]:
    """Several certificates at once, one PDF each, in the order named (a certificate named twice is printed
    once). All or nothing: if one cannot be printed, none is, and no print is recorded."""
    from shomei_cli.documents import certificates as documents

    _check_batch(refs)
    scope = require(core, actor, Action.CERTIFICATE_PRINT, target=refs[0] if len(refs) == 1 else None)
    now = core.clock.now()
    with core.write() as session:
        seen: set[int] = set()
        printed: list[tuple[str, int]] = []
        data = []
        chamber = session.get_one(Chamber, actor.chamber_id)
        root = issued.root_fingerprint(session, core, chamber, now)
        for ref in refs:
            application = _printable(session, actor, scope, ref, now)
            if application.id in seen:
                continue
            seen.add(application.id or 0)
            application.print_count += 1
            application.last_printed_at = now
            session.add(application)
            record(
                session,
                core,
                action="certificate.print",
                actor=actor,
                target=application.certificate_number,
                details={"print": application.print_count},
            )
            data.append(_certificate_data(session, core, application, root))
            printed.append((application.certificate_number or "", application.print_count))
        # rendered and signed inside the transaction, as cards are: if either fails, no print is recorded
        pdfs = issued.sign_issued(
            session,
            core,
            chamber,
            [
                issued.Issued(d.type, pdf, _issued_json(d, chamber), d.copies)
                for d, pdf in zip(data, documents.render_certificates(data), strict=True)
            ],
            now,
        )
    return [DocumentFile(name, count, pdf) for (name, count), pdf in zip(printed, pdfs, strict=True)]


def find_for(session: Session, actor: Actor, scope: Scope, ref: str, action: Action) -> Application:
    """The application ``ref`` that ``actor`` may reach for ``action``, its row locked (for payments)."""
    return _find(session, actor, scope, ref, action, lock=True)


def advance_for(actor: Actor, action: Action, application: Application, step: rules.Step) -> rules.Status:
    """The state after ``step``, a refusal audited (services/payments.py)."""
    return _advance(actor, action, application, step)


def _advance(actor: Actor, action: Action, application: Application, step: rules.Step) -> rules.Status:
    """The state after ``step``; a step the state does not allow is refused and audited (RefusedInState)."""
    try:
        return rules.advance(application.status, step, application.reference)
    except WrongState as refused:
        raise RefusedInState(
            refused.message,
            actor=actor,
            action=action.value,
            target=application.reference,
            status=application.status,
        ) from None


def _check_batch(refs: Sequence[str]) -> None:
    if not refs:
        raise InvalidInput.single("refs", _("name at least one application"))
    if len(refs) > MAX_PRINT:
        raise InvalidInput.single("refs", _("at most {limit} in one call").format(limit=MAX_PRINT))


def _printable(session: Session, actor: Actor, scope: Scope, ref: str, now: datetime) -> Application:
    """The issued application ``ref``, locked, whose certificate may be printed now."""
    application = _find(session, actor, scope, ref, Action.CERTIFICATE_PRINT, lock=True)
    if application.status != rules.Status.ISSUED or application.issued_at is None:
        raise RefusedInState(
            _("Application {reference} is {status}: only an issued certificate can be printed.").format(
                reference=application.reference, status=application.status
            ),
            actor=actor,
            action=Action.CERTIFICATE_PRINT.value,
            target=application.reference,
            status=application.status,
        )
    if not rules.print_window_open(application.issued_at, now):
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(session.get_one(Chamber, application.chamber_id).time_zone)
        # in the chamber's time, as every other instant shown to the company
        until = (as_utc(application.issued_at) + timedelta(days=rules.PRINT_DAYS)).astimezone(zone)
        raise Expired(
            _("The certificate {number} could be printed until {until}; apply again for a new one.").format(
                number=application.certificate_number, until=until.isoformat(timespec="minutes")
            )
        )
    return application


UNSET_VERIFICATION_URL = "https://verify.invalid/verify"  # .invalid never resolves: plainly unconfigured


def verification_base(chamber_setting: str | None, public_url: str | None) -> str:
    """Where a certificate's QR code points: the chamber's setting, else the server's public address plus
    /verify (the page `shomei serve` serves), else an address that is plainly not configured."""
    if chamber_setting:
        return chamber_setting
    if public_url:
        return public_url.rstrip("/") + "/verify"
    return UNSET_VERIFICATION_URL


def _issued_json(data: Any, chamber: Chamber) -> dict[str, Any]:
    """The signed data of a certificate (documents/issued.py): every form field as applied for."""
    import hashlib

    from shomei_cli.documents.issued import instant

    return {
        "document": "certificate",
        "certificate_number": data.certificate_number,
        "type": data.type,
        "issued_at": instant(data.issued_at),
        "issued_on": calendar_day(data.issued_at, chamber.time_zone).isoformat(),
        "registration_number": data.registration_number,
        "company": data.exporter_default.get("name") or "",
        "copies": data.copies,
        "form": data.content,
        "attachment_sha256": hashlib.sha256(data.attachment).hexdigest() if data.attachment else None,
    }


def _certificate_data(session: Session, core: Core, application: Application, root_fingerprint: str) -> Any:
    import dataclasses

    chamber = session.get_one(Chamber, application.chamber_id)
    assert application.issued_at is not None
    base = verification_base(chamber.verification_url, core.public_url)
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}n={application.certificate_number}&c={application.access_code}"
    return dataclasses.replace(
        _drawn_from(session, application, application.issued_at),
        certificate_number=application.certificate_number or "",
        access_code=application.access_code or "",
        verification_url=url,
        root_fingerprint=root_fingerprint,
    )


def _drawn_from(session: Session, application: Application, moment: datetime) -> Any:
    """What a certificate is drawn from at ``moment`` (its issue; now, for a preview), without numbers."""
    from shomei_cli.documents.certificates import CertificateData, ChamberIdentity

    chamber = session.get_one(Chamber, application.chamber_id)
    registration = session.get_one(Registration, application.registration_id)
    signer = session.get_one(Signer, application.signer_id)
    return CertificateData(
        type=application.type,
        content=dict(application.content),
        attachment=application.attachment,
        copies=application.copies,
        chamber_name=chamber.name,
        chamber_name_en=chamber.name_en,
        registration_number=registration.registration_number,
        exporter_default={
            "name": registration.company_name_en,
            "address": registration.address_en,
            "country": "JP",
        },
        signer_name=signer.name_en,
        signer_title=signer.title_en,
        signature_png=signer.signature_png,
        issued_at=as_utc(moment),
        application_date=as_utc(application.submitted_at or application.created_at),
        time_zone=chamber.time_zone,
        identity=_identity_at(session, chamber, moment, ChamberIdentity),
    )


def _identity_at(session: Session, chamber: Chamber, moment: datetime, make: Any) -> Any:
    """The seal and officer in force at ``moment`` (a certificate's issue, a receipt's payment)."""
    current = identity.in_force(session, chamber, moment)
    return make(
        seal_png=current.seal.image_png if current.seal else None,
        officer_name=current.officer.name if current.officer else None,
        officer_title=current.officer.title if current.officer else None,
        officer_signature_png=current.officer.signature_png if current.officer else None,
        place=current.place,
    )


def receipt(core: Core, actor: Actor, ref: str) -> DocumentFile:
    """The receipt (領収書) of a paid application."""
    (document,) = receipts(core, actor, [ref])
    return document


def receipts(core: Core, actor: Actor, refs: Sequence[str]) -> list[DocumentFile]:
    """The receipts of several paid applications, one PDF each, in the order named (once each)."""
    from shomei_cli.documents import certificates as documents

    _check_batch(refs)
    scope = require(core, actor, Action.APPLICATION_PAY, target=refs[0] if len(refs) == 1 else None)
    data = []
    now = core.clock.now()
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        seen: set[int] = set()
        for ref in refs:
            application = _find(session, actor, scope, ref, Action.APPLICATION_PAY)
            if application.id in seen:
                continue
            seen.add(application.id or 0)
            receipt_data = _receipt_data(session, actor, application)
            record(
                session,
                core,
                action="receipt.print",
                actor=actor,
                target=receipt_data.receipt_number,
                details={"reference": application.reference},
            )
            data.append(receipt_data)
        # rendered and signed inside the transaction, as certificates are: if either fails, none is recorded
        pdfs = issued.sign_issued(
            session,
            core,
            chamber,
            [
                issued.Issued("receipt", pdf, _receipt_json(d))
                for d, pdf in zip(data, documents.render_receipts(data), strict=True)
            ],
            now,
        )
    return [DocumentFile(d.receipt_number, 1, pdf) for d, pdf in zip(data, pdfs, strict=True)]


def _receipt_data(session: Session, actor: Actor, application: Application) -> Any:
    from shomei_cli.documents.certificates import ChamberIdentity, ReceiptData

    payment = session.exec(select(Payment).where(Payment.application_id == application.id)).first()
    if payment is None:
        raise RefusedInState(
            _("Application {reference} is {status}: it has no payment.").format(
                reference=application.reference, status=application.status
            ),
            actor=actor,
            action="receipt.print",
            target=application.reference,
            status=application.status,
        )
    chamber = session.get_one(Chamber, application.chamber_id)
    registration = session.get_one(Registration, application.registration_id)
    return ReceiptData(
        receipt_number=payment.receipt_number,
        chamber_name=chamber.name,
        chamber_name_en=chamber.name_en,
        company_name=registration.company_name,
        registration_number=registration.registration_number,
        reception_number=application.reception_number or "",
        certificate_number=application.certificate_number or "",
        type=application.type,
        copies=application.copies,
        amount=payment.amount,
        method=payment.method,
        payment_reference=payment.reference,
        paid_at=as_utc(payment.paid_at),
        time_zone=chamber.time_zone,
        chamber_address=chamber.address,
        chamber_address_en=chamber.address_en,
        invoice_registration_number=chamber.invoice_registration_number,
        tax_rate=(
            application.fee_tax_rate
            if application.fee_tax_rate is not None
            else qualified_invoices.DEFAULT_TAX_RATE
        ),
        seal_png=_identity_at(session, chamber, payment.paid_at, ChamberIdentity).seal_png,
    )


def _receipt_json(data: Any) -> dict[str, Any]:
    """The signed data of a receipt (documents/issued.py)."""
    from shomei_cli.documents.issued import instant

    return {
        "document": "receipt",
        "receipt_number": data.receipt_number,
        "certificate_number": data.certificate_number,
        "registration_number": data.registration_number,
        "company": data.company_name,
        "amount": data.amount,
        "currency": "JPY",
        "tax_rate": data.tax_rate,
        "method": data.method,
        "paid_at": instant(data.paid_at),
        "invoice_registration_number": data.invoice_registration_number,
    }


# -- verification ------------------------------------------------------------------------------------


def verify(core: Core, number: str, code: str) -> Verification:
    """Anyone, without an account: is this certificate genuine, and what does it certify? A wrong access code
    answers exactly as an unknown number does."""
    number = number.strip()[:40]
    with core.read() as session:
        application = session.exec(
            select(Application).where(Application.certificate_number == number)
        ).first()
        genuine = (
            application is not None
            and application.access_code is not None
            and secrets.compare_digest(application.access_code.encode(), code.strip().upper().encode())
        )
        state = rules.certificate_state(application.status, number) if application is not None else None
        if not genuine or application is None or state is None:
            return Verification(status="not_found", certificate_number=number)
        chamber = session.get_one(Chamber, application.chamber_id)
        registration = session.get_one(Registration, application.registration_id)
        content = application.content
        exporter = (content.get("exporter") or {}).get("name") or registration.company_name_en
        # a signature certification names the addressee of the signed document where a CO names the consignee
        consignee = (content.get("consignee") or content.get("addressee") or {}).get("name")
        goods = [f"{g['description']} ({g['quantity']} {g['unit']})" for g in content.get("goods", [])]
        if application.type == CertificateType.SIGNATURE:
            goods = [str(content.get("document_title", ""))]
        assert application.issued_at is not None
        cancelled = state == "cancelled" and application.cancelled_at is not None
        return Verification(
            status="cancelled" if cancelled else "genuine",
            certificate_number=number,
            type=application.type,
            chamber=chamber.name_en or chamber.name,
            issued_on=calendar_day(application.issued_at, chamber.time_zone),
            cancelled_on=(
                calendar_day(application.cancelled_at, chamber.time_zone)
                if cancelled and application.cancelled_at is not None
                else None
            ),
            exporter=exporter,
            consignee=consignee,
            destination_country=application.destination_country,
            goods=goods[:10],
        )


# -- the chamber: fees and balances --------------------------------------------------------------------


def fees(core: Core, actor: Actor) -> list[FeeRow]:
    require(core, actor, Action.FEES_MANAGE)
    with core.read() as session:
        rows = []
        for kind in CertificateType:
            for member in (True, False):
                per_application, per_copy, tax_rate = _fee_for(session, actor.chamber_id, kind.value, member)
                rows.append(FeeRow(kind.value, member, per_application, per_copy, tax_rate))
        return rows


def set_fee(
    core: Core,
    actor: Actor,
    kind: str,
    member: bool,
    per_application: int,
    per_copy: int,
    tax_rate: int | None = None,
) -> list[FeeRow]:
    """Change one row of the fee table; ``tax_rate`` None keeps the row's tax treatment (10 % if new)."""
    require(core, actor, Action.FEES_MANAGE)
    certificate = certificate_type(kind)
    errors = [
        FieldError(name, _("must be from 0 to 1,000,000 yen"))
        for name, value in (("per_application", per_application), ("per_copy", per_copy))
        if not 0 <= value <= 1_000_000
    ]
    if tax_rate is not None:
        try:
            qualified_invoices.tax_rate(tax_rate)
        except InvalidInput as refused:
            errors += refused.errors
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        row = session.get(Fee, (actor.chamber_id, certificate.value, member))
        if row is None:
            row = Fee(
                chamber_id=actor.chamber_id,
                type=certificate.value,
                member=member,
                per_application=per_application,
                per_copy=per_copy,
                tax_rate=qualified_invoices.DEFAULT_TAX_RATE,
            )
        row.per_application, row.per_copy = per_application, per_copy
        if tax_rate is not None:
            row.tax_rate = tax_rate
        session.add(row)
        record(
            session,
            core,
            action="fees.set",
            actor=actor,
            target=certificate.value,
            details={
                "member": member,
                "per_application": per_application,
                "per_copy": per_copy,
                "tax_rate": row.tax_rate,
            },
        )
    return fees(core, actor)


def topup(core: Core, actor: Actor, registration_number: str, amount: int) -> int:
    """Credit a company's prepaid balance; returns the new balance."""
    scope = require(core, actor, Action.BALANCE_TOPUP, target=registration_number)
    if not 1 <= amount <= 100_000_000:
        raise InvalidInput.single("amount", _("must be from 1 to 100,000,000 yen"))
    with core.write() as session:
        registration = find_registration(
            session, actor, scope, registration_number, Action.BALANCE_TOPUP, lock=True
        )
        registration.balance += amount
        session.add(registration)
        record(
            session,
            core,
            action="balance.topup",
            actor=actor,
            target=registration.registration_number,
            registration_id=registration.id,
            details={"amount": amount, "balance": registration.balance},
        )
        return registration.balance


def balance(core: Core, actor: Actor) -> int:
    """The prepaid balance of the actor's company (or, for staff, not applicable)."""
    scope = require(core, actor, Action.APPLICATION_PAY)
    with core.read() as session:
        return find_registration(session, actor, scope, None, Action.APPLICATION_PAY).balance


def settings(core: Core, actor: Actor, verification_url: str | None) -> str | None:
    """The chamber's verification URL (printed as a QR code on certificates)."""
    require(core, actor, Action.FEES_MANAGE)
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        if verification_url is not None:
            url = verification_url.strip()
            if not url.startswith(("https://", "http://")) or len(url) > 300:
                raise InvalidInput.single(
                    "verification_url", _("must be an http(s) URL of at most 300 characters")
                )
            chamber.verification_url = url
            session.add(chamber)
            record(session, core, action="chamber.settings", actor=actor, details={"verification_url": url})
        return chamber.verification_url
