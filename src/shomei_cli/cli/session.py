"""login, logout, whoami, passwd."""

from __future__ import annotations

from typing import Annotated

import typer

from shomei_cli.cli import output
from shomei_cli.cli.options import JsonOption, PasswordStdinOption, prompt_secret, read_stdin_lines
from shomei_cli.cli.state import state


def login(
    ctx: typer.Context,
    chamber: Annotated[
        str | None,
        typer.Option("--chamber", help="Chamber code (4 digits); default: the profile's."),
    ] = None,
    login_id: Annotated[
        str | None, typer.Option("--id", help="Your staff, administrator, user or sub ID.")
    ] = None,
    password_stdin: PasswordStdinOption = False,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help="Keep the session token in a file readable only by you when no OS keyring is usable.",
        ),
    ] = False,
    print_token: Annotated[
        bool,
        typer.Option(
            "--print-token",
            help="Print the session token on stdout instead of saving it (for SHOMEI_TOKEN in scripts).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Log in with the chamber code, your ID and your password. One live session per ID."""
    from shomei_cli.domain.errors import FieldError, InvalidInput

    st = state(ctx)
    chamber = chamber or st.settings.get("chamber")
    login_id = login_id or st.settings.get("id")
    missing = [
        FieldError(name, "is required") for name, v in (("--chamber", chamber), ("--id", login_id)) if not v
    ]
    if missing:
        raise InvalidInput.of(missing)
    assert chamber is not None and login_id is not None
    password = read_stdin_lines(1, ["password"])[0] if password_stdin else prompt_secret("Password")
    store = st.token_store(insecure=insecure_storage)
    result = st.backend(with_token=False).login(str(chamber), str(login_id), password)
    identity = result.identity
    if print_token:
        print(result.token)
    else:
        store.save(st.token_key, result.token)
    output.message(
        f"Logged in to {identity.chamber_code} {identity.chamber_name} as {identity.login_id} "
        f"({identity.role})."
    )
    if identity.must_change_password:
        output.message("Your password is temporary: change it now with `shomei passwd`.")
    if as_json and not print_token:
        output.emit_record(identity)


def logout(ctx: typer.Context) -> None:
    """End the session and forget its token."""
    from shomei_cli.domain.errors import NotLoggedIn, SessionEnded

    st = state(ctx)
    store = st.token_store()
    try:
        st.backend().logout()
        output.message("Logged out.")
    except NotLoggedIn:
        output.message("Not logged in.")
    except SessionEnded:
        output.message("Logged out (the session had already ended).")
    store.delete(st.token_key)


def whoami(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show who is logged in, with which role, and until when the session lasts."""
    identity = state(ctx).backend().whoami()
    if as_json:
        output.emit_record(identity)
        return
    output.emit_fields(
        [
            ("chamber", f"{identity.chamber_code} {identity.chamber_name}"),
            ("id", identity.login_id),
            ("role", identity.role),
            ("name", identity.name),
            ("registration", identity.registration_number),
            (
                "password",
                "temporary: change it with `shomei passwd`" if identity.must_change_password else "set",
            ),
            ("session started", output.show_time(identity.session_started_at)),
            ("session expires", output.show_time(identity.session_expires_at)),
        ]
    )


def passwd(
    ctx: typer.Context,
    stdin: Annotated[
        bool,
        typer.Option("--stdin", help="Read the current and the new password from stdin, one per line."),
    ] = False,
) -> None:
    """Change your own password (at least 12 characters; not a common one; not your ID or names)."""
    if stdin:
        current, new = read_stdin_lines(2, ["current_password", "new_password"])
    else:
        current = prompt_secret("Current password")
        new = prompt_secret("New password", confirm=True)
    state(ctx).backend().change_password(current, new)
    output.message("Password changed.")
