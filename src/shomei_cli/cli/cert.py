"""shomei cert: applications for certificates, payment, printing, and verification."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shomei_cli.cli import completion, output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from shomei_cli.domain.records import ApplicationView, DocumentFile, PaymentView

app = new_group(_("Applications for certificates (co, invoice, signature), payment, printing, verification."))
RefArg = Annotated[str, typer.Argument(help=_("The application's reference (AP…) or reception number."))]
TypeOption = Annotated[
    str,
    typer.Option(
        "--type",
        help=_("co (原産地証明書), invoice (インボイス証明) or signature (サイン証明)."),
        autocompletion=completion.certificate_types,
    ),
]
FileOption = Annotated[
    Path | None, typer.Option("--file", help=_("The application as TOML or JSON (docs/certificates.md)."))
]
AttachmentOption = Annotated[
    Path | None, typer.Option("--attachment", help=_("The commercial invoice as a PDF (type invoice)."))
]


def _read_form(path: Path) -> dict[str, Any]:
    from shomei_cli.cli.files import read_input_file
    from shomei_cli.domain.errors import InvalidInput

    data = read_input_file(path, "--file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("--file", _("must be UTF-8 text (TOML or JSON)")) from None
    import tomllib

    is_json = path.suffix.lower() == ".json"
    try:
        parsed = json.loads(text) if is_json else tomllib.loads(text)
    except ValueError as exc:  # JSONDecodeError and TOMLDecodeError are both ValueErrors
        raise InvalidInput.single(
            "--file",
            _("is not valid {format}: {error}").format(format="JSON" if is_json else "TOML", error=exc),
        ) from None
    if not isinstance(parsed, dict):
        raise InvalidInput.single("--file", _("must hold a table (an object) at the top"))
    return parsed


def _status(value: str) -> str:
    """An application's status for people: the value itself in English (scripts read it), a word in
    Japanese (発給済み); --json and --csv always carry the value."""
    from shomei_cli.domain.applications import STATUS_LABELS, Status

    try:
        return STATUS_LABELS[Status(value)]()
    except ValueError:
        return value


def verification_status(value: str) -> str:
    """What verification found, for people: the value in English, a word in Japanese (真正, 取消済み)."""
    from shomei_cli.i18n import pgettext

    labels = {
        "genuine": lambda: pgettext("verification", "genuine"),
        "cancelled": lambda: pgettext("verification", "cancelled"),
        "not_found": lambda: pgettext("verification", "not_found"),
    }
    label = labels.get(value)
    return label() if label is not None else value


def emit_application(view: ApplicationView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    s = view.summary
    output.emit_fields(
        [
            (_("reference"), s.reference),
            (_("reception number"), s.reception_number or _("(not submitted)")),
            (_("type"), s.type),
            (_("status"), _status(s.status) + (f" ({view.reason})" if view.reason else "")),
            (_("destination"), s.destination_country),
            (_("copies"), s.copies),
            (_("signer"), s.signer),
            (_("applicant"), s.applicant),
            (_("fee"), f"¥{s.fee:,}" if s.fee is not None else None),
            (_("certificate"), s.certificate_number),
            (_("access code"), view.access_code),
            (_("printable until"), output.show_time(view.printable_until) if view.printable_until else None),
        ]
    )


@app.command(
    help=_(
        "Create an application and submit it (unless --draft); prints its reception number.\n\n"
        "User IDs and sub IDs only: an administrator ID can never apply."
    )
)
def apply(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option(
            "--type", help=_("co, invoice or signature."), autocompletion=completion.certificate_types
        ),
    ] = None,
    file: FileOption = None,
    attachment: AttachmentOption = None,
    from_ref: Annotated[
        str | None,
        typer.Option("--from", help=_("Start from a past application (its content, amended by --file).")),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help=_("Keep it as a draft: do not submit yet."))] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file

    backend = state(ctx).backend()
    content: dict[str, Any] = {}
    if from_ref is not None:
        past_kind, content = backend.application_content(from_ref)
        kind = kind or past_kind
    if file is not None:
        content = {**content, **_read_form(file)}
    if kind is None or (file is None and from_ref is None):
        raise typer.BadParameter(_("give --type and --file (or --from REF)"))
    data = read_input_file(attachment, "--attachment") if attachment is not None else None
    view = backend.apply(kind, content, data, draft)
    emit_application(view, as_json)
    if not as_json:
        if draft:
            output.message(
                _("Draft {reference} saved; submit it with `shomei cert submit {reference}`.").format(
                    reference=view.summary.reference
                )
            )
        else:
            output.message(
                _("Submitted: reception number {number}.").format(number=view.summary.reception_number)
            )


@app.command(help=_("Replace the content of a draft or returned application."))
def amend(
    ctx: typer.Context,
    ref: RefArg,
    file: FileOption = None,
    attachment: AttachmentOption = None,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file

    if file is None:
        raise typer.BadParameter(_("give --file"))
    data = read_input_file(attachment, "--attachment") if attachment is not None else None
    emit_application(state(ctx).backend().amend_application(ref, _read_form(file), data), as_json)


@app.command(help=_("Submit a draft, or resubmit a returned application."))
def submit(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    view = state(ctx).backend().submit_application(ref)
    emit_application(view, as_json)
    if not as_json:
        output.message(
            _("Submitted: reception number {number}.").format(number=view.summary.reception_number)
        )


@app.command(help=_("Cancel an application before the chamber approves it."))
def cancel(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    emit_application(state(ctx).backend().cancel_application(ref), as_json)


@app.command(
    "list", help=_("Application history: a signer sees the company's, a sub ID its own, staff the chamber's.")
)
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_("draft, submitted, returned, approved, rejected, paid, issued, cancelled."),
            autocompletion=completion.application_statuses,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--type", help=_("co, invoice or signature."), autocompletion=completion.certificate_types
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help=_("Created on or after this date (YYYY-MM-DD)."))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help=_("Created on or before this date (YYYY-MM-DD)."))
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help=_("At most this many (newest first); 0 for all."))
    ] = 100,
    as_json: JsonOption = False,
    as_csv: Annotated[
        bool,
        typer.Option(
            "--csv", help=_("CSV on stdout; cells that a spreadsheet would run as formulas are quoted.")
        ),
    ] = False,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help=_("With --csv: UTF-8 with a BOM and CRLF line ends, as Japanese Excel reads.")
        ),
    ] = False,
) -> None:
    from shomei_cli.domain.errors import InvalidInput
    from shomei_cli.domain.records import ApplicationQuery

    def day(value: str | None, name: str) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput.single(name, _("must be a date like 2026-11-27")) from None

    backend = state(ctx).backend()
    query = ApplicationQuery(status, kind, day(since, "--since"), day(until, "--until"), max(limit, 0), None)
    if as_json:
        _stream_json(backend.stream_application_rows(query))
        return
    if excel and not as_csv:
        raise typer.BadParameter(_("--excel goes with --csv"))
    if as_csv:
        _stream_csv(backend.stream_application_rows(query), excel)
        return
    rows = backend.stream_applications(query)
    output.emit_table(
        [
            _("reference"),
            _("reception"),
            _("type"),
            _("status"),
            _("destination"),
            _("applicant"),
            _("fee"),
            _("certificate"),
        ],
        [
            (
                a.reference,
                a.reception_number,
                a.type,
                _status(a.status),
                a.destination_country,
                a.applicant,
                f"¥{a.fee:,}" if a.fee is not None else None,
                a.certificate_number,
            )
            for a in rows
        ],
    )


def _stream_json(batches: Iterator[list[dict[str, Any]]]) -> None:
    """One JSON array, one row a line, written a batch at a time as the rows arrive: memory stays bounded
    however long the history, and each batch of rows (already in their JSON form) is one call to orjson.
    Every row begins with its "reference" key, and a quote inside a string is escaped: so `},{"reference":`
    is found only between two rows, where the line break goes."""
    import orjson

    out = sys.stdout
    out.flush()
    write = out.buffer.write
    separator = b"[\n  "
    for batch in batches:
        if batch:
            encoded = orjson.dumps(batch)[1:-1]
            write(separator + encoded.replace(b'},{"reference":', b'},\n  {"reference":'))
            separator = b",\n  "
    write(b"[]\n" if separator.startswith(b"[") else b"\n]\n")
    out.buffer.flush()


def _stream_csv(batches: Iterator[list[dict[str, Any]]], excel: bool) -> None:
    import dataclasses

    from shomei_cli.domain.csv_export import write_rows
    from shomei_cli.domain.records import ApplicationSummary

    names = [f.name for f in dataclasses.fields(ApplicationSummary)]
    if excel:  # the bytes as Excel wants them, whatever the console's newline translation
        out = sys.stdout
        out.flush()
        import io

        text = io.TextIOWrapper(out.buffer, encoding="utf-8", newline="", write_through=True)
        write_rows(text, names, batches, excel=True)
        text.flush()
        text.detach()
        return
    write_rows(sys.stdout, names, batches, excel=False)


@app.command(help=_("One application, with its content."))
def show(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    view = state(ctx).backend().show_application(ref)
    emit_application(view, as_json)
    if not as_json:
        print(json.dumps(view.content, ensure_ascii=False, indent=2))


@app.command(help=_("Pay an approved application; paying issues the certificate."))
def pay(
    ctx: typer.Context,
    ref: RefArg,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help=_("prepaid (the company's balance); card needs the chamber's payment provider."),
            autocompletion=completion.payment_methods,
        ),
    ] = "prepaid",
    reference: Annotated[
        str | None, typer.Option("--reference", help=_("Not used by prepaid payments."), hidden=True)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    if method.strip().lower() == "card":
        started = state(ctx).backend().start_card_payment(ref)
        if as_json:
            output.emit_record(started)
            return
        output.message(
            _(
                "Pay ¥{amount:,} at the chamber's payment page below. The certificate is issued when the "
                "payment arrives: `shomei cert show {reference}` then says issued."
            ).format(amount=started.amount, reference=started.reception_number)
        )
        print(started.checkout_url)
        return
    emit_payment(state(ctx).backend().pay_application(ref, method, reference), as_json)


def emit_payment(paid: PaymentView, as_json: bool) -> None:
    """A payment and the certificate it issued (`cert pay`, and staff's `chamber payment confirm`)."""
    if as_json:
        output.emit_record(paid)
        return
    output.emit_fields(
        [
            (_("receipt"), paid.receipt_number),
            (_("amount"), f"¥{paid.amount:,}"),
            (_("method"), paid.method + (f" ({paid.payment_reference})" if paid.payment_reference else "")),
            (_("certificate"), paid.certificate_number),
            (_("access code"), paid.access_code),
            (_("balance"), f"¥{paid.balance_after:,}" if paid.balance_after is not None else None),
        ]
    )
    output.message(
        _("Issued: print it with `shomei cert print {reference} -o certificate.pdf`.").format(
            reference=paid.reference
        )
    )


RefsArg = Annotated[
    list[str], typer.Argument(help=_("The applications' references (AP…), reception or certificate numbers."))
]
OutOption = Annotated[
    Path | None, typer.Option("-o", "--output", help=_("The PDF file to write (one REF only)."))
]
OutDirOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help=_("The directory for the PDFs, each named after its document (default: here).")
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help=_("Replace files that already exist."))]
# documents per call: two chunks of pages each (documents.pdf), drawn on two cores, and bounded memory
CERTIFICATE_BATCH, RECEIPT_BATCH = 50, 100


