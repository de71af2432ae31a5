"""The companies of the contract suite: chamber 1301's two example registrations, built through the backends.

The steps, each taken through a backend as the chamber, the company and its signer take them:

1. staff issue docs/examples/registrations.csv (1301000001 and 1301000002) and print both 貿易登録証 in one
   call, which shows the administrators' initial passwords;
2. the administrator A1301000001 logs in with its password and changes it to TEST_PASSWORD;
3. it adds the signer 大阪 正人 (SG000001) with docs/examples/signatures/osaka.png; staff approve SG000001;
4. it prints SG000001's 署名登録証, which issues the user ID U000001 and shows its password;
5. U000001 logs in and changes its password (the tests of sub IDs go on: it adds SB000001, 鈴木 花子).

Drawing a card subsets the Japanese font for every document (about 0.4 s of CPU), so the steps that only need
a card's password draw it with a stub (``stub_cards``); the tests about cards draw them for real.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from sqlalchemy.exc import SQLAlchemyError

from shomei_cli.backends.base import Backend
from shomei_cli.domain import errors
from shomei_cli.domain.errors import (
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ShomeiError,
    WrongState,
)
from shomei_cli.domain.records import (
    CardPrint,
    IssuedRegistration,
    NewAccount,
    RegistrationSummary,
    RegistrationView,
    ReviewEntry,
    SignerView,
    SubIdView,
)
from tests.contract.conftest import CHAMBER_CODE, NOW, MakeBackend
from tests.helpers import TEST_PASSWORD, unsigned

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
REGISTRATIONS_CSV = (EXAMPLES / "registrations.csv").read_bytes()
SIGNERS_CSV = (EXAMPLES / "signers.csv").read_bytes()
OSAKA_PNG = (EXAMPLES / "signatures" / "osaka.png").read_bytes()
TANAKA_PNG = (EXAMPLES / "signatures" / "tanaka.png").read_bytes()

FIRST, SECOND = "1301000001", "1301000002"
ADMIN, OTHER_ADMIN = "A1301000001", "A1301000002"
SIGNER_REF, USER_ID, SUB_ID = "SG000001", "U000001", "SB000001"
TODAY = date(2026, 11, 27)  # NOW in Tokyo
VALID_UNTIL = date(2028, 11, 26)

# -- the records the example data makes ------------------------------------------------------------------

FIRST_VIEW = RegistrationView(
    registration_number=FIRST,
    kind="exporter",
    corporate_number="2010401000001",
    company_name="日商テスト商事株式会社",
    company_name_en="Nissho Test Co., Ltd.",
    representative_name="大阪 正人",
    representative_name_en="Osaka Masahito",
    representative_title="代表取締役",
    representative_title_en="President",
    postal_code="100-0005",
    address="東京都千代田区丸の内三丁目2番2号",
    address_en="3-2-2 Marunouchi, Chiyoda-ku, Tokyo",
    contact_person="鈴木 花子",
    department="貿易部",
    phone="03-1234-5678",
    email="boueki@nissho-test.example.jp",
    member=True,
    status="active",
    status_reason=None,
    valid_from=TODAY,
    valid_until=VALID_UNTIL,
    days_left=730,
    renewal_open=False,
    admin_id=ADMIN,
    admin_locked=False,
    admin_must_change_password=True,
    pending_requests=[],
    created_at=NOW,
)
SECOND_VIEW = dataclasses.replace(
    FIRST_VIEW,
    registration_number=SECOND,
    kind="agent",
    corporate_number="3011001000002",
    company_name="丸の内フォワーディング株式会社",
    company_name_en="Marunouchi Forwarding K.K.",
    representative_name="田中 一郎",
    representative_name_en="Tanaka Ichiro",
    representative_title="代表取締役社長",
    representative_title_en="President and CEO",
    postal_code="100-0005",  # full-width １０００００５ in the file
    address="東京都千代田区丸の内一丁目1番1号",
    address_en="1-1-1 Marunouchi, Chiyoda-ku, Tokyo",
    contact_person="佐藤 健",
    department=None,
    phone="03-9876-5432",
    email="export@marunouchi-fw.example.jp",
    member=False,
    admin_id=OTHER_ADMIN,
)
# once A1301000001 has changed its initial password
FIRST_ACTIVE = dataclasses.replace(FIRST_VIEW, admin_must_change_password=False)

ISSUED = [
    IssuedRegistration(2, "created", FIRST, "2010401000001", "日商テスト商事株式会社", ADMIN, True),
    IssuedRegistration(
        3, "created", SECOND, "3011001000002", "丸の内フォワーディング株式会社", OTHER_ADMIN, True
    ),
]


def summary_of(view: RegistrationView) -> RegistrationSummary:
    """The list's row of a registration, as its full view has it."""
    return RegistrationSummary(
        registration_number=view.registration_number,
        kind=view.kind,
        company_name=view.company_name,
        company_name_en=view.company_name_en,
        corporate_number=view.corporate_number,
        member=view.member,
        status=view.status,
        valid_until=view.valid_until,
        days_left=view.days_left,
        admin_id=view.admin_id,
    )


