"""Card payments through the chamber's payment provider (a hosted checkout): its settings, starting a
payment, and the provider's signed notification, which alone issues the certificate (domain/payments.py).

A forged, late, replayed or mismatched notification changes nothing and is audited; a genuine one issues the
certificate once, however many arrive, and concurrent duplicates meet the unique event ID.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from shomei_cli.domain import applications as rules
from shomei_cli.domain import payments as checkout
from shomei_cli.domain.errors import Conflict, InvalidInput, NotFound, ShomeiError
from shomei_cli.domain.permissions import Action
from shomei_cli.domain.records import CardCheckoutView, NotificationResult, PaymentProviderSettings
from shomei_cli.i18n import _
from shomei_cli.services import applications
from shomei_cli.services.audit import Actor, record, require
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Application, CardCheckout, Chamber, PaymentNotification


def not_set_up() -> str:
    """Why a card payment is refused while the chamber has no provider, naming the two other ways."""
    return _(
        "card payments need the chamber's payment provider, and none is set up: pay from the prepaid "
        "balance (--method prepaid), or by bank transfer or at the counter, which the chamber records "
        "(shomei chamber payment confirm)"
    )


def _settings(chamber: Chamber) -> PaymentProviderSettings:
    return PaymentProviderSettings(chamber.payment_checkout_url, chamber.payment_secret_sealed is not None)


def provider(core: Core, actor: Actor) -> PaymentProviderSettings:
    require(core, actor, Action.PAYMENT_PROVIDER)
    with core.read() as session:
        return _settings(session.get_one(Chamber, actor.chamber_id))


def set_provider(
    core: Core, actor: Actor, checkout_url: str | None, secret: str | None
) -> PaymentProviderSettings:
    """Set the hosted checkout page and the shared secret (staff); both None: card payments off again. The
    secret is sealed with the store's key and never shown, logged or audited."""
    require(core, actor, Action.PAYMENT_PROVIDER)
    clearing = checkout_url is None and secret is None
    errors = []
    if not clearing:
        url = (checkout_url or "").strip()
        parts = urlsplit(url)
        if (
            parts.scheme != "https"
            or not parts.hostname
            or parts.username
            or parts.password
            or len(url) > 300
        ):
            errors.append(
                InvalidInput.single(
                    "checkout_url", _("must be an https:// address of at most 300 characters")
                )
            )
        errors_secret = checkout.check_secret(secret or "")
        if errors_secret:
            errors.append(InvalidInput.of(errors_secret))
    if errors:
        raise InvalidInput.of([e for error in errors for e in error.errors])
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        chamber.payment_checkout_url = None if clearing else (checkout_url or "").strip()
        chamber.payment_secret_sealed = None if clearing else core.secrets.seal((secret or "").strip())
        session.add(chamber)
        record(
            session,
            core,
            action="payment.provider",
            actor=actor,
            details={"checkout_url": chamber.payment_checkout_url, "secret_set": not clearing},
        )
        return _settings(chamber)


def start_checkout(core: Core, actor: Actor, ref: str) -> CardCheckoutView:
    """A payment session at the provider's page for an approved application's fee (the applicant). The
    application then waits as awaiting_payment; starting again (a lost page) replaces the session."""
    scope = require(core, actor, Action.APPLICATION_PAY, target=ref)
    now = core.clock.now()
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        if chamber.payment_checkout_url is None or chamber.payment_secret_sealed is None:
            raise InvalidInput.single("method", not_set_up())
        application = applications.find_for(session, actor, scope, ref, Action.APPLICATION_PAY)
        step = rules.Step.CHECKOUT
        application.status = applications.advance_for(actor, Action.APPLICATION_PAY, application, step).value
        assert application.fee is not None and application.id is not None
        for previous in session.exec(
            select(CardCheckout).where(
                CardCheckout.application_id == application.id, CardCheckout.status == "open"
            )
        ):
            previous.status = "superseded"
            session.add(previous)
        opened = CardCheckout(
            chamber_id=chamber.id or 0,
            application_id=application.id,
            session_id=checkout.new_session_id(),
            amount=application.fee,
            currency=checkout.CURRENCY,
            status="open",
            created_at=now,
            created_by_account_id=actor.account_id,
        )
        session.add(opened)
        session.add(application)
        record(
            session,
            core,
            action="payment.checkout",
            actor=actor,
            target=application.reception_number,
            details={"session": opened.session_id, "amount": opened.amount},
        )
        link = _provider(core, chamber).checkout_url(
            chamber.code,
            opened.session_id,
            opened.amount,
            f"{chamber.name_en or chamber.name} {application.reception_number}",
        )
        return CardCheckoutView(
            reference=application.reference,
            reception_number=application.reception_number or "",
            session=opened.session_id,
            checkout_url=link,
            amount=opened.amount,
            currency=opened.currency,
        )


