"""Fixtures for the application tests (発給申請): a store with a cheap hasher, chamber 1301 with the example
registrations (1301000001 日商テスト商事, a member; 1301000002 丸の内フォワーディング, not a member), each
with an approved signer whose user ID is activated, and two sub IDs of company A's signer.

Built the way tests/unit/signers and tests/unit/registrations build theirs (copied, not imported). Cards are
drawn by a stub; certificates and receipts are drawn for real only in the tests that ask for ``real_pdf``.
Every ID's password is TEST_PASSWORD; ``World.token`` logs in afresh (after the clock moves past a session's
life, say). On PostgreSQL each test worker migrates one schema once and every test starts from it emptied.
"""

from __future__ import annotations

import io
import os
import shutil
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel, col, func, select

from shomei_cli.domain.clock import FixedClock
from shomei_cli.services import api, auth, chambers, registrations, review, signers, subids
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import HashParameters, PasswordHashing
from shomei_cli.store.engine import make_engine
from shomei_cli.store.schema import ensure_ready
from shomei_cli.store.tables import Application, AuditEvent, Counter, Payment, Registration, ReviewItem
from tests.conftest import POSTGRES_ENV
from tests.helpers import TEST_PASSWORD, activate, unsigned
from tests.hostile_pdfs import plain_invoice

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_CSV = ROOT / "docs" / "examples" / "registrations.csv"
SHIPMENT_TOML = ROOT / "docs" / "examples" / "shipment.toml"
FAST_HASHING = HashParameters(memory_kib=1024, time_cost=1, parallelism=1)
STUB_PDF = b"%PDF-stub certificate"
STUB_RECEIPT = b"%PDF-stub receipt"

# for the tests whose rule does not touch what differs between the databases (validation, the page …)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

COMPANY_A = "1301000001"  # 日商テスト商事株式会社, a member
COMPANY_B = "1301000002"  # 丸の内フォワーディング株式会社, not a member


def shipment() -> dict[str, Any]:
    """docs/examples/shipment.toml, as `cert apply --file` reads it."""
    return tomllib.loads(SHIPMENT_TOML.read_text(encoding="utf-8"))


def signature_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "copies": 0,
        "destination_country": "SA",
        "document_title": "Power of attorney",
        "document_number": "POA-2026-07",
        "document_date": "2026-11-25",
        "addressee": {"name": "Riyadh Trading Est.", "address": "King Fahd Rd, Riyadh", "country": "SA"},
    }
    form.update(changes)
    return form


def invoice_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "copies": 2,
        "destination_country": "VN",
        "consignee": {
            "name": "Saigon Machinery JSC",
            "address": "12 Le Loi, District 1, HCMC",
            "country": "VN",
        },
        "invoice": {"number": "NT-INV-0042", "date": "2026-11-26"},
    }
    form.update(changes)
    return form


invoice_pdf = plain_invoice


def signature_png() -> bytes:
    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).rectangle((96, 80, 503, 119), fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# -- the PDFs ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_documents(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cards are always stubs; certificates and receipts too, unless the test asks for ``real_pdf``."""
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_registration_cards",
        lambda cards: [f"%PDF-stub {c.admin_id}".encode() for c in cards],
    )
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_signer_cards",
        lambda cards: [f"%PDF-stub {c.user_id}".encode() for c in cards],
    )
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr(
            "shomei_cli.documents.certificates.render_certificates", lambda items: [STUB_PDF for _ in items]
        )
        monkeypatch.setattr(
            "shomei_cli.documents.certificates.render_receipts", lambda items: [STUB_RECEIPT for _ in items]
        )
        monkeypatch.setattr("shomei_cli.signing.issued.sign_issued", unsigned)


@pytest.fixture
def real_pdf() -> None:
    """Ask for it to have certificates and receipts drawn for real."""


# -- the world -----------------------------------------------------------------------------------------------


