"""Signers (署名者), their review, their 署名登録証 and user IDs: the same records and the same refusals on
every way in.

add_signer, import_signers, list_signers, show_signer, update_signer, remove_signer, print_signer_cards and
reset_signer_password, with list_reviews and decide_review on signer items. The companies are made through the
backends (tests/contract/companies.py).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shomei_cli.backends.base import Backend
from shomei_cli.domain.accounts import SESSION_END_MESSAGES
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import AuthenticationFailed, FieldError, SessionEnded
from shomei_cli.domain.passwords import GENERATED_ALPHABET, GENERATED_LENGTH
from shomei_cli.domain.records import ReviewEntry, SignerImport
from shomei_cli.services.cards import NOTICE_AFTER_FIRST_DAY, SIGNER_CARD
from tests.contract.companies import (
    ADMIN,
    FIRST,
    FIRST_VIEW,
    OSAKA_ACTIVE,
    OSAKA_FIELDS,
    OSAKA_PENDING,
    OSAKA_PNG,
    OTHER_ADMIN,
    SECOND,
    SIGNER_REF,
    SIGNERS_CSV,
    TANAKA_FIELDS,
    TANAKA_PNG,
    USER_ID,
    Outcome,
    activate,
    addition,
    card,
    denied,
    image,
    invalid,
    invalid_one,
    is_pdf,
    log_in,
    not_found,
    outcome,
    outcomes,
    registered,
    stub_cards,
    stubbed,
    tanaka,
    the_signer,
    with_signer,
    without_pdf,
    wrong_state,
)
from tests.contract.conftest import CHAMBER_CODE, NOW, MakeBackend
from tests.helpers import TEST_PASSWORD

JST = ZoneInfo("Asia/Tokyo")
NOTICE = NOTICE_AFTER_FIRST_DAY[SIGNER_CARD]
NOBODY = "SG999999"
IMAGES = {"osaka.png": OSAKA_PNG, "tanaka.png": TANAKA_PNG}
SATO_FIELDS: dict[str, str | None] = {
    "name": "佐藤 三郎",
    "name_en": "Sato Saburo",
    "title": "取締役",
    "title_en": "Director",
}
BLANK = image("PNG")  # white paper, no ink
BY_ADMIN = "administrator ID"
VIEWERS = "staff ID, administrator ID, user ID"
AUTHENTICATION_FAILED: Outcome = (
    AuthenticationFailed,
    "authentication_failed",
    AuthenticationFailed().message,
    [],
)


def stroke_jpeg() -> bytes:
    """A JPEG of one pen stroke on white paper."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (160, 60), "white")
    ImageDraw.Draw(picture).line((10, 40, 150, 20), fill="black", width=4)
    out = io.BytesIO()
    picture.save(out, format="JPEG")
    return out.getvalue()


def no_signer(ref: str) -> Outcome:
    """Another company's signer and one that does not exist: the very same answer."""
    return not_found(f"No signer {ref} that you can see.")


def ended(reason: str) -> Outcome:
    return SessionEnded, "session_ended", SESSION_END_MESSAGES[reason], []


# -- adding and reviewing ----------------------------------------------------------------------------------