@app.command(
    "print",
    help=_(
        "The certificates: the ORIGINAL page and a COPY page per extra copy (14 days after issuance). "
        "One PDF per certificate, named after its number (1301-2026-0000001.pdf), or -o FILE for one."
    ),
)
def print_(
    ctx: typer.Context,
    refs: RefsArg,
    out: OutOption = None,
    out_dir: OutDirOption = None,
    force: ForceOption = False,
) -> None:
    backend = state(ctx).backend()

    def names() -> list[str | None]:
        # the file names are checked before anything is printed, since every print is recorded
        return [backend.show_application(ref).summary.certificate_number for ref in refs]

    made = _documents(refs, out, out_dir, force, names, backend.print_certificates, CERTIFICATE_BATCH)
    for document, target in made:
        output.message(
            _("Wrote {path}: certificate {name} (print {count}).").format(
                path=target, name=document.name, count=document.print_count
            )
        )


@app.command(
    help=_(
        "The receipts (領収書) of paid applications: one PDF each, named after its number "
        "(RC1301-0000001.pdf), or -o FILE for one."
    )
)
def receipt(
    ctx: typer.Context,
    refs: RefsArg,
    out: OutOption = None,
    out_dir: OutDirOption = None,
    force: ForceOption = False,
) -> None:
    backend = state(ctx).backend()
    for document, target in _documents(refs, out, out_dir, force, None, backend.receipts, RECEIPT_BATCH):
        output.message(_("Wrote {path}: receipt {name}.").format(path=target, name=document.name))