OSAKA_FIELDS: dict[str, str | None] = {
    "name": "大阪 正人",
    "name_en": "Osaka Masahito",
    "title": "代表取締役",
    "title_en": "President",
    "birth_date": "1980-01-01",
    "address": "東京都千代田区千代田1-1-1",
    "address_en": "1-1-1 Chiyoda, Chiyoda-ku, Tokyo",
}
TANAKA_FIELDS: dict[str, str | None] = {
    "name": "田中 ゆかり",
    "name_en": "Tanaka Yukari",
    "title": "輸出部長",
    "title_en": "Export Manager",
}
OSAKA_PENDING = SignerView(
    reference=SIGNER_REF,
    registration_number=FIRST,
    status="pending",
    status_reason=None,
    name="大阪 正人",
    name_en="Osaka Masahito",
    title="代表取締役",
    title_en="President",
    birth_date=date(1980, 1, 1),
    address="東京都千代田区千代田1-1-1",
    address_en="1-1-1 Chiyoda, Chiyoda-ku, Tokyo",
    user_id=None,
    user_locked=False,
    sub_ids=0,
    created_at=NOW,
    approved_at=None,
)
OSAKA_ACTIVE = dataclasses.replace(OSAKA_PENDING, status="active", approved_at=NOW)


def tanaka(reference: str, **changes: Any) -> SignerView:
    """田中 ゆかり (the example CSV's second signer, no optional particulars) of 1301000001, pending."""
    return dataclasses.replace(
        OSAKA_PENDING,
        reference=reference,
        name="田中 ゆかり",
        name_en="Tanaka Yukari",
        title="輸出部長",
        title_en="Export Manager",
        birth_date=None,
        address=None,
        address_en=None,
        **changes,
    )


def addition(reference: str, status: str = "pending", **changes: Any) -> ReviewEntry:
    """The review item of a new signer of 1301000001, submitted by its administrator at NOW."""
    decided = status != "pending"
    return dataclasses.replace(
        ReviewEntry(
            reference=reference,
            kind="signer_addition",
            status=status,
            registration_number=FIRST,
            company_name=FIRST_VIEW.company_name,
            summary=f"new signer: {reference}",
            payload={"signer": reference},
            reason=None,
            submitted_at=NOW,
            submitted_by=ADMIN,
            decided_at=NOW if decided else None,
            decided_by="S00001" if decided else None,
        ),
        **changes,
    )


HANAKO_NAME, HANAKO_EMAIL = "鈴木 花子", "hanako@example.jp"
HANAKO = SubIdView(
    login_id=SUB_ID,
    name=HANAKO_NAME,
    email=HANAKO_EMAIL,
    status="active",
    locked=False,
    must_change_password=True,
    signer_user_id=USER_ID,
    created_at=NOW,
)


def image(kind: str, color: str = "white") -> bytes:
    """A small image made in memory: ``kind`` is Pillow's format name (PNG, GIF, …)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 16), color).save(out, format=kind)
    return out.getvalue()


# -- cards without the font ---------------------------------------------------------------------------------


def stub_pdf(login_id: str) -> bytes:
    """What a stubbed card's ``pdf`` is: not a PDF, so that only a real drawing passes ``is_pdf``."""
    return f"stub card of {login_id}".encode()


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF")


@contextmanager
def stub_cards() -> Iterator[None]:
    """Cards printed in this block are recorded as usual, but drawn as ``stub_pdf`` (no font, no PDF)."""
    with (
        patch(
            "shomei_cli.documents.cards.render_registration_cards",
            lambda cards: [stub_pdf(c.admin_id) for c in cards],
        ),
        patch(
            "shomei_cli.documents.cards.render_signer_cards",
            lambda cards: [stub_pdf(c.user_id) for c in cards],
        ),
    ):
        yield


# -- the steps -----------------------------------------------------------------------------------------------


def activate(make_backend: MakeBackend, login_id: str, initial_password: str) -> Backend:
    """A backend of ``login_id``, logged in with its initial password, which it changes to TEST_PASSWORD."""
    backend = make_backend()
    backend.login(CHAMBER_CODE, login_id, initial_password)
    backend.change_password(initial_password, TEST_PASSWORD)
    return backend


