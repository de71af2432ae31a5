"""shomei chamber: the chamber's own set-up and review work (staff)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shomei_cli.cli import completion, output
from shomei_cli.cli.audit_view import (
    ActionOption,
    ActorOption,
    LimitOption,
    SinceOption,
    show_audit,
)
from shomei_cli.cli.options import JsonOption, PasswordStdinOption, confirm, new_group
from shomei_cli.cli.state import state
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from shomei_cli.domain.records import (
        ChamberProfile,
        PaymentProviderSettings,
        SigningKeyVersion,
        TimestampAuthority,
    )

app = new_group(_("The chamber's own work (staff): set-up, staff IDs, review, fees, top-ups, audit trail."))
staff_app = new_group(_("Staff IDs of the chamber."))
app.add_typer(staff_app, name="staff")


@app.command(help=_("Create the chamber in the store and its first staff ID; shows that ID's password once."))
def init(
    ctx: typer.Context,
    code: Annotated[str, typer.Option("--code", help=_("The chamber code, 4 digits (e.g. 1301)."))],
    name: Annotated[str, typer.Option("--name", help=_("The chamber's name in Japanese."))],
    name_en: Annotated[
        str | None, typer.Option("--name-en", help=_("The chamber's name in English."))
    ] = None,
    time_zone: Annotated[
        str, typer.Option("--time-zone", help=_("The zone whose calendar days the rules count."))
    ] = "Asia/Tokyo",
    staff_name: Annotated[
        str, typer.Option("--staff-name", help=_("The name of the person who gets the first staff ID."))
    ] = "First staff",
    as_json: JsonOption = False,
) -> None:
    backend = state(ctx).local_backend("chamber init")
    created = backend.init_chamber(code, name, name_en, time_zone, staff_name)
    if as_json:
        output.emit_record(created)
        return
    output.message(
        _("Chamber {code} {name} created, with its first staff ID.").format(
            code=created.code, name=created.name
        )
    )
    output.emit_fields(
        [
            (_("chamber"), created.code),
            (_("staff id"), created.staff.login_id),
            (_("initial password"), created.staff.initial_password),
        ]
    )
    output.message(_("The password is shown only now; it must be changed at the first login."))


@staff_app.command("add", help=_("Create another staff ID; its initial password is shown once."))
def staff_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help=_("The staff member's name."))],
    email: Annotated[str | None, typer.Option("--email", help=_("Their email address."))] = None,
    as_json: JsonOption = False,
) -> None:
    created = state(ctx).backend().add_staff(name, email)
    if as_json:
        output.emit_record(created)
        return
    output.emit_fields(
        [
            (_("staff id"), created.login_id),
            (_("name"), created.name),
            (_("initial password"), created.initial_password),
        ]
    )
    output.message(_("The password is shown only now; it must be changed at the first login."))


StaffIdArg = Annotated[str, typer.Argument(help=_("The staff ID (S…)."))]


@staff_app.command(
    "reset-password",
    help=_("A temporary password for another staff ID: your value or a generated one; its sessions end."),
)
def staff_reset_password(
    ctx: typer.Context,
    login_id: StaffIdArg,
    password_stdin: PasswordStdinOption = False,
    generate: Annotated[
        bool, typer.Option("--generate", help=_("A new random password, shown once here."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.options import read_stdin_lines

    if password_stdin == generate:
        raise typer.BadParameter(_("give exactly one of --password-stdin and --generate"))
    password = read_stdin_lines(1, ["password"])[0] if password_stdin else None
    account = state(ctx).backend().reset_staff_password(login_id, password)
    if as_json:
        output.emit_record(account)
        return
    if generate:
        output.emit_fields(
            [(_("staff id"), account.login_id), (_("initial password"), account.initial_password)]
        )
        output.message(_("The password is shown only now; it must be changed at the next login."))
    else:
        output.message(
            _("The password of {login_id} was set; it must be changed at the next login.").format(
                login_id=account.login_id
            )
        )


@staff_app.command("disable", help=_("Disable a staff ID: its sessions end (never the last enabled one)."))
def staff_disable(ctx: typer.Context, login_id: StaffIdArg, as_json: JsonOption = False) -> None:
    _set_enabled(ctx, login_id, False, as_json)


@staff_app.command("enable", help=_("Enable a disabled staff ID again."))
def staff_enable(ctx: typer.Context, login_id: StaffIdArg, as_json: JsonOption = False) -> None:
    _set_enabled(ctx, login_id, True, as_json)


def _set_enabled(ctx: typer.Context, login_id: str, enabled: bool, as_json: bool) -> None:
    account = state(ctx).backend().set_staff_enabled(login_id, enabled)
    if as_json:
        output.emit_record(account)
    elif enabled:
        output.message(_("{login_id} is enabled: it can log in again.").format(login_id=account.login_id))
    else:
        output.message(
            _("{login_id} is disabled: it can no longer log in.").format(login_id=account.login_id)
        )


@staff_app.command("unlock", help=_("Unlock a staff ID locked after failed logins (staff)."))
def staff_unlock(ctx: typer.Context, login_id: StaffIdArg, as_json: JsonOption = False) -> None:
    from shomei_cli.cli.session import unlock

    unlock(ctx, "staff", login_id, as_json)


@staff_app.command("list", help=_("The chamber's staff IDs."))
def staff_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    accounts = state(ctx).backend().list_staff()
    if as_json:
        output.emit_records(accounts)
        return
    output.emit_table(
        [_("id"), _("name"), _("email"), _("status"), _("locked"), _("password")],
        [
            (
                a.login_id,
                a.name,
                a.email,
                a.status,
                _("yes") if a.locked else _("no"),
                _("temporary") if a.must_change_password else _("set"),
            )
            for a in accounts
        ],
    )


@app.command(help=_("The audit trail of the whole chamber, newest first."))
def audit(
    ctx: typer.Context,
    actor: ActorOption = None,
    action: ActionOption = None,
    since: SinceOption = None,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    show_audit(state(ctx), actor, action, since, limit, as_json)


review_app = new_group(
    _("The review queue: registration changes and renewals, signers and signatures, and applications.")
)
app.add_typer(review_app, name="review")
ReferenceArg = Annotated[str, typer.Argument(help=_("The item's reference, e.g. RQ000001."))]


@review_app.command("list", help=_("Items waiting for a decision (or decided ones, with --status)."))
def review_list(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=_("application, change, renewal, signature_change or signer_addition."),
            autocompletion=completion.review_kinds,
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_("pending (default), approved, returned, rejected or all."),
            autocompletion=completion.review_statuses,
        ),
    ] = None,
    company: Annotated[
        str | None, typer.Option("--company", help=_("Only this company's items (its registration number)."))
    ] = None,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than", metavar="HOURS", help=_("Only items submitted at least HOURS hours ago.")
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    items = state(ctx).backend().list_reviews(kind, status, company, older_than)
    if as_json:
        output.emit_records(items)
        return
    output.emit_table(
        [
            _("reference"),
            _("kind"),
            _("status"),
            _("registration"),
            _("company"),
            _("request"),
            _("submitted"),
            _("waited"),
        ],
        [
            (
                i.reference,
                i.kind,
                i.status,
                i.registration_number,
                i.company_name,
                i.summary,
                output.show_time(i.submitted_at),
                waited(i.waited_seconds),
            )
            for i in items
        ],
    )


def waited(seconds: int) -> str:
    """A wait as people say it: 45 min, 5 h 10 min, 3 d 4 h."""
    minutes = seconds // 60
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    days, hours = divmod(hours, 24)
    return _("{days} d {hours} h").format(days=days, hours=hours)


@review_app.command(
    "show",
    help=_(
        "Everything a decision rests on: the particulars, the files (a signature as it will be printed, the "
        "form and its attachments, a SPECIMEN preview of the certificate) written to DIR, and after a "
        "return what changed since."
    ),
)
def review_show(
    ctx: typer.Context,
    reference: ReferenceArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=_("Where to write the files (default: ./review-REFERENCE).")),
    ] = None,
    open_files: Annotated[
        bool, typer.Option("--open", help=_("Open the files with the system's viewer."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import check_output_dir, write_atomic
    from shomei_cli.domain.records import to_dict

    dossier = state(ctx).backend().show_review(reference)
    item = dossier.entry
    directory = check_output_dir(out or Path(f"review-{_safe_name(item.reference)}"), "--out")
    written: list[tuple[Any, Path]] = []
    if dossier.files:
        directory.mkdir(parents=True, exist_ok=True)
        for file in dossier.files:
            target = directory / file.name
            write_atomic(target, file.content, force=True)  # the dossier's own directory: always current
            written.append((file, target))
    if as_json:
        output.emit_json(
            {
                "entry": to_dict(item),
                "particulars": dossier.particulars,
                "returned_reason": dossier.returned_reason,
                "returned_at": dossier.returned_at.isoformat() if dossier.returned_at else None,
                "changes": [to_dict(c) for c in dossier.changes],
                "files": [
                    {
                        "name": f.name,
                        "path": str(path),
                        "media_type": f.media_type,
                        "size": f.size,
                        "sha256": f.sha256,
                        "description": f.description,
                    }
                    for f, path in written
                ],
            }
        )
    else:
        output.emit_fields(
            [
                (_("reference"), item.reference),
                (_("kind"), item.kind),
                (_("status"), item.status),
                (_("company"), f"{item.registration_number} {item.company_name}"),
                (_("request"), item.summary),
                (_("submitted"), f"{output.show_time(item.submitted_at)} ({item.submitted_by or '-'})"),
                (_("waited"), waited(item.waited_seconds)),
                *[(name, _shown(value)) for name, value in dossier.particulars.items()],
            ]
        )
        if dossier.returned_reason is not None:
            output.message(
                _("Returned {when}: {reason}").format(
                    when=output.show_time(dossier.returned_at), reason=dossier.returned_reason
                )
            )
            print()
            if dossier.changes:
                output.emit_table(
                    [_("changed since the return"), _("before"), _("now")],
                    [(c.field, _shown(c.before), _shown(c.after)) for c in dossier.changes],
                )
            else:
                output.message(_("Nothing changed since the return."))
        if written:
            print()
            output.emit_table(
                [_("file"), _("bytes"), _("SHA-256"), _("what")],
                [(str(path), f.size, f.sha256, f.description) for f, path in written],
            )
    if open_files:
        for _file, path in written:
            typer.launch(str(path))


def _shown(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def _safe_name(reference: str) -> str:
    """A reference as a directory name: letters, digits, '-' and '_' only."""
    import re

    return re.sub(r"[^A-Za-z0-9_-]", "_", reference)[:40] or "item"


def _decide(ctx: typer.Context, reference: str, decision: str, reason: str | None, as_json: bool) -> None:
    item = state(ctx).backend().decide_review(reference, decision, reason)
    if as_json:
        output.emit_record(item)
        return
    output.message(f"{item.reference} ({item.kind}, {item.company_name}): {item.status}.")


ReasonOption = Annotated[str, typer.Option("--reason", help=_("Why; the applicant sees it."))]


@review_app.command(help=_("Approve an item: its change takes effect."))
def approve(ctx: typer.Context, reference: ReferenceArg, as_json: JsonOption = False) -> None:
    _decide(ctx, reference, "approve", None, as_json)


@review_app.command("return", help=_("Return an item for correction, with a reason."))
def return_(
    ctx: typer.Context, reference: ReferenceArg, reason: ReasonOption, as_json: JsonOption = False
) -> None:
    _decide(ctx, reference, "return", reason, as_json)


@review_app.command(help=_("Reject an item for good, with a reason."))
def reject(
    ctx: typer.Context, reference: ReferenceArg, reason: ReasonOption, as_json: JsonOption = False
) -> None:
    _decide(ctx, reference, "reject", reason, as_json)


fees_app = new_group(_("The fee table (手数料): per application and per extra copy, by type and membership."))
app.add_typer(fees_app, name="fees")


@fees_app.command("show", help=_("The fee table."))
def fees_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    rows = state(ctx).backend().fees()
    if as_json:
        output.emit_records(rows)
        return
    output.emit_table(
        [_("type"), _("member"), _("per application"), _("per extra copy"), _("consumption tax")],
        [
            (
                r.type,
                _("member") if r.member else _("non-member"),
                f"¥{r.per_application:,}",
                f"¥{r.per_copy:,}",
                f"{r.tax_rate}%" if r.tax_rate else _("not taxable"),
            )
            for r in rows
        ],
    )


@fees_app.command(
    "set", help=_("Change one row of the fee table (it applies to applications approved from now on).")
)
def fees_set(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Option(
            "--type", help=_("co, invoice or signature."), autocompletion=completion.certificate_types
        ),
    ],
    member: Annotated[bool, typer.Option("--member/--non-member", help=_("Which price: members' or not."))],
    per_application: Annotated[int, typer.Option("--per-application", help=_("Yen per application."))],
    per_copy: Annotated[int, typer.Option("--per-copy", help=_("Yen per extra copy."))],
    tax_rate: Annotated[
        int | None,
        typer.Option(
            "--tax-rate",
            help=_(
                "Consumption tax in the fee, per cent: 10 or 8, or 0 for not taxable (default: as it was; "
                "10 for a new row). Printed on receipts."
            ),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    rows = state(ctx).backend().set_fee(kind, member, per_application, per_copy, tax_rate)
    if as_json:
        output.emit_records(rows)
        return
    if member:
        output.message(_("Fee for {type} (members) set.").format(type=kind))
    else:
        output.message(_("Fee for {type} (non-members) set.").format(type=kind))


@app.command(help=_("Credit a company's prepaid balance (前納金)."))
def topup(
    ctx: typer.Context,
    registration: Annotated[str, typer.Argument(help=_("The registration number."))],
    amount: Annotated[int, typer.Argument(help=_("Yen to credit."))],
    as_json: JsonOption = False,
) -> None:
    balance = state(ctx).backend().topup(registration, amount)
    if as_json:
        output.emit_json({"registration_number": registration, "balance": balance})
        return
    output.message(
        _("Balance of {registration}: ¥{balance:,}.").format(registration=registration, balance=balance)
    )


@app.command(
    help=_(
        'Cancel an issued certificate (issued in error, or on fraud): verification answers "cancelled" from '
        "then on and it can no longer be printed. The payment stands."
    )
)
def revoke(
    ctx: typer.Context,
    certificate: Annotated[
        str, typer.Argument(help=_("The certificate number (or the reference or reception number)."))
    ],
    reason: Annotated[str, typer.Option("--reason", help=_("Why; the company sees it."))],
    yes: Annotated[bool, typer.Option("--yes", help=_("Do not ask for confirmation."))] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.cert import emit_application

    question = _("Cancel certificate {certificate}? This cannot be undone.").format(certificate=certificate)
    if not yes and not confirm(question):
        raise typer.Abort()
    emit_application(state(ctx).backend().cancel_certificate(certificate, reason), as_json)


payment_app = new_group(
    _("Payments: those received outside shomei (bank transfer, the counter), and the card payment provider.")
)
app.add_typer(payment_app, name="payment")
provider_app = new_group(
    _("The card payment provider: its hosted checkout page and the secret shared with it.")
)
payment_app.add_typer(provider_app, name="provider")


def _emit_provider(result: PaymentProviderSettings, as_json: bool) -> None:
    if as_json:
        output.emit_record(result)
        return
    output.emit_fields(
        [
            (_("checkout page"), result.checkout_url or _("(not set: card payments are refused)")),
            (_("shared secret"), _("set") if result.secret_set else _("(not set)")),
            (_("notifications to"), result.notify_path),
        ]
    )


@provider_app.command("show", help=_("The provider's checkout page, and whether the shared secret is set."))
def provider_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_provider(state(ctx).backend().payment_provider(), as_json)


@provider_app.command(
    "set",
    help=_(
        "Take card payments through the provider's hosted checkout at URL. The secret it signs its "
        "notifications with is read from a file or an environment variable, never from the command line."
    ),
)
def provider_set(
    ctx: typer.Context,
    checkout_url: Annotated[
        str, typer.Option("--checkout-url", help=_("The provider's checkout page (https)."))
    ],
    secret_file: Annotated[
        Path | None,
        typer.Option("--secret-file", help=_("A file holding the shared secret (its first line).")),
    ] = None,
    secret_env: Annotated[
        str | None,
        typer.Option(
            "--secret-env", metavar="VARIABLE", help=_("An environment variable holding the secret.")
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    import os

    from shomei_cli.cli.files import read_input_file

    if (secret_file is None) == (secret_env is None):
        raise typer.BadParameter(_("give exactly one of --secret-file and --secret-env"))
    if secret_file is not None:
        lines = read_input_file(secret_file, "--secret-file").decode("utf-8", errors="replace").splitlines()
        secret = lines[0] if lines else ""
    else:
        secret = os.environ.get(secret_env or "", "")
        if not secret:
            raise typer.BadParameter(
                _("the environment variable {name} is not set").format(name=secret_env),
                param_hint="--secret-env",
            )
    _emit_provider(state(ctx).backend().set_payment_provider(checkout_url, secret), as_json)


@provider_app.command("clear", help=_("Refuse card payments from now on (the secret is forgotten)."))
def provider_clear(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_provider(state(ctx).backend().set_payment_provider(None, None), as_json)


@payment_app.command(
    "confirm",
    help=_(
        "Record a payment the chamber received for an approved application (a bank transfer, or at the "
        "counter) with its reference; this issues the certificate. Only staff know the money arrived."
    ),
)
def payment_confirm(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help=_("The application's reference (AP…) or reception number."))],
    method: Annotated[
        str, typer.Option("--method", help=_("transfer (bank transfer) or counter (paid at the counter)."))
    ],
    reference: Annotated[
        str, typer.Option("--reference", help=_("The bank's or the till's reference of the payment."))
    ],
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.cert import emit_payment

    emit_payment(state(ctx).backend().confirm_payment(ref, method, reference), as_json)


@app.command(help=_("Show or change the chamber's settings."))
def settings(
    ctx: typer.Context,
    verification_url: Annotated[
        str | None,
        typer.Option(
            "--verification-url",
            help=_("The public verification page's URL (in the certificates' QR codes)."),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    url = state(ctx).backend().chamber_settings(verification_url)
    if as_json:
        output.emit_json({"verification_url": url})
        return
    output.emit_fields([(_("verification url"), url or _("(not set)"))])


def _emit_profile(profile: ChamberProfile, as_json: bool) -> None:
    if as_json:
        output.emit_record(profile)
        return
    unset = _("(not set)")
    seal = profile.seal
    officer = profile.officer
    output.emit_fields(
        [
            (
                _("chamber"),
                f"{profile.code} {profile.name}" + (f" ({profile.name_en})" if profile.name_en else ""),
            ),
            (_("address"), profile.address or unset),
            (_("address (English)"), profile.address_en or unset),
            (_("place of issue"), profile.place or unset),
            (_("invoice registration number"), profile.invoice_registration_number or unset),
            (
                _("seal"),
                _("version {version}, set {when} by {by}").format(
                    version=seal.version, when=output.show_time(seal.set_at), by=seal.set_by
                )
                if seal
                else unset,
            ),
            (
                _("officer"),
                _("{name}, {title} (version {version}, set {when} by {by})").format(
                    name=officer.name,
                    title=officer.title,
                    version=officer.version,
                    when=output.show_time(officer.set_at),
                    by=officer.set_by,
                )
                if officer
                else unset,
            ),
        ]
    )


@app.command(
    help=_(
        "Show or change the chamber's identity on paper: address (on receipts), place of issue (in the "
        "certification), qualified-invoice registration number (T and 13 digits). An empty value clears one."
    )
)
def profile(
    ctx: typer.Context,
    address: Annotated[
        str | None, typer.Option("--address", help=_("The chamber's address (Japanese)."))
    ] = None,
    address_en: Annotated[
        str | None, typer.Option("--address-en", help=_("The chamber's address in English."))
    ] = None,
    place: Annotated[
        str | None, typer.Option("--place", help=_("The place of issue printed in box 10, e.g. Tokyo."))
    ] = None,
    invoice_registration_number: Annotated[
        str | None,
        typer.Option(
            "--invoice-registration-number",
            help=_(
                "The qualified-invoice issuer registration number (適格請求書発行事業者登録番号), "
                "T and 13 digits."
            ),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    backend = state(ctx).backend()
    if all(v is None for v in (address, address_en, place, invoice_registration_number)):
        result = backend.chamber_profile()
    else:
        result = backend.set_chamber_profile(address, address_en, place, invoice_registration_number)
    _emit_profile(result, as_json)


seal_app = new_group(_("The chamber's seal (印影), printed in box 10 of certificates and on receipts."))
app.add_typer(seal_app, name="seal")


@seal_app.command(
    "set", help=_("Set a new seal image; certificates issued before keep the seal they were issued with.")
)
def seal_set(
    ctx: typer.Context,
    image: Annotated[
        Path, typer.Option("--image", help=_("The seal image (PNG or JPEG), on white or clear."))
    ],
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file

    result = state(ctx).backend().set_chamber_seal(read_input_file(image, "--image"))
    if not as_json:
        assert result.seal is not None
        output.message(_("Seal set (version {version}).").format(version=result.seal.version))
    _emit_profile(result, as_json)


@seal_app.command("show", help=_("The seal in force: its version, when and by whom it was set."))
def seal_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_profile(state(ctx).backend().chamber_profile(), as_json)


officer_app = new_group(_("The authorized officer who certifies for the chamber (box 10 of certificates)."))
app.add_typer(officer_app, name="officer")


@officer_app.command(
    "set",
    help=_("Set the authorized officer; certificates issued before keep the officer they were issued with."),
)
def officer_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help=_("The officer's name as printed, e.g. Yamada Taro."))],
    title: Annotated[str, typer.Option("--title", help=_("The officer's title, e.g. Director."))],
    signature: Annotated[
        Path, typer.Option("--signature", help=_("The officer's signature image (PNG or JPEG)."))
    ],
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file

    image = read_input_file(signature, "--signature")
    result = state(ctx).backend().set_chamber_officer(name, title, image)
    if not as_json:
        assert result.officer is not None
        output.message(_("Officer set (version {version}).").format(version=result.officer.version))
    _emit_profile(result, as_json)


@officer_app.command("show", help=_("The authorized officer in force."))
def officer_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_profile(state(ctx).backend().chamber_profile(), as_json)


keys_app = new_group(
    _("The key the chamber signs issued PDFs with: its versions, rotation, a public CA's key instead.")
)
app.add_typer(keys_app, name="keys")


def _emit_keys(versions: list[SigningKeyVersion], as_json: bool) -> None:
    if as_json:
        output.emit_records(versions)
        return
    output.emit_table(
        [_("version"), _("in force"), _("source"), _("subject"), _("valid until"), _("root SHA-256")],
        [
            (
                v.version,
                "*" if v.in_force else "",
                v.source,
                v.subject,
                v.not_after.date().isoformat(),
                v.root_sha256,
            )
            for v in versions
        ],
    )


@keys_app.command("show", help=_("Every version of the signing key; the one marked * signs."))
def keys_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_keys(state(ctx).backend().signing_keys(), as_json)


@keys_app.command(
    "rotate",
    help=_("A new signing key and certificate under the chamber's root; documents signed before stay valid."),
)
def keys_rotate(ctx: typer.Context, as_json: JsonOption = False) -> None:
    versions = state(ctx).backend().rotate_signing_key()
    if not as_json:
        output.message(_("Signing key version {version} is in force.").format(version=versions[-1].version))
    _emit_keys(versions, as_json)


@keys_app.command(
    "import",
    help=_(
        "Sign from now on with a key and certificate chain from a PKCS#12 file (e.g. from a public CA); the "
        "file's password is read from standard input with --password-stdin, or asked for."
    ),
)
def keys_import(
    ctx: typer.Context,
    pkcs12: Annotated[Path, typer.Option("--pkcs12", help=_("The PKCS#12 (.p12, .pfx) file."))],
    password_stdin: PasswordStdinOption = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file
    from shomei_cli.cli.options import read_stdin_lines

    data = read_input_file(pkcs12, "--pkcs12")
    if password_stdin:
        password = read_stdin_lines(1, ["password"])[0]
    else:
        password = typer.prompt(
            _("Password of the PKCS#12 file (empty: none)"), default="", hide_input=True, show_default=False
        )
    versions = state(ctx).backend().import_signing_key(data, password or None)
    if not as_json:
        output.message(_("Signing key version {version} is in force.").format(version=versions[-1].version))
    _emit_keys(versions, as_json)


@app.command(
    help=_(
        "Export the verification kit to DIR: kit.json and the root certificates (PEM), for checking signed "
        "PDFs without the server (`shomei cert verify --pdf FILE --trust DIR`). No login needed."
    )
)
def kit(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help=_("The directory to write the kit to."))],
    chamber: Annotated[
        str | None, typer.Option("--chamber", help=_("The chamber's code, where the store holds several."))
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Replace files already there."))] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import check_output_dir, claim_output_file, write_atomic
    from shomei_cli.documents.verify import KIT_FILE, kit_from_record
    from shomei_cli.domain.records import to_dict

    result = state(ctx).backend(with_token=False).verification_kit(chamber)
    kit_from_record(result)  # every certificate matches its fingerprint before anything is written
    directory = check_output_dir(out, "--out")
    files: dict[str, bytes] = {
        KIT_FILE: (json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n").encode()
    }
    for index, root in enumerate(result.roots, 1):
        files[f"root-{index}.pem"] = root.pem.encode("ascii")
    for index, root in enumerate(result.timestamp_roots, 1):
        files[f"tsa-{index}.pem"] = root.pem.encode("ascii")
    if not force and directory.is_dir():
        for name in files:
            claim_output_file(directory / name, force=False, option="--out")
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        write_atomic(directory / name, content, force=force)
    if as_json:
        output.emit_json(
            {"directory": str(directory), "files": sorted(files), "roots": [r.sha256 for r in result.roots]}
        )
        return
    output.message(
        _("The verification kit of {chamber} is in {directory}.").format(
            chamber=result.chamber_name, directory=directory
        )
    )
    output.emit_table(
        [_("root"), _("SHA-256"), _("valid until")],
        [(r.subject, r.sha256, r.not_after.date().isoformat()) for r in result.roots],
    )


timestamp_app = new_group(_("The RFC 3161 timestamp authority that timestamps the chamber's signatures."))
app.add_typer(timestamp_app, name="timestamp")


def _emit_timestamp(result: TimestampAuthority, as_json: bool) -> None:
    if as_json:
        output.emit_record(result)
        return
    output.emit_fields(
        [
            (_("timestamp authority"), result.url or _("(not set)")),
            (_("root SHA-256"), ", ".join(result.root_sha256) or None),
        ]
    )


@timestamp_app.command("show", help=_("The timestamp authority in use, if any."))
def timestamp_show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_timestamp(state(ctx).backend().timestamp_authority(), as_json)


@timestamp_app.command(
    "set",
    help=_(
        "Timestamp every signature from now on by the authority at URL; ROOT is the certificate its "
        "tokens chain to (it goes into the verification kit). Printing fails while it does not answer."
    ),
)
def timestamp_set(
    ctx: typer.Context,
    url: Annotated[str, typer.Option("--url", help=_("The authority's address (http or https)."))],
    root: Annotated[Path, typer.Option("--root", help=_("The authority's root certificate (PEM)."))],
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import read_input_file

    pem = read_input_file(root, "--root").decode("ascii", errors="replace")
    _emit_timestamp(state(ctx).backend().timestamp_authority(url, pem), as_json)


@timestamp_app.command("clear", help=_("Sign without timestamps from now on."))
def timestamp_clear(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_timestamp(state(ctx).backend().timestamp_authority(clear=True), as_json)
