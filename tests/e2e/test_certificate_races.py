"""Certificate races on two `shomei serve` processes sharing one PostgreSQL schema, clients alternating
between them: eight payers of one application charge it once; eight submissions at once get gap-free reception
numbers; many applications paid at once get gap-free receipt and certificate numbers and leave the exact
balance. No 5xx anywhere.

The company (1301000001, a member) is made through the services on the server's host, as the browser and
unit tests make theirs: chamber 1301, staff S00001, the administrator, four approved signers U000001–U000004
and one sub ID each, SB000001–SB000004 (SB00000n is U00000n's). Every one of these nine IDs then logs in
through a server; applications, reviews, top-ups and payments all go through the servers (RemoteBackend).
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from shomei_cli.backends.remote import RemoteBackend
from shomei_cli.domain.errors import Conflict, ShomeiError, WrongState
from shomei_cli.domain.records import ApplicationView, AuditQuery, PaymentView
from shomei_cli.keys import ENV_SECRET_KEY_FILE, load_or_create_key
from shomei_cli.services import api, chambers
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Application, Counter, Payment, Registration, ReviewItem
from tests.e2e.conftest import (
    CHAMBER_CODE,
    CHAMBER_NAME,
    FIRST_STAFF_ID,
    GENEROUS_LOGIN_LIMITS,
    HttpLog,
    Server,
    StartServer,
)
from tests.helpers import TEST_PASSWORD, activate

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COMPANY = "1301000001"  # 日商テスト商事株式会社, a member
ADMIN = f"A{COMPANY}"
SIGNERS = ["U000001", "U000002", "U000003", "U000004"]
SUBS = ["SB000001", "SB000002", "SB000003", "SB000004"]  # SUBS[i] is SIGNERS[i]'s
RACERS = 8
BARRIER_TIMEOUT = 60.0
JOIN_TIMEOUT = 90.0
TOKYO = ZoneInfo("Asia/Tokyo")

# the member fees of the default table (¥1,260 per application, ¥100 per extra copy)
CO_FEE = 1360  # shipment.toml: one extra copy
SIGNATURE_FEE = 1260  # signature.toml: no extra copy

T = TypeVar("T")


# -- the forms -----------------------------------------------------------------------------------------------


def _json_ready(value: Any) -> Any:
    """TOML's dates as ISO strings, as they cross the wire."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def form(kind: str) -> dict[str, Any]:
    """docs/examples/shipment.toml (co) or signature.toml (signature), ready to send."""
    name = {"co": "shipment.toml", "signature": "signature.toml"}[kind]
    parsed: dict[str, Any] = _json_ready(tomllib.loads((EXAMPLES / name).read_text(encoding="utf-8")))
    return parsed


# -- the company ---------------------------------------------------------------------------------------------


def build_company(core: Core) -> None:
    """Chamber 1301, its registrations, and company 1301000001's four signers with a sub ID each; every ID's
    password changed to TEST_PASSWORD. Cards are stubs (drawing them is slow and not what is tested)."""
    created = chambers.init_chamber(
        core, CHAMBER_CODE, CHAMBER_NAME, "Tokyo Chamber of Commerce and Industry"
    )
    staff = activate(core, CHAMBER_CODE, FIRST_STAFF_ID, created.staff.initial_password)
    api.issue_registrations(core, staff, (EXAMPLES / "registrations.csv").read_bytes())
    (card,) = api.print_registration_cards(core, staff, [COMPANY])
    assert card.password is not None
    admin = activate(core, CHAMBER_CODE, ADMIN, card.password)
    signature = (EXAMPLES / "signatures" / "osaka.png").read_bytes()
    refs = []
    for n in range(1, len(SIGNERS) + 1):
        fields: dict[str, str | None] = {
            "name": f"署名 {n}郎",
            "name_en": f"Shomei {n}ro",
            "title": "輸出部長",
            "title_en": "Export Manager",
        }
        refs.append(api.add_signer(core, admin, fields, signature, None).reference)
    for ref in refs:
        api.decide_review(core, staff, ref, "approve", None)
    cards = api.print_signer_cards(core, admin, refs)
    assert [c.login_id for c in cards] == SIGNERS
    for signer_card, sub_id in zip(cards, SUBS, strict=True):
        assert signer_card.password is not None
        signer = activate(core, CHAMBER_CODE, signer_card.login_id, signer_card.password)
        sub = api.add_sub(core, signer, f"担当 {sub_id}", None)
        assert sub.login_id == sub_id
        activate(core, CHAMBER_CODE, sub.login_id, sub.initial_password)