def log_in(make_backend: MakeBackend, login_id: str, password: str = TEST_PASSWORD) -> Backend:
    backend = make_backend()
    backend.login(CHAMBER_CODE, login_id, password)
    return backend


@dataclass
class Companies:
    """What the steps leave behind: the backends logged in along the way, and the initial passwords."""

    make_backend: MakeBackend
    staff: Backend
    admin_passwords: dict[str, str]  # the initial passwords of A1301000001 and A1301000002
    admin: Backend  # A1301000001, password TEST_PASSWORD
    signer: Backend | None = None  # U000001, password TEST_PASSWORD

    def other_admin(self) -> Backend:
        """A1301000002, activated now."""
        return activate(self.make_backend, OTHER_ADMIN, self.admin_passwords[OTHER_ADMIN])

    def add_approved_signer(self, fields: dict[str, str | None], signature: bytes = OSAKA_PNG) -> str:
        """Another signer of 1301000001, added and approved; its reference."""
        reference = self.admin.add_signer(fields, signature, None).reference
        self.staff.decide_review(reference, "approve", None)
        return reference

    def issue_user_ids(self, refs: Sequence[str]) -> dict[str, str]:
        """Print the approved signers' cards in one call (stubbed): user ID → initial password."""
        with stub_cards():
            printed = self.admin.print_signer_cards(refs)
        return {card.login_id: card.password or "" for card in printed}


def registered(make_backend: MakeBackend, staff: Backend) -> Companies:
    """Steps 1 and 2: both registrations issued, their cards printed, A1301000001 activated."""
    with stub_cards():
        assert staff.issue_registrations(REGISTRATIONS_CSV) == ISSUED
        printed = staff.print_registration_cards([FIRST, SECOND])
    passwords = {card.login_id: card.password or "" for card in printed}
    return Companies(make_backend, staff, passwords, activate(make_backend, ADMIN, passwords[ADMIN]))


def with_signer(make_backend: MakeBackend, staff: Backend) -> Companies:
    """Steps 1 to 5: and SG000001 added and approved, U000001 issued by its card and activated."""
    companies = registered(make_backend, staff)
    assert companies.add_approved_signer(OSAKA_FIELDS) == SIGNER_REF
    password = companies.issue_user_ids([SIGNER_REF])[USER_ID]
    companies.signer = activate(make_backend, USER_ID, password)
    return companies


def the_signer(companies: Companies) -> Backend:
    assert companies.signer is not None
    return companies.signer


# -- failures, as values to compare --------------------------------------------------------------------------

# the error's class, its code, its message and (InvalidInput) its field errors
Outcome = tuple[type, str | None, str, list[FieldError]]


def public_class(error: ShomeiError) -> type[ShomeiError]:
    """The error's class as shomei_cli.domain.errors defines it. Locally a refused look at another tenant's
    record is services.audit.HiddenRecord, a NotFound made for auditing the refusal; remotely it is NotFound
    itself (see test_registrations.test_a_hidden_record_is_raised_as_not_found_itself)."""
    return next(c for c in type(error).__mro__ if c.__module__ == errors.__name__)


def outcome(call: Callable[[], object]) -> Outcome:
    """How ``call`` fails, as a value. Any exception but the store's is caught, so that a transport's stray
    TypeError shows next to the other cases; a call that succeeds comes back as ``NoneType`` and a repr."""
    try:
        result = call()
    except SQLAlchemyError:
        raise  # a failure of the store itself is no answer of the contract: let it fail the test
    except Exception as error:
        if not isinstance(error, ShomeiError):
            return type(error), None, str(error)[:200], []
        caught = error
    else:
        return type(None), None, repr(result)[:200], []
    assert str(caught) == caught.message
    found = caught.errors if isinstance(caught, InvalidInput) else []
    return public_class(caught), caught.code, caught.message, found


def outcomes(calls: dict[str, Callable[[], object]]) -> dict[str, Outcome]:
    """Every case's outcome at once, so that a failing comparison shows them all."""
    return {case: outcome(call) for case, call in calls.items()}


def invalid(*errors: FieldError) -> Outcome:
    return InvalidInput, "invalid_input", "Invalid input: " + "; ".join(map(str, errors)), list(errors)


def invalid_one(field: str, reason: str, row: int | None = None) -> Outcome:
    return invalid(FieldError(field, reason, row))


ROLE_WORDS = {
    "staff": "a staff ID",
    "admin": "an administrator ID",
    "signer": "a user ID",
    "sub": "a sub ID",
}


