"""Paying: races (eight payers of one application, eight applicants at once), a payment refused for want of
balance burning no number, card payments, and the chamber's fee table. Concurrent callers each open their
own engine on the same store, as separate processes would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlmodel import select

from shomei_cli.domain.errors import Conflict, InvalidInput, PermissionDenied, WrongState
from shomei_cli.domain.records import FeeRow, PaymentView
from shomei_cli.services import api
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import PasswordHashing
from shomei_cli.store.engine import make_engine
from shomei_cli.store.tables import Application, Payment, ReviewItem
from tests.unit.applications.conftest import (
    COMPANY_A,
    COMPANY_B,
    FAST_HASHING,
    World,
    audit_events,
    balance_of,
    count,
    counters,
    shipment,
    snapshot,
)

T = TypeVar("T")
RACERS = 8


@pytest.fixture
def engines(world: World, database_url: str) -> Iterator[list[Core]]:
    """One engine per racer on the world's store."""
    opened = [
        Core(make_engine(database_url), world.clock, PasswordHashing(FAST_HASHING)) for _ in range(RACERS)
    ]
    yield opened
    for core in opened:
        core.close()


def at_once(calls: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run ``calls`` in threads released together; each result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[T | BaseException] = [RuntimeError("did not run")] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_payers_at_once_charge_the_application_once(world: World, engines: list[Core]) -> None:
    view = world.approved(world.sub_a1)
    ref = view.summary.reference
    world.topup(COMPANY_A, 10_000)
    # the company's signers and the sub ID that applied, each from its own engine
    payers = [world.token(who) for who in (world.sub_a1, world.signer_a, world.signer_a2, world.sub_a1)] * 2
    results = at_once(
        [
            (lambda core=core, token=token: api.pay_application(core, token, ref, "prepaid", None))
            for core, token in zip(engines, payers, strict=True)
        ]
    )
    paid = [r for r in results if isinstance(r, PaymentView)]
    refused = [r for r in results if not isinstance(r, PaymentView)]
    assert len(paid) == 1, results
    assert [type(r) for r in refused] == [WrongState] * 7, refused
    assert {str(r) for r in refused} == {
        "Application AP0000001 is issued: it cannot pay (it allows: revoke)."
    }
    (payment,) = paid
    assert (payment.receipt_number, payment.certificate_number, payment.amount, payment.balance_after) == (
        "RC1301-0000001",
        "1301-2026-0000001",
        1360,
        8640,
    )
    assert count(world.core, Payment) == 1
    assert balance_of(world.core, COMPANY_A) == 8640
    assert {k: v for k, v in counters(world.core).items() if k in {"receipt", "certificate-2026"}} == {
        "receipt": 1,
        "certificate-2026": 1,
    }
    # one payment; the seven refused payers are on the trail as refused (wrong state)
    outcomes = [event[3] for event in audit_events(world.core, "application.pay")]
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert world.show(world.sub_a1, ref).access_code == payment.access_code


def test_eight_applications_submitted_at_once_get_distinct_gap_free_numbers(
    world: World, engines: list[Core]
) -> None:
    applicants = [world.sub_a1, world.sub_a2, world.signer_a, world.signer_a2, world.signer_b] * 2
    tokens = [world.token(who) for who in applicants[:RACERS]]
    results = at_once(
        [
            (lambda core=core, token=token: api.apply(core, token, "co", shipment(), None, False))
            for core, token in zip(engines, tokens, strict=True)
        ]
    )
    assert all(not isinstance(r, BaseException) for r in results), results
    numbers = sorted(r.summary.reception_number for r in results)  # type: ignore[union-attr]
    assert numbers == [f"1301-{n:08d}" for n in range(1, RACERS + 1)]
    assert sorted(r.summary.reference for r in results) == [  # type: ignore[union-attr]
        f"AP{n:07d}" for n in range(1, RACERS + 1)
    ]
    with world.core.read() as session:
        stored = session.exec(select(Application.reception_number, Application.status)).all()
        items = session.exec(select(ReviewItem.reference).where(ReviewItem.kind == "application")).all()
    assert sorted(stored) == [(n, "submitted") for n in numbers]
    assert sorted(items) == numbers
    assert counters(world.core)["reception"] == RACERS


def test_payments_racing_for_one_balance_never_overdraw_it(world: World, engines: list[Core]) -> None:
    """Four applications paid at once from ¥3,000: two fit, two are refused, and no number is burnt."""
    refs = [
        world.approved(who).summary.reference
        for who in (world.sub_a1, world.sub_a2, world.signer_a, world.signer_a2)
    ]
    world.topup(COMPANY_A, 3000)
    tokens = [world.token(who) for who in (world.sub_a1, world.sub_a2, world.signer_a, world.signer_a2)]
    results = at_once(
        [
            (lambda core=core, token=token, ref=ref: api.pay_application(core, token, ref, "prepaid", None))
            for core, token, ref in zip(engines[:4], tokens, refs, strict=True)
        ]
    )
    paid = sorted((r for r in results if isinstance(r, PaymentView)), key=lambda p: p.receipt_number)
    refused = [r for r in results if not isinstance(r, PaymentView)]
    assert [type(r) for r in refused] == [Conflict, Conflict], refused
    assert [(p.receipt_number, p.certificate_number) for p in paid] == [
        ("RC1301-0000001", "1301-2026-0000001"),
        ("RC1301-0000002", "1301-2026-0000002"),
    ]
    assert sorted(p.balance_after or 0 for p in paid) == [280, 1640]
    assert balance_of(world.core, COMPANY_A) == 280
    assert count(world.core, Payment) == 2


def test_a_payment_refused_for_want_of_balance_burns_no_number(world: World) -> None:
    view = world.approved(world.sub_a1)
    ref = view.summary.reference
    assert world.topup(COMPANY_A, 1000) == 1000
    before = snapshot(world.core)
    with pytest.raises(Conflict) as refused:
        world.pay(world.sub_a1, ref)
    assert type(refused.value) is Conflict
    assert refused.value.message == (
        "The prepaid balance (¥1,000) is less than the fee (¥1,360): ask the chamber to top it up, "
        "or pay by bank transfer or at the counter, which the chamber records"
    )
    assert snapshot(world.core) == before
    assert world.show(world.sub_a1, ref).summary.status == "approved"
    assert audit_events(world.core, "application.pay") == []
    # exactly the fee is enough, and the numbers are the first ones
    assert world.topup(COMPANY_A, 360) == 1360
    paid = world.pay(world.sub_a1, ref)
    assert (paid.receipt_number, paid.certificate_number, paid.balance_after) == (
        "RC1301-0000001",
        "1301-2026-0000001",
        0,
    )


def test_an_applicant_cannot_pay_by_card_and_only_staff_record_a_payment_received_outside(
    world: World,
) -> None:
    view = world.approved(world.sub_a1)
    ref = view.summary.reference
    world.topup(COMPANY_A, 5000)
    before = snapshot(world.core)
    card = (
        "card payments need the chamber's payment provider, and none is set up: pay from the prepaid balance "
        "(--method prepaid), or by bank transfer or at the counter, which the chamber records "
        "(shomei chamber payment confirm)"
    )
    refusals = [
        (("card", "VISA-20261127-0001"), [("method", card)]),
        ((" CARD ", None), [("method", card)]),
        (("cash", None), [("method", "must be prepaid or card")]),
    ]
    for (method, reference), errors in refusals:
        with pytest.raises(InvalidInput) as refused:
            world.pay(world.sub_a1, ref, method, reference)
        assert [(e.field, e.reason) for e in refused.value.errors] == errors
    confirm = api.confirm_payment
    staff = world.token(world.staff)
    bad = [
        (("cash", "X-1"), [("method", "must be transfer or counter")]),
        (("transfer", "   "), [("reference", "is required")]),
        (("counter", "V" * 101), [("reference", "must be at most 100 characters (it has 101)")]),
    ]
    for (method, reference), errors in bad:
        with pytest.raises(InvalidInput) as refused:
            confirm(world.core, staff, ref, method, reference)
        assert [(e.field, e.reason) for e in refused.value.errors] == errors
    for who in (world.sub_a1, world.signer_a, world.admin_a):
        with pytest.raises(PermissionDenied):
            confirm(world.core, world.token(who), ref, "transfer", "MIZUHO-1127-0042")
    assert snapshot(world.core) == before

    paid = confirm(world.core, staff, view.summary.reception_number, " Transfer ", " " + "V" * 100 + " ")
    assert (paid.method, paid.payment_reference, paid.amount, paid.balance_after) == (
        "transfer",
        "V" * 100,
        1360,
        None,
    )
    assert balance_of(world.core, COMPANY_A) == 5000  # the balance is left alone
    with world.core.read() as session:
        (payment,) = session.exec(select(Payment)).all()
    assert (payment.method, payment.reference, payment.amount) == ("transfer", "V" * 100, 1360)
    assert [(e[0], e[3]) for e in audit_events(world.core, "payment.confirm")] == [
        ("SB000001", "denied"),
        ("U000001", "denied"),
        ("A1301000001", "denied"),
        ("S00001", "ok"),
    ]
    assert world.show(world.sub_a1, ref).summary.status == "issued"


DEFAULT_TABLE = [
    FeeRow("co", True, 1260, 100),
    FeeRow("co", False, 3460, 200),
    FeeRow("invoice", True, 1260, 100),
    FeeRow("invoice", False, 3460, 200),
    FeeRow("signature", True, 1260, 100),
    FeeRow("signature", False, 3460, 200),
]


def test_staff_set_a_fee_and_approvals_after_it_use_it(world: World) -> None:
    core, staff = world.core, world.token(world.staff)
    assert api.fees(core, staff) == DEFAULT_TABLE
    before = world.approved(world.sub_a1)  # approved at ¥1,260 + ¥100
    pending = world.apply(world.sub_a1, content={**shipment(), "copies": 2})
    non_member = world.approved(world.signer_b)  # ¥3,460 + ¥200
    table = api.set_fee(core, staff, "co", True, 1500, 150)
    assert table == [FeeRow("co", True, 1500, 150), *DEFAULT_TABLE[1:]]
    assert (
        "S00001",
        "fees.set",
        "co",
        "ok",
        {"member": True, "per_application": 1500, "per_copy": 150, "tax_rate": 10},
    ) in (audit_events(core))
    world.approve(pending.summary.reception_number)
    assert world.show(world.sub_a1, pending.summary.reference).summary.fee == 1500 + 2 * 150
    # a fee fixed at approval stays; the non-members' price was not touched
    assert world.show(world.sub_a1, before.summary.reference).summary.fee == 1360
    assert world.show(world.signer_b, non_member.summary.reference).summary.fee == 3660
    after = world.approved(world.signer_b)
    assert world.show(world.signer_b, after.summary.reference).summary.fee == 3660
    # a fee of nothing is allowed; below nothing is not
    assert api.set_fee(core, staff, "signature", False, 0, 0)[5] == FeeRow("signature", False, 0, 0)
    with pytest.raises(InvalidInput) as refused:
        api.set_fee(core, staff, "co", True, -1, 1_000_001)
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("per_application", "must be from 0 to 1,000,000 yen"),
        ("per_copy", "must be from 0 to 1,000,000 yen"),
    ]


@pytest.mark.parametrize(
    ("who", "label"),
    [("U000001", "a user ID"), ("SB000001", "a sub ID"), ("A1301000001", "an administrator ID")],
)
def test_only_staff_manage_fees_and_balances(world: World, who: str, label: str) -> None:
    core, token = world.core, world.token(who)
    before = snapshot(core)
    refusals: dict[str, Callable[[], Any]] = {
        "fees.manage": lambda: api.set_fee(core, token, "co", True, 1, 1),
        "balance.topup": lambda: api.topup(core, token, COMPANY_A, 1_000_000),
    }
    for action, attempt in refusals.items():
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.message == f"Permission denied: {label} may not do {action} (allowed: staff ID)."
    with pytest.raises(PermissionDenied):
        api.fees(core, token)
    with pytest.raises(PermissionDenied):
        api.chamber_settings(core, token, "https://evil.example/verify")
    assert snapshot(core) == before
    assert api.fees(core, world.token(world.staff)) == DEFAULT_TABLE
    assert balance_of(core, COMPANY_A) == balance_of(core, COMPANY_B) == 0