def _documents(
    refs: list[str],
    out: Path | None,
    out_dir: Path | None,
    force: bool,
    names: Callable[[], list[str | None]] | None,
    make: Callable[[Sequence[str]], list[DocumentFile]],
    batch: int,
) -> Iterator[tuple[DocumentFile, Path]]:
    """Make the documents of ``refs`` in batches and write each to its file, yielding what was written.
    No file is replaced without --force: checked before anything is asked of the backend where the names
    are known then (``names``), and again as each file is written."""
    from shomei_cli.cli.files import check_output_dir, claim_output_file, document_file, write_atomic

    if out is not None and out_dir is not None:
        raise typer.BadParameter(_("give -o FILE or --out DIR, not both"))
    if out is not None:
        if len(refs) != 1:
            raise typer.BadParameter(_("-o names one file: give one REF, or --out DIR for several"))
        target = claim_output_file(out, force=force)
        (document,) = make(refs)
        write_atomic(target, document.pdf, force=force)
        yield document, target
        return
    directory = check_output_dir(out_dir or Path("."))
    if names is not None and not force and directory.is_dir():
        for name in names():
            if name is not None:
                claim_output_file(document_file(directory, name), force=False, option="--out")
    for start in range(0, len(refs), batch):
        documents = make(refs[start : start + batch])
        directory.mkdir(parents=True, exist_ok=True)
        for document in documents:
            target = document_file(directory, document.name)
            write_atomic(target, document.pdf, force=force)
            yield document, target