def test_a_new_signer_waits_for_review_and_the_decision_sets_its_status(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    admin = registered(make_backend, staff).admin
    too_big = b"\x89PNG" + b"\x00" * (2 * 1024 * 1024)
    assert outcomes(
        {
            "fields": lambda: admin.add_signer(
                {"name": " ", "title": "役" * 101, "birth_date": "1980-02-30"}, OSAKA_PNG, None
            ),
            "reason:control": lambda: admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, "理由\x07"),
            "reason:blank": lambda: admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, "  "),
            "reason:long": lambda: admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, "理" * 1001),
            "image:empty": lambda: admin.add_signer(TANAKA_FIELDS, b"", None),
            "image:text": lambda: admin.add_signer(TANAKA_FIELDS, b"this is my signature", None),
            "image:gif": lambda: admin.add_signer(TANAKA_FIELDS, image("GIF", "black"), None),
            "image:truncated": lambda: admin.add_signer(TANAKA_FIELDS, OSAKA_PNG[:200], None),
            "image:blank": lambda: admin.add_signer(TANAKA_FIELDS, BLANK, None),
            "image:filled": lambda: admin.add_signer(TANAKA_FIELDS, image("PNG", "black"), None),
            "image:too-big": lambda: admin.add_signer(TANAKA_FIELDS, too_big, None),
            "everything": lambda: admin.add_signer({}, b"GIF89a", "理" * 1001),
            "staff": lambda: staff.add_signer(TANAKA_FIELDS, TANAKA_PNG, None),
        }
    ) == {
        "fields": invalid(
            FieldError("name", "is required"),
            FieldError("name_en", "is required"),
            FieldError("title", "must be at most 100 characters (it has 101)"),
            FieldError("title_en", "is required"),
            FieldError("birth_date", "must be a date, e.g. 1980-01-01"),
        ),
        "reason:control": invalid_one("reason", "must not contain control characters"),
        "reason:blank": invalid_one("reason", "is required"),  # (optional, but not blank)
        "reason:long": invalid_one("reason", "must be at most 1000 characters (it has 1001)"),
        "image:empty": invalid_one("signature", "is empty"),
        "image:text": invalid_one("signature", "is not a readable PNG or JPEG image"),
        "image:gif": invalid_one("signature", "must be a PNG or JPEG image (this is GIF)"),
        "image:truncated": invalid_one("signature", "is a damaged or truncated image"),
        "image:blank": invalid_one("signature", "has no visible signature (the image is blank)"),
        "image:filled": invalid_one(
            "signature", "is 100% ink: a signature is written on paper, mostly blank (at most 50%)"
        ),
        "image:too-big": invalid_one("signature", f"is {len(too_big)} bytes; at most 2097152 (2 MB)"),
        "everything": invalid(
            FieldError("name", "is required"),
            FieldError("name_en", "is required"),
            FieldError("title", "is required"),
            FieldError("title_en", "is required"),
            FieldError("reason", "must be at most 1000 characters (it has 1001)"),
            FieldError("signature", "is not a readable PNG or JPEG image"),
        ),
        "staff": denied("staff", "signer.manage", BY_ADMIN),
    }
    assert admin.list_signers(None) == []

    assert admin.add_signer(OSAKA_FIELDS, OSAKA_PNG, None) == OSAKA_PENDING
    assert staff.list_reviews("signer_addition", None) == [addition(SIGNER_REF)]
    assert admin.show_registration(None).pending_requests == [SIGNER_REF]

    clock.advance(timedelta(minutes=5))
    later = NOW + timedelta(minutes=5)
    assert staff.decide_review(SIGNER_REF, "approve", None) == addition(
        SIGNER_REF, "approved", decided_at=later, waited_seconds=5 * 60
    )
    osaka = dataclasses.replace(OSAKA_ACTIVE, approved_at=later)
    assert admin.show_signer(SIGNER_REF) == osaka

    # a JPEG with ink on paper is as good as a PNG
    assert admin.add_signer({**TANAKA_FIELDS, "birth_date": ""}, stroke_jpeg(), None) == tanaka(
        "SG000002", created_at=later
    )
    assert staff.decide_review("SG000002", "return", " サインが不鮮明です ") == addition(
        "SG000002", "returned", reason="サインが不鮮明です", submitted_at=later, decided_at=later
    )
    sato = admin.add_signer(SATO_FIELDS, OSAKA_PNG, None)
    assert sato.reference == "SG000003"
    assert staff.decide_review("SG000003", "reject", "本人確認できません").status == "rejected"
    assert admin.list_signers(None) == [
        osaka,
        tanaka("SG000002", created_at=later, status="returned", status_reason="サインが不鮮明です"),
        dataclasses.replace(sato, status="rejected", status_reason="本人確認できません"),
    ]
    assert staff.list_reviews("signer_addition", None) == []
    assert [(e.reference, e.status) for e in staff.list_reviews("signer_addition", "all")] == [
        (SIGNER_REF, "approved"),
        ("SG000002", "returned"),
        ("SG000003", "rejected"),
    ]
    assert outcome(lambda: staff.decide_review(SIGNER_REF, "reject", "遅すぎ")) == wrong_state(
        f"{SIGNER_REF} is already approved; only pending items can be decided."
    )


