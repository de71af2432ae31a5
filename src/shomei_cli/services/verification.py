"""A signed PDF checked by the chamber's own server or store: the offline check (documents/verify.py) against
the chamber's kit, then what only the chamber knows: whether the certificate was cancelled since."""

from __future__ import annotations

import dataclasses

from sqlmodel import select

from shomei_cli.documents import verify as offline
from shomei_cli.domain import applications as rules
from shomei_cli.domain.clock import calendar_day
from shomei_cli.domain.records import DocumentVerification
from shomei_cli.i18n import _
from shomei_cli.services.core import Core
from shomei_cli.signing import keystore
from shomei_cli.store.tables import Application, Chamber, Payment


def verify_document(core: Core, pdf: bytes) -> DocumentVerification:
    """Anyone, without a session: the verdict on ``pdf`` against the roots of the chambers of this store,
    and, for a genuine document, its status here (genuine, cancelled, not_found)."""
    with core.write() as session:
        chambers = list(session.exec(select(Chamber)))
        kits = {c.code: keystore.kit(session, c) for c in chambers if keystore.current(session, c.id or 0)}
    trusted = offline.combined([offline.kit_from_record(k) for k in kits.values()])
    checked = offline.check_document(pdf, trusted)
    if checked.verdict != "genuine":
        return checked
    data = checked.data or {}
    code = str((data.get("chamber") or {}).get("code", ""))
    kit = kits.get(code)
    if kit is None or checked.root_sha256 not in {r.sha256 for r in kit.roots}:
        # signed under one chamber's root while claiming another: not this chamber's document
        return DocumentVerification(
            verdict="unknown_issuer",
            reason=_("Signed intact, but not by the chamber it names."),
            signer=checked.signer,
            signed_at=checked.signed_at,
        )
    return _online(core, checked, code, data)


def _online(
    core: Core, checked: DocumentVerification, code: str, data: dict[str, object]
) -> DocumentVerification:
    with core.read() as session:
        chamber = session.exec(select(Chamber).where(Chamber.code == code)).one()
        number = str(data.get("certificate_number") or "")
        application = session.exec(
            select(Application).where(
                Application.chamber_id == chamber.id, Application.certificate_number == number
            )
        ).first()
        if data.get("document") == "receipt":
            payment = session.exec(
                select(Payment).where(
                    Payment.chamber_id == chamber.id,
                    Payment.receipt_number == str(data.get("receipt_number") or ""),
                )
            ).first()
            return dataclasses.replace(
                checked, online_status="genuine" if payment is not None else "not_found"
            )
        state = rules.certificate_state(application.status, number) if application is not None else None
        if application is None or state is None:
            return dataclasses.replace(checked, online_status="not_found")
        if state == "cancelled" and application.cancelled_at is not None:
            return dataclasses.replace(
                checked,
                online_status="cancelled",
                cancelled_on=calendar_day(application.cancelled_at, chamber.time_zone),
            )
        return dataclasses.replace(checked, online_status="genuine")
