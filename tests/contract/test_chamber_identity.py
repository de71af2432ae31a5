"""The chamber's identity on paper, on every backend: chamber_profile, set_chamber_profile, set_chamber_seal,
set_chamber_officer, and set_fee's tax treatment; box 10 and the receipt print the seal and officer in force
when the certificate was issued (or the fee paid), whatever staff set later."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError
from shomei_cli.domain.records import ChamberProfile, FeeRow, OfficerVersion, SealVersion
from tests.contract.companies import (
    add_active_subs,
    denied,
    example_json_form,
    image,
    invalid,
    invalid_one,
    outcomes,
    the_signer,
    with_signer,
)
from tests.contract.conftest import CHAMBER_CODE, CHAMBER_NAME, CHAMBER_NAME_EN, NOW, MakeBackend

ROOT = Path(__file__).resolve().parents[2]
SEAL = (ROOT / "src" / "shomei_cli" / "demo_data" / "seal.png").read_bytes()
OFFICER_SIGNATURE = (ROOT / "src" / "shomei_cli" / "demo_data" / "signatures" / "tanaka.png").read_bytes()
STAFF_ONLY = "staff ID"
REGISTRATION_NUMBER = "T7010005005367"  # T and a corporate number whose check digit (7) is right


def wide_seal() -> bytes:
    """Another seal, twice as wide as high, so that its picture in a PDF tells it from the first."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(picture).rectangle((10, 10, 390, 190), outline=(200, 30, 30), width=12)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def empty_profile() -> ChamberProfile:
    return ChamberProfile(
        code=CHAMBER_CODE,
        name=CHAMBER_NAME,
        name_en=CHAMBER_NAME_EN,
        address=None,
        address_en=None,
        place=None,
        invoice_registration_number=None,
        seal=None,
        officer=None,
    )


def image_sizes(pdf: bytes, page: int = 0) -> set[tuple[int, int]]:
    return {picture.image.size for picture in PdfReader(io.BytesIO(pdf)).pages[page].images if picture.image}


def page_text(pdf: bytes, page: int = 0) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[page].extract_text()


def test_staff_set_the_chamber_profile_seal_and_officer(make_backend: MakeBackend, staff: Backend) -> None:
    assert staff.chamber_profile() == empty_profile()
    changed = staff.set_chamber_profile(
        " 東京都千代田区丸の内3-2-2 ", "3-2-2 Marunouchi, Chiyoda-ku, Tokyo", "Tokyo", "t 7010-0050-05367"
    )
    profile = ChamberProfile(
        **{
            **empty_profile().__dict__,
            "address": "東京都千代田区丸の内3-2-2",
            "address_en": "3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
            "place": "Tokyo",
            "invoice_registration_number": REGISTRATION_NUMBER,
        }
    )
    assert changed == profile
    # None leaves a field as it is; an empty string clears it
    assert staff.set_chamber_profile(None, "", None, None) == ChamberProfile(
        **{**profile.__dict__, "address_en": None}
    )

    sealed = staff.set_chamber_seal(SEAL)
    assert sealed.seal is not None
    assert sealed.seal == SealVersion(version=1, set_at=NOW, set_by="S00001", sha256=sealed.seal.sha256)
    assert len(sealed.seal.sha256) == 64
    officer = staff.set_chamber_officer(" Yamada Taro ", "Director, Certificate Center", OFFICER_SIGNATURE)
    assert officer.officer is not None
    assert officer.officer == OfficerVersion(
        version=1,
        name="Yamada Taro",
        title="Director, Certificate Center",
        set_at=NOW,
        set_by="S00001",
        signature_sha256=officer.officer.signature_sha256,
    )
    assert officer.seal == sealed.seal
    again = staff.set_chamber_seal(wide_seal())
    assert again.seal is not None and again.seal.version == 2 and again.seal.sha256 != sealed.seal.sha256
    assert staff.chamber_profile() == again


def test_the_chamber_profile_refuses_bad_input_naming_each_field(
    make_backend: MakeBackend, staff: Backend
) -> None:
    wrong_digit = "T7010005005368"
    assert outcomes(
        {
            "check digit": lambda: staff.set_chamber_profile(None, None, None, wrong_digit),
            "no T": lambda: staff.set_chamber_profile(None, None, None, "7010005005367"),
            "too short": lambda: staff.set_chamber_profile(None, None, None, "T701000500536"),
            "control": lambda: staff.set_chamber_profile("丸の内\x07", None, "x" * 101, None),
            "seal not an image": lambda: staff.set_chamber_seal(b"%PDF-1.7 not an image"),
            "seal blank": lambda: staff.set_chamber_seal(image("PNG")),
            "officer": lambda: staff.set_chamber_officer(" ", "Director", image("GIF")),
            "tax rate": lambda: staff.set_fee("co", True, 1260, 100, 5),
        }
    ) == {
        "check digit": invalid_one(
            "invoice_registration_number", "is not a valid registration number (its check digit is wrong)"
        ),
        "no T": invalid_one(
            "invoice_registration_number", "must be T and 13 digits (適格請求書発行事業者登録番号)"
        ),
        "too short": invalid_one(
            "invoice_registration_number", "must be T and 13 digits (適格請求書発行事業者登録番号)"
        ),
        "control": invalid(
            FieldError("address", "must not contain control characters"),
            FieldError("place", "must be at most 100 characters (it has 101)"),
        ),
        "seal not an image": invalid_one("seal", "is not a readable PNG or JPEG image"),
        "seal blank": invalid_one("seal", "has no visible signature (the image is blank)"),
        "officer": invalid(
            FieldError("name", "is required"),
            FieldError("signature", "must be a PNG or JPEG image (this is GIF)"),
        ),
        "tax rate": invalid_one("tax_rate", "must be 10 or 8 (per cent), or 0 for not taxable"),
    }
    assert staff.chamber_profile() == empty_profile()  # nothing half-written