def test_import_creates_every_row_once_and_needs_a_reason_from_the_sixteenth(
    make_backend: MakeBackend, staff: Backend
) -> None:
    admin = registered(make_backend, staff).admin
    header, osaka_row, _tanaka_row = SIGNERS_CSV.decode("utf-8").splitlines()
    assert outcomes(
        {
            "missing-image": lambda: admin.import_signers(SIGNERS_CSV, {"osaka.png": OSAKA_PNG}),
            "bad-images": lambda: admin.import_signers(
                SIGNERS_CSV, {"osaka.png": b"junk", "tanaka.png": BLANK}
            ),
            "bad-date": lambda: admin.import_signers(
                "\n".join([header, osaka_row.replace("1980-01-01", "1980/13/01")]).encode(), IMAGES
            ),
            "no-signature-column": lambda: admin.import_signers(
                f"{header.replace(',サイン', '')}\n{osaka_row.replace(',osaka.png', '')}\n".encode(),
                IMAGES,
            ),
            "no-file-name": lambda: admin.import_signers(
                "\n".join([header, osaka_row.replace("osaka.png", "")]).encode(), IMAGES
            ),
            "empty": lambda: admin.import_signers(b"", IMAGES),
            "staff": lambda: staff.import_signers(SIGNERS_CSV, IMAGES),
        }
    ) == {
        "missing-image": invalid_one("signature", "tanaka.png is not in the signatures folder", 3),
        "bad-images": invalid(
            FieldError("signature", "osaka.png is not a readable PNG or JPEG image", 2),
            FieldError("signature", "tanaka.png has no visible signature (the image is blank)", 3),
        ),
        "bad-date": invalid_one("birth_date", "must be a date, e.g. 1980-01-01", 2),
        "no-signature-column": invalid_one("signature", "column is missing", 1),
        "no-file-name": invalid_one("signature", "is required (the image's file name)", 2),
        "empty": invalid_one("file", "is empty"),
        "staff": denied("staff", "signer.manage", BY_ADMIN),
    }
    assert admin.list_signers(None) == []

    created = [
        SignerImport(2, "created", SIGNER_REF, "大阪 正人", "Osaka Masahito", "pending"),
        SignerImport(3, "created", "SG000002", "田中 ゆかり", "Tanaka Yukari", "pending"),
    ]
    assert admin.import_signers(SIGNERS_CSV, IMAGES) == created
    # the same file saved as Shift_JIS: the same two, reported as existing
    assert admin.import_signers(SIGNERS_CSV.decode("utf-8").encode("cp932"), IMAGES) == [
        dataclasses.replace(c, outcome="exists") for c in created
    ]
    assert admin.list_signers(None) == [OSAKA_PENDING, tanaka("SG000002")]
    assert staff.list_reviews(None, None) == [addition(SIGNER_REF), addition("SG000002")]

    # thirteen more make fifteen; the sixteenth needs a written reason, in a batch as on its own
    more = [f"署名者 {n},Signer {n},部長,Manager,osaka.png,,," for n in range(3, 16)]
    batch = admin.import_signers("\n".join([header, *more]).encode(), IMAGES)
    assert [(i.row, i.outcome, i.reference) for i in batch] == [
        (n, "created", f"SG{n + 1:06d}") for n in range(2, 15)
    ]
    sixteenth = "署名者 16,Signer 16,部長,Manager,osaka.png,,,"
    reason_required = (
        "is required: the company already has 15 signers (a 16th and later signer needs a written reason)"
    )
    assert outcomes(
        {
            "add": lambda: admin.add_signer(SATO_FIELDS, OSAKA_PNG, None),
            "import": lambda: admin.import_signers("\n".join([header, sixteenth]).encode(), IMAGES),
        }
    ) == {
        "add": invalid_one("reason", reason_required),
        "import": invalid_one("reason", reason_required, 2),
    }
    with_reason = admin.import_signers(f"{header},理由\n{sixteenth},海外拠点の署名者\n".encode(), IMAGES)
    assert with_reason == [SignerImport(2, "created", "SG000016", "署名者 16", "Signer 16", "pending")]
    assert admin.add_signer(SATO_FIELDS, OSAKA_PNG, "輸出量の増加").reference == "SG000017"