@dataclass
class World:
    """Chamber 1301 and its two companies; every ID below is activated with TEST_PASSWORD.

    staff S00001; company A (1301000001, a member): administrator A1301000001, signer U000001 with sub IDs
    SB000001 and SB000002, a second signer U000003; company B (1301000002, not a member): administrator
    A1301000002, signer U000002.
    """

    core: Core
    clock: FixedClock
    tokens: dict[str, str] = field(default_factory=dict)
    staff: str = "S00001"
    admin_a: str = "A1301000001"
    admin_b: str = "A1301000002"
    signer_a: str = "U000001"
    signer_b: str = "U000002"
    signer_a2: str = "U000003"
    sub_a1: str = "SB000001"
    sub_a2: str = "SB000002"

    def token(self, login_id: str) -> str:
        """A live session of ``login_id`` (logged in again after ``relogin``)."""
        if login_id not in self.tokens:
            self.tokens[login_id] = auth.login(self.core, "1301", login_id, TEST_PASSWORD).token
        return self.tokens[login_id]

    def relogin(self) -> None:
        """Sessions end after an hour idle: after moving the clock, log everyone in again."""
        self.tokens.clear()

    # -- the lifecycle, one step each --------------------------------------------------------------------

    def apply(self, who: str, kind: str = "co", content: dict[str, Any] | None = None, **options: Any) -> Any:
        if content is None:
            content = {"co": shipment, "signature": signature_form, "invoice": invoice_form}[kind]()
        attachment = options.get("attachment", invoice_pdf() if kind == "invoice" else None)
        return api.apply(self.core, self.token(who), kind, content, attachment, options.get("draft", False))

    def decide(self, reception_number: str, decision: str, reason: str | None = None) -> Any:
        return api.decide_review(self.core, self.token(self.staff), reception_number, decision, reason)

    def approve(self, reception_number: str) -> Any:
        return self.decide(reception_number, "approve")

    def topup(self, number: str, amount: int) -> int:
        return api.topup(self.core, self.token(self.staff), number, amount)

    def pay(self, who: str, ref: str, method: str = "prepaid", reference: str | None = None) -> Any:
        return api.pay_application(self.core, self.token(who), ref, method, reference)

    def show(self, who: str, ref: str) -> Any:
        return api.show_application(self.core, self.token(who), ref)

    def approved(self, who: str, kind: str = "co", **options: Any) -> Any:
        """An application of ``who`` submitted and approved; its view."""
        view = self.apply(who, kind, **options)
        self.approve(view.summary.reception_number)
        return self.show(who, view.summary.reference)

    def issued(self, who: str, kind: str = "co", **options: Any) -> Any:
        """An application of ``who`` approved and paid from a balance topped up by exactly its fee."""
        view = self.approved(who, kind, **options)
        self.topup(view.summary.registration_number, view.summary.fee)
        self.pay(who, view.summary.reference)
        return self.show(who, view.summary.reference)


def _signer(core: Core, staff_token: str, admin_token: str, fields: dict[str, str | None]) -> str:
    """Add a signer, have staff approve it, print its card (which issues the user ID) and activate it."""
    admin = auth.authenticate(core, admin_token)
    added = signers.add_signer(core, admin, fields, signature_png(), None)
    review.decide(core, auth.authenticate(core, staff_token), added.reference, "approve", None)
    (card,) = signers.print_signer_cards(core, admin, [added.reference])
    assert card.password is not None
    activate(core, "1301", card.login_id, card.password)
    return card.login_id


def build_world(core: Core, clock: FixedClock) -> World:
    """Everything World describes, made through the services as the chamber and the companies would."""
    created = chambers.init_chamber(core, "1301", "東京商工会議所", "Tokyo Chamber of Commerce and Industry")
    activate(core, "1301", created.staff.login_id, created.staff.initial_password)
    world = World(core, clock)
    staff = auth.authenticate(core, world.token(world.staff))
    registrations.issue_from_csv(core, staff, EXAMPLE_CSV.read_bytes())
    for number in (COMPANY_A, COMPANY_B):
        (card,) = registrations.print_cards(core, staff, [number])
        assert card.password is not None
        activate(core, "1301", f"A{number}", card.password)
    made = [
        _signer(core, world.token(world.staff), world.token(world.admin_a), OSAKA),
        _signer(core, world.token(world.staff), world.token(world.admin_b), TANAKA),
        _signer(core, world.token(world.staff), world.token(world.admin_a), KYOTO),
    ]
    assert made == [world.signer_a, world.signer_b, world.signer_a2]
    signer = auth.authenticate(core, world.token(world.signer_a))
    for name, login_id in (("鈴木 花子", world.sub_a1), ("佐藤 次郎", world.sub_a2)):
        sub = subids.add_sub(core, signer, name, None)
        assert sub.login_id == login_id
        activate(core, "1301", sub.login_id, sub.initial_password)
    world.relogin()
    for login_id in (
        world.staff,
        world.signer_a,
        world.signer_b,
        world.signer_a2,
        world.sub_a1,
        world.sub_a2,
    ):
        world.token(login_id)
    return world


OSAKA: dict[str, str | None] = {
    "name": "大阪 正人",
    "name_en": "Osaka Masahito",
    "title": "代表取締役",
    "title_en": "President",
}
TANAKA: dict[str, str | None] = {
    "name": "田中 一郎",
    "name_en": "Tanaka Ichiro",
    "title": "代表取締役社長",
    "title_en": "President and CEO",
}
KYOTO: dict[str, str | None] = {
    "name": "京都 花子",
    "name_en": "Kyoto Hanako",
    "title": "輸出部長",
    "title_en": "Export Manager",
}


def standard_clock() -> FixedClock:
    """The clock of tests/conftest.py: 10:00 in Tokyo on 2026-11-27."""
    return FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")))


