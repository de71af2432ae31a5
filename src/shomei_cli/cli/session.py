"""login, logout, whoami, passwd (registered, with their help texts, in main.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, PasswordStdinOption, prompt_secret, read_stdin_lines
from shomei_cli.cli.state import state
from shomei_cli.i18n import _


def login(
    ctx: typer.Context,
    chamber: Annotated[
        str | None,
        typer.Option("--chamber", help=_("Chamber code (4 digits); default: the profile's.")),
    ] = None,
    login_id: Annotated[
        str | None, typer.Option("--id", help=_("Your staff, administrator, user or sub ID."))
    ] = None,
    password_stdin: PasswordStdinOption = False,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help=_("Keep the session token in a file readable only by you when no OS keyring is usable."),
        ),
    ] = False,
    print_token: Annotated[
        bool,
        typer.Option(
            "--print-token",
            help=_("Print the session token on stdout instead of saving it (for SHOMEI_TOKEN in scripts)."),
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from shomei_cli.domain.errors import FieldError, InvalidInput

    st = state(ctx)
    chamber = chamber or st.settings.get("chamber")
    login_id = login_id or st.settings.get("id")
    missing = [
        FieldError(name, _("is required"))
        for name, v in (("--chamber", chamber), ("--id", login_id))
        if not v
    ]
    if missing:
        raise InvalidInput.of(missing)
    assert chamber is not None and login_id is not None
    from shomei_cli.domain.accounts import login_key

    store = st.token_store(insecure=insecure_storage)
    if not print_token:
        # a token that could not be kept would make a login that only ends the session elsewhere
        store.ensure_usable()
    password = read_stdin_lines(1, ["password"])[0] if password_stdin else prompt_secret(_("Password"))
    key = login_key(str(login_id))
    device_token = store.load_device(st.token_key, key)
    result = st.backend(with_token=False).login(str(chamber), str(login_id), password, device_token)
    identity = result.identity
    if print_token:
        print(result.token)
    else:
        store.save(st.token_key, result.token)
    if result.device_token and result.device_token != device_token:
        store.save_device(st.token_key, key, result.device_token)
    output.message(
        _("Logged in to {chamber_code} {chamber_name} as {login_id} ({role}).").format(
            chamber_code=identity.chamber_code,
            chamber_name=identity.chamber_name,
            login_id=identity.login_id,
            role=identity.role,
        )
    )
    if identity.must_change_password:
        output.message(_("Your password is temporary: change it now with `shomei passwd`."))
    if as_json and not print_token:
        output.emit_record(identity)


def logout(ctx: typer.Context) -> None:
    from shomei_cli.domain.errors import NotLoggedIn, SessionEnded

    st = state(ctx)
    store = st.token_store()
    try:
        st.backend().logout()
        output.message(_("Logged out."))
    except NotLoggedIn:
        output.message(_("Not logged in."))
    except SessionEnded:
        output.message(_("Logged out (the session had already ended)."))
    store.delete(st.token_key)


def whoami(ctx: typer.Context, as_json: JsonOption = False) -> None:
    identity = state(ctx).backend().whoami()
    if as_json:
        output.emit_record(identity)
        return
    output.emit_fields(
        [
            (_("chamber"), f"{identity.chamber_code} {identity.chamber_name}"),
            (_("id"), identity.login_id),
            (_("role"), identity.role),
            (_("name"), identity.name),
            (_("registration"), identity.registration_number),
            (
                _("password"),
                _("temporary: change it with `shomei passwd`") if identity.must_change_password else _("set"),
            ),
            (_("session started"), output.show_time(identity.session_started_at)),
            (_("session expires"), output.show_time(identity.session_expires_at)),
        ]
    )


def passwd(
    ctx: typer.Context,
    stdin: Annotated[
        bool,
        typer.Option("--stdin", help=_("Read the current and the new password from stdin, one per line.")),
    ] = False,
) -> None:
    if stdin:
        current, new = read_stdin_lines(2, ["current_password", "new_password"])
    else:
        current = prompt_secret(_("Current password"))
        new = prompt_secret(_("New password"), confirm=True)
    state(ctx).backend().change_password(current, new)
    output.message(_("Password changed."))


def unlock(ctx: typer.Context, role: str, ref: str, as_json: bool) -> None:
    """The body of every `… unlock` command: lift the lock on an ID of ``role`` and say so."""
    account = state(ctx).backend().unlock(role, ref)
    if as_json:
        output.emit_record(account)
        return
    output.message(
        _("{login_id} is unlocked: it can log in again, and its failed logins count from zero.").format(
            login_id=account.login_id
        )
    )