# -- reading, and the 署名登録証 ----------------------------------------------------------------------------


def test_the_card_issues_the_user_id_and_shows_its_password_on_the_first_day_only(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    companies = registered(make_backend, staff)
    admin = companies.admin
    other_admin = companies.other_admin()
    admin.add_signer(OSAKA_FIELDS, OSAKA_PNG, None)
    admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, None)
    theirs = tanaka("SG000003", registration_number=SECOND)
    assert other_admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, None) == theirs
    pending = "Signer SG000001 is pending: a card can be printed only for a signer the chamber has approved."
    assert outcome(lambda: admin.print_signer_cards([SIGNER_REF])) == wrong_state(pending)
    staff.decide_review(SIGNER_REF, "approve", None)
    staff.decide_review("SG000002", "approve", None)

    day_one = admin.print_signer_cards([SIGNER_REF, "SG000002"])
    assert all(is_pdf(c.pdf) for c in day_one)
    osaka_password, tanaka_password = (c.password or "" for c in day_one)
    for password in (osaka_password, tanaka_password):
        assert len(password) == GENERATED_LENGTH
        assert set(password) <= set(GENERATED_ALPHABET)
    assert without_pdf(day_one) == [
        card(USER_ID, FIRST, osaka_password, None, 1),
        card("U000002", FIRST, tanaka_password, None, 1),
    ]
    osaka = dataclasses.replace(OSAKA_ACTIVE, user_id=USER_ID)
    ours = [osaka, tanaka("SG000002", status="active", approved_at=NOW, user_id="U000002")]
    # the same day, by user ID: the same password
    with stub_cards():
        assert admin.print_signer_cards(["U000002"]) == [
            stubbed(card("U000002", FIRST, tanaka_password, None, 2))
        ]

    signer = make_backend()
    who = signer.login(CHAMBER_CODE, USER_ID, osaka_password).identity
    assert (who.login_id, who.role, who.name, who.registration_number, who.must_change_password) == (
        USER_ID,
        "signer",
        "大阪 正人",
        FIRST,
        True,
    )
    signer.change_password(osaka_password, TEST_PASSWORD)
    # once the signer has changed it, the initial password is on no card, even that day
    with stub_cards():
        assert admin.print_signer_cards([USER_ID]) == [stubbed(card(USER_ID, FIRST, None, NOTICE, 2))]

    # who sees which signers
    assert staff.list_signers(FIRST) == ours
    assert staff.list_signers(f" {SECOND} ") == [theirs]
    assert staff.show_signer("SG000003") == theirs
    assert admin.list_signers(None) == ours
    assert admin.list_signers(FIRST) == ours
    assert admin.show_signer(f" {SIGNER_REF} ") == osaka
    assert admin.show_signer("U000002") == ours[1]
    assert signer.list_signers(None) == ours
    assert signer.show_signer(USER_ID) == osaka
    assert other_admin.list_signers(None) == [theirs]
    assert staff.show_registration(FIRST) == dataclasses.replace(FIRST_VIEW, admin_must_change_password=False)
    assert signer.show_registration(None) == dataclasses.replace(FIRST_VIEW, admin_must_change_password=False)

    clock.set(datetime(2026, 11, 28, 0, 0, tzinfo=JST))  # the next day in Tokyo: never again
    staff, admin, signer = (log_in(make_backend, i) for i in ("S00001", ADMIN, USER_ID))
    other_admin = log_in(make_backend, OTHER_ADMIN)
    with stub_cards():
        assert admin.print_signer_cards(["SG000002", SIGNER_REF]) == [
            stubbed(card("U000002", FIRST, None, NOTICE, 3)),
            stubbed(card(USER_ID, FIRST, None, NOTICE, 3)),
        ]
    assert outcomes(
        {
            "card:other-company": lambda: admin.print_signer_cards(["SG000003"]),
            "card:nobody-after-one": lambda: admin.print_signer_cards([SIGNER_REF, NOBODY]),
            "card:none": lambda: admin.print_signer_cards([]),
            "card:501": lambda: admin.print_signer_cards([SIGNER_REF] * 501),
            "card:ours-from-other": lambda: other_admin.print_signer_cards([SIGNER_REF]),
            "card:staff": lambda: staff.print_signer_cards([SIGNER_REF]),
            "card:signer": lambda: signer.print_signer_cards([SIGNER_REF]),
            "show:other-company": lambda: admin.show_signer("SG000003"),
            "show:nobody": lambda: admin.show_signer(NOBODY),
            "show:ours-from-other": lambda: other_admin.show_signer(USER_ID),
            "show:staff-nobody": lambda: staff.show_signer(NOBODY),
            "list:other-company": lambda: admin.list_signers(SECOND),
            "list:signer-other-company": lambda: signer.list_signers(SECOND),
            "list:staff-unnamed": lambda: staff.list_signers(None),
            "list:staff-nobody": lambda: staff.list_signers("1301999999"),
            "add:signer": lambda: signer.add_signer(TANAKA_FIELDS, TANAKA_PNG, None),
            "import:signer": lambda: signer.import_signers(SIGNERS_CSV, IMAGES),
            "registration-card:signer": lambda: signer.print_registration_cards([None]),
            "reviews:signer": lambda: signer.list_reviews(None, None),
        }
    ) == {
        "card:other-company": no_signer("SG000003"),
        "card:nobody-after-one": no_signer(NOBODY),
        "card:none": invalid_one("signer", "name between 1 and 500 signers"),
        "card:501": invalid_one("signer", "name between 1 and 500 signers"),
        "card:ours-from-other": no_signer(SIGNER_REF),
        "card:staff": denied("staff", "signer_card.print", BY_ADMIN),
        "card:signer": denied("signer", "signer_card.print", BY_ADMIN),
        "show:other-company": no_signer("SG000003"),
        "show:nobody": no_signer(NOBODY),
        "show:ours-from-other": no_signer(USER_ID),
        "show:staff-nobody": no_signer(NOBODY),
        "list:other-company": not_found(f"No registration {SECOND} that you can see."),
        "list:signer-other-company": not_found(f"No registration {SECOND} that you can see."),
        "list:staff-unnamed": invalid_one("registration", "is required (a registration number)"),
        "list:staff-nobody": not_found("No registration 1301999999 that you can see."),
        "add:signer": denied("signer", "signer.manage", BY_ADMIN),
        "import:signer": denied("signer", "signer.manage", BY_ADMIN),
        "registration-card:signer": denied("signer", "registration_card.print", "staff ID, administrator ID"),
        "reviews:signer": denied("signer", "review.decide", "staff ID"),
    }
    # the refused batch printed nothing
    with stub_cards():
        assert admin.print_signer_cards([SIGNER_REF]) == [stubbed(card(USER_ID, FIRST, None, NOTICE, 4))]
    assert signer.show_registration(None) == dataclasses.replace(
        FIRST_VIEW, admin_must_change_password=False, days_left=729
    )
    assert outcome(lambda: signer.show_registration(SECOND)) == not_found(
        f"No registration {SECOND} that you can see."
    )


