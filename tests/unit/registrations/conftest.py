"""Fixtures for the trade-registration tests (貿易登録): a store with a cheap hasher, the chamber's staff
actor, the example CSV, builders of CSV files, and an activated administrator.

The hasher is argon2id with small parameters: these tests are about registrations, cards and the review
queue, not about the cost of a hash (tests/unit/services covers the real parameters). For the same reason a
card's PDF is rendered for real only in the tests that read it (they ask for ``real_pdf``); elsewhere a
stand-in returns one small placeholder per card, and what the first-day rule decides is read from CardPrint.
On PostgreSQL each test worker migrates one schema once, and every test starts from it emptied (migrating a
fresh schema takes about a second, emptying it a few milliseconds).
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel, col, func, select
from stdnum.jp import cn

from shomei_cli.documents import cards as card_documents
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.records import CardPrint, IssuedRegistration, NewChamber
from shomei_cli.services import registrations
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import HashParameters, PasswordHashing
from shomei_cli.store.engine import make_engine
from shomei_cli.store.schema import ensure_ready
from shomei_cli.store.tables import Account, AuditEvent, CredentialCard, Registration, ReviewItem
from tests.conftest import POSTGRES_ENV
from tests.helpers import activate, actor_for

EXAMPLE_CSV = Path(__file__).resolve().parents[3] / "docs" / "examples" / "registrations.csv"
FAST_HASHING = HashParameters(memory_kib=1024, time_cost=1, parallelism=1)
PLACEHOLDER_PDF = b"%PDF-placeholder"

# The English field names, in the order the service checks them (and reports their errors).
FIELDS = (
    "kind",
    "corporate_number",
    "company_name",
    "company_name_en",
    "representative_name",
    "representative_name_en",
    "representative_title",
    "representative_title_en",
    "postal_code",
    "address",
    "address_en",
    "contact_person",
    "department",
    "phone",
    "email",
    "member",
)


def corporate_number(sequence: int) -> str:
    """A valid 13-digit corporate number (法人番号): the check digit comes first."""
    base = f"{sequence:012d}"
    return cn.calc_check_digit(base) + base


def wrong_check_digit(number: str) -> str:
    """The same number with a check digit that does not fit."""
    return str((int(number[0]) + 1) % 10) + number[1:]


def valid_row(sequence: int = 1, **overrides: str) -> dict[str, str]:
    """One valid CSV row, by English field name."""
    row = {
        "kind": "exporter",
        "corporate_number": corporate_number(sequence),
        "company_name": f"テスト貿易{sequence}株式会社",
        "company_name_en": f"Test Trading {sequence} Co., Ltd.",
        "representative_name": "山田 太郎",
        "representative_name_en": "Yamada Taro",
        "representative_title": "代表取締役",
        "representative_title_en": "President",
        "postal_code": "100-0005",
        "address": "東京都千代田区丸の内一丁目1番1号",
        "address_en": "1-1-1 Marunouchi, Chiyoda-ku, Tokyo",
        "contact_person": "鈴木 花子",
        "department": "貿易部",
        "phone": "03-1234-5678",
        "email": f"trade{sequence}@example.jp",
        "member": "yes",
    }
    row.update(overrides)
    return row


def csv_bytes(
    rows: Sequence[Mapping[str, str]],
    header: Sequence[str] = FIELDS,
    *,
    fields: Sequence[str] = FIELDS,
    encoding: str = "utf-8",
) -> bytes:
    """A CSV file as Excel writes it (CRLF); ``header`` names the columns that hold ``fields``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(f, "") for f in fields])
    return out.getvalue().encode(encoding)


def counts(core: Core) -> dict[str, int]:
    """How many rows the tables that issuance writes hold."""
    with core.read() as session:
        return {
            table.__tablename__: session.exec(select(func.count()).select_from(table)).one()  # type: ignore[attr-defined]
            for table in (Registration, Account, CredentialCard, ReviewItem, AuditEvent)
        }


def print_card(core: Core, actor: Actor, number: str | None) -> CardPrint:
    """Print one 貿易登録証."""
    (printed,) = registrations.print_cards(core, actor, [number])
    return printed


def denied_events(
    core: Core, action: str
) -> list[tuple[str | None, str | None, str | None, dict[str, object]]]:
    """The refusals of ``action`` in the audit trail: (actor, role, target, details), oldest first."""
    with core.read() as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == "denied")
            .order_by(col(AuditEvent.id))
        ).all()
        return [(e.actor_login_id, e.actor_role, e.target, dict(e.details)) for e in events]


@pytest.fixture(autouse=True)
def placeholder_pdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Card PDFs are not rendered (about half a second each) unless the test asks for ``real_pdf``."""
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr(
            card_documents, "render_registration_cards", lambda data: [PLACEHOLDER_PDF for _ in data]
        )


@pytest.fixture
def real_pdf() -> None:
    """Render the 貿易登録証 PDFs of this test for real."""


@pytest.fixture(scope="session")
def migrated_postgres_url() -> Iterator[str]:
    """A schema of the test PostgreSQL at the current revision, for this worker's whole run."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL to test against")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        engine = make_engine(url)
        ensure_ready(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(migrated_postgres_url: str) -> str:
    """Overrides tests/conftest.py: the worker's migrated schema, every table emptied, every id restarted."""
    engine = create_engine(migrated_postgres_url)
    with engine.begin() as connection:
        # DELETE, children first, is several times faster than TRUNCATE on tables this small
        tables = list(reversed(SQLModel.metadata.sorted_tables))
        for table in tables:
            connection.execute(table.delete())
        known = {table.name for table in tables}
        others = [
            name
            for name in connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            if name not in known and name != "alembic_version"
        ]
        if others:
            quoted = ", ".join(f'"{name}"' for name in others)
            connection.execute(text(f"TRUNCATE {quoted} CASCADE"))
        for sequence in list(
            connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            ).scalars()
        ):
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    engine.dispose()
    return migrated_postgres_url


@pytest.fixture
def core(database_url: str, clock: FixedClock) -> Iterator[Core]:
    """The store of tests/conftest.py, with a cheap argon2id."""
    opened = Core.open(database_url, clock=clock, hashing=PasswordHashing(FAST_HASHING))
    yield opened
    opened.close()


@pytest.fixture
def staff(core: Core, chamber: NewChamber) -> Actor:
    """S00001 of chamber 1301, logged in."""
    return actor_for(core, "1301", "S00001")


@pytest.fixture
def example_csv() -> bytes:
    return EXAMPLE_CSV.read_bytes()


@pytest.fixture
def issued(core: Core, staff: Actor, example_csv: bytes) -> list[IssuedRegistration]:
    """The example file issued: 1301000001 (日商テスト商事) and 1301000002 (丸の内フォワーディング)."""
    return registrations.issue_from_csv(core, staff, example_csv)


@pytest.fixture
def admin(core: Core, staff: Actor, issued: list[IssuedRegistration]) -> Actor:
    """A1301000001, logged in with its printed initial password and then changed to TEST_PASSWORD."""
    password = print_card(core, staff, "1301000001").password
    assert password is not None
    activate(core, "1301", "A1301000001", password)
    return actor_for(core, "1301", "A1301000001")