@app.command(
    help=_(
        "Is a certificate genuine, and what does it certify? Anyone may ask: no login needed. Either its "
        "NUMBER and --code (asks the chamber), or a signed PDF with --pdf (checked from the file itself)."
    )
)
def verify(
    ctx: typer.Context,
    number: Annotated[str | None, typer.Argument(help=_("The certificate number printed on it."))] = None,
    code: Annotated[str | None, typer.Option("--code", help=_("The access code printed on it."))] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf",
            help=_(
                "A signed PDF the chamber issued: its signature, that nothing changed after signing, and "
                "its root are checked from the file (exit 0 genuine, 10 modified, 11 unknown issuer, 12 "
                "unsigned)."
            ),
        ),
    ] = None,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            help=_(
                "A verification kit (`shomei chamber kit`: its directory or kit.json) or a root "
                "certificate to trust; repeatable. Without it the chamber's server (or store) is asked."
            ),
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help=_("With --pdf and --trust: do not ask the server for the status.")),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    if pdf is not None:
        if number is not None or code is not None:
            raise typer.BadParameter(_("give either NUMBER and --code, or --pdf"))
        _verify_pdf(ctx, pdf, trust or [], offline, as_json)
        return
    if number is None or code is None:
        raise typer.BadParameter(_("name the certificate NUMBER and its --code, or a signed PDF with --pdf"))
    if trust or offline:
        raise typer.BadParameter(_("--trust and --offline go with --pdf"))
    result = state(ctx).backend(with_token=False).verify(number, code)
    if as_json:
        output.emit_record(result)
    elif result.status in ("genuine", "cancelled"):
        cancelled = [(_("cancelled on"), result.cancelled_on.isoformat())] if result.cancelled_on else []
        output.emit_fields(
            [
                (_("status"), verification_status(result.status)),
                (_("certificate"), result.certificate_number),
                (_("chamber"), result.chamber),
                (_("issued on"), result.issued_on.isoformat() if result.issued_on else None),
                *cancelled,
                (_("exporter"), result.exporter),
                (_("consignee"), result.consignee),
                (_("destination"), result.destination_country),
                (_("goods"), "; ".join(result.goods)),
            ]
        )
    else:
        output.message(
            _("No certificate {number} with that access code.").format(number=result.certificate_number)
        )
    if result.status == "cancelled":
        raise typer.Exit(6)
    if result.status != "genuine":
        raise typer.Exit(5)


