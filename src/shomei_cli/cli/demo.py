"""shomei demo: the whole flow, from a new chamber to a verified certificate of origin, on a fresh store.

Everything lives in one new directory (``--out``, default ``./shomei-demo``): the SQLite store, the key that
seals card passwords, and the PDFs. The user's own store, profiles, keyring and ``SHOMEI_HOME`` are never
read nor written: the demo ignores the global options, builds its own ``LocalBackend`` for each person
(sharing one ``Core``) and keeps their session tokens in memory only. The sample data (docs/examples) ship
inside the package, in ``shomei_cli/demo_data``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shomei_cli import config
from shomei_cli.cli.options import JsonOption
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from shomei_cli.backends.local import LocalBackend
    from shomei_cli.services.core import Core

DEFAULT_DIRECTORY = Path("shomei-demo")
DEMO_DATA = "demo_data"
CHAMBER_CODE = "1301"
CHAMBER_NAME = "東京商工会議所"
CHAMBER_NAME_EN = "Tokyo Chamber of Commerce and Industry"
STAFF_NAME = "証明センター 山田 太郎"
SUB_NAME = "鈴木 花子"
SUB_EMAIL = "hanako@example.jp"
TOPUP_AMOUNT = 10_000
# What every demo ID's password becomes after its first login. It satisfies the policy for all of them (12+
# characters, not a common password, and no ID, chamber code, company or chamber name in it).
DEMO_PASSWORD = "sakura-demo-kaigisho-passphrase"  # noqa: S105  (the demo IDs' own, in the demo store only)
STORE_FILE = "shomei.db"
KEY_FILE = "card-secret.key"
# the PDFs, by key in the --json document, with their file names in the directory
PDF_FILES = {
    "registration_card": "trade-registration-card.pdf",
    "signer_card": "signer-card.pdf",
    "certificate": "certificate.pdf",
    "receipt": "receipt.pdf",
}

SHORT_HELP = _("The whole flow on a fresh embedded store, leaving the PDFs in a new directory.")
HELP = (
    SHORT_HELP
    + "\n\n"
    + _(
        "A chamber, a trade registration and its 貿易登録証, a signer and its 署名登録証, a sub ID, and a "
        "certificate of origin applied for, approved, paid, printed with its receipt and verified, from the "
        "sample data of docs/examples. Your own store, profiles and keyring are never touched."
    )
)

app = typer.Typer(help=SHORT_HELP, rich_markup_mode=None, add_completion=False)


@app.command(help=HELP)
def demo(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help=_(
                "A new (or empty) directory for the demo's store and PDFs (default: ./shomei-demo, or "
                "./shomei-demo-2, -3 … when that one is taken, so that the demo runs again as it did)."
            ),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    del ctx  # the global options (profile, endpoint, store) do not apply: the demo brings its own store
    run = DemoRun(as_json=as_json)
    directory = _new_directory(out if out is not None else _fresh_default())
    run.flow(directory)  # a refusal is reported by the one error boundary (cli.main), as for any command
    run.finish(directory)


def _fresh_default() -> Path:
    """./shomei-demo if it is free (missing or empty), else the first free ./shomei-demo-N."""
    for number in range(1, 1000):
        candidate = DEFAULT_DIRECTORY if number == 1 else Path(f"{DEFAULT_DIRECTORY}-{number}")
        if not candidate.exists() or (candidate.is_dir() and not any(candidate.iterdir())):
            return candidate
    return DEFAULT_DIRECTORY  # a thousand demos here already: the refusal names the directory


def _new_directory(path: Path) -> Path:
    """``path``, created if need be; refused if it is a file or a directory that is not empty."""
    from shomei_cli.domain.errors import InvalidInput

    directory = path.expanduser()
    if directory.exists() and not directory.is_dir():
        raise InvalidInput.single(
            "--out",
            _("{directory} exists and is not a directory; name a new directory").format(directory=directory),
        )
    try:
        occupied = directory.is_dir() and any(directory.iterdir())
    except OSError as exc:
        raise InvalidInput.single(
            "--out", _("{directory} cannot be read: {reason}").format(directory=directory, reason=exc)
        ) from None
    if occupied:
        raise InvalidInput.single(
            "--out",
            _(
                "{directory} is not empty: the demo needs a new or empty directory (name another with --out)"
            ).format(directory=directory),
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput.single(
            "--out", _("{directory} cannot be created: {reason}").format(directory=directory, reason=exc)
        ) from None
    return directory


def _data(name: str) -> bytes:
    """A file of the sample data shipped in the package (copies of docs/examples)."""
    from importlib.resources import files

    return files("shomei_cli").joinpath(DEMO_DATA, name).read_bytes()


def _header_and_first_row(data: bytes) -> bytes:
    """A CSV file of the header and the first record only (one registration, one signer)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows[:2])
    return buffer.getvalue().encode("utf-8")


