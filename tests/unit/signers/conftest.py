"""Fixtures for the signer tests (署名者, サブID, 署名登録証): a store with a cheap hasher, chamber 1301 with
the example registrations issued by staff, each company's administrator activated, signature images made in
memory with Pillow, and builders for signers, user IDs and sub IDs.

The hasher is argon2id with small parameters: these tests are about signers and their cards, not about the
cost of a hash (tests/unit/services covers the real parameters).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from sqlmodel import col, func, select

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.records import CardPrint, IssuedRegistration, NewChamber, SignerView
from shomei_cli.services import auth, registrations, review, signers, subids
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import HashParameters, PasswordHashing
from shomei_cli.store.tables import Account, AuditEvent, CredentialCard, ReviewItem, Signer
from tests.helpers import TEST_PASSWORD, activate

HERE = Path(__file__).resolve().parent
EXAMPLE_CSV = HERE.parents[2] / "docs" / "examples" / "registrations.csv"
FAST_HASHING = HashParameters(memory_kib=1024, time_cost=1, parallelism=1)

# -- the PDFs ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_cards(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cards are drawn by a stub (a card takes a good fraction of a second to draw; the services record the
    print before drawing it), except the 署名登録証 of a test that asks for ``real_pdf``. tests/documents and
    the CLI tests read real cards."""
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_registration_cards",
        lambda cards: [f"%PDF-stub {c.admin_id}".encode() for c in cards],
    )
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr(
            "shomei_cli.documents.cards.render_signer_cards",
            lambda cards: [f"%PDF-stub {c.user_id}".encode() for c in cards],
        )


@pytest.fixture
def real_pdf() -> None:
    """Ask for it to have cards drawn for real."""


# The particulars of the first signer (the representative of 日商テスト商事, as on its registration).
OSAKA: dict[str, str | None] = {
    "name": "大阪 正人",
    "name_en": "Osaka Masahito",
    "title": "代表取締役",
    "title_en": "President",
}

# -- signature images ----------------------------------------------------------------------------------

# A 600 x 200 sheet with one black stroke, its edges on 8-pixel JPEG blocks so that JPEG keeps them exact.
SHEET = (600, 200)
STROKE = (96, 80, 503, 119)  # inclusive: the ink covers x 96..503 and y 80..119
# the ink plus a 4-pixel margin: 416 x 48
STORED_SIZE = (STROKE[2] + 1 - STROKE[0] + 8, STROKE[3] + 1 - STROKE[1] + 8)


def encode(image: Image.Image, kind: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def stroke_image(mode: str = "RGB", paper: Any = "white", ink: Any = "black") -> Image.Image:
    image = Image.new(mode, SHEET, paper)
    ImageDraw.Draw(image).rectangle(STROKE, fill=ink)
    return image


def png_signature() -> bytes:
    """A black stroke on white paper, as a scanner saves it."""
    return encode(stroke_image(), "PNG")


def jpeg_signature() -> bytes:
    """The same stroke as a camera or scanner JPEG."""
    return encode(stroke_image(), "JPEG", quality=95, subsampling=0)


def transparent_signature() -> bytes:
    """The same stroke on a transparent background (a signature pad's export)."""
    return encode(stroke_image("RGBA", (0, 0, 0, 0), (0, 0, 0, 255)), "PNG")


def blank_signature() -> bytes:
    return encode(Image.new("RGB", SHEET, "white"), "PNG")


def gif_signature() -> bytes:
    return encode(stroke_image(), "GIF")


def truncated_signature() -> bytes:
    """A PNG of noise (so its image data is long) cut off half-way through."""
    whole = encode(Image.effect_noise(SHEET, 100).convert("RGB"), "PNG")
    return whole[: len(whole) // 2]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small valid 1-bit PNG whose IHDR was patched (with a correct CRC) to claim ``width`` x ``height``."""
    small = encode(Image.new("1", (8, 8), 1), "PNG")
    assert small[12:16] == b"IHDR"
    header = struct.pack(">II", width, height) + small[24:29]
    return small[:8] + png_chunk(b"IHDR", header) + small[33:]


def compressed_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A real 1-bit white PNG of ``width`` x ``height``: tiny on disk, 400 M pixels once decoded.

    Compressed row by row, so that making it never holds the image in memory."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")
    )


# -- the store -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """A live session: the actor the services take, and the token the api (and the CLI) takes."""

    actor: Actor
    token: str


def activated(core: Core, login_id: str, initial_password: str) -> Login:
    """Log in with the initial password and change it to TEST_PASSWORD; the session stays live."""
    token = activate(core, "1301", login_id, initial_password)
    return Login(auth.authenticate(core, token), token)


@pytest.fixture
def core(database_url: str, clock: FixedClock) -> Iterator[Core]:
    """The store of tests/conftest.py, with a cheap argon2id."""
    opened = Core.open(database_url, clock=clock, hashing=PasswordHashing(FAST_HASHING))
    yield opened
    opened.close()