def denied(role: str, action: str, allowed: str) -> Outcome:
    message = f"Permission denied: {ROLE_WORDS[role]} may not do {action} (allowed: {allowed})."
    return PermissionDenied, "permission_denied", message, []


def not_found(message: str) -> Outcome:
    return NotFound, "not_found", message, []


def wrong_state(message: str) -> Outcome:
    return WrongState, "wrong_state", message, []


def new_account(login_id: str, role: str, name: str, password: str) -> NewAccount:
    return NewAccount(CHAMBER_CODE, login_id, role, name, password)


def card(
    login_id: str,
    registration: str,
    password: str | None,
    notice: str | None,
    count: int,
    first_printed_at: datetime = NOW,
) -> CardPrint:
    """A printed card; its ``pdf`` is blank: compare with ``without_pdf`` or ``stubbed``."""
    return CardPrint(login_id, registration, password, notice, first_printed_at, count, b"")


def without_pdf(cards: list[CardPrint]) -> list[CardPrint]:
    """The cards with ``pdf`` blanked, to compare every other field whole."""
    return [dataclasses.replace(c, pdf=b"") for c in cards]


def stubbed(printed: CardPrint) -> CardPrint:
    """The card as ``stub_cards`` draws it: the stub's bytes must come back as they were made."""
    return dataclasses.replace(printed, pdf=stub_pdf(printed.login_id))


# -- where local and remote part ways ---------------------------------------------------------------------


def differs_on(request: pytest.FixtureRequest, way: str, side: str, reason: str) -> None:
    """On ``side`` ("local" or "remote") the answer differs from the other side's: the test is expected to
    fail there, with the assertion that compares it (strict: a fix makes it XPASS, and fail)."""
    if way.startswith(f"{side}-"):
        request.applymarker(pytest.mark.xfail(raises=AssertionError, strict=True, reason=reason))


# -- applications for certificates (test_applications.py) -----------------------------------------------

OTHER_USER_ID = "U000002"  # 田中 ゆかり, the signer of 1301000002 that ``second_company_signer`` makes
INVOICE_PDF = (EXAMPLES / "invoice.pdf").read_bytes()


def example_form(name: str) -> dict[str, Any]:
    """docs/examples/``name``.toml exactly as `cert apply --file` reads it (tomllib: dates are ``date``s)."""
    import tomllib

    return tomllib.loads((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8"))


def example_json_form(name: str, **changes: Any) -> dict[str, Any]:
    """The same form as a .json file of it would read: dates as ISO strings; ``changes`` replace top keys."""
    import json

    form: dict[str, Any] = json.loads(json.dumps(example_form(name), default=date.isoformat))
    form.update(changes)
    return form


def add_active_subs(make_backend: MakeBackend, signer: Backend, *names: str) -> list[Backend]:
    """Sub IDs of the signer (SB000001, SB000002 … in order), each logged in with its password changed."""
    created = [signer.add_sub(name, None) for name in names]
    return [activate(make_backend, new.login_id, new.initial_password) for new in created]


def second_company_signer(companies: Companies) -> Backend:
    """A1301000002 activated; its signer 田中 ゆかり (SG000002) added, approved and issued the user ID
    U000002 by its (stubbed) card, which logs in and changes its password."""
    other_admin = companies.other_admin()
    reference = other_admin.add_signer(TANAKA_FIELDS, TANAKA_PNG, None).reference
    companies.staff.decide_review(reference, "approve", None)
    with stub_cards():
        (printed,) = other_admin.print_signer_cards([reference])
    assert printed.login_id == OTHER_USER_ID
    return activate(companies.make_backend, OTHER_USER_ID, printed.password or "")


def stub_document(name: str) -> bytes:
    """What a stubbed certificate or receipt is: not a PDF, so that only a real drawing passes ``is_pdf``."""
    return f"stub {name}".encode()


@contextmanager
def stub_documents() -> Iterator[None]:
    """Certificates and receipts made in this block are recorded as usual, but drawn as ``stub_document``."""
    with (
        patch(
            "shomei_cli.documents.certificates.render_certificates",
            lambda certificates: [stub_document(data.certificate_number) for data in certificates],
        ),
        patch(
            "shomei_cli.documents.certificates.render_receipts",
            lambda receipts: [stub_document(data.receipt_number) for data in receipts],
        ),
        patch("shomei_cli.signing.issued.sign_issued", unsigned),
    ):
        yield


def pdf_pages(data: bytes) -> list[str]:
    """The text of every page of a PDF (the Japanese font's glyphs come out with NULs between them)."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