def _signatures() -> dict[str, bytes]:
    from importlib.resources import files

    folder = files("shomei_cli").joinpath(DEMO_DATA, "signatures")
    return {entry.name: entry.read_bytes() for entry in folder.iterdir() if entry.name.endswith(".png")}


def _shipment(core: Core, time_zone: str) -> dict[str, Any]:
    """docs/examples/shipment.toml; its invoice date moved to today if it lies after today (the form
    refuses an invoice dated after the application)."""
    import tomllib

    from shomei_cli.domain.clock import calendar_day

    form = tomllib.loads(_data("shipment.toml").decode("utf-8"))
    today = calendar_day(core.clock.now(), time_zone)
    invoice = form.get("invoice")
    if isinstance(invoice, dict) and invoice.get("date", today) > today:
        invoice["date"] = today
    return form


@dataclass
class DemoRun:
    """Prints each step as it is done (or, under --json, keeps it for the one document at the end)."""

    as_json: bool
    steps: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    pdfs: dict[str, Path] = field(default_factory=dict)

    def step(self, key: str, text: str) -> None:
        number = len(self.steps) + 1
        self.steps.append({"number": number, "step": key, "text": text})
        if not self.as_json:
            print(f"{number:>2}. {text}", flush=True)

    def write_pdf(self, directory: Path, key: str, pdf: bytes) -> None:
        from shomei_cli.cli.files import write_atomic

        path = directory / PDF_FILES[key]
        write_atomic(path, pdf)
        self.pdfs[key] = path

    def flow(self, directory: Path) -> None:
        from shomei_cli import keys
        from shomei_cli.backends.local import LocalBackend
        from shomei_cli.domain.clock import DEFAULT_TIME_ZONE
        from shomei_cli.services.core import Core

        database_url = config.sqlite_url(directory.resolve() / STORE_FILE)
        self.facts["store"] = database_url
        secret_key = keys.load_or_create_key(directory / KEY_FILE)
        core = Core.open(database_url, secret_key=secret_key)
        try:

            def person() -> LocalBackend:
                # one backend per person, their token in memory only; all share the one store
                return LocalBackend(database_url, core=core)

            self._run(directory, core, person, DEFAULT_TIME_ZONE)
        finally:
            core.close()

    def _run(self, directory: Path, core: Core, person: Callable[[], LocalBackend], time_zone: str) -> None:
        staff: LocalBackend = person()
        chamber = staff.init_chamber(CHAMBER_CODE, CHAMBER_NAME, CHAMBER_NAME_EN, time_zone, STAFF_NAME)
        staff_id = chamber.staff.login_id
        self.facts.update(chamber=chamber.code, staff_id=staff_id)
        self.step(
            "chamber_init",
            _("Chamber {code} {name} set up, with its first staff ID {staff_id}.").format(
                code=chamber.code, name=chamber.name, staff_id=staff_id
            ),
        )

        _activate(staff, staff_id, chamber.staff.initial_password)
        self.step(
            "staff_password",
            _("{login_id} logged in and changed its initial password.").format(login_id=staff_id),
        )

        (registration,) = staff.issue_registrations(_header_and_first_row(_data("registrations.csv")))
        number, admin_id = registration.registration_number, registration.admin_id
        self.facts.update(registration_number=number, admin_id=admin_id)
        self.step(
            "registration",
            _(
                "Trade registration {number} ({company}) created from registrations.csv, with the "
                "administrator ID {admin_id}."
            ).format(number=number, company=registration.company_name, admin_id=admin_id),
        )

        (card,) = staff.print_registration_cards([number])
        self.write_pdf(directory, "registration_card", card.pdf)
        self.step(
            "registration_card",
            _("The 貿易登録証 of {number} printed, with the initial password of {admin_id}.").format(
                number=number, admin_id=admin_id
            ),
        )

        admin: LocalBackend = person()
        _activate(admin, admin_id, _card_password(card.password))
        self.step(
            "admin_password",
            _("{login_id} logged in with the password on its card and changed it.").format(login_id=admin_id),
        )

        (added,) = admin.import_signers(_header_and_first_row(_data("signers.csv")), _signatures())
        signer_ref = added.reference
        self.facts.update(signer=signer_ref, signer_name=added.name)
        self.step(
            "signer_add",
            _("Signer {reference} ({name}) added with a sample signature, waiting for review.").format(
                reference=signer_ref, name=added.name
            ),
        )

        staff.decide_review(signer_ref, "approve", None)
        self.step(
            "signer_approve",
            _("{staff_id} approved the signer {reference}.").format(staff_id=staff_id, reference=signer_ref),
        )

        (signer_card,) = admin.print_signer_cards([signer_ref])
        user_id = signer_card.login_id
        self.write_pdf(directory, "signer_card", signer_card.pdf)
        self.facts["user_id"] = user_id
        self.step(
            "signer_card",
            _("The 署名登録証 of {reference} printed: user ID {user_id} issued, with its password.").format(
                reference=signer_ref, user_id=user_id
            ),
        )

        signer: LocalBackend = person()
        _activate(signer, user_id, _card_password(signer_card.password))
        self.step(
            "signer_password",
            _("{login_id} logged in with the password on its card and changed it.").format(login_id=user_id),
        )

        sub = signer.add_sub(SUB_NAME, SUB_EMAIL)
        sub_id = sub.login_id
        self.facts["sub_id"] = sub_id
        self.step(
            "sub_id",
            _("{user_id} added the sub ID {sub_id} for {name}.").format(
                user_id=user_id, sub_id=sub_id, name=sub.name
            ),
        )

        applicant: LocalBackend = person()
        _activate(applicant, sub_id, sub.initial_password)
        self.step(
            "sub_password",
            _("{login_id} logged in and changed its initial password.").format(login_id=sub_id),
        )

        applied = applicant.apply("co", _shipment(core, time_zone), None, False)
        reception = applied.summary.reception_number or applied.summary.reference
        self.facts.update(application=applied.summary.reference, reception_number=reception)
        self.step(
            "apply",
            _(
                "{sub_id} applied for a certificate of origin (shipment.toml): reception number {reception}."
            ).format(sub_id=sub_id, reception=reception),
        )

        staff.decide_review(reception, "approve", None)
        fee = applicant.show_application(reception).summary.fee or 0
        self.facts["fee"] = fee
        self.step(
            "application_approve",
            _("{staff_id} approved the application {reception}: fee ¥{fee:,}.").format(
                staff_id=staff_id, reception=reception, fee=fee
            ),
        )

        balance = staff.topup(number, TOPUP_AMOUNT)
        self.step(
            "topup",
            _("{staff_id} topped up the prepaid balance of {number}: ¥{balance:,}.").format(
                staff_id=staff_id, number=number, balance=balance
            ),
        )

        paid = applicant.pay_application(reception, "prepaid", None)
        certificate, access_code = paid.certificate_number, paid.access_code
        self.facts.update(
            certificate_number=certificate, access_code=access_code, receipt_number=paid.receipt_number
        )
        self.step(
            "pay",
            _("{sub_id} paid ¥{amount:,} from the prepaid balance: certificate {certificate} issued.").format(
                sub_id=sub_id, amount=paid.amount, certificate=certificate
            ),
        )

        document = applicant.print_certificate(reception)
        self.write_pdf(directory, "certificate", document.pdf)
        copies = applied.summary.copies
        if copies == 0:
            printed = _("The certificate {certificate} printed: its ORIGINAL page.")
        elif copies == 1:
            printed = _("The certificate {certificate} printed: its ORIGINAL page and one COPY page.")
        else:  # ngettext's plural forms would not survive the catalog's import from JSON: three messages
            printed = _("The certificate {certificate} printed: its ORIGINAL page and {count} COPY pages.")
        self.step("certificate", printed.format(certificate=document.name, count=copies))

        receipt = applicant.receipt(reception)
        self.write_pdf(directory, "receipt", receipt.pdf)
        self.step("receipt", _("The receipt {receipt} printed.").format(receipt=receipt.name))

        from shomei_cli.cli.cert import verification_status

        anyone: LocalBackend = person()  # never logs in
        verified = anyone.verify(certificate, access_code)
        self.facts["verification"] = verified.status
        self.step(
            "verify",
            _("Anyone, without logging in, verified {certificate} with its access code: {status}.").format(
                certificate=certificate, status=verification_status(verified.status)
            ),
        )
        if verified.status != "genuine":
            from shomei_cli.domain.errors import Conflict

            raise Conflict(
                _("The demo's certificate {certificate} did not verify as genuine ({status}).").format(
                    certificate=certificate, status=verified.status
                )
            )

    def finish(self, directory: Path) -> None:
        if self.as_json:
            from shomei_cli.cli.output import emit_json

            emit_json(
                {
                    "directory": str(directory),
                    **self.facts,
                    "steps": self.steps,
                    "pdfs": {key: str(path) for key, path in self.pdfs.items()},
                }
            )
            return
        print(_("The PDFs:"))
        labels = {
            "registration_card": _("trade registration certificate (貿易登録証)"),
            "signer_card": _("signer registration certificate (署名登録証)"),
            "certificate": _("certificate of origin"),
            "receipt": _("receipt"),
        }
        width = max(_columns(label) for label in labels.values())
        for key, path in self.pdfs.items():
            label = labels[key]
            print(f"  {label}{' ' * (width - _columns(label))}  {path}")
        print(_("The demo's store: {store}").format(store=self.facts["store"]))


def _activate(backend: LocalBackend, login_id: str, initial_password: str) -> None:
    """Log in with an initial password and change it to the demo's, as a person does on the first day."""
    backend.login(CHAMBER_CODE, login_id, initial_password)
    backend.change_password(initial_password, DEMO_PASSWORD)


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes (East Asian wide characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _card_password(password: str | None) -> str:
    # printed on its first day, so the password is on the card: the demo prints every card just now
    assert password is not None, "a card printed on its first day carries the password"
    return password
