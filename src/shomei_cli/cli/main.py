"""The root of the ``shomei`` command: global options, the groups, and the one error boundary.

Only Typer and shomei's light modules are imported here; the store, HTTP client, keyring and PDF code load
inside the commands that need them, so that ``shomei --help`` starts fast.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from shomei_cli import __version__, config, i18n
from shomei_cli.cli import admin, cert, chamber, config_cmd, db, demo, serve, session, signer, subid
from shomei_cli.cli.options import JSON_META_KEY, text_without_pydantic
from shomei_cli.cli.state import State
from shomei_cli.i18n import _

text_without_pydantic()

# The command groups, built into click commands only when one of them is used: building all of them
# (sixty commands) is most of what `shomei --help` would otherwise spend.
GROUPS: dict[str, typer.Typer] = {
    "chamber": chamber.app,
    "admin": admin.app,
    "signer": signer.app,
    "subid": subid.app,
    "cert": cert.app,
    "db": db.app,
    "config": config_cmd.app,
    "demo": demo.app,
}
# where each group stands among the root's own commands in `shomei --help`
ORDER = (
    "login",
    "logout",
    "whoami",
    "passwd",
    "chamber",
    "admin",
    "signer",
    "subid",
    "cert",
    "serve",
    "demo",
    "db",
    "config",
)


class ShomeiGroup(TyperGroup):
    """Turns every failure below into its exit code and one clear line, never a traceback; builds the
    command groups lazily."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = [*super().list_commands(ctx), *GROUPS]
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))

    def get_command(self, ctx: Any, name: str) -> Any:
        group = GROUPS.get(name)
        if group is None:
            return super().get_command(ctx, name)
        command = typer.main.get_command(group)
        command.name = name
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            group = GROUPS.get(name)
            if group is not None:
                text = (group.info.help or "").strip().splitlines()[0]
            else:
                command = super().get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                text = command.get_short_help_str(limit=formatter.width - 6 - len(name))
            rows.append((name, text))
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except Exception as exc:
            if _is_click_exception(exc):
                raise
            if _is_abort(exc):  # a confirmation declined, end of input at a prompt, Ctrl-C
                typer.echo(_("Aborted: nothing was changed."), err=True)
                ctx.exit(1)
            if _reader_went_away(exc):
                # `shomei cert list --json | head`: stop quietly, as the Python docs advise
                _silence_stdout()
                ctx.exit(1)
            # imported here, not at start-up: `shomei --help` must stay fast
            from shomei_cli.cli.errors import report, report_unexpected
            from shomei_cli.domain.errors import ShomeiError

            as_json = bool(ctx.meta.get(JSON_META_KEY))
            if isinstance(exc, ShomeiError):
                ctx.exit(report(exc, as_json=as_json))
            ctx.exit(report_unexpected(exc, as_json=as_json))
        finally:
            if isinstance(ctx.obj, State):
                ctx.obj.close()


def _is_abort(exc: Exception) -> bool:
    return isinstance(exc, typer.Abort)


def _reader_went_away(exc: Exception) -> bool:
    """The pipe stdout writes to has no reader any more: BrokenPipeError, or on Windows an OSError EINVAL
    (CPython issue 79935) that a flush of stdout repeats."""
    if isinstance(exc, BrokenPipeError):
        return True
    import errno
    import os
    import sys

    if os.name != "nt" or not isinstance(exc, OSError) or exc.errno != errno.EINVAL:
        return False
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _silence_stdout() -> None:
    """Point stdout at the null device so that the interpreter's final flush does not fail again."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's capture): nothing will be flushed to a pipe
        pass
    finally:
        os.close(devnull)


def _is_click_exception(exc: Exception) -> bool:
    from typer._click.exceptions import ClickException

    return isinstance(exc, ClickException)


app = typer.Typer(
    cls=ShomeiGroup,
    name="shomei",
    help=_("shomei (証明): online issuance of trade certificates for a chamber of commerce."),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _complete_profiles(incomplete: str) -> list[str]:
    from shomei_cli.cli.completion import profiles

    return profiles(incomplete)


def _version(value: bool) -> None:
    if value:
        print(f"shomei {__version__}")  # not translated: the program's name and version
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            envvar=config.ENV_PROFILE,
            help=_("The profile to use (default: default)."),
            autocompletion=_complete_profiles,
        ),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            envvar=config.ENV_ENDPOINT,
            help=_("A shomei server's URL: remote mode when set."),
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar=config.ENV_DATABASE_URL,
            help=_("The store for local mode (any SQLAlchemy URL; default: a SQLite file in the data dir)."),
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version."))
    ] = False,
) -> None:
    # global options come before the command: shomei --profile osaka cert list
    del version
    ctx.obj = State(profile, endpoint, database_url)


app.command(help=_("Log in with the chamber code, your ID and your password. One live session per ID."))(
    session.login
)
app.command(help=_("End the session and forget its token."))(session.logout)
app.command(help=_("Show who is logged in, with which role, and until when the session lasts."))(
    session.whoami
)
app.command(
    help=_("Change your own password (at least 12 characters; not a common one; not your ID or names).")
)(session.passwd)
app.command(
    help=_("Run the chamber's server (needs the `server` extra: pip install '.[server]' in a clone).")
)(serve.serve)


INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def run() -> None:
    """The console-script entry point."""
    _speak_utf8()
    i18n.install_for_command_line()  # Typer's own headings (Options, Arguments, default: …) in our language
    _exit_130_on_ctrl_c()
    app()


def _exit_130_on_ctrl_c() -> None:
    """Ctrl-C ends any command with exit 130, at a prompt or in the middle of work (click would say
    "Aborted!" and exit 1, like a declined confirmation). The exit unwinds normally: a transaction rolls back,
    a file being written stays a temporary file that the next run sweeps."""
    import signal
    import sys
    from types import FrameType

    def interrupted(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        sys.stderr.write("\n" + _("Interrupted.") + "\n")
        raise SystemExit(INTERRUPTED)

    import contextlib

    # not in the main thread (an embedding program): its handler is left alone
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, interrupted)


def _speak_utf8() -> None:
    """UTF-8 in and out, whatever the platform's code page: on Windows a redirected stdout (`> out.txt`, a
    pipe, an IDE) would otherwise be cp932 or cp1252 and fail on ¥ or on Japanese after the work was done.
    A console is UTF-8 already; stdin keeps its errors strict so that a mis-encoded password is refused."""
    import sys

    for stream, errors in ((sys.stdout, "strict"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(encoding="utf-8", errors=errors)
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None and (sys.stdin.encoding or "").lower().replace("-", "") not in (
        "utf8",
        "utf8sig",
    ):
        reconfigure(encoding="utf-8-sig")