# -- changing and removing -----------------------------------------------------------------------------------


def test_particulars_change_at_once_a_new_signature_is_reviewed_and_removal_disables_the_ids(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    companies = with_signer(make_backend, staff)
    admin, signer = companies.admin, the_signer(companies)
    sub_password = signer.add_sub("鈴木 花子", None).initial_password
    issued = dataclasses.replace(OSAKA_ACTIVE, user_id=USER_ID, sub_ids=1)

    retitled = dataclasses.replace(
        issued, title="代表取締役会長", title_en="Chairman", address=None, address_en=None
    )
    new_title = {"title": "代表取締役会長", "title_en": " Chairman ", "address": "", "address_en": None}
    assert admin.update_signer(f" {SIGNER_REF} ", new_title, None) == retitled
    assert signer.show_signer(USER_ID) == retitled

    clock.advance(timedelta(minutes=5))
    later = NOW + timedelta(minutes=5)
    resigned = dataclasses.replace(retitled, status="pending")
    assert admin.update_signer(USER_ID, {}, TANAKA_PNG) == resigned
    change = ReviewEntry(
        reference="RQ000001",
        kind="signature_change",
        status="pending",
        registration_number=FIRST,
        company_name=FIRST_VIEW.company_name,
        summary="new signature: SG000001",
        payload={"signer": SIGNER_REF},
        reason=None,
        submitted_at=later,
        submitted_by=ADMIN,
        decided_at=None,
        decided_by=None,
    )
    assert staff.list_reviews(None, None) == [change]
    # a signer waiting for review stays in the queue when updated again
    assert admin.update_signer(SIGNER_REF, {"name_en": "Osaka Masato"}, None) == dataclasses.replace(
        resigned, name_en="Osaka Masato"
    )
    assert staff.list_reviews(None, None) == [change]
    assert staff.decide_review("RQ000001", "return", "枠からはみ出しています") == dataclasses.replace(
        change, status="returned", reason="枠からはみ出しています", decided_at=later, decided_by="S00001"
    )
    returned = dataclasses.replace(
        resigned, name_en="Osaka Masato", status="returned", status_reason="枠からはみ出しています"
    )
    assert admin.show_signer(SIGNER_REF) == returned
    # any update resubmits a returned signer, as a new item
    assert admin.update_signer(SIGNER_REF, {}, OSAKA_PNG) == dataclasses.replace(
        returned, status="pending", status_reason=None
    )
    assert [(e.reference, e.kind, e.summary) for e in staff.list_reviews(None, None)] == [
        ("RQ000002", "signer_addition", "new signer: SG000001")
    ]
    staff.decide_review("RQ000002", "approve", None)
    approved = dataclasses.replace(returned, status="active", status_reason=None, approved_at=later)
    assert admin.show_signer(SIGNER_REF) == approved

    rejected = admin.add_signer(SATO_FIELDS, OSAKA_PNG, None).reference
    staff.decide_review(rejected, "reject", "本人確認できません")
    pending = admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, None).reference  # in the queue
    other_admin = companies.other_admin()
    theirs = other_admin.add_signer(SATO_FIELDS, OSAKA_PNG, None).reference
    sub = activate(make_backend, "SB000001", sub_password)
    assert outcomes(
        {
            "update:nothing": lambda: admin.update_signer(SIGNER_REF, {}, None),
            "update:unknown-field-only": lambda: admin.update_signer(SIGNER_REF, {"nickname": "Masa"}, None),
            "update:bad-fields": lambda: admin.update_signer(
                SIGNER_REF, {"name": " ", "birth_date": "yesterday"}, None
            ),
            "update:bad-image": lambda: admin.update_signer(SIGNER_REF, {}, BLANK),
            "update:rejected": lambda: admin.update_signer(rejected, {"title": "監査役"}, None),
            "update:other-company": lambda: admin.update_signer(theirs, {"title": "監査役"}, None),
            "update:nobody": lambda: admin.update_signer(NOBODY, {"title": "監査役"}, None),
            "update:staff": lambda: staff.update_signer(SIGNER_REF, {"title": "監査役"}, None),
            "update:signer": lambda: signer.update_signer(SIGNER_REF, {"title": "監査役"}, None),
            "remove:other-company": lambda: admin.remove_signer(theirs),
            "remove:ours-from-other": lambda: other_admin.remove_signer(SIGNER_REF),
            "remove:nobody": lambda: admin.remove_signer(NOBODY),
            "remove:staff": lambda: staff.remove_signer(SIGNER_REF),
            "remove:signer": lambda: signer.remove_signer(SIGNER_REF),
            "remove:sub": lambda: sub.remove_signer(SIGNER_REF),
            "list:sub": lambda: sub.list_signers(None),
            "show:sub": lambda: sub.show_signer(USER_ID),
            "registration:sub": lambda: sub.show_registration(None),
        }
    ) == {
        "update:nothing": invalid_one("signer", "give at least one particular or a new signature"),
        "update:unknown-field-only": invalid_one("signer", "give at least one particular or a new signature"),
        "update:bad-fields": invalid(
            FieldError("name", "is required"), FieldError("birth_date", "must be a date, e.g. 1980-01-01")
        ),
        "update:bad-image": invalid_one("signature", "has no visible signature (the image is blank)"),
        "update:rejected": wrong_state(f"Signer {rejected} is rejected; register a new signer instead."),
        "update:other-company": no_signer(theirs),
        "update:nobody": no_signer(NOBODY),
        "update:staff": denied("staff", "signer.manage", BY_ADMIN),
        "update:signer": denied("signer", "signer.manage", BY_ADMIN),
        "remove:other-company": no_signer(theirs),
        "remove:ours-from-other": no_signer(SIGNER_REF),
        "remove:nobody": no_signer(NOBODY),
        "remove:staff": denied("staff", "signer.manage", BY_ADMIN),
        "remove:signer": denied("signer", "signer.manage", BY_ADMIN),
        "remove:sub": denied("sub", "signer.manage", BY_ADMIN),
        "list:sub": denied("sub", "signer.view", VIEWERS),
        "show:sub": denied("sub", "signer.view", VIEWERS),
        "registration:sub": denied("sub", "registration.view", VIEWERS),
    }
    assert admin.show_signer(SIGNER_REF) == approved

    # removal: the user ID and its sub IDs are disabled, their sessions end, their logins fail
    clock.advance(timedelta(minutes=5))
    removed = dataclasses.replace(approved, status="removed", sub_ids=0)
    assert admin.remove_signer(USER_ID) == removed
    assert outcomes(
        {
            "signer": signer.whoami,
            "sub": sub.whoami,
            "signer:login": lambda: log_in(make_backend, USER_ID),
            "sub:login": lambda: log_in(make_backend, "SB000001"),
        }
    ) == {
        "signer": ended("disabled"),
        "sub": ended("disabled"),
        "signer:login": AUTHENTICATION_FAILED,
        "sub:login": AUTHENTICATION_FAILED,
    }
    # a removed signer comes last; a pending one leaves the queue with its removal
    assert admin.remove_signer(pending) == tanaka(pending, created_at=later, status="removed")
    assert [(s.reference, s.status) for s in admin.list_signers(None)] == [
        (rejected, "rejected"),
        (SIGNER_REF, "removed"),
        (pending, "removed"),
    ]
    assert [(e.reference, e.registration_number) for e in staff.list_reviews(None, None)] == [
        (theirs, SECOND)
    ]
    assert outcomes(
        {
            "remove-again": lambda: admin.remove_signer(SIGNER_REF),
            "update-removed": lambda: admin.update_signer(SIGNER_REF, {"title": "相談役"}, None),
            "reset-removed": lambda: admin.reset_signer_password(USER_ID, None),
            "print-removed": lambda: admin.print_signer_cards([SIGNER_REF]),
        }
    ) == {
        "remove-again": wrong_state(f"Signer {SIGNER_REF} is already removed."),
        "update-removed": wrong_state(f"Signer {SIGNER_REF} is removed; register a new signer instead."),
        "reset-removed": wrong_state(f"User ID {USER_ID} is disabled."),
        "print-removed": wrong_state(
            f"Signer {SIGNER_REF} is removed: a card can be printed only for a signer the chamber has "
            "approved."
        ),
    }


