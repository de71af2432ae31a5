"""Every step the lifecycle forbids, tried for real on an application in each state: WrongState saying what
the application allows, and nothing changed in the store (applications, payments, the review queue,
balances, counters).

The steps come from rules.TRANSITIONS; each is taken by the operation that takes it (amend, submit, cancel,
the chamber's approve/return/reject on the review item, pay) plus printing and the receipt, which need an
issued (paid) certificate. Issuing has no operation of its own: paying issues. ``paid`` is never stored by
the services (paying issues in the same transaction), so that state is written into the store directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from shomei_cli.domain import applications as rules
from shomei_cli.domain.applications import Status, Step
from shomei_cli.domain.errors import NotFound, WrongState
from shomei_cli.services import api
from shomei_cli.store.tables import Application
from tests.unit.applications.conftest import COMPANY_A, World, shipment, snapshot

CHECKOUT = "https://pay.example-psp.jp/checkout"

APPLICANT = "SB000001"


def in_state(world: World, status: Status) -> Any:
    """An application of SB000001 in ``status``; its view."""
    who = world.sub_a1
    if status is Status.DRAFT:
        view = world.apply(who, draft=True)
    elif status is Status.ISSUED:
        view = world.issued(who)
    else:
        view = world.apply(who)
        number = view.summary.reception_number
        if status is Status.RETURNED:
            world.decide(number, "return", "Box 3: the invoice date is wrong")
        elif status is Status.REJECTED:
            world.decide(number, "reject", "Not an export of the registrant")
        elif status in (Status.APPROVED, Status.PAID, Status.AWAITING_PAYMENT):
            world.approve(number)
        elif status is Status.CANCELLED:
            api.cancel_application(world.core, world.token(who), view.summary.reference)
    if status is Status.AWAITING_PAYMENT:
        api.start_card_payment(world.core, world.token(who), view.summary.reference)
    if status is Status.PAID:
        with world.core.write() as session:
            session.execute(
                update(Application)
                .where(Application.reference == view.summary.reference)
                .values(status="paid")
            )
    view = world.show(who, view.summary.reference)
    assert view.summary.status == status.value
    return view


def operations(world: World, view: Any) -> dict[str, Callable[[], object]]:
    ref = view.summary.reference
    # the chamber decides on the review item, whose reference is the reception number
    item = view.summary.reception_number or ref
    core, who, staff = world.core, world.token(world.sub_a1), world.token(world.staff)
    return {
        Step.AMEND: lambda: api.amend_application(core, who, ref, shipment(), None),
        Step.SUBMIT: lambda: api.submit_application(core, who, ref),
        Step.CANCEL: lambda: api.cancel_application(core, who, ref),
        Step.APPROVE: lambda: api.decide_review(core, staff, item, "approve", None),
        Step.RETURN: lambda: api.decide_review(core, staff, item, "return", "Box 6: remarks"),
        Step.REJECT: lambda: api.decide_review(core, staff, item, "reject", "Not ours"),
        Step.CHECKOUT: lambda: api.start_card_payment(core, who, ref),
        Step.PAY: lambda: api.pay_application(core, who, ref, "prepaid", None),
        Step.REVOKE: lambda: api.cancel_certificate(core, staff, ref, "Issued in error"),
        "print": lambda: api.print_certificate(core, who, ref),
        "receipt": lambda: api.receipt(core, who, ref),
    }


REVIEW_STEPS = {Step.APPROVE, Step.RETURN, Step.REJECT}
ALLOWS = {
    status: ", ".join(sorted(s.value for (f, s) in rules.TRANSITIONS if f is status)) or "nothing more"
    for status in Status
}


def expected_refusal(status: Status, step: str, view: Any) -> tuple[type[Exception], str]:
    ref, number = view.summary.reference, view.summary.reception_number
    if step in REVIEW_STEPS:
        if number is None:
            # never submitted: there is no review item to decide on
            return NotFound, f"No review item {ref} in this chamber."
        item_status = {
            Status.RETURNED: "returned",
            Status.APPROVED: "approved",
            Status.REJECTED: "rejected",
            Status.PAID: "approved",
            Status.AWAITING_PAYMENT: "approved",
            Status.ISSUED: "approved",
            Status.CANCELLED: "withdrawn",
        }[status]
        return WrongState, f"{number} is already {item_status}; only pending items can be decided."
    if step == Step.REVOKE and number is None:
        # staff, who revoke, do not see a draft at all: it was never submitted to the chamber
        return NotFound, f"No application {ref} that you can see."
    if step == "print":
        return WrongState, f"Application {ref} is {status.value}: only an issued certificate can be printed."
    if step == "receipt":
        return WrongState, f"Application {ref} is {status.value}: it has no payment."
    return WrongState, (
        f"Application {ref} is {status.value}: it cannot {step} (it allows: {ALLOWS[status]})."
    )


def forbidden(status: Status) -> list[str]:
    steps: list[str] = [
        step for step in Step if step is not Step.ISSUE and (status, step) not in rules.TRANSITIONS
    ]
    if status is not Status.ISSUED:
        steps += ["print", "receipt"]
    return steps


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_forbidden_step_is_refused_and_changes_nothing(world: World, status: Status) -> None:
    world.topup(COMPANY_A, 10_000)  # so that a refused payment is refused for its state, not for money
    # so that a refused card payment is refused for its state, not for want of a provider
    api.set_payment_provider(world.core, world.token(world.staff), CHECKOUT, "whsec_" + "7" * 40)
    view = in_state(world, status)
    ops = operations(world, view)
    before = snapshot(world.core)
    tried = []
    for step in forbidden(status):
        kind, message = expected_refusal(status, step, view)
        with pytest.raises(kind) as refused:
            ops[step]()
        assert (type(refused.value), refused.value.message) == (kind, message), (status, step)
        assert snapshot(world.core) == before, (status, step)
        tried.append(str(step))
    assert world.show(world.sub_a1, view.summary.reference).summary.status == status.value
    # what each state forbids, spelled out
    assert (
        tried
        == {
            Status.DRAFT: ["approve", "return", "reject", "checkout", "pay", "revoke", "print", "receipt"],
            Status.SUBMITTED: ["amend", "submit", "checkout", "pay", "revoke", "print", "receipt"],
            Status.RETURNED: ["approve", "return", "reject", "checkout", "pay", "revoke", "print", "receipt"],
            Status.APPROVED: [
                "amend",
                "submit",
                "cancel",
                "approve",
                "return",
                "reject",
                "revoke",
                "print",
                "receipt",
            ],
            Status.AWAITING_PAYMENT: [
                "amend",
                "submit",
                "cancel",
                "approve",
                "return",
                "reject",
                "revoke",
                "print",
                "receipt",
            ],
            Status.REJECTED: [
                "amend",
                "submit",
                "cancel",
                "approve",
                "return",
                "reject",
                "checkout",
                "pay",
                "revoke",
                "print",
                "receipt",
            ],
            Status.PAID: [
                "amend",
                "submit",
                "cancel",
                "approve",
                "return",
                "reject",
                "checkout",
                "pay",
                "revoke",
                "print",
                "receipt",
            ],
            Status.ISSUED: ["amend", "submit", "cancel", "approve", "return", "reject", "checkout", "pay"],
            Status.CANCELLED: [
                "amend",
                "submit",
                "cancel",
                "approve",
                "return",
                "reject",
                "checkout",
                "pay",
                "revoke",
                "print",
                "receipt",
            ],
        }[status]
    )


def test_the_only_way_to_issue_is_to_pay(world: World) -> None:
    """The ISSUE step has no operation: an approved application becomes issued by its payment, at once."""
    view = in_state(world, Status.APPROVED)
    world.topup(COMPANY_A, view.summary.fee)
    paid = world.pay(world.sub_a1, view.summary.reference)
    assert world.show(world.sub_a1, view.summary.reference).summary.status == "issued"
    assert paid.certificate_number == "1301-2026-0000001"
    assert api.verify(world.core, paid.certificate_number, paid.access_code).status == "genuine"


DEADLOCK = (
    "services/applications.py:308-316 and services/review.py:114-120 with applications.py:411: cancel locks "
    "the application row and then its review item, while the chamber's decision locks the review item and "
    "then the application (_application_of): on PostgreSQL the two deadlock, and the loser gets Unavailable "
    "('The database cannot be reached … (deadlock detected)', exit 8) instead of WrongState"
)


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite",
        pytest.param("postgres"),
    ],
    indirect=True,
)
def test_a_cancellation_racing_the_chamber_approval_loses_or_wins_cleanly(
    world: World, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The applicant cancels while staff approve: one of them wins and the other is told WrongState.

    The interleaving is forced: the cancellation holds its application when the approval has taken the
    review item (where the store lets both hold a lock at once; SQLite runs one writer at a time)."""
    from shomei_cli.services import applications, review
    from shomei_cli.services.core import Core
    from shomei_cli.services.hashing import PasswordHashing
    from shomei_cli.store.engine import make_engine
    from tests.unit.applications.conftest import FAST_HASHING

    view = world.apply(world.sub_a1)
    ref, number = view.summary.reference, view.summary.reception_number
    application_held, item_held = threading.Event(), threading.Event()
    original_item, original_application = review.item_by_reference, applications._application_of

    def item_after_the_approval(*args: Any) -> Any:
        application_held.set()
        item_held.wait(timeout=2)
        return original_item(*args)

    def application_after_the_cancellation(*args: Any) -> Any:
        item_held.set()
        return original_application(*args)

    monkeypatch.setattr(review, "item_by_reference", item_after_the_approval)
    monkeypatch.setattr(applications, "_application_of", application_after_the_cancellation)
    cores = [Core(make_engine(database_url), world.clock, PasswordHashing(FAST_HASHING)) for _ in range(2)]
    outcome: dict[str, object] = {}
    sub, staff = world.token(world.sub_a1), world.token(world.staff)

    def attempt(name: str, call: Callable[[], Any]) -> None:
        try:
            outcome[name] = call().status if name == "approve" else call().summary.status
        except Exception as exc:
            outcome[name] = (type(exc).__name__, str(exc))

    cancelling = threading.Thread(
        target=attempt, args=("cancel", lambda: api.cancel_application(cores[0], sub, ref))
    )
    approving = threading.Thread(
        target=attempt, args=("approve", lambda: api.decide_review(cores[1], staff, number, "approve", None))
    )
    try:
        cancelling.start()
        application_held.wait(timeout=5)
        approving.start()
        cancelling.join(timeout=60)
        approving.join(timeout=60)
    finally:
        for core in cores:
            core.close()
    assert outcome in (
        {
            "cancel": "cancelled",
            "approve": ("WrongState", f"{number} is already withdrawn; only pending items can be decided."),
        },
        {
            "cancel": (
                "WrongState",
                f"Application {ref} is approved: it cannot cancel (it allows: checkout, pay).",
            ),
            "approve": "approved",
        },
    ), outcome
