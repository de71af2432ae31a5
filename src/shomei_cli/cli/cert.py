"""shomei cert: applications for certificates, payment, printing, and verification."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state

if TYPE_CHECKING:
    from shomei_cli.domain.records import ApplicationView

app = new_group("Applications for certificates (co, invoice, signature), payment, printing, verification.")
RefArg = Annotated[str, typer.Argument(help="The application's reference (AP…) or reception number.")]
TypeOption = Annotated[
    str, typer.Option("--type", help="co (原産地証明書), invoice (インボイス証明) or signature (サイン証明).")
]
FileOption = Annotated[
    Path | None, typer.Option("--file", help="The application as TOML or JSON (docs/certificates.md).")
]
AttachmentOption = Annotated[
    Path | None, typer.Option("--attachment", help="The commercial invoice as a PDF (type invoice).")
]


def _read_form(path: Path) -> dict[str, Any]:
    from shomei_cli.cli.files import read_input_file
    from shomei_cli.domain.errors import InvalidInput

    data = read_input_file(path, "--file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("--file", "must be UTF-8 text (TOML or JSON)") from None
    import tomllib

    is_json = path.suffix.lower() == ".json"
    try:
        parsed = json.loads(text) if is_json else tomllib.loads(text)
    except ValueError as exc:  # JSONDecodeError and TOMLDecodeError are both ValueErrors
        raise InvalidInput.single("--file", f"is not valid {'JSON' if is_json else 'TOML'}: {exc}") from None
    if not isinstance(parsed, dict):
        raise InvalidInput.single("--file", "must hold a table (an object) at the top")
    return parsed


def emit_application(view: ApplicationView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    s = view.summary
    output.emit_fields(
        [
            ("reference", s.reference),
            ("reception number", s.reception_number or "(not submitted)"),
            ("type", s.type),
            ("status", s.status + (f" ({view.reason})" if view.reason else "")),
            ("destination", s.destination_country),
            ("copies", s.copies),
            ("signer", s.signer),
            ("applicant", s.applicant),
            ("fee", f"¥{s.fee:,}" if s.fee is not None else None),
            ("certificate", s.certificate_number),
            ("access code", view.access_code),
            ("printable until", output.show_time(view.printable_until) if view.printable_until else None),
        ]
    )


@app.command()
def apply(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--type", help="co, invoice or signature.")] = None,
    file: FileOption = None,
    attachment: AttachmentOption = None,
    from_ref: Annotated[
        str | None,
        typer.Option("--from", help="Start from a past application (its content, amended by --file)."),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Keep it as a draft: do not submit yet.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an application and submit it (unless --draft); prints its reception number.

    User IDs and sub IDs only: an administrator ID can never apply.
    """
    from shomei_cli.cli.files import read_input_file

    backend = state(ctx).backend()
    content: dict[str, Any] = {}
    if from_ref is not None:
        past_kind, content = backend.application_content(from_ref)
        kind = kind or past_kind
    if file is not None:
        content = {**content, **_read_form(file)}
    if kind is None or (file is None and from_ref is None):
        raise typer.BadParameter("give --type and --file (or --from REF)")
    data = read_input_file(attachment, "--attachment") if attachment is not None else None
    view = backend.apply(kind, content, data, draft)
    emit_application(view, as_json)
    if not as_json:
        if draft:
            output.message(
                f"Draft {view.summary.reference} saved; submit it with "
                f"`shomei cert submit {view.summary.reference}`."
            )
        else:
            output.message(f"Submitted: reception number {view.summary.reception_number}.")