# -- the user ID's password ---------------------------------------------------------------------------------


def test_reset_signer_password_to_a_chosen_or_a_generated_one(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    companies = with_signer(make_backend, staff)
    admin, signer = companies.admin, the_signer(companies)
    issued = dataclasses.replace(OSAKA_ACTIVE, user_id=USER_ID)
    clock.advance(timedelta(minutes=10))
    chosen = "hoshi-ga-nagareru-yoru-88"
    assert admin.reset_signer_password(f" {USER_ID} ", chosen) == issued
    assert outcome(signer.whoami) == ended("password_reset")
    # a chosen password is on no card: the card says so, even on the day of its first print
    with stub_cards():
        assert admin.print_signer_cards([SIGNER_REF]) == [
            stubbed(card(USER_ID, FIRST, None, NOTICE, 1, NOW + timedelta(minutes=10)))
        ]
    signer = make_backend()
    assert signer.login(CHAMBER_CODE, USER_ID, chosen).identity.must_change_password is True

    clock.advance(timedelta(minutes=10))
    assert admin.reset_signer_password(SIGNER_REF, None) == issued
    with stub_cards():
        (printed,) = admin.print_signer_cards([USER_ID])
    generated = printed.password or ""
    assert generated not in ("", chosen)
    assert printed == stubbed(card(USER_ID, FIRST, generated, None, 1, NOW + timedelta(minutes=20)))
    assert outcome(signer.whoami) == ended("password_reset")
    signer = activate(make_backend, USER_ID, generated)

    unprinted = companies.add_approved_signer(TANAKA_FIELDS, TANAKA_PNG)
    theirs = companies.other_admin().add_signer(SATO_FIELDS, OSAKA_PNG, None).reference
    assert outcomes(
        {
            "short": lambda: admin.reset_signer_password(USER_ID, "hoshi"),
            "with-id": lambda: admin.reset_signer_password(USER_ID, f"{USER_ID.lower()}-hoshi-ga-nagareru"),
            "no-user-id": lambda: admin.reset_signer_password(unprinted, None),
            "other-company": lambda: admin.reset_signer_password(theirs, None),
            "nobody": lambda: admin.reset_signer_password("U999999", None),
            "staff": lambda: staff.reset_signer_password(USER_ID, None),
            "signer": lambda: signer.reset_signer_password(USER_ID, chosen),
        }
    ) == {
        "short": invalid_one("password", "must be at least 12 characters (it has 5)"),
        "with-id": invalid_one("password", "must not contain the ID"),
        "no-user-id": wrong_state(f"Signer {unprinted} has no user ID yet: print its card to issue one."),
        "other-company": no_signer(theirs),
        "nobody": no_signer("U999999"),
        "staff": denied("staff", "signer.password_reset", BY_ADMIN),
        "signer": denied("signer", "signer.password_reset", BY_ADMIN),
    }