def notify(core: Core, body: bytes, signature: str | None) -> NotificationResult:
    """The provider's notification (no session: its signature is the proof). Issues the certificate of the
    session's application once; anything not believed changes nothing and is audited."""
    claimed = checkout.read_notification(body)
    with core.read() as session:
        chamber = session.exec(select(Chamber).where(Chamber.code == claimed.merchant)).first()
        if chamber is None or chamber.payment_secret_sealed is None or chamber.payment_checkout_url is None:
            raise NotFound(_("No chamber {code} takes card payments here.").format(code=claimed.merchant))
        provider_of_chamber = _provider(core, chamber)
    try:
        provider_of_chamber.verify(signature, body, core.clock.now().timestamp())
        return _act(core, chamber, claimed)
    except ShomeiError as refused:
        _audit_refusal(core, chamber, claimed, refused)
        raise


def _provider(core: Core, chamber: Chamber) -> checkout.PaymentProvider:
    """The chamber's payment provider: its hosted checkout, with the shared secret unsealed."""
    assert chamber.payment_checkout_url is not None and chamber.payment_secret_sealed is not None
    return checkout.HostedCheckout(
        chamber.payment_checkout_url, core.secrets.open(chamber.payment_secret_sealed)
    )


def _audit_refusal(
    core: Core, chamber: Chamber, claimed: checkout.Notification, refused: ShomeiError
) -> None:
    reason = refused.errors[0].field if isinstance(refused, InvalidInput) and refused.errors else refused.code
    with core.write() as session:
        record(
            session,
            core,
            action="payment.notify",
            outcome="refused",
            chamber_id=chamber.id,
            target=claimed.session[:100],
            details={"event": claimed.event_id, "reason": reason, "amount": claimed.amount},
        )


def _act(core: Core, chamber: Chamber, claimed: checkout.Notification) -> NotificationResult:
    now = core.clock.now()
    try:
        with core.write() as session:
            # the event ID first: a duplicate sent at the same moment waits here, then meets the unique key
            session.add(
                PaymentNotification(
                    chamber_id=chamber.id or 0,
                    event_id=claimed.event_id,
                    session_id=claimed.session,
                    outcome="received",
                    received_at=now,
                )
            )
            session.flush()
            result = _settle(session, core, chamber, claimed, now)
            notification = session.exec(
                select(PaymentNotification).where(
                    PaymentNotification.chamber_id == chamber.id,
                    PaymentNotification.event_id == claimed.event_id,
                )
            ).one()
            notification.outcome = result.outcome
            session.add(notification)
            return result
    except IntegrityError:
        raise Conflict(
            _("The notification {event} was received before: it is not acted on twice.").format(
                event=claimed.event_id
            )
        ) from None


def _settle(
    session: Session, core: Core, chamber: Chamber, claimed: checkout.Notification, now: datetime
) -> NotificationResult:
    if claimed.type != checkout.SUCCEEDED:
        raise InvalidInput.single("type", _("only {type} is acted on").format(type=checkout.SUCCEEDED))
    opened = session.exec(
        select(CardCheckout).where(
            CardCheckout.chamber_id == chamber.id, CardCheckout.session_id == claimed.session
        )
    ).first()
    if opened is None:
        raise NotFound(_("No payment session {session}.").format(session=claimed.session[:100]))
    application = session.exec(
        select(Application).where(Application.id == opened.application_id).with_for_update()
    ).one()
    if (
        claimed.currency != opened.currency
        or claimed.amount != opened.amount
        or claimed.amount != application.fee
    ):
        raise InvalidInput.single(
            "amount",
            _("{amount} {currency} is not the fee of {reception} ({fee} JPY)").format(
                amount=claimed.amount,
                currency=claimed.currency,
                reception=application.reception_number,
                fee=application.fee,
            ),
        )
    session.refresh(opened)
    if application.status != rules.Status.AWAITING_PAYMENT:
        # paid already (by this session's earlier event, or the balance, a transfer, the counter)
        record(
            session,
            core,
            action="payment.notify",
            outcome="ok",
            chamber_id=chamber.id,
            target=application.reception_number,
            details={"event": claimed.event_id, "result": "already_paid", "status": application.status},
        )
        return NotificationResult("already_paid", application.reception_number or "", None)
    opened.status = "paid"
    opened.paid_at = now
    session.add(opened)
    payment = applications.issue_paid(
        session, application, "card", claimed.payment_id, opened.created_by_account_id, now
    )
    record(
        session,
        core,
        action="payment.notify",
        chamber_id=chamber.id,
        registration_id=application.registration_id,
        target=application.reception_number,
        details={
            "event": claimed.event_id,
            "result": "issued",
            "amount": payment.amount,
            "receipt": payment.receipt_number,
            "certificate": application.certificate_number,
        },
    )
    return NotificationResult("issued", application.reception_number or "", payment.receipt_number)