@app.command()
def amend(
    ctx: typer.Context,
    ref: RefArg,
    file: FileOption = None,
    attachment: AttachmentOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace the content of a draft or returned application."""
    from shomei_cli.cli.files import read_input_file

    if file is None:
        raise typer.BadParameter("give --file")
    data = read_input_file(attachment, "--attachment") if attachment is not None else None
    emit_application(state(ctx).backend().amend_application(ref, _read_form(file), data), as_json)


@app.command()
def submit(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    """Submit a draft, or resubmit a returned application."""
    view = state(ctx).backend().submit_application(ref)
    emit_application(view, as_json)
    if not as_json:
        output.message(f"Submitted: reception number {view.summary.reception_number}.")


@app.command()
def cancel(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    """Cancel an application before the chamber approves it."""
    emit_application(state(ctx).backend().cancel_application(ref), as_json)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="draft, submitted, returned, approved, rejected, paid, issued, cancelled."
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option("--type", help="co, invoice or signature.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Created on or after this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Created on or before this date (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (newest first); 0 for all.")] = 100,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout.")] = False,
) -> None:
    """Application history: a signer sees the company's, a sub ID its own, staff the chamber's."""
    from shomei_cli.domain.errors import InvalidInput
    from shomei_cli.domain.records import ApplicationQuery

    def day(value: str | None, name: str) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput.single(name, "must be a date like 2026-11-27") from None

    backend = state(ctx).backend()
    query = ApplicationQuery(status, kind, day(since, "--since"), day(until, "--until"), max(limit, 0), None)
    rows = backend.stream_applications(query)

    if as_json:
        _stream_json(rows)
    elif as_csv:
        _stream_csv(rows)
    else:
        output.emit_table(
            ["reference", "reception", "type", "status", "destination", "applicant", "fee", "certificate"],
            [
                (
                    a.reference,
                    a.reception_number,
                    a.type,
                    a.status,
                    a.destination_country,
                    a.applicant,
                    a.fee,
                    a.certificate_number,
                )
                for a in rows
            ],
        )


def _stream_json(rows: Any) -> None:
    """One JSON array, written as the rows arrive: memory stays bounded however long the history. orjson
    encodes the records (dataclasses, ISO 8601 datetimes) as the generic path would, ten times faster."""
    import orjson

    out = sys.stdout
    out.flush()
    write = out.buffer.write
    separator = b"[\n  "
    for row in rows:
        write(separator)
        write(orjson.dumps(row))
        separator = b",\n  "
    write(b"[]\n" if separator.startswith(b"[") else b"\n]\n")
    out.buffer.flush()


def _stream_csv(rows: Any) -> None:
    import csv
    import dataclasses

    from shomei_cli.domain.records import ApplicationSummary, to_dict

    names = [f.name for f in dataclasses.fields(ApplicationSummary)]
    writer = csv.DictWriter(sys.stdout, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(to_dict(row))


@app.command()
def show(ctx: typer.Context, ref: RefArg, as_json: JsonOption = False) -> None:
    """One application, with its content."""
    view = state(ctx).backend().show_application(ref)
    emit_application(view, as_json)
    if not as_json:
        print(json.dumps(view.content, ensure_ascii=False, indent=2))


@app.command()
def pay(
    ctx: typer.Context,
    ref: RefArg,
    method: Annotated[
        str, typer.Option("--method", help="prepaid (the company's balance) or card.")
    ] = "prepaid",
    reference: Annotated[
        str | None, typer.Option("--reference", help="The card payment's reference.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Pay an approved application; paying issues the certificate."""
    paid = state(ctx).backend().pay_application(ref, method, reference)
    if as_json:
        output.emit_record(paid)
        return
    output.emit_fields(
        [
            ("receipt", paid.receipt_number),
            ("amount", f"¥{paid.amount:,}"),
            ("method", paid.method + (f" ({paid.payment_reference})" if paid.payment_reference else "")),
            ("certificate", paid.certificate_number),
            ("access code", paid.access_code),
            ("balance", f"¥{paid.balance_after:,}" if paid.balance_after is not None else None),
        ]
    )
    output.message(f"Issued: print it with `shomei cert print {paid.reference} -o certificate.pdf`.")


OutOption = Annotated[Path, typer.Option("-o", "--output", help="The PDF file to write.")]


@app.command("print")
def print_(ctx: typer.Context, ref: RefArg, out: OutOption = Path("certificate.pdf")) -> None:
    """The certificate: the ORIGINAL page and a COPY page per extra copy (14 days after issuance)."""
    from shomei_cli.cli.files import check_output_file, write_atomic

    target = check_output_file(out)
    document = state(ctx).backend().print_certificate(ref)
    write_atomic(target, document.pdf)
    output.message(f"Wrote {target}: certificate {document.name} (print {document.print_count}).")


@app.command()
def receipt(ctx: typer.Context, ref: RefArg, out: OutOption = Path("receipt.pdf")) -> None:
    """The receipt (領収書) of a paid application."""
    from shomei_cli.cli.files import check_output_file, write_atomic

    target = check_output_file(out)
    document = state(ctx).backend().receipt(ref)
    write_atomic(target, document.pdf)
    output.message(f"Wrote {target}: receipt {document.name}.")


@app.command()
def verify(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The certificate number printed on it.")],
    code: Annotated[str, typer.Option("--code", help="The access code printed on it.")],
    as_json: JsonOption = False,
) -> None:
    """Is a certificate genuine, and what does it certify? Anyone may ask: no login needed."""
    result = state(ctx).backend(with_token=False).verify(number, code)
    if as_json:
        output.emit_record(result)
    elif result.status in ("genuine", "cancelled"):
        cancelled = [("cancelled on", result.cancelled_on.isoformat())] if result.cancelled_on else []
        output.emit_fields(
            [
                ("status", result.status),
                ("certificate", result.certificate_number),
                ("chamber", result.chamber),
                ("issued on", result.issued_on.isoformat() if result.issued_on else None),
                *cancelled,
                ("exporter", result.exporter),
                ("consignee", result.consignee),
                ("destination", result.destination_country),
                ("goods", "; ".join(result.goods)),
            ]
        )
    else:
        output.message(f"No certificate {result.certificate_number} with that access code.")
    if result.status == "cancelled":
        raise typer.Exit(6)
    if result.status != "genuine":
        raise typer.Exit(5)


@app.command()
def balance(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The company's prepaid balance."""
    amount = state(ctx).backend().balance()
    if as_json:
        output.emit_json({"balance": amount})
    else:
        print(f"¥{amount:,}")


@app.command()
def schema(ctx: typer.Context, kind: TypeOption) -> None:
    """The JSON Schema of an application file of TYPE (for editors and scripts)."""
    del ctx
    from shomei_cli.domain.application_forms import certificate_type, form_json_schema

    output.emit_json(form_json_schema(certificate_type(kind)))