@dataclass
class Company:
    """Two servers on one schema, company 1301000001's IDs logged in through them, and ``core`` on the same
    store to look into it. ``client(who, i)`` is ``who`` on server ``i % 2`` (one session per ID, shared by
    its clients on both servers, as one person's commands in two terminals would share it)."""

    servers: list[Server]
    http: HttpLog
    core: Core
    tokens: dict[str, str]

    def client(self, login_id: str, index: int = 0) -> RemoteBackend:
        return self.http.backend(self.servers[index % 2].endpoint, self.tokens[login_id])

    @property
    def staff(self) -> RemoteBackend:
        return self.client(FIRST_STAFF_ID)

    def apply(self, who: str, kind: str = "co", index: int = 0, *, draft: bool = False) -> ApplicationView:
        return self.client(who, index).apply(kind, form(kind), None, draft)

    def approved(self, who: str, kind: str = "co", index: int = 0) -> ApplicationView:
        """An application of ``who``, submitted on one server and approved on the other."""
        view = self.apply(who, kind, index)
        assert view.summary.reception_number is not None
        self.client(FIRST_STAFF_ID, index + 1).decide_review(view.summary.reception_number, "approve", None)
        return self.client(who, index + 1).show_application(view.summary.reference)

    def paying(self, who: str, index: int, ref: str) -> Callable[[], PaymentView]:
        """A call that pays ``ref`` from the prepaid balance as ``who`` on server ``index % 2``."""
        backend = self.client(who, index)
        return lambda: backend.pay_application(ref, "prepaid", None)

    def submitting(self, who: str, index: int, ref: str) -> Callable[[], ApplicationView]:
        backend = self.client(who, index)
        return lambda: backend.submit_application(ref)

    # -- the store, read directly --------------------------------------------------------------------

    def counters(self) -> dict[str, int]:
        with self.core.read() as session:
            return {c.name: c.value for c in session.exec(select(Counter))}

    def payments(self) -> list[tuple[str, str, int]]:
        """(application reference, receipt number, amount) of every payment row, oldest first."""
        with self.core.read() as session:
            rows = session.exec(
                select(Application.reference, Payment.receipt_number, Payment.amount)
                .select_from(Payment)
                .join(Application, col(Application.id) == col(Payment.application_id))
                .order_by(col(Payment.id))
            ).all()
            return [(str(r), str(n), int(a)) for r, n, a in rows]

    def stored_balance(self) -> int:
        with self.core.read() as session:
            return int(
                session.exec(
                    select(Registration.balance).where(Registration.registration_number == COMPANY)
                ).one()
            )

    def no_server_errors(self) -> None:
        assert self.http.server_errors() == []
        for server in self.servers:
            assert server.alive()
            assert server.server_errors() == []


@pytest.fixture
def company(
    postgres_url: str,
    start_server: StartServer,
    http_log: HttpLog,
    host_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Company]:
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_registration_cards",
        lambda cards: [b"%PDF-stub" for _ in cards],
    )
    monkeypatch.setattr(
        "shomei_cli.documents.cards.render_signer_cards", lambda cards: [b"%PDF-stub" for _ in cards]
    )
    # the servers' own key: the card secrets written here are theirs to read and sweep
    core = Core.open(postgres_url, secret_key=load_or_create_key(Path(host_env[ENV_SECRET_KEY_FILE])))
    try:
        build_company(core)
        servers = start_server.many(postgres_url, 2, env=GENEROUS_LOGIN_LIMITS)
        tokens = {}
        for n, login_id in enumerate([FIRST_STAFF_ID, *SIGNERS, *SUBS]):
            backend = http_log.backend(servers[n % 2].endpoint)
            tokens[login_id] = backend.login(CHAMBER_CODE, login_id, TEST_PASSWORD).token
        yield Company(servers, http_log, core, tokens)
    finally:
        core.close()


