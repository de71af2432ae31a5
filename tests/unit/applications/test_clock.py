"""Rules that time decides, with the clock moved: an expired trade registration (no submission, but payment
and printing of what was approved), a suspended one, and the 14-day print window; every print recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shomei_cli.domain.errors import Expired, WrongState
from shomei_cli.services import api
from tests.unit.applications.conftest import COMPANY_A, World, audit_events, snapshot

JST = ZoneInfo("Asia/Tokyo")
VALID_UNTIL = date(2028, 11, 26)  # two years from registration on 2026-11-27
ISSUED_AT = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def move(world: World, instant: datetime) -> None:
    """Set the clock; the sessions have timed out by then, so everyone logs in again."""
    world.clock.set(instant)
    world.relogin()


def test_an_expired_registration_submits_nothing_but_pays_and_prints_what_was_approved(world: World) -> None:
    core, sub = world.core, world.sub_a1
    assert api.show_registration(core, world.token(world.admin_a), None).valid_until == VALID_UNTIL
    approved = world.approved(sub)
    draft = world.apply(sub, draft=True)
    returned = world.apply(sub)
    world.decide(returned.summary.reception_number, "return", "Box 5: the vessel's name")

    # the last second of the last valid day (in Tokyo): still open
    move(world, datetime(2028, 11, 26, 23, 59, 59, tzinfo=JST))
    assert world.apply(sub).summary.reception_number == "1301-00000003"

    # the next day: expired
    move(world, datetime(2028, 11, 27, 0, 0, tzinfo=JST))
    assert api.show_registration(core, world.token(world.admin_a), None).status == "expired"
    message = (
        "The trade registration 1301000001 expired on 2028-11-26: "
        "no application can be submitted until it is renewed."
    )
    before = snapshot(core)
    with pytest.raises(Expired) as refused:
        world.apply(sub)
    assert refused.value.message == message
    for ref in (draft.summary.reference, returned.summary.reference):
        with pytest.raises(Expired) as refused:
            api.submit_application(core, world.token(sub), ref)
        assert refused.value.message == message
    assert snapshot(core) == before

    # … but the approved application is paid, issued and printed
    assert world.topup(COMPANY_A, 1360) == 1360
    paid = world.pay(sub, approved.summary.reference)
    assert (paid.certificate_number, paid.balance_after) == ("1301-2028-0000001", 0)
    printed = api.print_certificate(core, world.token(sub), approved.summary.reference)
    assert (printed.name, printed.print_count) == ("1301-2028-0000001", 1)
    assert api.receipt(core, world.token(sub), approved.summary.reference).name == "RC1301-0000001"
    verified = api.verify(core, "1301-2028-0000001", paid.access_code)
    assert (verified.status, verified.issued_on) == ("genuine", date(2028, 11, 27))


def test_a_suspended_registration_submits_nothing_until_reinstated(world: World) -> None:
    core, sub = world.core, world.sub_a1
    returned = world.apply(sub)
    world.decide(returned.summary.reception_number, "return", "Box 5: the vessel's name")
    api.set_registration_suspended(core, world.token(world.staff), COMPANY_A, True, "会費未納")
    message = "The trade registration 1301000001 is suspended: no application can be submitted."
    before = snapshot(core)
    with pytest.raises(WrongState) as refused:
        world.apply(sub)
    assert refused.value.message == message
    with pytest.raises(WrongState) as refused:
        api.submit_application(core, world.token(world.signer_a), returned.summary.reference)
    assert refused.value.message == message
    assert snapshot(core) == before
    # another company is not affected
    assert world.apply(world.signer_b).summary.reception_number == "1301-00000002"
    api.set_registration_suspended(core, world.token(world.staff), COMPANY_A, False, None)
    assert world.apply(sub).summary.reception_number == "1301-00000003"
    resubmitted = api.submit_application(core, world.token(sub), returned.summary.reference)
    assert (resubmitted.summary.status, resubmitted.summary.reception_number) == (
        "submitted",
        "1301-00000001",
    )


def test_printing_is_possible_for_fourteen_days_and_every_print_is_recorded(world: World) -> None:
    core = world.core
    view = world.issued(world.sub_a1)
    ref = view.summary.reference
    assert view.printable_until == ISSUED_AT + timedelta(days=14)
    counts = [api.print_certificate(core, world.token(world.sub_a1), ref).print_count for _ in range(3)]
    assert counts == [1, 2, 3]

    # day 14, to the second: still printable, by another signer of the company
    move(world, ISSUED_AT + timedelta(days=14))
    printed = api.print_certificate(core, world.token(world.signer_a2), ref)
    assert (printed.name, printed.print_count) == ("1301-2026-0000001", 4)

    # one second later: expired, and nothing recorded
    world.clock.advance(timedelta(seconds=1))
    before = snapshot(core)
    for who in (world.sub_a1, world.signer_a):
        with pytest.raises(Expired) as refused:
            api.print_certificate(core, world.token(who), ref)
        assert refused.value.message == (
            "The certificate 1301-2026-0000001 could be printed until 2026-12-11T10:00+09:00; "
            "apply again for a new one."
        )
    assert snapshot(core) == before
    assert world.show(world.sub_a1, ref).print_count == 4
    assert [
        (actor, target, details) for actor, _, target, _, details in audit_events(core, "certificate.print")
    ] == [
        ("SB000001", "1301-2026-0000001", {"print": 1}),
        ("SB000001", "1301-2026-0000001", {"print": 2}),
        ("SB000001", "1301-2026-0000001", {"print": 3}),
        ("U000003", "1301-2026-0000001", {"print": 4}),
    ]
    # the receipt and verification are not bound to the window
    assert api.receipt(core, world.token(world.sub_a1), ref).name == "RC1301-0000001"
    assert api.verify(core, "1301-2026-0000001", view.access_code).status == "genuine"


def test_the_certificate_number_carries_the_year_of_issue_in_tokyo(world: World) -> None:
    first = world.approved(world.sub_a1).summary.reference
    second = world.approved(world.sub_a1).summary.reference
    world.topup(COMPANY_A, 2720)
    # 23:59:59 on New Year's Eve in Tokyo is 14:59:59 UTC
    move(world, datetime(2026, 12, 31, 23, 59, 59, tzinfo=JST))
    assert world.pay(world.sub_a1, first).certificate_number == "1301-2026-0000001"
    move(world, datetime(2027, 1, 1, 0, 0, tzinfo=JST))
    number = world.pay(world.sub_a1, second).certificate_number
    assert number.startswith("1301-2027-")
    assert len(number) == len("1301-2027-0000001")
    verified = api.verify(world.core, number, world.show(world.sub_a1, second).access_code)
    assert (verified.status, verified.issued_on) == ("genuine", date(2027, 1, 1))
