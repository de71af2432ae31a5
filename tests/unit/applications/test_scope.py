"""Who reaches which applications (DOMAIN.md, the four roles): a sub ID only its own, a signer the whole
company's (but amends only what carries its own signature), another company nothing, staff the whole chamber
(without paying or printing), an administrator never applies. Another's record is NotFound exactly like one
that does not exist, and the attempt is audited as denied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shomei_cli.domain.errors import NotFound, PermissionDenied
from shomei_cli.domain.records import ApplicationQuery
from shomei_cli.services import api
from tests.unit.applications.conftest import COMPANY_A, COMPANY_B, World, audit_events, shipment, snapshot


@pytest.fixture
def apps(world: World) -> dict[str, Any]:
    """AP0000001 issued (SB000001), AP0000002 approved (SB000001), AP0000003 approved (SB000002),
    AP0000004 submitted (U000001), AP0000005 approved (U000002, company B); both balances topped up."""
    world.topup(COMPANY_A, 20_000)
    world.topup(COMPANY_B, 20_000)
    made = {
        "sub1 issued": world.approved(world.sub_a1),
        "sub1 approved": world.approved(world.sub_a1),
        "sub2 approved": world.approved(world.sub_a2),
        "signer submitted": world.apply(world.signer_a),
        "company B approved": world.approved(world.signer_b),
    }
    world.pay(world.sub_a1, "AP0000001")
    assert [v.summary.reference for v in made.values()] == [f"AP000000{n}" for n in range(1, 6)]
    return made


def references(world: World, who: str) -> list[str]:
    return [a.reference for a in api.list_applications(world.core, world.token(who), ApplicationQuery())]


def attempts(world: World, who: str, ref: str) -> dict[str, Callable[[], object]]:
    core, token = world.core, world.token(who)
    return {
        "application.view": lambda: api.show_application(core, token, ref),
        "application.pay": lambda: api.pay_application(core, token, ref, "prepaid", None),
        "certificate.print": lambda: api.print_certificate(core, token, ref),
        "application.edit": lambda: api.cancel_application(core, token, ref),
    }


def assert_hidden(world: World, who: str, ref: str, actions: list[str]) -> None:
    """Each attempt is NotFound, worded as for a reference that exists nowhere, audited as denied, and
    changes nothing."""
    before = snapshot(world.core)
    denied = len(audit_events(world.core, outcome="denied"))
    for action in actions:
        for target in (ref, "AP9999999"):
            with pytest.raises(NotFound) as refused:
                attempts(world, who, target)[action]()
            assert refused.value.message == f"No application {target} that you can see.", (action, target)
    assert snapshot(world.core) == before
    assert audit_events(world.core, outcome="denied")[denied:] == [
        (who, action, target, "denied", {"reason": "not_visible"})
        for action in actions
        for target in (ref, "AP9999999")
    ]


def test_a_sub_id_sees_pays_and_prints_only_its_own(world: World, apps: dict[str, Any]) -> None:
    assert references(world, world.sub_a2) == ["AP0000003"]
    assert references(world, world.sub_a1) == ["AP0000002", "AP0000001"]
    # SB000002 cannot reach SB000001's applications, by reference or by reception number
    assert_hidden(
        world, world.sub_a2, "AP0000002", ["application.view", "application.pay", "application.edit"]
    )
    assert_hidden(world, world.sub_a2, "1301-00000001", ["application.view", "certificate.print"])
    with pytest.raises(NotFound):
        api.receipt(world.core, world.token(world.sub_a2), "AP0000001")
    with pytest.raises(NotFound):
        api.application_content(world.core, world.token(world.sub_a2), "AP0000001")
    # nor its signer's own
    assert_hidden(world, world.sub_a2, "AP0000004", ["application.view"])
    # its own it can
    assert world.pay(world.sub_a2, "AP0000003").certificate_number == "1301-2026-0000002"
    printed = api.print_certificate(world.core, world.token(world.sub_a2), "AP0000003")
    assert (printed.name, printed.print_count) == ("1301-2026-0000002", 1)


def test_a_signer_sees_the_whole_company_but_amends_only_under_its_own_signature(
    world: World, apps: dict[str, Any]
) -> None:
    everything_of_a = ["AP0000004", "AP0000003", "AP0000002", "AP0000001"]
    assert references(world, world.signer_a) == everything_of_a
    # the company's other signer sees them all too, and may pay and print them
    assert references(world, world.signer_a2) == everything_of_a
    assert world.show(world.signer_a2, "AP0000001").summary.applicant == "SB000001"
    assert world.pay(world.signer_a2, "AP0000002").receipt_number == "RC1301-0000002"
    assert api.print_certificate(world.core, world.token(world.signer_a2), "AP0000001").print_count == 1
    assert api.receipt(world.core, world.token(world.signer_a2), "AP0000002").name == "RC1301-0000002"
    # … but cannot amend, submit or cancel what carries U000001's signature
    before = snapshot(world.core)
    with pytest.raises(NotFound) as refused:
        api.cancel_application(world.core, world.token(world.signer_a2), "AP0000004")
    assert refused.value.message == "No application AP0000004 that you can see."
    with pytest.raises(NotFound):
        api.amend_application(world.core, world.token(world.signer_a2), "AP0000004", shipment(), None)
    assert snapshot(world.core) == before
    # U000001 can, for its own and for its sub IDs'
    assert api.cancel_application(world.core, world.token(world.signer_a), "AP0000004").summary.status == (
        "cancelled"
    )
    sub_draft = world.apply(world.sub_a1, draft=True)
    submitted = api.submit_application(world.core, world.token(world.signer_a), sub_draft.summary.reference)
    assert (submitted.summary.status, submitted.summary.applicant) == ("submitted", "SB000001")


def test_another_company_sees_nothing(world: World, apps: dict[str, Any]) -> None:
    assert references(world, world.signer_b) == ["AP0000005"]
    assert_hidden(
        world,
        world.signer_b,
        "AP0000002",
        ["application.view", "application.pay", "application.edit"],
    )
    assert_hidden(world, world.signer_b, "1301-00000001", ["certificate.print"])
    with pytest.raises(NotFound):
        api.receipt(world.core, world.token(world.signer_b), "AP0000001")
    # and company A none of B's
    assert_hidden(world, world.signer_a, "AP0000005", ["application.view", "application.pay"])
    # the balance each sees is its own
    assert api.balance(world.core, world.token(world.signer_b)) == 20_000
    assert api.balance(world.core, world.token(world.sub_a1)) == 20_000 - 1360


def test_staff_see_the_whole_chamber_and_cannot_pay_or_print(world: World, apps: dict[str, Any]) -> None:
    core, staff = world.core, world.token(world.staff)
    assert references(world, world.staff) == ["AP0000005", "AP0000004", "AP0000003", "AP0000002", "AP0000001"]
    view = api.show_application(core, staff, "AP0000005")
    assert (view.summary.registration_number, view.content["consignee"]["name"]) == (
        COMPANY_B,
        "ACME Pumps Inc.",
    )
    # staff see the access code: it is printed on the certificate
    assert api.show_application(core, staff, "AP0000001").access_code is not None
    before = snapshot(core)
    denied = len(audit_events(core, outcome="denied"))
    refusals = {
        "application.pay": lambda: api.pay_application(core, staff, "AP0000002", "prepaid", None),
        "certificate.print": lambda: api.print_certificate(core, staff, "AP0000001"),
        "application.edit": lambda: api.apply(core, staff, "co", shipment(), None, False),
    }
    for action, attempt in refusals.items():
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.message == (
            f"Permission denied: a staff ID may not do {action} (allowed: user ID, sub ID)."
        )
    with pytest.raises(PermissionDenied):
        api.receipt(core, staff, "AP0000001")
    with pytest.raises(PermissionDenied):
        api.cancel_application(core, staff, "AP0000004")
    assert snapshot(core) == before
    assert audit_events(core, outcome="denied")[denied:] == [
        ("S00001", "application.pay", "AP0000002", "denied", {}),
        ("S00001", "certificate.print", "AP0000001", "denied", {}),
        ("S00001", "application.edit", None, "denied", {}),
        ("S00001", "application.pay", "AP0000001", "denied", {}),
        ("S00001", "application.edit", "AP0000004", "denied", {}),
    ]


@pytest.mark.parametrize("admin", ["A1301000001", "A1301000002"])
@pytest.mark.parametrize("draft", [False, True], ids=["submit", "draft"])
def test_an_administrator_can_never_apply(world: World, admin: str, draft: bool) -> None:
    before = snapshot(world.core)
    with pytest.raises(PermissionDenied) as refused:
        api.apply(world.core, world.token(admin), "co", shipment(), None, draft)
    assert refused.value.message == (
        "An administrator ID can never apply for certificates: this is a rule of the system. "
        "Log in with a signer's user ID or a sub ID to apply."
    )
    assert "user ID" in refused.value.message and "sub ID" in refused.value.message
    assert snapshot(world.core) == before
    assert audit_events(world.core, outcome="denied")[-1:] == [
        (admin, "application.edit", None, "denied", {})
    ]


def test_an_administrator_does_not_see_pay_or_print_applications(world: World, apps: dict[str, Any]) -> None:
    core, admin = world.core, world.token(world.admin_a)
    with pytest.raises(PermissionDenied) as refused:
        api.list_applications(core, admin, ApplicationQuery())
    assert refused.value.message == (
        "Permission denied: an administrator ID may not do application.view "
        "(allowed: staff ID, user ID, sub ID)."
    )
    with pytest.raises(PermissionDenied):
        api.pay_application(core, admin, "AP0000002", "prepaid", None)
    with pytest.raises(PermissionDenied):
        api.print_certificate(core, admin, "AP0000001")


def test_a_draft_is_the_companys_own_until_it_is_submitted(world: World) -> None:
    draft = world.apply(world.sub_a1, draft=True)
    ref = draft.summary.reference
    staff = world.token(world.staff)
    denied = len(audit_events(world.core, outcome="denied"))
    with pytest.raises(NotFound) as refused:
        api.show_application(world.core, staff, ref)
    assert refused.value.message == f"No application {ref} that you can see."
    assert audit_events(world.core, outcome="denied")[denied:] == [
        (world.staff, "application.view", ref, "denied", {"reason": "not_visible"})
    ]
    assert references(world, world.staff) == []
    assert references(world, world.signer_a) == [ref]  # the company sees it, of course
    submitted = api.submit_application(world.core, world.token(world.sub_a1), ref)
    assert api.show_application(world.core, staff, ref).summary.reception_number == (
        submitted.summary.reception_number
    )
    assert references(world, world.staff) == [ref]