# -- at once -------------------------------------------------------------------------------------------------


def at_once(calls: list[Callable[[], T]]) -> list[T | ShomeiError]:
    """Run ``calls`` in threads released together; each result, or the domain error it raised. Anything
    else raised (a transport error, a bug in the test) fails the test."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    results: list[T | ShomeiError | None] = [None] * len(calls)
    crashes: list[str] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except ShomeiError as refused:
            results[index] = refused
        except BaseException as exc:
            crashes.append(f"call {index}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a racer did not finish"
    assert not crashes, "\n".join(crashes)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def payment_statuses(company: Company) -> list[int]:
    return sorted(r.status for r in company.http.responses if r.path.endswith("/payment"))


def tokyo_year(moment: datetime) -> int:
    return moment.astimezone(TOKYO).year


# -- the races -----------------------------------------------------------------------------------------------


def test_eight_payers_of_one_application_charge_it_once(company: Company) -> None:
    """Signers and the sub ID that applied, eight clients on alternating servers, pay one application."""
    applicant = SUBS[0]
    view = company.approved(applicant)
    ref = view.summary.reference
    assert (ref, view.summary.reception_number, view.summary.status, view.summary.fee) == (
        "AP0000001",
        "1301-00000001",
        "approved",
        CO_FEE,
    )
    assert company.staff.topup(COMPANY, 10 * CO_FEE) == 10 * CO_FEE  # room for a double charge to show

    payers = [*SIGNERS, applicant, SIGNERS[0], SIGNERS[1], applicant]
    assert len(payers) == RACERS
    results = at_once([company.paying(who, i, ref) for i, who in enumerate(payers)])

    paid = [r for r in results if isinstance(r, PaymentView)]
    refused = [r for r in results if not isinstance(r, PaymentView)]
    assert len(paid) == 1, results
    assert [(type(r), r.code) for r in refused] == [(WrongState, "wrong_state")] * (RACERS - 1), refused
    assert {r.message for r in refused} == {
        f"Application {ref} is issued: it cannot pay (it allows: revoke)."
    }
    assert payment_statuses(company) == [200] + [409] * (RACERS - 1)

    (payment,) = paid
    year = tokyo_year(payment.paid_at)
    assert (
        payment.reference,
        payment.receipt_number,
        payment.certificate_number,
        payment.amount,
        payment.balance_after,
    ) == (ref, "RC1301-0000001", f"1301-{year}-0000001", CO_FEE, 9 * CO_FEE)

    # one payment row, one receipt number, one certificate number, one charge
    assert company.payments() == [(ref, "RC1301-0000001", CO_FEE)]
    counters = company.counters()
    assert (counters["receipt"], counters[f"certificate-{year}"]) == (1, 1)
    assert company.stored_balance() == 9 * CO_FEE
    assert [company.client(applicant, i).balance() for i in (0, 1)] == [9 * CO_FEE] * 2
    shown = company.client(SIGNERS[2], 1).show_application(ref)
    assert (shown.summary.status, shown.summary.certificate_number, shown.access_code) == (
        "issued",
        payment.certificate_number,
        payment.access_code,
    )
    trail = company.staff.audit(AuditQuery(action="application.pay", limit=100))
    assert [(e.outcome, e.target, e.details.get("receipt")) for e in trail if e.outcome == "ok"] == [
        ("ok", "1301-00000001", "RC1301-0000001")
    ]
    # the seven who lost are on the trail as refused: the application was issued by then
    assert (
        sorted((e.outcome, e.details.get("status")) for e in trail if e.outcome != "ok")
        == [("refused", "issued")] * 7
    )
    company.no_server_errors()


def test_eight_submissions_at_once_get_gap_free_reception_numbers(company: Company) -> None:
    """Eight drafts (one per applicant) submitted at once; then eight new applications made at once."""
    applicants = [*SIGNERS, *SUBS]
    drafts = {company.apply(who, draft=True).summary.reference: who for who in applicants}
    assert sorted(drafts) == [f"AP{n:07d}" for n in range(1, RACERS + 1)]

    submitted = at_once([company.submitting(who, i, ref) for i, (ref, who) in enumerate(drafts.items())])
    assert all(isinstance(r, ApplicationView) for r in submitted), submitted
    views = [r for r in submitted if isinstance(r, ApplicationView)]
    numbers = [v.summary.reception_number for v in views]
    assert sorted(n or "" for n in numbers) == [f"1301-{n:08d}" for n in range(1, RACERS + 1)]
    assert [(v.summary.reference, v.summary.applicant, v.summary.status) for v in views] == [
        (ref, who, "submitted") for ref, who in drafts.items()
    ]

    # the same, creating and submitting in one call: references and reception numbers go on without a gap
    made = at_once(
        [(lambda who=who, i=i: company.apply(who, "co", i)) for i, who in enumerate(reversed(applicants))]
    )
    assert all(isinstance(r, ApplicationView) for r in made), made
    fresh = [r for r in made if isinstance(r, ApplicationView)]
    assert sorted(v.summary.reference for v in fresh) == [f"AP{n:07d}" for n in range(9, 2 * RACERS + 1)]
    assert sorted(v.summary.reception_number or "" for v in fresh) == [
        f"1301-{n:08d}" for n in range(9, 2 * RACERS + 1)
    ]

    # the store agrees: every application submitted once, one review item each, the counters at 16
    with company.core.read() as session:
        stored = session.exec(select(Application.reference, Application.reception_number)).all()
        items = session.exec(select(ReviewItem.reference).where(ReviewItem.kind == "application")).all()
    assert sorted(n for _, n in stored) == [f"1301-{n:08d}" for n in range(1, 2 * RACERS + 1)]
    assert sorted(items) == sorted(n for _, n in stored)
    counters = company.counters()
    assert (counters["application"], counters["reception"]) == (2 * RACERS, 2 * RACERS)
    pending = company.client(FIRST_STAFF_ID, 1).list_reviews("application", None)
    assert sorted(e.reference for e in pending) == sorted(n for _, n in stored)
    company.no_server_errors()


def test_many_applications_paid_at_once_number_in_order_and_leave_the_exact_balance(company: Company) -> None:
    """Eight approved applications (two fees) paid at once by their applicants from exactly their total; then
    four more from a balance enough for two: two are paid, two refused, no number burnt."""
    applicants = [*SIGNERS, *SUBS]
    kinds = ["co", "signature"] * (RACERS // 2)
    approved = [
        company.approved(who, kind, i) for i, (who, kind) in enumerate(zip(applicants, kinds, strict=True))
    ]
    fees = {v.summary.reference: v.summary.fee or 0 for v in approved}
    assert sorted(fees.values()) == sorted([CO_FEE, SIGNATURE_FEE] * (RACERS // 2))
    total = sum(fees.values())
    assert company.staff.topup(COMPANY, total) == total

    results = at_once(
        [
            company.paying(who, i + 1, v.summary.reference)
            for i, (who, v) in enumerate(zip(applicants, approved, strict=True))
        ]
    )
    assert all(isinstance(r, PaymentView) for r in results), results
    paid = sorted((r for r in results if isinstance(r, PaymentView)), key=lambda p: p.receipt_number)
    year = tokyo_year(paid[0].paid_at)
    assert [p.receipt_number for p in paid] == [f"RC1301-{n:07d}" for n in range(1, RACERS + 1)]
    assert sorted(p.certificate_number for p in paid) == [
        f"1301-{year}-{n:07d}" for n in range(1, RACERS + 1)
    ]
    assert sorted(p.reference for p in paid) == sorted(fees)
    assert [p.amount for p in paid] == [fees[p.reference] for p in paid]
    # each charge saw the balance the previous one left: the balance is debited in receipt order
    left = total
    for p in paid:
        left -= p.amount
        assert p.balance_after == left, paid
    assert left == 0
    assert company.stored_balance() == 0
    assert [company.client(SIGNERS[0], i).balance() for i in (0, 1)] == [0, 0]
    assert len({p.access_code for p in paid}) == RACERS

    # four more, with enough for two of them: exactly two are paid, and the numbers go on without a gap
    more = [company.approved(who, "co", i) for i, who in enumerate(applicants[:4])]
    assert company.staff.topup(COMPANY, 2 * CO_FEE) == 2 * CO_FEE
    second = at_once(
        [
            company.paying(who, i, v.summary.reference)
            for i, (who, v) in enumerate(zip(applicants[:4], more, strict=True))
        ]
    )
    won = sorted((r for r in second if isinstance(r, PaymentView)), key=lambda p: p.receipt_number)
    lost = [r for r in second if not isinstance(r, PaymentView)]
    assert [(p.receipt_number, p.certificate_number, p.balance_after) for p in won] == [
        ("RC1301-0000009", f"1301-{year}-0000009", CO_FEE),
        ("RC1301-0000010", f"1301-{year}-0000010", 0),
    ]
    assert [(type(r), r.code) for r in lost] == [(Conflict, "conflict")] * 2, lost
    assert {r.message for r in lost} == {
        "The prepaid balance (¥0) is less than the fee (¥1,360): ask the chamber to top it up, "
        "or pay by bank transfer or at the counter, which the chamber records"
    }
    losers = {v.summary.reference for v in more} - {p.reference for p in won}
    assert {company.client(SIGNERS[0]).show_application(ref).summary.status for ref in losers} == {"approved"}

    # the store: ten payment rows, the counters at ten, nothing left
    assert [n for _, n, _ in company.payments()] == [f"RC1301-{n:07d}" for n in range(1, 11)]
    counters = company.counters()
    assert (counters["receipt"], counters[f"certificate-{year}"]) == (10, 10)
    assert company.stored_balance() == 0
    assert payment_statuses(company) == [200] * 10 + [409] * 2
    company.no_server_errors()


# -- card payments: the provider's notifications -------------------------------------------------------------

CHECKOUT = "https://pay.example-psp.jp/checkout"
PROVIDER_SECRET = "whsec_6b1f0f4e3c2a49d8a7e5c3b1f9d2e4a6"
NOTIFIERS = 20


def _notification(
    session: str, event: str, amount: int = CO_FEE, secret: str = PROVIDER_SECRET, age: int = 0
) -> tuple[bytes, str]:
    import json
    import time

    from shomei_cli.domain.payments import sign_notification

    body = json.dumps(
        {
            "id": event,
            "type": "payment.succeeded",
            "merchant": CHAMBER_CODE,
            "session": session,
            "amount": amount,
            "currency": "JPY",
            "payment_id": "pi_3QwErTy",
        }
    ).encode()
    return body, sign_notification(secret, int(time.time()) - age, body)


def test_a_card_payment_is_issued_by_one_signed_notification_however_many_arrive(company: Company) -> None:
    """Through two real servers: forged, replayed-late and mismatched notifications each get a 4xx and
    leave the application awaiting payment; twenty copies of the genuine one sent at once issue one
    certificate and charge once."""
    company.staff.set_payment_provider(CHECKOUT, PROVIDER_SECRET)
    applicant = SUBS[0]
    view = company.approved(applicant)
    ref = view.summary.reference
    started = company.client(applicant, 1).start_card_payment(ref)
    assert started.checkout_url.startswith(CHECKOUT + "?merchant=1301&session=" + started.session)
    assert company.client(applicant).show_application(ref).summary.status == "awaiting_payment"

    def anyone(index: int) -> RemoteBackend:
        return company.http.backend(company.servers[index % 2].endpoint)

    bad = {
        "forged": _notification(started.session, "evt_forged", secret="whsec_" + "0" * 40),
        "late": _notification(started.session, "evt_late", age=400),
        "mismatched": _notification(started.session, "evt_cheap", amount=CO_FEE - 360),
    }
    for name, (body, header) in bad.items():
        with pytest.raises(ShomeiError) as refused:
            anyone(0).payment_notification(body, header)
        assert refused.value.code == "invalid_input", name
    assert company.client(applicant).show_application(ref).summary.status == "awaiting_payment"

    body, header = _notification(started.session, "evt_genuine")
    results = at_once([lambda i=i: anyone(i).payment_notification(body, header) for i in range(NOTIFIERS)])
    issued = [r for r in results if not isinstance(r, ShomeiError)]
    refused = [r for r in results if isinstance(r, ShomeiError)]
    assert [(r.outcome, r.reception_number) for r in issued] == [("issued", view.summary.reception_number)]
    assert {(type(r), r.code) for r in refused} == {(Conflict, "conflict")}
    assert len(refused) == NOTIFIERS - 1
    statuses = sorted(r.status for r in company.http.responses if r.path.endswith("/payments/notify"))
    assert statuses == [200] + [409] * (NOTIFIERS - 1) + [422] * 3

    shown = company.client(applicant).show_application(ref)
    assert (shown.summary.status, shown.summary.certificate_number) == (
        "issued",
        f"1301-{tokyo_year(datetime.now())}-0000001",
    )
    assert company.payments() == [(ref, "RC1301-0000001", CO_FEE)]
    assert company.counters()["receipt"] == 1
    assert company.stored_balance() == 0  # nothing taken from the balance: the card paid
    trail = company.staff.audit(AuditQuery(action="payment.notify", limit=100))
    assert sorted((e.outcome, e.details.get("reason") or e.details.get("result")) for e in trail) == sorted(
        [("ok", "issued")]
        + [("refused", "conflict")] * (NOTIFIERS - 1)
        + [("refused", "signature")] * 2
        + [("refused", "amount")]
    )
    company.no_server_errors()


def test_no_password_token_or_secret_reaches_the_database_the_logs_or_the_audit_trail(
    company: Company,
) -> None:
    """The whole flow through the servers, slips included (a password typed as the login ID, a wrong
    password), then a search of every table, both servers' logs and the audit trail for every password,
    session token, device token and shared secret used: none found. The access code is stored (it is printed
    again on every print) and is found in its own column only: never in a log or the audit trail."""
    import httpx
    from sqlalchemy import text as sql

    from shomei_cli.store.tables import SQLModel

    company.staff.set_payment_provider(CHECKOUT, PROVIDER_SECRET)
    applicant = SUBS[0]
    view = company.approved(applicant)
    started = company.client(applicant).start_card_payment(view.summary.reference)
    body, header = _notification(started.session, "evt_secrets")
    assert (
        company.http.backend(company.servers[1].endpoint).payment_notification(body, header).outcome
        == "issued"
    )
    shown = company.client(applicant).show_application(view.summary.reference)
    number, code = shown.summary.certificate_number or "", shown.access_code or ""
    company.client(applicant, 1).print_certificate(view.summary.reference)
    assert company.http.backend(company.servers[0].endpoint).verify(number, code).status == "genuine"
    page = httpx.get(f"{company.servers[1].endpoint}/verify", params={"n": number, "c": code}, timeout=10)
    assert page.status_code == 200
    for typed_id, password in ((TEST_PASSWORD, "whatever-it-was-1"), (SIGNERS[1], "not-the-password-42")):
        with pytest.raises(ShomeiError):
            company.http.backend(company.servers[0].endpoint).login(CHAMBER_CODE, typed_id, password)

    secrets = {
        "password": TEST_PASSWORD,
        "wrong password": "not-the-password-42",
        "provider secret": PROVIDER_SECRET,
        **{f"token of {who}": token for who, token in company.tokens.items()},
    }
    with company.core.read() as session:
        tables = {
            table.name: "\n".join(
                repr(tuple(row))
                for row in session.execute(sql(f'SELECT * FROM "{table.name}"'))  # noqa: S608 (our own table names)
            )
            for table in SQLModel.metadata.sorted_tables
        }
        trail = "\n".join(repr(tuple(row)) for row in session.execute(sql("SELECT * FROM audit_events")))
    logs = "\n".join(server.log_text() for server in company.servers)
    for name, secret in secrets.items():
        assert [t for t, dump in tables.items() if secret in dump] == [], name
        assert secret not in logs, name
        assert secret not in trail, name
    assert [t for t, dump in tables.items() if code in dump] == ["applications"]
    assert code not in logs
    assert code not in trail
    assert "c=[redacted]" in logs or "[redacted]" in logs
    company.no_server_errors()