def _verify_pdf(ctx: typer.Context, pdf: Path, trust: list[Path], offline: bool, as_json: bool) -> None:
    """The offline check of a signed PDF (documents/verify.py), and the server's status when it answers."""
    import dataclasses

    from shomei_cli.cli.files import read_input_file
    from shomei_cli.documents import verify as checks
    from shomei_cli.domain.errors import ShomeiError

    data = read_input_file(pdf, "--pdf")
    if offline and not trust:
        raise typer.BadParameter(_("--offline needs a verification kit to trust: --trust KIT"))
    if trust:
        result = checks.check_document(data, checks.combined([checks.load_kit(path) for path in trust]))
        if not offline and result.verdict == "genuine":
            try:
                online = state(ctx).backend(with_token=False).verify_document(data)
            except ShomeiError as failure:
                output.message(_("The online status is unknown: {reason}").format(reason=failure.message))
            else:
                result = dataclasses.replace(
                    result, online_status=online.online_status, cancelled_on=online.cancelled_on
                )
    else:
        result = state(ctx).backend(with_token=False).verify_document(data)
    if as_json:
        output.emit_record(result)
    else:
        _emit_document_verification(result)
    if result.verdict == "genuine" and result.online_status == "cancelled":
        raise typer.Exit(6)
    if checks.EXIT_CODES[result.verdict]:
        raise typer.Exit(checks.EXIT_CODES[result.verdict])


def document_verdict(value: str) -> str:
    from shomei_cli.i18n import pgettext

    labels = {
        "genuine": lambda: pgettext("signature", "genuine"),
        "modified": lambda: pgettext("signature", "modified"),
        "unknown_issuer": lambda: pgettext("signature", "unknown_issuer"),
        "unsigned": lambda: pgettext("signature", "unsigned"),
    }
    label = labels.get(value)
    return label() if label is not None else value


def _emit_document_verification(result: Any) -> None:
    data = result.data or {}
    form = data.get("form") or {}
    goods = "; ".join(str(g.get("description", "")) for g in form.get("goods", []) if isinstance(g, dict))
    online = None
    if result.online_status:
        online = verification_status(result.online_status) + (
            f" ({result.cancelled_on.isoformat()})" if result.cancelled_on else ""
        )
    pairs: list[tuple[str, object]] = [
        (_("verdict"), document_verdict(result.verdict)),
        (_("reason"), result.reason),
        (_("online status"), online),
        (_("signed by"), result.signer),
        (_("signed at"), output.show_time(result.signed_at) if result.signed_at else None),
        (
            _("timestamp"),
            f"{output.show_time(result.timestamp)} ({result.timestamp_authority})"
            if result.timestamp
            else None,
        ),
        (_("root SHA-256"), result.root_sha256),
        (_("document"), data.get("document")),
        (_("certificate"), data.get("certificate_number")),
        (_("receipt"), data.get("receipt_number")),
        (_("type"), data.get("type")),
        (_("issued on"), data.get("issued_on")),
        (_("chamber"), (data.get("chamber") or {}).get("name_en") or (data.get("chamber") or {}).get("name")),
        (_("company"), data.get("company")),
        (_("exporter"), (form.get("exporter") or {}).get("name")),
        (_("consignee"), (form.get("consignee") or {}).get("name")),
        (_("goods"), goods or None),
        (_("amount"), f"¥{data['amount']:,}" if isinstance(data.get("amount"), int) else None),
    ]
    output.emit_fields([(k, v) for k, v in pairs if v is not None])
    if result.data is not None:
        output.message(_("All the signed data: --json (its schema: shomei cert schema --issued)."))


@app.command(help=_("The company's prepaid balance."))
def balance(ctx: typer.Context, as_json: JsonOption = False) -> None:
    amount = state(ctx).backend().balance()
    if as_json:
        output.emit_json({"balance": amount})
    else:
        print(f"¥{amount:,}")


@app.command(
    help=_(
        "The JSON Schema of an application file of TYPE (for editors and scripts), or with --issued of the "
        "data signed into every issued PDF (certificate.json)."
    )
)
def schema(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option(
            "--type",
            help=_("co (原産地証明書), invoice (インボイス証明) or signature (サイン証明)."),
            autocompletion=completion.certificate_types,
        ),
    ] = None,
    issued: Annotated[
        bool, typer.Option("--issued", help=_("The schema of the data embedded in issued PDFs."))
    ] = False,
) -> None:
    del ctx
    if issued == (kind is not None):
        raise typer.BadParameter(_("give exactly one of --type and --issued"))
    if issued:
        from shomei_cli.documents.issued import SCHEMA

        output.emit_json(SCHEMA)
        return
    from shomei_cli.domain.application_forms import certificate_type, form_json_schema

    assert kind is not None
    output.emit_json(form_json_schema(certificate_type(kind)))