def _template(url: str) -> dict[str, str]:
    """Build the world once in the store at ``url``; the tokens of its live sessions."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "shomei_cli.documents.cards.render_registration_cards",
            lambda cards: [b"%PDF-stub" for _ in cards],
        )
        patch.setattr(
            "shomei_cli.documents.cards.render_signer_cards", lambda cards: [b"%PDF-stub" for _ in cards]
        )
        clock = standard_clock()
        core = Core.open(url, clock=clock, hashing=PasswordHashing(FAST_HASHING))
        try:
            return dict(build_world(core, clock).tokens)
        finally:
            core.close()


# -- the store: every test starts from a copy of the world, built once per worker ---------------------------


@dataclass(frozen=True)
class Template:
    url: str
    tokens: dict[str, str]
    path: Path | None = None  # SQLite
    schema: str | None = None  # PostgreSQL


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("template") / "world.db"
    url = f"sqlite:///{path}"
    return Template(url, _template(url), path=path)


def _schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[tuple[str, str, str]]:
    """Two schemas of the test PostgreSQL for this worker: the world's template, and the tests' working one
    (both migrated once). Yields (base URL, template schema, working schema)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL to test against")
    names = (f"t_{uuid.uuid4().hex[:16]}", f"t_{uuid.uuid4().hex[:16]}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        for name in names:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{name}"'))
            engine = make_engine(_schema_url(base, name))
            ensure_ready(engine)
            engine.dispose()
        yield base, names[0], names[1]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_schemas: tuple[str, str, str]) -> Template:
    base, template, _working = postgres_schemas
    url = _schema_url(base, template)
    return Template(url, _template(url), schema=template)


@pytest.fixture
def postgres_url(postgres_schemas: tuple[str, str, str], postgres_template: Template) -> str:
    """Overrides tests/conftest.py: the worker's working schema, emptied, then filled from the template."""
    base, template, working = postgres_schemas
    url = _schema_url(base, working)
    engine = create_engine(url)
    tables = list(SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            connection.execute(text(f'INSERT INTO "{table.name}" SELECT * FROM "{template}"."{table.name}"'))  # noqa: S608
            if "id" in table.c and table.c.id.autoincrement is not False and len(table.primary_key) == 1:
                sequence = connection.execute(
                    text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{working}"."{table.name}"'}
                ).scalar()
                if sequence is not None:
                    connection.execute(
                        text(
                            f'SELECT setval(:s, COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'  # noqa: S608
                        ),
                        {"s": sequence},
                    )
    engine.dispose()
    return url


@pytest.fixture
def core(database_url: str, clock: FixedClock, request: pytest.FixtureRequest) -> Iterator[Core]:
    """A copy of the world's store, with a cheap argon2id and the tests' standing clock."""
    if database_url.startswith("sqlite"):
        template: Template = request.getfixturevalue("sqlite_template")
        assert template.path is not None
        shutil.copyfile(template.path, database_url.removeprefix("sqlite:///"))
    opened = Core.open(database_url, clock=clock, hashing=PasswordHashing(FAST_HASHING))
    yield opened
    opened.close()


@pytest.fixture
def world(core: Core, clock: FixedClock, database_url: str, request: pytest.FixtureRequest) -> World:
    name = "sqlite_template" if database_url.startswith("sqlite") else "postgres_template"
    template: Template = request.getfixturevalue(name)
    return World(core, clock, dict(template.tokens))


# -- looking into the store ----------------------------------------------------------------------------------


def count(core: Core, table: Any) -> int:
    with core.read() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def balance_of(core: Core, number: str) -> int:
    with core.read() as session:
        return session.exec(
            select(Registration.balance).where(Registration.registration_number == number)
        ).one()


def counters(core: Core) -> dict[str, int]:
    with core.read() as session:
        return {c.name: c.value for c in session.exec(select(Counter))}


def snapshot(core: Core) -> dict[str, Any]:
    """Every row the application services write (the audit trail and sessions aside), and the balances."""
    with core.read() as session:
        rows = {
            table.__tablename__: [  # type: ignore[attr-defined]
                row.model_dump() for row in session.exec(select(table).order_by(col(table.id)))
            ]
            for table in (Application, Payment, ReviewItem)
        }
        rows["balances"] = list(session.exec(select(Registration.registration_number, Registration.balance)))
        rows["counters"] = sorted((c.name, c.value) for c in session.exec(select(Counter)))
        return rows


def audit_events(
    core: Core, action: str | None = None, outcome: str | None = None
) -> list[tuple[str | None, str, str | None, str, dict[str, Any]]]:
    """(actor, action, target, outcome, details) of the audit events, oldest first."""
    statement = select(AuditEvent).order_by(col(AuditEvent.id))
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    if outcome is not None:
        statement = statement.where(AuditEvent.outcome == outcome)
    with core.read() as session:
        return [
            (e.actor_login_id, e.action, e.target, e.outcome, dict(e.details))
            for e in session.exec(statement)
        ]