@pytest.fixture
def staff(core: Core, chamber: NewChamber) -> Login:
    """S00001 of chamber 1301 (its password already changed), logged in."""
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    return Login(auth.authenticate(core, token), token)


@pytest.fixture
def issued(core: Core, staff: Login) -> list[IssuedRegistration]:
    """docs/examples/registrations.csv issued by staff: 1301000001 (日商テスト商事) and 1301000002
    (丸の内フォワーディング)."""
    return registrations.issue_from_csv(core, staff.actor, EXAMPLE_CSV.read_bytes())


def activate_admin(core: Core, staff: Login, number: str) -> Login:
    (card,) = registrations.print_cards(core, staff.actor, [number])
    assert card.password is not None
    return activated(core, f"A{number}", card.password)


@pytest.fixture
def admin(core: Core, staff: Login, issued: list[IssuedRegistration]) -> Login:
    """A1301000001, the administrator of 日商テスト商事 (company A), activated and logged in."""
    return activate_admin(core, staff, "1301000001")


@pytest.fixture
def admin_b(core: Core, staff: Login, issued: list[IssuedRegistration]) -> Login:
    """A1301000002, the administrator of 丸の内フォワーディング (company B), activated and logged in."""
    return activate_admin(core, staff, "1301000002")


# -- signers -------------------------------------------------------------------------------------------


def particulars(number: int) -> dict[str, str | None]:
    """Distinct particulars for the n-th extra signer."""
    return {
        "name": f"署名 {number}郎",
        "name_en": f"Shomei {number}ro",
        "title": "部長",
        "title_en": "General Manager",
    }


def add(core: Core, admin: Login, fields: dict[str, str | None] | None = None, **options: Any) -> SignerView:
    return signers.add_signer(
        core,
        admin.actor,
        dict(fields or OSAKA),
        options.get("signature", png_signature()),
        options.get("reason"),
    )


def decide(
    core: Core, staff: Login, reference: str, decision: str = "approve", reason: str | None = None
) -> None:
    review.decide(core, staff.actor, reference, decision, reason)


def print_card(core: Core, admin: Login, ref: str) -> CardPrint:
    (printed,) = signers.print_signer_cards(core, admin.actor, [ref])
    return printed


@pytest.fixture
def active(core: Core, admin: Login, staff: Login) -> SignerView:
    """SG000001 (大阪 正人) added by A1301000001 and approved by S00001; no user ID yet."""
    added = add(core, admin)
    decide(core, staff, added.reference)
    return signers.show_signer(core, admin.actor, added.reference)


@pytest.fixture
def first_card(core: Core, admin: Login, active: SignerView) -> CardPrint:
    """The first print of SG000001's 署名登録証: it issues U000001 with its initial password."""
    return print_card(core, admin, active.reference)


@pytest.fixture
def signer(core: Core, first_card: CardPrint) -> Login:
    """U000001 (SG000001's user ID), activated and logged in."""
    assert first_card.password is not None
    return activated(core, first_card.login_id, first_card.password)


@pytest.fixture
def sub(core: Core, signer: Login) -> Login:
    """SB000001 (鈴木 花子), a sub ID of U000001, activated and logged in."""
    created = subids.add_sub(core, signer.actor, "鈴木 花子", "suzuki@nissho-test.example.jp")
    return activated(core, created.login_id, created.initial_password)


# -- looking into the store ----------------------------------------------------------------------------


def count(core: Core, table: Any) -> int:
    with core.read() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def snapshot(core: Core) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables signer and sub-ID management write (sessions and the audit trail aside)."""
    with core.read() as session:
        return {
            table.__tablename__: [  # type: ignore[attr-defined]
                row.model_dump() for row in session.exec(select(table).order_by(col(table.id)))
            ]
            for table in (Signer, Account, ReviewItem, CredentialCard)
        }


def audit_events(
    core: Core, outcome: str | None = None
) -> list[tuple[str | None, str, str | None, str, dict[str, Any]]]:
    """(actor, action, target, outcome, details) of every audit event, oldest first."""
    statement = select(AuditEvent).order_by(col(AuditEvent.id))
    if outcome is not None:
        statement = statement.where(AuditEvent.outcome == outcome)
    with core.read() as session:
        return [
            (e.actor_login_id, e.action, e.target, e.outcome, dict(e.details))
            for e in session.exec(statement)
        ]


def card_cycles(core: Core, login_id: str) -> list[CredentialCard]:
    """Every card cycle of ``login_id``, oldest first."""
    with core.read() as session:
        return list(
            session.exec(
                select(CredentialCard)
                .join(Account, col(Account.id) == col(CredentialCard.account_id))
                .where(Account.login_id == login_id)
                .order_by(col(CredentialCard.id))
            )
        )


def account(core: Core, login_id: str) -> Account:
    with core.read() as session:
        return session.exec(select(Account).where(Account.login_id == login_id)).one()
