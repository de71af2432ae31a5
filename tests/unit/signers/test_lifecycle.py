"""A signer's life: added (pending the chamber's review) → approved (active), or returned with a reason (and
resubmitted by an update), or rejected; particulars change at once, a new signature is reviewed again; the
16th live signer of a company needs a written reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError, InvalidInput, WrongState
from shomei_cli.domain.records import ReviewEntry, SignerView
from shomei_cli.services import review, signers
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Signer
from tests.unit.signers.conftest import (
    OSAKA,
    Login,
    add,
    audit_events,
    count,
    decide,
    jpeg_signature,
    particulars,
)

TEN_AM = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, the fixed clock
NISSHO = "日商テスト商事株式会社"


def pending_signer(**changes: object) -> SignerView:
    values: dict[str, object] = {
        "reference": "SG000001",
        "registration_number": "1301000001",
        "status": "pending",
        "status_reason": None,
        "name": "大阪 正人",
        "name_en": "Osaka Masahito",
        "title": "代表取締役",
        "title_en": "President",
        "birth_date": None,
        "address": None,
        "address_en": None,
        "user_id": None,
        "user_locked": False,
        "sub_ids": 0,
        "created_at": TEN_AM,
        "approved_at": None,
    }
    values.update(changes)
    return SignerView(**values)  # type: ignore[arg-type]


def item(reference: str, kind: str = "signer_addition", **changes: object) -> ReviewEntry:
    values: dict[str, object] = {
        "reference": reference,
        "kind": kind,
        "status": "pending",
        "registration_number": "1301000001",
        "company_name": NISSHO,
        "summary": ("new signer" if kind == "signer_addition" else "new signature") + ": SG000001",
        "payload": {"signer": "SG000001"},
        "reason": None,
        "submitted_at": TEN_AM,
        "submitted_by": "A1301000001",
        "decided_at": None,
        "decided_by": None,
    }
    values.update(changes)
    return ReviewEntry(**values)  # type: ignore[arg-type]


def test_an_added_signer_is_pending_and_waits_in_the_review_queue_under_its_own_reference(
    core: Core, admin: Login, staff: Login
) -> None:
    view = add(core, admin)

    assert view == pending_signer()
    assert signers.show_signer(core, admin.actor, "SG000001") == view
    assert signers.list_signers(core, admin.actor, None) == [view]
    assert review.list_items(core, staff.actor, None, None) == [item("SG000001")]
    assert review.list_items(core, staff.actor, "signer_addition", "pending") == [item("SG000001")]
    assert review.list_items(core, staff.actor, "signature_change", None) == []
    assert audit_events(core)[-2:] == [
        ("A1301000001", "review.submit.signer_addition", "SG000001", "ok", {}),
        ("A1301000001", "signer.add", "SG000001", "ok", {}),
    ]


def test_particulars_are_normalised_and_the_optional_ones_kept(core: Core, admin: Login) -> None:
    view = add(
        core,
        admin,
        {
            "name": "大阪　正人",  # a full-width space, as typed in a Japanese IME
            "name_en": " Ｏｓａｋａ Masahito ",
            "title": "代表取締役",
            "title_en": "President",
            "birth_date": "1965/04/01",
            "address": "東京都千代田区丸の内三丁目2番2号",
            "address_en": "3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
        },
    )

    assert view == pending_signer(
        birth_date=date(1965, 4, 1),
        address="東京都千代田区丸の内三丁目2番2号",
        address_en="3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
    )


def test_the_four_particulars_are_required(core: Core, admin: Login) -> None:
    with pytest.raises(InvalidInput) as refused:
        add(core, admin, {"name": "", "name_en": None, "title": "  ", "title_en": "x" * 101})

    assert refused.value.errors == [
        FieldError("name", "is required"),
        FieldError("name_en", "is required"),
        FieldError("title", "is required"),
        FieldError("title_en", "must be at most 100 characters (it has 101)"),
    ]
    assert count(core, Signer) == 0


def test_staff_approval_makes_the_signer_active_and_closes_the_item(
    core: Core, admin: Login, staff: Login, clock: FixedClock
) -> None:
    add(core, admin)
    approved_at = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)
    clock.set(approved_at)

    decided = review.decide(core, staff.actor, "SG000001", "approve", None)

    waited = 4 * 3600 + 30 * 60  # from 10:00 in Tokyo (01:00 UTC) to 05:30 UTC
    assert decided == item(
        "SG000001", status="approved", decided_at=approved_at, decided_by="S00001", waited_seconds=waited
    )
    assert signers.show_signer(core, admin.actor, "SG000001") == pending_signer(
        status="active", approved_at=approved_at
    )
    assert review.list_items(core, staff.actor, None, None) == []
    with pytest.raises(WrongState) as again:
        review.decide(core, staff.actor, "SG000001", "approve", None)
    assert again.value.message == "SG000001 is already approved; only pending items can be decided."


def test_a_returned_signer_carries_the_reason_and_an_update_resubmits_it_under_its_own_reference(
    core: Core, admin: Login, staff: Login
) -> None:
    add(core, admin)

    review.decide(core, staff.actor, "SG000001", "return", "サインが不鮮明です。Please scan it again.")

    returned = signers.show_signer(core, admin.actor, "SG000001")
    assert (returned.status, returned.status_reason) == (
        "returned",
        "サインが不鮮明です。Please scan it again.",
    )
    assert review.list_items(core, staff.actor, None, None) == []

    resubmitted = signers.update_signer(core, admin.actor, "SG000001", {"title": "代表取締役社長"}, None)

    assert resubmitted == pending_signer(title="代表取締役社長")
    # back in the queue as SG000001, the reference the reviewer returned (as an application keeps its
    # reception number): no second item
    assert review.list_items(core, staff.actor, None, None) == [item("SG000001")]
    assert [(i.reference, i.status) for i in review.list_items(core, staff.actor, None, "all")] == [
        ("SG000001", "pending"),
    ]
    decide(core, staff, "SG000001")
    assert signers.show_signer(core, admin.actor, "SG000001").status == "active"


def test_return_and_rejection_need_a_reason(core: Core, admin: Login, staff: Login) -> None:
    add(core, admin)

    for decision in ("return", "reject"):
        with pytest.raises(InvalidInput) as refused:
            review.decide(core, staff.actor, "SG000001", decision, None)
        assert refused.value.errors == [FieldError("reason", "is required")]

    assert signers.show_signer(core, admin.actor, "SG000001").status == "pending"


def test_a_rejected_signer_is_final(core: Core, admin: Login, staff: Login) -> None:
    add(core, admin)

    review.decide(core, staff.actor, "SG000001", "reject", "Not an officer of the company.")

    rejected = signers.show_signer(core, admin.actor, "SG000001")
    assert (rejected.status, rejected.status_reason) == ("rejected", "Not an officer of the company.")
    assert review.list_items(core, staff.actor, None, None) == []
    with pytest.raises(WrongState) as refused:
        signers.update_signer(core, admin.actor, "SG000001", {"title": "取締役"}, None)
    assert refused.value.message == "Signer SG000001 is rejected; register a new signer instead."
    assert signers.show_signer(core, admin.actor, "SG000001") == rejected


def test_particulars_of_an_active_signer_change_at_once_and_it_stays_active(
    core: Core, admin: Login, staff: Login, active: SignerView
) -> None:
    updated = signers.update_signer(
        core, admin.actor, "SG000001", {"title": "取締役会長", "title_en": "Chairman"}, None
    )

    assert updated == active.__class__(**{**active.__dict__, "title": "取締役会長", "title_en": "Chairman"})
    assert updated.status == "active"
    assert signers.show_signer(core, admin.actor, "SG000001") == updated
    assert review.list_items(core, staff.actor, None, None) == []
    assert audit_events(core)[-1] == (
        "A1301000001",
        "signer.update",
        "SG000001",
        "ok",
        {"fields": ["title", "title_en"], "signature": False},
    )


def test_a_new_signature_sends_an_active_signer_back_to_review(
    core: Core, admin: Login, staff: Login, active: SignerView
) -> None:
    updated = signers.update_signer(core, admin.actor, "SG000001", {}, jpeg_signature())

    assert (updated.status, updated.status_reason) == ("pending", None)
    assert review.list_items(core, staff.actor, None, None) == [item("RQ000001", "signature_change")]
    assert audit_events(core)[-1] == (
        "A1301000001",
        "signer.update",
        "SG000001",
        "ok",
        {"fields": [], "signature": True},
    )
    decide(core, staff, "RQ000001")
    assert signers.show_signer(core, admin.actor, "SG000001").status == "active"


def test_an_update_while_pending_keeps_the_one_item_in_the_queue(
    core: Core, admin: Login, staff: Login
) -> None:
    add(core, admin)

    updated = signers.update_signer(
        core, admin.actor, "SG000001", {"name_en": "OSAKA Masahito"}, jpeg_signature()
    )

    assert (updated.status, updated.name_en) == ("pending", "OSAKA Masahito")
    assert review.list_items(core, staff.actor, None, None) == [item("SG000001")]


def test_an_update_names_at_least_one_thing_to_change(core: Core, admin: Login) -> None:
    add(core, admin)

    with pytest.raises(InvalidInput) as refused:
        signers.update_signer(core, admin.actor, "SG000001", {}, None)

    assert refused.value.errors == [FieldError("signer", "give at least one particular or a new signature")]


SIXTEENTH_REASON = FieldError(
    "reason",
    "is required: the company already has 15 signers (a 16th and later signer needs a written reason)",
)


def test_the_16th_live_signer_needs_a_written_reason(core: Core, admin: Login, staff: Login) -> None:
    for number in range(1, 16):
        add(core, admin, particulars(number))  # the 15th needs no reason

    with pytest.raises(InvalidInput) as refused:
        add(core, admin, OSAKA)
    assert refused.value.errors == [SIXTEENTH_REASON]
    assert count(core, Signer) == 15

    sixteenth = add(core, admin, OSAKA, reason="海外拠点ごとに署名者が必要なため / one per overseas branch")

    assert (sixteenth.reference, sixteenth.status) == ("SG000016", "pending")
    with core.read() as session:
        stored = session.get_one(Signer, 16)
    assert stored.excess_reason == "海外拠点ごとに署名者が必要なため / one per overseas branch"


def test_rejected_signers_do_not_count_towards_the_fifteen_nor_do_another_companys(
    core: Core, admin: Login, admin_b: Login, staff: Login
) -> None:
    for number in range(1, 16):
        add(core, admin, particulars(number))
    assert add(core, admin_b, OSAKA).reference == "SG000016"  # company B's first: no reason needed

    decide(core, staff, "SG000003", "reject", "Duplicate of SG000002.")
    sixteenth = add(core, admin, OSAKA)

    assert (sixteenth.reference, sixteenth.status) == ("SG000017", "pending")
    with pytest.raises(InvalidInput) as refused:
        add(core, admin, particulars(99))
    assert refused.value.errors == [SIXTEENTH_REASON]