def test_only_staff_set_or_see_the_chamber_identity(make_backend: MakeBackend, staff: Backend) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    admin = companies.admin
    assert outcomes(
        {
            "signer:profile": signer.chamber_profile,
            "admin:profile": lambda: admin.set_chamber_profile("x", None, None, None),
            "signer:seal": lambda: signer.set_chamber_seal(SEAL),
            "admin:officer": lambda: admin.set_chamber_officer("X", "Y", OFFICER_SIGNATURE),
        }
    ) == {
        "signer:profile": denied("signer", "chamber.identity", STAFF_ONLY),
        "admin:profile": denied("admin", "chamber.identity", STAFF_ONLY),
        "signer:seal": denied("signer", "chamber.identity", STAFF_ONLY),
        "admin:officer": denied("admin", "chamber.identity", STAFF_ONLY),
    }
    assert staff.chamber_profile() == empty_profile()


def test_a_certificate_and_its_receipt_keep_the_seal_and_officer_they_were_issued_with(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    (sub,) = add_active_subs(make_backend, signer, "鈴木 花子")
    staff.set_chamber_profile("東京都千代田区丸の内3-2-2", None, "Tokyo", REGISTRATION_NUMBER)
    staff.set_chamber_seal(SEAL)
    staff.set_chamber_officer("Yamada Taro", "Director", OFFICER_SIGNATURE)
    staff.topup("1301000001", 10_000)

    def issue(reception: str) -> None:
        sub.apply("co", example_json_form("shipment"), None, False)
        staff.decide_review(reception, "approve", None)
        sub.pay_application(reception, "prepaid", None)

    issue("1301-00000001")
    clock.advance(timedelta(minutes=5))
    staff.set_chamber_seal(wide_seal())
    staff.set_chamber_officer("Suzuki Jiro", "Managing Director", OFFICER_SIGNATURE)
    clock.advance(timedelta(minutes=5))
    issue("1301-00000002")

    before = sub.print_certificate("1301-00000001").pdf
    after = sub.print_certificate("1301-00000002").pdf
    old_seal, new_seal = image_sizes(before) - image_sizes(after), image_sizes(after) - image_sizes(before)
    assert len(old_seal) == 1 and len(new_seal) == 1
    ((width, height),) = new_seal
    assert width > 1.8 * height  # the wide one (cropped to its ink)
    for pdf, officer, other in (
        (before, "Yamada Taro\nDirector", "Suzuki"),
        (after, "Suzuki Jiro\nManaging Director", "Yamada"),
    ):
        for page in (0, 1):  # the ORIGINAL and the COPY alike
            text = page_text(pdf, page)
            assert officer in text and other not in text
            assert "Tokyo, 27 November 2026" in text

    first, second = sub.receipt("1301-00000001").pdf, sub.receipt("1301-00000002").pdf
    assert image_sizes(first) == old_seal and image_sizes(second) == new_seal
    text = page_text(first)
    for expected in (
        "適格請求書  Qualified invoice",
        "登録番号 Registration No. T7010005005367",
        "東京都千代田区丸の内3-2-2",
        "10%対象 Taxable at 10%",
        "¥1,360 (税込 tax incl.)   消費税 Tax ¥123",  # 1,360 × 10/110 = 123.6…, rounded down
        "(うち消費税 10%  ¥123  /  incl. consumption tax)",
    ):
        assert expected in text, (expected, text)


def test_the_fee_tables_tax_treatment_is_fixed_at_approval_and_printed_on_the_receipt(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    rows = staff.set_fee("co", True, 1260, 100, 0)
    assert rows[0] == FeeRow("co", True, 1260, 100, 0)
    assert staff.set_fee("co", True, 1300, 100)[0] == FeeRow("co", True, 1300, 100, 0)  # as it was
    assert staff.fees()[1] == FeeRow("co", False, 3460, 200, 10)
    signer.apply("co", example_json_form("shipment"), None, False)
    staff.decide_review("1301-00000001", "approve", None)
    staff.set_fee("co", True, 1300, 100, 10)  # after approval: the application keeps "not taxable"
    staff.topup("1301000001", 10_000)
    signer.pay_application("1301-00000001", "prepaid", None)
    text = page_text(signer.receipt("1301-00000001").pdf)
    assert "非課税 Not taxable ¥1,400   消費税 Tax ¥0" in text
    assert "適格請求書" not in text  # no registration number set: a plain receipt
