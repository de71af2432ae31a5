"""The chamber cancels (revokes) an issued certificate: verification answers "cancelled" from then on, it
can no longer be printed, the receipt stands; only staff of the certificate's own chamber may, only an
issued one, and only with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from shomei_cli.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied, WrongState
from shomei_cli.domain.records import AuditQuery, Verification
from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import api, chambers
from shomei_cli.store.tables import Application, AuditEvent
from tests.helpers import TEST_PASSWORD, activate
from tests.unit.applications.conftest import World

CERTIFICATE = "1301-2026-0000001"
REASON = "Issued in error: wrong consignee"


@pytest.fixture
def issued(world: World) -> Any:
    return world.issued(world.sub_a1)


def cancel(world: World, who: str, ref: str, reason: str = REASON) -> Any:
    return api.cancel_certificate(world.core, world.token(who), ref, reason)


def test_staff_cancel_an_issued_certificate_and_verification_says_so(world: World, issued: Any) -> None:
    world.clock.advance(timedelta(days=2))
    world.relogin()
    view = cancel(world, world.staff, CERTIFICATE)
    assert (view.summary.reference, view.summary.status, view.summary.certificate_number) == (
        "AP0000001",
        "cancelled",
        CERTIFICATE,
    )
    assert (view.reason, view.printable_until, view.access_code) == (REASON, None, issued.access_code)
    # the company sees the same state and the reason
    shown = world.show(world.signer_a, "AP0000001")
    assert (shown.summary.status, shown.reason) == ("cancelled", REASON)
    assert api.verify(world.core, CERTIFICATE, issued.access_code) == Verification(
        status="cancelled",
        certificate_number=CERTIFICATE,
        type="co",
        chamber="Tokyo Chamber of Commerce and Industry",
        issued_on=date(2026, 11, 27),
        cancelled_on=date(2026, 11, 29),
        exporter="Nissho Test Co., Ltd.",
        consignee="ACME Pumps Inc.",
        destination_country="US",
        goods=["Centrifugal pumps (120 pcs)", "Parts of pumps (350.5 kg)"],
    )
    # a wrong access code still reveals nothing, cancelled or not
    assert api.verify(world.core, CERTIFICATE, "A" * 10) == Verification(
        status="not_found", certificate_number=CERTIFICATE
    )
    with world.core.read() as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "certificate.cancel")).all()
        assert (event.actor_login_id, event.target, event.outcome) == ("S00001", CERTIFICATE, "ok")
        assert event.details == {"reference": "AP0000001"}
    # the company's administrator sees it in the company's own trail
    trail = api.list_audit(world.core, world.token(world.admin_a), AuditQuery(action="certificate.cancel"))
    assert [(e.actor, e.target) for e in trail] == [("S00001", CERTIFICATE)]


def test_a_genuine_certificate_verifies_without_a_cancellation_date(world: World, issued: Any) -> None:
    result = api.verify(world.core, CERTIFICATE, issued.access_code)
    assert (result.status, result.cancelled_on) == ("genuine", None)


@pytest.mark.parametrize("ref", ["AP0000001", "1301-00000001", CERTIFICATE])
def test_staff_name_it_by_reference_reception_or_certificate_number(
    world: World, issued: Any, ref: str
) -> None:
    assert cancel(world, world.staff, ref).summary.status == "cancelled"


def test_a_cancelled_certificate_cannot_be_printed_but_its_receipt_stands(world: World, issued: Any) -> None:
    cancel(world, world.staff, CERTIFICATE)
    with pytest.raises(WrongState) as refused:
        api.print_certificate(world.core, world.token(world.sub_a1), "AP0000001")
    assert refused.value.message == (
        "Application AP0000001 is cancelled: only an issued certificate can be printed."
    )
    receipt = api.receipt(world.core, world.token(world.sub_a1), "AP0000001")
    assert (receipt.name, receipt.pdf) == ("RC1301-0000001", b"%PDF-stub receipt")
    with world.core.read() as session:
        application = session.exec(select(Application).where(Application.reference == "AP0000001")).one()
        assert (application.print_count, application.fee) == (0, 1360)


@pytest.mark.parametrize("who", ["admin_a", "signer_a", "sub_a1"])
def test_no_one_but_staff_may_cancel_a_certificate(world: World, issued: Any, who: str) -> None:
    login_id = getattr(world, who)
    with pytest.raises(PermissionDenied) as refused:
        cancel(world, login_id, CERTIFICATE)
    label = {"admin_a": "an administrator ID", "signer_a": "a user ID", "sub_a1": "a sub ID"}[who]
    assert refused.value.message == (
        f"Permission denied: {label} may not do certificate.cancel (allowed: staff ID)."
    )
    assert world.show(world.signer_a, "AP0000001").summary.status == "issued"
    with world.core.read() as session:
        refusals = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "certificate.cancel", AuditEvent.outcome == "denied"
            )
        ).all()
        assert [(e.actor_login_id, e.target) for e in refusals] == [(login_id, CERTIFICATE)]


def test_staff_of_another_chamber_find_nothing(world: World, issued: Any) -> None:
    created = chambers.init_chamber(
        world.core, "2701", "大阪商工会議所", "Osaka Chamber of Commerce and Industry"
    )
    activate(world.core, "2701", created.staff.login_id, created.staff.initial_password)
    from shomei_cli.services import auth

    token = auth.login(world.core, "2701", created.staff.login_id, TEST_PASSWORD).token
    with pytest.raises(NotFound) as refused:
        api.cancel_certificate(world.core, token, CERTIFICATE, REASON)
    assert refused.value.message == f"No application {CERTIFICATE} that you can see."
    assert world.show(world.signer_a, "AP0000001").summary.status == "issued"


@pytest.mark.parametrize(
    ("stage", "status", "allows"),
    [
        ("submitted", "submitted", "approve, cancel, reject, return"),
        ("approved", "approved", "checkout, pay"),
        ("returned", "returned", "amend, cancel, submit"),
        ("rejected", "rejected", "nothing more"),
    ],
)
def test_only_an_issued_certificate_can_be_cancelled(
    world: World, stage: str, status: str, allows: str
) -> None:
    view = world.apply(world.sub_a1)
    number = view.summary.reception_number
    if stage == "approved":
        world.approve(number)
    elif stage in ("returned", "rejected"):
        world.decide(
            number, {"returned": "return", "rejected": "reject"}[stage], "Box 4: the port is missing"
        )
    with pytest.raises(WrongState) as refused:
        cancel(world, world.staff, number)
    assert refused.value.message == (
        f"Application AP0000001 is {status}: it cannot revoke (it allows: {allows})."
    )
    assert world.show(world.sub_a1, "AP0000001").summary.status == status


def test_a_certificate_is_cancelled_once(world: World, issued: Any) -> None:
    cancel(world, world.staff, CERTIFICATE)
    with pytest.raises(WrongState) as refused:
        cancel(world, world.staff, CERTIFICATE, "again")
    assert (
        refused.value.message
        == "Application AP0000001 is cancelled: it cannot revoke (it allows: nothing more)."
    )
    assert world.show(world.signer_a, "AP0000001").reason == REASON


def test_an_application_the_applicant_cancelled_never_verifies(world: World) -> None:
    view = world.apply(world.sub_a1)
    api.cancel_application(world.core, world.token(world.sub_a1), view.summary.reference)
    with pytest.raises(WrongState):
        cancel(world, world.staff, view.summary.reference)


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("", "is required"),
        ("   ", "is required"),
        ("x" * 1001, "must be at most 1000 characters (it has 1001)"),
    ],
)
def test_a_reason_is_required_and_bounded(world: World, issued: Any, reason: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        cancel(world, world.staff, CERTIFICATE, reason)
    assert refused.value.errors == [FieldError("reason", problem)]
    assert world.show(world.signer_a, "AP0000001").summary.status == "issued"


def test_the_verification_page_says_cancelled(world: World, issued: Any, database_url: str) -> None:
    cancel(world, world.staff, CERTIFICATE)
    with TestClient(create_app(ServerSettings(database_url=database_url), core=world.core)) as client:
        page = client.get("/verify", params={"n": CERTIFICATE, "c": issued.access_code}).text
        answer = client.post(
            "/api/v1/verifications", json={"number": CERTIFICATE, "code": issued.access_code}
        )
    assert "この証明書は取り消されています。" in page
    assert "This certificate has been cancelled by the issuing chamber." in page
    assert "<dt>取消日 Cancelled on</dt><dd>2026-11-27</dd>" in page
    assert "この証明書は真正です。" not in page
    assert answer.json()["status"] == "cancelled"
    assert answer.json()["cancelled_on"] == "2026-11-27"
    with world.core.read() as session:
        assert session.exec(select(col(Application.status))).all() == ["cancelled"]
