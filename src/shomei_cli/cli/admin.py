"""shomei admin: trade registrations and their administrator IDs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shomei_cli.cli import completion, output
from shomei_cli.cli.audit_view import ActionOption, ActorOption, LimitOption, SinceOption, show_audit
from shomei_cli.cli.options import JsonOption, new_group
from shomei_cli.cli.state import state
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from shomei_cli.backends.base import Backend
    from shomei_cli.domain.records import CardPrint, IssuedRegistration, RegistrationView

app = new_group(_("Trade registrations (貿易登録) and their administrator IDs."))

RegistrationArg = Annotated[str, typer.Argument(help=_("The registration number (10 digits)."))]
OptionalRegistrationArg = Annotated[
    str | None, typer.Argument(help=_("The registration number; administrators omit it (their own)."))
]
CARD_BATCH = 50
CardFileOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help=_("The PDF file to write (default: named after the card, e.g. 1301000001.pdf, here)."),
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help=_("Replace files that already exist."))]


@app.command(
    help=_(
        "Create trade registrations and issue their administrator IDs; write each 貿易登録証 (staff).\n\n"
        "From a CSV file (every row is checked before anything is written; rows already registered are "
        "reported, not redone), or one registration from the options."
    )
)
def issue(
    ctx: typer.Context,
    csv: Annotated[
        Path | None, typer.Option("--csv", help=_("A CSV file of registrations (docs/registrations.md)."))
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help=_("Where to write one 貿易登録証 PDF per registration."))
    ] = Path("cards"),
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=_("exporter (申請者) or agent (代行業者)."),
            autocompletion=completion.registration_kinds,
        ),
    ] = None,
    corporate_number: Annotated[
        str | None, typer.Option("--corporate-number", help=_("法人番号, 13 digits."))
    ] = None,
    company: Annotated[str | None, typer.Option("--company", help=_("Company name (Japanese)."))] = None,
    company_en: Annotated[str | None, typer.Option("--company-en", help=_("Company name (English)."))] = None,
    representative: Annotated[
        str | None, typer.Option("--representative", help=_("Representative's name (kanji)."))
    ] = None,
    representative_en: Annotated[
        str | None, typer.Option("--representative-en", help=_("Representative's name (romaji)."))
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help=_("Representative's title (Japanese)."))
    ] = None,
    title_en: Annotated[
        str | None, typer.Option("--title-en", help=_("Representative's title (English)."))
    ] = None,
    postal_code: Annotated[
        str | None, typer.Option("--postal-code", help=_("7 digits, e.g. 100-0001."))
    ] = None,
    address: Annotated[str | None, typer.Option("--address", help=_("Address (Japanese)."))] = None,
    address_en: Annotated[str | None, typer.Option("--address-en", help=_("Address (English)."))] = None,
    contact_person: Annotated[str | None, typer.Option("--contact-person", help=_("Contact person."))] = None,
    department: Annotated[str | None, typer.Option("--department", help=_("Department."))] = None,
    phone: Annotated[str | None, typer.Option("--phone", help=_("Phone number."))] = None,
    email: Annotated[str | None, typer.Option("--email", help=_("Email address."))] = None,
    member: Annotated[
        bool, typer.Option("--member/--non-member", help=_("Chamber member or not (fees differ)."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.files import check_output_dir, document_file, read_input_file, remove_temporaries

    single = {
        "kind": kind,
        "corporate_number": corporate_number,
        "company_name": company,
        "company_name_en": company_en,
        "representative_name": representative,
        "representative_name_en": representative_en,
        "representative_title": title,
        "representative_title_en": title_en,
        "postal_code": postal_code,
        "address": address,
        "address_en": address_en,
        "contact_person": contact_person,
        "department": department,
        "phone": phone,
        "email": email,
    }
    given = {k: v for k, v in single.items() if v is not None}
    if csv is not None and given:
        raise typer.BadParameter(_("give either --csv or the options of one registration, not both"))
    if csv is None and not given:
        raise typer.BadParameter(_("give --csv FILE, or the options of one registration (--company …)"))
    data = read_input_file(csv, "--csv") if csv is not None else None
    directory = check_output_dir(out)
    backend = state(ctx).backend()
    if data is not None:
        results = backend.issue_registrations(data)
    else:
        results = [backend.issue_registration({**given, "member": "yes" if member else "no"})]
    swept = remove_temporaries(directory)
    # a card is printed when it was never printed, and again when a run before this one was killed after
    # printing it but before its file was on disk (or the file went missing since)
    missing = [
        r.registration_number
        for r in results
        if not r.card_pending and not document_file(directory, r.registration_number).exists()
    ]
    to_print = [r for r in results if r.card_pending or r.registration_number in missing]
    printed = _print_cards(backend, to_print, directory, show_progress=not as_json)
    _report_issue(results, printed, as_json)
    if swept:
        output.message(
            _("Removed {count} temporary file(s) left in {path} by an interrupted run.").format(
                count=swept, path=directory
            )
        )
    if missing:
        output.message(
            _("{count} card(s) printed before but missing from {path} were written again.").format(
                count=len(missing), path=directory
            )
        )


def _print_cards(
    backend: Backend, rows: list[IssuedRegistration], directory: Path, *, show_progress: bool
) -> dict[str, tuple[Path, str | None]]:
    from shomei_cli.cli.card_files import REGISTRATION_CARD, print_many

    printed: dict[str, tuple[Path, str | None]] = {}
    progress = None
    if show_progress and sys.stderr.isatty() and len(rows) > 1:
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True), transient=True)
        progress.start()
        task = progress.add_task("貿易登録証", total=len(rows))
    try:
        for start in range(0, len(rows), CARD_BATCH):
            chunk = rows[start : start + CARD_BATCH]
            numbers = [r.registration_number for r in chunk]
            for card, path in print_many(backend, REGISTRATION_CARD, numbers, directory):
                printed[card.registration_number] = (path, card.password)
            if progress is not None:
                progress.advance(task, len(chunk))
    finally:
        if progress is not None:
            progress.stop()
    return printed


def _report_issue(
    results: list[IssuedRegistration], printed: dict[str, tuple[Path, str | None]], as_json: bool
) -> None:
    if as_json:
        rows = []
        for r in results:
            path, password = printed.get(r.registration_number, (None, None))
            rows.append(
                {
                    "row": r.row,
                    "outcome": r.outcome,
                    "registration_number": r.registration_number,
                    "corporate_number": r.corporate_number,
                    "company_name": r.company_name,
                    "admin_id": r.admin_id,
                    "card": str(path) if path else None,
                    "password": password,
                }
            )
        output.emit_json(rows)
        return
    output.emit_table(
        [_("row"), _("outcome"), _("registration"), _("admin id"), _("company"), _("card")],
        [
            (
                r.row,
                r.outcome,
                r.registration_number,
                r.admin_id,
                r.company_name,
                printed[r.registration_number][0] if r.registration_number in printed else "",
            )
            for r in results
        ],
    )
    created = sum(1 for r in results if r.outcome == "created")
    output.message(
        _(
            "{created} registration(s) created, {existing} already registered; {cards} card(s) written."
        ).format(created=created, existing=len(results) - created, cards=len(printed))
    )


@app.command("list", help=_("The chamber's registrations (staff)."))
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_("active, suspended or expired."),
            autocompletion=completion.registration_statuses,
        ),
    ] = None,
    expiring_within: Annotated[
        int | None, typer.Option("--expiring-within", help=_("Only those whose validity ends within DAYS."))
    ] = None,
    expired: Annotated[
        bool, typer.Option("--expired", help=_("Only expired ones (= --status expired)."))
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.domain.records import RegistrationQuery

    if expired:
        status = "expired"
    rows = state(ctx).backend().list_registrations(RegistrationQuery(status, expiring_within))
    if as_json:
        output.emit_records(rows)
        return
    output.emit_table(
        [
            _("registration"),
            _("company"),
            _("status"),
            _("valid until"),
            _("days left"),
            _("admin id"),
            _("member"),
        ],
        [
            (
                r.registration_number,
                r.company_name,
                r.status,
                r.valid_until.isoformat(),
                r.days_left,
                r.admin_id,
                _("yes") if r.member else _("no"),
            )
            for r in rows
        ],
    )


@app.command(help=_("登録内容確認: particulars, contact, validity and administrator ID."))
def show(
    ctx: typer.Context, registration: OptionalRegistrationArg = None, as_json: JsonOption = False
) -> None:
    view = state(ctx).backend().show_registration(registration)
    _emit_view(view, as_json)


def _emit_view(view: RegistrationView, as_json: bool) -> None:
    if as_json:
        output.emit_record(view)
        return
    if view.renewal_open:
        validity = _("{valid_from} to {valid_until} ({days_left} days left, renewal open)")
    else:
        validity = _("{valid_from} to {valid_until} ({days_left} days left)")
    admin_notes = []
    if view.admin_locked:
        admin_notes.append(_("locked"))
    if view.admin_must_change_password:
        admin_notes.append(_("temporary password"))
    output.emit_fields(
        [
            (_("registration"), view.registration_number),
            (_("kind"), view.kind),
            (_("company"), f"{view.company_name} / {view.company_name_en}"),
            (_("corporate number"), view.corporate_number),
            (
                _("representative"),
                f"{view.representative_title} {view.representative_name} / "
                f"{view.representative_title_en} {view.representative_name_en}",
            ),
            (_("address"), f"〒{view.postal_code} {view.address} / {view.address_en}"),
            (
                _("contact"),
                f"{view.contact_person} {view.department or ''} {view.phone} {view.email}".strip(),
            ),
            (_("member"), _("yes") if view.member else _("no")),
            (_("status"), view.status + (f" ({view.status_reason})" if view.status_reason else "")),
            (
                _("valid"),
                validity.format(
                    valid_from=view.valid_from.isoformat(),
                    valid_until=view.valid_until.isoformat(),
                    days_left=view.days_left,
                ),
            ),
            (_("admin id"), view.admin_id + "".join(f" ({note})" for note in admin_notes)),
            (_("pending requests"), ", ".join(view.pending_requests) or _("none")),
        ]
    )


@app.command(help=_("Print the 貿易登録証. The password is on it only on the day the card is first printed."))
def card(
    ctx: typer.Context,
    registration: OptionalRegistrationArg = None,
    out: CardFileOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.card_files import REGISTRATION_CARD, print_one

    printed, target = print_one(state(ctx).backend(), REGISTRATION_CARD, registration, out, force=force)
    _report_card(printed, target, as_json)


def _report_card(printed: CardPrint, target: Path, as_json: bool) -> None:
    if as_json:
        output.emit_json(
            {
                "registration_number": printed.registration_number,
                "admin_id": printed.login_id,
                "card": str(target),
                "password": printed.password,
                "password_shown": printed.password is not None,
                "first_printed_at": printed.first_printed_at.isoformat(),
                "print_count": printed.print_count,
            }
        )
        return
    if printed.password:
        text = _("Wrote {path}: 貿易登録証 of {registration} ({admin_id}), with the password.")
    else:
        text = _(
            "Wrote {path}: 貿易登録証 of {registration} ({admin_id}), without the password "
            "(not shown after the first day)."
        )
    output.message(
        text.format(path=target, registration=printed.registration_number, admin_id=printed.login_id)
    )


@app.command(
    "reset-password",
    help=_("A new initial password for the administrator ID (staff); it starts a new card cycle."),
)
def reset_password(
    ctx: typer.Context,
    registration: RegistrationArg,
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help=_("Also print the new card to this PDF file."))
    ] = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.cli.card_files import REGISTRATION_CARD, print_one
    from shomei_cli.cli.files import claim_output_file

    target = claim_output_file(out, force=force) if out is not None else None
    backend = state(ctx).backend()
    view = backend.reset_admin_password(registration)
    if target is None:
        if as_json:
            output.emit_json({"registration_number": view.registration_number, "admin_id": view.admin_id})
        output.message(
            _(
                "The password of {admin_id} was reset; print the new card with "
                "`shomei admin card {registration} -o FILE` (the password shows on its first day)."
            ).format(admin_id=view.admin_id, registration=view.registration_number)
        )
        return
    printed, target = print_one(backend, REGISTRATION_CARD, registration, target, force=force)
    _report_card(printed, target, as_json)


@app.command(help=_("Unlock the administrator ID of a registration, locked after failed logins (staff)."))
def unlock(ctx: typer.Context, registration: RegistrationArg, as_json: JsonOption = False) -> None:
    from shomei_cli.cli.session import unlock

    unlock(ctx, "admin", registration, as_json)


@app.command(help=_("Suspend a registration: no new applications until reinstated (staff)."))
def suspend(
    ctx: typer.Context,
    registration: RegistrationArg,
    reason: Annotated[str, typer.Option("--reason", help=_("Why (shown to the company)."))],
    as_json: JsonOption = False,
) -> None:
    _emit_view(state(ctx).backend().set_registration_suspended(registration, True, reason), as_json)


@app.command(help=_("Reinstate a suspended registration (staff)."))
def reinstate(ctx: typer.Context, registration: RegistrationArg, as_json: JsonOption = False) -> None:
    _emit_view(state(ctx).backend().set_registration_suspended(registration, False, None), as_json)


@app.command(help=_("連絡先等変更: change contact details at once (administrators)."))
def contact(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option("--person", help=_("Contact person."))] = None,
    department: Annotated[str | None, typer.Option("--department", help=_("Department."))] = None,
    phone: Annotated[str | None, typer.Option("--phone", help=_("Phone number."))] = None,
    email: Annotated[str | None, typer.Option("--email", help=_("Email address."))] = None,
    as_json: JsonOption = False,
) -> None:
    fields = {"contact_person": person, "department": department, "phone": phone, "email": email}
    view = state(ctx).backend().change_contact({k: v for k, v in fields.items() if v is not None})
    _emit_view(view, as_json)


@app.command(
    help=_("登録内容変更: request a change of registered particulars, applied when the chamber approves.")
)
def change(
    ctx: typer.Context,
    company: Annotated[str | None, typer.Option("--company", help=_("Company name (Japanese)."))] = None,
    company_en: Annotated[str | None, typer.Option("--company-en", help=_("Company name (English)."))] = None,
    representative: Annotated[
        str | None, typer.Option("--representative", help=_("Representative's name (kanji)."))
    ] = None,
    representative_en: Annotated[
        str | None, typer.Option("--representative-en", help=_("Representative's name (romaji)."))
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help=_("Representative's title (Japanese)."))
    ] = None,
    title_en: Annotated[
        str | None, typer.Option("--title-en", help=_("Representative's title (English)."))
    ] = None,
    postal_code: Annotated[str | None, typer.Option("--postal-code", help=_("7 digits."))] = None,
    address: Annotated[str | None, typer.Option("--address", help=_("Address (Japanese)."))] = None,
    address_en: Annotated[str | None, typer.Option("--address-en", help=_("Address (English)."))] = None,
    as_json: JsonOption = False,
) -> None:
    fields = {
        "company_name": company,
        "company_name_en": company_en,
        "representative_name": representative,
        "representative_name_en": representative_en,
        "representative_title": title,
        "representative_title_en": title_en,
        "postal_code": postal_code,
        "address": address,
        "address_en": address_en,
    }
    item = state(ctx).backend().request_change({k: v for k, v in fields.items() if v is not None})
    _emit_request(item, as_json)


@app.command(
    help=_("有効期間更新: request a renewal (from 30 days before validity ends; approval adds 2 years).")
)
def renew(ctx: typer.Context, as_json: JsonOption = False) -> None:
    _emit_request(state(ctx).backend().request_renewal(), as_json)


def _emit_request(item: object, as_json: bool) -> None:
    from shomei_cli.domain.records import ReviewEntry

    assert isinstance(item, ReviewEntry)
    if as_json:
        output.emit_record(item)
        return
    output.emit_fields(
        [(_("reference"), item.reference), (_("status"), item.status), (_("request"), item.summary)]
    )
    output.message(
        _("Request {reference} is waiting for the chamber's review.").format(reference=item.reference)
    )


@app.command(help=_("The audit trail of your own company (administrator IDs), newest first."))
def audit(
    ctx: typer.Context,
    actor: ActorOption = None,
    action: ActionOption = None,
    since: SinceOption = None,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    show_audit(state(ctx), actor, action, since, limit, as_json)
